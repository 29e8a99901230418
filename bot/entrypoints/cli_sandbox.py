"""`olympus sandbox`: the local AWS emulator that --sandbox starts."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.entrypoints.cli_options import RepoOpt

__all__ = ["sandbox_app"]

sandbox_app = typer.Typer(help="The local AWS emulator used by --sandbox.", no_args_is_help=True)


@sandbox_app.command("stop")
def sandbox_stop(repo: RepoOpt = Path(".")) -> None:
    """Stop the repository's local AWS emulator (what was applied on it goes with it)."""
    from bot.entrypoints.local_setup import stop_sandbox

    raise typer.Exit(stop_sandbox(repo))


@sandbox_app.command("reset")
def sandbox_reset(repo: RepoOpt = Path(".")) -> None:
    """Forget what a stopped emulator held, so --sandbox plans start from its empty state."""
    from bot.entrypoints.local_setup import reset_sandbox

    raise typer.Exit(reset_sandbox(repo))
