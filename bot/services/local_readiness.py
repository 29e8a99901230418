"""Checks the CLI makes before it makes a branch or takes a lock: config, state location, sandbox, scanners."""

from __future__ import annotations

import json
import os
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.adapters.local_aws import LocalAws
from bot.changes.hcl_reader import HclSyntaxError, parse
from bot.domain.backends import BACKEND_FILE, REQUIRED_SETTINGS
from bot.domain.models import ChangeSet
from bot.domain.records import LockRecord
from bot.errors import UserError
from bot.ports import RepoReader
from bot.services.context import SANDBOX_LOCKS, Loop
from bot.services.repo_projects import repo_config

APPLIED_FILE = "applied.json"


@dataclass
class ProposedTree:
    """A RepoReader over a commit with a change's files laid over it (an empty content deletes)."""

    base: RepoReader
    change: ChangeSet

    def _overlay(self) -> Mapping[str, str]:
        return {file.path: file.content for file in self.change.files}

    def list_files(self, prefix: str = "") -> list[str]:
        files = set(self.base.list_files(prefix))
        for path, content in self._overlay().items():
            if path.startswith(prefix):
                (files.add if content else files.discard)(path)
        return sorted(files)

    def read_text(self, path: str) -> str | None:
        overlay = self._overlay()
        if path in overlay:
            return overlay[path] or None
        return self.base.read_text(path)


def check_config(reader: RepoReader) -> None:
    """Every mistake in `.olympus.yaml` at once, as a UserError (invalid-config)."""
    repo_config(reader)


def require_scanners(loop: Loop) -> None:
    """Every scanner's program, found (or installed, the first time: Checkov) before a branch or a lock exists,
    so a scanner that cannot be had is a tool-missing error that leaves nothing behind."""
    for scanner in loop.scanners:
        scanner.prepare(loop.say)


def unconfigured_backends(reader: RepoReader, dirs: Iterable[str]) -> list[tuple[str, str, list[str]]]:
    """(dir, backend type, missing settings) for each dir whose partial backend block has nothing to fill it."""
    found: list[tuple[str, str, list[str]]] = []
    for directory in sorted(set(dirs)):
        if reader.read_text(posixpath.join(directory, BACKEND_FILE)) is not None:
            continue
        for kind, given in _backend_blocks(reader, directory):
            missing = [name for name in REQUIRED_SETTINGS.get(kind, ()) if name not in given]
            if "region" in missing and (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")):
                missing.remove("region")
            if missing:
                found.append((directory, kind, missing))
    return found


def require_backends(reader: RepoReader, dirs: Iterable[str], repo_arg: str) -> None:
    """A UserError naming `olympus init` when a project's state location is nowhere to be found."""
    problems = unconfigured_backends(reader, dirs)
    if not problems:
        return
    where = "; ".join(f'{d} has `backend "{kind}" {{}}` but no {BACKEND_FILE}' for d, kind, _ in problems)
    kinds = {kind for _d, kind, _m in problems}
    example = (
        f"olympus init{repo_arg} --backend gcs --bucket BUCKET"
        if kinds == {"gcs"}
        else f"olympus init{repo_arg} --backend s3 --bucket BUCKET --region REGION"
    )
    raise UserError(
        "backend-not-configured",
        f"nothing says where Terraform state lives: {where}",
        f"run `{example}` with the bucket your state goes to (it writes each env's {BACKEND_FILE}), "
        f"or `olympus init{repo_arg} --sandbox` to keep state in the local emulator",
    )


def _backend_blocks(reader: RepoReader, directory: str) -> list[tuple[str, set[str]]]:
    prefix = "" if directory in ("", ".") else directory.rstrip("/") + "/"
    blocks: list[tuple[str, set[str]]] = []
    for path in reader.list_files(prefix):
        if "/" in path[len(prefix) :] or not path.endswith(".tf"):
            continue
        try:
            parsed = parse(reader.read_text(path) or "")
        except HclSyntaxError:
            continue  # Terraform itself reports the file when it plans
        for block in parsed:
            if block.type == "terraform":
                for backend in block.child_blocks("backend"):
                    if backend.labels:
                        blocks.append((backend.labels[0], set(backend.attributes)))
    return blocks


# --- the sandbox's state lives as long as its emulator ------------------------------------------------------


def check_sandbox_state(sandbox_dir: Path, aws: LocalAws, repo_arg: str) -> None:
    """Refuse to plan on a new emulator as if nothing had been applied: the applied state went with the old one."""
    record = _applied(sandbox_dir)
    if not record or record.get("instance") == aws.instance:
        return
    projects = ", ".join(_projects(record)) or "some projects"
    raise UserError(
        "sandbox-state-gone",
        f"the sandbox's state is gone: {projects} were applied on an emulator that has since stopped "
        "(`olympus sandbox stop`, or a restart), and the new one starts empty, so a plan would show "
        "everything as new",
        f"run `olympus sandbox reset{repo_arg}` to start over on the empty emulator "
        "(apply the base branch again to rebuild what it held)",
    )


def record_sandbox_apply(sandbox_dir: Path, aws: LocalAws, projects: Iterable[str]) -> None:
    """Remember which emulator holds the state of what was applied."""
    record = _applied(sandbox_dir)
    known = set(_projects(record)) if record.get("instance") == aws.instance else set()
    sandbox_dir.mkdir(parents=True, exist_ok=True)
    body = {"instance": aws.instance, "projects": sorted(known | set(projects))}
    (sandbox_dir / APPLIED_FILE).write_text(json.dumps(body))


def forget_sandbox_state(sandbox_dir: Path) -> bool:
    """Forget what the stopped emulator held; False when there was nothing to forget."""
    path = sandbox_dir / APPLIED_FILE
    existed = path.is_file()
    path.unlink(missing_ok=True)
    return existed


def _projects(record: Mapping[str, object]) -> list[str]:
    listed = record.get("projects")
    return sorted(str(name) for name in listed) if isinstance(listed, list) else []


def _applied(sandbox_dir: Path) -> dict[str, object]:
    path = sandbox_dir / APPLIED_FILE
    if not path.is_file():
        return {}
    try:
        loaded = json.loads(path.read_text())
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def require_same_state(locks: Iterable[LockRecord], repo_id: str, branch: str, repo_arg: str) -> None:
    """Refuse a command on the other state than the one its change was planned on (with or without --sandbox)."""
    held = {lock.repo for lock in locks if lock.holder == branch}
    if not held or repo_id in held:
        return
    planned_on_sandbox = repo_id + SANDBOX_LOCKS in held
    where, flag = ("on the sandbox", "add --sandbox") if planned_on_sandbox else ("on its backend", "drop --sandbox")
    raise UserError(
        "other-state",
        f"{branch} was planned {where}, and its saved plans and locks belong to that state",
        f"{flag}: `olympus apply{repo_arg}{' --sandbox' if planned_on_sandbox else ''} --branch {branch}`",
    )
