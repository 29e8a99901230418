"""Work on a few threads: results in the items' order, never two conflicting items at once, and a failure anywhere
(the work, an end, Ctrl-C) stops the rest and abandons exactly what had begun and not ended."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest

from bot.services.ordered_pool import Begun, run_in_order


@dataclass
class Recorder:
    """The calls the pool made, and the work's own gates: each item's work waits until its gate opens."""

    gates: dict[str, threading.Event] = field(default_factory=dict)
    begun: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)
    settled: list[str] = field(default_factory=list)
    running: set[str] = field(default_factory=set)
    together: list[frozenset[str]] = field(default_factory=list)  # who was running each time one started
    lock: threading.Lock = field(default_factory=threading.Lock)

    def begin(self, item: str) -> Begun[str] | str:
        self.begun.append(item)
        if item.startswith("locked"):
            return f"{item}: needs no work"
        return Begun(item)

    def work(self, item: str) -> str:
        with self.lock:
            self.running.add(item)
            self.together.append(frozenset(self.running))
        try:
            gate = self.gates.get(item)
            if gate is not None:
                assert gate.wait(30), f"{item}'s gate never opened"
            if item.startswith("boom"):
                raise RuntimeError(f"{item} broke")
            return f"{item}: worked"
        finally:
            with self.lock:
                self.running.discard(item)

    def end(self, item: str, output: str) -> str:
        self.ended.append(item)
        return output + ", ended"

    def abandon(self, item: str) -> None:
        self.abandoned.append(item)

    def settle(self, item: str, result: str) -> None:
        self.settled.append(item)


def run(recorder: Recorder, items: list[str], limit: int = 2, **options: object) -> list[str]:
    return run_in_order(
        items,
        limit=limit,
        begin=recorder.begin,
        work=recorder.work,
        end=recorder.end,
        abandon=recorder.abandon,
        stop=threading.Event(),
        settled=recorder.settle,
        **options,  # type: ignore[arg-type]
    )


def test_results_come_in_the_items_order_whatever_order_the_work_ends_in() -> None:
    recorder = Recorder()
    recorder.gates["a"], recorder.gates["c"] = threading.Event(), threading.Event()
    ended_in_order: list[str] = []

    def end(item: str, output: str) -> str:
        ended_in_order.append(item)
        # b ends first and lets c go; c's end lets a go: the work ends b, c, a.
        {"b": recorder.gates["c"], "c": recorder.gates["a"]}.get(item, threading.Event()).set()
        return recorder.end(item, output)

    results = run_in_order(
        ["a", "b", "c", "locked-d"],
        limit=3,
        begin=recorder.begin,
        work=recorder.work,
        end=end,
        abandon=recorder.abandon,
        stop=threading.Event(),
        settled=recorder.settle,
    )
    assert ended_in_order == ["b", "c", "a"]
    assert results == ["a: worked, ended", "b: worked, ended", "c: worked, ended", "locked-d: needs no work"]
    assert sorted(recorder.settled) == ["a", "b", "c", "locked-d"]
    assert recorder.abandoned == []


def test_no_more_than_the_limit_and_never_two_conflicting_items_at_once() -> None:
    recorder = Recorder()
    items = ["x/1", "x/2", "y/1", "z/1", "x/3", "y/2"]
    results = run(recorder, items, limit=2, conflicts=lambda a, b: a.split("/")[0] == b.split("/")[0])
    assert results == [f"{item}: worked, ended" for item in items]
    assert all(len(running) <= 2 for running in recorder.together)
    for running in recorder.together:
        groups = [name.split("/")[0] for name in running]
        assert len(groups) == len(set(groups)), f"conflicting items ran together: {sorted(running)}"


def test_a_failing_work_stops_the_rest_and_abandons_what_had_begun() -> None:
    recorder = Recorder()
    with pytest.raises(RuntimeError, match="boom broke"):
        run_with_stop(recorder)
    assert "never" not in recorder.begun  # nothing begins once something failed
    assert sorted(recorder.abandoned) == ["boom", "slow"]  # begun, and neither ended
    assert recorder.ended == []


def run_with_stop(recorder: Recorder) -> list[str]:
    """slow, boom and never, two at a time: slow works until told to stop, boom fails, never waits its turn."""
    stop = threading.Event()

    def work(item: str) -> str:
        if item == "slow":
            assert stop.wait(30), "stop was never set"
        return recorder.work(item)

    return run_in_order(
        ["slow", "boom", "never"],
        limit=2,
        begin=recorder.begin,
        work=work,
        end=recorder.end,
        abandon=recorder.abandon,
        stop=stop,
    )


def test_an_interrupt_in_the_calling_thread_abandons_the_unended_and_keeps_the_ended() -> None:
    recorder = Recorder()
    recorder.gates["b"] = threading.Event()
    stop = threading.Event()

    def end(item: str, output: str) -> str:
        if item == "a":
            raise KeyboardInterrupt  # as if Ctrl-C came while a's result was being saved

        return recorder.end(item, output)

    def work(item: str) -> str:
        if item == "b":
            assert stop.wait(30), "stop was never set"
            recorder.gates["b"].set()
        return recorder.work(item)

    with pytest.raises(KeyboardInterrupt):
        run_in_order(
            ["a", "b", "c"],
            limit=2,
            begin=recorder.begin,
            work=work,
            end=end,
            abandon=recorder.abandon,
            stop=stop,
        )
    assert stop.is_set()
    assert sorted(recorder.abandoned) == ["a", "b"]  # a's end never returned; b was running
    assert "c" not in recorder.begun


def test_what_settled_raises_undoes_nothing_already_ended() -> None:
    recorder = Recorder()

    def settle(item: str, result: str) -> None:
        if item == "a":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_in_order(
            ["a"],
            limit=1,
            begin=recorder.begin,
            work=recorder.work,
            end=recorder.end,
            abandon=recorder.abandon,
            stop=threading.Event(),
            settled=settle,
        )
    assert recorder.ended == ["a"] and recorder.abandoned == []


def test_an_abandon_that_fails_does_not_hide_the_first_failure_nor_skip_the_others() -> None:
    recorder = Recorder()
    abandoned: list[str] = []

    def abandon(item: str) -> None:
        abandoned.append(item)
        if item == "a":
            raise OSError("the store is gone")

    def end(item: str, output: str) -> str:
        raise ValueError(f"{item} could not be saved")

    with pytest.raises(ValueError, match="could not be saved") as raised:
        run_in_order(
            ["a", "b"],
            limit=1,
            begin=recorder.begin,
            work=recorder.work,
            end=end,
            abandon=abandon,
            stop=threading.Event(),
        )
    assert abandoned == ["a"]  # b never began: limit 1, and a's end failed first
    assert any("the store is gone" in note for note in raised.value.__notes__)
