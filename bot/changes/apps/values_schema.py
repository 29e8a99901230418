"""A chart's values.schema.json as Olympus reads it: a key's rule, a value typed by it, merged values checked."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema

__all__ = ["Unknown", "check_values", "merged_values", "rule_at", "typed_value"]

_INTEGER = re.compile(r"[-+]?[0-9]+")
_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")


@dataclass(frozen=True)
class Unknown:
    """A key the schema does not know: which part of it, and the nearest key the schema does know there."""

    key: str
    suggestion: str | None
    known: tuple[str, ...]

    @property
    def message(self) -> str:
        near = f"did you mean `{self.suggestion}`?" if self.suggestion else ""
        known = ", ".join(f"`{key}`" for key in self.known[:12])
        return f"unknown key `{self.key}`: " + (near or (f"the chart knows {known} there" if known else "no keys"))


def rule_at(schema: Mapping[str, Any], path: list[str]) -> Mapping[str, Any] | Unknown:
    """The schema of the value at `path` ({} when the schema says nothing of it), or the first key it refuses."""
    node = _resolved(schema, schema)
    for depth, key in enumerate(path):
        properties = node.get("properties")
        properties = properties if isinstance(properties, Mapping) else {}
        if key in properties:
            node = _resolved(schema, properties[key])
            continue
        patterned = node.get("patternProperties")
        matched = [rule for pattern, rule in (patterned or {}).items() if re.search(pattern, key)]
        extra = node.get("additionalProperties", True)
        if matched:
            node = _resolved(schema, matched[0])
        elif isinstance(extra, Mapping):
            node = _resolved(schema, extra)
        elif extra is False:
            where = ".".join(path[: depth + 1])
            close = difflib.get_close_matches(key, list(properties), n=1, cutoff=0.6)
            prefix = ".".join(path[:depth])
            suggestion = f"{prefix}.{close[0]}" if close and prefix else (close[0] if close else None)
            return Unknown(where, suggestion, tuple(properties))
        else:
            node = {}
    return node


def typed_value(text: str, rule: Mapping[str, Any]) -> object:
    """`text` as the type the rule asks for (a string-typed key keeps "3" a string), else ValueError saying why.
    A key the schema does not type is read as YAML reads a plain scalar."""
    types = rule.get("type")
    allowed = [types] if isinstance(types, str) else list(types) if isinstance(types, list) else []
    if not allowed:
        return _as_yaml_scalar(text)
    for kind in ("boolean", "integer", "number", "null"):
        if kind in allowed:
            value = _parsed(kind, text)
            if value is not _NO:
                return value
    if "string" in allowed:
        return text
    if set(allowed) <= {"object", "array"}:
        raise ValueError(f"is {' or '.join(allowed)} in the chart's schema; set its keys one at a time")
    raise ValueError(f"must be {' or '.join(allowed)}, not {json.dumps(text)[:60]}")


def merged_values(defaults: object, override: object) -> object:
    """The values Helm renders with: maps merged key by key, anything else replaced, a null override deleting."""
    if not isinstance(defaults, Mapping) or not isinstance(override, Mapping):
        return override
    merged = dict(defaults)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merged_values(merged.get(key), value) if key in merged else value
    return merged


def check_values(schema: Mapping[str, Any], values: object) -> list[str]:
    """Every way `values` breaks the schema, each naming the key and the rule, sorted by key."""
    validator = jsonschema.validators.validator_for(schema)(schema)
    problems = []
    for error in validator.iter_errors(values):
        key = ".".join(str(part) for part in error.absolute_path) or "(the values)"
        rule = f"{error.validator} {json.dumps(error.validator_value, default=str)}"
        problems.append((key, f"`{key}`: {str(error.message)[:200]} (schema rule: {rule[:120]})"))
    return [text for _key, text in sorted(problems)]


_NO = object()


def _parsed(kind: str, text: str) -> object:
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, _NO)
    if kind == "integer":
        return int(text) if _INTEGER.fullmatch(text) else _NO
    if kind == "number":
        if _INTEGER.fullmatch(text):
            return int(text)
        return float(text) if _NUMBER.fullmatch(text) else _NO
    return None if text == "null" else _NO


def _as_yaml_scalar(text: str) -> object:
    for kind in ("boolean", "integer", "number"):
        value = _parsed(kind, text)
        if value is not _NO:
            return value
    return text


def _resolved(root: Mapping[str, Any], node: object) -> Mapping[str, Any]:
    """The node with a local `$ref` (#/definitions/..., #/$defs/...) followed; anything else as {}."""
    seen = 0
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and seen < 16:
        ref = str(node["$ref"])
        if not ref.startswith("#/"):
            return {}
        target: object = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, Mapping) else None
        node, seen = target, seen + 1
    return node if isinstance(node, Mapping) else {}
