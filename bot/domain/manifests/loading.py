"""YAML documents loaded exactly as PyYAML's safe loader loads them, with work shared by the documents of a render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

# libyaml's loader is several times faster than the pure-Python one; both build the same values.
_BASE: Final[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR: Final = "tag:yaml.org,2002:str"
_MAP: Final = "tag:yaml.org,2002:map"
_SEQ: Final = "tag:yaml.org,2002:seq"
# Scalars whose safe constructor is a plain function of the node, giving a hashable value.
_SCALAR_TAGS: Final = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "binary", "timestamp")
)
# descend_resolver and ascend_resolver below skip the path bookkeeping, which only path resolvers read.
assert not _BASE.yaml_path_resolvers, "the safe loader gained path resolvers: the no-op shortcuts below are wrong"


@dataclass
class ParseMemo:
    """What parsing learns that later documents can reuse: each distinct document's value and each scalar's tag.

    Keep one only for the renders compared together, then drop it: it holds their values, Secrets included. Renders
    parsed with one memo share the values of their identical documents, which nobody may change (bodies are read-only
    Mappings)."""

    # document text -> (its value, how many values it holds, aliases expanded)
    documents: dict[str, tuple[object, int]] = field(default_factory=dict)
    # (node kind, scalar text, implicit flags) -> tag: the resolver's answer depends on nothing else
    tags: dict[tuple[object, object, object], str] = field(default_factory=dict)


class _Loader(_BASE):  # type: ignore[misc]  # a base chosen at import time: C when libyaml is there
    """The safe loader, asking its resolver once per distinct scalar (a render repeats its labels, names, ports)."""

    memo: ParseMemo

    def resolve(self, kind: object, value: object, implicit: object) -> str:
        key = (kind, value, implicit)
        tag = self.memo.tags.get(key)
        if tag is None:
            tag = self.memo.tags[key] = super().resolve(kind, value, implicit)
        return tag

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        return None  # no path resolvers: nothing to track

    def ascend_resolver(self) -> None:
        return None


def load_document(document: str, memo: ParseMemo) -> object:
    """The document's value as yaml.safe_load gives it; raises what yaml.safe_load raises."""
    loader = _Loader(document)
    loader.memo = memo
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return _plain_value(node, loader, set())
        except Exception:  # noqa: BLE001 - anything unusual: PyYAML's own constructor decides, errors and all
            return loader.construct_document(node)
    finally:
        loader.dispose()


class _NotPlain(Exception):
    """A node the plain walk leaves to PyYAML's constructor: an alias, a merge key, a complex key, another tag."""


def _plain_value(node: object, loader: Any, seen: set[int]) -> object:
    """What SafeConstructor builds from a tree of plain mappings, sequences and scalars, built directly: it walks
    each node through generators, flattening and checks that such a tree never needs."""
    tag = getattr(node, "tag", None)
    kind = type(node)
    if kind is ScalarNode:
        if tag == _STR:
            return node.value  # type: ignore[attr-defined]
        if tag in _SCALAR_TAGS:
            return loader.yaml_constructors[tag](loader, node)
        raise _NotPlain(tag)
    if id(node) in seen:
        raise _NotPlain("an alias")  # PyYAML shares the value (and allows cycles): its constructor does that
    seen.add(id(node))
    if kind is MappingNode and tag == _MAP:
        mapping: dict[object, object] = {}
        for key_node, value_node in node.value:  # type: ignore[attr-defined]
            if type(key_node) is not ScalarNode or not (key_node.tag == _STR or key_node.tag in _SCALAR_TAGS):
                raise _NotPlain("a key that is not a plain scalar")  # merge keys, `=`, complex keys
            key = key_node.value if key_node.tag == _STR else _plain_value(key_node, loader, seen)
            # Most values are strings: taken here, without a call per scalar.
            if type(value_node) is ScalarNode and value_node.tag == _STR:
                mapping[key] = value_node.value
            else:
                mapping[key] = _plain_value(value_node, loader, seen)
        return mapping
    if kind is SequenceNode and tag == _SEQ:
        return [_plain_value(item, loader, seen) for item in node.value]  # type: ignore[attr-defined]
    raise _NotPlain(tag)
