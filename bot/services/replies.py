"""A command's one outcome comment, keyed by what it answers: a retried or re-run job edits it, never adds one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.domain.markdown import code, fence
from bot.domain.render import render_reply
from bot.errors import UserError
from bot.ports import CodeHost


class Answer(Protocol):
    """Where a use case says how it ended: a ReplyTo, or one part of a reply made of several (ReplyInParts)."""

    @property
    def key(self) -> str: ...

    def say(self, text: str) -> None: ...


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


@dataclass
class ReplyInParts:
    """One reply made of a heading and a part per step (each change a request in plain words proposes).

    A step's say() rewrites its own part and upserts the whole reply, so every step answers in the one comment,
    edited in place; a retried job says the same parts again into the same comment.
    """

    reply: ReplyTo
    heading: str
    parts: list[str] = field(default_factory=list)

    def say_heading(self) -> None:
        self.reply.say(self._text())

    def part(self, index: int) -> ReplyPart:
        return ReplyPart(self, index)

    def set(self, index: int, text: str) -> None:
        self.parts += [""] * (index + 1 - len(self.parts))
        self.parts[index] = text
        self.reply.say(self._text())

    def _text(self) -> str:
        return "\n\n".join([self.heading, *(part for part in self.parts if part)])


@dataclass(frozen=True)
class ReplyPart:
    """Part `index` of a ReplyInParts; its key (for check runs' external ids) is the reply's with the part's number."""

    whole: ReplyInParts
    index: int

    @property
    def key(self) -> str:
        return f"{self.whole.reply.key}/{self.index + 1}"

    def say(self, text: str) -> None:
        self.whole.set(self.index, text)


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


def user_error_reply(error: UserError) -> str:
    """A refused command's answer: its code (as docs/errors.md lists it, as the CLI prints it), what is wrong, and
    how to fix it. The message may quote the request, so it is fenced; the hint is Olympus's own words."""
    hint = f"\n\n{error.hint}" if error.hint else ""
    return f"error[{code(error.reference)}]\n\n" + "\n".join(fence(error.message)) + hint
