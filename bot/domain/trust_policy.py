"""IAM trust policies for GitHub OIDC roles: the correct ones for a repository, and the names they are built of."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from bot.errors import UserError

__all__ = [
    "AUDIENCE",
    "GITHUB_ISSUER_HOST",
    "DoctorFinding",
    "RoleArn",
    "RoleKind",
    "Severity",
    "expected_subject",
    "parse_role_arn",
    "statements",
    "trust_policy_for",
    "validate_owner_repo",
]

RoleKind = Literal["plan", "apply"]
Severity = Literal["error", "note"]

GITHUB_ISSUER_HOST: Final = "token.actions.githubusercontent.com"
# The audience aws-actions/configure-aws-credentials and Olympus request for STS.
# https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
AUDIENCE: Final = "sts.amazonaws.com"
WEB_IDENTITY_ACTIONS: Final = frozenset({"sts:assumerolewithwebidentity", "sts:tagsession"})

# GitHub's rules for owner and repository names.
_OWNER_REPO = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_ACCOUNT = re.compile(r"^\d{12}$")
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
_ROLE_ARN = re.compile(
    r"^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})$", re.ASCII
)


@dataclass(frozen=True)
class DoctorFinding:
    """One problem `olympus doctor` found: a kebab-case code, what is wrong, and the exact fix."""

    code: str
    severity: Severity
    where: str
    problem: str
    fix: str


@dataclass(frozen=True)
class RoleArn:
    """An IAM role's ARN taken apart: IAM's GetRole wants the name, a trust policy the partition and account."""

    text: str
    partition: str
    account_id: str
    name: str


def parse_role_arn(text: str, option: str = "--role") -> RoleArn:
    """The role ARN's parts, or a UserError naming the option and the expected shape."""
    match = _ROLE_ARN.match(text.strip())
    if match is None:
        raise UserError(
            "bad-role-arn",
            f"{option} {text!r} is not an IAM role ARN",
            f"write it as arn:aws:iam::ACCOUNT_ID:role/NAME, e.g. {option} arn:aws:iam::123456789012:role/olympus-plan",
        )
    partition, account_id, _path, name = match.groups()
    return RoleArn(text.strip(), partition, account_id, name)


def validate_owner_repo(owner_repo: str) -> str:
    """`owner_repo` when it is OWNER/REPO, else a UserError saying how to write it."""
    if not _OWNER_REPO.match(owner_repo):
        raise UserError(
            "bad-repository",
            f"{owner_repo!r} is not a GitHub repository name",
            "write it as OWNER/REPO, e.g. --repo octo-org/infrastructure",
        )
    return owner_repo


def _validate_branch(branch: str) -> str:
    # As an Environment's name: ':' would end the subject's ref, and StringLike would read '*' and '?'.
    if not branch or len(branch) > 255 or any(c in branch for c in ':*?"\n '):
        raise UserError(
            "bad-branch",
            f"{branch!r} is not a usable branch name for a trust policy's subject",
            "name the default branch the drift check runs on, e.g. --base main (no ':', '*', '?', quotes or spaces)",
        )
    return branch


def validate_environment(environment: str) -> str:
    # The subject claim separates its parts with ':', and IAM's *Like operators read * and ? as wildcards.
    if not environment or len(environment) > 255 or any(c in environment for c in ':*?"\n'):
        raise UserError(
            "bad-environment",
            f"{environment!r} is not a usable GitHub Environment name",
            "name the Environment that guards apply, e.g. --environment production (no ':', '*', '?' or quotes)",
        )
    return environment


def drift_subject(owner_repo: str, branch: str) -> str:
    """The subject of a job on `branch` (the scheduled drift check), which the read-only plan role also trusts."""
    return f"repo:{owner_repo}:ref:refs/heads/{branch}"


def expected_subject(owner_repo: str, role: RoleKind, environment: str = "production") -> str:
    """The OIDC subject a role should trust: pull requests for plan, the protected Environment for apply."""
    if role == "plan":
        return f"repo:{owner_repo}:pull_request"
    return f"repo:{owner_repo}:environment:{environment}"


def trust_policy_for(
    account_id: str,
    owner_repo: str,
    *,
    role: RoleKind,
    environment: str = "production",
    issuer_host: str = GITHUB_ISSUER_HOST,
    partition: str = "aws",
    drift_branch: str | None = None,
) -> dict[str, Any]:
    """The trust policy of the plan or apply role: only this repository's PRs (and, with drift_branch, the drift
    check's jobs on that branch, read-only like a PR's plan), or only its Environment."""
    if not _ACCOUNT.match(account_id):
        raise UserError("bad-account-id", f"{account_id!r} is not an AWS account id", "an account id has 12 digits")
    if role not in ("plan", "apply"):
        raise UserError("bad-role-kind", f"{role!r} is not a role kind", 'use role="plan" or role="apply"')
    validate_owner_repo(owner_repo)
    validate_environment(environment)
    subject: str | list[str] = expected_subject(owner_repo, role, environment)
    if role == "plan" and drift_branch:
        subject = [str(subject), drift_subject(owner_repo, _validate_branch(drift_branch))]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OlympusPlanFromPullRequests" if role == "plan" else "OlympusApplyFromEnvironment",
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:{partition}:iam::{account_id}:oidc-provider/{issuer_host}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{issuer_host}:aud": AUDIENCE,
                        f"{issuer_host}:sub": subject,
                    }
                },
            }
        ],
    }


def statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """A policy's statements as a list (IAM allows a single statement object instead of a list)."""
    raw = document.get("Statement", [])
    items = [raw] if isinstance(raw, Mapping) else list(raw) if isinstance(raw, list) else []
    return [s for s in items if isinstance(s, Mapping)]
