"""A command's one outcome comment, keyed by what it answers: a retried or re-run job edits it, never adds one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.render import render_reply
from bot.ports import CodeHost


@dataclass(frozen=True)
class ReplyTo:
    """Where the answer to one command (or one notice about a pull request) goes, and the key that finds it again.

    A job runs at least once: a worker killed after posting, or a GitHub call that took effect but timed out, runs it
    again. The answer carries a hidden marker with `key` and goes through the same upsert as the plan comment, so the
    second run finds the first one's comment and edits it in place.
    """

    codehost: CodeHost
    repo: str
    number: int
    key: str

    def say(self, text: str) -> None:
        self.codehost.upsert_comment(self.repo, self.number, self.key, render_reply(self.key, text))


def reply_key(payload: Mapping[str, Any], *, is_comment: bool) -> str:
    """The key of the answer to a command: the comment's id (or the issue's, for a command in an issue's body).

    GitHub's ids are unique and never reused, and a redelivery carries the same payload, so every delivery and every
    retry of one command finds the same answer.
    """
    if is_comment:
        return f"reply/comment-{int(payload['comment']['id'])}"
    return f"reply/issue-{int(payload['issue']['id'])}"


def notice_key(change_id: str, topic: str) -> str:
    """The key of a notice about a pull request that no command asked for (e.g. that a fork is not planned)."""
    return f"{change_id}/{topic}"
