"""Application changes (Helm through Argo CD): new applications, values edits and chart version moves, as ChangeSets.

The generators load on first use (ruamel.yaml, jsonschema): listing the tools, which every CLI command does, needs
only their names and parameters.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.changes.apps.create import propose_app
    from bot.changes.apps.upgrade import propose_chart_upgrade
    from bot.changes.apps.values import propose_values

__all__ = ["propose_app", "propose_chart_upgrade", "propose_values"]

_HOMES = {"propose_app": "create", "propose_chart_upgrade": "upgrade", "propose_values": "values"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"bot.changes.apps.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
