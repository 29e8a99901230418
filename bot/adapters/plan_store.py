"""Plans between jobs: plan file and JSON kept per repo/PR/commit/project with SHA-256; missing or altered refused."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.errors import UserError

PLAN_FILE = "plan.tfplan"
PLAN_JSON = "plan.json"
# `sha256sum` format, so a person can check a downloaded plan with `sha256sum -c plan.sha256`.
HASH_FILE = "plan.sha256"

_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_COMMIT = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_PROJECT = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.-]*$")


class PlanStoreError(UserError):
    """A plan could not be stored or fetched, or came back missing or altered: the apply must not go on."""


@dataclass(frozen=True)
class PlanKey:
    """Where one project's plan lives: repository, pull request, commit and project."""

    repo: str  # owner/name
    pull_request: int
    commit: str
    project: str

    def __post_init__(self) -> None:
        # Each part becomes a path segment or an object key: nothing may climb out of the store's root.
        if not _REPO.match(self.repo) or ".." in self.repo.split("/"):
            raise ValueError(f"not an owner/name repository: {self.repo!r}")
        if self.pull_request <= 0:
            raise ValueError(f"not a pull request number: {self.pull_request!r}")
        if not _COMMIT.match(self.commit):
            raise ValueError(f"not a full commit sha: {self.commit!r}")
        if not _PROJECT.match(self.project) or self.project in (".", ".."):
            raise ValueError(f"not a project name usable in a path: {self.project!r}")

    @property
    def prefix(self) -> str:
        return f"{self.repo}/{self.pull_request}/{self.commit}/{self.project}"


@dataclass(frozen=True)
class StoredPlan:
    """A plan file and its JSON on local disk, checked against the SHA-256 recorded when they were stored."""

    plan_path: Path
    json_path: Path
    sha256: str  # of the plan file
    location: str  # where the store keeps it, for messages and the job summary


class PlanStore(Protocol):
    """Keeps plans between the plan job and the apply job."""

    def store(self, key: PlanKey, plan_file: Path, plan_json: Path, sha256: str) -> str:
        """Store both files and their hashes; the location. Refuses a plan file whose hash is not sha256."""
        ...

    def fetch(self, key: PlanKey, into: Path, expected_sha256: str | None = None) -> StoredPlan:
        """Both files, written under `into`, only when they match the recorded hashes (and expected_sha256)."""
        ...


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_lines(plan_sha256: str, json_sha256: str) -> str:
    return f"{plan_sha256}  {PLAN_FILE}\n{json_sha256}  {PLAN_JSON}\n"


def parse_hash_lines(text: str, location: str) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for line in text.splitlines():
        digest, _, name = line.strip().partition("  ")
        if re.fullmatch(r"[0-9a-f]{64}", digest) and name:
            hashes[name] = digest
    if set(hashes) != {PLAN_FILE, PLAN_JSON}:
        raise PlanStoreError(
            "plan-hash-unreadable",
            f"the recorded hashes at {location} are unreadable",
            "plan the pull request again; never edit stored plans by hand",
        )
    return hashes


def checked_source(plan_file: Path, plan_json: Path, sha256: str) -> str:
    for path in (plan_file, plan_json):
        if not path.is_file():
            raise PlanStoreError("plan-file-missing", f"{path} does not exist", "plan again before storing")
    actual = sha256_of(plan_file)
    if actual != sha256:
        raise PlanStoreError(
            "plan-file-altered",
            f"{plan_file} has SHA-256 {actual}, not the {sha256} recorded when it was planned",
            "plan again: a plan file changed after `terraform plan` is never stored",
        )
    return sha256_of(plan_json)


def verify(fetched: StoredPlan, recorded: dict[str, str], expected_sha256: str | None) -> StoredPlan:
    """Compare what came back with the recorded hashes, and with the hash the caller knows from elsewhere."""
    for name, path in ((PLAN_FILE, fetched.plan_path), (PLAN_JSON, fetched.json_path)):
        actual = sha256_of(path)
        if actual != recorded[name]:
            path.unlink(missing_ok=True)
            raise PlanStoreError(
                "plan-file-altered",
                f"{name} at {fetched.location} has SHA-256 {actual}, not the {recorded[name]} recorded beside it",
                "someone or something changed the stored plan: plan the pull request again and review the new plan",
            )
    if expected_sha256 is not None and recorded[PLAN_FILE] != expected_sha256:
        raise PlanStoreError(
            "plan-file-altered",
            f"the plan at {fetched.location} has SHA-256 {recorded[PLAN_FILE]}, not the reviewed {expected_sha256}",
            "the stored plan is not the one that was reviewed: plan the pull request again",
        )
    return fetched


def missing_plan(location: str, what: str) -> PlanStoreError:
    return PlanStoreError(
        "plan-file-missing",
        f"no {what} at {location}",
        "the plan job stores it; plan the pull request at this commit again (plans are kept per commit)",
    )


@dataclass(frozen=True)
class LocalPlanStore:
    """A directory (the default): on one runner, or a shared volume."""

    root: Path

    def store(self, key: PlanKey, plan_file: Path, plan_json: Path, sha256: str) -> str:
        json_sha256 = checked_source(plan_file, plan_json, sha256)
        target = self.root / key.prefix
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(plan_file, target / PLAN_FILE)
        shutil.copyfile(plan_json, target / PLAN_JSON)
        (target / HASH_FILE).write_text(hash_lines(sha256, json_sha256))
        return str(target)

    def fetch(self, key: PlanKey, into: Path, expected_sha256: str | None = None) -> StoredPlan:
        source = self.root / key.prefix
        location = str(source)
        for name in (HASH_FILE, PLAN_FILE, PLAN_JSON):
            if not (source / name).is_file():
                raise missing_plan(location, name)
        recorded = parse_hash_lines((source / HASH_FILE).read_text(), location)
        into.mkdir(parents=True, exist_ok=True)
        fetched = StoredPlan(into / PLAN_FILE, into / PLAN_JSON, recorded[PLAN_FILE], location)
        shutil.copyfile(source / PLAN_FILE, fetched.plan_path)
        shutil.copyfile(source / PLAN_JSON, fetched.json_path)
        return verify(fetched, recorded, expected_sha256)


def open_plan_store(spec: str, default_root: Path, credentials: Mapping[str, str] | None = None) -> PlanStore:
    """`local:DIR`, `s3://bucket/prefix` or `gs://bucket/prefix`; empty means a directory under default_root.

    `credentials` are the job's exchanged cloud credentials (bot.adapters.oidc), used for the bucket when given.
    """
    spec = spec.strip()
    if not spec:
        return LocalPlanStore(default_root)
    if spec.startswith("local:"):
        directory = spec.removeprefix("local:")
        if not directory:
            raise PlanStoreError("bad-plan-store", "local: needs a directory", "use local:/path/to/plans")
        return LocalPlanStore(Path(directory).expanduser())
    from bot.adapters.plan_store_gcs import GcsPlanStore
    from bot.adapters.plan_store_s3 import S3PlanStore

    for scheme, make in (("s3://", S3PlanStore), ("gs://", GcsPlanStore)):
        if spec.startswith(scheme):
            bucket, _, prefix = spec.removeprefix(scheme).partition("/")
            if not bucket:
                raise PlanStoreError("bad-plan-store", f"{spec!r} names no bucket", f"use {scheme}BUCKET/PREFIX")
            store: PlanStore = make(bucket, prefix, credentials=credentials)
            return store
    raise PlanStoreError(
        "bad-plan-store",
        f"{spec!r} is not a plan store",
        "use local:DIR (the default), s3://BUCKET/PREFIX or gs://BUCKET/PREFIX",
    )
