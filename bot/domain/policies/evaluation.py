"""What one evaluation of a policy set asks of the Rego engine, and what the engine gives back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# conftest's rule names: `deny`/`violation` block, `warn` is shown; `deny_x`, `violation_x`, `warn_x` count too.
BLOCKING_RULES = ("deny", "violation")
WARNING_RULES = ("warn",)


@dataclass(frozen=True)
class PolicyModule:
    """One Rego file of a policy set: its path (shown in errors) and its text."""

    path: str
    text: str


@dataclass(frozen=True)
class EvaluationRequest:
    """The modules, the input document (as JSON text), the extra data, and the packages whose rules are read."""

    modules: tuple[PolicyModule, ...]
    input_json: str
    namespaces: tuple[str, ...] = ("main",)
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationResult:
    """Each namespace's document (`data.<namespace>` as JSON), or why the set could not be evaluated."""

    documents: Mapping[str, Any] = field(default_factory=dict)
    error: str = ""


def rule_kind(name: str) -> str | None:
    """ "deny", "violation" or "warn" for a rule conftest reads (`deny`, `deny_public`, ...), else None."""
    for kind in (*BLOCKING_RULES, *WARNING_RULES):
        if name == kind or name.startswith(kind + "_"):
            return kind
    return None
