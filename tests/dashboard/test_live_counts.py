"""The live updates' counts: one read an interval for every stream of the same repositories, fresh after it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bot.adapters.sqlstore import SqlStore
from bot.entrypoints.dashboard.live_counts import MAX_KEPT, SharedCounts

AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def test_streams_share_a_reading_until_it_is_older_than_max_age(tmp_path: Path) -> None:
    with SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}") as store:
        reads = counted_reads(store)
        clock = Clock()
        counts = SharedCounts(store, max_age=1.0, clock=clock)
        store.audit("ann", "plan", {"repo": "acme/a"}, AT, AT, "ok")
        assert counts.of(None).audit_entries == 1
        assert [counts.of(None).audit_entries for _ in range(5)] == [1] * 5  # five more streams, no read
        assert len(reads) == 1
        assert counts.of(["acme/a"]).audit_entries == 1 and counts.of({"acme/a"}).audit_entries == 1
        assert len(reads) == 2  # another reader's repositories are read apart, once for the same set
        store.audit("ann", "plan", {"repo": "acme/a"}, AT, AT, "ok")
        clock.now += 0.5
        assert counts.of(None).audit_entries == 1  # within max_age: the shared reading
        clock.now += 0.6
        assert counts.of(None).audit_entries == 2 and len(reads) == 3


def test_only_the_latest_readers_are_remembered(tmp_path: Path) -> None:
    with SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}") as store:
        reads = counted_reads(store)
        clock = Clock()
        counts = SharedCounts(store, max_age=60.0, clock=clock)
        for n in range(MAX_KEPT + 10):
            clock.now += 1
            counts.of([f"acme/r{n}"])
        assert len(reads) == MAX_KEPT + 10
        counts.of([f"acme/r{MAX_KEPT + 9}"])  # among the latest: kept
        assert len(reads) == MAX_KEPT + 10
        counts.of(["acme/r0"])  # the oldest: dropped, read again
        assert len(reads) == MAX_KEPT + 11


def counted_reads(store: SqlStore) -> list[str]:
    """The counts' statements the store runs from now on."""
    reads: list[str] = []

    def kept(connection: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if "count(" in statement:
            reads.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", kept)
    return reads
