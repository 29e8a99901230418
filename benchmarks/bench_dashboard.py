"""Benchmark: the dashboard's pages over 100,000 audit entries and 10,000 runs in PostgreSQL (goal p95 ≤ 200 ms).

Issue 13's figure. A throw-away PostgreSQL database is migrated by the store itself and seeded with bulk inserts
into the real tables (several repositories and people, every kind of action, failures among the results, runs with
step timings, saved plans, model interactions, fix attempts, locks and drift checks) spread over the last 30 days.
The dashboard (`dashboard_app`, what `olympus dashboard` serves) then runs under uvicorn in a subprocess on
127.0.0.1, and every page is fetched over real HTTP: warm-up requests first, then N timed GETs each (the time to
the last byte of the page; for /events, to the first message of the stream). Each page's p50/p95/max is printed;
the script exits 1 when any p95 is over the goal. Before the pages are timed, PostgreSQL's plan of each page's
queries is read (EXPLAIN) and none may be a sequential scan of audit_log or runs.

    .venv/bin/python benchmarks/bench_dashboard.py [--audit 100000] [--runs 10000] [--requests 50]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

(From a worktree put it first, `PYTHONPATH=$PWD`, or the editable install's `bot` is timed.)
"""

from __future__ import annotations

import argparse
import math
import os
import random
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.adapters import sqlschema as t  # noqa: E402
from bot.adapters.sqlstore import SqlStore  # noqa: E402
from bot.domain.dashboard import AuditFilter, within  # noqa: E402

P95_GOAL_MS = 200.0
DAYS = 30
WARM_UP = 5
REPOS = ("acme/infra", "acme/platform", "acme/data-lake", "acme/edge")
# People, the first ones far busier than the last (as in any team); the bot's own login acts too.
ACTORS = (
    "olympus[bot]",
    "alice",
    "bob",
    "carol",
    "dmitri",
    "erin",
    "farah",
    "gustavo",
    "hana",
    "ivan",
    "jules",
    "kenji",
    "lena",
    "mateo",
    "nadia",
    "omar",
    "priya",
    "quinn",
    "rosa",
    "sven",
)
# Audited actions and how often each happens.
ACTIONS = {
    "plan": 30,
    "propose": 10,
    "interpret": 10,
    "approve": 8,
    "apply": 8,
    "release-locks": 8,
    "merge": 5,
    "drift": 6,
    "argocd-sync": 4,
    "plan-apps": 4,
    "approve_policies": 2,
    "unlock": 2,
    "action-plan": 2,
    "fix-drift": 1,
}
# What actions end with: mostly ok, a few refusals and failures (the audit page's "failed" filter is the rarer one).
AUDIT_RESULTS = {
    "ok": 920,
    "refused: the plan is older than the head commit": 25,
    "failed: the plan of envs-prod failed": 25,
    "lock held by acme/infra#41": 15,
    "RuntimeError: terraform init timed out after 600 s": 10,
    "failed": 5,
}
RUN_COMMANDS = {"plan": 55, "plan-checks": 20, "propose": 12, "plan-apps": 8, "apply": 5}
RUN_RESULTS = {"ok": 800, "completed": 70, "unchanged": 40, "failed: envs-prod": 70, "interrupted": 20}
PROJECTS = ("envs-dev", "envs-staging", "envs-prod", "network", "iam", "dns", "eks", "rds", "s3-logs", "monitoring")
FAILURE_CLASSES = {
    "bucket-name-taken": 30,
    "invalid-instance-type": 20,
    "missing-iam-permission": 20,
    "quota-exceeded": 10,
    "provider-version-conflict": 10,
    "state-lock-timeout": 10,
}


@dataclass(frozen=True)
class Sizes:
    """How many rows of each table the seeding writes."""

    audit: int = 100_000
    runs: int = 10_000
    plans: int = 2_000
    interactions: int = 2_000
    fix_attempts: int = 1_000
    locks: int = 40

    @classmethod
    def scaled(cls, audit: int, runs: int) -> Sizes:
        """The other tables in the same proportion to the audit log as at full size (at least a few rows each)."""
        share = audit / cls.audit
        return cls(audit, runs, *(max(3, round(n * share)) for n in (cls.plans, cls.interactions, cls.fix_attempts)))


def _weighted(rng: random.Random, weights: dict[str, int], count: int) -> list[str]:
    return rng.choices(list(weights), list(weights.values()), k=count)


def _times(rng: random.Random, now: datetime, count: int) -> list[datetime]:
    """count instants over the last DAYS days, oldest first (ids then grow with time, as the store's do)."""
    span = DAYS * 86_400
    return sorted(now - timedelta(seconds=rng.uniform(60, span)) for _ in range(count))


def _actors(rng: random.Random, count: int) -> list[str]:
    return rng.choices(ACTORS, [1 / (rank + 1) for rank in range(len(ACTORS))], k=count)


def _sha(rng: random.Random) -> str:
    return f"{rng.getrandbits(160):040x}"


def _params(rng: random.Random, action: str) -> dict[str, Any]:
    repo = rng.choice(REPOS)
    change = f"{repo}#{rng.randint(1, 900)}"
    if action in {"plan", "apply", "merge", "plan-apps"}:
        return {"change": change, "commit": _sha(rng)[:12]}
    if action in {"propose", "interpret"}:
        command = f"/infra create bucket logs-{rng.randint(1, 99)}"
        return {"repo": repo, "issue": rng.randint(1, 900), "command": command}
    if action == "release-locks":
        return {"change": change, "why": "pull request closed"}
    if action == "drift":
        return {"commit": _sha(rng)[:12]}
    return {"branch": change, "project": rng.choice(PROJECTS)}


def _insert(connection: sa.Connection, table: sa.Table, rows: Iterator[dict[str, Any]], chunk: int = 5_000) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == chunk:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)


def seed(engine: sa.Engine, sizes: Sizes, now: datetime, seed_value: int = 13) -> None:
    """Fill the store's tables (already migrated, empty) with realistic rows over the last DAYS days."""
    rng = random.Random(seed_value)
    with engine.begin() as connection:
        _insert(connection, t.audit_log, _audit_rows(rng, sizes.audit, now))
        _insert(connection, t.runs, _run_rows(rng, sizes.runs, now))
        _insert(connection, t.plans, _plan_rows(rng, sizes.plans, now))
        _insert(connection, t.model_interactions, _interaction_rows(rng, sizes.interactions, now))
        _insert(connection, t.fix_attempts, _fix_rows(rng, sizes.fix_attempts, now))
        _insert(connection, t.locks, _lock_rows(rng, sizes.locks, now))
        _insert(connection, t.drift_checks, _drift_rows(rng, now))


def _audit_rows(rng: random.Random, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    actions = _weighted(rng, ACTIONS, count)
    results = _weighted(rng, AUDIT_RESULTS, count)
    rows = zip(_times(rng, now, count), _actors(rng, count), actions, results, strict=True)
    for started, actor, action, result in rows:
        yield {
            "actor": actor,
            "action": action,
            "params": _params(rng, action),
            "started_at": started,
            "ended_at": started + timedelta(seconds=rng.uniform(0.05, 90)),
            "result": result,
        }


def _run_rows(rng: random.Random, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    commands = _weighted(rng, RUN_COMMANDS, count)
    results = _weighted(rng, RUN_RESULTS, count)
    for n, (started, actor) in enumerate(zip(_times(rng, now, count), _actors(rng, count), strict=True)):
        command = commands[n]
        running = n >= count - 3  # the newest few are still going
        steps = {"init": round(rng.uniform(1, 8), 2), "plan": round(rng.uniform(5, 120), 2)}
        steps["show"] = round(rng.uniform(0.5, 4), 2)
        projects = rng.sample(PROJECTS, rng.randint(1, 3))
        detail = {"projects": projects, "steps": steps} if command == "plan" else {"projects": projects}
        yield {
            "change_id": f"{rng.choice(REPOS)}#{rng.randint(1, 900)}",
            "command": command,
            "actor": actor,
            "commit_sha": _sha(rng),
            "started_at": started,
            "ended_at": None if running else started + timedelta(seconds=sum(steps.values()) + rng.uniform(0.5, 5)),
            "result": None if running else results[n],
            "detail": None if running else detail,
        }


def _plan_rows(rng: random.Random, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    for created in _times(rng, now, count):
        change = f"{rng.choice(REPOS)}#{rng.randint(1, 900)}"
        project = rng.choice(PROJECTS)
        failures = [{"policy_set": "cost", "message": "instance too large"}] if rng.random() < 0.05 else []
        yield {
            "change_id": change,
            "project": project,
            "workspace": "default",
            "commit_sha": _sha(rng),
            "plan_path": f"/var/lib/olympus/plans/{project}.tfplan",
            "plan_json_path": f"/var/lib/olympus/plans/{project}.json",
            "sha256": f"{rng.getrandbits(256):064x}",
            "counts": {"add": rng.randint(0, 12), "change": rng.randint(0, 5), "destroy": rng.randint(0, 2)},
            "created_at": created,
            "base_ref": "main",
            "policy_failures": failures,
            "seal": None,
        }


def _interaction_rows(rng: random.Random, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    for at, who in zip(_times(rng, now, count), _actors(rng, count), strict=True):
        name = f"logs-{rng.randint(1, 999)}"
        ok = rng.random() > 0.1
        yield {
            "at": at,
            "door": rng.choice(("cli", "github")),
            "who": who,
            "place": rng.choice(REPOS),
            "request": f"create a private bucket named {name} in eu-west-1 with versioning",
            "backend": "api",
            "model": "claude-sonnet-4-5",
            "system_prompt_sha256": "0" * 64,
            "outcome": "proposed" if ok else "declined",
            "reply": "" if ok else "I can only create buckets and queues.",
            "commands": [f"/infra create bucket {name} region=eu-west-1"] if ok else [],
            "calls": [{"name": "aws_s3_bucket", "arguments": {"name": name}, "ok": ok, "error": None}],
            "usage": {"input_tokens": rng.randint(900, 3000), "output_tokens": rng.randint(80, 600)},
            "seconds": rng.uniform(1, 8),
            "model_seconds": rng.uniform(0.8, 6),
            "cost_usd": rng.uniform(0.002, 0.03),
        }


def _fix_rows(rng: random.Random, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    for created in _times(rng, now, count):
        verification = rng.choices(("passed", "failed", "refused", "not_run"), (60, 25, 5, 10))[0]
        passed = verification == "passed"
        yield {
            "repo": rng.choice(REPOS),
            "change_id": f"{rng.choice(REPOS)}#{rng.randint(1, 900)}",
            "project": rng.choice(PROJECTS),
            "step": rng.choice(("plan", "apply")),
            "failure_class": _weighted(rng, FAILURE_CLASSES, 1)[0],
            "root_cause": "the bucket name is already taken in another account",
            "kind": "none" if verification == "not_run" else "patch",
            "verification": verification,
            "verification_detail": "" if passed else "terraform validate: 1 error",
            "patch": '--- a/main.tf\n+++ b/main.tf\n@@ -1 +1 @@\n-  bucket = "logs"\n+  bucket = "logs-acme"\n',
            "tool_calls": [],
            "tools_used": ["read_file", "terraform_validate"],
            "tokens_in": rng.randint(2000, 12000),
            "tokens_out": rng.randint(200, 1500),
            "try_number": rng.randint(1, 3),
            "offered": passed,
            "accepted": (rng.random() < 0.7) if passed else None,
            "next_apply_ok": (rng.random() < 0.9) if passed else None,
            "extra": {},
            "created_at": created,
        }


def _lock_rows(rng: random.Random, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    places = sorted({(repo, f"{project}", ws) for repo in REPOS for project in PROJECTS for ws in ("default", "blue")})
    for repo, project, workspace in rng.sample(places, min(count, len(places))):
        yield {
            "repo": repo,
            "dir": f"infra/{project}",
            "workspace": workspace,
            "holder": f"{repo}#{rng.randint(1, 900)}",
            "acquired_at": now - timedelta(minutes=rng.randint(1, 3000)),
        }


def _drift_rows(rng: random.Random, now: datetime) -> Iterator[dict[str, Any]]:
    for repo in REPOS:
        for project in PROJECTS:
            status = rng.choices(("clean", "drifted", "unapplied", "error"), (70, 15, 10, 5))[0]
            drifted = status == "drifted"
            yield {
                "repo": repo,
                "project": project,
                "checked_at": now - timedelta(hours=rng.randint(1, 24)),
                "status": status,
                "detail": {"changed": rng.randint(1, 4), "deleted": rng.randint(0, 1)} if drifted else {},
                "since": now - timedelta(days=rng.randint(1, 9)) if drifted else None,
                "issue_number": rng.randint(100, 400) if drifted and rng.random() < 0.5 else None,
            }


# --- the pages ----------------------------------------------------------------------------------------------------


def page_paths(engine: sa.Engine) -> list[tuple[str, str]]:
    """(label, path) of every page timed: each page once, the filters, and pages deep in the history."""
    with engine.connect() as connection:
        first_run, runs = connection.execute(
            sa.select(sa.func.min(t.runs.c.id), sa.func.count()).select_from(t.runs)
        ).one()
        first_audit, entries = connection.execute(
            sa.select(sa.func.min(t.audit_log.c.id), sa.func.count()).select_from(t.audit_log)
        ).one()
        actor = connection.execute(  # a person of middling activity: their entries are spread thin over the log
            sa.select(t.audit_log.c.actor).where(t.audit_log.c.actor == ACTORS[6]).limit(1)
        ).scalar()
    deep_run = first_run + max(1, runs // 10)  # 90 % of the way back
    deep_audit = first_audit + max(1, entries // 10)
    return [
        ("overview", "/"),
        ("runs", "/runs"),
        ("runs, deep page", f"/runs?before={deep_run}"),
        ("locks", "/locks"),
        ("plans", "/plans"),
        ("audit", "/audit"),
        ("audit by actor", f"/audit?actor={actor or ACTORS[1]}"),
        ("audit by action", "/audit?action=unlock"),
        ("audit result=failed", "/audit?result=failed"),
        ("audit, deep page", f"/audit?before={deep_audit}"),
        ("audit failed, deep page", f"/audit?result=failed&before={deep_audit}"),
        ("drift", "/drift"),
        ("interactions", "/interactions"),
        ("fixes", "/fixes"),
    ]


def first_event_ms(client: httpx.Client) -> float:
    """Open /events, read until its first message, close it: milliseconds to that message."""
    started = time.perf_counter()
    with client.stream("GET", "/events", headers={"Accept": "text/event-stream"}) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line.startswith("data:"):
                return (time.perf_counter() - started) * 1000
    raise RuntimeError("/events ended without a message")


def get_ms(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    took = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or "</html>" not in response.text:
        raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]!r}")
    return took


def walk(
    base: str,
    paths: Sequence[tuple[str, str]],
    requests: int,
    change: Callable[[int], None],
    warm_up: int = WARM_UP,
) -> dict[str, list[float]]:
    """Milliseconds of each of `requests` GETs per page (after warm_up untimed ones), of the overview just after the
    store changed (what a live update fetches: its charts' figures are new), and of the first SSE message."""
    timings: dict[str, list[float]] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        pages: list[tuple[str, Callable[[int], float]]] = [
            (label, lambda n, path=path: get_ms(client, path)) for label, path in paths
        ]
        pages.append(("overview, after a change", lambda n: (change(n), get_ms(client, "/"))[1]))
        pages.append(("events, first message", lambda n: first_event_ms(client)))
        for label, fetch in pages:
            for n in range(warm_up):
                fetch(-1 - n)
            timings[label] = [fetch(n) for n in range(requests)]
    return timings


def a_change(engine: sa.Engine) -> Callable[[int], None]:
    """What happens between two live updates: a plan run finishes and is audited (today's chart figures move)."""

    def change(n: int) -> None:
        now = datetime.now(UTC)
        started = now - timedelta(seconds=30 + n % 50)
        with engine.begin() as connection:
            connection.execute(
                t.runs.insert().values(
                    change_id="acme/infra#901",
                    command="plan",
                    actor="alice",
                    commit_sha="f" * 40,
                    started_at=started,
                    ended_at=now,
                    result="ok",
                    detail={"projects": ["envs-dev"], "steps": {"init": 2.0, "plan": 25.0}},
                )
            )
            connection.execute(
                t.audit_log.insert().values(
                    actor="alice",
                    action="plan",
                    params={"change": "acme/infra#901"},
                    started_at=started,
                    ended_at=now,
                    result="ok",
                )
            )

    return change


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0


# --- the query plans ---------------------------------------------------------------------------------------------


# A count reads every row by definition (PostgreSQL keeps no row count): the overview's counts and each live update's
# tick are one such query, timed below rather than held to "no sequential scan".
COUNTS = "store counts"
# No index is added for the audit log's "failed" filter (`result NOT IN ('ok', 'completed', 'unchanged')`): the page
# walks the primary key backwards and keeps the failed entries, about 1 in 12 here, so a page of 50 reads ~600 rows
# (well under a millisecond). Were failures far rarer, a partial index would keep that walk short:
#     CREATE INDEX ix_audit_log_failed_id ON audit_log (id) WHERE result NOT IN ('ok', 'completed', 'unchanged')
# (SQLite has partial indexes too; the query must then name the same three results, as it does).


def store_reads(
    store: SqlStore, now: datetime, deep_audit: int, deep_run: int
) -> list[tuple[str, Callable[[], object]]]:
    """The store's reads behind the pages, with the arguments the pages pass."""
    return [
        ("runs page", lambda: store.runs_page(51)),
        ("runs, deep page", lambda: store.runs_page(51, before=deep_run)),
        ("run times, 14 days", lambda: store.run_times(within(now, 14))),
        ("audit page", lambda: store.audit_page(limit=51)),
        ("audit, deep page", lambda: store.audit_page(limit=51, before=deep_audit)),
        ("audit by actor", lambda: store.audit_page(AuditFilter(actor=ACTORS[6]), limit=51)),
        ("audit by a rare actor", lambda: store.audit_page(AuditFilter(actor=ACTORS[-1]), limit=51)),
        ("audit by action", lambda: store.audit_page(AuditFilter(action="unlock"), limit=51)),
        ("audit failed", lambda: store.audit_page(AuditFilter(result="failed"), limit=51)),
        ("audit failed, deep", lambda: store.audit_page(AuditFilter(result="failed"), limit=51, before=deep_audit)),
        (COUNTS, store.store_counts),
        ("fix rates, latest 1000", lambda: store.fix_rates(limit=1000)),
        ("fix attempts, 50", lambda: store.fix_attempts(limit=50)),
        ("recent plans", lambda: store.recent_plans(50)),
        ("interactions", lambda: store.interactions(50)),
        ("locks", store.locks),
    ]


def page_statements(store: SqlStore, reads: Sequence[tuple[str, Callable[[], object]]]) -> list[tuple[str, str, Any]]:
    """(label, SQL, parameters) of each read, as the store sends them."""
    sent: list[tuple[str, Any]] = []

    def keep(connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        sent.append((statement, parameters))

    statements = []
    sa.event.listen(store.engine, "before_cursor_execute", keep)
    try:
        for label, read in reads:
            sent.clear()
            read()
            statements += [(label, statement, parameters) for statement, parameters in sent]
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", keep)
    return statements


def read_ms(reads: Sequence[tuple[str, Callable[[], object]]], runs: int = 11) -> dict[str, float]:
    """Each read's median time in this process, rows turned into records included."""
    medians = {}
    for label, read in reads:
        took = []
        for _ in range(runs):
            started = time.perf_counter()
            read()
            took.append((time.perf_counter() - started) * 1000)
        medians[label] = percentile(took, 0.5)
    return medians


def explain(engine: sa.Engine, statements: Sequence[tuple[str, str, Any]]) -> list[tuple[str, list[str]]]:
    """Each statement's plan (EXPLAIN ANALYZE), as lines."""
    plans = []
    with engine.connect() as connection:
        for label, statement, parameters in statements:
            rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS OFF) " + statement, parameters)
            plans.append((label, [row[0] for row in rows]))
    return plans


def full_scans(plans: Sequence[tuple[str, list[str]]]) -> list[str]:
    """The queries (the counts aside) whose plan reads the whole audit_log or runs table."""
    return [
        label
        for label, lines in plans
        if label != COUNTS and any("Seq Scan on audit_log" in line or "Seq Scan on runs" in line for line in lines)
    ]


# --- serving ------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(url: str, port: int) -> int:
    """The subprocess: the dashboard over the store at url, on 127.0.0.1:port, until killed."""
    import uvicorn

    from bot.entrypoints.dashboard import dashboard_app

    store = SqlStore.open(url)
    uvicorn.run(dashboard_app(store, REPOS), host="127.0.0.1", port=port, log_level="warning")
    return 0


@contextmanager
def dashboard_server(url: str) -> Iterator[str]:
    """The dashboard served in a subprocess on a free loopback port; its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", url, "--port", str(port)], env=environment, stdin=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the dashboard server exited with {server.returncode}")
            try:
                httpx.get(f"{base}/locks", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the dashboard server did not answer in 60 s") from None
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def throwaway_database(admin_url: str) -> Iterator[str]:
    """A new PostgreSQL database next to admin_url's, dropped afterwards; its URL."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    name = f"olympus_bench_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class Measured:
    """What one benchmark run found."""

    seed_seconds: float
    plans: list[tuple[str, list[str]]]
    reads_ms: dict[str, float]
    timings: dict[str, list[float]]


def measure(url: str, sizes: Sizes, requests: int, warm_up: int = WARM_UP) -> Measured:
    """Migrate and seed the empty database at url, read the query plans, serve the pages and time them."""
    now = datetime.now(UTC)
    with SqlStore.open(url) as store:
        started = time.perf_counter()
        seed(store.engine, sizes, now)
        if store.engine.dialect.name == "postgresql":
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum does after a bulk load
        seed_seconds = time.perf_counter() - started
        paths = page_paths(store.engine)
        deep_run = int(paths[2][1].rsplit("=", 1)[1])
        deep_audit = int(paths[9][1].rsplit("=", 1)[1])
        reads = store_reads(store, now, deep_audit, deep_run)
        plans = (
            explain(store.engine, page_statements(store, reads)) if store.engine.dialect.name == "postgresql" else []
        )
        reads_ms = read_ms(reads)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with dashboard_server(url) as base:
            timings = walk(base, paths, requests, a_change(engine), warm_up)
    finally:
        engine.dispose()
    return Measured(seed_seconds, plans, reads_ms, timings)


def report(measured: Measured, sizes: Sizes) -> bool:
    print(
        f"seeded {sizes.audit:,} audit entries, {sizes.runs:,} runs, {sizes.plans:,} plans, "
        f"{sizes.interactions:,} model interactions, {sizes.fix_attempts:,} fix attempts, {sizes.locks} locks, "
        f"{len(REPOS) * len(PROJECTS)} drift checks over {DAYS} days in {measured.seed_seconds:.1f} s"
    )
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(
        "\nthe store's reads: median in this process (as in the server), PostgreSQL's execution time, the plan's scans"
    )
    for label, lines in measured.plans:
        scans = sorted({line.strip().lstrip("-> ").split("  (")[0] for line in lines if " Scan " in line})
        executed = next((line.split(": ")[1] for line in lines if line.startswith("Execution Time")), "")
        print(f"  {label:24} {measured.reads_ms.get(label, 0):6.1f} ms  {executed:>10}  {'; '.join(scans)}")
    scanned = full_scans(measured.plans)
    print(f"  sequential scans of audit_log or runs: {', '.join(scanned) if scanned else 'none'}")
    print(f"\n{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}   (n={len(next(iter(measured.timings.values())))})")
    worst = 0.0
    for label, values in measured.timings.items():
        p95 = percentile(values, 0.95)
        worst = max(worst, p95)
        print(f"{label:28} {percentile(values, 0.5):8.1f} {p95:8.1f} {max(values):8.1f}")
    met = worst <= P95_GOAL_MS and not scanned
    print(
        f"\nworst p95 {worst:.1f} ms; goal p95 ≤ {P95_GOAL_MS:g} ms on every page, no full scan: "
        f"{'met' if met else 'NOT met'}"
    )
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audit", type=int, default=Sizes.audit)
    parser.add_argument("--runs", type=int, default=Sizes.runs)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("OLYMPUS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
        help="an administrative URL; a throw-away database is created next to it and dropped afterwards",
    )
    parser.add_argument("--serve", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        return serve(options.serve, options.port)
    sizes = Sizes.scaled(options.audit, options.runs)
    with throwaway_database(options.postgres_url) as url:
        measured = measure(url, sizes, options.requests)
    return 0 if report(measured, sizes) else 1


if __name__ == "__main__":
    sys.exit(main())
