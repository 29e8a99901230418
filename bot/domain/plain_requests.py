"""Which comments and issues are requests in plain words: `/infra ask`, a comment to the App, a labelled issue."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from bot.domain.commands import Ask, Command, Help, NotForMe, Reply, parse, parse_request

__all__ = ["DEFAULT_MENTION", "REQUEST_LABEL", "after_mention", "comment_request", "in_words", "issue_request"]

# The App's slug, as people mention it: a comment that starts with "@olympus" is addressed to Olympus.
DEFAULT_MENTION: Final = "olympus"
# The label of the issue form the onboarding pull request adds (.github/ISSUE_TEMPLATE/infra-request.yml).
REQUEST_LABEL: Final = "infra-request"
_HELP_WORDS: Final = ("", "help", "-h", "--help", "?")


def comment_request(body: str, mention: str = DEFAULT_MENTION) -> Command | Reply | NotForMe:
    """What a comment asks for: the command as typed; Ask for `/infra ask ...` or a comment that starts with
    `@mention`. The grammar reads first, so a comment that is a command never becomes a request in words."""
    parsed = parse(body)
    if isinstance(parsed, Ask):
        return in_words(parsed.text)
    if not isinstance(parsed, NotForMe):
        return parsed
    rest = after_mention(body, mention)
    if rest is None:
        return NotForMe()
    # "@olympus" alone or "@olympus help" wants the commands, not a model's reading of one word.
    return Help() if rest.strip().lower() in _HELP_WORDS else in_words(rest)


def issue_request(body: str, labels: Iterable[str]) -> Command | Reply | NotForMe:
    """What a new issue asks for: its first line as a command; else, when it has the `infra-request` label, the
    whole body in words (the issue form renders each field as `### Field` and its value; all of it is the request)."""
    parsed = parse_request(body)
    if isinstance(parsed, Ask):
        return in_words(parsed.text)
    if not isinstance(parsed, NotForMe) or REQUEST_LABEL not in {label.strip().lower() for label in labels}:
        return parsed
    return in_words(body)


def in_words(text: str) -> Command | Reply:
    """Ask(text), unless text is itself a command (run as typed) or the grammar's reply to a mistyped one."""
    text = text.strip()
    parsed = parse(text)
    while isinstance(parsed, Ask):  # `/infra ask /infra ask ...`: each is only the words after it
        text = parsed.text
        parsed = parse(text)
    return Ask(text) if isinstance(parsed, NotForMe) else parsed


def after_mention(body: str, mention: str) -> str | None:
    """The comment after its leading `@mention` (or `@mention[bot]`), or None when it does not start with one."""
    match = re.match(rf"@{re.escape(mention)}(?:\[bot\])?(?![\w-])[\s,:;]*", body.strip(), re.IGNORECASE)
    return None if match is None else body.strip()[match.end() :]
