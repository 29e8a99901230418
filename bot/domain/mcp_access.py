"""Who may use the MCP gateway over HTTP, and with which tools: the server's mode against the person's permission."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from bot.domain.permissions import DEFAULT_POLICY, Allowed, PermissionPolicy, may_run

__all__ = [
    "MCP_MODES",
    "Access",
    "McpMode",
    "NoAccess",
    "access_for",
    "origin_allowed",
    "repository_named",
]

McpMode = Literal["off", "read-only", "propose"]
MCP_MODES: Final[tuple[McpMode, ...]] = ("off", "read-only", "propose")
_REPO: Final = re.compile(r"[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}")


@dataclass(frozen=True)
class Access:
    """What the person gets: every tool (`read_only` False), or only the tools that read what Olympus knows."""

    login: str
    repo: str
    read_only: bool


@dataclass(frozen=True)
class NoAccess:
    """Refused: the HTTP status to answer with and why, worded for the person whose client was refused."""

    status: int
    reason: str


def access_for(
    login: str, repo: str, permission: str, mode: McpMode, policy: PermissionPolicy = DEFAULT_POLICY
) -> Access | NoAccess:
    """The tools `login` (with `permission` on `repo`) may use: proposing needs what `/infra create` needs, reading
    what `/infra status` needs; a `read-only` server offers no change tools to anyone."""
    if not isinstance(may_run("status", permission, (), policy), Allowed):
        return NoAccess(403, f"{login} may not read {repo} through Olympus: {_have(permission)}")
    proposes = mode == "propose" and isinstance(may_run("create", permission, (), policy), Allowed)
    return Access(login, repo, read_only=not proposes)


def repository_named(value: str | None) -> str | NoAccess:
    """The `repo` query parameter as an owner/name, or why it is not one."""
    if not value:
        return NoAccess(400, "name the repository: /mcp?repo=OWNER/NAME")
    if not _REPO.fullmatch(value) or value.split("/")[1] in (".", ".."):
        return NoAccess(400, "repo must be OWNER/NAME, as in github.com/OWNER/NAME")
    return value


def origin_allowed(origin: str | None, allowed: tuple[str, ...]) -> bool:
    """Whether a request may come from a browser page at `origin`: none (not a browser) or one configured.

    The MCP spec asks servers to check Origin against DNS rebinding. The server's own host is not trusted by
    itself: under DNS rebinding the attacker's page and its Host header name the same (attacker's) site.
    """
    return origin is None or origin.rstrip("/") in allowed


def _have(permission: str) -> str:
    return f"GitHub gives them {permission.strip().lower() or 'no'} permission on it"
