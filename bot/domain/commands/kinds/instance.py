"""An EC2 instance's options: its instance type, t3.micro by default."""

from __future__ import annotations

import re

from bot.domain.commands.kinds.rules import KindRules
from bot.domain.commands.wording import shown
from bot.domain.models import ResourceKind

__all__ = ["INSTANCE"]

# family (t3, m7gd, u-6tb1, mac2-m2pro) "." size (micro, 2xlarge, metal, metal-48xl)
_INSTANCE_TYPE = re.compile(
    r"[a-z][a-z0-9-]{0,15}\.(nano|micro|small|medium|large|xlarge|[1-9][0-9]{0,2}xlarge|metal(-[1-9][0-9]?xl)?)"
)


def _problems(key: str, value: str) -> list[str]:
    if key == "instance_type" and not _INSTANCE_TYPE.fullmatch(value):
        return [f"`{shown(value)}` is not an EC2 instance type; use one such as `t3.micro` or `m7g.large`"]
    return []


INSTANCE = KindRules(
    kind=ResourceKind.INSTANCE,
    example_name="web-1",
    create_keys=("cloud", "type", "region", "env"),
    option_keys={"type": "instance_type"},
    defaults={"instance_type": "t3.micro"},
    problems=_problems,
    key_synonyms={"instance_type": "type"},
)
