"""The store names each record's repository (written, and backfilled by migration 0010) and reads by repository."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import command
from dashboard_app_seed import ALPHA, BETA, NOW, seed_repos

from bot.adapters import sqlschema as t
from bot.adapters.migrations import alembic_config
from bot.adapters.sqlstore import SqlStore
from bot.domain.dashboard import AuditFilter


def test_writes_name_the_repository_by_the_rule_or_the_loops_repo(store_url: str) -> None:
    with SqlStore.open(store_url) as store:
        at = datetime(2026, 12, 3, tzinfo=UTC)
        store.start_run("acme/x#1", "plan", "ann", "c0ffee")  # the App's change id names it
        store.for_repo("acme/y").start_run("infra/branch", "plan", "ann", "c0ffee")  # the loop's repository
        store.start_run("infra/branch", "plan", "ann", "c0ffee")  # local: none
        store.for_repo("acme/y").audit("ann", "plan", {"change": "infra/branch"}, at, at, "ok")
        store.for_repo("acme/y").audit("ann", "propose", {"repo": "acme/z", "issue": 1}, at, at, "ok")  # its own
        store.audit("ann", "approve", {"branch": "infra/branch"}, at, at, "ok")
        assert [run.repo for run in store.runs_page()] == [None, "acme/y", "acme/x"]
        assert [entry.repo for entry in store.audit_page()] == [None, "acme/z", "acme/y"]
        assert [r.change_id for r in store.runs_page(repos=["acme/x", "acme/y"])] == ["infra/branch", "acme/x#1"]
        assert store.runs_page(repos=[]) == [] and store.store_counts(repos=[]).runs == 0


def test_every_read_of_the_dashboard_keeps_to_the_repositories_asked(store_url: str) -> None:
    with SqlStore.open(store_url) as store:
        seed_repos(store, NOW)
        for repo, other in ((ALPHA, BETA), (BETA, ALPHA)):
            mine = [repo]
            assert {r.repo for r in store.runs_page(repos=mine)} == {repo}
            assert sum(day.runs for day in store.run_days(datetime.now(UTC).date(), 2, repos=mine)) == 1  # stamped now
            assert [p.change_id for p in store.recent_plans(repos=mine)] == [f"{repo}#1"]
            assert [lock.repo for lock in store.locks(repos=mine)] == [repo]
            assert [e.repo for e in store.audit_page(repos=mine)] == [repo]
            assert store.audit_page(AuditFilter(repo=other), repos=mine) == []
            assert [i.where for i in store.interactions(repos=mine)] == [f"{repo}#1"]
            assert [f.repo for f in store.fix_attempts(repos=mine)] == [repo]
            counts = store.store_counts(repos=mine)
            assert (counts.runs, counts.plans, counts.locks, counts.audit_entries) == (1, 1, 1, 1)
            assert (counts.interactions, counts.fix_attempts) == (1, 1)
        assert store.store_counts().audit_entries == 3  # the entry naming no repository too, locally


def test_migration_0010_backfills_the_repository_of_existing_rows(store_url: str) -> None:
    with SqlStore.open(store_url) as store:
        with store.engine.begin() as connection:
            command.downgrade(alembic_config(connection=connection), "0009")
        at = datetime(2026, 12, 3, tzinfo=UTC)
        old = {"started_at": at}
        with store.engine.begin() as connection:
            runs = sa.table(
                "runs",
                *(sa.column(c) for c in ("change_id", "command", "actor", "commit_sha")),
                sa.column("started_at", t.UtcDateTime),
            )
            connection.execute(
                runs.insert(),
                [
                    {"change_id": "acme/x#1", "command": "plan", "actor": "a", "commit_sha": "c", **old},
                    {"change_id": "infra/local", "command": "plan", "actor": "a", "commit_sha": "c", **old},
                ],
            )
            audit = sa.table(
                "audit_log",
                *(sa.column(c) for c in ("actor", "action", "result")),
                sa.column("params", sa.JSON),
                sa.column("started_at", t.UtcDateTime),
                sa.column("ended_at", t.UtcDateTime),
            )
            connection.execute(
                audit.insert(),
                [
                    {
                        "actor": "a",
                        "action": "propose",
                        "params": {"repo": "acme/y", "issue": 2},
                        "result": "ok",
                        "started_at": at,
                        "ended_at": at,
                    },
                    {
                        "actor": "a",
                        "action": "release-locks",
                        "params": {"change": "acme/x#1"},
                        "result": "ok",
                        "started_at": at,
                        "ended_at": at,
                    },
                    {
                        "actor": "a",
                        "action": "approve",
                        "params": {"branch": "infra/local"},
                        "result": "ok",
                        "started_at": at,
                        "ended_at": at,
                    },
                ],
            )
        with store.engine.begin() as connection:
            command.upgrade(alembic_config(connection=connection), "head")
        assert [r.repo for r in store.runs_page()] == [None, "acme/x"]
        assert [e.repo for e in store.audit_page()] == [None, "acme/x", "acme/y"]


def test_a_repository_scoped_page_walks_the_repo_index(sqlite_url: str) -> None:
    with SqlStore.open(sqlite_url) as store:
        seed_repos(store, NOW)
        statements: list[tuple[str, Any]] = []
        sa.event.listen(store.engine, "before_cursor_execute", lambda c, cur, s, p, ctx, m: statements.append((s, p)))
        for read in (
            lambda: store.audit_page(limit=10, repos=[ALPHA, BETA]),
            lambda: store.runs_page(limit=10, repos=[ALPHA]),
            lambda: store.recent_plans(limit=10, repos=[ALPHA]),
            lambda: store.interactions(limit=10, repos=[ALPHA]),
        ):
            statements.clear()
            read()
            statement, parameters = statements[-1]
            with store.engine.connect() as connection:
                plan = " ".join(
                    row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
                )
            assert "_repo_id" in plan, plan


def test_a_page_of_several_repositories_is_their_newest_rows_merged_newest_first(store_url: str) -> None:
    repos = ["acme/a", "acme/b", "acme/c"]
    with SqlStore.open(store_url) as store:
        for n in range(30):
            repo = repos[n % 7 % 3]  # unevenly: the repositories' rows interleave
            result = "ok" if n % 4 else "failed: envs-prod"
            store.audit("ann", "plan", {"change": f"{repo}#{n}"}, NOW, NOW, result)
            store.start_run(f"{repo}#{n}", "plan", "ann", "c0ffee")
        everything = store.audit_page(limit=100)
        mine = {"acme/a", "acme/c"}
        before = everything[5].id
        failed = [e for e in everything if e.repo in mine and e.result != "ok"]
        assert store.audit_page(limit=4, repos=mine) == [e for e in everything if e.repo in mine][:4]
        older = store.audit_page(limit=4, before=before, repos=mine)
        assert older == [e for e in everything if e.repo in mine and e.id < before][:4]
        assert store.audit_page(AuditFilter(result="failed"), limit=3, repos=mine) == failed[:3]
        runs = [r.id for r in store.runs_page(limit=100) if r.repo in mine]
        assert [r.id for r in store.runs_page(limit=5, repos=mine)] == runs[:5]
        many = mine | {f"acme/other-{n}" for n in range(40)}  # past PER_REPO_READS: one IN filter instead
        assert store.audit_page(limit=4, repos=many) == store.audit_page(limit=4, repos=mine)
