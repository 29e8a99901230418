"""Drift checks in the store (SQLite and PostgreSQL): the latest per project, `since` and the issue number kept."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.sqlstore import SqlStore
from bot.domain.drift import DriftCheck, DriftStatus
from bot.ports import Store

T0 = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    with SqlStore.open(store_url, clock=lambda: T0) as opened:
        yield opened


def _check(project: str, status: DriftStatus, at: datetime, **fields: object) -> DriftCheck:
    return DriftCheck("acme/infra", project, at, status, **fields)  # type: ignore[arg-type]


def test_a_new_check_replaces_the_projects_previous_one(store: SqlStore) -> None:
    port: Store = store
    detail = {"changed": 1, "deleted": 0, "addresses": [{"address": "aws_s3_bucket.a", "action": "update"}]}
    port.record_drift_check(_check("aws-dev", DriftStatus.DRIFTED, T0, detail=detail, since=T0))
    port.record_drift_check(_check("aws-prod", DriftStatus.CLEAN, T0))
    later = T0 + timedelta(hours=1)
    port.record_drift_check(_check("aws-dev", DriftStatus.CLEAN, later))

    checks = port.drift_checks("acme/infra")
    assert [(c.project, c.status, c.checked_at, c.since) for c in checks] == [
        ("aws-dev", DriftStatus.CLEAN, later, None),
        ("aws-prod", DriftStatus.CLEAN, T0, None),
    ]
    assert port.drift_checks("someone/else") == []


def test_detail_and_since_round_trip_and_the_issue_number_stays(store: SqlStore) -> None:
    detail = {"changed": 2, "deleted": 1, "way_out": "restore", "addresses": [{"address": "module.x.aws_s3_bucket.y"}]}
    store.record_drift_check(_check("aws-dev", DriftStatus.DRIFTED, T0, detail=detail, since=T0, issue_number=42))
    later = T0 + timedelta(days=1)
    store.record_drift_check(_check("aws-dev", DriftStatus.DRIFTED, later, detail=detail, since=T0))

    (check,) = store.drift_checks("acme/infra")
    assert check.detail == detail
    assert check.since == T0 and check.checked_at == later
    assert check.issue_number == 42  # the App's issue is not forgotten by a check that does not name it
