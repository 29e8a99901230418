"""Terraform plan JSON (`terraform show -json PLANFILE`) → a PlanSummary: counts, destroys, drift, outputs."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from bot.domain.plan_checks import CheckResult, checks_of
from bot.domain.plan_values import display_value
from bot.domain.sensitive import PLACEHOLDER, SensitiveValues

SENSITIVE: Final = PLACEHOLDER
UNKNOWN: Final = "(known after apply)"

# Bounds that keep a summary small whatever the plan holds (values are cut as bot/domain/plan_values.py writes
# them): at most this many attributes shown per resource.
MAX_ATTRIBUTES: Final = 20

_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


@dataclass(frozen=True, slots=True)
class PlanCounts:
    """The numbers of Terraform's own "Plan: X to add, Y to change, Z to destroy." line, and the rest."""

    add: int = 0
    change: int = 0
    destroy: int = 0
    replace: int = 0
    imports: int = 0
    moves: int = 0
    forget: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "add": self.add,
            "change": self.change,
            "destroy": self.destroy,
            "replace": self.replace,
            "import": self.imports,
            "move": self.moves,
            "forget": self.forget,
        }

    @property
    def any(self) -> bool:
        return any(self.as_dict().values())


class Mark(NamedTuple):
    """Stands in for a value that is not shown: a sensitive one, or one known only after apply."""

    text: str


HIDDEN: Final = Mark(SENSITIVE)
LATER: Final = Mark(UNKNOWN)


class AttributeChange(NamedTuple):
    """One changed attribute: a sensitive value is replaced by HIDDEN before it gets here.

    Values stay as the plan holds them (no copy) and are formatted only when read: a comment shows a few
    hundred of a plan's possibly hundred thousand changed attributes.
    """

    name: str
    old: object
    new: object

    @property
    def before(self) -> str:
        return shown_value(self.old)

    @property
    def after(self) -> str:
        return shown_value(self.new)


# A NamedTuple rather than a frozen dataclass: a plan can hold tens of thousands of these, and a frozen
# dataclass's __init__ (one object.__setattr__ per field) alone took half the time json.loads needs for them.
class ResourceChange(NamedTuple):
    """One managed resource the plan touches."""

    address: str
    # create | update | delete | replace | forget | no-op (a move or an import that changes nothing else)
    action: str
    actions: tuple[str, ...]
    action_reason: str = ""  # Terraform's own code: "replace_because_tainted", "delete_because_no_module", ...
    replace_paths: tuple[str, ...] = ()  # the attributes that force a replacement, as `a.b[0]["k"]`
    attributes: tuple[AttributeChange, ...] = ()  # updates, replacements and drift only
    more_attributes: int = 0  # changed attributes left out beyond MAX_ATTRIBUTES
    previous_address: str = ""  # set when a moved block (or `terraform state mv`) renamed it
    importing: bool = False


@dataclass(frozen=True, slots=True)
class OutputChange:
    """One root-module output whose value changes."""

    name: str
    action: str
    before: str
    after: str
    sensitive: bool


@dataclass(frozen=True, slots=True)
class PlanSummary:
    """Everything a reviewer needs from one plan, with no sensitive value in it."""

    counts: PlanCounts
    changes: tuple[ResourceChange, ...]  # every counted, imported or moved resource, in plan order
    destroys: tuple[ResourceChange, ...]
    replacements: tuple[ResourceChange, ...]
    drift: tuple[ResourceChange, ...]  # resources changed outside Terraform since the last apply
    outputs: tuple[OutputChange, ...]
    checks: tuple[CheckResult, ...]
    errored: bool
    applyable: bool
    complete: bool
    terraform_version: str = ""
    format_version: str = ""

    @property
    def has_changes(self) -> bool:
        return self.counts.any or bool(self.outputs)

    @property
    def failed_checks(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if c.status in ("fail", "error"))


def summarize(plan: Mapping[str, Any], sensitive: SensitiveValues | None = None) -> PlanSummary:
    """The summary of one plan document (one element of load_plan_documents), with no sensitive value in it.

    Terraform's marks hide what it marks; `sensitive` (by default every value the plan marks anywhere, see
    SensitiveValues.from_plan) also hides copies of those values that Terraform left unmarked, such as `tags_all`.
    """
    if sensitive is None:
        sensitive = SensitiveValues.from_plan(plan)
    add = change = destroy = replace = imports = moves = forget = 0
    changes: list[ResourceChange] = []
    for entry in _entries(plan, "resource_changes"):
        if entry.get("mode") == "data":
            continue  # data sources are read, never counted: Terraform's own summary line skips them too
        resource = _resource_change(entry)
        if resource is None:
            continue
        actions = resource.actions
        if "create" in actions:
            add += 1
        if "delete" in actions:
            destroy += 1
        if "update" in actions:
            change += 1
        if "forget" in actions:
            forget += 1
        if resource.action == "replace":
            replace += 1
        if resource.importing:
            imports += 1
        if resource.previous_address:
            moves += 1
        changes.append(resource)
    drift = [r for r in map(_drift_change, _entries(plan, "resource_drift")) if r is not None]
    checks = checks_of(plan.get("checks"))
    if sensitive:
        changes = [_redacted_resource(r, sensitive) for r in changes]
        drift = [_redacted_resource(r, sensitive) for r in drift]
        # Only what Terraform wrote: a status ("fail") is a word Olympus reads, never a secret's copy.
        checks = tuple(sensitive.redact_fields(c, "address", "problems") for c in checks)
    errored = plan.get("errored") is True
    counts = PlanCounts(add, change, destroy, replace, imports, moves, forget)
    outputs = _output_changes(plan.get("output_changes"), sensitive)
    applyable = plan.get("applyable")
    if not isinstance(applyable, bool):  # before format 1.2 a plan did not say; Terraform's rule, derived
        applyable = not errored and (counts.any or bool(outputs))
    return PlanSummary(
        counts=counts,
        changes=tuple(changes),
        destroys=tuple(r for r in changes if r.action == "delete"),
        replacements=tuple(r for r in changes if r.action == "replace"),
        drift=tuple(drift),
        outputs=outputs,
        checks=checks,
        errored=errored,
        applyable=applyable,
        complete=plan.get("complete") is not False and not errored,
        terraform_version=_text(plan.get("terraform_version")),
        format_version=_text(plan.get("format_version")),
    )


# --- resources ------------------------------------------------------------------------------------

# The same few action lists recur thousands of times in a big plan: share one tuple for each.
_KNOWN_ACTIONS: Final[dict[tuple[str, ...], tuple[str, ...]]] = {
    t: t
    for t in (
        ("create",),
        ("update",),
        ("delete",),
        ("delete", "create"),
        ("create", "delete"),
        ("forget",),
        ("create", "forget"),
        ("no-op",),
        ("read",),
    )
}


def _entries(plan: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = plan.get(key)
    if not isinstance(value, list):
        return []
    return [e for e in value if isinstance(e, dict)]


def _actions_of(change: Mapping[str, Any]) -> tuple[str, ...]:
    raw = change.get("actions")
    if not isinstance(raw, list):
        return ()
    known = _KNOWN_ACTIONS.get(tuple(raw))
    return known if known is not None else tuple(str(a) for a in raw)


def _action(actions: tuple[str, ...]) -> str:
    if len(actions) == 1:
        return actions[0]
    if len(actions) == 2 and "create" in actions and ("delete" in actions or "forget" in actions):
        return "replace"
    return "/".join(actions) or "no-op"


def _resource_change(entry: Mapping[str, Any]) -> ResourceChange | None:
    change = entry.get("change")
    if not isinstance(change, dict):
        return None
    actions = _actions_of(change)
    action = _action(actions)
    importing = isinstance(change.get("importing"), dict)
    previous = entry.get("previous_address")
    previous = previous if isinstance(previous, str) else ""
    if action in ("no-op", "read") and not importing and not previous:
        return None
    address = entry.get("address")
    address = address if isinstance(address, str) else _text(address)
    reason = entry.get("action_reason")
    reason = reason if isinstance(reason, str) else ""
    if action != "update" and action != "replace":
        # The common case of a big plan (creates, destroys): nothing more to work out.
        return ResourceChange(address, action, actions, reason, (), (), 0, previous, importing)
    attributes, more = _attribute_changes(change)
    replace_paths = _replace_paths(change.get("replace_paths"))
    return ResourceChange(address, action, actions, reason, replace_paths, attributes, more, previous, importing)


def _drift_change(entry: Mapping[str, Any]) -> ResourceChange | None:
    change = entry.get("change")
    if not isinstance(change, dict) or entry.get("mode") == "data":
        return None
    actions = _actions_of(change)
    action = _action(actions)
    if action in ("no-op", "read"):
        return None
    attributes, more = _attribute_changes(change) if action == "update" else ((), 0)
    return ResourceChange(
        address=_text(entry.get("address")),
        action=action,
        actions=actions,
        attributes=attributes,
        more_attributes=more,
    )


def _attribute_changes(change: Mapping[str, Any]) -> tuple[tuple[AttributeChange, ...], int]:
    before = change.get("before")
    after = change.get("after")
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    unknown = change.get("after_unknown")
    unknown_by_name: Mapping[str, object] = unknown if isinstance(unknown, dict) else {}
    # A mask is True (all of it), a dict by attribute, or empty: look names up only in a non-empty dict.
    masks = [m for m in (change.get("before_sensitive"), change.get("after_sensitive")) if m]
    all_hidden = any(m is True for m in masks)
    masks = [m for m in masks if isinstance(m, dict)]
    changed: list[AttributeChange] = []
    total = 0
    for name in sorted(before.keys() | after.keys() | unknown_by_name.keys()):
        is_unknown = unknown is True or _any_true(unknown_by_name.get(name))
        old, new = before.get(name), after.get(name)
        if old == new and not is_unknown:
            continue
        total += 1
        if len(changed) >= MAX_ATTRIBUTES:
            continue
        if all_hidden or any(_any_true(m.get(name)) for m in masks):
            changed.append(AttributeChange(str(name), HIDDEN, HIDDEN))
            continue
        changed.append(AttributeChange(str(name), old, LATER if is_unknown and new is None else new))
    return tuple(changed), total - len(changed)


def _any_true(mask: object) -> bool:
    """True when a mask (before_sensitive, after_sensitive, after_unknown) marks anything inside it."""
    if not mask:
        return False
    if mask is True:
        return True
    if isinstance(mask, dict):
        return any(_any_true(v) for v in mask.values())
    if isinstance(mask, list):
        return any(_any_true(v) for v in mask)
    return False


def _replace_paths(raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list):
        return ()
    paths: list[str] = []
    for path in raw:
        if not isinstance(path, list) or not path:
            continue
        text = ""
        for step in path:
            if isinstance(step, int):
                text += f"[{step}]"
            elif isinstance(step, str) and _IDENTIFIER.match(step):
                text += f".{step}" if text else step
            else:
                text += f"[{json.dumps(str(step), ensure_ascii=False)}]"
        paths.append(text)
    return tuple(paths)


def _redacted_resource(resource: ResourceChange, sensitive: SensitiveValues) -> ResourceChange:
    """resource with the plan's secrets hidden in its address (a for_each key) and its attributes' values."""
    attributes = tuple(
        AttributeChange(sensitive.redact(a.name), _hidden(a.old, sensitive), _hidden(a.new, sensitive))
        for a in resource.attributes
    )
    return resource._replace(
        address=sensitive.redact(resource.address),
        previous_address=sensitive.redact(resource.previous_address),
        replace_paths=tuple(map(sensitive.redact, resource.replace_paths)),
        attributes=attributes,
    )


def _hidden(value: object, sensitive: SensitiveValues) -> object:
    """value with the secrets in it replaced; HIDDEN when the whole value is one."""
    if type(value) is Mark:
        return value
    redacted = sensitive.redact_value(value)
    return HIDDEN if redacted == SENSITIVE and value != SENSITIVE else redacted


# --- outputs ---------------------------------------------------------------------------


def _output_changes(raw: object, sensitive: SensitiveValues) -> tuple[OutputChange, ...]:
    if not isinstance(raw, dict):
        return ()
    outputs: list[OutputChange] = []
    for name, change in raw.items():
        if not isinstance(change, dict):
            continue
        action = _action(_actions_of(change))
        if action in ("no-op", "read"):
            continue
        hidden = _any_true(change.get("before_sensitive")) or _any_true(change.get("after_sensitive"))
        if hidden:
            before = after = SENSITIVE
        else:
            # Redacted before display_value cuts them: a cut secret would no longer be recognized.
            before = shown_value(_hidden(change.get("before"), sensitive))
            unknown = change.get("after_unknown")
            if unknown is True:
                after = UNKNOWN
            else:
                after = shown_value(_hidden(change.get("after"), sensitive))
                if _any_true(unknown):
                    after += " (partly known after apply)"
        outputs.append(OutputChange(sensitive.redact(str(name)), action, before, after, hidden))
    return tuple(outputs)


# --- values ---------------------------------------------------------------------------------------


def shown_value(value: object) -> str:
    """What a reader sees for a value: a Mark's words, or display_value of anything else."""
    return value.text if type(value) is Mark else display_value(value)


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)
