"""The interfaces between the domain and the world: each adapter implements one of these."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from threading import Event
from typing import Protocol

from bot.codehost_ports import (
    BranchProtection,
    CodeHost,
    CodeHostError,
    GitIdentity,
    Installations,
    IssueInfo,
    PullCommit,
    PullRequestInfo,
    Review,
    ReviewComment,
)
from bot.domain.conversations import Conversation
from bot.domain.dashboard import AuditFilter, RunDay, StoreCounts
from bot.domain.drift import DriftCheck
from bot.domain.findings import ScanReport
from bot.domain.fixes.attempts import ClassRate, FixAttempt
from bot.domain.interactions import InteractionRecord
from bot.domain.models import Finding
from bot.domain.queue_health import QueueHealth

# The code host's half lives in bot/codehost_ports.py and is named here too, where every importer finds it.
__all__ = [
    "BranchProtection",
    "CodeHost",
    "CodeHostError",
    "CommandOutput",
    "GitIdentity",
    "IaCRunner",
    "Installations",
    "IssueInfo",
    "LockKeeper",
    "PullCommit",
    "PullRequestInfo",
    "RepoReader",
    "Review",
    "ReviewComment",
    "Scanner",
    "Store",
]


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

    def scan_report(self, repo_root: Path, dirs: Iterable[str], *, stop: Event | None = None) -> ScanReport:
        """Findings and the checks skipped inline (with their reasons) for the given directories; `stop` set: the
        scan is no longer wanted, and its processes are stopped (a ScannerError then)."""
        ...

    def prepare(self, say: Callable[[str], None] | None = None) -> Path:
        """The scanner's program, installed first if it can be and is missing (`say` tells the user so).

        A program that cannot be had is a UserError (tool-missing); a scan calls this itself, so calling it
        first only moves that error, or the install, before any work is done.
        """
        ...


# Imported here rather than at the top so the store's section could be appended without touching the rest.
from collections.abc import Mapping  # noqa: E402
from contextlib import AbstractContextManager  # noqa: E402
from datetime import date, datetime  # noqa: E402
from typing import Any  # noqa: E402

from bot.domain.records import (  # noqa: E402
    ApprovalRecord,
    AuditEntry,
    AuditOutcome,
    LockRecord,
    PlanRecord,
    PolicyApprovalRecord,
    PushRecord,
    RunRecord,
)


class LockKeeper(Protocol):
    """Takes, reads and releases project locks: the store, or GitHub refs (GitHubRefLocks) in the Action."""

    def acquire_lock(self, repo: str, dir: str, workspace: str, holder: str) -> LockRecord:
        """The lock as it now stands: held by `holder` when taken (or already held), else by its holder."""
        ...

    def lock_for(self, repo: str, dir: str, workspace: str) -> LockRecord | None: ...

    def release_lock(self, repo: str, dir: str, workspace: str, holder: str) -> bool:
        """Release one lock if holder holds it (a plan that failed gives back the lock it took)."""
        ...

    def release_locks_of(self, holder: str) -> int: ...


class Store(Protocol):
    """Durable state: runs, plans, findings, approvals, locks and the audit log (SqlStore implements it)."""

    clock: Callable[[], datetime]  # the store's own UTC clock, injected so tests know every timestamp

    def close(self) -> None: ...

    def for_repo(self, repo: str) -> Store:
        """The same store, writing `repo` ("owner/name") on records whose own fields name no repository."""
        ...

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

    def approvals_for(self, change_id: str, commit: str | None = None) -> list[ApprovalRecord]:
        """A change's approvals, each marked untrusted when its seal does not check."""
        ...

    def record_policy_approval(self, change_id: str, policy_set: str, commit: str, user: str, at: datetime) -> bool:
        """Record one `/infra approve_policies` of a set at a commit; False when it was recorded already."""
        ...

    def policy_approvals_for(self, change_id: str, commit: str) -> list[PolicyApprovalRecord]:
        """A change's policy approvals at commit, each marked untrusted when its seal does not check."""
        ...

    def record_push(self, push: PushRecord, delivery_id: str) -> bool: ...

    def pushes_for(self, repo: str, branch: str, change_id: str) -> list[PushRecord]: ...

    def acquire_lock(self, repo: str, dir: str, workspace: str, holder: str) -> LockRecord:
        """The lock as it now stands: held by `holder` when taken (or already held), else by its holder."""
        ...

    def release_lock(self, repo: str, dir: str, workspace: str, holder: str) -> bool: ...

    def release_locks_of(self, holder: str) -> int: ...

    def lock_for(self, repo: str, dir: str, workspace: str) -> LockRecord | None: ...

    def one_at_a_time(self, name: str) -> AbstractContextManager[None]:
        """Hold the mutex `name` for a `with` block, across every worker and replica on this store."""
        ...

    def locks(self, *, repos: Collection[str] | None = None) -> list[LockRecord]:
        """The locks held (in `repos` only, when given), by repository, directory and workspace."""
        ...

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

    def record_interaction(self, record: InteractionRecord) -> int:
        """Keep one request a language model read; its text and tool arguments are masked for secrets first."""
        ...

    def interactions(self, limit: int = 20, *, repos: Collection[str] | None = None) -> list[InteractionRecord]:
        """The latest model interactions (of `repos`, when given), newest first."""
        ...

    def record_drift_check(self, check: DriftCheck) -> None:
        """Keep a project's latest drift check, over the previous one (its issue number stays when check has none)."""
        ...

    def drift_checks(self, repo: str) -> list[DriftCheck]:
        """The latest drift check of each project of repo, by project name."""
        ...

    def drift_checks_in(self, repos: Collection[str]) -> list[DriftCheck]:
        """The latest drift check of each project of those repositories, in one read, by repository and project."""
        ...

    def record_fix_attempt(self, attempt: FixAttempt) -> int:
        """Keep one attempt of the fix loop, verified or not (secrets masked); its id."""
        ...

    def mark_fix_outcome(
        self, attempt_id: int, *, accepted: bool | None = None, next_apply_ok: bool | None = None
    ) -> bool:
        """Record whether people accepted an offered fix and whether the next apply held; False: no such attempt."""
        ...

    def fix_attempts(
        self, repo: str | None = None, limit: int = 1000, *, repos: Collection[str] | None = None
    ) -> list[FixAttempt]:
        """The latest fix attempts (of repo, or of every repository; of `repos` when given), newest first."""
        ...

    def fix_rates(
        self, repo: str | None = None, limit: int = 1000, *, repos: Collection[str] | None = None
    ) -> list[ClassRate]:
        """rates_by_class of the same attempts fix_attempts(repo, limit, repos=) returns, without reading them out."""
        ...

    def note_fix_offer(self, attempt_id: int, offer: Mapping[str, Any]) -> bool:
        """Keep how and where a verified fix was offered (its extra's `offer`); False: no such attempt."""
        ...

    def offered_fix_attempts(self, repo: str, change_id: str) -> list[FixAttempt]:
        """The change's offered fixes, oldest first: the ones whose acceptance and next apply are still to mark."""
        ...

    def move_fix_attempt(self, attempt_id: int, change_id: str) -> bool:
        """The attempt's fix is carried by another change from now on (a drift issue's fix pull request), where its
        next apply is marked; False: no such attempt."""
        ...

    def conversation_for(self, place: str, who: str) -> Conversation | None:
        """The requester's conversation with the model in place (an issue, a local repository), or None."""
        ...

    def save_conversation(self, conversation: Conversation) -> int:
        """Keep a conversation, over the requester's previous one in the same place."""
        ...

    # The dashboard's reads. `repos` is the reader's repositories: None reads every row (the local dashboard), a
    # collection only the rows whose repository is in it (a row naming no repository is then nobody's).

    def runs_page(
        self, limit: int = 50, before: int | None = None, *, repos: Collection[str] | None = None
    ) -> list[RunRecord]:
        """Up to limit runs older than the run with id `before` (None: the newest), newest first."""
        ...

    def run_days(self, today: date, days: int, *, repos: Collection[str] | None = None) -> list[RunDay]:
        """The last `days` UTC days up to today, oldest first, a day without runs included: each day's runs,
        failures and finished plans' duration p50/p95."""
        ...

    def audit_page(
        self,
        which: AuditFilter | None = None,
        limit: int = 50,
        before: int | None = None,
        *,
        repos: Collection[str] | None = None,
    ) -> list[AuditEntry]:
        """Up to limit audit entries matching `which`, older than the entry `before`, newest first."""
        ...

    def recent_plans(self, limit: int = 50, *, repos: Collection[str] | None = None) -> list[PlanRecord]:
        """The latest saved plans of every change, newest first."""
        ...

    def store_counts(self, *, repos: Collection[str] | None = None) -> StoreCounts:
        """How many rows each kind of record has, and the newest audit entry's id."""
        ...

    def job_queue_health(
        self, now: datetime, failed_limit: int = 20, *, repos: Collection[str] | None = None
    ) -> QueueHealth:
        """The App's job queue at `now`: jobs per status, the longest wait, retries, stuck and the latest failed
        jobs, and the jobs finished per hour over the last day (bot/adapters/sql_queue_health.py)."""
        ...
