"""init, validate and plan of one project in a scratch tree, as the fix loop runs them (to reproduce, to verify).

No state lock is taken and no state is written; the output is not streamed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from bot.adapters.terraform import TerraformError
from bot.domain.models import Project
from bot.domain.sensitive import NO_SECRETS, SensitiveValues
from bot.services.context import Loop
from bot.services.plan_report import init_project
from bot.services.sensitive_inputs import configured_secrets
from bot.services.terraform_steps import run_step, terraform_env


@dataclass(frozen=True)
class PlanRun:
    """How far the steps got: the step that failed ("" when none did) and its words, secrets redacted."""

    failed_step: str  # init | validate | plan | ""
    error: str
    sensitive: SensitiveValues  # the project's configured secrets, for what else is shown of it
    plan_json: str = ""  # `terraform show -json` of the plan, when a plan file was asked for


def init_validate_plan(
    loop: Loop,
    workdir: Path,
    project: Project,
    *,
    plan_file: Path | None = None,
    debug_log: tuple[str, Path] | None = None,
) -> PlanRun:
    """Run the three steps in workdir; with plan_file the plan is saved there, shown as JSON, and deleted.

    With debug_log (a step, a file) that step runs with TF_LOG=DEBUG written to the file (TF_LOG_PATH), for the
    evidence of a provider's or backend's fault; the caller reads it, redacts it and deletes it.
    """
    stop = threading.Event()
    known = NO_SECRETS
    step = "init"
    try:
        with terraform_env(loop, workdir) as base:

            def env(name: str) -> dict[str, str]:
                if debug_log is None or debug_log[0] != name:
                    return base
                return {**base, "TF_LOG": "DEBUG", "TF_LOG_PATH": str(debug_log[1])}

            known = configured_secrets(workdir, base)
            init_project(loop, workdir, env("init"), project, known, on_line=_quiet, stop=stop)
            step = "validate"
            run_step(loop, workdir, env(step), ["validate", "-no-color"], known, echo=False, stop=stop)
            step = "plan"
            plan = ["plan", "-input=false", "-no-color", "-lock=false"]
            if plan_file is None:
                run_step(loop, workdir, env(step), plan, known, on_line=_quiet, stop=stop)
                return PlanRun("", "", known)
            run_step(loop, workdir, env(step), [*plan, f"-out={plan_file}"], known, on_line=_quiet, stop=stop)
            show = ["show", "-json", str(plan_file)]
            return PlanRun("", "", known, run_step(loop, workdir, base, show, known, echo=False, stop=stop).stdout)
    except TerraformError as exc:
        return PlanRun(step, known.redact(str(exc)), known)
    finally:
        if plan_file is not None:
            plan_file.unlink(missing_ok=True)  # it holds every value in clear


def _quiet(line: str) -> None:
    """The steps' output is not streamed: the caller reports what matters."""
