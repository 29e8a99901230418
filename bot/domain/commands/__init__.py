"""The `/infra` slash commands: parse a comment into a Command, a Reply or nothing, and render one back to text.

One module per concern: `types` (what a comment can mean), `comment` (trimming and splitting into words, as
Atlantis does), `grammar` (verbs), `changes` and `kinds/` (create/update/destroy and each kind's options), `apps`
(Helm releases Argo CD deploys: create app, helm set|upgrade, sync), `run_flags` (plan, apply, import, state rm),
`drift_fix` (`fix drift` in a drift issue), `ask` (a request in plain words), `requests` (validation shared with the
MCP tools), `rendering`, `wording` and `help` (per door).
"""

from __future__ import annotations

from bot.domain.commands.comment import MAX_LINE, MAX_TOKEN
from bot.domain.commands.grammar import UNREADABLE, VERBS, parse, parse_request
from bot.domain.commands.help import HELP_TEXT, TOPICS, Door, help_text
from bot.domain.commands.kinds import DEFAULT_OPTIONS, LAMBDA_RUNTIMES
from bot.domain.commands.rendering import quote_word, render_command, to_tool_call
from bot.domain.commands.requests import build_request
from bot.domain.commands.run_flags import ATLANTIS_BLOCKED_EXTRA_ARGS, BLOCKED_EXTRA_ARGS
from bot.domain.commands.types import (
    PREFIX,
    Apply,
    ApprovePolicies,
    Ask,
    ChangeCommand,
    Command,
    Create,
    CreateApp,
    Destroy,
    Diagnose,
    FixDrift,
    Help,
    Import,
    Invalid,
    NotForMe,
    Plan,
    Reply,
    RunsTerraform,
    SetValues,
    StateRm,
    Status,
    Sync,
    Target,
    Unlock,
    Update,
    UpgradeChart,
)

__all__ = [
    "ATLANTIS_BLOCKED_EXTRA_ARGS",
    "BLOCKED_EXTRA_ARGS",
    "DEFAULT_OPTIONS",
    "HELP_TEXT",
    "LAMBDA_RUNTIMES",
    "MAX_LINE",
    "MAX_TOKEN",
    "PREFIX",
    "TOPICS",
    "UNREADABLE",
    "VERBS",
    "Apply",
    "Ask",
    "ChangeCommand",
    "Command",
    "Create",
    "CreateApp",
    "Destroy",
    "Diagnose",
    "Door",
    "FixDrift",
    "Help",
    "Import",
    "Invalid",
    "NotForMe",
    "Plan",
    "Reply",
    "RunsTerraform",
    "SetValues",
    "StateRm",
    "Status",
    "Sync",
    "Target",
    "Unlock",
    "ApprovePolicies",
    "Update",
    "UpgradeChart",
    "build_request",
    "help_text",
    "parse",
    "parse_request",
    "quote_word",
    "render_command",
    "to_tool_call",
]
