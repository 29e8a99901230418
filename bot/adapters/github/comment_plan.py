"""Planning a sticky comment's update: the bot's existing parts for a key + the new parts → edits, creates, deletes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.render import marker_of

__all__ = ["CommentPlan", "ExistingComment", "plan_comment_update"]


@dataclass(frozen=True)
class ExistingComment:
    """A comment already on the issue: its id, author login and body."""

    id: int
    author: str
    body: str


@dataclass(frozen=True)
class CommentPlan:
    """What to do: edit (id, body) in place, create bodies in order, delete ids; `keep` are parts already right."""

    edits: tuple[tuple[int, str], ...]
    creates: tuple[str, ...]
    deletes: tuple[int, ...]
    keep: tuple[int, ...]
    # For each new part, in order: the id of the comment that will carry it, or None for one still to create.
    slots: tuple[int | None, ...]


def plan_comment_update(
    existing: Sequence[ExistingComment], key: str, parts: Sequence[str], bot_login: str | None
) -> CommentPlan:
    """The fewest calls that make the bot's comments for `key` read `parts`, in the order GitHub shows them.

    Comments are matched by the hidden marker at their start (bot.domain.render) and, when `bot_login` is known, by
    author, so a marker pasted by someone else is never touched. GitHub lists comments in creation order, so the
    oldest of ours carries part 1; a part beyond the ones we have is created after them, and extra ones are deleted.
    """
    ours = sorted(
        (
            c
            for c in existing
            if (bot_login is None or c.author.lower() == bot_login.lower())
            and (found := marker_of(c.body)) is not None
            and found[0] == key
        ),
        key=lambda c: c.id,
    )
    edits: list[tuple[int, str]] = []
    keep: list[int] = []
    slots: list[int | None] = []
    for comment, body in zip(ours, parts, strict=False):
        slots.append(comment.id)
        if comment.body == body:
            keep.append(comment.id)
        else:
            edits.append((comment.id, body))
    creates = tuple(parts[len(ours) :])
    slots += [None] * len(creates)
    deletes = tuple(c.id for c in ours[len(parts) :])
    return CommentPlan(tuple(edits), creates, deletes, tuple(keep), tuple(slots))
