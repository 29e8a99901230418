"""The plan role's permission analysis: reads pass, writes are errors, precise state-lock writes are notes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.role_permissions import PermissionPolicy, analyse_plan_permissions, is_read_only_action


def allow(actions: Any, resources: Any = "*", **extra: Any) -> PermissionPolicy:
    statement = {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}
    return PermissionPolicy("inline-policy", {"Version": "2012-10-17", "Statement": [statement]})


@pytest.mark.parametrize(
    "action",
    [
        "s3:GetObject",
        "s3:Get*",
        "s3:ListBucket",
        "ec2:Describe*",
        "iam:GetRole",
        "s3:HeadBucket",
        "cloudwatch:ViewDashboard",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "s3:getobject",
    ],
)
def test_read_actions(action: str) -> None:
    assert is_read_only_action(action)


@pytest.mark.parametrize(
    "action",
    ["*", "s3:*", "s3:PutObject", "s3:*Object", "s3:G*", "iam:PassRole", "ec2:RunInstances", "s3:DeleteObject", "nope"],
)
def test_write_actions(action: str) -> None:
    assert not is_read_only_action(action)


def test_a_read_only_role_has_no_findings() -> None:
    policies = [
        allow(["s3:Get*", "s3:List*", "ec2:Describe*", "dynamodb:GetItem"]),
        PermissionPolicy("ReadOnlyAccess", {}, "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        PermissionPolicy("deny-all", {"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}),
    ]
    assert analyse_plan_permissions(policies) == []


@pytest.mark.parametrize(
    ("policy", "shown"),
    [
        (allow("*"), '["*"]'),
        (allow("s3:*"), '["s3:*"]'),
        (allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::state/*"), '["s3:PutObject"]'),
        (allow("iam:PassRole"), '["iam:PassRole"]'),
        (
            PermissionPolicy("not-action", {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}),
            "everything except",
        ),
        # Lock writes on a wildcard resource are not precise.
        (
            allow(["dynamodb:PutItem", "dynamodb:DeleteItem"], "arn:aws:dynamodb:eu-west-1:123456789012:table/*"),
            "PutItem",
        ),
        # S3 lock actions pointed at a table (or the other way round) are not a state lock.
        (allow("s3:PutObject", "arn:aws:dynamodb:eu-west-1:123456789012:table/locks"), "s3:PutObject"),
        # Managed policies are read from their default version like any other document.
        (
            PermissionPolicy(
                "PowerUserAccess",
                {"Statement": [{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}]},
                "arn:aws:iam::aws:policy/PowerUserAccess",
            ),
            "iam:*",
        ),
    ],
    ids=[
        "star",
        "service-star",
        "put-object-wildcard",
        "pass-role",
        "not-action",
        "lock-wildcard",
        "crossed",
        "managed",
    ],
)
def test_a_plan_role_that_can_write_is_an_error(policy: PermissionPolicy, shown: str) -> None:
    findings = analyse_plan_permissions([policy])
    assert [(f.code, f.severity) for f in findings] == [("plan-role-can-write", "error")]
    assert shown in findings[0].problem
    assert "read-only" in findings[0].fix and "apply role" in findings[0].fix
    assert findings[0].where.startswith(f"policy {policy.name}, statement 1")


def test_precise_state_lock_writes_are_a_note() -> None:
    policies = [
        allow(["dynamodb:PutItem", "dynamodb:DeleteItem"], "arn:aws:dynamodb:eu-west-1:123456789012:table/tf-locks"),
        allow(["s3:PutObject", "s3:DeleteObject"], "arn:aws:s3:::tf-state/prod/terraform.tfstate.tflock", Sid="Lock"),
    ]
    findings = analyse_plan_permissions(policies)
    assert [(f.code, f.severity) for f in findings] == [("plan-role-writes-state", "note")] * 2
    assert "tf-locks" in findings[0].problem
    assert findings[1].where == "policy inline-policy, statement 1 (Lock)"
    assert ".tflock" in findings[1].fix
