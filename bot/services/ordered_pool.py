"""Work on a few threads, begun and ended in the calling thread, with results in the items' order, not completion's.

The calling thread does everything that is not the work itself (for a plan: taking and releasing locks, writing the
store), so nothing but the work needs to be safe to run from several threads at once. The first exception or
KeyboardInterrupt, wherever it is raised, stops the rest: nothing more begins, the work running is told to stop
(the `stop` event) and awaited, and everything begun that did not end is abandoned before the exception goes on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")  # an item
S = TypeVar("S")  # what begin hands the work
O = TypeVar("O")  # noqa: E741  # what the work returns
R = TypeVar("R")  # an item's result


@dataclass(frozen=True)
class Begun(Generic[S]):
    """An item that was begun and needs its work done (else begin returns the item's result right away)."""

    state: S


def run_in_order(
    items: Sequence[T],
    *,
    limit: int,
    begin: Callable[[T], Begun[S] | R],
    work: Callable[[S], O],
    end: Callable[[S, O], R],
    abandon: Callable[[S], None],
    stop: threading.Event,
    conflicts: Callable[[T, T], bool] = lambda a, b: False,
    settled: Callable[[T, R], None] = lambda item, result: None,
) -> list[R]:
    """Each item's result, in the items' order.

    `begin` (calling thread) begins an item and returns Begun, or its result when it needs no work; `work` (a worker
    thread) does it, and should return early once `stop` is set; `end` (calling thread) makes the result of what
    the work returned; `abandon` (calling thread) undoes a begun item whose end did not return; `settled` (calling
    thread) hears of each result once it is final, so whatever it raises undoes nothing. At most `limit` items
    are worked on at once, never two that conflict; an item waits for a conflicting one, later items may pass it.
    """
    results: dict[int, R] = {}
    pending = list(range(len(items)))
    running: dict[Future[O], int] = {}
    begun: dict[int, S] = {}  # begun and not ended, so abandoned if anything goes wrong
    pool = ThreadPoolExecutor(max_workers=max(1, limit), thread_name_prefix="olympus-work")
    try:
        while pending or running:
            for index in _startable(items, pending, list(running.values()), limit, conflicts):
                pending.remove(index)
                started = begin(items[index])
                if isinstance(started, Begun):
                    begun[index] = started.state
                    running[pool.submit(work, started.state)] = index
                else:
                    results[index] = started
                    settled(items[index], started)
            if not running:
                continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=running.__getitem__):
                index = running.pop(future)
                output = future.result()  # the work's exception is raised here, and stops everything
                results[index] = end(begun[index], output)
                del begun[index]
                settled(items[index], results[index])
    except BaseException as exc:
        stop.set()
        _settle(list(running))
        failed = _abandon_all([begun[index] for index in sorted(begun)], abandon)
        if failed is not None:
            exc.add_note(f"undoing what had begun failed too: {failed!r}")
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return [results[index] for index in range(len(items))]


def _startable(
    items: Sequence[T],
    pending: list[int],
    running: list[int],
    limit: int,
    conflicts: Callable[[T, T], bool],
) -> list[int]:
    """The pending items to start now, in order: as many as there are free workers, none conflicting."""
    active = [items[index] for index in running]
    chosen: list[int] = []
    for index in pending:
        if len(active) >= max(1, limit):
            break
        item = items[index]
        if any(conflicts(item, other) or conflicts(other, item) for other in active):
            continue
        active.append(item)
        chosen.append(index)
    return chosen


def _settle(futures: list[Future[O]]) -> None:
    """Wait for the running work to return (it was told to stop); a second Ctrl-C does not leave it behind."""
    while True:
        try:
            wait(futures)
            return
        except KeyboardInterrupt:
            continue


def _abandon_all(states: list[S], abandon: Callable[[S], None]) -> BaseException | None:
    """Abandon every begun item, even when abandoning one fails; the first failure is returned."""
    failure: BaseException | None = None
    for state in states:
        try:
            abandon(state)
        except BaseException as exc:  # noqa: BLE001 - the others must still be abandoned
            failure = failure or exc
    return failure
