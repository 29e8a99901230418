"""The interfaces between the domain and the world: each adapter implements one of these."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.domain.findings import ScanReport
from bot.domain.models import Finding


class RepoReader(Protocol):
    """A read-only view of a repository tree at one commit or working copy."""

    def list_files(self, prefix: str = "") -> list[str]:
        """Every file path (repo-relative, "/"-separated) under prefix, sorted."""
        ...

    def read_text(self, path: str) -> str | None:
        """A file's text, or None when it does not exist."""
        ...


@dataclass(frozen=True)
class CommandOutput:
    """What one IaC command did."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float


class IaCRunner(Protocol):
    """Runs Terraform (or OpenTofu) commands in a working directory."""

    def run(
        self,
        args: Sequence[str],
        cwd: Path,
        *,
        env: dict[str, str] | None = None,
        timeout: float = 900,
        on_line: Callable[[str], None] | None = None,
    ) -> CommandOutput: ...


class Scanner(Protocol):
    """A static analyser over Terraform directories."""

    name: str

    def scan(self, repo_root: Path, dirs: Iterable[str]) -> list[Finding]:
        """Findings for the given repo-relative directories, file paths relative to repo_root."""
        ...

    def scan_report(self, repo_root: Path, dirs: Iterable[str]) -> ScanReport:
        """Findings and the checks skipped inline (with their reasons) for the given directories."""
        ...


# Imported here rather than at the top so the store's section could be appended without touching the rest.
from collections.abc import Mapping  # noqa: E402
from contextlib import AbstractContextManager  # noqa: E402
from datetime import datetime  # noqa: E402
from typing import Any  # noqa: E402

from bot.domain.records import (  # noqa: E402
    ApprovalRecord,
    AuditEntry,
    AuditOutcome,
    LockRecord,
    PlanRecord,
    RunRecord,
)


class Store(Protocol):
    """Durable state: runs, plans, findings, approvals, locks and the audit log (SqlStore implements it)."""

    clock: Callable[[], datetime]  # the store's own UTC clock, injected so tests know every timestamp

    def close(self) -> None: ...

    def start_run(self, change_id: str, command: str, actor: str, commit: str) -> int: ...

    def finish_run(self, run_id: int, result: str, detail: Mapping[str, Any]) -> None: ...

    def get_run(self, run_id: int) -> RunRecord | None: ...

    def runs_for(self, change_id: str) -> list[RunRecord]: ...

    def save_plan(self, plan: PlanRecord) -> int: ...

    def latest_plan(self, change_id: str, project: str) -> PlanRecord | None: ...

    def plans_for(self, change_id: str) -> list[PlanRecord]: ...

    def discard_plans(self, change_id: str) -> int: ...

    def save_findings(self, run_id: int, findings: Sequence[Finding]) -> None: ...

    def findings_for_run(self, run_id: int) -> list[Finding]: ...

    def record_approval(self, change_id: str, commit: str, user: str, at: datetime) -> bool: ...

    def approvals_for(self, change_id: str, commit: str | None = None) -> list[ApprovalRecord]: ...

    def acquire_lock(self, repo: str, dir: str, workspace: str, holder: str) -> LockRecord:
        """The lock as it now stands: held by `holder` when taken (or already held), else by its holder."""
        ...

    def release_lock(self, repo: str, dir: str, workspace: str, holder: str) -> bool: ...

    def release_locks_of(self, holder: str) -> int: ...

    def lock_for(self, repo: str, dir: str, workspace: str) -> LockRecord | None: ...

    def locks(self) -> list[LockRecord]: ...

    def audit(
        self,
        actor: str,
        action: str,
        params: Mapping[str, Any],
        started_at: datetime,
        ended_at: datetime,
        result: str,
    ) -> int:
        """Record one action; keys that look like secrets are masked before anything is stored."""
        ...

    def audited(self, actor: str, action: str, params: Mapping[str, Any]) -> AbstractContextManager[AuditOutcome]:
        """Audit a block: "ok", the result it sets on the outcome, or the exception it raised (re-raised)."""
        ...

    def audit_log(self, limit: int = 100) -> list[AuditEntry]: ...
