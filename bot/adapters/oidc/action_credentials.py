"""The Action's cloud credentials: the job's ID token, checked for this repository and job, exchanged per cloud."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.adapters.oidc.aws import credentials_for_job
from bot.adapters.oidc.gcp import access_token_for_job
from bot.domain.oidc_claims import (
    AWS_AUDIENCE,
    GITHUB_ISSUER,
    ExpectedClaims,
    branch_subject,
    environment_subject,
    pull_request_subject,
    workload_identity_audience,
)
from bot.errors import UserError

DEFAULT_ENVIRONMENT = "production"


def action_credentials_env(mode: str, inputs: Any, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Credentials for the plan role (a pull request's token, or in mode drift the default branch's) or the apply
    role (the Environment's token)."""
    env = os.environ if environ is None else environ
    repository = env.get("GITHUB_REPOSITORY", "")
    if "/" not in repository:
        raise UserError("not-in-actions", "GITHUB_REPOSITORY is not set", "run `olympus action` inside GitHub Actions")
    subject = _subject(mode, repository, env)
    issuer = env.get("OLYMPUS_OIDC_ISSUER") or GITHUB_ISSUER  # GitHub Enterprise Server has its own
    run_id = env.get("GITHUB_RUN_ID", "0")
    credentials: dict[str, str] = {}
    role = inputs.aws_plan_role if mode in ("plan", "drift") else inputs.aws_apply_role
    if role:
        aws = credentials_for_job(
            role,
            ExpectedClaims(repository, AWS_AUDIENCE, (subject,), issuer),
            run_id,
            _pull_request_number(env),
            region=inputs.aws_region or None,
            env=env,
        )
        credentials.update(aws.env())
        if inputs.aws_region:
            credentials["AWS_REGION"] = inputs.aws_region
    provider = inputs.gcp_workload_identity_provider
    if provider:
        audience = _audience(provider)
        gcp = access_token_for_job(
            provider,
            ExpectedClaims(repository, audience, (subject,), issuer),
            inputs.gcp_service_account or None,
            env=env,
        )
        credentials.update(gcp.env())
    return credentials


def _subject(mode: str, repository: str, env: Mapping[str, str]) -> str:
    """The token's `sub` the mode's role trusts: the plan job runs for a pull request, the drift job on the default
    branch (schedule, workflow_dispatch; with the plan role, read-only), the apply job in an Environment."""
    if mode == "plan":
        return pull_request_subject(repository)
    if mode == "drift":
        return branch_subject(repository, env.get("GITHUB_REF", "").removeprefix("refs/heads/"))
    return environment_subject(repository, env.get("OLYMPUS_ENVIRONMENT") or DEFAULT_ENVIRONMENT)


def _audience(provider: str) -> str:
    try:
        return workload_identity_audience(provider)
    except ValueError as exc:
        raise UserError(
            "bad-workload-identity-provider",
            f"gcp-workload-identity-provider: {exc}",
            "use projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER",
        ) from None


def _pull_request_number(env: Mapping[str, str]) -> int | None:
    path = env.get("GITHUB_EVENT_PATH")
    if not path or not Path(path).is_file():
        return None
    event = json.loads(Path(path).read_text())
    number = (
        event.get("number")
        or (event.get("pull_request") or {}).get("number")
        or (event.get("issue") or {}).get("number")
    )
    return int(number) if number else None
