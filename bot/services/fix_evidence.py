"""Gather a failure's evidence: the failing step reproduced in a scratch tree, and what the model may read of it.

The error, the provider versions, the project's files, the change's diff and, for a provider's or backend's fault,
the part of Terraform's debug log around the error; every text redacted of secrets and sensitive values. A failed
apply (or a policy check) is not run again: the door hands its recorded output, and the unfixed tree is planned
instead, so that a fix's plan can be compared with it (bot/domain/fixes/apply_checks.py).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from bot.adapters.secret_masking import mask_secret_text
from bot.domain.fixes.apply_checks import PlannedResource, planned_resources
from bot.domain.fixes.debug_log import log_excerpt
from bot.domain.fixes.evidence import FailureEvidence
from bot.domain.fixes.failure_classes import classify
from bot.domain.models import Project
from bot.domain.plan_documents import load_plan_documents
from bot.domain.sensitive import SensitiveValues
from bot.ports import RepoReader
from bot.services.context import Loop
from bot.services.fix_steps import PlanRun, init_validate_plan

# The files the model is shown and may read: Terraform's configuration, variable values and the lock file.
EVIDENCE_SUFFIXES: Final = (".tf", ".tfvars", ".terraform.lock.hcl")
_LOCKED_PROVIDER: Final = re.compile(r'provider\s+"([^"]+)"\s*\{[^}]*?version\s*=\s*"([^"]+)"', re.S)
# Steps whose failure is not reproduced: an apply changes the cloud; a policy check's failure is the door's verdict.
RECORDED_STEPS: Final = ("apply", "policy")
# Failures where Terraform's own words say little and its debug log says where it broke: a provider's or backend's
# fault (credentials, permissions, an endpoint), and what Olympus does not recognize.
LOGGED_CLASSES: Final = frozenset(
    {"access-denied", "backend-unreachable", "backend-not-configured", "provider-unavailable", "unknown"}
)
_REPRODUCE_PLAN: Final = "olympus-fix-reproduce.tfplan"


@dataclass(frozen=True)
class RecordedFailure:
    """A failure a door saw and the loop does not run again: the step (apply, policy) and its output."""

    step: str
    output: str


def recorded_failures(step: str, failed: Sequence[str], output: str) -> dict[str, RecordedFailure]:
    """A door's failed apply as the loop takes it, by project name; {} for a plan (the loop runs that again)."""
    if step not in RECORDED_STEPS or not output:
        return {}
    return {name: RecordedFailure(step, output) for name in failed}


@dataclass(frozen=True)
class Reproduced:
    """A failing step found again: which one, Terraform's words (redacted), and what else its variables hide."""

    step: str  # init | plan | apply | policy
    error: str
    provider_versions: dict[str, str]
    sensitive: SensitiveValues
    log: str = ""  # the debug log's lines around the error (redacted), for a provider's or backend's fault
    # A recorded (apply, policy) failure: the unfixed tree's plan, to compare a fix's plan with. Kept in memory,
    # never shown or stored: its values are the plan's, in clear.
    planned: Mapping[str, PlannedResource] = field(default_factory=dict, repr=False)


def reproduce_failure(
    loop: Loop, tree: Path, project: Project, *, recorded: RecordedFailure | None = None
) -> Reproduced | None:
    """init, validate and plan of project in tree (a scratch copy); the first that fails, or None when all pass.

    With `recorded` (a failed apply or policy check, as the door saw it) the steps run up to a saved plan: when they
    pass, the failure is the recorded one, with the plan kept to verify fixes against; when one fails, that failure
    comes first (a fix must get the plan through before the apply can be tried again).
    """
    workdir = tree / project.dir
    if recorded is not None and recorded.step in RECORDED_STEPS:
        run = init_validate_plan(loop, workdir, project, plan_file=workdir / _REPRODUCE_PLAN)
        if not run.failed_step:
            planned = planned_resources(load_plan_documents(run.plan_json)[0])
            error = mask_secret_text(run.sensitive.redact(recorded.output))
            return Reproduced(recorded.step, error, locked_providers(workdir), run.sensitive, planned=planned)
    else:
        run = init_validate_plan(loop, workdir, project)
        if not run.failed_step:
            return None
    step = "init" if run.failed_step == "init" else "plan"  # validate is part of planning, as `olympus plan` runs it
    error = mask_secret_text(run.error)
    log = debug_log_excerpt(loop, workdir, project, run) if classify(step, error).code in LOGGED_CLASSES else ""
    return Reproduced(step, error, locked_providers(workdir), run.sensitive, log=log)


def debug_log_excerpt(loop: Loop, workdir: Path, project: Project, failed: PlanRun) -> str:
    """The failed step run again with TF_LOG=DEBUG into a file of its own; the lines around the error, with every
    header that carries a credential cut out, then the secret masking and the project's sensitive values over it."""
    with tempfile.TemporaryDirectory(prefix="olympus-tf-log-") as folder:
        path = Path(folder) / "terraform.log"
        init_validate_plan(loop, workdir, project, debug_log=(failed.failed_step, path))
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    return redact(failed.sensitive, log_excerpt(text))


def project_files(reader: RepoReader, dirs: Sequence[str], sensitive: SensitiveValues) -> dict[str, str]:
    """The Terraform files of the project and its local modules (not below them: those are other projects)."""
    wanted = {d.strip("/") or "." for d in dirs}
    files: dict[str, str] = {}
    for path in reader.list_files():
        folder = path.rsplit("/", 1)[0] if "/" in path else "."
        if folder in wanted and path.endswith(EVIDENCE_SUFFIXES):
            text = reader.read_text(path)
            if text is not None:
                files[path] = redact(sensitive, text)
    return files


def locked_providers(workdir: Path) -> dict[str, str]:
    """Provider source → version, from the lock file `terraform init` wrote (none when init failed before)."""
    lock = workdir / ".terraform.lock.hcl"
    if not lock.is_file():
        return {}
    return dict(_LOCKED_PROVIDER.findall(lock.read_text(encoding="utf-8", errors="replace")))


def redact(sensitive: SensitiveValues, text: str) -> str:
    """Text as the model may read it: the project's sensitive values and anything shaped like a secret hidden."""
    return mask_secret_text(sensitive.redact(text))


def evidence_for(
    repo: str,
    change_id: str,
    project: Project,
    module_dirs: Sequence[str],
    failed: Reproduced,
    reader: RepoReader,
    diff: str,
) -> FailureEvidence:
    """The evidence of a reproduced failure, every part redacted."""
    return FailureEvidence(
        repo,
        change_id,
        project.dir,
        failed.step,
        failed.error,
        log=failed.log,
        diff=redact(failed.sensitive, diff),
        provider_versions=failed.provider_versions,
        files=project_files(reader, [project.dir, *module_dirs], failed.sensitive),
        module_dirs=tuple(module_dirs),
    )
