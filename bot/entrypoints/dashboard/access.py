"""Who reads the dashboard: every page takes its reader from an Access (everyone locally, GitHub sign-in in the App)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from bot.domain.dashboard_access import Reader

__all__ = [
    "Access",
    "LocalAccess",
    "PageRenderer",
    "NotConfigured",
    "Refused",
    "SignInNeeded",
    "UnconfiguredAccess",
    "is_loopback",
]


class SignInNeeded(Exception):
    """The request has no valid session: a page sends the browser to sign in, the event stream answers 401."""

    def __init__(self, why: str = "") -> None:
        super().__init__(why)
        self.why = why


class NotConfigured(Exception):
    """The App's dashboard has no sign-in configured: it says so (and how to fix it) instead of opening up."""

    def __init__(self, missing: str) -> None:
        super().__init__(missing)
        self.missing = missing


class Refused(Exception):
    """The reader may not do what the request asks (a missing CSRF token, too little permission); 403."""


# Renders a page outside the navigation (a template and its values) in the dashboard's look.
PageRenderer = Callable[[Request, str, dict[str, Any]], HTMLResponse]


class Access(Protocol):
    """How the pages learn who reads them; `routes` adds what signing in needs (nothing locally)."""

    def reader(self, request: Request) -> Reader:
        """The person reading, with the repositories they may read; raises SignInNeeded or NotConfigured."""
        ...

    def current_reader(self, request: Request) -> Reader:
        """The reader with their roles asked of GitHub just now (not cached): what an action is checked against."""
        ...

    def routes(self, app: FastAPI, page: PageRenderer) -> None: ...


class LocalAccess:
    """`olympus dashboard`: on loopback, for the user running it, every row of the one repository's store."""

    def reader(self, request: Request) -> Reader:
        return Reader()

    def current_reader(self, request: Request) -> Reader:
        return Reader()

    def routes(self, app: FastAPI, page: PageRenderer) -> None:
        return None


class UnconfiguredAccess:
    """The App without OLYMPUS_OAUTH_CLIENT_ID/SECRET: every page says what to set; no page shows a row."""

    def __init__(self, missing: str) -> None:
        self.missing = missing

    def reader(self, request: Request) -> Reader:
        raise NotConfigured(self.missing)

    def current_reader(self, request: Request) -> Reader:
        raise NotConfigured(self.missing)

    def routes(self, app: FastAPI, page: PageRenderer) -> None:
        return None


def is_loopback(host: str) -> bool:
    """Whether host names this machine only: localhost or a loopback address (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
