"""A GCP access token from a verified ID token: workload identity federation through google-auth's identity_pool."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from google.auth import exceptions as google_exceptions
from google.auth import identity_pool
from google.auth.transport.requests import Request

from bot.adapters.oidc.actions_token import IdToken, request_verified_id_token, require_https_or_loopback
from bot.domain.oidc_claims import ExpectedClaims, workload_identity_audience
from bot.errors import UserError

STS_TOKEN_URL = "https://sts.googleapis.com/v1/token"  # noqa: S105 - an endpoint, not a secret
IAM_CREDENTIALS_URL = "https://iamcredentials.googleapis.com"
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
# RFC 8693 token type GCP's STS expects for an OIDC ID token.
JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt"  # noqa: S105 - a token type, not a token
DEFAULT_LIFETIME_SECONDS = 900


@dataclass(frozen=True)
class GcpAccessToken:
    """A short-lived OAuth access token for the google provider; the token stays out of reprs and logs."""

    token: str = field(repr=False)
    expiry: datetime | None
    service_account: str | None

    def env(self) -> dict[str, str]:
        """The google provider reads GOOGLE_OAUTH_ACCESS_TOKEN; no credentials file is written anywhere."""
        return {"GOOGLE_OAUTH_ACCESS_TOKEN": self.token}

    def secrets(self) -> tuple[str, ...]:
        return (self.token,)


class _VerifiedToken(identity_pool.SubjectTokenSupplier):
    """Hands google-auth the already verified ID token from memory, so it never sits in a file."""

    def __init__(self, id_token: IdToken) -> None:
        self._id_token = id_token

    def get_subject_token(self, context: Any, request: Any) -> str:
        return self._id_token.value


def exchange_for_access_token(
    id_token: IdToken,
    workload_identity_provider: str,
    service_account: str | None = None,
    token_url: str = STS_TOKEN_URL,
    iam_credentials_url: str = IAM_CREDENTIALS_URL,
    scopes: Sequence[str] = (CLOUD_PLATFORM_SCOPE,),
    lifetime_seconds: int = DEFAULT_LIFETIME_SECONDS,
) -> GcpAccessToken:
    """Exchange a verified ID token at GCP's STS, then impersonate service_account when one is given.

    Without a service account the federated token is used directly (principal-based IAM on the pool's identities).
    https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines
    """
    audience = _provider_audience(workload_identity_provider)
    require_https_or_loopback(token_url)
    impersonation_url = None
    if service_account:
        impersonation_url = (
            f"{iam_credentials_url.rstrip('/')}/v1/projects/-/serviceAccounts/{service_account}:generateAccessToken"
        )
        require_https_or_loopback(impersonation_url)
    credentials: Any = identity_pool.Credentials(  # type: ignore[no-untyped-call]
        audience=audience,
        subject_token_type=JWT_TOKEN_TYPE,
        token_url=token_url,
        subject_token_supplier=_VerifiedToken(id_token),
        service_account_impersonation_url=impersonation_url,
        service_account_impersonation_options={"token_lifetime_seconds": lifetime_seconds} if service_account else None,
        scopes=list(scopes),
    )
    try:
        credentials.refresh(Request())
    except google_exceptions.GoogleAuthError as error:
        step = "impersonating " + service_account if service_account else "the token exchange"
        raise UserError(
            "gcp-token-exchange",
            f"GCP refused {step} for {id_token.subject!r}: {_first_line(error, id_token.value)}",
            "check the provider's attribute condition and the service account's workloadIdentityUser binding",
        ) from None
    if not credentials.token:
        raise UserError(
            "gcp-token-exchange",
            "GCP's token endpoint answered without an access token",
            "check the workload identity provider and the service account's workloadIdentityUser binding",
        )
    return GcpAccessToken(token=credentials.token, expiry=credentials.expiry, service_account=service_account)


def access_token_for_job(
    workload_identity_provider: str,
    expected: ExpectedClaims,
    service_account: str | None = None,
    env: Mapping[str, str] | None = None,
    **exchange: Any,
) -> GcpAccessToken:
    """The whole GCP path for one Actions job: request the ID token, verify it, exchange it."""
    token = request_verified_id_token(expected, env)
    return exchange_for_access_token(token, workload_identity_provider, service_account, **exchange)


def _provider_audience(provider: str) -> str:
    try:
        return workload_identity_audience(provider)
    except ValueError as error:
        raise UserError(
            "gcp-workload-identity-provider",
            str(error),
            "use projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER",
        ) from None


def _first_line(error: Exception, secret: str) -> str:
    text = str(error.args[0]) if error.args else type(error).__name__
    return text.replace(secret, "***").splitlines()[0][:300] if text else type(error).__name__
