"""The `olympus` command line: the local loop, the demo, setup, and the App, Action, MCP and doctor doors."""

from __future__ import annotations

import gc
import importlib
import importlib.metadata
import sys
from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer
import typer.core
import typer.main

from bot.entrypoints.cli_doors import action, doctor, serve
from bot.entrypoints.cli_eval import eval_app
from bot.entrypoints.cli_exits import run_command
from bot.entrypoints.cli_options import (
    HELP_OPTIONS,
    AsOpt,
    BaseOpt,
    BranchOpt,
    FormatOpt,
    RepoOpt,
    SandboxOpt,
    output_format,
)
from bot.entrypoints.cli_sandbox import sandbox_app

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    context_settings=HELP_OPTIONS,
    help="Olympus: /infra requests become reviewed, planned, scanned and gated Terraform changes.",
)
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(eval_app, name="eval")


def _local_commands() -> ModuleType:
    """The local commands' module, loaded as the demo loads its own (see `demo`): no garbage collection while the
    long-lived modules load, then frozen so later collections skip them."""
    gc.disable()
    try:
        module = importlib.import_module("bot.entrypoints.local_commands")
        importlib.import_module("bot.adapters.sqlstore")
    finally:
        gc.enable()
    gc.freeze()
    return module


def _version() -> str:
    try:
        return importlib.metadata.version("olympus-bot")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


def _print_version(value: bool) -> None:
    if value:
        print(f"olympus {_version()}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", help="Print Olympus's version and exit.", callback=_print_version, is_eager=True),
    ] = False,
) -> None:
    """Olympus: /infra requests become reviewed, planned, scanned and gated Terraform changes."""


@app.command()
def init(
    repo: RepoOpt = Path("."),
    backend: Annotated[
        str | None, typer.Option("--backend", metavar="s3|gcs", help="Where state lives: an S3 or a GCS bucket.")
    ] = None,
    bucket: Annotated[str | None, typer.Option("--bucket", metavar="BUCKET", help="The state bucket.")] = None,
    region: Annotated[str | None, typer.Option("--region", metavar="REGION", help="s3: the bucket's region.")] = None,
    dynamodb_table: Annotated[
        str | None,
        typer.Option("--dynamodb-table", metavar="TABLE", help="s3: a DynamoDB lock table (else S3's lock file)."),
    ] = None,
    key_prefix: Annotated[
        str | None, typer.Option("--key-prefix", metavar="PREFIX", help="s3: where in the bucket the state keys start.")
    ] = None,
    prefix: Annotated[
        str | None, typer.Option("--prefix", metavar="PREFIX", help="gcs: where in the bucket the state starts.")
    ] = None,
    sandbox: Annotated[
        bool, typer.Option("--sandbox", help="Keep state in the local AWS emulator: every command runs there.")
    ] = False,
) -> None:
    """Say where Terraform state lives: writes .olympus.yaml and each env's backend.hcl, and commits them."""
    from bot.entrypoints.local_setup import init_repo, settings_from_options

    settings = settings_from_options(
        backend=backend,
        bucket=bucket,
        region=region,
        dynamodb_table=dynamodb_table,
        key_prefix=key_prefix,
        prefix=prefix,
        sandbox=sandbox,
    )
    raise typer.Exit(init_repo(repo, settings))


@app.command()
def demo(
    dir: Annotated[
        Path | None, typer.Option("--dir", help="Where to make the demo repository (default: a temp dir).")
    ] = None,
) -> None:
    """Play the whole loop offline: request → branch → plan → scans → comment → approval → apply → bucket."""
    # Start-up loads ~200k objects that live as long as the process (pydantic's models, SQLAlchemy,
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
def setup() -> None:
    """Install what Olympus runs that is missing (Checkov, once, into its cache) and check every other tool."""
    from bot.entrypoints.setup_tools import check_tools, report_setup
    from bot.entrypoints.terminal import StepProgress
    from bot.wiring import cache_dir

    progress = StepProgress.on_stderr()  # the install's one line, with its running time on a terminal
    try:
        states = check_tools(cache_dir(), progress.say)
    finally:
        progress.done()
    raise typer.Exit(report_setup(states))


@app.command()
def run(
    request: Annotated[
        str,
        typer.Argument(
            metavar="REQUEST", help='The request, e.g. "/infra create bucket logs-archive region=eu-west-1".'
        ),
    ],
    repo: RepoOpt = Path("."),
    sandbox: SandboxOpt = False,
    base: BaseOpt = None,
    actor: AsOpt = None,
    output: FormatOpt = "auto",
) -> None:
    """Turn an /infra request into a branch with the change, then plan and scan it and print the plan."""
    local_commands = _local_commands()

    raise typer.Exit(
        local_commands.run_request(repo, request, sandbox=sandbox, base=base, actor=actor, output=output_format(output))
    )


@app.command()
def ask(
    request: Annotated[
        str,
        typer.Argument(
            metavar="REQUEST", help='The request in plain words, e.g. "a bucket for billing exports in Ireland, dev".'
        ),
    ],
    repo: RepoOpt = Path("."),
    sandbox: SandboxOpt = False,
    base: BaseOpt = None,
    actor: AsOpt = None,
    output: FormatOpt = "auto",
) -> None:
    """Have Claude read a request in plain words, show the /infra commands it means, and run them as `run` does."""
    _local_commands()  # loaded as `run` loads it
    from bot.entrypoints.local_ask import ask as ask_in_words

    raise typer.Exit(ask_in_words(repo, request, sandbox=sandbox, base=base, actor=actor, output=output_format(output)))


@app.command()
def plan(
    repo: RepoOpt = Path("."),
    sandbox: SandboxOpt = False,
    branch: BranchOpt = None,
    base: BaseOpt = None,
    actor: AsOpt = None,
    output: FormatOpt = "auto",
) -> None:
    """Plan and scan every project the branch changes, and print the plan (also written as the comment)."""
    local_commands = _local_commands()

    raise typer.Exit(
        local_commands.plan_branch(
            repo, sandbox=sandbox, branch=branch, base=base, actor=actor, output=output_format(output)
        )
    )


@app.command()
def approve(
    by: Annotated[str, typer.Option("--by", metavar="LOGIN", help="The GitHub login of who approves the head commit.")],
    repo: RepoOpt = Path("."),
    branch: BranchOpt = None,
    base: BaseOpt = None,
) -> None:
    """Record an approval of the branch's current head commit."""
    local_commands = _local_commands()

    raise typer.Exit(local_commands.approve_branch(repo, by=by, branch=branch, base=base))


@app.command("approve-policies")
def approve_policies(
    by: Annotated[str, typer.Option("--by", metavar="LOGIN", help="The GitHub login of the policy set's owner.")],
    policy_set: Annotated[
        str | None, typer.Option("--policy-set", metavar="NAME", help="One failing set (default: all they own).")
    ] = None,
    repo: RepoOpt = Path("."),
    branch: BranchOpt = None,
    base: BaseOpt = None,
) -> None:
    """Approve the head commit's blocking policy failures, as an owner of the policy set."""
    local_commands = _local_commands()

    raise typer.Exit(
        local_commands.approve_policies_of_branch(repo, by=by, branch=branch, base=base, policy_set=policy_set)
    )


@app.command()
def apply(
    repo: RepoOpt = Path("."),
    sandbox: SandboxOpt = False,
    branch: BranchOpt = None,
    base: BaseOpt = None,
    approved_by: Annotated[
        str | None,
        typer.Option("--approved-by", metavar="LOGIN", help="Record this person's approval of the head commit first."),
    ] = None,
    actor: AsOpt = None,
) -> None:
    """Apply the saved plans of the branch, only through the gate."""
    local_commands = _local_commands()

    raise typer.Exit(
        local_commands.apply_branch(
            repo, sandbox=sandbox, branch=branch, base=base, approved_by=approved_by, actor=actor
        )
    )


@app.command()
def summarize(
    plan_file: Annotated[
        Path,
        typer.Argument(metavar="PLAN_JSON", help="A `terraform show -json` output file (several documents allowed)."),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Summarize a plan: counts as JSON, or the comment's markdown."""
    local_commands = _local_commands()

    raise typer.Exit(local_commands.summarize_file(plan_file, as_json=as_json))


@app.command()
def status(repo: RepoOpt = Path(".")) -> None:
    """Show each change's saved plans, approvals and locks, and the latest actions."""
    from bot.entrypoints.local_status import show_status

    raise typer.Exit(show_status(repo))


@app.command()
def dashboard(
    repo: RepoOpt = Path("."),
    host: Annotated[
        str,
        typer.Option("--host", metavar="HOST", help="The loopback address to listen on (no other: it has no sign-in)."),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", min=1, max=65535, help="The port to listen on.")
    ] = 8765,
) -> None:
    """Serve the dashboard (runs, locks, plans, audit log, drift, model and fixes) for the local store."""
    from bot.entrypoints.local_dashboard import serve_dashboard

    raise typer.Exit(serve_dashboard(repo, host, port))


@app.command()
def diagnose(
    repo: RepoOpt = Path("."),
    branch: BranchOpt = None,
    project: Annotated[
        str | None, typer.Option("--project", "-p", metavar="NAME", help="Diagnose only this project (name or dir).")
    ] = None,
    tries: Annotated[int, typer.Option("--tries", min=1, max=5, help="Fixes the model may propose per project.")] = 3,
    sandbox: SandboxOpt = False,
    actor: AsOpt = None,
) -> None:
    """Find a change's failing plan again, let Claude diagnose it, and put a verified fix on olympus/fix-<branch>."""
    _local_commands()
    from bot.entrypoints.local_diagnose import diagnose as run_diagnosis

    raise typer.Exit(run_diagnosis(repo, branch=branch, project=project, sandbox=sandbox, actor=actor, tries=tries))


@app.command()
def drift(
    repo: RepoOpt = Path("."),
    project: Annotated[
        str | None, typer.Option("--project", "-p", metavar="NAME", help="Check only this project (name or dir).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    sandbox: SandboxOpt = False,
    actor: AsOpt = None,
) -> None:
    """Check each project of the default branch for drift: refresh-only and normal plans, read-only."""
    _local_commands()  # loaded as `run` loads it
    from bot.entrypoints.local_drift import check_drift

    raise typer.Exit(check_drift(repo, project=project, as_json=as_json, sandbox=sandbox, actor=actor))


@app.command()
def merge(repo: RepoOpt = Path("."), branch: BranchOpt = None, base: BaseOpt = None) -> None:
    """Merge the change into the base (fast-forward or a merge commit) and release its locks, as a PR merge does."""
    local_commands = _local_commands()

    raise typer.Exit(local_commands.merge_branch(repo, branch=branch, base=base))


@app.command()
def unlock(repo: RepoOpt = Path("."), branch: BranchOpt = None, base: BaseOpt = None) -> None:
    """Release the change's project locks and discard its plans (`--branch` names the holder)."""
    local_commands = _local_commands()

    raise typer.Exit(local_commands.unlock_branch(repo, branch=branch, base=base))


@app.command()
def mcp(
    repo: RepoOpt = Path("."),
    domain: Annotated[
        str,
        typer.Option(
            "--domain",
            help="all: the gateway over every domain (the default); aws, gcp, helm, argocd or state: that domain's "
            "server alone.",
        ),
    ] = "all",
) -> None:
    """Serve the change tools over MCP on stdio (they propose files; they never apply)."""
    local_commands = _local_commands()

    from bot.tools.domains import DOMAINS

    choices = ("all", *(known.name for known in DOMAINS))
    if domain not in choices:
        raise typer.BadParameter(f"{domain!r} is not one of {', '.join(choices)}", param_hint="--domain")
    raise typer.Exit(local_commands.serve_mcp(repo, domain))


# The App's, the Action's and the cloud roles' commands, after the local loop's.
app.command()(serve)
app.command()(action)
app.command()(doctor)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI: exit 0 on success, 2 on a user error (no traceback), 1 on a fault."""
    try:
        return run_command(_command, argv)
    finally:
        # The process ends when main returns. The interpreter's last garbage collections would walk every object
        # the libraries loaded (MCP's and pydantic's models, SQLAlchemy, moto: ~300k) only to free memory the OS
        # reclaims anyway, ~0.6 s of the demo's wall time; frozen objects are skipped. Nothing else changes:
        # atexit handlers, weakref finalizers and the flushing of stdout and stderr still run.
        gc.freeze()


def _command() -> typer.core.TyperGroup:
    """The click command of the app, with flags shown as flags (`--sandbox`, not `--sandbox <bool>`)."""
    from bot.entrypoints.terminal import flags_read_as_flags

    command = typer.main.get_command(app)
    flags_read_as_flags(command, HELP_OPTIONS)
    return command  # type: ignore[return-value]


if __name__ == "__main__":
    sys.exit(main())
