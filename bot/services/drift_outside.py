"""Probe a project's planned creates with `import` blocks: which ones already exist in the cloud, outside Terraform.

Runs in the sweep's scratch worktree (never the person's files), without the state lock and without writing state:
a plan with import blocks only reads. The blocks' file is removed whatever happens.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from bot.adapters.terraform import TerraformError
from bot.domain.drift.outside import PROBE_FILE, ImportTarget, import_blocks, not_found, probe_failed_otherwise
from bot.domain.plan_documents import load_plan_documents
from bot.domain.sensitive import SensitiveValues
from bot.services.context import Loop
from bot.services.terraform_steps import run_step

# Each round drops the targets the provider found no object for; every planned create is either dropped or
# imported in one round, so a second round is the last one that can be needed. The third is a margin.
MAX_ROUNDS: Final = 3
_PLANNED = (0, 1, 2)  # `-detailed-exitcode`; 1 is read from the diagnostics rather than raised


def existing_outside(
    loop: Loop,
    workdir: Path,
    env: dict[str, str],
    candidates: Sequence[ImportTarget],
    plan_path: Path,
    known: SensitiveValues,
    *,
    stop: threading.Event,
    on_line: Callable[[str], None],
) -> tuple[ImportTarget, ...]:
    """The candidates that exist outside Terraform; () when none do or the probe could not tell (said on on_line)."""
    blocks = workdir / PROBE_FILE
    targets = list(candidates)
    try:
        for _ in range(MAX_ROUNDS):
            if not targets:
                return ()
            blocks.write_text(import_blocks(targets), encoding="utf-8")
            args = ["plan", "-json", "-input=false", "-lock=false", "-detailed-exitcode", f"-out={plan_path}"]
            # echo=False: the JSON stream carries planned values; only its diagnostics' addresses are read.
            out = run_step(loop, workdir, env, args, known, echo=False, stop=stop, succeeds=_PLANNED)
            if out.returncode != 1:
                return _imported(loop, workdir, env, plan_path, known, targets, stop)
            missing = not_found(out.stdout)
            if probe_failed_otherwise(out.stdout) or not missing & {t.address for t in targets}:
                on_line("could not tell whether planned resources exist outside Terraform: the import plan failed")
                return ()
            targets = [t for t in targets if t.address not in missing]
        return ()
    except TerraformError as exc:
        on_line(f"could not tell whether planned resources exist outside Terraform: {known.redact(str(exc))}")
        return ()
    finally:
        blocks.unlink(missing_ok=True)
        plan_path.unlink(missing_ok=True)


def _imported(
    loop: Loop,
    workdir: Path,
    env: dict[str, str],
    plan_path: Path,
    known: SensitiveValues,
    targets: Sequence[ImportTarget],
    stop: threading.Event,
) -> tuple[ImportTarget, ...]:
    shown = run_step(loop, workdir, env, ["show", "-json", "-no-color", str(plan_path)], known, echo=False, stop=stop)
    plan = load_plan_documents(shown.stdout)[0]
    importing = {
        str(entry.get("address"))
        for entry in plan.get("resource_changes") or []
        if isinstance(entry, dict) and isinstance((entry.get("change") or {}).get("importing"), dict)
    }
    return tuple(t for t in targets if t.address in importing)
