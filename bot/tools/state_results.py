"""What the read-only state tools return, as typed models: their JSON schemas are the tools' output schemas."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CheckResult",
    "LockResult",
    "LocksResult",
    "ManagedResource",
    "ManagedResult",
    "MetricsResult",
    "PingResult",
    "ToolCounts",
]


class _Result(BaseModel):
    # As bot/tools/results.py's: exactly these keys, built on first use.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class LockResult(_Result):
    """A project lock: a change holds the project until it is applied, merged or unlocked."""

    dir: str = Field(description="The project's directory from the repository root.")
    workspace: str = Field(description="Its Terraform workspace.")
    holder: str = Field(description="The change (its branch) holding the lock.")
    acquired_at: str = Field(description="When the lock was taken (ISO 8601, UTC).")


class LocksResult(_Result):
    """The repository's project locks."""

    locks: list[LockResult]


class ManagedResource(_Result):
    """A resource Olympus manages: a module call it generated, in an env's directory."""

    cloud: str = Field(description="aws or gcp.")
    kind: str = Field(description="The kind of resource: bucket, instance or function.")
    name: str = Field(description="The resource's cloud name, as the change tools take it.")
    env: str = Field(description="The env it belongs to.")
    address: str = Field(description="Its Terraform address, module.<name>.")
    location: str = Field(description="Where the module call is (path:line).")


class ManagedResult(_Result):
    """Every resource Olympus manages in the repository."""

    resources: list[ManagedResource]


class CheckResult(_Result):
    """One thing Olympus needs, and whether it is there."""

    name: str
    status: Literal["ok", "missing"]
    reason: str = Field(description="In a line: what was found, or what is missing and how to provide it.")


class PingResult(_Result):
    """Whether what Olympus needs is there: Terraform, cloud credentials, GitHub."""

    ok: bool = Field(description="True when every check is ok.")
    checks: list[CheckResult]


class ToolCounts(_Result):
    """One tool's calls since the server started."""

    calls: int
    errors: int = Field(description="Calls that ended in an error result (a refusal or a mistake included).")
    seconds: float = Field(description="Time spent in the tool, in all.")
    mean_seconds: float


class MetricsResult(_Result):
    """Tool calls per server since it started, kept in memory."""

    servers: dict[str, dict[str, ToolCounts]] = Field(description="By server, then by tool.")
