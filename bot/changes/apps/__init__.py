"""Application changes (Helm through Argo CD): new applications, values edits and chart version moves, as ChangeSets."""

from __future__ import annotations

from bot.changes.apps.create import propose_app
from bot.changes.apps.upgrade import propose_chart_upgrade
from bot.changes.apps.values import propose_values

__all__ = ["propose_app", "propose_chart_upgrade", "propose_values"]
