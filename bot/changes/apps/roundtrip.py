"""YAML edited in place with ruamel.yaml's round trip: comments, key order and quoting stay as they were."""

from __future__ import annotations

import io
from collections.abc import MutableMapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

__all__ = ["EditProblem", "RoundTrip", "same_value"]


class EditProblem(ValueError):
    """The edit cannot be made where asked (a key that is a value, not a map); the message says why."""


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    # The indentation Olympus writes and the example chart uses: maps by 2, list items as "  - " under their key.
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a long value onto a second line
    return yaml


class RoundTrip:
    """One YAML document loaded for editing; `text()` is the document as it now stands."""

    def __init__(self, text: str) -> None:
        self._original = text
        try:
            loaded = _yaml().load(text) if text.strip() else None
        except YAMLError as error:
            raise EditProblem(f"not valid YAML: {str(error)[:200]}") from None
        if loaded is not None and not isinstance(loaded, CommentedMap):
            raise EditProblem("not a YAML mapping of keys to values")
        # A file of comments only loads as nothing: its comments are kept as they are, above the keys added.
        self._only_comments = loaded is None
        self.root: CommentedMap = loaded if loaded is not None else CommentedMap()

    def get(self, path: list[str]) -> Any:
        """The value at `path`, None when any of it is missing."""
        node: Any = self.root
        for key in path:
            if not isinstance(node, MutableMapping) or key not in node:
                return None
            node = node[key]
        return node

    def set(self, path: list[str], value: object) -> None:
        """Set the value at `path`, making the maps on the way; a scalar keeps the quotes it was written with."""
        node: MutableMapping[str, Any] = self.root
        for depth, key in enumerate(path[:-1]):
            child = node.get(key)
            if child is None:
                child = node[key] = CommentedMap()
            elif not isinstance(child, MutableMapping):
                raise EditProblem(f"`{'.'.join(path[: depth + 1])}` is a value, not a map of keys")
            node = child
        old = node.get(path[-1])
        if isinstance(old, MutableMapping | list):
            raise EditProblem(f"`{'.'.join(path)}` is a map or a list; set its keys one at a time")
        if isinstance(value, str) and isinstance(old, DoubleQuotedScalarString | SingleQuotedScalarString):
            value = type(old)(value)
        node[path[-1]] = value

    def text(self) -> str:
        out = io.StringIO()
        if self.root or not self._only_comments:
            _yaml().dump(self.root, out)
        dumped = out.getvalue()
        if self._only_comments and self._original.strip():
            return self._original.rstrip("\n") + "\n\n" + dumped if dumped else self._original
        return dumped


def same_value(old: object, new: object) -> bool:
    """Whether `old` (as loaded) already is `new`, type included: True is not 1, and "3" is not 3."""
    if isinstance(new, bool) or isinstance(old, bool):
        return isinstance(old, bool) and isinstance(new, bool) and old is new
    if isinstance(new, str):
        return isinstance(old, str) and str(old) == new
    if isinstance(new, int | float):
        return isinstance(old, int | float) and float(old) == float(new)
    return old == new
