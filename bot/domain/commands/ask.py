"""`/infra ask TEXT`: a request in plain words, the one command whose text runs on over later lines."""

from __future__ import annotations

import re
from typing import Final

from bot.domain.commands.comment import trimmed
from bot.domain.commands.types import PREFIX, Ask, Help, Reply

__all__ = ["ASK_EXAMPLE", "ask_usage", "parse_ask"]

ASK_EXAMPLE: Final = "ask a bucket for the billing exports, in Ireland, for dev"
# `/infra`, whitespace (a line break too), `ask` as a whole word, then everything after it.
_ASK: Final = re.compile(r"(?P<prefix>\S+)\s+ask(?=\s|\Z)(?P<text>.*)\Z", re.IGNORECASE | re.DOTALL)
_HELP_FLAGS: Final = ("-h", "--help")


def ask_usage() -> str:
    return f"`{PREFIX} ask TEXT` (`{PREFIX} {ASK_EXAMPLE}`)"


def parse_ask(text: str) -> Ask | Help | Reply | None:
    """The comment as `/infra ask`, or None when it is not one.

    `/infra apply` followed by "not yet" must never apply, so every other command stands alone; an ask only ever
    leads to proposals, so its request may take several lines. Only a comment wrapped in backticks as a whole is
    trimmed of them (as Atlantis trims commands): backticks that end the request are part of it.
    """
    comment = text.strip()
    if comment.startswith("`"):
        comment = trimmed(comment)
    match = _ASK.match(comment)
    if match is None or match["prefix"].lower() != PREFIX:
        return None
    request = match["text"].strip()
    if not request:
        return Reply(f"`{PREFIX} ask` needs a request in plain words after it, e.g. `{PREFIX} {ASK_EXAMPLE}`.")
    if request.lower() in _HELP_FLAGS:
        return Help("ask")
    return Ask(request)
