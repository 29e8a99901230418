"""Whether a role's permission policies allow writes: the plan role must only read, bar the state lock."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.domain.trust_policy import DoctorFinding, statements

__all__ = [
    "READ_ONLY_MANAGED_POLICIES",
    "READ_VERBS",
    "STATE_LOCK_ACTIONS",
    "PermissionPolicy",
    "analyse_plan_permissions",
    "is_read_only_action",
    "write_grants",
]

# IAM action names start with their verb; these verbs only read. `s3:GetObject` is a Get.
READ_VERBS: Final = ("Get", "List", "Describe", "Head", "View", "BatchGet")
# Reads whose verb is not one of the above.
READ_ACTIONS: Final = frozenset({"dynamodb:query", "dynamodb:scan"})
# AWS's own read-only job-function policies: their documents hold read actions with other verbs
# (logs:StartQuery, cloudtrail:LookupEvents), and AWS keeps them read-only.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html
READ_ONLY_MANAGED_POLICIES: Final = frozenset(
    {
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
        "arn:aws:iam::aws:policy/SecurityAudit",
    }
)
# What `terraform plan` writes with an S3 backend: the lock, in DynamoDB (dynamodb_table) or as a `.tflock`
# object beside the state (use_lockfile). https://developer.hashicorp.com/terraform/language/backend/s3#permissions
STATE_LOCK_ACTIONS: Final = frozenset({"s3:putobject", "s3:deleteobject", "dynamodb:putitem", "dynamodb:deleteitem"})


@dataclass(frozen=True)
class PermissionPolicy:
    """One permission policy of a role: inline (arn None) or managed (its default version's document)."""

    name: str
    document: Mapping[str, Any]
    arn: str | None = None


@dataclass(frozen=True)
class WriteGrant:
    """Actions an Allow statement grants that may write, on which resources."""

    policy: str
    statement: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_action: bool = False


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def is_read_only_action(action: str) -> bool:
    """Whether every action the pattern can match only reads; `*`, `s3:*` and `s3:*Object` may write."""
    service, _, name = action.partition(":")
    if not name or service == "*":
        return False
    if action.lower() in READ_ACTIONS:
        return True
    # The part before the first wildcard must already hold the whole verb: "Get*" reads, "G*" may be anything.
    literal = name.split("*")[0].split("?")[0]
    return any(literal.lower().startswith(verb.lower()) for verb in READ_VERBS)


def write_grants(policies: Sequence[PermissionPolicy]) -> list[WriteGrant]:
    """Every Allow statement's actions that may write (Deny statements are not credited)."""
    grants = []
    for policy in policies:
        if policy.arn in READ_ONLY_MANAGED_POLICIES:
            continue
        for index, statement in enumerate(statements(policy.document), 1):
            if statement.get("Effect") != "Allow":
                continue
            sid = statement.get("Sid")
            label = f"statement {index}" + (f" ({sid})" if sid else "")
            resources = _strings(statement.get("Resource")) or ("*",)
            if statement.get("NotAction") is not None:
                # Allow with NotAction grants everything except the listed actions.
                grants.append(WriteGrant(policy.name, label, _strings(statement["NotAction"]), resources, True))
                continue
            writes = tuple(a for a in _strings(statement.get("Action")) if not is_read_only_action(a))
            if writes:
                grants.append(WriteGrant(policy.name, label, writes, resources))
    return grants


def _precise_state_lock(grant: WriteGrant) -> bool:
    """Whether the grant is only lock writes on named objects or tables (no wildcard in any resource)."""
    if grant.not_action or not {a.lower() for a in grant.actions} <= STATE_LOCK_ACTIONS:
        return False
    for resource in grant.resources:
        if "*" in resource or "?" in resource:
            return False
        is_object = resource.startswith("arn:aws:s3:::") and "/" in resource
        is_table = resource.startswith("arn:aws:dynamodb:") and ":table/" in resource
        if not (is_object or is_table):
            return False
    s3_actions = {a.lower() for a in grant.actions if a.lower().startswith("s3:")}
    dynamo_actions = {a.lower() for a in grant.actions if a.lower().startswith("dynamodb:")}
    objects = [r for r in grant.resources if r.startswith("arn:aws:s3:::")]
    tables = [r for r in grant.resources if r.startswith("arn:aws:dynamodb:")]
    # The S3 actions must point at objects and the DynamoDB ones at tables, not across.
    return (not s3_actions or bool(objects)) and (not dynamo_actions or bool(tables))


def analyse_plan_permissions(
    policies: Sequence[PermissionPolicy], *, role_name: str = "plan role"
) -> list[DoctorFinding]:
    """Findings for a plan role that can write; writes limited to named state objects or lock tables are notes."""
    findings = []
    for grant in write_grants(policies):
        where = f"policy {grant.policy}, {grant.statement}"
        if _precise_state_lock(grant):
            findings.append(
                DoctorFinding(
                    "plan-role-writes-state",
                    "note",
                    where,
                    f"the {role_name} may {', '.join(grant.actions)} on {json.dumps(list(grant.resources))}; "
                    "fine only if these are the Terraform state lock (the DynamoDB lock table, or the state key's "
                    "`.tflock` object); `terraform plan` never writes the state itself",
                    "keep these writes to the lock table or `<state key>.tflock` only; drop s3:PutObject on the "
                    "state object (the apply role writes the state)",
                )
            )
            continue
        verb = "everything except" if grant.not_action else "actions that write:"
        findings.append(
            DoctorFinding(
                "plan-role-can-write",
                "error",
                where,
                f"the {role_name} runs code from pull requests (providers, external data sources) and is allowed "
                f"{verb} {json.dumps(list(grant.actions))} on {json.dumps(list(grant.resources))}",
                "grant the plan role read-only actions (Get*, List*, Describe*, or arn:aws:iam::aws:policy/"
                "ReadOnlyAccess) plus the state lock on named resources; give writes to the apply role only",
            )
        )
    return findings
