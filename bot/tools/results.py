"""The structured results change tools return: a ChangeSet or a Refusal as plain JSON-ready dicts."""

from __future__ import annotations

from typing import Any

from bot.domain.models import ChangeSet, Refusal

__all__ = ["change_result"]


def change_result(result: ChangeSet | Refusal, *, command: str) -> dict[str, Any]:
    """{"title", "description", "unchanged", "files": [{"path", "content"}], "command"}, or for a refusal
    {"refused": true, "message", "hint", "location", "command"}; command is the `/infra` line of the same change."""
    if isinstance(result, Refusal):
        return {
            "refused": True,
            "message": result.message,
            "hint": result.hint,
            "location": result.location,
            "command": command,
        }
    return {
        "command": command,
        "title": result.title,
        "description": result.description,
        "unchanged": result.unchanged,
        "files": [{"path": change.path, "content": change.content} for change in result.files],
    }
