"""A store seeded with one of everything the dashboard shows, hostile text included, for its page and browser tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.adapters import sqlschema as t
from bot.adapters.sqlstore import SqlStore
from bot.domain.drift import DriftCheck, DriftStatus
from bot.domain.fixes.attempts import FixAttempt, FixKind, Verification
from bot.domain.interactions import InteractionRecord
from bot.domain.interpretation import ToolCallRecord, Usage
from bot.domain.records import PlanRecord

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
HOSTILE = '<script>alert("owned")</script>'
REPO = "infra-repo"
AUDIT_ENTRIES = 30  # more than one page of 10


def seed(store: SqlStore, now: datetime = NOW) -> None:
    """Runs over three days (one failed, one with step timings), a lock, a plan, audit entries by two people (one
    with a hostile login), drift checks, a model interaction and fix attempts in two classes."""
    for days_ago, result, seconds in ((2, "ok", 30), (1, "failed: web", 50), (0, "ok", 40)):
        run = store.start_run("infra/add-bucket", "plan", "alice", "a1b2c3d4e5f6a7b8")
        store.finish_run(run, result, {"steps": {"init": 3.5, "plan": 30.25}} if days_ago == 0 else {})
        started = now - timedelta(days=days_ago, hours=1)
        with store.engine.begin() as connection:  # the store stamps its own clock's time; these runs are older
            connection.execute(
                t.runs.update()
                .where(t.runs.c.id == run)
                .values(started_at=started, ended_at=started + timedelta(seconds=seconds))
            )
    store.start_run(HOSTILE, "apply", HOSTILE, "ffffffffffffffff")  # still going
    store.acquire_lock(REPO, "infra/aws/envs/dev", "default", "infra/add-bucket")
    store.save_plan(
        PlanRecord(
            change_id="infra/add-bucket",
            project="envs-dev",
            workspace="default",
            commit="a1b2c3d4e5f6a7b8",
            plan_path="/tmp/plan.bin",
            plan_json_path="/tmp/plan.json",
            sha256="0" * 64,
            counts={"add": 2, "change": 1, "destroy": 0},
            created_at=now - timedelta(minutes=5),
        )
    )
    for n in range(AUDIT_ENTRIES):
        actor = "alice" if n % 2 else "bob"
        result = "ok" if n % 3 else "failed: the plan of envs-dev failed"
        at = now - timedelta(minutes=AUDIT_ENTRIES - n)
        store.audit(actor, "plan" if n % 5 else "approve", {"change": f"infra/c{n}"}, at, at, result)
    store.audit(HOSTILE, "unlock", {"branch": HOSTILE}, now, now, HOSTILE)
    store.record_drift_check(
        DriftCheck(
            REPO,
            "envs-dev",
            now - timedelta(hours=1),
            DriftStatus.DRIFTED,
            {"changed": 2, "deleted": 1},
            since=now - timedelta(days=1),
        )
    )
    store.record_drift_check(DriftCheck(REPO, "envs-prod", now - timedelta(hours=1), DriftStatus.CLEAN))
    store.record_interaction(
        InteractionRecord(
            door="cli",
            who="alice",
            where=REPO,
            request="create a bucket named logs " + HOSTILE,
            backend="api",
            model="claude-sonnet-4-5",
            system_prompt_sha256="0" * 64,
            outcome="proposed",
            reply="",
            commands=("/infra create bucket logs",),
            calls=(ToolCallRecord("aws_s3_bucket", {"name": "logs"}, True),),
            usage=Usage(input_tokens=1200, output_tokens=300),
            seconds=2.5,
            model_seconds=2.0,
            cost_usd=0.0081,
        )
    )
    for failure_class, verification in (
        ("bucket-name-taken", Verification.PASSED),
        ("bucket-name-taken", Verification.FAILED),
        ("invalid-instance-type", Verification.PASSED),
    ):
        store.record_fix_attempt(
            FixAttempt(
                repo=REPO,
                change_id="infra/add-bucket",
                project="envs-dev",
                step="apply",
                failure_class=failure_class,
                root_cause="the name is taken " + HOSTILE,
                kind=FixKind.PATCH,
                verification=verification,
                created_at=now - timedelta(minutes=1),
                offered=verification is Verification.PASSED,
            )
        )
