"""SqlStore: runs, plans, findings and the audit log in SQLite or PostgreSQL.

Its approvals and pushes, locks, model records and the dashboard's reads are parts of their own
(sql_store_approvals, sql_store_locks, sql_store_records, sql_store_reads), mixed in.
"""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.adapters import sqlschema as t
from bot.adapters.secret_masking import mask_secret_text, mask_secrets
from bot.adapters.sql_dashboard import run_record, scoped
from bot.adapters.sql_mutex import SqlMutexes
from bot.adapters.sql_store_approvals import ApprovalsAndPushes
from bot.adapters.sql_store_locks import ProjectLocks
from bot.adapters.sql_store_reads import DashboardReads
from bot.adapters.sql_store_records import ModelAndFixRecords
from bot.adapters.store_engine import (
    Clock,
    StoreOpenError,
    open_engine,
    parse_store_url,
    utc_now,
)
from bot.domain.models import Finding, Severity
from bot.domain.policies.results import PolicyFailure
from bot.domain.record_repos import repo_of_params, repo_of_text
from bot.domain.records import (
    AuditOutcome,
    PlanRecord,
    RunRecord,
)
from bot.domain.seals import seal, seal_holds

# Re-exported: the store's callers name these through this module.
__all__ = ["Clock", "SqlStore", "StoreOpenError", "mask_secret_text", "mask_secrets", "parse_store_url", "utc_now"]

_MAX_RESULT_CHARS = 2000


class SqlStore(ApprovalsAndPushes, ProjectLocks, ModelAndFixRecords, DashboardReads):
    """The store on SQLAlchemy Core: one engine, short transactions, records out."""

    def __init__(self, engine: Engine, clock: Clock = utc_now, record_key: bytes | None = None) -> None:
        self.engine = engine
        self.clock = clock
        # Seals approvals and plans. Without a key given, one for this process only: records it writes check
        # while it runs, and none of them after (durable stores pass a key: bot/adapters/record_key.py).
        self._record_key = record_key or secrets.token_bytes(32)
        self._mutexes = SqlMutexes(engine)
        # The repository written on records whose own fields name none (see for_repo).
        self._repo: str | None = None

    def for_repo(self, repo: str) -> SqlStore:
        """This store (same engine, key and mutexes), writing `repo` on the runs, plans, audit entries and model
        interactions whose change, place or params name no repository: the App's loop of one repository."""
        tagged = copy.copy(self)
        tagged._repo = repo
        return tagged

    @classmethod
    def open(cls, url: str, *, clock: Clock = utc_now, record_key: bytes | None = None) -> SqlStore:
        """Connect and migrate the schema to head: `sqlite:///path` or `postgresql+psycopg://...`."""
        return cls(open_engine(url), clock, record_key)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # --- runs -------------------------------------------------------------------------------------------

    def start_run(self, change_id: str, command: str, actor: str, commit: str) -> int:
        with self.engine.begin() as connection:
            inserted = connection.execute(
                t.runs.insert()
                .values(
                    change_id=change_id,
                    command=command,
                    actor=actor,
                    commit_sha=commit,
                    started_at=self.clock(),
                    repo=repo_of_text(change_id) or self._repo,
                )
                .returning(t.runs.c.id)
            )
            return int(inserted.scalar_one())

    def finish_run(self, run_id: int, result: str, detail: Mapping[str, Any]) -> None:
        """Record a run's end; detail is masked for secrets like audit params."""
        with self.engine.begin() as connection:
            updated = connection.execute(
                t.runs.update()
                .where(t.runs.c.id == run_id)
                .values(ended_at=self.clock(), result=result, detail=mask_secrets(detail))
            )
            if updated.rowcount == 0:
                raise LookupError(f"no run with id {run_id}")

    def get_run(self, run_id: int) -> RunRecord | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(t.runs).where(t.runs.c.id == run_id)).one_or_none()
        return None if row is None else run_record(row)

    def runs_for(self, change_id: str) -> list[RunRecord]:
        """Every run of a change, oldest first."""
        query = sa.select(t.runs).where(t.runs.c.change_id == change_id).order_by(t.runs.c.id)
        with self.engine.connect() as connection:
            return [run_record(row) for row in connection.execute(query)]

    # --- plans ------------------------------------------------------------------------------------------

    def save_plan(self, plan: PlanRecord) -> int:
        with self.engine.begin() as connection:
            inserted = connection.execute(
                t.plans.insert()
                .values(
                    change_id=plan.change_id,
                    project=plan.project,
                    workspace=plan.workspace,
                    commit_sha=plan.commit,
                    plan_path=plan.plan_path,
                    plan_json_path=plan.plan_json_path,
                    sha256=plan.sha256,
                    counts=dict(plan.counts),
                    created_at=plan.created_at,
                    base_ref=plan.base,
                    policy_failures=[{"policy_set": f.policy_set, "message": f.message} for f in plan.policy_failures],
                    seal=seal(self._record_key, "plan", *_plan_fields(plan)),
                    repo=repo_of_text(plan.change_id) or self._repo,
                )
                .returning(t.plans.c.id)
            )
            return int(inserted.scalar_one())

    def latest_plan(self, change_id: str, project: str) -> PlanRecord | None:
        query = (
            sa.select(t.plans)
            .where(t.plans.c.change_id == change_id, t.plans.c.project == project)
            .order_by(t.plans.c.created_at.desc(), t.plans.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).one_or_none()
        return None if row is None else self._plan_record(row)

    def plans_for(self, change_id: str) -> list[PlanRecord]:
        """Every saved plan of a change (all projects, superseded ones too), oldest first."""
        query = sa.select(t.plans).where(t.plans.c.change_id == change_id).order_by(t.plans.c.created_at, t.plans.c.id)
        with self.engine.connect() as connection:
            return [self._plan_record(row) for row in connection.execute(query)]

    def discard_plans(self, change_id: str) -> int:
        """Forget every plan of a change; returns how many there were."""
        with self.engine.begin() as connection:
            deleted = connection.execute(t.plans.delete().where(t.plans.c.change_id == change_id))
            return int(deleted.rowcount)

    # --- findings ---------------------------------------------------------------------------------------

    def save_findings(self, run_id: int, findings: Sequence[Finding]) -> None:
        """Add findings to a run, after any it already has, keeping their order."""
        with self.engine.begin() as connection:
            already = connection.execute(
                sa.select(sa.func.count()).select_from(t.findings).where(t.findings.c.run_id == run_id)
            ).scalar_one()
            rows = [
                {
                    "run_id": run_id,
                    "position": already + offset,
                    "rule_id": finding.rule_id,
                    "severity": finding.severity.value,
                    "title": finding.title,
                    "resource": finding.resource,
                    "file": finding.file,
                    "line": finding.line,
                    "link": finding.link,
                    "tools": list(finding.tools),
                    "aliases": list(finding.aliases),
                }
                for offset, finding in enumerate(findings)
            ]
            if rows:
                connection.execute(t.findings.insert(), rows)

    def findings_for_run(self, run_id: int) -> list[Finding]:
        query = sa.select(t.findings).where(t.findings.c.run_id == run_id).order_by(t.findings.c.position)
        with self.engine.connect() as connection:
            return [
                Finding(
                    rule_id=row.rule_id,
                    severity=Severity(row.severity),
                    title=row.title,
                    resource=row.resource,
                    file=row.file,
                    line=row.line,
                    link=row.link,
                    tools=tuple(row.tools),
                    aliases=tuple(row.aliases),
                )
                for row in connection.execute(query)
            ]

    # --- audit ------------------------------------------------------------------------------------------

    def audit(
        self,
        actor: str,
        action: str,
        params: Mapping[str, Any],
        started_at: datetime,
        ended_at: datetime,
        result: str,
    ) -> int:
        """Record one action; params are masked for secrets (see _SECRET_KEY) before they are stored."""
        with self.engine.begin() as connection:
            inserted = connection.execute(
                t.audit_log.insert()
                .values(
                    actor=actor,
                    action=action,
                    params=mask_secrets(params),
                    started_at=started_at,
                    ended_at=ended_at,
                    result=mask_secret_text(result)[:_MAX_RESULT_CHARS],
                    repo=repo_of_params(params) or self._repo,
                )
                .returning(t.audit_log.c.id)
            )
            return int(inserted.scalar_one())

    @contextmanager
    def audited(self, actor: str, action: str, params: Mapping[str, Any]) -> Iterator[AuditOutcome]:
        """Audit the block: "ok", the result the block set on the yielded outcome, or the exception it raised.

        The entry is written even when the block raises; the exception then goes on unchanged.
        """
        outcome = AuditOutcome()
        started_at = self.clock()
        try:
            yield outcome
        except BaseException as error:
            message = str(error)
            self.audit(
                actor,
                action,
                params,
                started_at,
                self.clock(),
                f"{type(error).__name__}: {message}" if message else type(error).__name__,
            )
            raise
        self.audit(actor, action, params, started_at, self.clock(), outcome.result)

    def _plan_record(self, row: sa.Row[Any]) -> PlanRecord:
        plan = PlanRecord(
            change_id=row.change_id,
            project=row.project,
            workspace=row.workspace,
            commit=row.commit_sha,
            plan_path=row.plan_path,
            plan_json_path=row.plan_json_path,
            sha256=row.sha256,
            counts=row.counts,
            created_at=row.created_at,
            base=row.base_ref,
            policy_failures=tuple(
                PolicyFailure(str(f.get("policy_set", "")), str(f.get("message", "")))
                for f in row.policy_failures or ()
            ),
        )
        return replace(plan, trusted=seal_holds(self._record_key, row.seal, "plan", *_plan_fields(plan)))

    def recent_plans(self, limit: int = 50, *, repos: Collection[str] | None = None) -> list[PlanRecord]:
        """The latest saved plans of every change (of `repos`), newest first."""
        query = scoped(sa.select(t.plans).order_by(t.plans.c.id.desc()).limit(limit), t.plans.c.repo, repos)
        with self.engine.connect() as connection:
            return [self._plan_record(row) for row in connection.execute(query)]


def _plan_fields(plan: PlanRecord) -> tuple[str, ...]:
    """What a plan's seal covers: everything the gate relies on (policy failures only when there are some, so the
    seals of plans recorded before policies existed still check)."""
    fields: tuple[str, ...] = (
        plan.change_id,
        plan.project,
        plan.workspace,
        plan.commit,
        plan.plan_path,
        plan.sha256,
        plan.base,
    )
    if plan.policy_failures:
        fields += (json.dumps([[f.policy_set, f.message] for f in plan.policy_failures]),)
    return fields
