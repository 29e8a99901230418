"""The port of policy as code: evaluate a policy set's Rego over one input, within a time limit."""

from __future__ import annotations

from typing import Protocol

from bot.domain.policies.evaluation import EvaluationRequest, EvaluationResult

__all__ = ["PolicyEngine"]


class PolicyEngine(Protocol):
    """Evaluates Rego modules over an input (RegoEngine); never raises for the policies' own faults."""

    def evaluate(self, request: EvaluationRequest, *, timeout: float) -> EvaluationResult:
        """Each namespace's document, or an error that says what failed: a module that does not parse, a
        function that does not exist, a rule with conflicting values, or the time limit."""
        ...
