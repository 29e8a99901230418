"""A policy set's answer read the conftest way: each deny/violation/warn message, with the resource it names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, Final

from bot.domain.policies.config import PolicySet
from bot.domain.policies.evaluation import EvaluationResult, rule_kind
from bot.domain.policies.results import SetOutcome, Violation

# The words of a message that could be a resource or object address (`module.a.aws_s3_bucket.b["x"]`,
# `Deployment/ns/web`), longest first.
_ADDRESS_LIKE: Final = re.compile(r"[A-Za-z0-9_./\-]+(?:\[[^\]]*\][A-Za-z0-9_./\-]*)*")


def _address_like(message: str) -> list[str]:
    words = {w.rstrip(".:,;") for w in _ADDRESS_LIKE.findall(message) if "." in w or "/" in w}
    return sorted(words, key=len, reverse=True)


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
    known = frozenset(addresses)
    violations: list[Violation] = []
    document = result.documents.get(policy_set.namespace) or {}
    if isinstance(document, Mapping):
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


def _messages(values: Any) -> list[Any]:
    """A rule's messages: a set or list of them, or one (a complete rule such as `deny := "..." if ...`)."""
    if values is None or values is False or values == []:
        return []
    if isinstance(values, list):
        return values
    return [values]


def _violation(policy_set: str, project: str, kind: str, rule: str, value: Any, known: frozenset[str]) -> Violation:
    address = ""
    if isinstance(value, Mapping):
        message = str(value.get("msg") or value.get("message") or value)
        address = str(value.get("address") or value.get("resource") or "")
    else:
        message = value if isinstance(value, str) else str(value)
        # conftest's messages often name the resource they are about: find it among the plan's addresses.
        address = next((word for word in _address_like(message) if word in known), "")
    return Violation(policy_set, kind, message[:MAX_MESSAGE_CHARS], project, address[:300], rule)
