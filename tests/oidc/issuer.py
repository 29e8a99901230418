"""A local GitHub Actions OIDC issuer on loopback: discovery, JWKS, and a token endpoint shaped like the runner's."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from oidc.loopback import Answer, LoopbackServer, Seen

REPOSITORY = "octo-org/infra"
RUN_ID = "9876543210"
REQUEST_TOKEN = "runner-request-token-not-a-secret"  # noqa: S105 - a test value
KEY_ID = "olympus-test-key"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def github_claims(issuer: str, audience: str, **overrides: Any) -> dict[str, Any]:
    """Claims as GitHub sets them for a pull_request job (the documented example token's fields)."""
    now = int(time.time())
    owner = REPOSITORY.split("/")[0]
    claims: dict[str, Any] = {
        "jti": "example-id",
        "iss": issuer,
        "aud": audience,
        "sub": f"repo:{REPOSITORY}:pull_request",
        "ref": "refs/pull/12/merge",
        "sha": "0123456789abcdef0123456789abcdef01234567",
        "repository": REPOSITORY,
        "repository_owner": owner,
        "repository_id": "74",
        "repository_owner_id": "65",
        "repository_visibility": "private",
        "run_id": RUN_ID,
        "run_number": "10",
        "run_attempt": "1",
        "actor": "octocat",
        "actor_id": "12",
        "workflow": "olympus",
        "head_ref": "olympus/logs-archive",
        "base_ref": "main",
        "event_name": "pull_request",
        "ref_type": "branch",
        "job_workflow_ref": f"{REPOSITORY}/.github/workflows/olympus-plan.yml@refs/pull/12/merge",
        "runner_environment": "github-hosted",
        "nbf": now - 5,
        "iat": now,
        "exp": now + 300,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


@dataclass
class LocalIssuer:
    """Signs tokens with a test RSA key; `claims` overrides what the token endpoint hands out next."""

    key: rsa.RSAPrivateKey
    claims: dict[str, Any] = field(default_factory=dict)
    signing_key: rsa.RSAPrivateKey | None = None  # sign with another key (an impostor) while publishing `key`
    server: LoopbackServer = field(init=False)

    def __enter__(self) -> LocalIssuer:
        self.server = LoopbackServer(self._answer).__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def token_requests(self) -> list[Seen]:
        return [s for s in self.server.seen if s.path == "/token"]

    def env(self) -> dict[str, str]:
        """The two variables the runner sets for a job with `permissions: id-token: write`."""
        return {
            "ACTIONS_ID_TOKEN_REQUEST_URL": f"{self.url}/token?api-version=2.0",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": REQUEST_TOKEN,
        }

    def token(self, audience: str, **overrides: Any) -> str:
        claims = github_claims(self.url, audience, **{**self.claims, **overrides})
        return jwt.encode(claims, self.signing_key or self.key, algorithm="RS256", headers={"kid": KEY_ID})

    def _answer(self, request: Seen) -> Answer:
        if request.path == "/.well-known/openid-configuration":
            return 200, {
                "issuer": self.url,
                "jwks_uri": f"{self.url}/.well-known/jwks",
                "subject_types_supported": ["public", "pairwise"],
                "response_types_supported": ["id_token"],
                "claims_supported": ["sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid"],
            }
        if request.path == "/.well-known/jwks":
            jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
            return 200, {"keys": [{**jwk, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}
        if request.path == "/token" and request.method == "GET":
            if request.headers.get("authorization") != f"bearer {REQUEST_TOKEN}":
                return 401, {"message": "Unauthorized"}
            if request.query.get("api-version") != ["2.0"]:
                return 400, {"message": "api-version missing"}
            audience = request.query.get("audience", [REPOSITORY.split("/")[0]])[0]
            return 200, {"count": 1, "value": self.token(audience)}
        return 404, {"message": "Not Found"}
