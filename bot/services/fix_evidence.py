"""Gather a failure's evidence: the failing step reproduced in a scratch tree, and what the model may read of it.

The error, the provider versions, the project's files and the change's diff, every text redacted of secrets and
sensitive values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.adapters.secret_masking import mask_secret_text
from bot.domain.fixes.evidence import FailureEvidence
from bot.domain.models import Project
from bot.domain.sensitive import SensitiveValues
from bot.ports import RepoReader
from bot.services.context import Loop
from bot.services.fix_steps import init_validate_plan

# The files the model is shown and may read: Terraform's configuration, variable values and the lock file.
EVIDENCE_SUFFIXES: Final = (".tf", ".tfvars", ".terraform.lock.hcl")
_LOCKED_PROVIDER: Final = re.compile(r'provider\s+"([^"]+)"\s*\{[^}]*?version\s*=\s*"([^"]+)"', re.S)


@dataclass(frozen=True)
class Reproduced:
    """A failing step found again: which one, Terraform's words (redacted), and what else its variables hide."""

    step: str  # init | plan
    error: str
    provider_versions: dict[str, str]
    sensitive: SensitiveValues


def reproduce_failure(loop: Loop, tree: Path, project: Project) -> Reproduced | None:
    """init, validate and plan of project in tree (a scratch copy); the first that fails, or None when all pass."""
    run = init_validate_plan(loop, tree / project.dir, project)
    if not run.failed_step:
        return None
    step = "init" if run.failed_step == "init" else "plan"  # validate is part of planning, as `olympus plan` runs it
    return Reproduced(step, mask_secret_text(run.error), locked_providers(tree / project.dir), run.sensitive)


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
        diff=redact(failed.sensitive, diff),
        provider_versions=failed.provider_versions,
        files=project_files(reader, [project.dir, *module_dirs], failed.sensitive),
        module_dirs=tuple(module_dirs),
    )
