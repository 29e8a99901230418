"""Replies carry the hidden marker that finds them again; an unscanned plan says so where its findings would be."""

from __future__ import annotations

from bot.domain.render import CommentReport, marker_of, render_comment, render_reply


def test_a_reply_is_found_again_by_its_key() -> None:
    [part] = render_reply("reply/comment-42", "Released 2 lock(s).")
    assert marker_of(part) == ("reply/comment-42", 1)
    assert part.endswith("\nReleased 2 lock(s).")


def test_a_long_reply_is_split_into_keyed_parts() -> None:
    parts = render_reply("reply/issue-7", "\n".join(f"line {n} " + "x" * 80 for n in range(2_000)), limit=60_000)
    assert len(parts) > 1 and all(marker_of(p) == ("reply/issue-7", n) for n, p in enumerate(parts, 1))


def test_an_unscanned_plan_says_nothing_was_scanned() -> None:
    warned = "\n".join(render_comment(CommentReport(key="o/r#1", head_sha="a" * 40, unscanned=True)))
    assert "Not scanned" in warned and "OLYMPUS_SCANNERS=none" in warned
    quiet = "\n".join(render_comment(CommentReport(key="o/r#1", head_sha="a" * 40, scanners=("checkov",))))
    assert "Not scanned" not in quiet and "checkov found nothing" in quiet
