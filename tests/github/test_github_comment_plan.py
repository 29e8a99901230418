"""Planning a sticky comment's update from the bot's existing parts and the new ones."""

from __future__ import annotations

from bot.adapters.github.comment_plan import ExistingComment, plan_comment_update
from bot.domain.render import marker

BOT = "olympus[bot]"


def part(key: str, n: int, total: int, text: str = "") -> str:
    return f"{marker(key, n, total)}\n{text or f'part {n}'}"


def test_first_time_creates_every_part() -> None:
    plan = plan_comment_update([], "pr-7", [part("pr-7", 1, 2), part("pr-7", 2, 2)], BOT)
    assert plan.creates == (part("pr-7", 1, 2), part("pr-7", 2, 2))
    assert plan.edits == ()
    assert plan.deletes == ()
    assert plan.slots == (None, None)


def test_same_count_edits_in_place_and_keeps_unchanged_parts() -> None:
    existing = [ExistingComment(10, BOT, part("k", 1, 2)), ExistingComment(12, BOT, part("k", 2, 2, "old"))]
    plan = plan_comment_update(existing, "k", [part("k", 1, 2), part("k", 2, 2, "new")], BOT)
    assert plan.keep == (10,)
    assert plan.edits == ((12, part("k", 2, 2, "new")),)
    assert plan.creates == ()
    assert plan.deletes == ()
    assert plan.slots == (10, 12)


def test_more_parts_are_created_after_the_existing_ones() -> None:
    existing = [ExistingComment(10, BOT, part("k", 1, 1))]
    new = [part("k", 1, 3), part("k", 2, 3), part("k", 3, 3)]
    plan = plan_comment_update(existing, "k", new, BOT)
    assert plan.edits == ((10, new[0]),)
    assert plan.creates == (new[1], new[2])
    assert plan.slots == (10, None, None)


def test_fewer_parts_delete_the_surplus() -> None:
    existing = [ExistingComment(i, BOT, part("k", i - 9, 3)) for i in (10, 11, 12)]
    plan = plan_comment_update(existing, "k", [part("k", 1, 1)], BOT)
    assert plan.deletes == (11, 12)
    assert plan.slots == (10,)


def test_other_keys_other_authors_and_plain_comments_are_left_alone() -> None:
    existing = [
        ExistingComment(5, "mallory", part("k", 1, 1, "forged")),
        ExistingComment(6, BOT, part("other", 1, 1)),
        ExistingComment(7, BOT, "a plain comment"),
        ExistingComment(8, "Olympus[bot]", part("k", 1, 1, "ours")),
    ]
    plan = plan_comment_update(existing, "k", [part("k", 1, 1, "fresh")], BOT)
    assert plan.edits == ((8, part("k", 1, 1, "fresh")),)
    assert plan.deletes == ()
    assert plan.creates == ()


def test_order_follows_creation_not_the_part_number_written() -> None:
    # Two racing writers may have left part numbers out of order; GitHub shows comments by creation.
    existing = [ExistingComment(20, BOT, part("k", 2, 2)), ExistingComment(30, BOT, part("k", 1, 2))]
    plan = plan_comment_update(list(reversed(existing)), "k", [part("k", 1, 2), part("k", 2, 2)], BOT)
    assert plan.slots == (20, 30)
    assert plan.edits == ((20, part("k", 1, 2)), (30, part("k", 2, 2)))
