"""AWS through STS AssumeRoleWithWebIdentity on the local emulator: verified tokens only, credentials in env only."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.adapters.oidc import add_masks, credentials_for_job, role_session_name
from bot.adapters.oidc.actions_token import verify_id_token
from bot.adapters.oidc.aws import assume_role
from bot.domain.oidc_claims import AWS_AUDIENCE, ExpectedClaims, environment_subject
from bot.errors import UserError
from oidc.aws_emulator import ACCOUNT, DUMMY, role
from oidc.issuer import REPOSITORY, RUN_ID, LocalIssuer


class CountingSts:
    """A real STS client for the emulator that counts AssumeRoleWithWebIdentity calls before they are sent."""

    def __init__(self, url: str) -> None:
        self.client: Any = boto3.client("sts", endpoint_url=url, **DUMMY)
        self.calls = 0
        self.client.meta.events.register("before-call.sts.AssumeRoleWithWebIdentity", self._count)

    def _count(self, **_: object) -> None:
        self.calls += 1


def test_a_plan_job_gets_working_credentials_for_the_plan_role(
    issuer: LocalIssuer, expected_for_aws: ExpectedClaims, aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    monkeypatch.chdir(workspace)

    credentials = credentials_for_job(role("olympus-plan"), expected_for_aws, RUN_ID, 12, env=issuer.env())

    session = role_session_name(REPOSITORY, RUN_ID, 12)
    assert credentials.assumed_role_arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/olympus-plan/{session}"
    env = credentials.env()
    assert set(env) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
    # The credentials work: the emulator knows whose they are.
    sts = boto3.client(
        "sts",
        endpoint_url=aws_env,
        region_name="us-east-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=env["AWS_SESSION_TOKEN"],
    )
    assert sts.get_caller_identity()["Arn"] == credentials.assumed_role_arn
    # As short as the job: the 900-second minimum unless asked otherwise.
    assert credentials.expiration <= datetime.now(UTC) + timedelta(seconds=900 + 60)
    # Environment only: nothing was written to the workspace, and no secret shows in a repr.
    assert list(workspace.iterdir()) == []
    assert credentials.secret_access_key not in repr(credentials)
    assert credentials.session_token not in repr(credentials)


def test_every_credential_obtained_is_masked(
    issuer: LocalIssuer, expected_for_aws: ExpectedClaims, aws_env: str
) -> None:
    credentials = credentials_for_job(role("olympus-plan"), expected_for_aws, RUN_ID, 12, env=issuer.env())
    lines = add_masks(credentials.secrets()).splitlines()
    for value in credentials.env().values():
        assert f"::add-mask::{value}" in lines


def test_an_apply_job_in_its_environment_assumes_the_apply_role(
    issuer: LocalIssuer, aws_env: str, tmp_path: Path
) -> None:
    issuer.claims = {"sub": environment_subject(REPOSITORY, "production"), "environment": "production"}
    expected = ExpectedClaims(
        REPOSITORY, AWS_AUDIENCE, (environment_subject(REPOSITORY, "production"),), issuer=issuer.url
    )
    credentials = credentials_for_job(
        role("olympus-apply"), expected, RUN_ID, 12, duration_seconds=1800, env=issuer.env()
    )
    assert credentials.assumed_role_arn.startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/olympus-apply/")
    assert credentials.expiration > datetime.now(UTC) + timedelta(seconds=900)


def test_the_emulator_counts_one_exchange_for_a_good_token(
    issuer: LocalIssuer, expected_for_aws: ExpectedClaims, emulator: str
) -> None:
    sts = CountingSts(emulator)
    credentials_for_job(role("olympus-plan"), expected_for_aws, RUN_ID, 12, env=issuer.env(), sts_client=sts.client)
    assert sts.calls == 1


BAD_TOKENS = [
    ("wrong-audience", {}, "octo-org", "`aud`"),
    ("wrong-subject", {"sub": f"repo:{REPOSITORY}:ref:refs/heads/feature"}, AWS_AUDIENCE, "`sub`"),
    ("wrong-repository", {"repository": "mallory/infra"}, AWS_AUDIENCE, "`repository`"),
    ("wrong-issuer", {"iss": "https://token.actions.githubusercontent.com"}, AWS_AUDIENCE, "`iss`"),
    ("expired", {"exp": 1_000_000_000, "iat": 999_999_000, "nbf": 999_999_000}, AWS_AUDIENCE, "`exp`"),
    ("wrong-signature", {"__impostor__": True}, AWS_AUDIENCE, "signature"),
]


@pytest.mark.parametrize(
    ("overrides", "audience", "named"), [b[1:] for b in BAD_TOKENS], ids=[b[0] for b in BAD_TOKENS]
)
def test_a_bad_token_is_refused_before_any_sts_call(
    issuer: LocalIssuer,
    expected_for_aws: ExpectedClaims,
    emulator: str,
    impostor_key: rsa.RSAPrivateKey,
    overrides: dict[str, Any],
    audience: str,
    named: str,
) -> None:
    if overrides.pop("__impostor__", False):
        issuer.signing_key = impostor_key
    issuer.claims = overrides
    sts = CountingSts(emulator)
    # The token endpoint mints for whatever audience is asked; ask for the wrong one by hand for that case.
    token = issuer.token(audience)
    with pytest.raises(UserError) as caught:
        assume_role(verify_id_token(token, expected_for_aws), role("olympus-plan"), "s" * 8, sts_client=sts.client)
    assert named in caught.value.message
    assert sts.calls == 0


def test_the_pipeline_refuses_before_sts_too(
    issuer: LocalIssuer, expected_for_aws: ExpectedClaims, emulator: str
) -> None:
    issuer.claims = {"repository": "mallory/infra"}
    sts = CountingSts(emulator)
    with pytest.raises(UserError, match="`repository` claim is 'mallory/infra'"):
        credentials_for_job(role("olympus-plan"), expected_for_aws, RUN_ID, 12, env=issuer.env(), sts_client=sts.client)
    assert sts.calls == 0


def test_sts_refusals_become_user_errors(issuer: LocalIssuer, expected_for_aws: ExpectedClaims, emulator: str) -> None:
    # The emulator trusts any token for any role; a stub answers as real STS does when the trust policy says no.
    sts: Any = boto3.client("sts", endpoint_url=emulator, **DUMMY)
    with Stubber(sts) as stub:
        stub.add_client_error("assume_role_with_web_identity", "AccessDenied", "Not authorized", 403)
        with pytest.raises(UserError) as caught:
            credentials_for_job(role("olympus-plan"), expected_for_aws, RUN_ID, 12, env=issuer.env(), sts_client=sts)
    assert caught.value.reference == "aws-assume-role"
    assert "AccessDenied" in caught.value.message and "repo:octo-org/infra:pull_request" in caught.value.message
    assert "doctor" in caught.value.hint


@pytest.mark.parametrize("arn", ["olympus-plan", "arn:aws:iam::123:role/x", "arn:aws:s3:::bucket"])
def test_a_malformed_role_arn_is_refused_before_sts(
    issuer: LocalIssuer, expected_for_aws: ExpectedClaims, emulator: str, arn: str
) -> None:
    sts = CountingSts(emulator)
    with pytest.raises(UserError, match="not an IAM role ARN"):
        credentials_for_job(arn, expected_for_aws, RUN_ID, 12, env=issuer.env(), sts_client=sts.client)
    assert sts.calls == 0


@pytest.mark.parametrize("seconds", [899, 43201])
def test_the_duration_stays_within_sts_limits(
    issuer: LocalIssuer, expected_for_aws: ExpectedClaims, emulator: str, seconds: int
) -> None:
    with pytest.raises(UserError, match="900 to 43200"):
        credentials_for_job(
            role("olympus-plan"), expected_for_aws, RUN_ID, 12, seconds, env=issuer.env(), sts_client=object()
        )


STS_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)


@pytest.mark.parametrize(
    ("repository", "run_id", "pr", "name"),
    [
        ("octo-org/infra", "9876543210", 12, "olympus@octo-org.infra-pr12-run9876543210"),
        ("octo-org/infra", "77", None, "olympus@octo-org.infra-run77"),
        ("Ünï/côde repo", "1", 3, "olympus@-n-.c-de-repo-pr3-run1"),
        ("a" * 39 + "/" + "b" * 100, "12345678901", 123456, None),
        ("o/r", "1" * 80, 1, None),
    ],
)
def test_session_names_fit_sts_and_keep_the_run(repository: str, run_id: str, pr: int | None, name: str | None) -> None:
    session = role_session_name(repository, run_id, pr)
    assert STS_SESSION_NAME.fullmatch(session)
    if name is not None:
        assert session == name
    elif len(run_id) < 50:
        assert session.endswith(f"-pr{pr}-run{run_id}")
