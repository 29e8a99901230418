"""The state server's other read-only tools: locks, managed resources, ping and metrics, over what is passed in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.ports import RepoReader
from bot.tools.change_tools import Tool
from bot.tools.health import Probe, ping
from bot.tools.managed import managed_resources
from bot.tools.state_results import LocksResult, ManagedResult, MetricsResult, PingResult
from bot.tools.tool_metrics import ToolMetrics

__all__ = ["state_tools"]


def state_tools(
    repo: RepoReader,
    locks: Callable[[], list[dict[str, Any]]] | None,
    probes: Mapping[str, Probe],
    metrics: Callable[[], Mapping[str, ToolMetrics]],
) -> dict[str, Tool]:
    """list_locks, list_managed_resources, ping and metrics, by name."""

    def list_locks() -> LocksResult:
        """The project locks held now: which change holds which project, since when."""
        return LocksResult.model_validate({"locks": locks() if locks else []})

    def list_managed_resources() -> ManagedResult:
        """The resources Olympus manages in the repository (the module calls it generated), by cloud and env."""
        return ManagedResult(resources=managed_resources(repo))

    def ping_olympus() -> PingResult:
        """Whether what Olympus needs is there: Terraform, cloud credentials, GitHub; each check ok or missing."""
        return ping(probes)

    def tool_metrics() -> MetricsResult:
        """Tool calls per server since it started: calls, errors and time per tool."""
        servers = {name: counted.snapshot() for name, counted in metrics().items()}
        return MetricsResult.model_validate({"servers": servers})

    named = {"list_locks": list_locks, "list_managed_resources": list_managed_resources}
    named |= {"ping": ping_olympus, "metrics": tool_metrics}
    return {name: Tool(name, fn, changes=False) for name, fn in named.items()}
