"""`olympus action`: the GitHub Action's door; its inputs, context, workflow commands and credentials, and the step."""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.adapters.local_aws import LocalAws
from bot.adapters.rego import RegoEngine
from bot.adapters.terraform import EMBEDDED, TerraformCli, TerraformError
from bot.domain.invisible import show_invisible
from bot.domain.models import Finding, Severity
from bot.errors import UserError
from bot.ports import CodeHostError
from bot.services.context import Loop
from bot.services.parallelism import parallel_plan_from
from bot.wiring import cache_dir, standard_scanners

MODES = ("auto", "plan", "apply", "ask", "sync", "drift", "diagnose")
BINARIES = ("terraform", "tofu", EMBEDDED)
COMMENT_MODES = ("sticky", "new", "off")
PLAN_EVENTS = ("pull_request",)
APPLY_EVENTS = ("issue_comment", "pull_request_review", "workflow_dispatch")
# An issue (from the infra-request form, or whose first line is a command) asks for a change.
ASK_EVENTS = ("issues",)
# The cloud role inputs: any of them set means the job asks for OIDC credentials.
ROLE_INPUTS = ("aws-plan-role", "aws-apply-role", "gcp-workload-identity-provider", "gcp-service-account")
# What the job's GITHUB_TOKEN needs, as the reusable workflows grant it.
PERMISSIONS_HINT = (
    "give the job's token the permissions its workflow lists (workflows/olympus.yml): the plan job contents: write "
    "(the lock refs), pull-requests: write and checks: write; the apply job contents: read, actions: read (the plan "
    "record) and pull-requests: write; the drift job contents: read and issues: write"
)
# Credential environment variables that are settings, not secrets, so they stay readable in logs.
NOT_SECRET = frozenset({"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EC2_METADATA_DISABLED", "GOOGLE_CLOUD_PROJECT"})


@dataclass(frozen=True)
class ActionInputs:
    """The Action's inputs (action.yml), read from INPUT_* or OLYMPUS_* variables."""

    mode: str = "auto"
    projects: tuple[str, ...] = ()
    terraform_binary: str = EMBEDDED
    terraform_version: str = ""
    aws_plan_role: str = ""
    aws_apply_role: str = ""
    aws_region: str = ""
    gcp_workload_identity_provider: str = ""
    gcp_service_account: str = ""
    github_token: str = field(default="", repr=False)
    comment_mode: str = "sticky"
    plan_store: str = ""
    working_directory: str = "."

    @property
    def role_inputs(self) -> dict[str, str]:
        """The cloud role inputs that are set, by input name."""
        values = {name: getattr(self, name.replace("-", "_")) for name in ROLE_INPUTS}
        return {name: value for name, value in values.items() if value}


def input_value(environ: Mapping[str, str], name: str) -> str:
    """An input as a composite action passes it (INPUT_AWS_PLAN_ROLE), as the runner names it (INPUT_AWS-PLAN-ROLE),
    or as a local setting (OLYMPUS_AWS_PLAN_ROLE)."""
    upper = name.upper()
    for variable in (f"INPUT_{upper.replace('-', '_')}", f"INPUT_{upper}", f"OLYMPUS_{upper.replace('-', '_')}"):
        value = environ.get(variable, "").strip()
        if value:
            return value
    return ""


def _choice(name: str, value: str, allowed: Sequence[str], default: str) -> str:
    value = value or default
    if value not in allowed:
        raise UserError("bad-input", f"input {name} is {value!r}", f"use one of: {', '.join(allowed)}")
    return value


def read_inputs(environ: Mapping[str, str]) -> ActionInputs:
    """Every input, checked: a wrong choice is a UserError naming the input and the choices."""
    raw = {name: input_value(environ, name) for name in _INPUT_NAMES}
    projects = tuple(p.strip() for p in raw["projects"].replace("\n", ",").split(",") if p.strip())
    return ActionInputs(
        mode=_choice("mode", raw["mode"], MODES, "auto"),
        projects=projects,
        terraform_binary=_choice("terraform-binary", raw["terraform-binary"], BINARIES, EMBEDDED),
        terraform_version=raw["terraform-version"],
        aws_plan_role=raw["aws-plan-role"],
        aws_apply_role=raw["aws-apply-role"],
        aws_region=raw["aws-region"],
        gcp_workload_identity_provider=raw["gcp-workload-identity-provider"],
        gcp_service_account=raw["gcp-service-account"],
        github_token=raw["github-token"],
        comment_mode=_choice("comment-mode", raw["comment-mode"], COMMENT_MODES, "sticky"),
        plan_store=raw["plan-store"],
        working_directory=raw["working-directory"] or ".",
    )


_INPUT_NAMES = (
    "mode",
    "projects",
    "terraform-binary",
    "terraform-version",
    "aws-plan-role",
    "aws-apply-role",
    "aws-region",
    "gcp-workload-identity-provider",
    "gcp-service-account",
    "github-token",
    "comment-mode",
    "plan-store",
    "working-directory",
)


@dataclass(frozen=True)
class ActionContext:
    """What the runner tells the job about itself (GITHUB_* and RUNNER_* variables) and the event that started it."""

    event_name: str
    event: dict[str, Any]
    repository: str
    sha: str
    run_id: str
    server_url: str
    api_url: str
    actor: str
    runner_temp: Path
    workspace: Path
    output_file: Path | None
    summary_file: Path | None

    @property
    def run_url(self) -> str:
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"


def read_context(environ: Mapping[str, str]) -> ActionContext:
    """The job's context; a missing variable means we are not inside GitHub Actions, which is said plainly."""
    required = ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_REPOSITORY", "GITHUB_SHA", "RUNNER_TEMP")
    missing = [name for name in required if not environ.get(name)]
    if missing:
        raise UserError(
            "not-in-github-actions",
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set",
            "`olympus action` runs inside a GitHub Actions job (action.yml); locally, use `olympus plan`",
        )
    event_path = Path(environ["GITHUB_EVENT_PATH"])
    try:
        event = json.loads(event_path.read_text())
    except (OSError, ValueError) as error:
        raise UserError(
            "unreadable-event",
            f"cannot read the event file {event_path}: {error}",
            "run `olympus action` in a GitHub Actions job, where GITHUB_EVENT_PATH names the event's JSON",
        ) from None

    def optional_file(name: str) -> Path | None:
        return Path(environ[name]) if environ.get(name) else None

    return ActionContext(
        event_name=environ["GITHUB_EVENT_NAME"],
        event=event if isinstance(event, dict) else {},
        repository=environ["GITHUB_REPOSITORY"],
        sha=environ["GITHUB_SHA"],
        run_id=environ.get("GITHUB_RUN_ID", "0"),
        server_url=environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/"),
        api_url=environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"),
        actor=environ.get("GITHUB_ACTOR", "github-actions"),
        runner_temp=Path(environ["RUNNER_TEMP"]),
        workspace=Path(environ.get("GITHUB_WORKSPACE") or os.getcwd()),
        output_file=optional_file("GITHUB_OUTPUT"),
        summary_file=optional_file("GITHUB_STEP_SUMMARY"),
    )


# --- workflow commands and files (https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions)


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF are escaped, as the runner's own toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also `:` and `,`, which would end the property."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, **properties: str | int) -> str:
    """`::command props::message`; the message and title show invisible characters as escapes (the runner shows
    them as plain text), while `file` stays the path GitHub must find."""
    props = ",".join(
        f"{name}={escape_property(str(value) if name == 'file' else show_invisible(str(value)))}"
        for name, value in properties.items()
    )
    return f"::{command}{' ' + props if props else ''}::{escape_data(show_invisible(message))}"


def annotation_for(finding: Finding, path_prefix: str = "") -> str:
    """A scanner finding as an error (HIGH, CRITICAL) or warning annotation at its file and line."""
    level = "error" if finding.severity.rank >= Severity.HIGH.rank else "warning"
    message = f"{finding.severity.value}: {finding.title}"
    if finding.resource:
        message += f" ({finding.resource})"
    if finding.link:
        message += f"\n{finding.link}"
    file = f"{path_prefix}/{finding.file}" if path_prefix else finding.file
    return workflow_command(level, message, file=file, line=max(finding.line, 1), title=finding.rule_id)


def output_lines(outputs: Mapping[str, str]) -> str:
    """$GITHUB_OUTPUT text: every value in the multi-line form, with a random delimiter no value contains."""
    chunks = []
    for name, value in outputs.items():
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        while delimiter in value:  # practically never; but a value must not be able to end its own block
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(chunks)


def _append(path: Path | None, text: str) -> None:
    if path is not None:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)


# --- credentials: the seam where the OIDC exchange (bot/adapters/oidc) plugs in


def no_cloud_credentials() -> dict[str, str]:
    """No role inputs: Terraform uses whatever the runner's environment already provides (or the sandbox)."""
    return {}


def credentials_env(mode: str, inputs: ActionInputs, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Short-lived cloud credentials for `mode` ("plan", "drift": the plan role, or "apply") for Terraform."""
    if not inputs.role_inputs:
        return no_cloud_credentials()
    from bot.adapters.oidc import action_credentials_env

    exchanged: dict[str, str] = action_credentials_env(mode, inputs, environ)
    return exchanged


def mask_credentials(env: Mapping[str, str], emit: Callable[[str], None]) -> None:
    """Tell the runner to mask every credential value in the log before anything can print it."""
    for name, value in env.items():
        if name not in NOT_SECRET and value:
            emit(f"::add-mask::{value}")


@dataclass(frozen=True)
class TerraformWithCredentials(TerraformCli):
    """Terraform with the exchanged credentials in its environment only: never in a file, never in os.environ."""

    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)

    def run(self, args: Sequence[str], cwd: Path, *, env: dict[str, str] | None = None, **kwargs: Any) -> Any:
        # The exchanged credentials are the job's identity: they win over anything else in the environment.
        return super().run(args, cwd, env={**(env or {}), **self.credentials}, **kwargs)


def terraform_for(inputs: ActionInputs) -> TerraformCli:
    """The binary the inputs ask for; with terraform-version, a different version is refused before any plan."""
    try:
        terraform = TerraformCli.locate(inputs.terraform_binary)
    except TerraformError:
        setup = "hashicorp/setup-terraform" if inputs.terraform_binary == "terraform" else "opentofu/setup-opentofu"
        raise UserError(
            "terraform-not-found",
            f"terraform-binary is {inputs.terraform_binary!r}, but there is no {inputs.terraform_binary} on PATH",
            f"install it in an earlier step ({setup}, pinned by commit SHA), or use terraform-binary: embedded",
        ) from None
    if inputs.terraform_version:
        out = terraform.run(["version", "-json"], Path.cwd(), timeout=120)
        try:
            found = str(json.loads(out.stdout).get("terraform_version", ""))
        except ValueError:
            found = ""
        if found != inputs.terraform_version.removeprefix("v"):
            raise UserError(
                "terraform-version-mismatch",
                f"terraform-version is {inputs.terraform_version}, but {terraform.label} is {found or 'unknown'}",
                "install that version in an earlier step, or change terraform-version",
            )
    return terraform


def job_terraform(
    mode: str, inputs: ActionInputs, environ: Mapping[str, str], emit: Callable[[str], None]
) -> tuple[TerraformCli, dict[str, str]]:
    """The job's Terraform, holding the cloud credentials exchanged for `mode`'s role (masked first), and them."""
    credentials = credentials_env(mode, inputs, environ)
    mask_credentials(credentials, emit)
    terraform = terraform_for(inputs)
    if credentials:
        terraform = TerraformWithCredentials(terraform.prefix, terraform.label, credentials)
    return terraform, credentials


# --- plan on a pull request


@dataclass
class ActionResult:
    """What the job reports: outputs, the job summary's markdown, annotations, and its exit status."""

    outputs: dict[str, str]
    summary: str
    annotations: list[str] = field(default_factory=list)
    exit_code: int = 0


def empty_outputs() -> dict[str, str]:
    return {
        "add": "0",
        "change": "0",
        "destroy": "0",
        "has-changes": "false",
        "has-destroys": "false",
        "findings": "0",
        "plans": "[]",
    }


def build_action_loop(context: ActionContext, environ: Mapping[str, str], terraform: TerraformCli) -> Loop:
    """The loop for one job: its store and files under RUNNER_TEMP, the sandbox when OLYMPUS_AWS_EMULATOR_URL is set."""
    from bot.adapters.sqlstore import SqlStore

    state_dir = context.runner_temp / "olympus" / "state"
    state_dir.mkdir(parents=True, exist_ok=True)
    url = environ.get("OLYMPUS_DATABASE_URL") or f"sqlite:///{context.runner_temp / 'olympus' / 'olympus.db'}"
    sandbox = LocalAws(environ["OLYMPUS_AWS_EMULATOR_URL"]) if environ.get("OLYMPUS_AWS_EMULATOR_URL") else None
    if sandbox is not None:
        sandbox.ensure_state_backend()
    return Loop(
        store=SqlStore.open(url),
        terraform=terraform,
        scanners=standard_scanners(),
        actor=context.actor,
        cache_dir=cache_dir(),
        state_dir=state_dir,
        repo_id=context.repository,
        sandbox=sandbox,
        say=lambda line: print(line, flush=True),
        parallel_plan=parallel_plan_from(environ),
        policies=RegoEngine(),
    )


def applies_after_merge(environ: Mapping[str, str]) -> bool:
    """The OLYMPUS_APPLY_AFTER_MERGE setting: apply a merged pull request, instead of an open one (the default)."""
    return environ.get("OLYMPUS_APPLY_AFTER_MERGE", "").strip().lower() == "true"


def github_codehost(
    context: ActionContext, inputs: ActionInputs, environ: Mapping[str, str], *, needed_for: str = "", scopes: str = ""
) -> Any:
    """GitHub through the job's token (github-token, else GITHUB_TOKEN); None when the job has none, unless the
    step says what it is `needed_for`: then a missing token is a UserError naming the `scopes` to grant."""
    token = inputs.github_token or environ.get("GITHUB_TOKEN", "")
    if not token and needed_for:
        raise UserError(
            "no-github-token",
            f"{needed_for} needs a GitHub token",
            f"pass github-token (the job's GITHUB_TOKEN with {scopes})",
        )
    if not token:
        return None
    from github import Auth, Github

    from bot.adapters.github.codehost import GitHubCodeHost

    client = Github(
        auth=Auth.Token(token),
        base_url=context.api_url,
        retry=None,  # GitHubCodeHost retries, honouring Retry-After
        seconds_between_requests=None,
        seconds_between_writes=None,
    )
    return GitHubCodeHost(client, bot_login="github-actions[bot]")


def resolve_mode(inputs: ActionInputs, event: Mapping[str, Any], event_name: str) -> str:
    """plan, apply or unlock: the input, or in auto mode what the event calls for."""
    if event_name == "pull_request_target":
        # It runs with the base repository's secrets; planning the PR's code there hands them to the PR.
        raise UserError(
            "unsafe-event",
            "pull_request_target runs with this repository's secrets, so Olympus never plans a PR's code there",
            "trigger the plan workflow on pull_request",
        )
    if inputs.mode == "plan" and event_name not in PLAN_EVENTS:
        raise UserError("wrong-event", f"mode plan needs a pull_request event, not {event_name}", "use mode: auto")
    if inputs.mode == "ask" and event_name not in ("issues", "issue_comment"):
        raise UserError(
            "wrong-event", f"mode ask needs an issues or issue_comment event, not {event_name}", "use mode: auto"
        )
    if inputs.mode == "sync":
        return "sync"  # after a merge: Argo CD syncs what it changed (bot/entrypoints/action_sync.py)
    if inputs.mode == "drift":
        return "drift"  # on the default branch, on a schedule (bot/entrypoints/action_drift.py)
    if inputs.mode == "diagnose":
        return "diagnose"  # the fix loop on the run's pull request (bot/entrypoints/action_diagnose.py)
    if event_name in PLAN_EVENTS and event.get("action") == "closed" and inputs.mode != "apply":
        return "unlock"  # a merged or closed pull request is never planned: it gives its locks back
    if inputs.mode != "auto":
        return inputs.mode
    if event_name in PLAN_EVENTS:
        return "plan"
    if event_name in ASK_EVENTS or (event_name == "issue_comment" and _asks_for_a_change(event)):
        return "ask"
    if event_name in APPLY_EVENTS:
        return "apply"
    raise UserError(
        "unsupported-event",
        f"Olympus does not know what to do on {event_name}",
        f"run it on {', '.join(PLAN_EVENTS + ASK_EVENTS + APPLY_EVENTS)}, or set mode",
    )


def _asks_for_a_change(event: Mapping[str, Any]) -> bool:
    """A comment that asks for a change (`/infra create/update/destroy`, `/infra ask`, `@olympus ...`), not an apply."""
    from bot.domain.commands import Ask, ChangeCommand
    from bot.domain.plain_requests import comment_request

    body = str((event.get("comment") or {}).get("body") or "")
    return isinstance(comment_request(body), Ask | ChangeCommand)


def _step(mode: str) -> Callable[[ActionContext, ActionInputs, Mapping[str, str], Callable[[str], None]], ActionResult]:
    # Imported here: each step builds on this module's helpers.
    if mode == "plan":
        from bot.entrypoints.action_plan import plan_pull_request_event

        return plan_pull_request_event
    if mode == "unlock":
        from bot.entrypoints.action_plan import unlock_closed_pull_request

        return unlock_closed_pull_request
    if mode == "ask":
        from bot.entrypoints.action_ask import answer_request_event

        return answer_request_event
    if mode == "sync":
        from bot.entrypoints.action_sync import sync_merged_event

        return sync_merged_event
    if mode == "drift":
        from bot.entrypoints.action_drift import drift_default_branch

        return drift_default_branch
    if mode == "diagnose":
        from bot.entrypoints.action_diagnose import diagnose_pull_request_event

        return diagnose_pull_request_event
    from bot.entrypoints.action_apply import apply_from_event

    return apply_from_event


def run_action(environ: Mapping[str, str] | None = None, emit: Callable[[str], None] | None = None) -> int:
    """The whole step: read the event, plan or apply, then write outputs, job summary and annotations."""
    environ = os.environ if environ is None else environ
    emit = emit or (lambda line: print(line, flush=True))
    context = read_context(environ)
    inputs = read_inputs(environ)
    step = _step(resolve_mode(inputs, context.event, context.event_name))
    try:
        result = step(context, inputs, environ, emit)
    except CodeHostError as error:
        if error.status not in (401, 403, 404):
            raise  # GitHub's own trouble, already retried: a fault
        # In a workflow these are the job's token lacking a permission (or a repository it cannot see).
        raise UserError(
            "github-refused", f"GitHub refused to {error.operation}: {error.detail}", PERMISSIONS_HINT
        ) from None
    for line in result.annotations:
        emit(line)
    _append(context.output_file, output_lines(result.outputs))
    _append(context.summary_file, result.summary.rstrip("\n") + "\n")
    return result.exit_code


def main() -> int:
    return run_action(os.environ, lambda line: print(line, file=sys.stdout, flush=True))
