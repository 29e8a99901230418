"""`olympus action`: the GitHub Action's door; reads the event and plans the pull request in the workspace."""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.adapters.git_tree import GitTreeReader
from bot.adapters.local_aws import LocalAws
from bot.adapters.localgit import GitError, LocalGit
from bot.adapters.plan_store import PlanKey, open_plan_store
from bot.adapters.terraform import EMBEDDED, TerraformCli, TerraformError
from bot.domain.findings import merge_reports
from bot.domain.models import Finding, Severity
from bot.errors import UserError
from bot.services.checkout import Checkout
from bot.services.github_checkout import change_id_of
from bot.services.plan_change import PlanReport, plan_change, slug
from bot.services.repo_projects import affected_projects_of
from bot.services.reporting import PULL_REQUEST_NEXT, comment_for
from bot.wiring import Loop, cache_dir, standard_scanners

MODES = ("auto", "plan", "apply")
BINARIES = ("terraform", "tofu", EMBEDDED)
COMMENT_MODES = ("sticky", "new", "off")
PLAN_EVENTS = ("pull_request",)
APPLY_EVENTS = ("issue_comment", "pull_request_review", "workflow_dispatch")
# The cloud role inputs: any of them set means the job asks for OIDC credentials.
ROLE_INPUTS = ("aws-plan-role", "aws-apply-role", "gcp-workload-identity-provider", "gcp-service-account")
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
        raise UserError("unreadable-event", f"cannot read the event file {event_path}: {error}") from None

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
    props = ",".join(f"{name}={escape_property(str(value))}" for name, value in properties.items())
    return f"::{command}{' ' + props if props else ''}::{escape_data(message)}"


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


def credentials_env(mode: str, inputs: ActionInputs) -> dict[str, str]:
    """Short-lived cloud credentials for `mode` ("plan" or "apply") as environment variables for Terraform."""
    if not inputs.role_inputs:
        return no_cloud_credentials()
    from bot.adapters.oidc import action_credentials_env

    exchanged: dict[str, str] = action_credentials_env(mode, inputs)
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


def changed_files(git: LocalGit, base: str) -> list[str]:
    """Files the PR changes: from the merge base when history allows, else the base commit itself."""
    try:
        git.git("cat-file", "-e", f"{base}^{{commit}}")
    except GitError:
        raise UserError(
            "base-commit-missing",
            f"the pull request's base commit {base[:12]} is not in the checkout (a shallow clone?)",
            "check out with `fetch-depth: 0` (the reusable workflow does); reading the diff through the API "
            "instead is not supported",
        ) from None
    try:
        git.git("merge-base", base, "HEAD")
        spec = f"{base}...HEAD"
    except GitError:  # the history between them is cut off: the two trees still say what differs
        spec = f"{base}..HEAD"
    out = git.git("diff", "--name-only", "-z", spec)
    return sorted(p for p in out.split("\0") if p)


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
    )


def plan_pull_request_event(
    context: ActionContext, inputs: ActionInputs, environ: Mapping[str, str], emit: Callable[[str], None]
) -> ActionResult:
    """Plan the projects a pull_request event's PR changes, store the plans, and say what will happen."""
    pr = context.event.get("pull_request") or {}
    number = int(context.event.get("number") or pr.get("number") or 0)
    head_sha = str((pr.get("head") or {}).get("sha", ""))
    base_sha = str((pr.get("base") or {}).get("sha", ""))
    if not number or not head_sha or not base_sha:
        raise UserError("unreadable-event", "the event has no pull request with base and head commits")
    head_repo = ((pr.get("head") or {}).get("repo") or {}).get("full_name")
    if head_repo != context.repository:
        # Planning runs the PR's code (providers, external data sources): never with credentials for a fork.
        return ActionResult(
            empty_outputs(),
            f"Olympus does not plan pull requests from forks ({head_repo or 'a deleted repository'}): "
            "push the branch to this repository to have it planned.\n",
        )
    workspace = (context.workspace / inputs.working_directory).resolve()
    git = LocalGit.open(workspace)
    if git.commit_of("HEAD") != head_sha:
        raise UserError(
            "workspace-not-at-head",
            f"the workspace is at {git.commit_of('HEAD')[:12]}, not the pull request's head {head_sha[:12]}",
            "check out with `ref: ${{ github.event.pull_request.head.sha }}`: approvals and plans are bound to it",
        )
    change_id = change_id_of(context.repository, number)
    author = str((pr.get("user") or {}).get("login", ""))
    checkout = Checkout(
        change_id=change_id,
        head=head_sha,
        reader=GitTreeReader(git, head_sha),
        changed_files=tuple(changed_files(git, base_sha)),
        workdir=workspace,
        requesters=tuple(sorted({author, context.actor} - {""})),
    )
    if not affected_projects_of(checkout.reader, checkout.changed_files):
        return ActionResult(empty_outputs(), f"{change_id} changes no Terraform project: nothing to plan.\n")

    credentials = credentials_env("plan", inputs)
    mask_credentials(credentials, emit)
    terraform = terraform_for(inputs)
    if credentials:
        terraform = TerraformWithCredentials(terraform.prefix, terraform.label, credentials)
    loop = build_action_loop(context, environ, terraform)
    loop.git = git
    try:
        report = _plan(loop, checkout, inputs.projects)
        stored = _store_plans(loop, context, inputs, number, report)
    finally:
        loop.store.close()
    prefix = inputs.working_directory.strip("/") if inputs.working_directory not in (".", "") else ""
    parts = comment_for(report, PULL_REQUEST_NEXT)
    _comment(context, inputs, number, change_id, parts, emit)
    return ActionResult(
        outputs=_outputs(report, stored),
        summary="\n\n".join(parts) + _stored_table(stored, context),
        annotations=[annotation_for(f, prefix) for f in report.scan.findings if f.file],
        exit_code=0 if report.ok else 1,
    )


def _plan(loop: Loop, checkout: Checkout, projects: Sequence[str]) -> PlanReport:
    if len(projects) <= 1:
        return plan_change(loop, checkout, only=projects[0] if projects else None)
    reports = [plan_change(loop, checkout, only=name) for name in projects]
    return PlanReport(
        checkout.change_id,
        checkout.head,
        [p for r in reports for p in r.projects],
        scan=merge_reports([r.scan for r in reports]),
        scanners=reports[0].scanners,
    )


def _store_plans(
    loop: Loop, context: ActionContext, inputs: ActionInputs, number: int, report: PlanReport
) -> list[dict[str, str]]:
    """Every plan that was made, into the plan store under repo/PR/commit/project, with its SHA-256."""
    store = open_plan_store(inputs.plan_store, context.runner_temp / "olympus" / "plans")
    stored = []
    for planned in report.projects:
        record = loop.store.latest_plan(report.branch, planned.project.name)
        if not planned.sha256 or record is None or record.commit != report.head:
            continue
        key = PlanKey(context.repository, number, report.head, slug(planned.project.name))
        location = store.store(key, Path(record.plan_path), Path(record.plan_json_path), record.sha256)
        stored.append(
            {"project": planned.project.name, "commit": report.head, "sha256": record.sha256, "location": location}
        )
    now = loop.store.clock()
    params = {"change": report.branch, "commit": report.head, "plans": stored, "run": context.run_url}
    loop.store.audit(loop.actor, "action-plan", params, now, now, "ok" if report.ok else "failed")
    return stored


def _outputs(report: PlanReport, stored: list[dict[str, str]]) -> dict[str, str]:
    summaries = [p.summary for p in report.projects if p.summary is not None]
    add = sum(s.counts.add for s in summaries)
    change = sum(s.counts.change for s in summaries)
    destroy = sum(s.counts.destroy for s in summaries)
    has_destroys = destroy > 0 or any(s.destroys or s.replacements for s in summaries)
    return {
        "add": str(add),
        "change": str(change),
        "destroy": str(destroy),
        "has-changes": _flag(any(s.has_changes for s in summaries)),
        "has-destroys": _flag(has_destroys),
        "findings": str(len(report.scan.findings)),
        "plans": json.dumps(stored),
    }


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _stored_table(stored: Iterable[dict[str, str]], context: ActionContext) -> str:
    rows = [f"| `{s['project']}` | `{s['commit'][:12]}` | `{s['sha256']}` |" for s in stored]
    if not rows:
        return f"\n\nNo plan was stored. [Run]({context.run_url})\n"
    return (
        "\n\n### Stored plans\n\n| project | commit | plan SHA-256 |\n|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\nThe apply job applies exactly these files. [Run]({context.run_url})\n"
    )


def _comment(
    context: ActionContext,
    inputs: ActionInputs,
    number: int,
    key: str,
    parts: Sequence[str],
    emit: Callable[[str], None],
) -> None:
    """The plan comment on the PR: updated in place (sticky), a new one, or none."""
    if inputs.comment_mode == "off":
        return
    if not inputs.github_token:
        emit(workflow_command("warning", "no github-token: the plan is in the job summary, not in a PR comment"))
        return
    from github import Auth, Github

    from bot.adapters.github.codehost import GitHubCodeHost

    codehost = GitHubCodeHost(Github(auth=Auth.Token(inputs.github_token), base_url=context.api_url))
    if inputs.comment_mode == "sticky":
        codehost.upsert_comment(context.repository, number, key, parts)
    else:
        for part in parts:
            codehost.post_comment(context.repository, number, part)


# --- apply: the gate's seam


def apply_from_event(
    context: ActionContext, inputs: ActionInputs, environ: Mapping[str, str], emit: Callable[[str], None]
) -> ActionResult:
    """Apply the stored plan behind the gate (bot.entrypoints.action_apply)."""
    # Imported here: the apply service builds on this module's helpers.
    from bot.entrypoints.action_apply import apply_from_event as apply_behind_the_gate

    return apply_behind_the_gate(context, inputs, environ, emit)


def resolve_mode(inputs: ActionInputs, event_name: str) -> str:
    """plan or apply: the input, or in auto mode what the event calls for."""
    if event_name == "pull_request_target":
        # It runs with the base repository's secrets; planning the PR's code there hands them to the PR.
        raise UserError(
            "unsafe-event",
            "pull_request_target runs with this repository's secrets, so Olympus never plans a PR's code there",
            "trigger the plan workflow on pull_request",
        )
    if inputs.mode == "plan" and event_name not in PLAN_EVENTS:
        raise UserError("wrong-event", f"mode plan needs a pull_request event, not {event_name}", "use mode: auto")
    if inputs.mode != "auto":
        return inputs.mode
    if event_name in PLAN_EVENTS:
        return "plan"
    if event_name in APPLY_EVENTS:
        return "apply"
    raise UserError(
        "unsupported-event",
        f"Olympus does not know what to do on {event_name}",
        f"run it on {', '.join(PLAN_EVENTS + APPLY_EVENTS)}, or set mode",
    )


def run_action(environ: Mapping[str, str] | None = None, emit: Callable[[str], None] | None = None) -> int:
    """The whole step: read the event, plan or apply, then write outputs, job summary and annotations."""
    environ = os.environ if environ is None else environ
    emit = emit or (lambda line: print(line, flush=True))
    context = read_context(environ)
    inputs = read_inputs(environ)
    mode = resolve_mode(inputs, context.event_name)
    step = plan_pull_request_event if mode == "plan" else apply_from_event
    result = step(context, inputs, environ, emit)
    for line in result.annotations:
        emit(line)
    _append(context.output_file, output_lines(result.outputs))
    _append(context.summary_file, result.summary.rstrip("\n") + "\n")
    return result.exit_code


def main() -> int:
    return run_action(os.environ, lambda line: print(line, file=sys.stdout, flush=True))
