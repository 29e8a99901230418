"""SqlStore against SQLite and PostgreSQL: every operation, the lock race, migrations, and secret masking."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters import sqlschema as t
from bot.adapters.migrations import alembic_config
from bot.adapters.sqlschema import VERSION_TABLE, metadata
from bot.adapters.sqlstore import SqlStore, StoreOpenError, mask_secrets, parse_store_url
from bot.domain.models import Finding, Severity
from bot.domain.policies.results import PolicyFailure
from bot.domain.records import PlanRecord
from bot.ports import Store

T0 = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


class TickingClock:
    """A clock that moves one second each time it is read, so every timestamp is known in advance."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            current = self.now
            self.now += timedelta(seconds=1)
            return current


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock()


@pytest.fixture
def store(store_url: str, clock: TickingClock) -> Iterator[SqlStore]:
    with SqlStore.open(store_url, clock=clock) as opened:
        yield opened


def test_sql_store_satisfies_the_store_port(store: SqlStore) -> None:
    port: Store = store  # mypy checks the signatures; at run time, prove it is usable through the port
    assert port.locks() == []


# --- schema and migrations ------------------------------------------------------------------------------


def test_open_migrates_to_head(store: SqlStore) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with store.engine.connect() as connection:
        current = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        assert current.get_current_revision() == head == "0010"
        tables = set(sa.inspect(connection).get_table_names())
    assert tables == {
        "fix_attempts",
        "model_interactions",
        "conversations",
        "runs",
        "plans",
        "findings",
        "approvals",
        "policy_approvals",
        "drift_checks",
        "locks",
        "audit_log",
        "jobs",
        "pushes",
        VERSION_TABLE,
    }


def test_migrations_match_the_table_definitions(store: SqlStore) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE, "compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_migrations_downgrade_to_nothing_and_back(store: SqlStore) -> None:
    with store.engine.begin() as connection:
        command.downgrade(alembic_config(connection=connection), "base")
    with store.engine.connect() as connection:
        assert set(sa.inspect(connection).get_table_names()) == {VERSION_TABLE}
    with store.engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), "head")
    assert store.start_run("infra/x", "plan", "alice", "abc") == 1


def test_reopening_keeps_the_data(store_url: str, clock: TickingClock) -> None:
    with SqlStore.open(store_url, clock=clock) as first:
        run_id = first.start_run("infra/create-bucket-logs-archive", "plan", "alice", "c0ffee")
    with SqlStore.open(store_url, clock=clock) as second:
        run = second.get_run(run_id)
    assert run is not None and run.change_id == "infra/create-bucket-logs-archive"


def test_a_database_migrated_by_newer_code_is_refused_clearly(store: SqlStore, store_url: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = '9999'"))
    with pytest.raises(StoreOpenError) as refused:
        SqlStore.open(store_url)
    assert refused.value.reference == "database-newer-than-code"
    assert "9999" in refused.value.message and "upgrade Olympus" in refused.value.hint


def open_once_at_the_barrier(url: str, barrier: Any) -> None:
    """A replica starting up: waits for the others, then opens (and so migrates) the store."""
    barrier.wait(timeout=120)
    SqlStore.open(url).close()


def test_replicas_starting_at_once_migrate_once(store_url: str) -> None:
    # Separate processes, as replicas (or uvicorn workers) are: they share nothing but the database.
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(3)
    replicas = [spawn.Process(target=open_once_at_the_barrier, args=(store_url, barrier)) for _ in range(3)]
    for replica in replicas:
        replica.start()
    for replica in replicas:
        replica.join(timeout=180)
    assert [replica.exitcode for replica in replicas] == [0, 0, 0]
    with SqlStore.open(store_url) as store:
        assert store.start_run("infra/x", "plan", "alice", "abc") == 1


def test_stores_opened_at_once_in_one_process_all_work(store_url: str) -> None:
    errors: list[BaseException] = []
    opened: list[SqlStore] = []
    barrier = threading.Barrier(4)

    def open_store() -> None:
        barrier.wait()
        try:
            opened.append(SqlStore.open(store_url))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert errors == [] and len(opened) == 4
        assert [store.start_run("infra/x", "plan", "alice", "abc") for store in opened] == [1, 2, 3, 4]
    finally:
        for each in opened:
            each.close()


def test_sqlite_file_folders_are_created(tmp_path: Path) -> None:
    path = tmp_path / "state" / "nested" / "olympus.db"
    with SqlStore.open(f"sqlite:///{path}") as store:
        store.start_run("infra/x", "plan", "alice", "abc")
    assert path.is_file()


def test_in_memory_sqlite_works_for_single_threaded_use(clock: TickingClock) -> None:
    with SqlStore.open("sqlite://", clock=clock) as store:
        run_id = store.start_run("infra/x", "plan", "alice", "abc")
        assert store.get_run(run_id) is not None


# --- bad URLs -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("olympus.db", "is not a database URL"),
        ("mysql://olympus:hunter2@db.example.com/olympus", "'mysql' databases are not supported"),
        ("postgresql+psycopg2://olympus:hunter2@db.example.com/olympus", "driver 'psycopg2' is not installed"),
        ("postgresql://olympus:hunter2@db.example.com", "names no database"),
    ],
)
def test_bad_urls_say_what_is_wrong_and_show_a_valid_one(url: str, complaint: str) -> None:
    with pytest.raises(StoreOpenError) as refused:
        SqlStore.open(url)
    assert refused.value.reference == "bad-database-url"
    assert complaint in refused.value.message
    assert "postgresql+psycopg://" in refused.value.hint
    assert "hunter2" not in str(refused.value)


def test_unparsable_url_with_a_password_does_not_echo_it() -> None:
    with pytest.raises(StoreOpenError) as refused:
        SqlStore.open("not a url://admin:hunter2@host")
    assert "hunter2" not in str(refused.value)
    assert "sqlite:///" in refused.value.hint


@pytest.mark.parametrize("url", ["postgresql://u@h/db", "postgres://u@h/db", "postgresql+psycopg://u@h/db"])
def test_postgres_urls_use_psycopg_3(url: str) -> None:
    assert parse_store_url(url).drivername == "postgresql+psycopg"


def test_an_unreachable_server_is_a_clear_error() -> None:
    # Port 1 on loopback refuses at once: no waiting on a timeout.
    with pytest.raises(StoreOpenError) as refused:
        SqlStore.open("postgresql+psycopg://olympus:hunter2@127.0.0.1:1/olympus")
    assert refused.value.reference == "database-unreachable"
    assert "127.0.0.1" in refused.value.message and "server is running" in refused.value.hint
    assert "hunter2" not in str(refused.value)


# --- runs -----------------------------------------------------------------------------------------------


def test_a_run_from_start_to_finish(store: SqlStore) -> None:
    run_id = store.start_run("infra/create-bucket-logs-archive", "plan", "alice", "c0ffee")
    started = store.get_run(run_id)
    assert started is not None
    assert (started.result, started.ended_at, started.started_at) == (None, None, T0)

    store.finish_run(run_id, "planned", {"projects": ["aws-dev"], "add": 1})
    finished = store.get_run(run_id)
    assert finished is not None
    assert finished.ended_at == T0 + timedelta(seconds=1)
    assert (finished.result, finished.detail) == ("planned", {"projects": ["aws-dev"], "add": 1})
    assert (finished.change_id, finished.command, finished.actor, finished.commit) == (
        "infra/create-bucket-logs-archive",
        "plan",
        "alice",
        "c0ffee",
    )


def test_runs_for_a_change_oldest_first(store: SqlStore) -> None:
    first = store.start_run("owner/repo#7", "plan", "alice", "a")
    store.start_run("owner/repo#8", "plan", "bob", "b")
    second = store.start_run("owner/repo#7", "apply", "carol", "a")
    assert [run.id for run in store.runs_for("owner/repo#7")] == [first, second]
    assert store.get_run(999_999) is None


def test_finishing_an_unknown_run_is_a_fault(store: SqlStore) -> None:
    with pytest.raises(LookupError, match="no run with id 424242"):
        store.finish_run(424242, "ok", {})


def test_run_detail_is_masked_for_secrets(store: SqlStore) -> None:
    run_id = store.start_run("infra/x", "apply", "alice", "abc")
    store.finish_run(run_id, "applied", {"aws_session_token": "FwoGZXIvYXdzE", "region": "eu-west-1"})
    run = store.get_run(run_id)
    assert run is not None and run.detail == {"aws_session_token": "***", "region": "eu-west-1"}


# --- plans ----------------------------------------------------------------------------------------------


def plan(project: str, created_at: datetime, sha256: str = "a" * 64, change_id: str = "owner/repo#7") -> PlanRecord:
    return PlanRecord(
        change_id=change_id,
        project=project,
        workspace="default",
        commit="c0ffee",
        plan_path=f"/work/plans/{project}.tfplan",
        plan_json_path=f"/work/plans/{project}.json",
        sha256=sha256,
        counts={"add": 1, "change": 0, "destroy": 0},
        created_at=created_at,
    )


def test_plans_round_trip_and_the_latest_wins(store: SqlStore) -> None:
    older = plan("aws-dev", T0, sha256="1" * 64)
    newer = plan("aws-dev", T0 + timedelta(minutes=5), sha256="2" * 64)
    other = plan("aws-prod", T0 + timedelta(minutes=1))
    for each in (newer, older, other):  # saved out of order: created_at decides, not insertion
        assert store.save_plan(each) > 0
    store.save_plan(plan("aws-dev", T0, change_id="owner/repo#8"))

    assert store.latest_plan("owner/repo#7", "aws-dev") == newer
    assert store.latest_plan("owner/repo#7", "gcp-dev") is None
    assert store.plans_for("owner/repo#7") == [older, other, newer]


def test_discarding_plans_forgets_only_that_change(store: SqlStore) -> None:
    store.save_plan(plan("aws-dev", T0))
    store.save_plan(plan("aws-prod", T0))
    store.save_plan(plan("aws-dev", T0, change_id="owner/repo#8"))
    assert store.discard_plans("owner/repo#7") == 2
    assert store.plans_for("owner/repo#7") == []
    assert store.latest_plan("owner/repo#8", "aws-dev") is not None


# --- findings -------------------------------------------------------------------------------------------


def finding(rule_id: str, line: int, **extra: Any) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=Severity.HIGH,
        title="S3 bucket has no server-side encryption",
        resource="aws_s3_bucket.logs_archive",
        file="infra/aws/envs/dev/main.tf",
        line=line,
        **extra,
    )


def test_findings_round_trip_in_order(store: SqlStore) -> None:
    run_id = store.start_run("infra/x", "plan", "alice", "abc")
    first = finding(
        "CKV_AWS_145", 3, link="https://docs.example/ckv145", tools=("checkov", "trivy"), aliases=("AVD-AWS-0088",)
    )
    batch = [first, finding("CKV_AWS_18", 1), finding("CKV_AWS_21", 2)]
    store.save_findings(run_id, batch)
    store.save_findings(run_id, [finding("AVD-AWS-0086", 9)])
    store.save_findings(run_id, [])
    assert store.findings_for_run(run_id) == [*batch, finding("AVD-AWS-0086", 9)]
    assert store.findings_for_run(run_id + 1) == []


# --- approvals ------------------------------------------------------------------------------------------


def test_approvals_are_kept_once_per_user_and_commit(store: SqlStore) -> None:
    assert store.record_approval("owner/repo#7", "c0ffee", "bob", T0) is True
    assert store.record_approval("owner/repo#7", "c0ffee", "bob", T0 + timedelta(hours=1)) is False
    assert store.record_approval("owner/repo#7", "decade", "bob", T0 + timedelta(hours=2)) is True
    assert store.record_approval("owner/repo#7", "c0ffee", "carol", T0 + timedelta(hours=3)) is True
    assert store.record_approval("owner/repo#8", "c0ffee", "bob", T0) is True

    everything = store.approvals_for("owner/repo#7")
    assert [(a.user, a.commit, a.at) for a in everything] == [
        ("bob", "c0ffee", T0),
        ("bob", "decade", T0 + timedelta(hours=2)),
        ("carol", "c0ffee", T0 + timedelta(hours=3)),
    ]
    assert [a.user for a in store.approvals_for("owner/repo#7", commit="c0ffee")] == ["bob", "carol"]


def test_timestamps_in_other_zones_come_back_as_the_same_instant_in_utc(store: SqlStore) -> None:
    paris_summer = datetime(2026, 7, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    store.record_approval("owner/repo#7", "c0ffee", "bob", paris_summer)
    (approval,) = store.approvals_for("owner/repo#7")
    assert approval.at == paris_summer and approval.at.tzinfo == UTC and approval.at.hour == 12


def test_naive_timestamps_are_refused(store: SqlStore) -> None:
    with pytest.raises(sa.exc.StatementError, match="timezone-aware"):
        store.record_approval("owner/repo#7", "c0ffee", "bob", datetime(2026, 1, 1))
    assert store.approvals_for("owner/repo#7") == []


# --- locks ----------------------------------------------------------------------------------------------


def test_lock_lifecycle(store: SqlStore) -> None:
    mine = store.acquire_lock("owner/repo", "infra/aws/envs/dev", "default", "owner/repo#7")
    assert (mine.holder, mine.acquired_at) == ("owner/repo#7", T0)
    assert store.acquire_lock("owner/repo", "infra/aws/envs/dev", "default", "owner/repo#7") == mine

    theirs = store.acquire_lock("owner/repo", "infra/aws/envs/dev", "default", "owner/repo#8")
    assert theirs == mine  # the caller sees the holder is not itself
    assert store.release_lock("owner/repo", "infra/aws/envs/dev", "default", "owner/repo#8") is False
    assert store.lock_for("owner/repo", "infra/aws/envs/dev", "default") == mine

    assert store.release_lock("owner/repo", "infra/aws/envs/dev", "default", "owner/repo#7") is True
    assert store.lock_for("owner/repo", "infra/aws/envs/dev", "default") is None
    assert store.release_lock("owner/repo", "infra/aws/envs/dev", "default", "owner/repo#7") is False
    now_theirs = store.acquire_lock("owner/repo", "infra/aws/envs/dev", "default", "owner/repo#8")
    assert now_theirs.holder == "owner/repo#8"


def test_locks_are_per_repo_dir_and_workspace(store: SqlStore) -> None:
    keys = [
        ("owner/repo", "infra/aws/envs/prod", "default"),
        ("owner/repo", "infra/aws/envs/dev", "staging"),
        ("owner/repo", "infra/aws/envs/dev", "default"),
        ("owner/other", "infra/aws/envs/dev", "default"),
    ]
    for key in keys:
        assert store.acquire_lock(*key, holder="owner/repo#7").holder == "owner/repo#7"
    store.acquire_lock("owner/repo", "infra/gcp/envs/dev", "default", "owner/repo#8")

    assert [(lock.repo, lock.dir, lock.workspace) for lock in store.locks()] == sorted(
        [*keys, ("owner/repo", "infra/gcp/envs/dev", "default")]
    )
    assert store.release_locks_of("owner/repo#7") == 4
    assert [lock.holder for lock in store.locks()] == ["owner/repo#8"]
    assert store.release_locks_of("owner/repo#7") == 0


def test_many_holders_racing_for_one_lock_get_exactly_one_winner(store_url: str, clock: TickingClock) -> None:
    contenders = 12
    # Two stores: two replicas of the App, each with its own connection pool, racing on one database.
    replicas = [SqlStore.open(store_url, clock=clock) for _ in range(2)]
    barrier = threading.Barrier(contenders)
    seen: dict[str, str] = {}
    errors: list[BaseException] = []

    def contend(index: int) -> None:
        holder = f"owner/repo#{index}"
        barrier.wait()
        try:
            lock = replicas[index % 2].acquire_lock("owner/repo", "infra/aws/envs/dev", "default", holder)
            seen[holder] = lock.holder
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=contend, args=(index,)) for index in range(contenders)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        winners = [holder for holder, got in seen.items() if holder == got]
        assert len(seen) == contenders and len(winners) == 1
        assert set(seen.values()) == {winners[0]}
        assert [lock.holder for lock in replicas[0].locks()] == winners
    finally:
        for replica in replicas:
            replica.close()


# --- audit ----------------------------------------------------------------------------------------------


def test_audit_entries_newest_first_with_a_limit(store: SqlStore) -> None:
    ids = [store.audit("alice", f"action-{n}", {"n": n}, T0, T0 + timedelta(seconds=n), "ok") for n in range(3)]
    assert ids == sorted(ids)
    entries = store.audit_log()
    assert [entry.action for entry in entries] == ["action-2", "action-1", "action-0"]
    assert entries[0].params == {"n": 2} and entries[0].ended_at == T0 + timedelta(seconds=2)
    assert [entry.id for entry in store.audit_log(limit=2)] == ids[:0:-1]


def test_audited_records_success_and_the_bodys_own_result(store: SqlStore) -> None:
    with store.audited("alice", "plan", {"change": "owner/repo#7"}):
        pass
    with store.audited("bob", "apply", {"change": "owner/repo#7"}) as outcome:
        outcome.result = "refused: lock held by owner/repo#8"
    refused, done = store.audit_log()
    assert (done.actor, done.action, done.result) == ("alice", "plan", "ok")
    assert (done.started_at, done.ended_at) == (T0, T0 + timedelta(seconds=1))
    assert refused.result == "refused: lock held by owner/repo#8"


def test_audited_records_the_exception_and_lets_it_through(store: SqlStore) -> None:
    with pytest.raises(RuntimeError, match="terraform exited 1"):
        with store.audited("alice", "apply", {"change": "owner/repo#7"}):
            raise RuntimeError("terraform exited 1")
    with pytest.raises(KeyboardInterrupt):
        with store.audited("alice", "apply", {}):
            raise KeyboardInterrupt
    interrupted, failed = store.audit_log()
    assert failed.result == "RuntimeError: terraform exited 1"
    assert interrupted.result == "KeyboardInterrupt"


def test_audit_never_stores_secrets(store: SqlStore) -> None:
    github_token = "ghp_" + "A1b2C3d4E5" * 4
    params = {
        "GITHUB_TOKEN": github_token,
        "repo": "owner/repo",
        "auth": {"password": "hunter2", "client_secret": "s3cr3t", "user": "bob"},
        "steps": [{"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE"}, "uses " + github_token],
        "db": "postgresql+psycopg://olympus:hunter2@db.example.com/olympus",
        "credentials_file": "/home/bob/.aws/credentials",
    }
    with pytest.raises(PermissionError):
        with store.audited("alice", "apply", params):
            raise PermissionError(f"GitHub refused Bearer {github_token}")
    (entry,) = store.audit_log()
    assert entry.params == {
        "GITHUB_TOKEN": "***",
        "repo": "owner/repo",
        "auth": {"password": "***", "client_secret": "***", "user": "bob"},
        "steps": [{"aws_access_key_id": "***"}, "uses ***"],
        "db": "postgresql+psycopg://***@db.example.com/olympus",
        "credentials_file": "***",
    }
    assert entry.result == "PermissionError: GitHub refused Bearer ***"
    with store.engine.connect() as connection:
        raw = " ".join(str(row) for row in connection.execute(sa.text("SELECT params, result FROM audit_log")))
    assert "hunter2" not in raw and github_token not in raw and "s3cr3t" not in raw


SECRET_WORDS = ["token", "secret", "password", "key", "credential", "TOKEN", "Api_Key", "PassWord"]
secret_keys = st.builds(
    lambda before, word, after: f"{before}{word}{after}",
    st.text("abc_-", max_size=4),
    st.sampled_from(SECRET_WORDS),
    st.text("abc_-", max_size=4),
)
plain_keys = st.sampled_from(["region", "bucket", "name", "env", "user", "author", "tags", "versioning"])
json_leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=12)
json_trees = st.recursive(
    json_leaves,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(secret_keys | plain_keys, children, max_size=4),
    max_leaves=12,
)


def secret_keyed_values(tree: Any) -> list[Any]:
    """Every value found under a key that names a secret, at any depth."""
    found: list[Any] = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            if any(word.lower() in key.lower() for word in SECRET_WORDS):
                found.append(value)
            else:
                found.extend(secret_keyed_values(value))
    elif isinstance(tree, list):
        for value in tree:
            found.extend(secret_keyed_values(value))
    return found


@given(st.dictionaries(secret_keys | plain_keys, json_trees, max_size=5))
def test_every_secret_looking_key_is_masked_at_any_depth(params: dict[str, Any]) -> None:
    masked = mask_secrets(params)
    assert all(value == "***" for value in secret_keyed_values(masked))
    assert len(secret_keyed_values(masked)) == len(secret_keyed_values(params))


def test_a_sqlite_file_that_cannot_be_created_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database's folder should be")
    with pytest.raises(StoreOpenError) as refused:
        SqlStore.open(f"sqlite:///{blocker / 'olympus.db'}")
    assert refused.value.reference == "database-unreachable"
    assert "cannot create the folder" in refused.value.message and "not-a-folder" in refused.value.message
    assert "sqlite:///" in refused.value.hint


def test_untrusted_text_with_nul_characters_is_stored_alike_everywhere(store: SqlStore) -> None:
    run_id = store.start_run("owner/repo#7", "/infra create\x00 bucket", "mallory\x00", "abc")
    store.audit("mallory", "comment", {"body": "hi\x00there", "ratio": float("nan")}, T0, T0, "ok\x00")
    run = store.get_run(run_id)
    assert run is not None and (run.command, run.actor) == ("/infra create\ufffd bucket", "mallory\ufffd")
    (entry,) = store.audit_log()
    assert entry.params == {"body": "hi\x00there", "ratio": "nan"} and entry.result == "ok\ufffd"


NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)

# --- policies ---------------------------------------------------------------------------------------------


def test_a_plan_keeps_its_policy_failures_under_its_seal(store: SqlStore) -> None:
    failures = (PolicyFailure("olympus", "aws_s3_bucket.logs: no encryption"),)
    plan = PlanRecord("infra/x", "dev", "default", "c1", "/p", "/p.json", "a" * 64, {}, NOW, policy_failures=failures)
    store.save_plan(plan)
    kept = store.latest_plan("infra/x", "dev")
    assert kept is not None and kept.policy_failures == failures and kept.trusted
    with store.engine.begin() as connection:
        connection.execute(sa.update(t.plans).values(policy_failures=[]))
    edited = store.latest_plan("infra/x", "dev")
    assert edited is not None and edited.policy_failures == () and not edited.trusted


def test_policy_approvals_are_per_set_and_commit_and_sealed(store: SqlStore) -> None:
    assert store.record_policy_approval("infra/x", "olympus", "c1", "bob", NOW)
    assert not store.record_policy_approval("infra/x", "olympus", "c1", "bob", NOW)  # once is enough
    assert store.record_policy_approval("infra/x", "security", "c1", "carol", NOW)
    assert store.record_policy_approval("infra/x", "olympus", "c2", "bob", NOW)
    at_c1 = store.policy_approvals_for("infra/x", "c1")
    assert [(a.policy_set, a.user, a.trusted) for a in at_c1] == [("olympus", "bob", True), ("security", "carol", True)]
    with store.engine.begin() as connection:
        connection.execute(
            sa.update(t.policy_approvals).where(t.policy_approvals.c.approver == "carol").values(approver="mallory")
        )
    assert [(a.user, a.trusted) for a in store.policy_approvals_for("infra/x", "c1")] == [
        ("bob", True),
        ("mallory", False),
    ]
