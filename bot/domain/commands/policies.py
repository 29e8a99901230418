"""The grammar of `/infra approve_policies [--policy-set NAME]`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from bot.domain.commands.types import PREFIX, ApprovePolicies, Reply
from bot.domain.commands.wording import shown

APPROVE_POLICIES_USAGE: Final = f"`{PREFIX} approve_policies [--policy-set NAME]`"
_SET_NAME: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


def parse_approve_policies(words: Sequence[str]) -> ApprovePolicies | Reply:
    """The words after `approve_policies`: nothing, or `--policy-set NAME` (also `--policy-set=NAME`)."""
    rest = list(words)
    if not rest:
        return ApprovePolicies()
    flag, _, inline = rest[0].partition("=")
    if flag != "--policy-set":
        return Reply(
            f"`{PREFIX} approve_policies` takes only `--policy-set NAME`; unexpected `{shown(rest[0])}`. "
            f"Usage: {APPROVE_POLICIES_USAGE}"
        )
    values = [inline] if inline else rest[1:2]
    extra = rest[1:] if inline else rest[2:]
    if not values or not values[0]:
        return Reply(f"`--policy-set` needs a policy set's name. Usage: {APPROVE_POLICIES_USAGE}")
    if extra:
        return Reply(
            f"approve one policy set per command; unexpected `{shown(extra[0])}`. Usage: {APPROVE_POLICIES_USAGE}"
        )
    if not _SET_NAME.fullmatch(values[0]):
        return Reply(f"`{shown(values[0])}` is not a policy set's name (lowercase letters, digits, `-` and `_`).")
    return ApprovePolicies(values[0])
