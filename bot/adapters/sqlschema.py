"""The store's tables, as SQLAlchemy Core metadata; the Alembic migrations must reproduce exactly this."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

# Deterministic constraint names on every dialect, so later migrations can refer to them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Its own name, so Olympus can share a database with another Alembic-managed application.
VERSION_TABLE = "olympus_alembic_version"


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every dialect.

    SQLite has no time zones and hands back naive values; PostgreSQL's timestamptz hands them back in the
    session's zone. Storing UTC and tagging it on the way out makes both round-trip to equal values, and
    refusing naive datetimes keeps local times from sneaking in.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"the store keeps timezone-aware datetimes only, got naive {value!r}")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class NulFreeText(sa.TypeDecorator[str]):
    """Text that stores the same on every dialect: PostgreSQL refuses NUL characters, SQLite keeps them.

    Untrusted text (a comment turned command) may carry one; it becomes U+FFFD rather than a failed insert.
    """

    impl = sa.Text()
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else value.replace("\x00", "\ufffd")


metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("change_id", NulFreeText, nullable=False, index=True),
    sa.Column("command", NulFreeText, nullable=False),
    sa.Column("actor", NulFreeText, nullable=False),
    # "commit" is an SQL keyword; a plain column name keeps hand-written SQL free of quoting.
    sa.Column("commit_sha", NulFreeText, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("ended_at", UtcDateTime, nullable=True),
    sa.Column("result", NulFreeText, nullable=True),
    sa.Column("detail", sa.JSON, nullable=True),
    # The repository ("owner/name") the row belongs to (bot/domain/record_repos.py); None locally, where the
    # dashboard serves one repository. The App's dashboard shows a row only to people who can read it.
    sa.Column("repo", NulFreeText, nullable=True),
    sa.Index(None, "started_at"),  # the dashboard's charts read the last days' runs
    sa.Index(None, "repo", "id"),  # the App's dashboard pages each reader's repositories newest first
)

plans = sa.Table(
    "plans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("change_id", NulFreeText, nullable=False),
    sa.Column("project", NulFreeText, nullable=False),
    sa.Column("workspace", NulFreeText, nullable=False),
    sa.Column("commit_sha", NulFreeText, nullable=False),
    sa.Column("plan_path", NulFreeText, nullable=False),
    sa.Column("plan_json_path", NulFreeText, nullable=False),
    sa.Column("sha256", NulFreeText, nullable=False),
    sa.Column("counts", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    # The base branch the plan was made against ("" locally, where the base is the command's).
    sa.Column("base_ref", NulFreeText, nullable=False, server_default=""),
    # The blocking policy sets' failures, [{"policy_set": ..., "message": ...}]: the gate holds the apply for them.
    sa.Column("policy_failures", sa.JSON, nullable=False, server_default="[]"),
    # HMAC of the row under a key kept outside the database (bot/domain/seals.py): a hand-edited row shows.
    sa.Column("seal", NulFreeText, nullable=True),
    # The repository ("owner/name") the row belongs to (bot/domain/record_repos.py); None locally, where the
    # dashboard serves one repository. The App's dashboard shows a row only to people who can read it.
    sa.Column("repo", NulFreeText, nullable=True),
    sa.Index(None, "change_id", "project"),
    sa.Index(None, "repo", "id"),
)

findings = sa.Table(
    "findings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("rule_id", NulFreeText, nullable=False),
    sa.Column("severity", NulFreeText, nullable=False),
    sa.Column("title", NulFreeText, nullable=False),
    sa.Column("resource", NulFreeText, nullable=False),
    sa.Column("file", NulFreeText, nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("link", NulFreeText, nullable=False),
    sa.Column("tools", sa.JSON, nullable=False),
    sa.Column("aliases", sa.JSON, nullable=False),
)

approvals = sa.Table(
    "approvals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("change_id", NulFreeText, nullable=False),
    sa.Column("commit_sha", NulFreeText, nullable=False),
    # "user" is reserved in PostgreSQL, where an unquoted `select user` quietly returns the session's role.
    sa.Column("approver", NulFreeText, nullable=False),
    sa.Column("approved_at", UtcDateTime, nullable=False),
    sa.Column("seal", NulFreeText, nullable=True),
    # Approving the same commit twice is one approval.
    sa.UniqueConstraint("change_id", "commit_sha", "approver"),
)

policy_approvals = sa.Table(
    "policy_approvals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("change_id", NulFreeText, nullable=False),
    sa.Column("policy_set", NulFreeText, nullable=False),
    sa.Column("commit_sha", NulFreeText, nullable=False),
    sa.Column("approver", NulFreeText, nullable=False),
    sa.Column("approved_at", UtcDateTime, nullable=False),
    sa.Column("seal", NulFreeText, nullable=True),
    sa.UniqueConstraint("change_id", "policy_set", "commit_sha", "approver"),
)

locks = sa.Table(
    "locks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("repo", NulFreeText, nullable=False),
    sa.Column("dir", NulFreeText, nullable=False),
    sa.Column("workspace", NulFreeText, nullable=False),
    sa.Column("holder", NulFreeText, nullable=False, index=True),
    sa.Column("acquired_at", UtcDateTime, nullable=False),
    # The lock itself: the database, not the application, decides who inserted first.
    sa.UniqueConstraint("repo", "dir", "workspace"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("actor", NulFreeText, nullable=False),
    sa.Column("action", NulFreeText, nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("ended_at", UtcDateTime, nullable=False),
    sa.Column("result", NulFreeText, nullable=False),
    # The dashboard pages the log newest first by person or by action: each filter walks its index in id order.
    sa.Index(None, "actor", "id"),
    sa.Index(None, "action", "id"),
    # The repository ("owner/name") the row belongs to (bot/domain/record_repos.py); None locally, where the
    # dashboard serves one repository. The App's dashboard shows a row only to people who can read it.
    sa.Column("repo", NulFreeText, nullable=True),
    sa.Index(None, "repo", "id"),
)

# Who moved a branch to which commit (GitHub's push and pull_request events): pushers may not approve.
pushes = sa.Table(
    "pushes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("repo", NulFreeText, nullable=False),
    sa.Column("branch", NulFreeText, nullable=False),
    sa.Column("head_sha", NulFreeText, nullable=False),
    sa.Column("pusher", NulFreeText, nullable=False),
    sa.Column("change_id", NulFreeText, nullable=True),  # the pull request, when the event named one
    # A push that created the branch: earlier pushes to a branch of the same name belong to another change.
    sa.Column("created", sa.Boolean, nullable=False),
    sa.Column("delivery_id", NulFreeText, nullable=False),
    sa.Column("pushed_at", UtcDateTime, nullable=False),
    # A redelivered event records nothing new.
    sa.UniqueConstraint("delivery_id", "head_sha"),
    sa.Index(None, "repo", "branch"),
    sa.Index(None, "change_id"),
)

# Every request a language model read (bot/domain/interactions.py), secrets masked: for review and evaluation.
model_interactions = sa.Table(
    "model_interactions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime, nullable=False, index=True),
    sa.Column("door", NulFreeText, nullable=False),
    sa.Column("who", NulFreeText, nullable=False),
    sa.Column("place", NulFreeText, nullable=False),
    sa.Column("request", NulFreeText, nullable=False),
    sa.Column("backend", NulFreeText, nullable=False),
    sa.Column("model", NulFreeText, nullable=False),
    sa.Column("system_prompt_sha256", NulFreeText, nullable=False),
    sa.Column("outcome", NulFreeText, nullable=False),
    sa.Column("reply", NulFreeText, nullable=False),
    sa.Column("commands", sa.JSON, nullable=False),
    sa.Column("calls", sa.JSON, nullable=False),
    sa.Column("usage", sa.JSON, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("model_seconds", sa.Float, nullable=False),
    sa.Column("cost_usd", sa.Float, nullable=True),
    # The repository ("owner/name") the row belongs to (bot/domain/record_repos.py); None locally, where the
    # dashboard serves one repository. The App's dashboard shows a row only to people who can read it.
    sa.Column("repo", NulFreeText, nullable=True),
    sa.Index(None, "repo", "id"),
)

# One conversation with the model per requester and place (bot/domain/conversations.py): its turns so far.
conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("place", NulFreeText, nullable=False),
    sa.Column("who", NulFreeText, nullable=False),
    sa.Column("messages", sa.JSON, nullable=False),
    sa.Column("last_turn", NulFreeText, nullable=False),
    sa.Column("outcome", sa.JSON, nullable=False),
    sa.Column("turns", sa.Integer, nullable=False),
    sa.Column("started_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    # The database, not a lookup, keeps two replicas from starting two conversations for one requester and place.
    sa.UniqueConstraint("place", "who"),
)

# The latest drift check of each project (bot/domain/drift/checks.py): addresses and counts, never values.
drift_checks = sa.Table(
    "drift_checks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("repo", NulFreeText, nullable=False),
    sa.Column("project", NulFreeText, nullable=False),
    sa.Column("checked_at", UtcDateTime, nullable=False),
    sa.Column("status", NulFreeText, nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    # When the drift now seen was first seen: kept across checks while it lasts, the "seen since".
    sa.Column("since", UtcDateTime, nullable=True),
    sa.Column("issue_number", sa.Integer, nullable=True),  # the drift issue, once the App opened one
    # One row per project: a check replaces the previous one.
    sa.UniqueConstraint("repo", "project"),
)

# The fix loop's evaluation store (bot/domain/fixes/attempts.py): every attempt, verified or not, secrets masked.
fix_attempts = sa.Table(
    "fix_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("repo", NulFreeText, nullable=False),
    sa.Column("change_id", NulFreeText, nullable=False),
    sa.Column("project", NulFreeText, nullable=False),
    sa.Column("step", NulFreeText, nullable=False),
    sa.Column("failure_class", NulFreeText, nullable=False, index=True),
    sa.Column("root_cause", NulFreeText, nullable=False),
    sa.Column("kind", NulFreeText, nullable=False),
    sa.Column("verification", NulFreeText, nullable=False),
    sa.Column("verification_detail", NulFreeText, nullable=False),
    sa.Column("patch", NulFreeText, nullable=False),
    sa.Column("tool_calls", sa.JSON, nullable=False),
    sa.Column("tools_used", sa.JSON, nullable=False),
    sa.Column("tokens_in", sa.Integer, nullable=False),
    sa.Column("tokens_out", sa.Integer, nullable=False),
    sa.Column("try_number", sa.Integer, nullable=False),
    sa.Column("offered", sa.Boolean, nullable=False),
    sa.Column("accepted", sa.Boolean, nullable=True),
    sa.Column("next_apply_ok", sa.Boolean, nullable=True),
    sa.Column("extra", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Index("ix_fix_attempts_repo_change_id", "repo", "change_id"),
)

# The GitHub App's webhook deliveries, queued for the workers (bot/adapters/jobqueue.py).
jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # GitHub redelivers with the same id: the unique constraint, not a lookup, makes a redelivery a no-op.
    sa.Column("delivery_id", NulFreeText, nullable=False, unique=True),
    sa.Column("event", NulFreeText, nullable=False),
    sa.Column("action", NulFreeText, nullable=False),
    sa.Column("installation_id", sa.BigInteger, nullable=True),
    sa.Column("repo", NulFreeText, nullable=True),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("status", NulFreeText, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("run_after", UtcDateTime, nullable=False),
    sa.Column("locked_by", NulFreeText, nullable=True),
    # The lease: a worker that dies leaves it to expire, and the job becomes claimable again.
    sa.Column("locked_until", UtcDateTime, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("finished_at", UtcDateTime, nullable=True),
    sa.Column("last_error", NulFreeText, nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
    # What a claim searches: queued jobs that are due, and running ones whose lease ran out.
    sa.Index(None, "status", "run_after"),
)
