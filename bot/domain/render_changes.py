"""A plan's resource changes as comment lines: grouped by what they do, each with its attributes and why."""

from __future__ import annotations

from typing import Final

from bot.domain.markdown import code, escape_text
from bot.domain.plans import SENSITIVE, UNKNOWN, AttributeChange, PlanSummary, ResourceChange

MAX_ATTRIBUTES_LISTED: Final = 10  # per resource

_REASONS: Final = {
    "replace_because_tainted": "tainted",
    "replace_because_cannot_update": "cannot be updated in place",
    "replace_by_request": "replacement requested (-replace)",
    "replace_by_triggers": "replace_triggered_by changed",
    "delete_because_no_resource_config": "removed from the configuration",
    "delete_because_no_module": "its module was removed",
    "delete_because_wrong_repetition": "count/for_each was added or removed",
    "delete_because_count_index": "count index out of range",
    "delete_because_each_key": "for_each key removed",
    "delete_because_no_move_target": "moved to an address that does not exist",
}
# (group title, icon) in the order a reviewer should read them: what is lost first.
_GROUPS: Final = (
    ("delete", "🗑️", "Destroy"),
    ("replace", "♻️", "Replace"),
    ("update", "🔧", "Update in place"),
    ("create", "➕", "Create"),
    ("import", "📥", "Import"),
    ("move", "🚚", "Move"),
    ("forget", "🫥", "Forget (removed from state, not destroyed)"),
)


def why(resource: ResourceChange) -> str:
    """Why Terraform destroys or replaces a resource (its reason, the attributes forcing it), as " — …"; or ""."""
    reasons: list[str] = []
    if resource.action_reason:
        reasons.append(escape_text(_REASONS.get(resource.action_reason, resource.action_reason.replace("_", " "))))
    if resource.replace_paths:
        forced = ", ".join(code(p) for p in resource.replace_paths[:MAX_ATTRIBUTES_LISTED])
        more = len(resource.replace_paths) - MAX_ATTRIBUTES_LISTED
        reasons.append(f"forced by {forced}" + (f" and {more:,} more" if more > 0 else ""))
    return " — " + "; ".join(reasons) if reasons else ""


def _group_of(resource: ResourceChange) -> str:
    if resource.action == "no-op":
        return "import" if resource.importing else "move"
    return resource.action if resource.action in ("delete", "replace", "update", "create", "forget") else "update"


def change_lines(summary: PlanSummary, *, max_resources: int | None, max_chars: int | None) -> list[str]:
    """Every change grouped by what it does (what is lost first), within the bounds, then the outputs."""
    groups: dict[str, list[ResourceChange]] = {key: [] for key, _, _ in _GROUPS}
    for resource in summary.changes:
        groups[_group_of(resource)].append(resource)
    lines: list[str] = []
    listed = chars = 0
    left_out = 0
    for key, icon, title in _GROUPS:
        members = groups[key]
        if not members:
            continue
        if (max_resources is not None and listed >= max_resources) or (max_chars is not None and chars >= max_chars):
            left_out += len(members)
            continue
        lines += [f"**{icon} {title} ({len(members):,})**", ""]
        for i, resource in enumerate(members):
            if (max_resources is not None and listed >= max_resources) or (
                max_chars is not None and chars >= max_chars
            ):
                left_out += len(members) - i
                break
            entry = _resource_lines(resource)
            chars += sum(len(line) + 1 for line in entry)
            listed += 1
            lines += entry
        lines.append("")
    if left_out:
        lines += [
            f"… and {left_out:,} more resources not listed here, to keep the comment readable; "
            "`olympus summarize` on the plan's JSON lists every one.",
            "",
        ]
    if summary.outputs:
        lines += [f"**📤 Outputs ({len(summary.outputs):,})**", ""]
        for output in summary.outputs:
            if output.action == "update":
                value = f"{_value(output.before)} → {_value(output.after)}"
            elif output.action == "delete":
                value = _value(output.before)
            else:
                value = _value(output.after)
            lines.append(f"- {code(output.name)} ({escape_text(output.action)}): {value}")
        lines.append("")
    return lines


def _resource_lines(resource: ResourceChange) -> list[str]:
    text = f"- {code(resource.address)}"
    if resource.previous_address:
        text += f" (moved from {code(resource.previous_address)})"
    if resource.importing and resource.action != "no-op":
        text += " (imported)"
    if resource.action in ("delete", "replace"):
        text += why(resource)
    return [text, *attribute_lines(resource)]


def attribute_lines(resource: ResourceChange) -> list[str]:
    """A resource's changed attributes, before → after, bounded."""
    lines = [_attribute_line(a) for a in resource.attributes[:MAX_ATTRIBUTES_LISTED]]
    more = resource.more_attributes + max(len(resource.attributes) - MAX_ATTRIBUTES_LISTED, 0)
    if more:
        lines.append(f"  - … and {more:,} more changed attributes")
    return lines


def _attribute_line(attribute: AttributeChange) -> str:
    return f"  - {code(attribute.name)}: {_value(attribute.before)} → {_value(attribute.after)}"


def _value(text: str) -> str:
    if text in (SENSITIVE, UNKNOWN):  # our own words, not a value: shown as prose
        return f"_{text}_"
    return code(text, limit=160)
