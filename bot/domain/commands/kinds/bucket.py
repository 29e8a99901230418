"""A bucket's options (S3 or GCS): versioning, on by default."""

from __future__ import annotations

from bot.domain.commands.kinds.rules import KindRules
from bot.domain.commands.wording import shown
from bot.domain.models import ResourceKind

__all__ = ["BUCKET"]

_ON = ("on", "true", "enabled")
_OFF = ("off", "false", "disabled")


def _problems(key: str, value: str) -> list[str]:
    if key == "versioning" and value.lower() not in _ON + _OFF:
        return [f"`versioning={shown(value)}` is not valid; use `versioning=on` or `versioning=off`"]
    return []


def _normalized(key: str, value: str) -> str:
    if key == "versioning":
        return "on" if value.lower() in _ON else "off"
    return value


BUCKET = KindRules(
    kind=ResourceKind.BUCKET,
    example_name="logs-archive",
    create_keys=("cloud", "region", "env", "versioning"),
    option_keys={"versioning": "versioning"},
    defaults={"versioning": "on"},
    problems=_problems,
    normalized=_normalized,
)
