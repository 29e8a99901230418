"""The store's approvals (sealed, so a row written behind its back is not trusted) and the pushes to each branch."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.adapters import sqlschema as t
from bot.adapters.sql_policy_approvals import policy_approval_insert, policy_approvals_at
from bot.adapters.store_engine import is_unique_violation
from bot.domain.records import ApprovalRecord, PolicyApprovalRecord, PushRecord
from bot.domain.seals import seal, seal_holds


class ApprovalsAndPushes:
    """SqlStore's part for approvals, policy approvals and pushes: each recorded once (a unique row guards it)."""

    engine: Engine
    _record_key: bytes

    # --- approvals --------------------------------------------------------------------------------------

    def record_approval(self, change_id: str, commit: str, user: str, at: datetime) -> bool:
        """Record that user approved the change at commit; False when that approval was already recorded."""
        sealed = seal(self._record_key, "approval", change_id, commit, user, at.astimezone(UTC).isoformat())
        return self._insert_once(
            t.approvals.insert().values(
                change_id=change_id, commit_sha=commit, approver=user, approved_at=at, seal=sealed
            )
        )

    def approvals_for(self, change_id: str, commit: str | None = None) -> list[ApprovalRecord]:
        """A change's approvals, oldest first; only those at commit when one is given."""
        query = sa.select(t.approvals).where(t.approvals.c.change_id == change_id)
        if commit is not None:
            query = query.where(t.approvals.c.commit_sha == commit)
        query = query.order_by(t.approvals.c.approved_at, t.approvals.c.id)
        with self.engine.connect() as connection:
            return [
                ApprovalRecord(
                    change_id=row.change_id,
                    commit=row.commit_sha,
                    user=row.approver,
                    at=row.approved_at,
                    trusted=seal_holds(
                        self._record_key,
                        row.seal,
                        "approval",
                        row.change_id,
                        row.commit_sha,
                        row.approver,
                        row.approved_at.isoformat(),
                    ),
                )
                for row in connection.execute(query)
            ]

    def record_policy_approval(self, change_id: str, policy_set: str, commit: str, user: str, at: datetime) -> bool:
        """Record that user approved a policy set's failures at commit; False when it was recorded already."""
        return self._insert_once(policy_approval_insert(self._record_key, change_id, policy_set, commit, user, at))

    def policy_approvals_for(self, change_id: str, commit: str) -> list[PolicyApprovalRecord]:
        """The policy approvals of a change at commit, oldest first, each marked untrusted when its seal fails."""
        return policy_approvals_at(self.engine, self._record_key, change_id, commit)

    # --- pushes -----------------------------------------------------------------------------------------

    def record_push(self, push: PushRecord, delivery_id: str) -> bool:
        """Remember who moved a branch to a commit; False when this delivery recorded it already."""
        return self._insert_once(
            t.pushes.insert().values(
                repo=push.repo,
                branch=push.branch,
                head_sha=push.head,
                pusher=push.pusher,
                change_id=push.change_id,
                created=push.created,
                delivery_id=delivery_id,
                pushed_at=push.at,
            )
        )

    def _insert_once(self, insert: sa.Insert) -> bool:
        """Run an insert a unique constraint guards; False when the row was there already."""
        try:
            with self.engine.begin() as connection:
                connection.execute(insert)
        except IntegrityError as error:
            if not is_unique_violation(error):
                raise
            return False
        return True

    def pushes_for(self, repo: str, branch: str, change_id: str) -> list[PushRecord]:
        """Pushes to the change: those its pull request's events named, and those to its branch since the branch
        was last created (a branch of the same name deleted before belonged to another change); oldest first."""
        to_branch = sa.and_(t.pushes.c.repo == repo, t.pushes.c.branch == branch)
        with self.engine.connect() as connection:
            since = connection.execute(
                sa.select(sa.func.max(t.pushes.c.id)).where(to_branch, t.pushes.c.created.is_(True))
            ).scalar_one()
            query = (
                sa.select(t.pushes)
                .where(sa.or_(t.pushes.c.change_id == change_id, sa.and_(to_branch, t.pushes.c.id >= (since or 0))))
                .order_by(t.pushes.c.id)
            )
            return [
                PushRecord(
                    repo=row.repo,
                    branch=row.branch,
                    head=row.head_sha,
                    pusher=row.pusher,
                    change_id=row.change_id,
                    created=row.created,
                    at=row.pushed_at,
                )
                for row in connection.execute(query)
            ]
