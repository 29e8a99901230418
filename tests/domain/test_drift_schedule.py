"""The drift schedule's interval setting and slots: parsed or refused with a reason, cut at the same instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.domain.drift_schedule import drift_delivery_id, parse_interval, slot_start
from bot.errors import UserError
from bot.settings import load_settings


@pytest.mark.parametrize(
    ("text", "interval"),
    [
        ("24h", timedelta(hours=24)),
        ("6h", timedelta(hours=6)),
        ("30m", timedelta(minutes=30)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(minutes=90)),
        (" 12H ", timedelta(hours=12)),
        ("off", None),
        ("OFF", None),
    ],
)
def test_intervals_are_read(text: str, interval: timedelta | None) -> None:
    assert parse_interval(text) == interval


@pytest.mark.parametrize("text", ["", "24", "h", "5 min", "-1h", "1.5h", "1w", "1h 30m", "never", "24h;rm"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration such as 24h"):
        parse_interval(text)


def test_an_interval_under_ten_minutes_is_refused() -> None:
    with pytest.raises(ValueError, match="shorter than the shortest interval, 10m"):
        parse_interval("9m")
    assert parse_interval("600s") == timedelta(minutes=10)


def test_the_setting_defaults_to_a_day_and_a_bad_one_stops_the_start_up_with_a_hint() -> None:
    assert load_settings(env_file=None, webhook_secret="s").drift_every == timedelta(days=1)
    assert load_settings(env_file=None, webhook_secret="s", drift_interval="Off").drift_every is None
    with pytest.raises(UserError) as raised:
        load_settings(env_file=None, webhook_secret="s", drift_interval="daily")
    assert raised.value.reference == "bad-setting"
    assert "OLYMPUS_DRIFT_INTERVAL is malformed: 'daily' is not a duration" in raised.value.message
    assert "or off (default 24h)" in raised.value.hint


def test_slots_start_at_the_same_instants_whatever_the_time_zone_or_the_moment_asked() -> None:
    six = timedelta(hours=6)
    start = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    assert slot_start(datetime(2026, 12, 3, 6, 0, tzinfo=UTC), six) == start
    assert slot_start(datetime(2026, 12, 3, 11, 59, 59, tzinfo=UTC), six) == start
    paris = timezone(timedelta(hours=1))
    assert slot_start(datetime(2026, 12, 3, 8, 30, tzinfo=paris), six) == start
    assert slot_start(datetime(2026, 12, 3, 12, 0, tzinfo=UTC), six) == start + six
    assert slot_start(datetime(2026, 12, 3, 23, 59, tzinfo=UTC), timedelta(days=1)) == datetime(2026, 12, 3, tzinfo=UTC)


def test_one_delivery_id_per_repository_and_slot() -> None:
    slot = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    assert drift_delivery_id("acme/infra", slot) == "drift:acme/infra:2026-12-03T06:00:00Z"
    assert drift_delivery_id("acme/infra", slot) != drift_delivery_id("acme/other", slot)
    assert drift_delivery_id("acme/infra", slot) != drift_delivery_id("acme/infra", slot + timedelta(hours=6))
