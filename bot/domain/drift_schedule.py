"""The App's drift schedule: the interval setting (`24h`, `30m`, `off`), its slots, and one job's name per slot."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

# The queue's event and action for a scheduled check (its job.kind is "schedule.drift"); GitHub sends no
# "schedule" webhook, and the endpoint queues only the events it handles, so no delivery can pose as one.
DRIFT_EVENT = "schedule"
DRIFT_ACTION = "drift"
DRIFT_JOB_KIND = f"{DRIFT_EVENT}.{DRIFT_ACTION}"
DEFAULT_DRIFT_INTERVAL = "24h"
OFF = "off"
# Shorter than this, checks of a large repository would overlap and pile up behind its mutex.
MIN_INTERVAL = timedelta(minutes=10)
# Slots are counted from the epoch, so every replica, whenever it started, cuts time at the same instants.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PART = re.compile(r"(\d+)([dhms])")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_interval(text: str) -> timedelta | None:
    """`24h`, `6h`, `30m`, `1d`, `1h30m` as a timedelta; `off` as None; ValueError saying why for anything else."""
    value = text.strip().lower()
    if value == OFF:
        return None
    parts = _PART.findall(value)
    if not value or "".join(n + u for n, u in parts) != value:
        raise ValueError(f"{text.strip()[:40]!r} is not a duration such as 24h, 6h or 30m, nor off")
    interval = sum((timedelta(**{_UNITS[unit]: int(n)}) for n, unit in parts), timedelta())
    if interval < MIN_INTERVAL:
        raise ValueError(f"{text.strip()} is shorter than the shortest interval, {_render(MIN_INTERVAL)}")
    return interval


def slot_start(now: datetime, interval: timedelta) -> datetime:
    """The start of the interval `now` falls in: floor(now / interval), counted from the epoch, in UTC."""
    slots = (now.astimezone(UTC) - _EPOCH) // interval
    return _EPOCH + slots * interval


def drift_delivery_id(repo: str, slot: datetime) -> str:
    """The job's delivery id for repo's check in the slot starting at `slot`: every replica's enqueue of the same
    slot names the same job, and the queue's unique delivery id keeps only the first."""
    return f"drift:{repo}:{slot.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def _render(interval: timedelta) -> str:
    return f"{int(interval.total_seconds() // 60)}m"
