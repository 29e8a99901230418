"""The stopwatch's split stays true when work overlaps: per kind, wall time with any of it running; the overlap once."""

from __future__ import annotations

import pytest

from bot.services import stopwatch as stopwatch_module
from bot.services.stopwatch import Stopwatch


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_overlapping_work_is_counted_once_per_kind_and_the_split_adds_up(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr(stopwatch_module.time, "monotonic", clock)
    watch = Stopwatch(started=clock.now)
    plan_a, plan_b, scan = watch.timing("terraform"), watch.timing("terraform"), watch.timing("scanners")
    clock.now = 101.0
    plan_a.__enter__()  # terraform 101-105
    scan.__enter__()  # scanners 101-108
    clock.now = 102.0
    plan_b.__enter__()  # terraform 102-106: inside the first plan's time but for one second
    clock.now = 105.0
    plan_a.__exit__(None, None, None)
    clock.now = 106.0
    plan_b.__exit__(None, None, None)
    clock.now = 108.0
    scan.__exit__(None, None, None)
    clock.now = 110.0
    split = watch.split()
    assert split["terraform"] == pytest.approx(5.0)  # 101-106, not 4 + 4
    assert split["scanners"] == pytest.approx(7.0)
    assert split["overlap"] == pytest.approx(5.0)  # 101-106: both kinds at once
    assert split["olympus"] == pytest.approx(3.0)  # 100-101 and 108-110
    assert split["total"] == pytest.approx(10.0)
    assert split["terraform"] + split["scanners"] - split["overlap"] + split["olympus"] == pytest.approx(10.0)


def test_work_still_running_counts_up_to_now(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr(stopwatch_module.time, "monotonic", clock)
    watch = Stopwatch(started=clock.now)
    with watch.timing("emulator"):
        clock.now = 102.0
        assert watch.split()["emulator"] == pytest.approx(2.0)
    assert watch.split() == {"emulator": 2.0, "overlap": 0.0, "olympus": 0.0, "total": 2.0}
