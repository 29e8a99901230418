"""Plans between jobs: plan file and JSON kept per repo/PR/commit/project with SHA-256; missing or altered refused."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

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


def _checked_source(plan_file: Path, plan_json: Path, sha256: str) -> str:
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


def _verify(fetched: StoredPlan, recorded: dict[str, str], expected_sha256: str | None) -> StoredPlan:
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


def _missing(location: str, what: str) -> PlanStoreError:
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
        json_sha256 = _checked_source(plan_file, plan_json, sha256)
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
                raise _missing(location, name)
        recorded = parse_hash_lines((source / HASH_FILE).read_text(), location)
        into.mkdir(parents=True, exist_ok=True)
        fetched = StoredPlan(into / PLAN_FILE, into / PLAN_JSON, recorded[PLAN_FILE], location)
        shutil.copyfile(source / PLAN_FILE, fetched.plan_path)
        shutil.copyfile(source / PLAN_JSON, fetched.json_path)
        return _verify(fetched, recorded, expected_sha256)


class S3PlanStore:
    """An S3 bucket and prefix, through boto3's standard configuration (AWS_ENDPOINT_URL, AWS_REGION, ...)."""

    def __init__(
        self, bucket: str, prefix: str = "", *, client: Any = None, credentials: Mapping[str, str] | None = None
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._client = client
        self._credentials = dict(credentials or {})

    def __repr__(self) -> str:
        return f"S3PlanStore({self.bucket!r}, {self.prefix!r})"

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            # The job's exchanged role, when it has one: the same short-lived credentials Terraform gets.
            given = self._credentials
            options = {
                "aws_access_key_id": given.get("AWS_ACCESS_KEY_ID"),
                "aws_secret_access_key": given.get("AWS_SECRET_ACCESS_KEY"),
                "aws_session_token": given.get("AWS_SESSION_TOKEN"),
                "region_name": given.get("AWS_REGION"),
            }
            self._client = boto3.client("s3", **{k: v for k, v in options.items() if v})
        return self._client

    def _key(self, key: PlanKey, name: str) -> str:
        return "/".join(p for p in (self.prefix, key.prefix, name) if p)

    def _location(self, key: PlanKey) -> str:
        return f"s3://{self.bucket}/{self._key(key, '')}"

    def store(self, key: PlanKey, plan_file: Path, plan_json: Path, sha256: str) -> str:
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        json_sha256 = _checked_source(plan_file, plan_json, sha256)
        try:
            for name, path in ((PLAN_FILE, plan_file), (PLAN_JSON, plan_json)):
                self.client.upload_file(str(path), self.bucket, self._key(key, name))
            # Written last: a hash file present means both files were written before it.
            self.client.put_object(
                Bucket=self.bucket, Key=self._key(key, HASH_FILE), Body=hash_lines(sha256, json_sha256).encode()
            )
        except (ClientError, BotoCoreError, S3UploadFailedError) as error:
            raise PlanStoreError(
                "plan-store-unreachable",
                f"could not write {self._location(key)}: {error}",
                "check the plan-store setting and that the job's role may write that bucket",
            ) from None
        return self._location(key)

    def fetch(self, key: PlanKey, into: Path, expected_sha256: str | None = None) -> StoredPlan:
        from botocore.exceptions import ClientError

        location = self._location(key)
        into.mkdir(parents=True, exist_ok=True)
        fetched = StoredPlan(into / PLAN_FILE, into / PLAN_JSON, "", location)
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key, HASH_FILE))["Body"].read()
            recorded = parse_hash_lines(body.decode("utf-8", "replace"), location)
            for name, path in ((PLAN_FILE, fetched.plan_path), (PLAN_JSON, fetched.json_path)):
                self.client.download_file(self.bucket, self._key(key, name), str(path))
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound"):
                raise _missing(location, "stored plan") from None
            raise PlanStoreError(
                "plan-store-unreachable",
                f"could not read {location}: {code or 'error'}",
                "check the plan-store setting and that the job's role may read that bucket",
            ) from None
        fetched = StoredPlan(fetched.plan_path, fetched.json_path, recorded[PLAN_FILE], location)
        return _verify(fetched, recorded, expected_sha256)


class GcsPlanStore:
    """A Google Cloud Storage bucket and prefix, through google-cloud-storage's standard configuration.

    The default client is `storage.Client()`: application default credentials (in the Action, the workload
    identity federation credential file named by GOOGLE_APPLICATION_CREDENTIALS, which google-auth's identity_pool
    reads) and their project. With STORAGE_EMULATOR_HOST set, the client talks to that emulator instead, with
    anonymous credentials of its own accord, so local runs and tests need no Google account.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        client: Any = None,
        retry_seconds: float = 120.0,
        credentials: Mapping[str, str] | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._client = client
        self._token = (credentials or {}).get("GOOGLE_OAUTH_ACCESS_TOKEN", "")
        # How long connection failures, 429 and 5xx answers are retried (120 s is google-cloud-storage's default).
        self.retry_seconds = retry_seconds

    @property
    def client(self) -> Any:
        if self._client is None:
            from google.cloud import storage

            if self._token:
                # The job's exchanged workload identity token, the one the google provider gets; project=None
                # because a bucket's objects need none (and inferring one would look for other credentials).
                from google.oauth2.credentials import Credentials

                self._client = storage.Client(project=None, credentials=Credentials(self._token))  # type: ignore[no-untyped-call]
            else:
                self._client = storage.Client()
        return self._client

    @property
    def _retry(self) -> Any:
        from google.cloud.storage.retry import DEFAULT_RETRY

        return DEFAULT_RETRY.with_timeout(self.retry_seconds)

    def _key(self, key: PlanKey, name: str) -> str:
        return "/".join(p for p in (self.prefix, key.prefix, name) if p)

    def _location(self, key: PlanKey) -> str:
        return f"gs://{self.bucket}/{self._key(key, '')}"

    def store(self, key: PlanKey, plan_file: Path, plan_json: Path, sha256: str) -> str:
        from google.api_core.exceptions import NotFound

        json_sha256 = _checked_source(plan_file, plan_json, sha256)
        location = self._location(key)
        with self._reaching(location, "write"):
            bucket = self.client.bucket(self.bucket)
            try:
                for name, path in ((PLAN_FILE, plan_file), (PLAN_JSON, plan_json)):
                    bucket.blob(self._key(key, name)).upload_from_filename(str(path), retry=self._retry)
                # Written last: a hash file present means both files were written before it.
                bucket.blob(self._key(key, HASH_FILE)).upload_from_string(
                    hash_lines(sha256, json_sha256), content_type="text/plain", retry=self._retry
                )
            except NotFound:
                raise self._no_bucket(location) from None
        return location

    def fetch(self, key: PlanKey, into: Path, expected_sha256: str | None = None) -> StoredPlan:
        from google.api_core.exceptions import Forbidden, NotFound

        location = self._location(key)
        into.mkdir(parents=True, exist_ok=True)
        fetched = StoredPlan(into / PLAN_FILE, into / PLAN_JSON, "", location)
        with self._reaching(location, "read"):
            bucket = self.client.bucket(self.bucket)
            reading = HASH_FILE
            try:
                body = bucket.blob(self._key(key, HASH_FILE)).download_as_bytes(retry=self._retry)
                recorded = parse_hash_lines(body.decode("utf-8", "replace"), location)
                for reading, path in ((PLAN_FILE, fetched.plan_path), (PLAN_JSON, fetched.json_path)):
                    bucket.blob(self._key(key, reading)).download_to_filename(str(path), retry=self._retry)
            except NotFound:
                fetched.plan_path.unlink(missing_ok=True)
                fetched.json_path.unlink(missing_ok=True)
                # A missing object and a missing bucket both answer 404; only the first means "plan again".
                try:
                    next(iter(bucket.list_blobs(max_results=1, retry=self._retry)), None)
                except NotFound:
                    raise self._no_bucket(location) from None
                except Forbidden:
                    pass  # may read objects but not list them: the object is what is missing
                raise _missing(location, reading) from None
        fetched = StoredPlan(fetched.plan_path, fetched.json_path, recorded[PLAN_FILE], location)
        return _verify(fetched, recorded, expected_sha256)

    def _no_bucket(self, location: str) -> PlanStoreError:
        return PlanStoreError(
            "plan-store-unreachable",
            f"could not reach {location}: the bucket {self.bucket} does not exist",
            "check the plan-store setting (gs://BUCKET/PREFIX names an existing bucket)",
        )

    @contextmanager
    def _reaching(self, location: str, doing: str) -> Iterator[None]:
        """Credential, API and connection errors as plan-store-unreachable, with the fix; never a traceback."""
        from google.api_core.exceptions import GoogleAPIError
        from google.auth.exceptions import GoogleAuthError
        from google.cloud.storage.exceptions import DataCorruption
        from requests import RequestException

        try:
            yield
        except GoogleAuthError as error:
            raise PlanStoreError(
                "plan-store-unreachable",
                f"could not {doing} {location}: no usable Google credentials ({self._why(error)})",
                "give the job application default credentials: GOOGLE_APPLICATION_CREDENTIALS naming a workload "
                "identity federation credential file (or STORAGE_EMULATOR_HOST for a local emulator)",
            ) from None
        except (GoogleAPIError, RequestException, DataCorruption) as error:
            raise PlanStoreError(
                "plan-store-unreachable",
                f"could not {doing} {location}: {self._why(error)}",
                f"check the plan-store setting and that the job's Google identity may {doing} objects in that "
                "bucket (STORAGE_EMULATOR_HOST, when set, must name a running emulator)",
            ) from None

    def _why(self, error: Exception) -> str:
        """The reason in a line: after retries, the last error; for a connection, the system's word for it."""
        from google.api_core.exceptions import RetryError

        last = error.cause if isinstance(error, RetryError) else None
        gave_up = isinstance(last, Exception)
        text = str(last if gave_up else error)
        system = re.search(r"\[Errno -?\d+\][^'\")]*", text)  # "[Errno 111] Connection refused"
        lines = text.strip().splitlines()
        why = system.group(0) if system else lines[0][:300] if lines else type(error).__name__
        return f"{why} (retried for {self.retry_seconds:g} s)" if gave_up else why


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
