"""Sealed gate records: what Olympus wrote checks, a row written or edited by hand does not, and the key stays out
of the repository."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.record_key import app_record_key, local_record_key
from bot.adapters.sqlstore import SqlStore
from bot.domain.records import PlanRecord, PushRecord
from bot.errors import UserError

KEY = b"k" * 32
AT = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "olympus.db"


def open_store(db: Path, key: bytes = KEY) -> SqlStore:
    return SqlStore.open(f"sqlite:///{db}", record_key=key)


def plan(sha256: str = "a" * 64) -> PlanRecord:
    return PlanRecord("infra/x", "infra/aws/envs/dev", "default", "1" * 40, "/p.tfplan", "/p.json", sha256, {}, AT)


def test_records_olympus_wrote_check_across_reopening(db: Path) -> None:
    with open_store(db) as store:
        store.record_approval("infra/x", "1" * 40, "alice", AT)
        store.save_plan(plan())
    with open_store(db) as store:
        [approval] = store.approvals_for("infra/x")
        [saved] = store.plans_for("infra/x")
    assert approval.trusted and saved.trusted


def test_a_row_inserted_by_hand_is_not_trusted(db: Path) -> None:
    with open_store(db) as store:
        store.record_approval("infra/x", "1" * 40, "alice", AT)
    with sqlite3.connect(db) as raw:
        raw.execute(
            "INSERT INTO approvals (change_id, commit_sha, approver, approved_at) VALUES (?, ?, ?, ?)",
            ("infra/x", "1" * 40, "mallory", AT.isoformat()),
        )
    with open_store(db) as store:
        trusted = {a.user: a.trusted for a in store.approvals_for("infra/x")}
    assert trusted == {"alice": True, "mallory": False}


def test_a_row_edited_by_hand_is_not_trusted(db: Path) -> None:
    with open_store(db) as store:
        store.record_approval("infra/x", "1" * 40, "alice", AT)
        store.save_plan(plan())
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE approvals SET approver = 'mallory'")
        raw.execute("UPDATE plans SET sha256 = ?", ("b" * 64,))
    with open_store(db) as store:
        [approval] = store.approvals_for("infra/x")
        [saved] = store.plans_for("infra/x")
    assert (approval.user, approval.trusted) == ("mallory", False)
    assert (saved.sha256, saved.trusted) == ("b" * 64, False)


def test_another_key_trusts_nothing(db: Path) -> None:
    with open_store(db) as store:
        store.record_approval("infra/x", "1" * 40, "alice", AT)
    with open_store(db, b"other" * 8) as store:
        [approval] = store.approvals_for("infra/x")
    assert not approval.trusted


def test_the_local_key_is_made_once_and_readable_by_its_user_only(tmp_path: Path) -> None:
    path = tmp_path / "config" / "olympus" / "record.key"
    first = local_record_key(path)
    assert local_record_key(path) == first and len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_unreadable_key_is_a_user_error_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "record.key"
    path.write_text("not hex\n")
    with pytest.raises(UserError) as raised:
        local_record_key(path)
    assert raised.value.reference == "record-key-unreadable"
    assert "every recorded approval and plan invalid" in raised.value.hint


def test_the_apps_key_comes_from_its_secret_and_not_the_database() -> None:
    assert app_record_key(b"secret") == app_record_key(b"secret") != app_record_key(b"other")
    assert b"secret" not in app_record_key(b"secret")


def push(branch: str, head: str, who: str, *, created: bool = False, change: str | None = None) -> PushRecord:
    return PushRecord("octo/infra", branch, head, who, change, created, AT)


def test_pushes_to_a_branch_count_from_its_latest_creation_and_a_redelivery_adds_nothing(db: Path) -> None:
    with open_store(db) as store:
        assert store.record_push(push("feat", "1" * 40, "old", created=True), "d1")
        assert store.record_push(push("feat", "2" * 40, "old"), "d2")
        assert store.record_push(push("feat", "3" * 40, "eve", created=True), "d3")  # deleted, then made again
        assert store.record_push(push("feat", "4" * 40, "carol"), "d4")
        assert not store.record_push(push("feat", "4" * 40, "carol"), "d4")  # GitHub redelivered it
        assert store.record_push(push("feat", "5" * 40, "dana", change="octo/infra#7"), "d5")
        assert store.record_push(push("other", "6" * 40, "frank"), "d6")
        pushers = [p.pusher for p in store.pushes_for("octo/infra", "feat", "octo/infra#7")]
    assert pushers == ["eve", "carol", "dana"]
