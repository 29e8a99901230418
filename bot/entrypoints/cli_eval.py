"""`olympus eval`: measuring how well Olympus reads requests in plain words, and how its fixes fare."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["eval_app"]

eval_app = typer.Typer(help="Measure how well Olympus reads requests and fixes failures.", no_args_is_help=True)


@eval_app.command("nl")
def eval_nl(
    cases: Annotated[
        Path, typer.Argument(metavar="CASES.yaml", help="The cases: requests and what each should become.")
    ],
    tools: Annotated[
        str,
        typer.Option(
            "--tools", metavar="all|routed", help="How the tools are offered: all at once, or routed (a domain first)."
        ),
    ] = "all",
    replay: Annotated[
        Path | None, typer.Option("--replay", metavar="DIR", help="Replay each case's answers from DIR/<id>.yaml.")
    ] = None,
    record: Annotated[
        Path | None, typer.Option("--record", metavar="DIR", help="Record each case's live answers to DIR/<id>.yaml.")
    ] = None,
    output: Annotated[
        str, typer.Option("--format", metavar="markdown|json", help="The report: markdown tables, or JSON.")
    ] = "markdown",
    repo: Annotated[
        Path | None,
        typer.Option("--repo", metavar="PATH", help="Start from this repository's default branch (else empty)."),
    ] = None,
) -> None:
    """Run each case's request through the interpreter and report right tool, arguments, asks, refusals, cost."""
    from bot.entrypoints.local_eval import evaluate_requests

    raise typer.Exit(evaluate_requests(cases, tools=tools, replay=replay, record=record, output=output, repo=repo))


@eval_app.command("fixes")
def eval_fixes(
    repo: Annotated[Path, typer.Option("--repo", metavar="PATH", help="The repository whose store to read.")] = Path(
        "."
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Report the fix loop's attempts per failure class: verified, accepted, applied, and the success rate."""
    from bot.entrypoints.local_eval_fixes import report_fixes

    raise typer.Exit(report_fixes(repo, as_json=as_json))
