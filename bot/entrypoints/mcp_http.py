"""/mcp: the MCP gateway over streamable HTTP, for one repository, as the GitHub person whose token is presented.

Each request is checked before any MCP is read: its Origin (browsers only), its bearer token (a person's GitHub
token: GitHub says whose), and that person's permission on the repository named by `?repo=OWNER/NAME` (through the
App's installation). Then the gateway that person may use (every tool, or the read-only state tools) answers it,
statelessly: no session outlives the request, so a replica can serve any of them.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import requests
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from bot.adapters.github.identity import TokenRefused
from bot.domain.mcp_access import Access, McpMode, NoAccess, access_for, origin_allowed, repository_named
from bot.ports import CodeHostError

__all__ = ["McpGatewayPorts", "McpHttpDoor"]

log = logging.getLogger(__name__)

# How long whose-token-this-is and their permission are trusted before GitHub is asked again: a revoked token or a
# lowered permission takes effect within this time.
CACHE_SECONDS = 60.0
_INVALID_REQUEST = -32600


@dataclass(frozen=True)
class McpGatewayPorts:
    """What the door asks of GitHub and of the App: whose a token is, their permission, and the gateway to serve."""

    login_of: Callable[[str], str]  # a person's token → their login; TokenRefused when it is no one's
    permission_of: Callable[[str, str], str]  # (repo, login) → permission; CodeHostError 404 where not installed
    endpoint_for: Callable[[Access], MCPServer]


class _Expiring:
    """A small map whose entries are forgotten after `seconds`; keys here never hold a token, only its hash."""

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self._seconds = seconds
        self._clock = clock
        self._entries: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] > self._clock():
                return found[1]
        value = compute()
        with self._lock:
            if len(self._entries) > 10_000:  # a flood of made-up tokens must not grow memory without bound
                self._entries.clear()
            self._entries[key] = (self._clock() + self._seconds, value)
        return value


class McpHttpDoor:
    """The ASGI app at /mcp (mounted by `olympus serve` when OLYMPUS_MCP_HTTP is read-only or propose)."""

    def __init__(
        self,
        ports: McpGatewayPorts,
        mode: McpMode,
        allowed_origins: tuple[str, ...] = (),
        *,
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if mode == "off":
            raise ValueError("an MCP door that is off is not mounted")
        self.ports = ports
        self.mode = mode
        self.allowed_origins = allowed_origins
        self._logins = _Expiring(cache_seconds, clock)
        self._permissions = _Expiring(cache_seconds, clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        decided = await anyio.to_thread.run_sync(self._decide, request)
        if isinstance(decided, NoAccess):
            await _refusal(decided)(scope, receive, send)
            return
        server = await anyio.to_thread.run_sync(self.ports.endpoint_for, decided)
        log.info(
            "MCP %s by %s on %s (%s)",
            request.method,
            decided.login,
            decided.repo,
            "read-only" if decided.read_only else "propose",
        )
        # The door checked Origin itself; the SDK's own check would also pin the Host to localhost.
        server.streamable_http_app(
            stateless_http=True,
            json_response=True,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        manager = server.session_manager
        async with manager.run():
            await manager.handle_request(scope, receive, send)

    def _decide(self, request: Request) -> Access | NoAccess:
        """Origin, then the token's person, then their permission on the repository: the first refusal wins."""
        if not origin_allowed(request.headers.get("origin"), self.allowed_origins):
            return NoAccess(403, "requests from this Origin are refused; list it in OLYMPUS_MCP_ALLOWED_ORIGINS")
        token = _bearer(request.headers.get("authorization"))
        if token is None:
            return NoAccess(401, "send a GitHub token of yours: Authorization: Bearer <token>")
        repo = repository_named(request.query_params.get("repo"))
        if isinstance(repo, NoAccess):
            return repo
        try:
            login = self._logins.get(_hash(token), lambda: _login_or_refusal(self.ports, token))
            if isinstance(login, NoAccess):
                return login
            permission = self._permissions.get((repo, login), lambda: self.ports.permission_of(repo, login))
        except CodeHostError as error:
            if error.status == 404:
                return NoAccess(404, f"Olympus is not installed on {repo}; install the App on it first")
            log.warning("MCP: GitHub could not answer for %s: %s", repo, error)
            return NoAccess(503, "GitHub could not be reached to check your permission; try again shortly")
        except requests.RequestException as error:
            log.warning("MCP: GitHub could not be reached to check a token: %s", type(error).__name__)
            return NoAccess(503, "GitHub could not be reached to check your token; try again shortly")
        return access_for(login, repo, permission, self.mode)


def _login_or_refusal(ports: McpGatewayPorts, token: str) -> str | NoAccess:
    try:
        return ports.login_of(token)
    except TokenRefused:
        # Kept (for the cache's while) like a login, so a bad token is not sent to GitHub on every request.
        return NoAccess(401, "GitHub does not take that token as anyone's: check that it is yours and not expired")


def _bearer(header: str | None) -> str | None:
    scheme, _, credential = (header or "").partition(" ")
    credential = credential.strip()
    return credential if scheme.lower() == "bearer" and credential and " " not in credential else None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _refusal(refused: NoAccess) -> JSONResponse:
    """A refusal in the shape the MCP SDK's own transport errors take: a JSON-RPC error with no id."""
    body = {"jsonrpc": "2.0", "id": None, "error": {"code": _INVALID_REQUEST, "message": refused.reason}}
    headers = {"WWW-Authenticate": 'Bearer realm="olympus"'} if refused.status == 401 else None
    return JSONResponse(body, status_code=refused.status, headers=headers)
