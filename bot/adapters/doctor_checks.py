"""What `olympus doctor` reads: IAM roles and the OIDC provider (boto3), and the base branch's protection (PyGithub)."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bot.domain.role_permissions import READ_ONLY_MANAGED_POLICIES, PermissionPolicy
from bot.domain.trust_policy import AUDIENCE, GITHUB_ISSUER_HOST, DoctorFinding, RoleArn
from bot.errors import UserError

__all__ = [
    "DEFAULT_GITHUB_API_URL",
    "RoleDocuments",
    "branch_protection_findings",
    "iam_client",
    "oidc_provider_findings",
    "read_role",
]

DEFAULT_GITHUB_API_URL = "https://api.github.com"
# What the doctor needs to read a role, for the hint when IAM refuses.
IAM_READ_ACTIONS = (
    "iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicy, "
    "iam:GetPolicyVersion, iam:GetOpenIDConnectProvider"
)


@dataclass(frozen=True)
class RoleDocuments:
    """A role's trust policy and every permission policy attached to it or written into it."""

    arn: str
    trust_policy: Mapping[str, Any]
    permission_policies: tuple[PermissionPolicy, ...]


def iam_client() -> Any:
    """An IAM client from boto3's standard configuration (profiles, env credentials, AWS_ENDPOINT_URL)."""
    import boto3

    return boto3.client("iam")


def _document(raw: Any) -> Mapping[str, Any]:
    """A policy document as a mapping: IAM's API returns URL-encoded JSON, which boto3 usually decodes already."""
    if isinstance(raw, Mapping):
        return raw
    if isinstance(raw, str):
        decoded = json.loads(urllib.parse.unquote(raw))
        if isinstance(decoded, Mapping):
            return decoded
    return {}


@contextmanager
def _aws_errors(what: str) -> Iterator[None]:
    """Turn the AWS failures a user can fix into UserErrors that say how."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        PartialCredentialsError,
    )

    try:
        yield
    except (NoCredentialsError, PartialCredentialsError) as error:
        raise UserError(
            "no-aws-credentials",
            f"no AWS credentials to read {what}",
            "configure them as for the AWS CLI (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or SSO); "
            f"the identity needs {IAM_READ_ACTIONS}",
        ) from error
    except EndpointConnectionError as error:
        raise UserError(
            "aws-unreachable",
            f"could not reach AWS IAM to read {what}: {error}",
            "check the network, and AWS_ENDPOINT_URL if you set it",
        ) from error
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code == "NoSuchEntity":
            raise UserError(
                "role-not-found",
                f"{what} does not exist in this account",
                "check the ARN, and that your credentials are for the role's account; to create the role, take its "
                "trust policy from `olympus doctor --print-trust-policy`",
            ) from error
        if code in ("InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "UnrecognizedClientException"):
            raise UserError(
                "aws-credentials-rejected",
                f"AWS rejected the credentials while reading {what} ({code})",
                "refresh or fix your AWS credentials (e.g. `aws sso login`), then run the doctor again",
            ) from error
        if code in ("AccessDenied", "AccessDeniedException"):
            raise UserError(
                "iam-access-denied",
                f"your AWS identity may not read {what}",
                f"run the doctor as an identity allowed {IAM_READ_ACTIONS}",
            ) from error
        raise


def read_role(iam: Any, role: RoleArn) -> RoleDocuments:
    """The role's trust policy and its inline and managed permission policies, from IAM."""
    with _aws_errors(f"role {role.text}"):
        found = iam.get_role(RoleName=role.name)["Role"]
        # GetRole takes a name, so credentials for another account would read that account's namesake.
        account = str(found.get("Arn", "")).split(":")[4:5]
        if account and account != [role.account_id]:
            raise UserError(
                "wrong-aws-account",
                f"your AWS credentials are for account {account[0]}, not {role.account_id} of {role.text}",
                f"run the doctor with credentials for account {role.account_id} (e.g. AWS_PROFILE)",
            )
        policies: list[PermissionPolicy] = []
        for page in iam.get_paginator("list_role_policies").paginate(RoleName=role.name):
            for name in page["PolicyNames"]:
                document = iam.get_role_policy(RoleName=role.name, PolicyName=name)["PolicyDocument"]
                policies.append(PermissionPolicy(name, _document(document)))
        for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role.name):
            for attached in page["AttachedPolicies"]:
                arn = attached["PolicyArn"]
                if arn in READ_ONLY_MANAGED_POLICIES:
                    policies.append(PermissionPolicy(attached["PolicyName"], {}, arn))
                    continue
                version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
                document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
                policies.append(PermissionPolicy(attached["PolicyName"], _document(document), arn))
    return RoleDocuments(found["Arn"], _document(found["AssumeRolePolicyDocument"]), tuple(policies))


def oidc_provider_findings(iam: Any, role: RoleArn, issuer_host: str = GITHUB_ISSUER_HOST) -> list[DoctorFinding]:
    """Whether the role's account has GitHub's OIDC provider, with sts.amazonaws.com among its audiences."""
    from botocore.exceptions import ClientError

    arn = f"arn:{role.partition}:iam::{role.account_id}:oidc-provider/{issuer_host}"
    create = f"aws iam create-open-id-connect-provider --url https://{issuer_host} --client-id-list {AUDIENCE}"
    try:
        with _aws_errors(f"OIDC provider {arn}"):
            provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    except UserError as error:
        if error.reference != "role-not-found":
            raise
        return [
            DoctorFinding(
                "no-oidc-provider",
                "error",
                f"account {role.account_id}",
                f"the account has no OIDC provider for {issuer_host}, so no GitHub token can be exchanged",
                create,
            )
        ]
    except ClientError as error:  # pragma: no cover - any other IAM refusal: say so, do not guess
        return [
            DoctorFinding(
                "oidc-provider-unreadable",
                "note",
                f"account {role.account_id}",
                f"could not read the OIDC provider {arn}: {error.response.get('Error', {}).get('Code', '')}",
                f"check it by hand: aws iam get-open-id-connect-provider --open-id-connect-provider-arn {arn}",
            )
        ]
    if AUDIENCE not in provider.get("ClientIDList", []):
        return [
            DoctorFinding(
                "oidc-provider-audience",
                "error",
                f"account {role.account_id}",
                f"the OIDC provider for {issuer_host} does not list {AUDIENCE!r} among its audiences "
                f"({json.dumps(provider.get('ClientIDList', []))}), so STS refuses the tokens Olympus requests",
                f"aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn {arn} "
                f"--client-id {AUDIENCE}",
            )
        ]
    return []


def _protection_fix(owner_repo: str, branch: str) -> str:
    body = {
        "required_status_checks": None,
        "enforce_admins": True,
        "required_pull_request_reviews": {"required_approving_review_count": 1, "dismiss_stale_reviews": True},
        "restrictions": None,
    }
    return (
        f"require at least one approving review on {branch!r} (Settings → Branches), or: "
        f"gh api -X PUT repos/{owner_repo}/branches/{branch}/protection --input - <<< '{json.dumps(body)}'"
    )


def branch_protection_findings(
    owner_repo: str,
    *,
    token: str,
    api_url: str = DEFAULT_GITHUB_API_URL,
    branch: str | None = None,
    timeout: int = 15,
) -> list[DoctorFinding]:
    """Findings about the base branch (default: the repository's default branch) unless it requires reviews."""
    from github import Auth, BadCredentialsException, Github, GithubException

    # retry=None: the doctor is interactive, and a refusal is an answer, not a reason to wait and ask again.
    gh = Github(base_url=api_url.rstrip("/"), auth=Auth.Token(token), timeout=timeout, retry=None)
    base = branch
    try:
        try:
            repo = gh.get_repo(owner_repo)
            base = branch or repo.default_branch
            github_branch = repo.get_branch(base)
        except GithubException as error:
            if error.status != 404:
                raise
            what = f"branch {base!r} of {owner_repo}" if base else f"repository {owner_repo}"
            raise UserError(
                "github-not-found",
                f"GitHub has no {what}, or the token cannot see it",
                "check --repo and --base, and that the token may read the repository",
            ) from error
        try:
            protection = github_branch.get_protection().raw_data
        except GithubException as error:
            # GitHub says "Branch not protected" for a readable branch without protection, "Not Found" when the
            # token may not read protection. https://docs.github.com/en/rest/branches/branch-protection
            message = str(error.data.get("message", "")) if isinstance(error.data, dict) else ""
            if error.status != 404:
                raise
            if "not protected" not in message.lower():
                raise UserError(
                    "github-protection-unreadable",
                    f"the token may not read the protection of {base!r} in {owner_repo}",
                    "use a token with the repository's Administration: read permission (classic: `repo`)",
                ) from error
            return [
                DoctorFinding(
                    "base-branch-unprotected",
                    "error",
                    f"branch {base}",
                    f"{base!r} has no branch protection: a change can be merged, and applied after merge, without "
                    "anyone's review (rulesets are not read by this check)",
                    _protection_fix(owner_repo, base),
                )
            ]
    except BadCredentialsException as error:
        raise UserError(
            "github-bad-credentials",
            "GitHub rejected the token",
            "set a valid token in GITHUB_TOKEN (or the variable --github-token-env names), or pass --skip-github",
        ) from error
    except GithubException as error:
        raise UserError(
            "github-refused",
            f"GitHub answered {error.status} while reading {owner_repo}",
            "use a token with the repository's Administration: read permission, or pass --skip-github",
        ) from error
    except OSError as error:  # requests' connection errors are OSErrors
        raise UserError(
            "github-unreachable",
            f"could not reach GitHub at {api_url}",
            "check the network, and GITHUB_API_URL if you set it",
        ) from error
    findings = []
    reviews = protection.get("required_pull_request_reviews") or {}
    count = int(reviews.get("required_approving_review_count") or 0)
    if count < 1:
        findings.append(
            DoctorFinding(
                "base-branch-without-reviews",
                "error",
                f"branch {base}",
                f"{base!r} is protected but requires {'no pull request' if not reviews else 'zero approving reviews'}"
                ": changes reach it unreviewed",
                _protection_fix(owner_repo, base),
            )
        )
    if not (protection.get("enforce_admins") or {}).get("enabled", False):
        findings.append(
            DoctorFinding(
                "admins-bypass-protection",
                "note",
                f"branch {base}",
                f"administrators may merge into {base!r} without the required reviews",
                f"gh api -X POST repos/{owner_repo}/branches/{base}/protection/enforce_admins",
            )
        )
    return findings
