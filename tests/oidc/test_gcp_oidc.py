"""GCP workload identity federation through google-auth's own identity_pool code, against loopback endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from bot.adapters.oidc import ActionsTokenRequest, access_token_for_job, add_masks, exchange_for_access_token
from bot.adapters.oidc.actions_token import verify_id_token
from bot.adapters.oidc.gcp import CLOUD_PLATFORM_SCOPE, JWT_TOKEN_TYPE
from bot.domain.oidc_claims import ExpectedClaims, environment_subject, pull_request_subject, workload_identity_audience
from bot.errors import UserError
from oidc.issuer import REPOSITORY, LocalIssuer
from oidc.loopback import Answer, LoopbackServer, Seen

PROVIDER = "projects/123456789/locations/global/workloadIdentityPools/github/providers/olympus"
AUDIENCE = f"//iam.googleapis.com/{PROVIDER}"
SERVICE_ACCOUNT = "olympus-plan@infra-prod.iam.gserviceaccount.com"
FEDERATED = "ya29.federated-token-from-loopback-sts"
IMPERSONATED = "ya29.impersonated-token-from-loopback-iam"


class GoogleDouble:
    """GCP's STS token exchange and IAM Credentials generateAccessToken, answering like the real ones."""

    def __init__(self) -> None:
        self.refuse_exchange = False

    def __call__(self, request: Seen) -> Answer:
        if request.method == "POST" and request.path == "/v1/token":
            if self.refuse_exchange:
                return 400, {"error": "invalid_grant", "error_description": "The audience in ID Token does not match"}
            return 200, {
                "access_token": FEDERATED,
                "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                "token_type": "Bearer",
                "expires_in": 3600,
            }
        if request.method == "POST" and request.path.endswith(":generateAccessToken"):
            if request.headers.get("authorization") != f"Bearer {FEDERATED}":
                return 401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}}
            return 200, {"accessToken": IMPERSONATED, "expireTime": "2030-01-01T00:15:00Z"}
        return 404, {"error": {"code": 404}}


@pytest.fixture
def google() -> Iterator[tuple[LoopbackServer, GoogleDouble]]:
    double = GoogleDouble()
    with LoopbackServer(double) as server:
        yield server, double


@pytest.fixture
def expected(issuer: LocalIssuer) -> ExpectedClaims:
    return ExpectedClaims(
        REPOSITORY, workload_identity_audience(PROVIDER), (pull_request_subject(REPOSITORY),), issuer=issuer.url
    )


def test_the_token_exchange_sends_what_gcp_sts_expects(
    issuer: LocalIssuer,
    expected: ExpectedClaims,
    google: tuple[LoopbackServer, GoogleDouble],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, _ = google
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    monkeypatch.chdir(workspace)

    access = access_token_for_job(PROVIDER, expected, env=issuer.env(), token_url=f"{server.url}/v1/token")

    assert access.env() == {"GOOGLE_OAUTH_ACCESS_TOKEN": FEDERATED}
    assert access.service_account is None
    [exchange] = server.seen
    form = exchange.form()
    assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:token-exchange"
    assert form["subject_token_type"] == JWT_TOKEN_TYPE
    assert form["audience"] == AUDIENCE
    assert form["requested_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    assert form["scope"] == CLOUD_PLATFORM_SCOPE
    # The subject token is the ID token the runner handed out, for the provider's audience.
    sent = jwt.decode(form["subject_token"], options={"verify_signature": False})
    assert sent["aud"] == AUDIENCE and sent["sub"] == pull_request_subject(REPOSITORY)
    assert issuer.token_requests[0].query["audience"] == [AUDIENCE]
    # The token went from memory to the exchange: no credentials file in the workspace.
    assert list(workspace.iterdir()) == []
    assert FEDERATED not in repr(access)


def test_impersonation_calls_generate_access_token_with_the_federated_token(
    issuer: LocalIssuer, google: tuple[LoopbackServer, GoogleDouble]
) -> None:
    server, _ = google
    issuer.claims = {"sub": environment_subject(REPOSITORY, "production"), "environment": "production"}
    expected = ExpectedClaims(
        REPOSITORY,
        workload_identity_audience(PROVIDER),
        (environment_subject(REPOSITORY, "production"),),
        issuer=issuer.url,
    )
    token = verify_id_token(ActionsTokenRequest.from_env(issuer.env()).fetch(AUDIENCE), expected)

    access = exchange_for_access_token(
        token,
        PROVIDER,
        SERVICE_ACCOUNT,
        token_url=f"{server.url}/v1/token",
        iam_credentials_url=server.url,
        lifetime_seconds=900,
    )

    assert access.token == IMPERSONATED
    assert access.service_account == SERVICE_ACCOUNT
    exchange, impersonation = server.seen
    assert exchange.path == "/v1/token"
    assert impersonation.path == f"/v1/projects/-/serviceAccounts/{SERVICE_ACCOUNT}:generateAccessToken"
    assert impersonation.headers["authorization"] == f"Bearer {FEDERATED}"
    body = impersonation.json()
    assert body["scope"] == [CLOUD_PLATFORM_SCOPE]
    assert body["lifetime"] == "900s"


def test_every_credential_obtained_is_masked(
    issuer: LocalIssuer, expected: ExpectedClaims, google: tuple[LoopbackServer, GoogleDouble]
) -> None:
    server, _ = google
    access = access_token_for_job(PROVIDER, expected, env=issuer.env(), token_url=f"{server.url}/v1/token")
    lines = add_masks(access.secrets()).splitlines()
    for value in access.env().values():
        assert f"::add-mask::{value}" in lines


def test_a_refused_exchange_is_a_user_error_without_the_token(
    issuer: LocalIssuer, expected: ExpectedClaims, google: tuple[LoopbackServer, GoogleDouble]
) -> None:
    server, double = google
    double.refuse_exchange = True
    with pytest.raises(UserError) as caught:
        access_token_for_job(PROVIDER, expected, env=issuer.env(), token_url=f"{server.url}/v1/token")
    assert caught.value.reference == "gcp-token-exchange"
    assert "invalid_grant" in caught.value.message
    subject_token = server.seen[0].form()["subject_token"]
    assert subject_token not in str(caught.value)


@pytest.mark.parametrize(
    ("overrides", "claim"),
    [({"repository": "mallory/infra"}, "`repository`"), ({"sub": "repo:octo-org/infra:ref:refs/heads/x"}, "`sub`")],
)
def test_a_bad_token_never_reaches_gcp(
    issuer: LocalIssuer,
    expected: ExpectedClaims,
    google: tuple[LoopbackServer, GoogleDouble],
    overrides: dict[str, str],
    claim: str,
) -> None:
    server, _ = google
    issuer.claims = overrides
    with pytest.raises(UserError, match=claim):
        access_token_for_job(PROVIDER, expected, env=issuer.env(), token_url=f"{server.url}/v1/token")
    assert server.seen == []


def test_a_malformed_provider_is_refused_before_any_request(
    issuer: LocalIssuer, expected: ExpectedClaims, google: tuple[LoopbackServer, GoogleDouble]
) -> None:
    server, _ = google
    token = verify_id_token(ActionsTokenRequest.from_env(issuer.env()).fetch(AUDIENCE), expected)
    with pytest.raises(UserError) as caught:
        exchange_for_access_token(token, "my-provider", token_url=f"{server.url}/v1/token")
    assert caught.value.reference == "gcp-workload-identity-provider"
    assert server.seen == []


def test_an_insecure_token_url_is_refused(issuer: LocalIssuer, expected: ExpectedClaims) -> None:
    token = verify_id_token(ActionsTokenRequest.from_env(issuer.env()).fetch(AUDIENCE), expected)
    with pytest.raises(UserError, match="OIDC needs HTTPS"):
        exchange_for_access_token(token, PROVIDER, token_url="http://sts.example.com/v1/token")
