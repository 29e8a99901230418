"""The ID token is requested like the runner expects, and trusted only after its signature and claims check out."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.adapters.oidc.actions_token import (
    ActionsTokenRequest,
    request_verified_id_token,
    require_https_or_loopback,
    verify_id_token,
)
from bot.domain.oidc_claims import AWS_AUDIENCE, ExpectedClaims
from bot.errors import UserError
from oidc.issuer import REPOSITORY, REQUEST_TOKEN, LocalIssuer


def test_the_token_is_requested_with_the_bearer_and_the_audience(
    issuer: LocalIssuer, expected_for_aws: ExpectedClaims
) -> None:
    token = request_verified_id_token(expected_for_aws, issuer.env())

    [request] = issuer.token_requests
    assert request.method == "GET"
    assert request.headers["authorization"] == f"bearer {REQUEST_TOKEN}"
    assert request.query == {"api-version": ["2.0"], "audience": [AWS_AUDIENCE]}
    assert token.claims["aud"] == AWS_AUDIENCE
    assert token.subject == f"repo:{REPOSITORY}:pull_request"
    assert token.claims["run_id"] == "9876543210"


def test_an_audience_with_reserved_characters_is_encoded(issuer: LocalIssuer) -> None:
    audience = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x?a=b&c"
    ActionsTokenRequest.from_env(issuer.env()).fetch(audience)
    assert issuer.token_requests[0].query["audience"] == [audience]


@pytest.mark.parametrize("missing", ["ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"])
def test_a_job_without_id_token_write_gets_a_clear_error(issuer: LocalIssuer, missing: str) -> None:
    env = {k: v for k, v in issuer.env().items() if k != missing}
    with pytest.raises(UserError) as caught:
        ActionsTokenRequest.from_env(env)
    assert caught.value.reference == "oidc-token-unavailable"
    assert missing in caught.value.message
    assert "permissions: id-token: write" in caught.value.hint
    assert REQUEST_TOKEN not in str(caught.value)


def test_a_refused_request_says_so_without_the_bearer(issuer: LocalIssuer) -> None:
    request = ActionsTokenRequest(issuer.env()["ACTIONS_ID_TOKEN_REQUEST_URL"], "wrong-bearer")
    with pytest.raises(UserError, match="HTTP 401") as caught:
        request.fetch(AWS_AUDIENCE)
    assert "wrong-bearer" not in str(caught.value)


def test_secrets_stay_out_of_reprs(issuer: LocalIssuer, expected_for_aws: ExpectedClaims) -> None:
    request = ActionsTokenRequest.from_env(issuer.env())
    token = request_verified_id_token(expected_for_aws, issuer.env())
    assert REQUEST_TOKEN not in repr(request)
    assert token.value not in repr(token)


def test_a_token_signed_by_another_key_is_refused(
    issuer: LocalIssuer, impostor_key: rsa.RSAPrivateKey, expected_for_aws: ExpectedClaims
) -> None:
    issuer.signing_key = impostor_key
    with pytest.raises(UserError) as caught:
        request_verified_id_token(expected_for_aws, issuer.env())
    assert caught.value.reference == "oidc-token-signature"
    assert "signature does not verify" in caught.value.message


def test_keys_come_from_the_expected_issuer_not_the_one_the_token_names(
    issuer: LocalIssuer, impostor_key: rsa.RSAPrivateKey, expected_for_aws: ExpectedClaims
) -> None:
    # A second, well-formed issuer whose keys would verify the token: the token names it, we must not ask it.
    with LocalIssuer(impostor_key) as impostor:
        forged = impostor.token(AWS_AUDIENCE, iss=issuer.url)
        with pytest.raises(UserError, match="signature does not verify"):
            verify_id_token(forged, expected_for_aws)
        assert impostor.server.seen == []


def test_an_altered_payload_is_refused(issuer: LocalIssuer, expected_for_aws: ExpectedClaims) -> None:
    header, payload, signature = issuer.token(AWS_AUDIENCE).split(".")
    other = issuer.token(AWS_AUDIENCE, repository="octo-org/other").split(".")[1]
    with pytest.raises(UserError, match="signature does not verify"):
        verify_id_token(f"{header}.{other}.{signature}", expected_for_aws)


@pytest.mark.parametrize("algorithm", ["none", "HS256"])
def test_unsigned_or_symmetric_tokens_are_refused(
    issuer: LocalIssuer, expected_for_aws: ExpectedClaims, algorithm: str
) -> None:
    claims = jwt.decode(issuer.token(AWS_AUDIENCE), options={"verify_signature": False})
    key = None if algorithm == "none" else "a-shared-secret-of-at-least-32-bytes!!"
    forged = jwt.encode(claims, key, algorithm=algorithm, headers={"kid": "olympus-test-key"})
    with pytest.raises(UserError) as caught:
        verify_id_token(forged, expected_for_aws)
    assert caught.value.reference == "oidc-token-signature"


def test_garbage_is_not_a_token(issuer: LocalIssuer, expected_for_aws: ExpectedClaims) -> None:
    with pytest.raises(UserError, match="not a JSON Web Token"):
        verify_id_token("not-a-jwt", expected_for_aws)


@pytest.mark.parametrize(
    ("overrides", "claim"),
    [
        ({"iss": "https://token.actions.githubusercontent.com"}, "iss"),
        ({"repository": "mallory/infra"}, "repository"),
        ({"sub": "repo:octo-org/infra:ref:refs/heads/feature"}, "sub"),
        ({"exp": int(time.time()) - 3600}, "exp"),
    ],
)
def test_a_validly_signed_token_with_a_wrong_claim_names_it(
    issuer: LocalIssuer, expected_for_aws: ExpectedClaims, overrides: dict[str, object], claim: str
) -> None:
    issuer.claims = overrides
    with pytest.raises(UserError) as caught:
        request_verified_id_token(expected_for_aws, issuer.env())
    assert caught.value.reference == "oidc-token-claims"
    assert f"`{claim}`" in caught.value.message


def test_a_token_for_another_audience_names_the_audience(issuer: LocalIssuer, expected_for_aws: ExpectedClaims) -> None:
    with pytest.raises(UserError, match="`aud` claim is 'octo-org'"):
        verify_id_token(issuer.token("octo-org"), expected_for_aws)


def test_metadata_that_describes_another_issuer_is_refused(issuer: LocalIssuer) -> None:
    expected = ExpectedClaims(REPOSITORY, AWS_AUDIENCE, ("x",), issuer=issuer.url + "/other")
    with pytest.raises(UserError) as caught:
        verify_id_token(issuer.token(AWS_AUDIENCE), expected)
    assert caught.value.reference in {"oidc-issuer-metadata", "oidc-request-failed"}


@pytest.mark.parametrize(
    "url", ["http://token.actions.githubusercontent.com/x", "ftp://127.0.0.1/x", "file:///etc/passwd", "https:///x"]
)
def test_tokens_never_travel_in_clear_beyond_this_machine(url: str) -> None:
    with pytest.raises(UserError) as caught:
        require_https_or_loopback(url)
    assert caught.value.reference == "oidc-insecure-url"


@pytest.mark.parametrize(
    "url", ["https://token.actions.githubusercontent.com", "http://127.0.0.1:8080/t", "http://[::1]/"]
)
def test_https_and_loopback_are_allowed(url: str) -> None:
    require_https_or_loopback(url)
