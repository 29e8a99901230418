"""Who a person's GitHub token belongs to: GET /user with it, the token never kept, logged or sent elsewhere."""

from __future__ import annotations

import requests

from bot.adapters.github.app_auth import normalize_api_url

__all__ = ["TokenRefused", "login_of_token"]


class TokenRefused(Exception):
    """GitHub did not take the token as a person's (expired, revoked, an App's, or not a token at all)."""


def login_of_token(api_url: str, token: str, *, timeout: float = 15.0) -> str:
    """The login of the person whose token this is; TokenRefused when GitHub says it is no one's.

    A network failure or a 5xx raises requests' own errors: that is GitHub being unreachable, not a bad token.
    """
    response = requests.get(
        f"{normalize_api_url(api_url)}/user",
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        },
        timeout=timeout,
        allow_redirects=False,  # a redirect would carry the token to wherever it points
    )
    if response.status_code in (401, 403):
        raise TokenRefused(f"GitHub answered {response.status_code} to GET /user with it")
    response.raise_for_status()
    login = response.json().get("login")
    if not isinstance(login, str) or not login:
        raise TokenRefused("GitHub's answer to GET /user names no login")
    return login
