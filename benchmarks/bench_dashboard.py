"""Benchmark: the dashboard's pages over 100,000 audit entries and 10,000 runs in PostgreSQL (goal p95 ≤ 200 ms).

Issue 13's figure. A throw-away PostgreSQL database is migrated by the store itself and seeded with bulk inserts
into the real tables (several repositories and people, every kind of action, failures among the results, runs with
step timings, saved plans, model interactions, fix attempts, locks, drift checks and the job queue's deliveries)
spread over the last 30 days, each row naming its repository as the store writes it. The dashboard then runs under
uvicorn in a subprocess on 127.0.0.1, twice: as `olympus dashboard` serves it (every row) and as the App serves it
to a signed-in reader of 2 of the 4 repositories (every read `repo IN (...)`). Each time every page is fetched
over real HTTP: warm-up requests first, then N timed GETs each (the time to the last byte of the page; for
/events, to the first message of the stream). Each page's p50/p95/max and the server's CPU per request are printed;
the script exits 1 when any p95 is over the goal. Before the pages are timed, each of the store's reads behind them
(every row, and the reader's repositories) is timed and PostgreSQL's plan of it read (EXPLAIN ANALYZE): none but
the counts may be a sequential scan of audit_log or runs (benchmarks/dashboard_queries.py says why the counts are
left out). The rows are made by benchmarks/dashboard_rows.py.

    .venv/bin/python benchmarks/bench_dashboard.py [--audit 100000] [--runs 10000] [--requests 50]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
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

import httpx
import sqlalchemy as sa
from fastapi import FastAPI, Request

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]  # this checkout's bot (not an installed one) and the modules beside this one

from dashboard_queries import explain, full_scans, page_statements, percentile, read_ms, store_reads  # noqa: E402
from dashboard_rows import ACTORS, DAYS, PROJECTS, REPOS, Sizes, seed  # noqa: E402

from bot.adapters import sqlschema as t  # noqa: E402
from bot.adapters.sqlstore import SqlStore  # noqa: E402
from bot.domain.dashboard_access import Reader  # noqa: E402
from bot.entrypoints.dashboard.access import PageRenderer  # noqa: E402

P95_GOAL_MS = 200.0
WARM_UP = 5
# The App's reader: signed in, reading 2 of the 4 repositories (half the rows), one of them with write.
READER_ROLES = {REPOS[0]: "write", REPOS[1]: "read"}
LOCAL, SCOPED = "local dashboard, every row", f"App, a reader of {len(READER_ROLES)} of {len(REPOS)} repositories"


class ReaderOfTwoRepos:
    """The benchmark's Access: every request is the same signed-in reader of READER_ROLES' repositories (what
    GitHubSignIn hands the pages once a session is checked; its cookie check and GitHub calls are not timed)."""

    def reader(self, request: Request) -> Reader:
        return Reader(login="bench-reader", roles=READER_ROLES, csrf="bench")

    def current_reader(self, request: Request) -> Reader:
        return self.reader(request)

    def routes(self, app: FastAPI, page: PageRenderer) -> None:
        return None


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
        ("queue", "/queue"),
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
    server_cpu: Callable[[], float],
    warm_up: int = WARM_UP,
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Milliseconds of each of `requests` GETs per page (after warm_up untimed ones), of the overview just after the
    store changed (what a live update fetches: its charts' figures are new), and of the first SSE message; and the
    server's CPU milliseconds per timed request of each (wall time on a busy machine counts the waits for a core)."""
    timings: dict[str, list[float]] = {}
    cpu: dict[str, float] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        pages: list[tuple[str, Callable[[int], float]]] = [
            (label, lambda n, path=path: get_ms(client, path)) for label, path in paths
        ]
        pages.append(("overview, after a change", lambda n: (change(n), get_ms(client, "/"))[1]))
        pages.append(("events, first message", lambda n: first_event_ms(client)))
        for label, fetch in pages:
            for n in range(warm_up):
                fetch(-1 - n)
            before = server_cpu()
            timings[label] = [fetch(n) for n in range(requests)]
            cpu[label] = (server_cpu() - before) * 1000 / requests
    return timings, cpu


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process pid so far (Linux's /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def a_change(engine: sa.Engine) -> Callable[[int], None]:
    """What happens between two live updates: a plan run finishes and is audited (today's chart figures move)."""

    def change(n: int) -> None:
        now = datetime.now(UTC)
        started = now - timedelta(seconds=30 + n % 50)
        with engine.begin() as connection:
            connection.execute(
                t.runs.insert().values(
                    change_id="acme/infra#901",
                    repo="acme/infra",
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
                    repo="acme/infra",
                    started_at=started,
                    ended_at=now,
                    result="ok",
                )
            )

    return change


# --- serving ------------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(url: str, port: int, scoped: bool) -> int:
    """The subprocess: the dashboard over the store at url, on 127.0.0.1:port, until killed; scoped, as the App
    serves it to ReaderOfTwoRepos' reader."""
    import uvicorn

    from bot.entrypoints.dashboard import dashboard_app

    store = SqlStore.open(url)
    app = dashboard_app(store, REPOS, access=ReaderOfTwoRepos() if scoped else None)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
    return 0


@contextmanager
def dashboard_server(url: str, scoped: bool = False) -> Iterator[tuple[str, int]]:
    """The dashboard served in a subprocess on a free loopback port (scoped: the App's, to a reader of two of the
    repositories); its base URL and process id."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", url, "--port", str(port), *(["--scoped"] if scoped else [])],
        env=environment,
        stdin=subprocess.DEVNULL,
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
        yield base, server.pid
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
class Walked:
    """One walk of the pages: each page's timed requests' milliseconds, and the server's CPU per request."""

    timings: dict[str, list[float]]
    server_cpu_ms: dict[str, float]


@dataclass(frozen=True)
class Measured:
    """What one benchmark run found: the reads' plans and times, and the walks (LOCAL, SCOPED)."""

    seed_seconds: float
    plans: list[tuple[str, list[str]]]
    reads_ms: dict[str, float]
    walks: dict[str, Walked]


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
        reads += store_reads(store, now, deep_audit, deep_run, repos=READER_ROLES)
        plans = (
            explain(store.engine, page_statements(store, reads)) if store.engine.dialect.name == "postgresql" else []
        )
        reads_ms = read_ms(reads)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    walks = {}
    try:
        for name, scoped in ((LOCAL, False), (SCOPED, True)):
            with dashboard_server(url, scoped) as (base, pid):
                timings, cpu = walk(base, paths, requests, a_change(engine), lambda: cpu_seconds(pid), warm_up)
            walks[name] = Walked(timings, cpu)
    finally:
        engine.dispose()
    return Measured(seed_seconds, plans, reads_ms, walks)


def report(measured: Measured, sizes: Sizes) -> bool:
    print(
        f"seeded {sizes.audit:,} audit entries, {sizes.runs:,} runs, {sizes.plans:,} plans, "
        f"{sizes.interactions:,} model interactions, {sizes.fix_attempts:,} fix attempts, {sizes.locks} locks, "
        f"{len(REPOS) * len(PROJECTS)} drift checks, {sizes.jobs:,} jobs over {DAYS} days "
        f"in {measured.seed_seconds:.1f} s"
    )
    print(f"load average {os.getloadavg()[0]:.2f}")
    print(
        "\nthe store's reads: median in this process (as in the server), PostgreSQL's execution time, the plan's scans"
    )
    for label, lines in measured.plans:
        scans = sorted({line.strip().lstrip("-> ").split("  (")[0] for line in lines if " Scan " in line})
        executed = next((line.split(": ")[1] for line in lines if line.startswith("Execution Time")), "")
        print(f"  {label:34} {measured.reads_ms.get(label, 0):6.1f} ms  {executed:>10}  {'; '.join(scans)}")
    scanned = full_scans(measured.plans)
    print(f"  sequential scans of audit_log or runs: {', '.join(scanned) if scanned else 'none'}")
    worst: list[tuple[float, str]] = []
    for name, walked in measured.walks.items():
        count = len(next(iter(walked.timings.values())))
        print(f"\n{name} (n={count} each)")
        print(f"{'page':28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'server CPU ms':>14}")
        for label, values in walked.timings.items():
            p95 = percentile(values, 0.95)
            worst.append((p95, f"{label} ({name})"))
            cpu = walked.server_cpu_ms[label]
            print(f"{label:28} {percentile(values, 0.5):8.1f} {p95:8.1f} {max(values):8.1f} {cpu:14.1f}")
    missed = [f"{label} {p95:.1f} ms" for p95, label in worst if p95 > P95_GOAL_MS]
    met = not missed and not scanned
    top, where = max(worst)
    print(
        f"\nworst p95 {top:.1f} ms, {where}; goal p95 ≤ {P95_GOAL_MS:g} ms on every page of both walks, no full "
        f"scan: {'met' if met else 'NOT met'}" + (f" (over: {'; '.join(missed)})" if missed else "")
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
    parser.add_argument("--scoped", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        return serve(options.serve, options.port, options.scoped)
    sizes = Sizes.scaled(options.audit, options.runs)
    with throwaway_database(options.postgres_url) as url:
        measured = measure(url, sizes, options.requests)
    return 0 if report(measured, sizes) else 1


if __name__ == "__main__":
    sys.exit(main())
