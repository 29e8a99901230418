"""Sign-in with GitHub for the App's dashboard: the OAuth web flow, sealed session cookies, each reader's repos."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Annotated, Protocol

from fastapi import FastAPI, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.domain.dashboard_access import Reader
from bot.entrypoints.dashboard.access import PageRenderer, Refused, SignInNeeded, is_loopback
from bot.entrypoints.dashboard.sessions import SESSION_SECONDS, STATE_SECONDS, Sealer, Session

__all__ = ["GitHubAccess", "SESSION_COOKIE", "STATE_COOKIE"]

logger = logging.getLogger(__name__)

SESSION_COOKIE = "olympus_session"
STATE_COOKIE = "olympus_oauth_state"
CALLBACK_PATH = "/oauth/callback"
# How long a person's repositories are trusted before GitHub is asked again: access taken away shows within a minute.
ROLES_SECONDS = 60.0
_MAX_CACHED = 10_000


class UserAccess(Protocol):
    """What signing in asks of GitHub (bot/adapters/github/user_access.py's GitHubUserAccess)."""

    def authorize_url(self, redirect_uri: str, state: str) -> str: ...

    def exchange(self, code: str, redirect_uri: str) -> str: ...

    def login(self, token: str) -> str: ...

    def readable_repos(self, token: str) -> dict[str, str]: ...


class GitHubAccess:
    """Readers are GitHub users signed in through the App; each sees the repositories GitHub says they can read."""

    def __init__(
        self,
        github: UserAccess,
        sealer: Sealer,
        *,
        failure: type[Exception],
        public_url: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.github = github
        self.sealer = sealer
        self.public_url = public_url.rstrip("/") if public_url else None
        self.failure = failure  # the adapter's SignInFailed: a refusal shown to the person, never a 500
        self.clock = clock
        self.render: PageRenderer | None = None
        self._roles: dict[str, tuple[float, dict[str, str]]] = {}
        self._lock = threading.Lock()

    # --- readers --------------------------------------------------------------------------------------------------

    def reader(self, request: Request) -> Reader:
        session = self._session(request)
        return Reader(session.login, self._cached_roles(session), session.csrf)

    def current_reader(self, request: Request) -> Reader:
        session = self._session(request)
        return Reader(session.login, self._fetch_roles(session), session.csrf)

    def _session(self, request: Request) -> Session:
        session = self.sealer.open_session(request.cookies.get(SESSION_COOKIE), self.clock())
        if session is None:
            raise SignInNeeded("expired" if request.cookies.get(SESSION_COOKIE) else "")
        return session

    def _cached_roles(self, session: Session) -> dict[str, str]:
        now = self.clock()
        with self._lock:
            cached = self._roles.get(session.id)
        if cached is not None and cached[0] > now:
            return cached[1]
        return self._fetch_roles(session)

    def _fetch_roles(self, session: Session) -> dict[str, str]:
        try:
            roles = self.github.readable_repos(session.token)
        except self.failure as error:
            logger.info("dashboard: %s's repositories could not be read: %s", session.login, error)
            raise SignInNeeded("github") from None
        with self._lock:
            if len(self._roles) >= _MAX_CACHED:
                self._roles.pop(next(iter(self._roles)))
            self._roles[session.id] = (self.clock() + ROLES_SECONDS, roles)
        return roles

    # --- the sign-in routes ---------------------------------------------------------------------------------------

    def routes(self, app: FastAPI, page: PageRenderer) -> None:
        self.render = page

        @app.get("/sign-in", response_class=HTMLResponse)
        def sign_in_page(request: Request, why: str = "") -> HTMLResponse:
            assert self.render is not None
            return self.render(request, "sign_in.html.j2", {"why": why, "problem": ""})

        @app.get("/sign-in/github")
        def start(request: Request) -> Response:
            state = secrets.token_urlsafe(32)
            response = RedirectResponse(self.github.authorize_url(self._callback_url(request), state), 303)
            self._set_cookie(
                request, response, STATE_COOKIE, self.sealer.seal_state(state, self.clock()), STATE_SECONDS
            )
            return response

        @app.get(CALLBACK_PATH)
        async def callback(request: Request, code: str = "", state: str = "") -> Response:
            if not self.sealer.state_holds(request.cookies.get(STATE_COOKIE), state, self.clock()):
                return self._refusal(
                    request,
                    "The sign-in could not be checked (it was not started here, or is "
                    "older than ten minutes). Sign in again.",
                )
            if not code:
                return self._refusal(request, "GitHub sent no code back: the sign-in was cancelled. Sign in again.")
            try:
                token, login = await run_in_threadpool(self._finish, code, self._callback_url(request))
            except self.failure as error:
                return self._refusal(request, str(error))
            session = Session.start(login, token, self.clock())
            response = RedirectResponse(_root(request) + "/", 303)
            self._set_cookie(request, response, SESSION_COOKIE, self.sealer.seal_session(session), SESSION_SECONDS)
            response.delete_cookie(STATE_COOKIE, path=_cookie_path(request))
            logger.info("dashboard: %s signed in", login)
            return response

        @app.post("/sign-out")
        def sign_out(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
            session = self.sealer.open_session(request.cookies.get(SESSION_COOKIE), self.clock())
            if session is not None and not secrets.compare_digest(csrf, session.csrf):
                raise Refused("the sign-out form is not this session's (reload the page and sign out again)")
            if session is not None:
                with self._lock:
                    self._roles.pop(session.id, None)
            response = RedirectResponse(_root(request) + "/sign-in?why=signed-out", 303)
            response.delete_cookie(SESSION_COOKIE, path=_cookie_path(request))
            return response

    def _finish(self, code: str, redirect_uri: str) -> tuple[str, str]:
        token = self.github.exchange(code, redirect_uri)
        return token, self.github.login(token)

    def _refusal(self, request: Request, problem: str) -> HTMLResponse:
        assert self.render is not None
        response = self.render(request, "sign_in.html.j2", {"why": "", "problem": problem})
        response.status_code = 400
        response.delete_cookie(STATE_COOKIE, path=_cookie_path(request))
        return response

    def _callback_url(self, request: Request) -> str:
        base = self.public_url or f"{request.url.scheme}://{request.url.netloc}"
        return base + _root(request) + CALLBACK_PATH

    def _set_cookie(self, request: Request, response: Response, name: str, value: str, seconds: float) -> None:
        # Secure everywhere but plain http on loopback (a developer's machine, the tests), where no cookie would stick.
        plain_loopback = request.url.scheme == "http" and is_loopback(request.url.hostname or "")
        response.set_cookie(
            name,
            value,
            max_age=int(seconds),
            path=_cookie_path(request),
            httponly=True,
            samesite="lax",  # sent on GitHub's redirect back (a top-level GET), never on another site's POST
            secure=not plain_loopback,
        )


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _cookie_path(request: Request) -> str:
    return _root(request) or "/"
