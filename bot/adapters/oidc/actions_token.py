"""The GitHub Actions ID token: request it from the runner, verify its signature and claims before any use."""

from __future__ import annotations

import ipaddress
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jwt

from bot.domain.oidc_claims import ExpectedClaims, check_claims
from bot.errors import UserError

REQUEST_URL_VAR = "ACTIONS_ID_TOKEN_REQUEST_URL"
REQUEST_TOKEN_VAR = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"  # noqa: S105 - the variable's name, not a token
# GitHub signs its ID tokens with RS256; accepting only what the issuer uses rules out `none` and HMAC confusion.
ALGORITHMS = ["RS256"]
TIMEOUT_SECONDS = 10
_MAX_RESPONSE_BYTES = 1 << 20
_PERMISSION_HINT = (
    "give the job `permissions: id-token: write` (and keep `contents: read`); GitHub only sets "
    f"{REQUEST_URL_VAR} and {REQUEST_TOKEN_VAR} for jobs allowed to request an ID token"
)

# The issuer or the network did not answer as it should: usually passing, worth one more run.
_RETRY_HINT = "check that the job can reach the issuer (GitHub's token service), then run the job again"


@dataclass(frozen=True)
class IdToken:
    """A verified ID token: its signature checked against the issuer's keys and its claims against expectations."""

    value: str = field(repr=False)
    claims: Mapping[str, Any]

    @property
    def subject(self) -> str:
        return str(self.claims["sub"])


@dataclass(frozen=True)
class ActionsTokenRequest:
    """Where and how this job asks the runner for an ID token (the two variables GitHub sets with id-token: write)."""

    url: str
    bearer: str = field(repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ActionsTokenRequest:
        env = os.environ if env is None else env
        missing = [name for name in (REQUEST_URL_VAR, REQUEST_TOKEN_VAR) if not env.get(name)]
        if missing:
            raise UserError(
                "oidc-token-unavailable",
                f"this job cannot request a GitHub Actions ID token: {' and '.join(missing)} not set",
                _PERMISSION_HINT,
            )
        return cls(env[REQUEST_URL_VAR], env[REQUEST_TOKEN_VAR])

    def fetch(self, audience: str) -> str:
        """The raw ID token for audience; not to be trusted before verify_id_token.

        https://docs.github.com/actions/reference/security/oidc#methods-for-requesting-the-oidc-token
        """
        separator = "&" if urllib.parse.urlsplit(self.url).query else "?"
        url = f"{self.url}{separator}audience={urllib.parse.quote(audience, safe='')}"
        body = _get_json(url, {"Authorization": f"bearer {self.bearer}"}, what="the GitHub Actions ID token")
        value = body.get("value") if isinstance(body, dict) else None
        if not isinstance(value, str) or not value:
            raise UserError(
                "oidc-token-request-failed",
                "the ID token endpoint answered without a token `value`",
                "give the job `permissions: id-token: write`, and run it again",
            )
        return value


def verify_id_token(token: str, expected: ExpectedClaims, now: datetime | None = None) -> IdToken:
    """Check the signature against the expected issuer's published keys, then every claim; raise on any fault.

    The keys come from the issuer we expect, never from one the token names, so a token minted elsewhere fails
    its signature check whatever its `iss` says.
    """
    key = _signing_key(token, expected.issuer)
    try:
        claims = jwt.decode(
            token,
            key=key,
            algorithms=ALGORITHMS,
            # Issuer, audience and times are checked by check_claims below, which names every wrong claim.
            options={
                "verify_aud": False,
                "verify_iss": False,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.InvalidTokenError as error:
        raise UserError(
            "oidc-token-signature",
            f"the ID token's signature does not verify against {expected.issuer}'s keys ({type(error).__name__})",
            "the token was not issued by this issuer, or was altered; request a fresh one",
        ) from None
    wrong = check_claims(claims, expected, now or datetime.now(UTC))
    if wrong:
        raise UserError(
            "oidc-token-claims",
            " ".join(w.sentence for w in wrong),
            "fix the workflow (environment, event, audience) or the expected repository and subjects; "
            "the cloud role's trust policy should expect the same values",
        )
    return IdToken(token, claims)


def request_verified_id_token(expected: ExpectedClaims, env: Mapping[str, str] | None = None) -> IdToken:
    """Ask the runner for an ID token for expected.audience and verify it: the one call the Action makes."""
    token = ActionsTokenRequest.from_env(env).fetch(expected.audience)
    return verify_id_token(token, expected)


def _signing_key(token: str, issuer: str) -> Any:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError:
        raise UserError(
            "oidc-token-signature", "the ID token is not a JSON Web Token", "the token was not issued by this issuer"
        ) from None
    discovery = _get_json(f"{issuer.rstrip('/')}/.well-known/openid-configuration", {}, what="the issuer's metadata")
    if not isinstance(discovery, dict) or discovery.get("issuer") != issuer or "jwks_uri" not in discovery:
        # OpenID Connect Discovery §4.3: the document's issuer must be the one it was fetched for.
        raise UserError(
            "oidc-issuer-metadata",
            f"{issuer}'s OpenID configuration does not describe {issuer}",
            "set OLYMPUS_OIDC_ISSUER to the issuer that signs the job's tokens",
        )
    keys = _get_json(str(discovery["jwks_uri"]), {}, what="the issuer's signing keys")
    try:
        key_set = jwt.PyJWKSet.from_dict(keys)
    except jwt.PyJWTError:
        raise UserError(
            "oidc-issuer-metadata",
            f"{issuer} publishes no usable signing keys",
            "set OLYMPUS_OIDC_ISSUER to the issuer that signs the job's tokens",
        ) from None
    kid = header.get("kid")
    matching = [k for k in key_set.keys if k.key_id == kid] if kid else list(key_set.keys)
    if len(matching) != 1:
        raise UserError(
            "oidc-token-signature",
            f"the ID token is signed with a key {issuer} does not publish (kid {kid!r})",
            "the token was not issued by this issuer",
        )
    return matching[0].key


def _get_json(url: str, headers: Mapping[str, str], what: str) -> Any:
    require_https_or_loopback(url)
    request = urllib.request.Request(url, headers={"Accept": "application/json", **headers})  # noqa: S310 - checked
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - checked above
            return json.loads(response.read(_MAX_RESPONSE_BYTES))
    except urllib.error.HTTPError as error:
        # The URL may carry a query but never the bearer; the body is not shown, it may echo the request.
        raise UserError("oidc-request-failed", f"fetching {what} failed: HTTP {error.code}", _RETRY_HINT) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise UserError("oidc-request-failed", f"fetching {what} failed: {type(error).__name__}", _RETRY_HINT) from None


def require_https_or_loopback(url: str) -> None:
    """HTTPS only, except plain HTTP to this machine (the test issuer); a token must never cross a network in clear."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return
    raise UserError(
        "oidc-insecure-url",
        f"refusing to use {parts.scheme}://{parts.hostname}: OIDC needs HTTPS",
        "use the issuer's https:// URL",
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
