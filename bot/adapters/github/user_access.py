"""Signing people in with the GitHub App (its web application flow) and reading what their user token may read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from bot.adapters.secret_masking import mask_secret_text
from bot.domain.dashboard_access import level_of

__all__ = ["GitHubUserAccess", "SignInFailed"]

_API_VERSION = "2022-11-28"
_PER_PAGE = 100
# More than this many installations or repositories is more than a dashboard session should fetch at once.
_MAX_PAGES = 50
_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')


class SignInFailed(Exception):
    """GitHub refused the code or the token, or could not be reached; the message is safe to show."""


@dataclass(frozen=True)
class GitHubUserAccess:
    """The App's OAuth client (client id and secret) on a GitHub (github.com, or a GitHub Enterprise Server).

    The web application flow of a GitHub App:
    https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
    """

    client_id: str
    client_secret: str
    web_url: str  # https://github.com, or https://HOST for GitHub Enterprise Server
    api_url: str  # https://api.github.com, or https://HOST/api/v3
    timeout: float = 15.0

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        """Where the browser goes to sign in: GitHub asks the person, then sends them to redirect_uri with a code."""
        query = urlencode({"client_id": self.client_id, "redirect_uri": redirect_uri, "state": state})
        return f"{self.web_url}/login/oauth/authorize?{query}"

    def exchange(self, code: str, redirect_uri: str) -> str:
        """The user access token the callback's code is worth (GitHub answers 200 with an `error` when it is not)."""
        form = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "code": code,
            "redirect_uri": redirect_uri,
        }
        try:
            answer = httpx.post(
                f"{self.web_url}/login/oauth/access_token",
                data=form,
                headers={"Accept": "application/json"},
                timeout=self.timeout,
            )
            body = answer.json()
        except (httpx.HTTPError, ValueError) as error:
            raise SignInFailed(f"GitHub could not be reached to finish the sign-in: {_short(error)}") from None
        token = body.get("access_token") if isinstance(body, dict) else None
        if answer.status_code != 200 or not isinstance(token, str) or not token:
            reason = body.get("error_description") or body.get("error") if isinstance(body, dict) else None
            raise SignInFailed(f"GitHub refused the sign-in: {_short(reason or answer.status_code)}")
        return token

    def login(self, token: str) -> str:
        """The login of the person whose token this is (GET /user)."""
        body = self._get(token, f"{self.api_url}/user", {})
        login = body.get("login") if isinstance(body, dict) else None
        if not isinstance(login, str) or not login:
            raise SignInFailed("GitHub's answer to GET /user named no login")
        return login

    def readable_repos(self, token: str) -> dict[str, str]:
        """Every repository of the App's installations the person can read, with their role on it.

        GET /user/installations lists the installations of this App the person can reach, and
        GET /user/installations/{id}/repositories the repositories there they can read, "with the access the user
        has to each repository under the permissions key".
        """
        roles: dict[str, str] = {}
        for installation in self._pages(token, f"{self.api_url}/user/installations", "installations"):
            url = f"{self.api_url}/user/installations/{int(installation['id'])}/repositories"
            for repo in self._pages(token, url, "repositories"):
                level = level_of(repo.get("permissions") or {})
                if level != "none":
                    roles[str(repo["full_name"])] = level
        return roles

    def _pages(self, token: str, url: str, key: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        next_url: str | None = url
        params: dict[str, str] = {"per_page": str(_PER_PAGE)}
        for _ in range(_MAX_PAGES):
            if next_url is None:
                break
            answer = self._get_answer(token, next_url, params)
            body = answer.json()
            items.extend(body.get(key) or [])
            found = _NEXT_LINK.search(answer.headers.get("Link", ""))
            next_url, params = (found.group(1), {}) if found else (None, {})
        return items

    def _get(self, token: str, url: str, params: dict[str, str]) -> Any:
        return self._get_answer(token, url, params).json()

    def _get_answer(self, token: str, url: str, params: dict[str, str]) -> httpx.Response:
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": _API_VERSION,
        }
        try:
            answer = httpx.get(url, params=params, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as error:
            raise SignInFailed(f"GitHub could not be reached: {_short(error)}") from None
        if answer.status_code == 401:
            raise SignInFailed("GitHub no longer accepts this sign-in (the token was revoked or expired)")
        if answer.status_code != 200:
            raise SignInFailed(f"GitHub answered {answer.status_code} to GET {httpx.URL(url).path}")
        return answer


def _short(value: object) -> str:
    return " ".join(mask_secret_text(str(value)).split())[:200]
