"""A store seeded with one of everything the dashboard shows, hostile text included, for its page and browser tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.adapters import sqlschema as t
from bot.adapters.jobqueue import JobQueue, NewJob
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


# Step timings as runs record them: today's in an older run's shape (one group), yesterday's as plan_change
# records them now (the scanners for the run, then each project's steps; a project name that is hostile text).
STEP_DETAILS = {
    0: {"steps": {"init": 3.5, "plan": 30.25}},
    1: {
        "steps": {"checkov": 2.25, "trivy": 1.0},
        "projects": {"web": {"init": 1.5, "plan": 12.0, "show": 0.5, "policies": 0.125}, HOSTILE: {"init": 0.25}},
    },
}
# A token in a job's error, as an exception message may quote one: the queue page must never show it.
JOB_TOKEN = "ghp_" + "A1b2" * 9


def seed(store: SqlStore, now: datetime = NOW) -> None:
    """Runs over three days (one failed, two with step timings), a lock, a plan, audit entries by two people (one
    with a hostile login), drift checks, a model interaction, fix attempts in two classes and the queue's jobs."""
    for days_ago, result, seconds in ((2, "ok", 30), (1, "failed: web", 50), (0, "ok", 40)):
        run = store.start_run("infra/add-bucket", "plan", "alice", "a1b2c3d4e5f6a7b8")
        store.finish_run(run, result, STEP_DETAILS.get(days_ago, {}))
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
    seed_jobs(store, now)


def seed_jobs(store: SqlStore, now: datetime = NOW) -> None:
    """Six webhook jobs through the real queue, in time order: two done (3 h and 30 min ago), one failed for good
    (2 h ago, hostile repository and error with a token), one stuck (its 15 min lease ended 5 min ago), one waiting
    for its retry (in 5 min) and one waiting for a worker (for 7 min)."""
    at = [now]
    queue = JobQueue(store.engine, clock=lambda: at[0])
    lease = timedelta(minutes=15)

    def received(minutes_ago: int, name: str, repo: str = REPO, event: str = "issue_comment") -> None:
        at[0] = now - timedelta(minutes=minutes_ago)
        queue.enqueue(NewJob(f"delivery-{name}", event, "created", 1, repo, {}))

    def claimed(minutes_later: float = 0) -> int:
        at[0] += timedelta(minutes=minutes_later)
        job = queue.claim("worker-1", lease)
        assert job is not None
        return job.id

    received(180, "done-early")
    queue.complete(claimed(), "worker-1")
    received(120, "failed", repo=HOSTILE, event="pull_request")
    job = claimed()
    at[0] += timedelta(minutes=1)
    queue.fail(job, "worker-1", f"RuntimeError: GitHub said {HOSTILE} to Bearer {JOB_TOKEN}", None)
    received(30, "done-late")
    job = claimed()
    at[0] += timedelta(minutes=1)
    queue.complete(job, "worker-1")
    received(20, "stuck")
    claimed()
    received(10, "retrying")
    queue.fail(claimed(), "worker-1", "TimeoutError", now + timedelta(minutes=5))
    received(7, "waiting")
