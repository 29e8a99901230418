"""The App's credentials as GitHub checks them: RS256 JWTs for /app endpoints, installation tokens elsewhere."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

TOKEN_LIFETIME_SECONDS = 3600
# GitHub refuses App JWTs that live longer than ten minutes.
MAX_JWT_LIFETIME_SECONDS = 600
CLOCK_SKEW_SECONDS = 60


def generate_app_key() -> tuple[str, str]:
    """A fresh RSA key pair for a test App: (private PEM, public PEM). 2048 bits, as GitHub issues them."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


class AuthError(Exception):
    """Why GitHub would answer 401; the message is GitHub's and never contains the credential."""


@dataclass
class InstallationToken:
    installation_id: int
    expires_at: float  # on the fake's clock
    app_slug: str = ""  # "" for the App's own tokens; "github-actions" for a workflow job's GITHUB_TOKEN


@dataclass
class AppCredentials:
    """Checks JWTs against the App's public key and keeps the installation tokens it issued."""

    app_id: int
    public_key_pem: str
    clock_offset: float = 0.0
    tokens: dict[str, InstallationToken] = field(default_factory=dict)
    issuances: int = 0
    user_tokens: dict[str, str] = field(default_factory=dict)  # a person's token (a PAT) -> their login

    def now(self) -> float:
        return time.time() + self.clock_offset

    def check_jwt(self, authorization: str | None) -> None:
        scheme, _, credential = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not credential:
            raise AuthError("A JSON web token could not be decoded")
        try:
            # JWTs are checked against the real clock: the client signs them with it, whatever the fake's clock says.
            claims = jwt.decode(
                credential,
                self.public_key_pem,
                algorithms=["RS256"],
                options={"require": ["iat", "exp", "iss"], "verify_iss": False},
                leeway=CLOCK_SKEW_SECONDS,
            )
        except jwt.PyJWTError as error:
            raise AuthError("A JSON web token could not be decoded") from error
        if str(claims["iss"]) != str(self.app_id):
            raise AuthError("'Issuer' claim ('iss') must be an Integer")
        if int(claims["exp"]) - int(claims["iat"]) > MAX_JWT_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS:
            raise AuthError("'Expiration time' claim ('exp') is too far in the future")

    def issue_token(self, installation_id: int, app_slug: str = "") -> tuple[str, float]:
        token = "ghs_" + secrets.token_urlsafe(27)[:36]
        expires_at = self.now() + TOKEN_LIFETIME_SECONDS
        self.tokens[token] = InstallationToken(installation_id, expires_at, app_slug)
        self.issuances += 1
        return token, expires_at

    def issue_user_token(self, login: str) -> str:
        """A fine-grained personal access token of `login`'s, as GitHub formats one."""
        token = "github_pat_" + secrets.token_urlsafe(60)[:82]
        self.user_tokens[token] = login
        return token

    def check_user_token(self, authorization: str | None) -> str:
        """The login whose token this is; an installation token is no person's (GitHub answers 403 to it)."""
        scheme, _, credential = (authorization or "").partition(" ")
        login = self.user_tokens.get(credential) if scheme.lower() in ("token", "bearer") else None
        if login is None:
            raise AuthError("Bad credentials")
        return login

    def check_token(self, authorization: str | None) -> InstallationToken:
        scheme, _, credential = (authorization or "").partition(" ")
        issued = self.tokens.get(credential) if scheme.lower() in ("token", "bearer") else None
        if issued is None or issued.expires_at <= self.now():
            raise AuthError("Bad credentials")
        return issued
