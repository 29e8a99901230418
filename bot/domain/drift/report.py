"""One project's drift: its refresh-only plan and its normal plan's `-detailed-exitcode` → a DriftReport."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from bot.domain.drift.attributes import leaf_changes
from bot.domain.drift.outside import ImportTarget
from bot.domain.drift.way_out import WayOut, default_way_out
from bot.domain.models import Project
from bot.domain.plans import AttributeChange, ResourceChange, summarize
from bot.domain.sensitive import NO_SECRETS, SensitiveValues

# `terraform plan -detailed-exitcode`: 0 no changes, 1 an error, 2 changes.
# https://developer.hashicorp.com/terraform/cli/commands/plan#detailed-exitcode
NO_CHANGES: Final = 0
CHANGES: Final = 2
# A drifted resource's action when it exists in the cloud but not in the state (the code declares it).
OUTSIDE: Final = "outside"


class DriftStatus(StrEnum):
    """What a drift check found for one project."""

    CLEAN = "clean"  # reality is what the state says, and the code asks for nothing else
    DRIFTED = "drifted"  # something changed outside Terraform since the last apply
    UNAPPLIED = "unapplied"  # no drift, but the code differs from reality: merged and never applied
    ERROR = "error"  # init or a plan failed: nothing is known
    LOCKED = "locked"  # another change holds the project's lock: not checked


@dataclass(frozen=True)
class DriftReport:
    """A project's drift check: its status, the resources changed outside Terraform, and the way out proposed."""

    project: Project
    status: DriftStatus
    resources: tuple[ResourceChange, ...] = ()  # drifted resources, attributes one leaf each, secrets hidden
    way_out: WayOut = WayOut.RESTORE
    # The normal plan also has changes (exit 2): on top of the drift, or alone (UNAPPLIED).
    code_differs: bool = False
    error: str = ""  # ERROR: what failed, secrets redacted
    locked_by: str = ""  # LOCKED: the change holding the lock
    # Resources the code declares that exist in the cloud and not in the state, with the ids to import them by.
    imports: tuple[ImportTarget, ...] = ()

    @property
    def deleted(self) -> tuple[ResourceChange, ...]:
        """The resources gone outside Terraform."""
        return tuple(r for r in self.resources if r.action == "delete")

    @property
    def changed(self) -> tuple[ResourceChange, ...]:
        """The resources whose attributes changed outside Terraform."""
        return tuple(r for r in self.resources if r.action not in ("delete", OUTSIDE))

    @property
    def outside(self) -> tuple[ResourceChange, ...]:
        """The resources the code declares that were created outside Terraform (and are in no state)."""
        return tuple(r for r in self.resources if r.action == OUTSIDE)

    def counts(self) -> str:
        """How many changed and were deleted (and created, if any) outside Terraform: "2 changed, 1 deleted"."""
        made = f", {len(self.outside):,} created" if self.outside else ""
        return f"{len(self.changed):,} changed, {len(self.deleted):,} deleted{made}"


def drift_report(
    project: Project,
    refresh_plan: Mapping[str, Any],
    plan_exit: int,
    sensitive: SensitiveValues = NO_SECRETS,
    module_sources: Mapping[str, str] | None = None,
    imports: tuple[ImportTarget, ...] = (),
) -> DriftReport:
    """The report of a project whose two plans ran: `refresh_plan` is the refresh-only plan's `show -json`
    document, `plan_exit` the normal plan's `-detailed-exitcode` status (0 or 2), `sensitive` what else its
    variables hold. `module_sources` (the root's module calls → their sources) default to the plan's own.
    `imports` are the planned creates found to exist already (outside.py)."""
    known = sensitive | SensitiveValues.from_plan(refresh_plan)
    drift = summarize(refresh_plan, known).drift
    resources = tuple(_leaves_of(r) for r in drift)
    # An update whose every change was a provider's null ↔ empty rewrite is not drift (attributes.py says why).
    resources = tuple(r for r in resources if r.action != "update" or r.attributes or r.more_attributes)
    resources += tuple(_outside(target) for target in imports)
    differs = plan_exit == CHANGES
    if not resources:
        return DriftReport(project, DriftStatus.UNAPPLIED if differs else DriftStatus.CLEAN, code_differs=differs)
    sources = _module_sources(refresh_plan) if module_sources is None else module_sources
    way_out = default_way_out(project.dir, resources, sources)
    return DriftReport(project, DriftStatus.DRIFTED, resources, way_out, code_differs=differs, imports=imports)


def _outside(target: ImportTarget) -> ResourceChange:
    # The import id (a name the code itself sets) is the one thing known of the object: shown as its attribute.
    return ResourceChange(target.address, OUTSIDE, ("create",), attributes=(AttributeChange("id", None, target.id),))


def _leaves_of(resource: ResourceChange) -> ResourceChange:
    return resource._replace(attributes=leaf_changes(resource.attributes))


def errored(project: Project, error: str) -> DriftReport:
    """The report of a project whose init or plans failed (error already redacted)."""
    return DriftReport(project, DriftStatus.ERROR, error=error)


def locked(project: Project, holder: str) -> DriftReport:
    """The report of a project another change holds the lock of: it was not checked."""
    return DriftReport(project, DriftStatus.LOCKED, locked_by=holder)


def _module_sources(plan: Mapping[str, Any]) -> dict[str, str]:
    """The root module's calls and their sources, as the plan's configuration records them."""
    configuration = plan.get("configuration")
    root = configuration.get("root_module") if isinstance(configuration, dict) else None
    calls = root.get("module_calls") if isinstance(root, dict) else None
    if not isinstance(calls, dict):
        return {}
    return {
        str(name): call["source"]
        for name, call in calls.items()
        if isinstance(call, dict) and isinstance(call.get("source"), str)
    }
