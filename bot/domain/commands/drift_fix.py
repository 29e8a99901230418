"""The grammar of `/infra fix drift [restore|adopt]`: what to fix, and which way out of the drift."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bot.domain.commands.types import PREFIX, FixDrift, Reply
from bot.domain.commands.wording import closest, shown

FIX_USAGE: Final = f"`{PREFIX} fix drift [restore|adopt]`"
# The ways out, as WayOut (bot/domain/drift/way_out.py) names them.
WAYS: Final = ("restore", "adopt")
# What Olympus knows how to fix.
_FIXABLE: Final = ("drift",)


def parse_fix(words: Sequence[str]) -> FixDrift | Reply:
    """The words after `fix`: `drift`, then nothing (the issue's proposed way), `restore` or `adopt`."""
    if not words:
        return Reply(f"`{PREFIX} fix` needs what to fix: {FIX_USAGE}, commented in a drift issue.")
    what = words[0].lower()
    if what not in _FIXABLE:
        nearest = closest(what, _FIXABLE)
        if nearest:
            line = " ".join([PREFIX, "fix", nearest, *(w.lower() for w in words[1:2])])
            return Reply(f"Olympus fixes only drift: unknown `{shown(words[0])}`; did you mean `{line}`?")
        return Reply(f"Olympus fixes only drift; unexpected `{shown(words[0])}`. Usage: {FIX_USAGE}")
    rest = [word.lower() for word in words[1:]]
    if not rest:
        return FixDrift()
    if len(rest) > 1:
        return Reply(f"`{PREFIX} fix drift` takes one way out; unexpected `{shown(words[2])}`. Usage: {FIX_USAGE}")
    if rest[0] in WAYS:
        return FixDrift(rest[0])
    nearest = closest(rest[0], WAYS)
    if nearest:
        return Reply(f"unknown way out `{shown(words[1])}`; did you mean `{PREFIX} fix drift {nearest}`?")
    return Reply(
        f"unknown way out `{shown(words[1])}`: `restore` keeps the code and puts reality back, `adopt` changes the "
        f"code to match reality. Usage: {FIX_USAGE}"
    )
