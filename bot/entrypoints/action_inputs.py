"""The Action's inputs (action.yml) and the run's context (GITHUB_* variables and the event), checked."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.adapters.terraform import EMBEDDED
from bot.errors import UserError

MODES = ("auto", "plan", "apply", "ask", "sync", "drift", "diagnose")
BINARIES = ("terraform", "tofu", EMBEDDED)
COMMENT_MODES = ("sticky", "new", "off")
PLAN_EVENTS = ("pull_request",)
APPLY_EVENTS = ("issue_comment", "pull_request_review", "workflow_dispatch")
# An issue (from the infra-request form, or whose first line is a command) asks for a change.
ASK_EVENTS = ("issues",)
# The cloud role inputs: any of them set means the job asks for OIDC credentials.
ROLE_INPUTS = ("aws-plan-role", "aws-apply-role", "gcp-workload-identity-provider", "gcp-service-account")


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
