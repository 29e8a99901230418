"""A fix proposed as change-tool calls, run over the failed tree as the MCP server runs them, into the files they write.

The calls go through the tools' in-process call (bot/tools/in_process.py), so their argument checks, refusals and
error texts are the MCP tools' own. Each call sees the tree as the calls before it left it; nothing is written: what
comes back is the edits, which the loop checks and verifies like any patch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.changes.fixes.patch_rules import FileEdit
from bot.changes.overlay import Overlay
from bot.ports import RepoReader
from bot.services.fix_loop import RunTools, ToolRun
from bot.tools.in_process import ToolCallError, call_in_process
from bot.tools.proposal_tools import proposal_tools

__all__ = ["tool_runner"]


def tool_runner(reader: RepoReader) -> RunTools:
    """Run a fix's calls over `reader` (the failed tree): the files they write, or (a str) which call was refused
    and the tool's words why. (The fix tools change what exists, so no provider version is chosen: the
    generator's `installable` is not needed.)"""

    def run(calls: Sequence[Mapping[str, Any]]) -> ToolRun | str:
        written: dict[str, str | None] = {}  # path → its new text, None where a call deleted it
        commands: list[str] = []
        for number, call in enumerate(calls, start=1):
            name = str(call["tool"])
            tree = Overlay(reader, written)
            try:
                result = call_in_process(proposal_tools(tree), name, call["arguments"])
            except ToolCallError as failed:
                return f"call {number} ({name}) was refused: {_refusal_text(failed)}"
            except Exception as failed:  # as the MCP SDK answers any exception of a tool: an error result
                return f"call {number} ({name}) failed: Error executing tool {name}: {failed}"
            if result.get("unchanged"):
                return f"call {number} ({name}) changes nothing: {result.get('description', '')}".strip()
            for file in result.get("files", ()):
                written[file["path"]] = None if file["deleted"] else file["content"]
            commands.append(str(result.get("command", "")))
        edits = tuple(FileEdit(path, reader.read_text(path), text) for path, text in written.items())
        return ToolRun(edits, tuple(commands))

    return run


def _refusal_text(failed: ToolCallError) -> str:
    """The refusal's message and hint (the generator's), or the tool's error text (an argument's check)."""
    if failed.refusal is None:
        return str(failed)
    parts = [failed.refusal.get("message", ""), failed.refusal.get("hint", "")]
    said = " ".join(str(part) for part in parts if part)
    return said or json.dumps(failed.refusal)
