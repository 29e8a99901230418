"""The Action's credential step: the job's token, checked for plan or apply, exchanged with the emulator's STS."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest

from bot.adapters.oidc import action_credentials_env
from bot.domain.oidc_claims import branch_subject, environment_subject
from bot.errors import UserError
from oidc.aws_emulator import role
from oidc.issuer import REPOSITORY, RUN_ID, LocalIssuer


def inputs(**roles: str) -> SimpleNamespace:
    base = {
        "aws_plan_role": "",
        "aws_apply_role": "",
        "aws_region": "eu-west-1",
        "gcp_workload_identity_provider": "",
        "gcp_service_account": "",
    }
    return SimpleNamespace(**{**base, **roles})


def job_env(issuer: LocalIssuer, tmp_path: Path, **extra: str) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": 12, "pull_request": {"number": 12}}))
    return {
        **issuer.env(),
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_RUN_ID": RUN_ID,
        "GITHUB_EVENT_PATH": str(event),
        "OLYMPUS_OIDC_ISSUER": issuer.url,
        **extra,
    }


def test_a_plan_job_gets_the_plan_roles_credentials(issuer: LocalIssuer, aws_env: str, tmp_path: Path) -> None:
    env = action_credentials_env("plan", inputs(aws_plan_role=role("olympus-plan")), job_env(issuer, tmp_path))
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} <= set(env)
    assert env["AWS_REGION"] == "eu-west-1"


def test_an_apply_job_needs_its_environments_token(issuer: LocalIssuer, aws_env: str, tmp_path: Path) -> None:
    # A pull request's token cannot be used for the apply role: the subject is checked before any exchange.
    with pytest.raises(UserError, match="sub"):
        action_credentials_env("apply", inputs(aws_apply_role=role("olympus-apply")), job_env(issuer, tmp_path))
    issuer.claims = {"sub": environment_subject(REPOSITORY, "production"), "environment": "production"}
    env = action_credentials_env("apply", inputs(aws_apply_role=role("olympus-apply")), job_env(issuer, tmp_path))
    assert env["AWS_SESSION_TOKEN"]


def test_a_drift_job_gets_the_plan_roles_credentials_with_the_default_branchs_token(
    issuer: LocalIssuer, aws_env: str, tmp_path: Path
) -> None:
    drift = inputs(aws_plan_role=role("olympus-plan"), aws_apply_role=role("olympus-apply"))
    env = job_env(issuer, tmp_path, GITHUB_REF="refs/heads/main")
    # A pull request's token is no drift job's: the subject must be the default branch's.
    with pytest.raises(UserError, match="sub"):
        action_credentials_env("drift", drift, env)
    issuer.claims = {"sub": branch_subject(REPOSITORY, "main"), "ref": "refs/heads/main", "event_name": "schedule"}
    credentials = action_credentials_env("drift", drift, env)
    assert credentials["AWS_SESSION_TOKEN"]
    # Read-only: the session is the plan role's, never the apply role's.
    keys = {
        "aws_access_key_id": credentials["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": credentials["AWS_SECRET_ACCESS_KEY"],
        "aws_session_token": credentials["AWS_SESSION_TOKEN"],
    }
    sts = boto3.client("sts", region_name="eu-west-1", endpoint_url=aws_env, **keys)
    assert ":assumed-role/olympus-plan/" in sts.get_caller_identity()["Arn"]


def test_a_malformed_gcp_provider_is_a_user_error(issuer: LocalIssuer, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="gcp-workload-identity-provider"):
        action_credentials_env("plan", inputs(gcp_workload_identity_provider="pools/x"), job_env(issuer, tmp_path))
