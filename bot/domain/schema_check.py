"""Whether a document satisfies a JSON Schema (2020-12) built from the keywords Olympus's own schemas use.

Only the answer, valid or not: the messages come from jsonschema, which a caller imports when this says "not
valid". Importing jsonschema costs about as much as the rest of a command's start-up (it loads every meta-schema),
and nearly every `.olympus.yaml` Olympus reads is valid. A keyword this module does not know raises
UnknownKeyword, so a schema that grows beyond it fails the tests (which hold it to jsonschema) instead of passing
documents silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

__all__ = ["KNOWN_KEYWORDS", "UnknownKeyword", "satisfies"]

# Keywords that only describe; they never make a document invalid.
_ANNOTATIONS: Final = frozenset({"$schema", "$id", "$defs", "title", "description", "default", "examples"})


Schema = Mapping[str, Any]
# A keyword's check: (instance, the keyword's value, the schema it sits in, the root schema) → valid.
_Check = Callable[[object, Any, Schema, Schema], bool]


class UnknownKeyword(ValueError):
    """The schema uses a keyword satisfies() does not evaluate."""


def satisfies(instance: object, schema: Schema) -> bool:
    """True when instance is valid against schema (its `$ref`s point into its own `#/$defs`)."""
    return _valid(instance, schema, schema)


def _valid(instance: object, schema: Schema | bool, root: Schema) -> bool:
    if isinstance(schema, bool):
        return schema
    for keyword, value in schema.items():
        if keyword in _ANNOTATIONS:
            continue
        check = _KEYWORDS.get(keyword)
        if check is None:
            if keyword in ("then", "else"):
                continue  # evaluated with "if"
            raise UnknownKeyword(keyword)
        if not check(instance, value, schema, root):
            return False
    return True


def _type(instance: object, expected: str | list[str], _schema: Schema, _root: Schema) -> bool:
    kinds = [expected] if isinstance(expected, str) else expected
    return any(_is_type(instance, kind) for kind in kinds)


def _is_type(instance: object, kind: str) -> bool:
    if kind == "object":
        return isinstance(instance, dict)
    if kind == "array":
        return isinstance(instance, list)
    if kind == "string":
        return isinstance(instance, str)
    if kind == "boolean":
        return isinstance(instance, bool)
    if kind == "null":
        return instance is None
    if isinstance(instance, bool):  # JSON's true is not the number 1
        return False
    if kind == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    if kind == "number":
        return isinstance(instance, int | float)
    raise UnknownKeyword(f"type {kind}")


def _equal(left: object, right: object) -> bool:
    """JSON equality: booleans differ from numbers, containers compare item by item."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_equal(left[key], right[key]) for key in left)
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    return type(left) is type(right) and left == right


def _properties(instance: object, properties: Schema, _s: Schema, root: Schema) -> bool:
    if not isinstance(instance, dict):
        return True
    return all(_valid(instance[name], sub, root) for name, sub in properties.items() if name in instance)


def _additional(instance: object, extra: Any, schema: Schema, root: Schema) -> bool:
    if not isinstance(instance, dict):
        return True
    known = schema.get("properties", {})
    return all(_valid(value, extra, root) for name, value in instance.items() if name not in known)


def _required(instance: object, names: list[str], _s: Schema, _r: Schema) -> bool:
    return not isinstance(instance, dict) or all(name in instance for name in names)


def _dependent(instance: object, schemas: Schema, _s: Schema, root: Schema) -> bool:
    if not isinstance(instance, dict):
        return True
    return all(_valid(instance, sub, root) for name, sub in schemas.items() if name in instance)


def _items(instance: object, sub: Any, _s: Schema, root: Schema) -> bool:
    return not isinstance(instance, list) or all(_valid(item, sub, root) for item in instance)


def _min_items(instance: object, least: int, _s: Schema, _r: Schema) -> bool:
    return not isinstance(instance, list) or len(instance) >= least


def _unique(instance: object, unique: bool, _s: Schema, _r: Schema) -> bool:
    if not unique or not isinstance(instance, list):
        return True
    return not any(_equal(a, b) for i, a in enumerate(instance) for b in instance[i + 1 :])


def _const(instance: object, value: object, _s: Schema, _r: Schema) -> bool:
    return _equal(instance, value)


def _enum(instance: object, values: list[object], _s: Schema, _r: Schema) -> bool:
    return any(_equal(instance, value) for value in values)


def _pattern(instance: object, pattern: str, _s: Schema, _r: Schema) -> bool:
    return not isinstance(instance, str) or re.search(pattern, instance) is not None


def _min_length(instance: object, least: int, _s: Schema, _r: Schema) -> bool:
    return not isinstance(instance, str) or len(instance) >= least


def _minimum(instance: object, least: float, _s: Schema, _r: Schema) -> bool:
    return not _is_type(instance, "number") or instance >= least  # type: ignore[operator]


def _maximum(instance: object, most: float, _s: Schema, _r: Schema) -> bool:
    return not _is_type(instance, "number") or instance <= most  # type: ignore[operator]


def _not(instance: object, sub: Any, _s: Schema, root: Schema) -> bool:
    return not _valid(instance, sub, root)


def _all_of(instance: object, subs: list[Any], _s: Schema, root: Schema) -> bool:
    return all(_valid(instance, sub, root) for sub in subs)


def _any_of(instance: object, subs: list[Any], _s: Schema, root: Schema) -> bool:
    return any(_valid(instance, sub, root) for sub in subs)


def _if(instance: object, condition: Any, schema: Schema, root: Schema) -> bool:
    branch = "then" if _valid(instance, condition, root) else "else"
    return _valid(instance, schema.get(branch, True), root)


def _ref(instance: object, ref: str, _s: Schema, root: Schema) -> bool:
    if not ref.startswith("#/$defs/"):
        raise UnknownKeyword(f"$ref {ref}")
    return _valid(instance, root["$defs"][ref.removeprefix("#/$defs/")], root)


_KEYWORDS: Final[dict[str, _Check]] = {
    "type": _type,
    "properties": _properties,
    "additionalProperties": _additional,
    "required": _required,
    "dependentSchemas": _dependent,
    "items": _items,
    "minItems": _min_items,
    "uniqueItems": _unique,
    "const": _const,
    "enum": _enum,
    "pattern": _pattern,
    "minLength": _min_length,
    "minimum": _minimum,
    "maximum": _maximum,
    "not": _not,
    "allOf": _all_of,
    "anyOf": _any_of,
    "if": _if,
    "$ref": _ref,
}
KNOWN_KEYWORDS: Final = frozenset(_KEYWORDS) | _ANNOTATIONS | {"then", "else"}
