"""What every Action step builds on: cloud credentials, Terraform, the loop, GitHub, and the step's result."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.adapters.local_aws import LocalAws
from bot.adapters.rego import RegoEngine
from bot.adapters.terraform import TerraformCli, TerraformError
from bot.entrypoints.action_inputs import ActionContext, ActionInputs
from bot.errors import UserError
from bot.services.context import Loop
from bot.services.parallelism import parallel_plan_from
from bot.wiring import cache_dir, standard_scanners

# Credential environment variables that are settings, not secrets, so they stay readable in logs.
NOT_SECRET = frozenset({"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EC2_METADATA_DISABLED", "GOOGLE_CLOUD_PROJECT"})


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


# --- the loop, GitHub and the result


@dataclass
class ActionResult:
    """What the job reports: outputs, the job summary's markdown, annotations, and its exit status."""

    outputs: dict[str, str]
    summary: str
    annotations: list[str] = field(default_factory=list)
    exit_code: int = 0


def empty_outputs() -> dict[str, str]:
    """The outputs of a job that planned nothing."""
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
