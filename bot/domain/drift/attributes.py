"""Drifted attributes, one leaf at a time: `tags["team"]` rather than the whole `tags` map before and after."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Final

from bot.domain.plans import AttributeChange, Mark

# Deep enough for a block inside a block (`versioning[0].enabled`, `rule[0].filter.prefix`); deeper values are
# shown whole at this depth, as plans.py shows them.
MAX_DEPTH: Final = 3
_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def leaf_changes(attributes: tuple[AttributeChange, ...]) -> tuple[AttributeChange, ...]:
    """Each changed attribute split into the map keys and list items that changed; hidden values stay whole."""
    return tuple(leaf for attribute in attributes for leaf in _leaves(attribute.name, attribute.old, attribute.new, 0))


def _unset(value: object) -> bool:
    # A provider reading an object back may write an unset map or list as null, or as an empty one: hashicorp/aws
    # 3.x turns `tags = null` into `{}` at every refresh. Terraform lists that as changed outside Terraform, yet
    # its normal plan says "No changes": it is no drift anyone made, and an issue about it would never close.
    return value is None or value == {} or value == []


def _leaves(path: str, old: object, new: object, depth: int) -> Iterator[AttributeChange]:
    # A Mark (sensitive, or known after apply) is never opened: what it stands for must not show through, and
    # HIDDEN → HIDDEN is still a change (plans.py only lists attributes that changed).
    if type(old) is Mark or type(new) is Mark:
        yield AttributeChange(path, old, new)
        return
    if old == new or (_unset(old) and _unset(new)):
        return
    if depth < MAX_DEPTH:
        if isinstance(old, dict) and isinstance(new, dict):
            for key in sorted(old.keys() | new.keys(), key=str):
                yield from _leaves(_key_path(path, str(key)), old.get(key), new.get(key), depth + 1)
            return
        if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
            for index, (before, after) in enumerate(zip(old, new, strict=True)):
                yield from _leaves(f"{path}[{index}]", before, after, depth + 1)
            return
    yield AttributeChange(path, old, new)


def _key_path(path: str, key: str) -> str:
    # A block's attribute reads as Terraform writes it (`versioning[0].enabled`); a map key that is no identifier
    # (a tag such as "cost-center:team") is quoted.
    if path.endswith("]") and _IDENTIFIER.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"
