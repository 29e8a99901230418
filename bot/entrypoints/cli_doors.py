"""`olympus serve`, `olympus action` and `olympus doctor`: the App's, the Action's and the cloud roles' commands."""

from __future__ import annotations

import os
from typing import Annotated

import typer

__all__ = ["action", "doctor", "serve"]


def serve(
    host: Annotated[str, typer.Option("--host", help="The address to listen on (0.0.0.0 in a container).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", help="The port to listen on.")] = 8080,
    workers: Annotated[int, typer.Option("--workers", help="Worker threads taking queued jobs (0: none).")] = 2,
) -> None:
    """Run the GitHub App: the webhook endpoint and the workers (settings from OLYMPUS_* or .env)."""
    from bot.entrypoints.serve import serve as serve_app

    serve_app(host, port, workers)


def action() -> None:
    """Inside GitHub Actions: read the event and plan (or apply) the pull request; outputs, summary, annotations."""
    from bot.entrypoints.action import run_action

    raise typer.Exit(run_action())


def doctor(
    plan_role: Annotated[str, typer.Option("--plan-role", help="The plan role's ARN (read-only, trusts PRs).")],
    apply_role: Annotated[str, typer.Option("--apply-role", help="The apply role's ARN (trusts the Environment).")],
    repo: Annotated[str, typer.Option("--repo", help="The GitHub repository, OWNER/REPO.")],
    environment: Annotated[
        str, typer.Option("--environment", help="The GitHub Environment that guards apply.")
    ] = "production",
    print_trust_policy: Annotated[
        bool,
        typer.Option("--print-trust-policy", help="Print the two roles' correct trust policies as JSON, and stop."),
    ] = False,
    github_token_env: Annotated[
        str, typer.Option("--github-token-env", help="The environment variable holding the GitHub token.")
    ] = "GITHUB_TOKEN",  # noqa: S107 - the name of a variable, not a token
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="The base branch to check (default: the repository's default), and the one whose scheduled drift "
            "check the plan role trusts (default: main).",
        ),
    ] = None,
    skip_github: Annotated[
        bool, typer.Option("--skip-github", help="Check only the AWS roles, not the base branch's protection.")
    ] = False,
) -> None:
    """Check the plan and apply roles' trust policies and permissions and the base branch; a fix for each problem."""
    from bot.entrypoints.doctor import run_doctor

    raise typer.Exit(
        run_doctor(
            plan_role,
            apply_role,
            repo,
            environment,
            print_trust_policy,
            base_branch=base,
            # The token's name, not the token, is the option: a token on the command line lands in shell history.
            github_token=os.environ.get(github_token_env),
            skip_github=skip_github,
        )
    )
