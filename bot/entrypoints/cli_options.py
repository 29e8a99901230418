"""The options several `olympus` commands share (--repo, --sandbox, --branch, --base, --as, --format)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.entrypoints.terminal import OutputFormat
from bot.errors import UserError

HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}

RepoOpt = Annotated[
    Path, typer.Option("--repo", metavar="PATH", help="The git repository holding the infrastructure code.")
]
SandboxOpt = Annotated[
    bool, typer.Option("--sandbox", help="Run on the local AWS emulator: providers and state point at it.")
]
BranchOpt = Annotated[
    str | None,
    typer.Option(
        "--branch", metavar="BRANCH", help="The change's branch (default: the current one, else the latest change)."
    ),
]
BaseOpt = Annotated[
    str | None,
    typer.Option("--base", metavar="BRANCH", help="The base branch (default: origin's HEAD, main or master)."),
]
AsOpt = Annotated[
    str | None, typer.Option("--as", metavar="LOGIN", help="Who is asking (default: OLYMPUS_ACTOR or your login).")
]
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        metavar="auto|rich|markdown",
        help="How to print the plan: rich on a terminal and markdown when piped (auto), or always one of them.",
    ),
]
FORMATS = ("auto", "rich", "markdown")


def output_format(value: str) -> OutputFormat:
    """--format's value, or a UserError naming the accepted ones."""
    if value not in FORMATS:
        raise UserError("bad-format", f"--format {value!r} is not a format", "use --format auto, rich or markdown")
    return value  # type: ignore[return-value]
