"""A policy set's answer read the conftest way: each deny/violation/warn message, with the resource it names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, Final

from bot.domain.policies.config import PolicySet
from bot.domain.policies.evaluation import EvaluationResult, rule_kind
from bot.domain.policies.results import SetOutcome, Violation

# Messages are the policy authors' text, shown in comments and check runs: each is kept short.
MAX_MESSAGE_CHARS: Final = 500
MAX_VIOLATIONS_PER_SET: Final = 200
_V0_SET_HINT: Final = (
    "rule {rule} returned an object of messages, which is how Rego v0's `{rule}[msg] {{ ... }}` reads here; "
    "write it in Rego v1: `{rule} contains msg if {{ ... }}`"
)


def outcome_of(policy_set: PolicySet, project: str, result: EvaluationResult, addresses: Iterable[str]) -> SetOutcome:
    """The set's violations and warnings over one project, or its evaluation error; never a silent pass."""
    base = SetOutcome(policy_set.name, project, policy_set.blocking, policy_set.owners)
    if result.error:
        return replace(base, error=result.error)
    known = sorted(set(addresses), key=len, reverse=True)
    violations: list[Violation] = []
    for namespace in policy_set_namespaces(policy_set):
        document = result.documents.get(namespace) or {}
        if not isinstance(document, Mapping):
            continue
        for rule, values in sorted(document.items()):
            kind = rule_kind(str(rule))
            if kind is None:
                continue
            if isinstance(values, Mapping) and values and all(v is True for v in values.values()):
                return replace(base, error=_V0_SET_HINT.format(rule=rule))
            for value in _messages(values):
                violations.append(_violation(policy_set.name, project, kind, str(rule), value, known))
    violations.sort(key=lambda v: (not v.blocks, v.address, v.message))
    return replace(base, violations=tuple(violations[:MAX_VIOLATIONS_PER_SET]))


def policy_set_namespaces(policy_set: PolicySet) -> tuple[str, ...]:
    return (policy_set.namespace,)


def _messages(values: Any) -> list[Any]:
    """A rule's messages: a set or list of them, or one (a complete rule such as `deny := "..." if ...`)."""
    if values is None or values is False or values == []:
        return []
    if isinstance(values, list):
        return values
    return [values]


def _violation(policy_set: str, project: str, kind: str, rule: str, value: Any, known: list[str]) -> Violation:
    address = ""
    if isinstance(value, Mapping):
        message = str(value.get("msg") or value.get("message") or value)
        address = str(value.get("address") or value.get("resource") or "")
    else:
        message = value if isinstance(value, str) else str(value)
        # conftest's messages often start with the resource they are about: find it among the plan's addresses.
        address = next((a for a in known if a and a in message), "")
    return Violation(policy_set, kind, message[:MAX_MESSAGE_CHARS], project, address[:300], rule)
