"""A plan's values as a reader sees them: compact JSON, cut to a line's length without serializing the rest."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Final

# Bounds that keep a summary small whatever the plan holds: a 10,000-resource plan must summarize in about the
# time json.loads takes to read it, so values are cut while they are serialized, never after.
MAX_VALUE_CHARS: Final = 120
# json.dumps(s, ensure_ascii=False) for a str, minus the call overhead: it runs for every value shown.
_encode_string: Final[Callable[[str], str]] = json.encoder.encode_basestring


def display_value(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    """Compact JSON of value cut to about limit characters, without serializing more of it than that."""
    if value is None:
        return "null"
    if type(value) is int:
        text = str(value)
    elif isinstance(value, bool | int | float):
        text = json.dumps(value)
    elif isinstance(value, str):
        text = _encode_string(value[: limit + 1])
    else:
        pieces: list[str] = []
        used = 0
        for token in _json_tokens(value, limit):
            pieces.append(token)
            used += len(token)
            if used > limit:
                break
        text = "".join(pieces)
    return text if len(text) <= limit else text[:limit] + "…"


def _json_tokens(value: object, limit: int) -> Iterator[str]:
    if isinstance(value, str):
        yield _encode_string(value[: limit + 1])
    elif isinstance(value, dict):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            yield ("," if i else "") + _encode_string(str(key)[: limit + 1]) + ":"
            yield from _json_tokens(item, limit)
        yield "}"
    elif isinstance(value, list):
        yield "["
        for i, item in enumerate(value):
            if i:
                yield ","
            yield from _json_tokens(item, limit)
        yield "]"
    elif value is None or isinstance(value, bool | int | float):
        yield json.dumps(value)
    else:
        yield _encode_string(str(value)[: limit + 1])
