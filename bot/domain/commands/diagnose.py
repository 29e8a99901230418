"""The grammar of `/infra diagnose [-p PROJECT]`: ask the fix loop for a failing plan's diagnosis and a fix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bot.domain.commands.types import PREFIX, Diagnose, Reply
from bot.domain.commands.wording import shown

DIAGNOSE_USAGE: Final = f"`{PREFIX} diagnose [-p PROJECT]`"
_PROJECT_FLAGS: Final = ("-p", "--project")


def parse_diagnose(words: Sequence[str]) -> Diagnose | Reply:
    """The words after `diagnose`: nothing, or `-p NAME` (also `--project NAME`, `--project=NAME`)."""
    rest = list(words)
    if not rest:
        return Diagnose()
    flag, equals, inline = rest[0].partition("=")
    if flag not in _PROJECT_FLAGS:
        return Reply(
            f"`{PREFIX} diagnose` takes only `-p PROJECT`; unexpected `{shown(rest[0])}`. Usage: {DIAGNOSE_USAGE}"
        )
    values = [inline] if equals else rest[1:2]
    extra = rest[1:] if equals else rest[2:]
    if not values or not values[0] or values[0].startswith("-"):
        return Reply(f"`{flag}` needs a project's name (or directory). Usage: {DIAGNOSE_USAGE}")
    if extra:
        return Reply(f"diagnose one project per command; unexpected `{shown(extra[0])}`. Usage: {DIAGNOSE_USAGE}")
    return Diagnose(values[0])
