"""The evaluation store keeps every fix attempt, masks secrets in what it keeps, and adds outcomes later; the
figures per failure class come out of it, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.adapters.sqlstore import SqlStore
from bot.domain.fixes.attempts import FixAttempt, FixKind, Verification, rates_by_class

AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
SECRET = "AKIAIOSFODNN7EXAMPLE"


def attempt(failure_class: str, verification: Verification, **more: object) -> FixAttempt:
    fields: dict[str, object] = {
        "repo": "acme/infra",
        "change_id": "acme/infra#7",
        "project": "infra/aws/envs/dev",
        "step": "apply",
        "failure_class": failure_class,
        "root_cause": "the bucket name is taken",
        "kind": FixKind.PATCH,
        "verification": verification,
        "created_at": AT,
    }
    fields.update(more)
    return FixAttempt(**fields)  # type: ignore[arg-type]


def exercise(store: SqlStore) -> None:
    """Three attempts in two repositories, an outcome added, then read back and counted."""
    first = store.record_fix_attempt(
        attempt(
            "name-taken",
            Verification.PASSED,
            patch=f'-  bucket_name = "logs"\n+  bucket_name = "logs-2"\n# key {SECRET}',
            tool_calls=({"name": "update_resource", "arguments": {"token": SECRET}},),
            tools_used=("read_file", "show_plan"),
            tokens_in=1200,
            tokens_out=300,
            offered=True,
        )
    )
    store.record_fix_attempt(attempt("name-taken", Verification.FAILED, try_number=2, verification_detail="plan"))
    store.record_fix_attempt(attempt("state-locked", Verification.NOT_RUN, kind=FixKind.NONE, repo="acme/other"))
    assert store.mark_fix_outcome(first, accepted=True, next_apply_ok=True)
    assert not store.mark_fix_outcome(first + 100, accepted=True)

    kept = store.fix_attempts("acme/infra")
    assert [a.try_number for a in kept] == [2, 1]  # newest first
    verified = kept[1]
    assert SECRET not in verified.patch and SECRET not in str(verified.tool_calls)
    assert verified.tools_used == ("read_file", "show_plan")
    assert (verified.tokens_in, verified.tokens_out) == (1200, 300)
    assert (verified.offered, verified.accepted, verified.next_apply_ok) == (True, True, True)
    assert verified.created_at == AT and verified.id == first

    rates = rates_by_class(store.fix_attempts())
    assert [(r.failure_class, r.attempts, r.verified, r.accepted, r.applied) for r in rates] == [
        ("name-taken", 2, 1, 1, 1),
        ("state-locked", 1, 0, 0, 0),
    ]
    assert rates[0].success_rate == 0.5
    # The database counts the same figures (what the dashboard shows), of every repository, of one, of the latest.
    assert store.fix_rates() == rates
    assert store.fix_rates("acme/other") == rates_by_class(store.fix_attempts("acme/other"))
    assert store.fix_rates(limit=2) == rates_by_class(store.fix_attempts(limit=2))
    assert [r.failure_class for r in store.fix_rates(limit=2)] == ["name-taken", "state-locked"]


def test_attempts_are_kept_masked_and_counted_per_class(store_url: str) -> None:
    with SqlStore.open(store_url) as store:
        exercise(store)
