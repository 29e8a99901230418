"""How many projects of one plan run Terraform at once: OLYMPUS_PARALLEL_PLAN, capped by `.olympus.yaml`."""

from __future__ import annotations

import os
from collections.abc import Mapping

from bot.errors import UserError

PARALLEL_PLAN_ENV = "OLYMPUS_PARALLEL_PLAN"
PARALLEL_PLAN_HINT = "a whole number of projects, 1 or more, whose Terraform runs at once (default: the CPU cores)"


def default_parallel_plan() -> int:
    """As many projects at once as the machine has cores: a plan is mostly one busy provider process."""
    return os.cpu_count() or 1


def parallel_plan_from(environ: Mapping[str, str]) -> int:
    """OLYMPUS_PARALLEL_PLAN for the CLI and the Action (the App reads it into its Settings); the cores when unset."""
    raw = environ.get(PARALLEL_PLAN_ENV, "").strip()
    if not raw:
        return default_parallel_plan()
    if not raw.isdigit() or int(raw) < 1:
        raise UserError(
            "bad-setting",
            f"{PARALLEL_PLAN_ENV} is malformed: {raw[:40]!r} is not a whole number of 1 or more",
            f"{PARALLEL_PLAN_ENV}: {PARALLEL_PLAN_HINT}",
        )
    return int(raw)


def plan_limit(machine: int, repository: int | None) -> int:
    """The machine's setting, lowered (never raised) by the repository's `parallel_plan`.

    The repository's file arrives in pull requests, so it may only ask for less: a pull request cannot make the
    App's workers run more Terraform at once than its operator allows.
    """
    return max(1, min(machine, repository) if repository is not None else machine)
