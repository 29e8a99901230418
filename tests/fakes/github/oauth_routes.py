"""The App's OAuth web flow on the fake (github.com's /login/oauth/...), and the REST routes a user token reads.

GitHub's description of the flow (it is not in the REST OpenAPI description, being the web host's):
https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app
"""

from __future__ import annotations

import json
import secrets
import urllib.parse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import shapes
from .routes import Call, NotFound, Reply, route

if TYPE_CHECKING:
    from .fake import FakeGitHub

OAUTH_PREFIX = "/login/oauth/"
CODE_SECONDS = 600  # GitHub: "The code expires after 10 minutes"
USER_TOKEN_SECONDS = 28_800  # an expiring user access token lasts 8 hours
_ERROR_URI = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors"
# A role as the permissions object of a repository lists it ("push" is write, "pull" read).
_GRANTS = {
    "admin": ("admin", "maintain", "push", "triage", "pull"),
    "maintain": ("maintain", "push", "triage", "pull"),
    "write": ("push", "triage", "pull"),
    "triage": ("triage", "pull"),
    "read": ("pull",),
}


@dataclass
class OAuthClient:
    """The App's OAuth client: its id and secret, who approves the next sign-in, and the codes handed out."""

    client_id: str = field(default_factory=lambda: "Iv23li" + secrets.token_hex(7))
    client_secret: str = field(default_factory=lambda: secrets.token_hex(20))
    signing_in_as: str | None = None  # the person whose browser approves the App at /login/oauth/authorize
    codes: dict[str, tuple[str, str, float]] = field(default_factory=dict)  # code -> (login, redirect_uri, expiry)
    exchanges: int = 0


def handle(
    fake: FakeGitHub, method: str, path: str, query: dict[str, str], headers: dict[str, str], raw: bytes
) -> tuple[int, Any, dict[str, str]]:
    """One request to /login/oauth/...: (status, body bytes, headers)."""
    if method == "GET" and path == OAUTH_PREFIX + "authorize":
        return _authorize(fake, query)
    if method == "POST" and path == OAUTH_PREFIX + "access_token":
        return _access_token(fake, headers, raw)
    return 404, b"Not Found", {"Content-Type": "text/plain"}


def _authorize(fake: FakeGitHub, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
    client = fake.oauth
    redirect_uri = query.get("redirect_uri", "")
    if query.get("client_id") != client.client_id or not redirect_uri.startswith(("http://", "https://")):
        # GitHub shows its own error page: nothing goes back to a redirect_uri it cannot trust.
        return 404, b"Not Found", {"Content-Type": "text/plain"}
    if client.signing_in_as is None:
        error = {"error": "access_denied", "error_description": "The user has denied your application access."}
        return 302, b"", {"Location": _with(redirect_uri, {**error, "state": query.get("state", "")})}
    code = secrets.token_hex(10)
    client.codes[code] = (client.signing_in_as, redirect_uri, fake.credentials.now() + CODE_SECONDS)
    found = {"code": code, **({"state": query["state"]} if "state" in query else {})}
    return 302, b"", {"Location": _with(redirect_uri, found)}


def _access_token(fake: FakeGitHub, headers: dict[str, str], raw: bytes) -> tuple[int, Any, dict[str, str]]:
    client = fake.oauth
    kind = _header(headers, "content-type").split(";")[0].strip()
    form = json.loads(raw or b"{}") if kind == "application/json" else dict(urllib.parse.parse_qsl(raw.decode()))
    client.exchanges += 1
    if form.get("client_id") != client.client_id or form.get("client_secret") != client.client_secret:
        answer: dict[str, Any] = {
            "error": "incorrect_client_credentials",
            "error_description": "The client_id and/or client_secret passed are incorrect.",
        }
    else:
        issued = client.codes.pop(str(form.get("code", "")), None)
        login, redirect_uri, expires = issued or ("", "", 0.0)
        if issued is None or expires <= fake.credentials.now():
            answer = {"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."}
        elif form.get("redirect_uri") not in (None, redirect_uri):
            answer = {"error": "redirect_uri_mismatch", "error_description": "The redirect_uri MUST match."}
        else:
            token = "ghu_" + secrets.token_urlsafe(27)[:36]
            fake.credentials.user_tokens[token] = login
            answer = {
                "access_token": token,
                "expires_in": USER_TOKEN_SECONDS,
                "refresh_token": "ghr_" + secrets.token_urlsafe(56)[:76],
                "refresh_token_expires_in": 15_897_600,
                "scope": "",
                "token_type": "bearer",
            }
    if "error" in answer:
        answer["error_uri"] = _ERROR_URI
    # GitHub answers 200 either way, as a form unless asked for JSON.
    if "application/json" in _header(headers, "accept"):
        return 200, json.dumps(answer).encode(), {"Content-Type": "application/json; charset=utf-8"}
    body = urllib.parse.urlencode({k: str(v) for k, v in answer.items()}).encode()
    return 200, body, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


# --- what a user access token reads ------------------------------------------------------------------------------


def _explicit_role(repo: Any, login: str) -> str:
    """The person's role granted on the repository (collaborator, team, owner); "none" without one."""
    found = {user.lower(): role for user, role in repo.permissions.items()}
    return found.get(login.lower(), "none")


def _visible(fake: FakeGitHub, login: str) -> list[tuple[Any, str]]:
    # "repositories that the authenticated user has explicit permission (:read, :write, or :admin) to access"
    pairs = [(repo, _explicit_role(repo, login)) for _, repo in sorted(fake.repos.items())]
    return [(repo, role) for repo, role in pairs if role != "none"]


@route("GET", "/user/installations", auth="user")
def list_installations_for_user(gh: FakeGitHub, call: Call) -> Reply:
    # The App's one installation, when the person can reach any of its repositories.
    found = [shapes.installation(call.site, gh.app_owner)] if _visible(gh, call.site.user) else []
    return Reply(200, {"total_count": len(found), "installations": found})


@route("GET", "/user/installations/{installation_id}/repositories", auth="user")
def list_installation_repos_for_user(gh: FakeGitHub, call: Call) -> Reply:
    if int(call.params["installation_id"]) != gh.installation_id:
        raise NotFound()
    repos = []
    for repo, role in _visible(gh, call.site.user):
        body = shapes.repository(call.site, repo)
        body["permissions"] = {
            grant: grant in _GRANTS[role] for grant in ("admin", "maintain", "push", "triage", "pull")
        }
        repos.append(body)
    per_page = min(int(call.query.get("per_page", 30)), 100)
    page = max(int(call.query.get("page", 1)), 1)
    headers = {}
    if page * per_page < len(repos):
        query = dict(call.query, page=str(page + 1), per_page=str(per_page))
        headers["Link"] = f'<{call.site.api}{call.path}?{urllib.parse.urlencode(query)}>; rel="next"'
    body = {"total_count": len(repos), "repositories": repos[(page - 1) * per_page : page * per_page]}
    return Reply(200, body, headers)


def _with(url: str, values: dict[str, str]) -> str:
    joiner = "&" if urllib.parse.urlsplit(url).query else "?"
    return url + joiner + urllib.parse.urlencode(values)


def _header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")
