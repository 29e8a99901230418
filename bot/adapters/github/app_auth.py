"""GitHub App authentication: the private key (validated, never shown), the app JWT, cached installation tokens."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from github import Auth, Consts, Github, GithubIntegration
from github.PaginatedList import PaginatedList
from github.Repository import Repository

from bot.adapters.github.codehost import GitHubCodeHost
from bot.adapters.github.retry import Retrying
from bot.errors import UserError

__all__ = [
    "DEFAULT_API_URL",
    "GitHubApp",
    "InstallationTokens",
    "PrivateKey",
    "load_private_key",
    "normalize_api_url",
]

DEFAULT_API_URL = "https://api.github.com"
# Renew an installation token this long before GitHub's expiry (tokens last an hour), so that a job that starts
# with a token never has it expire halfway through a few calls.
REFRESH_MARGIN = timedelta(minutes=5)


class PrivateKey:
    """The App's RSA private key: it signs JWTs and is never shown (repr, str and errors name its fingerprint only)."""

    __slots__ = ("_key", "fingerprint")

    def __init__(self, pem: str | bytes, *, source: str = "the private key") -> None:
        data = pem.encode() if isinstance(pem, str) else pem
        problem = "it is not a PEM-encoded RSA private key"
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except TypeError:
            key, problem = None, "it is encrypted with a passphrase; GitHub's downloaded keys are not"
        except Exception:  # cryptography's errors may quote the input: never chain or show them
            key = None
        if not isinstance(key, RSAPrivateKey):
            raise UserError(
                "github-app-private-key",
                f"{source} cannot be used: {problem}",
                "use the .pem file GitHub generated for the App (App settings → Private keys); it starts with "
                "-----BEGIN RSA PRIVATE KEY-----",
            ) from None
        self._key = key
        public = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        # GitHub shows this SHA-256 fingerprint beside each key in the App's settings, so a reader can match them.
        self.fingerprint = "SHA256:" + base64.b64encode(hashlib.sha256(public).digest()).decode()

    def sign(self, payload: dict[str, Any]) -> str:
        """A JWT over payload, RS256 as GitHub requires."""
        return jwt.encode(payload, self._key, algorithm="RS256")

    def __repr__(self) -> str:
        return f"PrivateKey(RSA {self._key.key_size} bits, {self.fingerprint})"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a PrivateKey is not pickled, so it cannot leak into a job queue or a cache")


def load_private_key(*, path: str | Path | None = None, value: str | None = None) -> PrivateKey:
    """The App key from a file (OLYMPUS_PRIVATE_KEY_FILE) or a value (an env var, "\\n" escapes allowed)."""
    if path is not None and str(path):
        file = Path(path).expanduser()
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(
                "github-app-private-key",
                f"cannot read the private key file {file}: {type(error).__name__}",
                "set OLYMPUS_PRIVATE_KEY_FILE to the .pem file GitHub generated for the App",
            ) from None
        return PrivateKey(text, source=f"the private key file {file}")
    if value:
        # Environment variables and .env files often carry the PEM on one line with literal "\n".
        text = value.replace("\\n", "\n") if "\n" not in value else value
        return PrivateKey(text.strip() + "\n", source="the private key value")
    raise UserError(
        "github-app-private-key",
        "no private key is configured for the GitHub App",
        "set OLYMPUS_PRIVATE_KEY_FILE to the .pem file GitHub generated for the App",
    )


def normalize_api_url(url: str) -> str:
    """The REST base URL: https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server."""
    cleaned = url.strip().rstrip("/")
    parsed = urlparse(cleaned)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise UserError(
            "github-api-url",
            f"the GitHub API URL {url!r} is not an http(s) URL",
            "use https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server",
        )
    if parsed.hostname in ("github.com", "www.github.com"):
        return DEFAULT_API_URL
    return cleaned


@dataclass
class _Cached:
    token: str
    expires_at: datetime


class InstallationTokens:
    """Installation access tokens, one per installation, fetched with the app JWT and kept until near expiry."""

    def __init__(
        self,
        app_id: int,
        key: PrivateKey,
        api_url: str = DEFAULT_API_URL,
        *,
        retrying: Retrying | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        refresh_margin: timedelta = REFRESH_MARGIN,
        timeout: int = Consts.DEFAULT_TIMEOUT,
    ) -> None:
        self.app_id = app_id
        self._auth = Auth.AppAuth(app_id, sign_func=key.sign)
        self._integration = GithubIntegration(
            auth=self._auth,
            base_url=normalize_api_url(api_url),
            timeout=timeout,
            retry=None,  # Retrying does it, with an injectable sleep and a bounded wait
            seconds_between_requests=None,
            seconds_between_writes=None,
        )
        self._retrying = retrying or Retrying()
        self._clock = clock
        self._margin = refresh_margin
        self._cache: dict[int, _Cached] = {}
        self._lock = threading.Lock()
        self.issued = 0  # tokens fetched from GitHub, for tests and metrics

    def token(self, installation_id: int) -> str:
        """A token for the installation valid at least `refresh_margin` longer."""
        with self._lock:
            cached = self._cache.get(installation_id)
            if cached is not None and cached.expires_at - self._margin > self._clock():
                return cached.token
            issued = self._retrying.call(
                f"get an access token for installation {installation_id} of App {self.app_id}",
                lambda: self._integration.get_access_token(installation_id),
            )
            expires_at = issued.expires_at
            if expires_at.tzinfo is None:
                expires_at = expires_at.replace(tzinfo=UTC)
            self._cache[installation_id] = _Cached(issued.token, expires_at)
            self.issued += 1
            return issued.token

    def forget(self, installation_id: int) -> None:
        """Drop a cached token (GitHub revoked it, or the installation was removed)."""
        with self._lock:
            self._cache.pop(installation_id, None)

    def installation_of(self, repo: str) -> int:
        """The id of the App's installation on `repo` ("owner/name"); CodeHostError (404) where it is not installed."""
        owner, _, name = repo.partition("/")
        found = self._retrying.call(
            f"find the installation of App {self.app_id} on {repo}",
            lambda: self._integration.get_repo_installation(owner, name),
        )
        return int(found.id)

    def installation_ids(self) -> list[int]:
        """The ids of the App's installations that are not suspended (GET /app/installations, every page)."""
        installations = self._retrying.call(
            f"list the installations of App {self.app_id}", lambda: list(self._integration.get_installations())
        )
        # A suspended installation gets no token until it is unsuspended: nothing can be done for it.
        return [int(each.id) for each in installations if each.raw_data.get("suspended_at") is None]

    def bot_login(self) -> str:
        """The App's own login on GitHub ("<slug>[bot]"), under which its comments appear."""
        app = self._retrying.call(f"read App {self.app_id}", self._integration.get_app)
        return f"{app.slug}[bot]"

    def __repr__(self) -> str:
        return f"InstallationTokens(app_id={self.app_id}, cached={sorted(self._cache)})"


class InstallationTokenAuth(Auth.Auth):
    """PyGithub authentication that asks InstallationTokens on every request, so a long job renews its token."""

    def __init__(self, tokens: InstallationTokens, installation_id: int) -> None:
        self._tokens = tokens
        self.installation_id = installation_id

    @property
    def token_type(self) -> str:
        return "token"

    @property
    def token(self) -> str:
        return self._tokens.token(self.installation_id)

    @property
    def _masked_token(self) -> str:
        return "token (removed)"

    def __repr__(self) -> str:
        return f"InstallationTokenAuth(installation_id={self.installation_id})"


class GitHubApp:
    """One GitHub App: clients and code hosts per installation, sharing one token cache and one retry policy."""

    def __init__(
        self,
        app_id: int,
        key: PrivateKey,
        api_url: str = DEFAULT_API_URL,
        *,
        retrying: Retrying | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        timeout: int = Consts.DEFAULT_TIMEOUT,
        seconds_between_writes: float | None = None,
    ) -> None:
        self.app_id = app_id
        self.api_url = normalize_api_url(api_url)
        self.retrying = retrying or Retrying()
        self.timeout = timeout
        # GitHub advises a second between writes to stay clear of secondary rate limits; 0/None turns it off (tests).
        self.seconds_between_writes = seconds_between_writes
        self.tokens = InstallationTokens(
            app_id, key, self.api_url, retrying=self.retrying, clock=clock, timeout=timeout
        )
        self._bot_login: str | None = None

    def client(self, installation_id: int) -> Github:
        """A PyGithub client acting as the installation (no retries of its own: Retrying wraps each call)."""
        return Github(
            auth=InstallationTokenAuth(self.tokens, installation_id),
            base_url=self.api_url,
            timeout=self.timeout,
            retry=None,
            per_page=100,
            seconds_between_requests=None,
            seconds_between_writes=self.seconds_between_writes or None,
        )

    def bot_login(self) -> str:
        """The App's login ("<slug>[bot]"), read once from GET /app."""
        if self._bot_login is None:
            self._bot_login = self.tokens.bot_login()
        return self._bot_login

    def installation_of(self, repo: str) -> int:
        """The id of the App's installation on `repo`, as GitHub says (CodeHostError with status 404: none)."""
        return self.tokens.installation_of(repo)

    def installation_ids(self) -> list[int]:
        """The App's installations, suspended ones left out (bot.ports.Installations)."""
        return self.tokens.installation_ids()

    def repositories_of(self, installation_id: int) -> list[str]:
        """The repositories the installation gives the App, as owner/name; archived ones (read-only) left out."""
        requester = self.client(installation_id).requester

        def read() -> list[str]:
            # The answer is an object whose `repositories` holds each page's items; PyGithub follows the Link header.
            pages = PaginatedList(Repository, requester, "/installation/repositories", None, list_item="repositories")
            return [repo.full_name for repo in pages if not repo.archived]

        return self.retrying.call(f"list the repositories of installation {installation_id}", read)

    def codehost(self, installation_id: int, *, bot_login: str | None = None) -> GitHubCodeHost:
        """A GitHubCodeHost for the installation (bot_login: the App's login, read from GitHub when not given)."""
        return GitHubCodeHost(
            self.client(installation_id), retrying=self.retrying, bot_login=bot_login or self.bot_login()
        )

    def __repr__(self) -> str:
        return f"GitHubApp(app_id={self.app_id}, api_url={self.api_url!r})"
