"""The `olympus` command line: the local loop, the demo, and the App, Action, MCP and doctor doors."""

from __future__ import annotations

import gc
import importlib
import os
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer

from bot.errors import UserError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Olympus: /infra requests become reviewed, planned, scanned and gated Terraform changes.",
)
sandbox_app = typer.Typer(help="The local AWS emulator used by --sandbox.", no_args_is_help=True)
app.add_typer(sandbox_app, name="sandbox")

RepoOpt = Annotated[Path, typer.Option("--repo", help="The git repository holding the infrastructure code.")]
SandboxOpt = Annotated[bool, typer.Option("--sandbox", help="Point providers and state at the local AWS emulator.")]
BranchOpt = Annotated[
    str | None, typer.Option("--branch", help="The change's branch (default: the current one, else the latest change).")
]
BaseOpt = Annotated[
    str | None, typer.Option("--base", help="The base branch (default: origin's HEAD, main or master).")
]
AsOpt = Annotated[str | None, typer.Option("--as", help="Who is asking (default: OLYMPUS_ACTOR or your login).")]


@app.command()
def demo(
    dir: Annotated[
        Path | None, typer.Option("--dir", help="Where to make the demo repository (default: a temp dir).")
    ] = None,
) -> None:
    """Play the whole loop offline: request → branch → plan → scans → comment → approval → apply → bucket."""
    # Start-up loads ~200k objects that live as long as the process (MCP's and pydantic's models, SQLAlchemy,
    # Alembic), and every full garbage collection would walk them again: ~0.4 s over the demo, most of it in the
    # emulator's threads. So no collection while they load, then freeze them so that later collections skip them.
    # The store's modules are loaded here, though the demo opens its store later, to be frozen with the rest.
    gc.disable()
    try:
        from bot.entrypoints.demo import run_demo

        importlib.import_module("bot.adapters.sqlstore")
    finally:
        gc.enable()
    gc.freeze()
    run_demo(dir)


@app.command()
def run(
    request: Annotated[
        str, typer.Argument(help='The request, e.g. "/infra create bucket logs-archive region=eu-west-1".')
    ],
    repo: RepoOpt = Path("."),
    sandbox: SandboxOpt = False,
    base: BaseOpt = None,
    actor: AsOpt = None,
) -> None:
    """Turn an /infra request into a branch with the change, then plan and scan it and write the comment."""
    from bot.entrypoints import local_commands

    raise typer.Exit(local_commands.run_request(repo, request, sandbox=sandbox, base=base, actor=actor))


@app.command()
def plan(
    repo: RepoOpt = Path("."),
    sandbox: SandboxOpt = False,
    branch: BranchOpt = None,
    base: BaseOpt = None,
    actor: AsOpt = None,
) -> None:
    """Plan and scan every project the branch changes, and write the comment."""
    from bot.entrypoints import local_commands

    raise typer.Exit(local_commands.plan_branch(repo, sandbox=sandbox, branch=branch, base=base, actor=actor))


@app.command()
def approve(
    by: Annotated[str, typer.Option("--by", help="Who approves the branch's head commit.")],
    repo: RepoOpt = Path("."),
    branch: BranchOpt = None,
    base: BaseOpt = None,
) -> None:
    """Record an approval of the branch's current head commit."""
    from bot.entrypoints import local_commands

    raise typer.Exit(local_commands.approve_branch(repo, by=by, branch=branch, base=base))


@app.command()
def apply(
    repo: RepoOpt = Path("."),
    sandbox: SandboxOpt = False,
    branch: BranchOpt = None,
    base: BaseOpt = None,
    approved_by: Annotated[
        str | None, typer.Option("--approved-by", help="Record this person's approval of the head commit first.")
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Apply the saved plans of the branch, only through the gate."""
    from bot.entrypoints import local_commands

    raise typer.Exit(
        local_commands.apply_branch(
            repo, sandbox=sandbox, branch=branch, base=base, approved_by=approved_by, actor=actor
        )
    )


@app.command()
def summarize(
    plan_file: Annotated[
        Path, typer.Argument(help="A `terraform show -json` output file (several documents allowed).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Summarize a plan: counts as JSON, or the comment's markdown."""
    from bot.entrypoints import local_commands

    raise typer.Exit(local_commands.summarize_file(plan_file, as_json=as_json))


@app.command()
def status(repo: RepoOpt = Path(".")) -> None:
    """Show locks, saved plans and the latest audit entries."""
    from bot.entrypoints import local_commands

    raise typer.Exit(local_commands.show_status(repo))


@app.command()
def unlock(repo: RepoOpt = Path("."), branch: BranchOpt = None, base: BaseOpt = None) -> None:
    """Release the branch's project locks and discard its plans."""
    from bot.entrypoints import local_commands

    raise typer.Exit(local_commands.unlock_branch(repo, branch=branch, base=base))


@app.command()
def mcp(repo: RepoOpt = Path(".")) -> None:
    """Serve the change tools over MCP on stdio (they propose files; they never apply)."""
    from bot.entrypoints import local_commands

    raise typer.Exit(local_commands.serve_mcp(repo))


@app.command()
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


@app.command()
def action() -> None:
    """Inside GitHub Actions: read the event and plan (or apply) the pull request; outputs, summary, annotations."""
    from bot.entrypoints.action import run_action

    raise typer.Exit(run_action())


@app.command()
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
        str | None, typer.Option("--base", help="The base branch to check (default: the repository's default).")
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


@sandbox_app.command("stop")
def sandbox_stop(repo: RepoOpt = Path(".")) -> None:
    """Stop the repository's local AWS emulator."""
    from bot.entrypoints import local_commands

    raise typer.Exit(local_commands.stop_sandbox(repo))


def main(argv: list[str] | None = None) -> int:
    """Run the CLI: exit 0 on success, 2 on a user error (no traceback), 1 on a fault."""
    try:
        return _run(argv)
    finally:
        # The process ends when main returns. The interpreter's last garbage collections would walk every object
        # the libraries loaded (MCP's and pydantic's models, SQLAlchemy, moto: ~300k) only to free memory the OS
        # reclaims anyway, ~0.6 s of the demo's wall time; frozen objects are skipped. Nothing else changes:
        # atexit handlers, weakref finalizers and the flushing of stdout and stderr still run.
        gc.freeze()


def _run(argv: list[str] | None) -> int:
    from bot.adapters.localgit import NotARepository

    try:
        # Without standalone mode, click returns an Exit's code instead of raising it.
        result = app(args=argv, standalone_mode=False, prog_name="olympus")
    except typer.Exit as done:
        return int(done.exit_code)
    except typer.Abort:
        print("olympus: aborted", file=sys.stderr)
        return 1
    except typer.TyperException as exc:  # usage errors: unknown command, bad option, missing argument
        show = getattr(exc, "show", None)
        if callable(show):
            show(file=sys.stderr)
        else:
            print(f"olympus: {exc}", file=sys.stderr)
        return int(getattr(exc, "exit_code", 2))
    except UserError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except NotARepository as exc:
        print(f"error[not-a-repository]: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("olympus: interrupted", file=sys.stderr)
        return 1
    except Exception as exc:  # a fault: say what failed; the traceback only on request
        if os.environ.get("OLYMPUS_DEBUG"):
            traceback.print_exc()
        print(f"olympus: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("hint: this is a fault, not your mistake; rerun with OLYMPUS_DEBUG=1 for the traceback", file=sys.stderr)
        return 1
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
