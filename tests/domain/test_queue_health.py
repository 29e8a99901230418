"""The queue page's figures: the throughput's hours, and a wait said in the units that fit it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.queue_health import QueuedJob, QueueHealth, hour_starts, short_duration

NOW = datetime(2026, 12, 3, 9, 41, 7, tzinfo=UTC)


def test_the_hours_end_with_the_current_one_oldest_first() -> None:
    hours = hour_starts(NOW, 3)
    assert hours == [datetime(2026, 12, 3, h, tzinfo=UTC) for h in (7, 8, 9)]
    assert len(hour_starts(NOW)) == 24 and hour_starts(NOW)[0] == datetime(2026, 12, 2, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "0 s"),
        (59, "59 s"),
        (60, "1 min"),
        (3599, "59 min"),
        (3600, "1 h 0 min"),
        (3 * 3600 + 300, "3 h 5 min"),
        (2 * 86400 + 4 * 3600 + 59, "2 d 4 h"),
    ],
)
def test_a_wait_is_said_in_its_largest_units(seconds: int, said: str) -> None:
    assert short_duration(timedelta(seconds=seconds)) == said


def test_the_longest_wait_counts_from_when_the_job_became_due_never_below_zero() -> None:
    def waiting(due: datetime) -> QueueHealth:
        job = QueuedJob(1, "push", "", "o/r", "queued", 1, NOW - timedelta(hours=1), due, None, None, None, None)
        return QueueHealth(NOW, {"queued": 1}, job, 0, (), (), ())

    assert waiting(NOW - timedelta(minutes=5)).longest_wait == timedelta(minutes=5)
    assert waiting(NOW + timedelta(seconds=1)).longest_wait == timedelta(0)  # a clock a little behind the store's
    assert QueueHealth(NOW, {}, None, 0, (), (), ()).longest_wait is None
