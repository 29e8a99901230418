"""What became of the offered fixes: a person took one (or let it go), and whether the next apply of it held.

The evaluation store's `accepted` and `next_apply_ok` are filled in here, by every door: the App on a pull
request's new head, its close and its fix pull request's close; the CLI before a plan or apply of the branch; every
apply once it ends. A mark is set once: an event seen again (a redelivery) finds nothing left to mark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bot.domain.fixes.acceptance import PULL_REQUEST, fix_landed, offer_of
from bot.domain.fixes.attempts import FixAttempt
from bot.ports import Store


def note_offer(store: Store, attempt_ids: Iterable[int], offer: Mapping[str, Any]) -> None:
    """Keep how and where the verified fix (the loop's last attempt) was offered, so its acceptance can be found."""
    verified = list(attempt_ids)[-1:]
    for attempt_id in verified:
        store.note_fix_offer(attempt_id, offer)


def mark_landed_fixes(
    store: Store,
    repo: str,
    change_id: str,
    read_text: Callable[[str], str | None],
    *,
    contains: Callable[[str], bool] = lambda commit: False,
) -> list[int]:
    """Mark accepted each pending fix of the change that its head now holds: the fix's commit is in it, or its
    lines are in the head's files (suggestions committed, a fix merged or copied by hand); the ids marked."""
    marked: list[int] = []
    for attempt in _pending(store, repo, change_id):
        commit = str(offer_of(attempt.extra).get("commit") or "")
        if (commit and contains(commit)) or fix_landed(attempt.patch, read_text):
            marked += _mark(store, attempt, accepted=True)
    return marked


def mark_fix_pull_request(store: Store, repo: str, change_id: str, number: int, *, merged: bool) -> list[int]:
    """The fix pull request `number` into the change's branch was closed: accepted when merged, refused if not."""
    marked: list[int] = []
    for attempt in _pending(store, repo, change_id):
        offer = offer_of(attempt.extra)
        if offer.get("how") == PULL_REQUEST and offer.get("number") == number:
            marked += _mark(store, attempt, accepted=merged)
    return marked


def let_go_fixes(store: Store, repo: str, change_id: str) -> list[int]:
    """The change was closed or merged without taking its pending fixes: each is marked not accepted."""
    marked: list[int] = []
    for attempt in _pending(store, repo, change_id):
        marked += _mark(store, attempt, accepted=False)
    return marked


def mark_next_apply(
    store: Store, repo: str, change_id: str, *, applied: Iterable[str], failed: Iterable[str] = ()
) -> list[int]:
    """An apply of the change ended: each accepted fix of a project (by directory) it applied held, one of a project
    whose apply failed did not; a project it did not reach keeps waiting. The ids marked."""
    held, broke = set(applied), set(failed)
    marked: list[int] = []
    for attempt in store.offered_fix_attempts(repo, change_id):
        if attempt.accepted is not True or attempt.next_apply_ok is not None or attempt.id is None:
            continue
        if attempt.project in held or attempt.project in broke:
            store.mark_fix_outcome(attempt.id, next_apply_ok=attempt.project in held)
            marked.append(attempt.id)
    return marked


def _pending(store: Store, repo: str, change_id: str) -> list[FixAttempt]:
    return [a for a in store.offered_fix_attempts(repo, change_id) if a.accepted is None and a.id is not None]


def _mark(store: Store, attempt: FixAttempt, *, accepted: bool) -> list[int]:
    attempt_id = int(attempt.id or 0)  # _pending keeps only recorded attempts
    store.mark_fix_outcome(attempt_id, accepted=accepted)
    return [attempt_id]
