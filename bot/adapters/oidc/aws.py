"""AWS credentials from a verified ID token: STS AssumeRoleWithWebIdentity, for Terraform's environment only."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.adapters.oidc.actions_token import IdToken, request_verified_id_token
from bot.domain.oidc_claims import ExpectedClaims
from bot.errors import UserError

# STS's limits: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
MIN_DURATION_SECONDS = 900
MAX_DURATION_SECONDS = 43200
_SESSION_NAME_MAX = 64
_NOT_IN_SESSION_NAME = re.compile(r"[^\w+=,.@-]", re.ASCII)
_ROLE_ARN = re.compile(r"arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}", re.ASCII)


@dataclass(frozen=True)
class AwsCredentials:
    """Temporary credentials of an assumed role; the secrets stay out of reprs and logs."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime
    assumed_role_arn: str

    def env(self) -> dict[str, str]:
        """Terraform's (and the AWS provider's) environment: the credentials never touch the workspace."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
        }

    def secrets(self) -> tuple[str, ...]:
        """Every value to mask in the job's log (the key id too: it identifies the session)."""
        return (self.access_key_id, self.secret_access_key, self.session_token)


def role_session_name(repository: str, run_id: str, pull_request: int | None = None) -> str:
    """`olympus@OWNER.REPO-pr12-run345`, fitted to STS's `[\\w+=,.@-]{2,64}`; the run id is kept whole.

    CloudTrail records this name, so it says which repository, PR and run used the role.
    """
    suffix = (f"-pr{pull_request}" if pull_request is not None else "") + f"-run{run_id}"
    suffix = _NOT_IN_SESSION_NAME.sub("-", suffix)[-(_SESSION_NAME_MAX - 10) :]
    prefix = _NOT_IN_SESSION_NAME.sub("-", f"olympus@{repository.replace('/', '.')}")
    return prefix[: _SESSION_NAME_MAX - len(suffix)] + suffix


def assume_role(
    id_token: IdToken,
    role_arn: str,
    session_name: str,
    duration_seconds: int = MIN_DURATION_SECONDS,
    region: str | None = None,
    sts_client: Any = None,
) -> AwsCredentials:
    """Exchange a verified ID token for role_arn's temporary credentials.

    Taking an IdToken (which only verify_id_token makes) keeps the order: signature and claims first, STS after.
    boto3's standard configuration applies, so AWS_ENDPOINT_URL(_STS) points the call at an emulator.
    """
    if not _ROLE_ARN.fullmatch(role_arn):
        raise UserError("aws-role-arn", f"{role_arn!r} is not an IAM role ARN", "use arn:aws:iam::ACCOUNT:role/NAME")
    if not MIN_DURATION_SECONDS <= duration_seconds <= MAX_DURATION_SECONDS:
        raise UserError(
            "aws-session-duration",
            f"a role session lasts {MIN_DURATION_SECONDS} to {MAX_DURATION_SECONDS} seconds, not {duration_seconds}",
            f"ask for a duration between {MIN_DURATION_SECONDS} and {MAX_DURATION_SECONDS} seconds",
        )
    client = sts_client if sts_client is not None else _sts_client(region)
    import botocore.exceptions

    try:
        answer = client.assume_role_with_web_identity(
            RoleArn=role_arn,
            RoleSessionName=session_name,
            WebIdentityToken=id_token.value,
            DurationSeconds=duration_seconds,
        )
    except botocore.exceptions.ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise UserError(
            "aws-assume-role",
            f"STS refused to let {id_token.subject!r} assume {role_arn}: {code}",
            "run `olympus doctor --print-trust-policy` and compare the role's trust policy with it",
        ) from None
    except botocore.exceptions.BotoCoreError as error:
        raise UserError(
            "aws-assume-role",
            f"STS could not be reached: {type(error).__name__}",
            "check that the job can reach AWS STS (and AWS_ENDPOINT_URL, if set), then run it again",
        ) from None
    credentials = answer["Credentials"]
    return AwsCredentials(
        access_key_id=credentials["AccessKeyId"],
        secret_access_key=credentials["SecretAccessKey"],
        session_token=credentials["SessionToken"],
        expiration=credentials["Expiration"],
        assumed_role_arn=answer["AssumedRoleUser"]["Arn"],
    )


def credentials_for_job(
    role_arn: str,
    expected: ExpectedClaims,
    run_id: str,
    pull_request: int | None = None,
    duration_seconds: int = MIN_DURATION_SECONDS,
    region: str | None = None,
    env: Mapping[str, str] | None = None,
    sts_client: Any = None,
) -> AwsCredentials:
    """The whole AWS path for one Actions job: request the ID token, verify it, assume role_arn."""
    token = request_verified_id_token(expected, env)
    session_name = role_session_name(expected.repository, run_id, pull_request)
    return assume_role(token, role_arn, session_name, duration_seconds, region, sts_client)


def _sts_client(region: str | None) -> Any:
    import boto3
    from botocore.config import Config

    # STS is regional; any region answers AssumeRoleWithWebIdentity, and the call itself is not signed.
    session = boto3.session.Session()
    return session.client(
        "sts",
        region_name=region or session.region_name or "us-east-1",
        config=Config(retries={"mode": "standard", "max_attempts": 3}),
    )
