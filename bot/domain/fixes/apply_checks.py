"""What a fix for a failed apply must change in the plan, since the apply itself cannot be run to verify it.

A failed apply is never run again (it would change the cloud), so a fix's verification plans it instead; a plan that
passes proves only that Terraform and the provider accept the code. What the apply failed on is the cloud's answer
for one resource (a name taken, an instance type or AMI that does not exist, a resource already there), so the plan
of the fix must also change that resource the way the root cause requires: a fix that leaves the failing attribute
as it was would fail the apply the same way, and is not verified.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

# The attribute that names a resource in AWS, where a name is what the cloud refused (the first a type has).
_NAME_ATTRIBUTES: Final[Mapping[str, tuple[str, ...]]] = {
    "aws_s3_bucket": ("bucket",),
    "aws_iam_role": ("name",),
    "aws_iam_user": ("name",),
    "aws_iam_policy": ("name",),
    "aws_lambda_function": ("function_name",),
    "aws_dynamodb_table": ("name",),
}
_DEFAULT_NAMES: Final = ("name", "bucket", "function_name")
# The attribute the cloud rejected, per class whose failure is one attribute's value.
_VALUE_ATTRIBUTES: Final[Mapping[str, str]] = {"invalid-instance-type": "instance_type", "invalid-ami": "ami"}
NAME_CLASSES: Final = frozenset({"name-taken", "exists-outside"})


@dataclass(frozen=True)
class PlannedResource:
    """One resource of a plan as the check reads it: its type, actions, values after, and an import's id."""

    address: str
    type: str
    actions: tuple[str, ...]
    after: Mapping[str, Any] = field(default_factory=dict)
    unknown: frozenset[str] = frozenset()  # top-level attributes known only after apply
    importing: str | None = None  # the id an `import` block brings into the state

    @property
    def creates(self) -> bool:
        return "create" in self.actions


def planned_resources(plan: Mapping[str, Any]) -> dict[str, PlannedResource]:
    """The managed resources of a plan document (`terraform show -json`), by address."""
    found: dict[str, PlannedResource] = {}
    for change in plan.get("resource_changes") or []:
        if not isinstance(change, Mapping) or change.get("mode", "managed") != "managed" or not change.get("address"):
            continue
        body = change.get("change") or {}
        after = _mapping(body.get("after"))
        unknown = _mapping(body.get("after_unknown"))
        importing = body.get("importing")
        importing = importing if isinstance(importing, Mapping) else None
        address = str(change.get("address", ""))
        found[address] = PlannedResource(
            address,
            str(change.get("type", "")),
            tuple(str(a) for a in body.get("actions") or ()),
            dict(after),
            frozenset(k for k, v in unknown.items() if v is True),
            str(importing.get("id", "")) if importing is not None else None,
        )
    return found


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def apply_fix_problem(
    failure_class: str,
    address: str,
    before: Mapping[str, PlannedResource],
    after: Mapping[str, PlannedResource],
) -> tuple[bool, str]:
    """(ok, why): whether the fix's plan (`after`) changes the resource the apply failed on (`address`, as the
    unfixed plan `before` had it) as the class's root cause requires; why says what changed, or what did not."""
    failed = before.get(address)
    if failed is None:
        # Nothing to compare: the error names no resource, or one the unfixed plan does not create or change.
        return True, "only the plan is checked (the error names no resource the unfixed plan holds)"
    if failure_class in NAME_CLASSES:
        return _renamed_or_imported(failure_class, failed, after)
    attribute = _VALUE_ATTRIBUTES.get(failure_class)
    if attribute is None:
        return _changed_at_all(failed, after)
    return _value_changed(failed, attribute, after)


def _same_kind(failed: PlannedResource, after: Mapping[str, PlannedResource]) -> list[PlannedResource]:
    """The resource at the failing address in the fix's plan, or (when the fix renamed it) those of its type that
    the plan creates or imports."""
    if failed.address in after:
        return [after[failed.address]]
    return [r for r in after.values() if r.type == failed.type and (r.creates or r.importing is not None)]


def _name_attribute(resource: PlannedResource) -> str:
    for name in (*_NAME_ATTRIBUTES.get(resource.type, ()), *_DEFAULT_NAMES):
        if name in resource.after or name in resource.unknown:
            return name
    return ""


def _renamed_or_imported(
    failure_class: str, failed: PlannedResource, after: Mapping[str, PlannedResource]
) -> tuple[bool, str]:
    attribute = _name_attribute(failed)
    old = failed.after.get(attribute)
    candidates = _same_kind(failed, after)
    if not candidates:
        return False, f"the fix removes {failed.address} instead of fixing it"
    for resource in candidates:
        if failure_class == "exists-outside" and resource.importing:
            return True, f"{resource.address} is imported (id {resource.importing}) instead of created"
    for resource in candidates:
        if not resource.creates:
            continue
        if attribute in resource.unknown:
            return True, f"{resource.address}'s {attribute} is left to AWS to choose (known after apply)"
        new = resource.after.get(attribute)
        if new == old:
            what = "taken" if failure_class == "name-taken" else "already in use in this account"
            return False, f"{resource.address} is still planned with {attribute} {old!r}, the name that is {what}"
        return True, f"{resource.address}'s {attribute} changes from {old!r} to {new!r}"
    return True, f"{failed.address} is no longer created"


def _value_changed(failed: PlannedResource, attribute: str, after: Mapping[str, PlannedResource]) -> tuple[bool, str]:
    old = failed.after.get(attribute)
    candidates = _same_kind(failed, after)
    if not candidates:
        return False, f"the fix removes {failed.address} instead of fixing it"
    for resource in candidates:
        if attribute in resource.unknown:
            return True, f"{resource.address}'s {attribute} is read at apply (from another resource)"
        new = resource.after.get(attribute)
        if new == old:
            return False, f"{resource.address} is still planned with {attribute} {old!r}, the value the apply refused"
    shown = ", ".join(f"{r.address}'s {attribute} {old!r} → {r.after.get(attribute)!r}" for r in candidates)
    return True, shown


def _changed_at_all(failed: PlannedResource, after: Mapping[str, PlannedResource]) -> tuple[bool, str]:
    candidates = _same_kind(failed, after)
    if not candidates:
        return False, f"the fix removes {failed.address} instead of fixing it"
    if any(r.after != failed.after or r.unknown != failed.unknown for r in candidates):
        return True, f"{failed.address}'s planned values change"
    return False, f"{failed.address} is planned exactly as before, so the apply would fail the same way"
