"""What is wrong with a plan or apply role's trust policy for GitHub OIDC, each finding with its exact fix."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.trust_policy import (
    AUDIENCE,
    GITHUB_ISSUER_HOST,
    WEB_IDENTITY_ACTIONS,
    DoctorFinding,
    RoleKind,
    Severity,
    drift_subject,
    expected_subject,
    statements,
    validate_environment,
    validate_owner_repo,
)

__all__ = ["analyse_trust_policy"]

# StringEquals, StringLike and StringEqualsIgnoreCase restrict a key to values; the negated operators do not.
_POSITIVE = {"stringequals", "stringlike", "stringequalsignorecase"}


@dataclass(frozen=True)
class _Condition:
    """One `Condition` entry on a key: `ForAllValues:StringLike` becomes qualifier "forallvalues", base "stringlike"."""

    operator: str  # as written, for messages
    qualifier: str  # "", "forallvalues" or "foranyvalue"
    base: str  # the operator without qualifier and IfExists, lower case
    if_exists: bool
    values: tuple[str, ...]

    @property
    def positive(self) -> bool:
        return self.base in _POSITIVE

    @property
    def wildcard(self) -> bool:
        """Whether a value matches more than itself (only the *Like operators treat * and ? as wildcards)."""
        return self.base == "stringlike" and any("*" in v or "?" in v for v in self.values)


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def _conditions_on(statement: Mapping[str, Any], key: str) -> list[_Condition]:
    """Every condition of the statement on `key` (IAM condition keys are case-insensitive)."""
    found = []
    block = statement.get("Condition", {})
    if not isinstance(block, Mapping):
        return []
    for operator, entries in block.items():
        if not isinstance(entries, Mapping):
            continue
        qualifier, _, rest = str(operator).rpartition(":")
        base = rest.lower()
        if_exists = base.endswith("ifexists")
        base = base.removesuffix("ifexists")
        for name, value in entries.items():
            if str(name).lower() == key.lower():
                found.append(_Condition(str(operator), qualifier.lower(), base, if_exists, _strings(value)))
    return found


def _label(index: int, statement: Mapping[str, Any]) -> str:
    sid = statement.get("Sid")
    return f"statement {index}" + (f" ({sid})" if sid else "")


def _json(fragment: Any) -> str:
    return json.dumps(fragment)


def _scope_of_wildcard(value: str, owner_repo: str) -> str:
    """Who a wildcard subject lets in, in words."""
    owner = owner_repo.split("/")[0]
    lowered = value.lower()
    if lowered in ("*", "repo:*") or not lowered.startswith("repo:"):
        return "any repository on GitHub, anyone's"
    if lowered.startswith(f"repo:{owner.lower()}/") and not lowered.startswith(f"repo:{owner_repo.lower()}:"):
        return f"any workflow in any repository of {owner}"
    if lowered.startswith(f"repo:{owner_repo.lower()}:"):
        return f"any branch, tag, pull request or environment of {owner_repo}"
    return "subjects beyond the one this role needs"


class _Analysis:
    """The findings of one trust policy, collected statement by statement."""

    def __init__(
        self,
        owner_repo: str,
        role: RoleKind,
        environment: str,
        issuer_host: str,
        account_id: str | None,
        drift_branch: str | None = None,
    ) -> None:
        self.owner_repo = owner_repo
        self.drift_branch = drift_branch
        self.role = role
        self.environment = environment
        self.issuer = issuer_host
        self.account_id = account_id
        self.subject = expected_subject(owner_repo, role, environment)
        self.aud_key = f"{issuer_host}:aud"
        self.sub_key = f"{issuer_host}:sub"
        self.findings: list[DoctorFinding] = []

    def add(self, code: str, where: str, problem: str, fix: str, severity: Severity = "error") -> None:
        self.findings.append(DoctorFinding(code, severity, where, problem, fix))

    @property
    def sub_fix(self) -> str:
        return f"use exactly {_json({'StringEquals': {self.sub_key: self.subject}})} in the statement's Condition"

    def provider_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id or 'ACCOUNT_ID'}:oidc-provider/{self.issuer}"

    def run(self, document: Mapping[str, Any]) -> list[DoctorFinding]:
        allows = [(i, s) for i, s in enumerate(statements(document), 1) if s.get("Effect") == "Allow"]
        github = [(i, s) for i, s in allows if self.principal_ok(i, s)]
        if not github:
            self.add(
                "no-github-trust",
                "trust policy",
                f"no statement lets GitHub Actions ({self.issuer}) assume this role, so the {self.role} job cannot",
                "replace the trust policy with the one `olympus doctor --print-trust-policy` prints",
            )
        for index, statement in github:
            where = _label(index, statement)
            self.check_action(where, statement)
            self.check_audience(where, statement)
            self.check_subject(where, statement)
        return self.findings

    def principal_ok(self, index: int, statement: Mapping[str, Any]) -> bool:
        """Whether the statement trusts only the GitHub OIDC provider; a finding when it trusts anyone else."""
        where = _label(index, statement)
        principal = statement.get("Principal")
        federated = _strings(principal.get("Federated")) if isinstance(principal, Mapping) else ()
        others = [k for k in principal if k != "Federated"] if isinstance(principal, Mapping) else []
        suffix = f":oidc-provider/{self.issuer}"
        foreign = [f for f in federated if not f.endswith(suffix)]
        ours = [f for f in federated if f.endswith(suffix)]
        wrong_account = [f for f in ours if self.account_id is not None and f.split(":")[4:5] != [self.account_id]]
        if principal == "*" or others or foreign or not federated or wrong_account or statement.get("NotPrincipal"):
            shown = _json(principal if principal is not None else statement.get("NotPrincipal"))
            self.add(
                "foreign-principal",
                where,
                f"the statement trusts {shown}, not only the GitHub OIDC provider of this account: whoever that "
                f"principal is can take the {self.role} role without GitHub's token",
                f'set "Principal": {_json({"Federated": self.provider_arn()})} and nothing else '
                "(move other principals to a separate role)",
            )
            return bool(ours) and principal != "*"
        return True

    def check_action(self, where: str, statement: Mapping[str, Any]) -> None:
        actions = {a.lower() for a in _strings(statement.get("Action"))}
        if statement.get("NotAction") or not actions <= WEB_IDENTITY_ACTIONS:
            self.add(
                "broad-action",
                where,
                f"the statement allows {_json(statement.get('Action') or statement.get('NotAction'))}; "
                "GitHub's token needs only sts:AssumeRoleWithWebIdentity",
                '"Action": "sts:AssumeRoleWithWebIdentity"',
            )

    def check_audience(self, where: str, statement: Mapping[str, Any]) -> None:
        conditions = [c for c in _conditions_on(statement, self.aud_key) if c.positive]
        fix = f"add {_json({'StringEquals': {self.aud_key: AUDIENCE}})} to the statement's Condition"
        strict = [c for c in conditions if c.qualifier != "forallvalues" and not c.if_exists]
        if not strict:
            self.add(
                "no-audience",
                where,
                f"no condition checks the token's audience ({self.aud_key}); a token GitHub minted for another "
                "service or cloud would be accepted",
                fix,
            )
            return
        if not any(c.values and all(v == AUDIENCE for v in c.values) and not c.wildcard for c in strict):
            values = sorted({v for c in strict for v in c.values})
            self.add(
                "wrong-audience",
                where,
                f"the audience condition allows {_json(values)} instead of exactly {AUDIENCE!r}, "
                "the audience Olympus requests for AWS",
                fix,
            )

    def check_subject(self, where: str, statement: Mapping[str, Any]) -> None:
        conditions = [c for c in _conditions_on(statement, self.sub_key) if c.positive]
        for c in conditions:
            if c.qualifier == "forallvalues":
                self.add(
                    "for-all-values-subject",
                    where,
                    f"{c.operator} on {self.sub_key}: ForAllValues is true when the key is absent or its value is "
                    "an empty set, so it does not require the subject at all; it is meant for multivalued keys, "
                    "and sub is a single string",
                    f"drop the ForAllValues: qualifier: {self.sub_fix}",
                )
            elif c.if_exists:
                self.add(
                    "if-exists-subject",
                    where,
                    f"{c.operator} on {self.sub_key} passes when the token has no subject at all",
                    f"drop the IfExists suffix: {self.sub_fix}",
                )
            elif c.qualifier == "foranyvalue":
                self.add(
                    "for-any-value-subject",
                    where,
                    f"{c.operator} on {self.sub_key}: set operators are for multivalued keys; sub is one string",
                    self.sub_fix,
                    severity="note",
                )
        strict = [c for c in conditions if c.qualifier != "forallvalues" and not c.if_exists]
        if not strict:
            if not conditions:
                self.add(
                    "no-subject",
                    where,
                    f"no condition checks the token's subject ({self.sub_key}): a workflow in any repository on "
                    "GitHub can assume this role",
                    f"add {_json({'StringEquals': {self.sub_key: self.subject}})} to the statement's Condition",
                )
            return
        # Conditions in one statement must all hold, so an exact one bounds the statement whatever the others say.
        exact = [c for c in strict if not c.wildcard and c.values]
        if not exact:
            for c in strict:
                for value in (v for v in c.values if "*" in v or "?" in v):
                    scope = _scope_of_wildcard(value, self.owner_repo)
                    self.add(
                        "wildcard-subject",
                        where,
                        f"{c.operator} {value!r} on {self.sub_key} lets in {scope}",
                        self.sub_fix,
                    )
            if self.role == "apply":
                self.not_bound(where, sorted({v for c in strict for v in c.values}))
            return
        allowed = set(exact[0].values)
        for c in exact[1:]:
            allowed &= set(c.values)
        self.check_exact_subjects(where, exact, sorted(allowed))

    def not_bound(self, where: str, values: Sequence[str]) -> None:
        self.add(
            "apply-not-bound-to-environment",
            where,
            f"the apply role trusts {_json(list(values))}, not only {self.subject!r}: a job that does not run in "
            f"the {self.environment!r} Environment (so skips its required reviewers) can apply",
            self.sub_fix,
        )

    def check_exact_subjects(self, where: str, exact: Iterable[_Condition], allowed: Sequence[str]) -> None:
        for c in exact:
            if c.base == "stringlike":
                self.add(
                    "string-like-without-wildcard",
                    where,
                    f"{c.operator} on {self.sub_key} has no wildcard; StringEquals says the same more plainly",
                    self.sub_fix,
                    severity="note",
                )
            for value in (v for v in c.values if c.base != "stringlike" and ("*" in v or "?" in v)):
                self.add(
                    "literal-wildcard-subject",
                    where,
                    f"{c.operator} compares {value!r} literally (only StringLike reads '*' as a wildcard), so no "
                    "token matches it",
                    self.sub_fix,
                )
        prefix = f"repo:{self.owner_repo.lower()}:"
        foreign = [v for v in allowed if not v.lower().startswith(prefix)]
        if foreign:
            self.add(
                "foreign-subject",
                where,
                f"the role also trusts workflows of other repositories: {_json(foreign)}",
                self.sub_fix,
            )
        if self.role == "apply":
            if [v for v in allowed if v.lower() != self.subject.lower()]:
                self.not_bound(where, allowed)
        elif self.subject.lower() not in {v.lower() for v in allowed}:
            self.add(
                "plan-without-pull-requests",
                where,
                f"the plan role does not trust {self.subject!r}, so the plan job of a pull request cannot assume it",
                self.sub_fix,
                severity="note",
            )
        if self.role == "plan" and self.drift_branch:
            drift = drift_subject(self.owner_repo, self.drift_branch)
            if drift.lower() not in {v.lower() for v in allowed}:
                self.add(
                    "plan-without-drift",
                    where,
                    f"the plan role does not trust {drift!r}, so the scheduled drift check "
                    "(workflows/olympus-drift.yml) cannot assume it",
                    f"add {drift!r} to the {self.sub_key} condition's values, beside {self.subject!r}",
                    severity="note",
                )


def analyse_trust_policy(
    document: Mapping[str, Any],
    *,
    owner_repo: str,
    role: RoleKind,
    environment: str = "production",
    issuer_host: str = GITHUB_ISSUER_HOST,
    account_id: str | None = None,
    drift_branch: str | None = None,
) -> list[DoctorFinding]:
    """What is wrong with a plan or apply role's trust policy for GitHub OIDC, each with its fix; [] when right.

    Deny statements are not credited: a policy should be right by what it allows.
    """
    validate_owner_repo(owner_repo)
    validate_environment(environment)
    return _Analysis(owner_repo, role, environment, issuer_host, account_id, drift_branch).run(document)
