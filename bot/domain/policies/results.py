"""What the policies said of one change: each set's violations and warnings, or why it could not be evaluated."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PolicyFailure:
    """A blocking failure as the gate keeps it: the policy set that raised it, and what it said."""

    policy_set: str
    message: str


@dataclass(frozen=True)
class Violation:
    """One message of a `deny`, `violation` or `warn` rule, with the resource it names when it names one."""

    policy_set: str
    kind: str  # deny | violation | warn
    message: str
    project: str = ""
    address: str = ""  # a resource address ("aws_s3_bucket.logs") or a Kubernetes object ("Deployment/ns/web")
    rule: str = ""  # the rule's name: deny, deny_public_acl, ...

    @property
    def blocks(self) -> bool:
        return self.kind != "warn"


@dataclass(frozen=True)
class SetOutcome:
    """One policy set over one project (or application): what it found, or why it could not say."""

    policy_set: str
    project: str
    blocking: bool  # the set's failures block the apply (else they are advisory)
    owners: tuple[str, ...] = ()
    violations: tuple[Violation, ...] = ()
    error: str = ""  # the set could not be evaluated: a failure, never a pass

    @property
    def failures(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.blocks)

    @property
    def warnings(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if not v.blocks)

    @property
    def failed(self) -> bool:
        return bool(self.error or self.failures)

    def gate_failures(self) -> tuple[PolicyFailure, ...]:
        """What the gate must hold the apply for: nothing for an advisory set."""
        if not self.blocking:
            return ()
        if self.error:
            return (PolicyFailure(self.policy_set, f"could not be evaluated: {self.error}"),)
        return tuple(PolicyFailure(self.policy_set, _located(v)) for v in self.failures)


@dataclass(frozen=True)
class PolicyReport:
    """Every policy set's outcome over every planned project of a change."""

    outcomes: tuple[SetOutcome, ...] = ()
    off: bool = False  # the repository turned policies off

    def for_project(self, project: str) -> tuple[SetOutcome, ...]:
        return tuple(o for o in self.outcomes if o.project == project)

    def gate_failures(self, project: str) -> tuple[PolicyFailure, ...]:
        return tuple(f for o in self.for_project(project) for f in o.gate_failures())

    def set_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(o.policy_set for o in self.outcomes))

    def of_set(self, name: str) -> tuple[SetOutcome, ...]:
        return tuple(o for o in self.outcomes if o.policy_set == name)


def merged(reports: Sequence[PolicyReport]) -> PolicyReport:
    """One report of several (Terraform projects and applications)."""
    return PolicyReport(tuple(o for r in reports for o in r.outcomes), off=any(r.off for r in reports))


def _located(violation: Violation) -> str:
    if violation.address and violation.address not in violation.message:
        return f"{violation.address}: {violation.message}"
    return violation.message
