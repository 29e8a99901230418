"""ReplyInParts: the changes a request in plain words proposes answer in one reply, a part each, edited in place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from bot.ports import CodeHost
from bot.services.replies import ReplyInParts, ReplyTo


class Comments:
    """The comments a CodeHost would hold, by key: each upsert replaces the text under its key."""

    def __init__(self) -> None:
        self.by_key: dict[str, str] = {}
        self.writes = 0

    def upsert_comment(self, repo: str, issue_number: int, key: str, parts: Sequence[str]) -> list[int]:
        self.by_key[key] = "\n".join(part.partition("\n")[2] for part in parts)  # without the hidden marker
        self.writes += 1
        return [1]


def reply(comments: Any) -> ReplyTo:
    return ReplyTo(cast(CodeHost, comments), "o/r", 7, "reply/issue-9")


def test_each_part_rewrites_only_its_own_section_of_one_reply() -> None:
    comments = Comments()
    whole = ReplyInParts(reply(comments), "Interpreted as:\n\n- `a`\n- `b`")
    whole.say_heading()
    assert comments.by_key == {"reply/issue-9": "Interpreted as:\n\n- `a`\n- `b`"}
    second, first = whole.part(1), whole.part(0)
    second.say("b: refused")
    first.say("a: opened #3")
    first.say("a: opened #3, planned")
    assert comments.by_key == {
        "reply/issue-9": "Interpreted as:\n\n- `a`\n- `b`\n\na: opened #3, planned\n\nb: refused"
    }
    # Each part's key names its own check runs; the comment's key stays the reply's.
    assert (first.key, second.key) == ("reply/issue-9/1", "reply/issue-9/2")


def test_a_retry_says_the_same_parts_into_the_same_comment() -> None:
    comments = Comments()
    for _ in range(2):
        whole = ReplyInParts(reply(comments), "Interpreted as:")
        whole.say_heading()
        whole.part(0).say("opened #3")
    assert comments.by_key == {"reply/issue-9": "Interpreted as:\n\nopened #3"}
