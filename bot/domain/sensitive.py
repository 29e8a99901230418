"""The sensitive values a plan (or a project's variables) carries, and text or data with every one of them hidden."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from enum import Enum
from typing import Any, Final, TypeVar

# What stands in for a hidden value everywhere: the words the summary uses for a value Terraform marks sensitive.
PLACEHOLDER: Final = "(sensitive value)"
# Shorter values are not collected: replacing every "dev", "80" or "yes" in a comment would destroy text that has
# nothing to do with the secret, and a secret that short protects nothing anyway.
MIN_TEXT_CHARS: Final = 4
# Numbers need more digits than that: ports, counts, sizes and years of four or five digits are everywhere.
# Booleans and null are never collected.
MIN_NUMBER_CHARS: Final = 6

_T = TypeVar("_T")


class SensitiveValues:
    """A set of secret texts that redact() replaces, wherever they occur, by PLACEHOLDER.

    Not a dataclass, and its repr names no value: a summary or a report that holds one can be logged, compared or
    passed to dataclasses.asdict without spelling the secrets out.
    """

    __slots__ = ("_pattern", "_texts")

    def __init__(self, texts: Iterable[str] = ()) -> None:
        self._texts: frozenset[str] = frozenset(t for t in texts if len(t) >= MIN_TEXT_CHARS)
        self._pattern: re.Pattern[str] | None = None

    @classmethod
    def of(cls, *values: object) -> SensitiveValues:
        """The secrets inside values: every string and long number at any depth (map keys are not secrets)."""
        found: list[str] = []
        for value in values:
            _collect(value, found)
        return cls(found)

    @classmethod
    def from_plan(cls, plan: Mapping[str, Any]) -> SensitiveValues:
        """Every value the plan JSON (`terraform show -json`) marks sensitive, wherever it marks it.

        Terraform marks values, not where they go: a value copied into an attribute Terraform computes
        (`tags_all` from `tags`, an output through `nonsensitive`) is unmarked there. Collecting the marked values
        and hiding them by value catches those copies too.
        """
        found: list[str] = []
        config = _dict(_dict(plan.get("configuration")).get("root_module"))
        given = _dict(plan.get("variables"))
        for name, declared in _dict(config.get("variables")).items():
            if _dict(declared).get("sensitive") is True:
                _collect(_dict(given.get(name)).get("value"), found)
                _collect(_dict(declared).get("default"), found)
        _module_call_arguments(config, found)
        for key in ("resource_changes", "resource_drift"):
            for entry in _list(plan.get(key)):
                change = _dict(_dict(entry).get("change"))
                _marked(change.get("before"), change.get("before_sensitive"), found)
                _marked(change.get("after"), change.get("after_sensitive"), found)
        for change in _dict(plan.get("output_changes")).values():
            change = _dict(change)
            _marked(change.get("before"), change.get("before_sensitive"), found)
            _marked(change.get("after"), change.get("after_sensitive"), found)
        for values in (_dict(plan.get("planned_values")), _dict(_dict(plan.get("prior_state")).get("values"))):
            for output in _dict(values.get("outputs")).values():
                if _dict(output).get("sensitive") is True:
                    _collect(_dict(output).get("value"), found)
            _module_values(_dict(values.get("root_module")), found)
        return cls(found)

    def __or__(self, other: SensitiveValues) -> SensitiveValues:
        if not other._texts:
            return self
        if not self._texts:
            return other
        return SensitiveValues(self._texts | other._texts)

    def __bool__(self) -> bool:
        return bool(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def __repr__(self) -> str:
        return f"<SensitiveValues: {len(self._texts)} hidden>"

    def redact(self, text: str) -> str:
        """text with every secret, in every form it is written in (raw, JSON- or HCL-escaped), replaced."""
        if not self._texts or not text:
            return text
        if self._pattern is None:
            forms = {form for secret in self._texts for form in _written_forms(secret)}
            self._pattern = re.compile(_longest_first(forms))
        return self._pattern.sub(PLACEHOLDER, text)

    def redact_value(self, value: _T) -> _T | str:
        """A JSON-like value with every secret hidden: a string or number that is one becomes PLACEHOLDER, a
        string that holds one has it replaced, maps and lists are redacted all through (keys too). What holds
        no secret is returned as it is, not copied."""
        if not self._texts:
            return value
        redacted: _T | str = self._value(value)
        return redacted

    def redact_fields(self, record: _T, *names: str) -> _T:
        """A dataclass with its text fields (and tuples of texts) redacted: those named, else all of them.

        Numbers and enums are left alone, so a record keeps its types (a line number stays an int).
        """
        if not self._texts or not dataclasses.is_dataclass(record) or isinstance(record, type):
            return record
        changes: dict[str, Any] = {}
        for field in dataclasses.fields(record):
            current = getattr(record, field.name)
            if names and field.name not in names:
                continue
            if isinstance(current, Enum) or not (
                isinstance(current, str) or (isinstance(current, tuple) and all(isinstance(t, str) for t in current))
            ):
                continue
            redacted = self._value(current)
            if redacted is not current:
                changes[field.name] = redacted
        return dataclasses.replace(record, **changes) if changes else record

    def _value(self, value: Any) -> Any:
        if isinstance(value, Enum) or value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):
            return PLACEHOLDER if value in self._texts else self.redact(value)
        if isinstance(value, int | float):
            return PLACEHOLDER if any(t in self._texts for t in _number_texts(value)) else value
        if isinstance(value, dict):
            items = [(self._value(k), self._value(v), k, v) for k, v in value.items()]
            if all(nk is k and nv is v for nk, nv, k, v in items):
                return value
            return {nk: nv for nk, nv, _, _ in items}
        if isinstance(value, list | tuple):
            redacted = [self._value(item) for item in value]
            if all(new is old for new, old in zip(redacted, value, strict=True)):
                return value
            return redacted if isinstance(value, list) else tuple(redacted)
        return value


NO_SECRETS: Final = SensitiveValues()


def _written_forms(secret: str) -> Iterator[str]:
    """How secret may be written in text Olympus shows: as is, JSON-escaped (Python's way and Go's, which also
    escapes <, > and &), and HCL-quoted as Terraform prints strings in its plan and error output."""
    yield secret
    json_form = json.dumps(secret, ensure_ascii=False)[1:-1]
    yield json_form
    yield json.dumps(secret)[1:-1]
    yield (
        json_form.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    yield (
        secret.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
        .replace("${", "$${")
        .replace("%{", "%%{")
    )


def _longest_first(words: Iterable[str]) -> str:
    """A regex matching any of words, the longest one wherever several start at the same place.

    A secret that contains another must go whole, not leave its rest behind. The words share one prefix tree, so a
    plan with thousands of secrets costs one step per character of text, not one per secret: at a branch only
    one child can match the next character, and a greedy `?` after a word that others extend tries them first.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def pattern(node: dict[str, Any]) -> str:
        run: list[str] = []
        while "" not in node and len(node) == 1:  # a run without branches: one literal, no nesting
            (char, node) = next(iter(node.items()))
            run.append(re.escape(char))
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        rest = ""
        if branches:
            rest = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
            if "" in node:
                rest = f"(?:{rest})?"
        return "".join(run) + rest

    return pattern(trie)


def _number_texts(number: int | float) -> tuple[str, ...]:
    text = json.dumps(number)
    if isinstance(number, float) and number.is_integer():
        return text, str(int(number))  # Terraform prints 15000000000 where JSON says 15000000000.0
    return (text,)


def _collect(value: object, found: list[str]) -> None:
    """Every secret text inside value: strings, the lines of a multi-line one, and long numbers."""
    if isinstance(value, str):
        found.append(value)
        if "\n" in value:
            # Terraform prints a multi-line string one line at a time (a heredoc), and progress comes in lines.
            found.extend(line.strip() for line in value.splitlines())
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        found.extend(t for t in _number_texts(value) if len(t.lstrip("-")) >= MIN_NUMBER_CHARS)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)


def _marked(value: object, mask: object, found: list[str]) -> None:
    """The parts of value that a *_sensitive / sensitive_values mask marks true."""
    if not mask:
        return
    if mask is True:
        _collect(value, found)
    elif isinstance(mask, dict) and isinstance(value, dict):
        for key, inner in mask.items():
            if inner:
                _marked(value.get(key), inner, found)
    elif isinstance(mask, list) and isinstance(value, list):
        for item, inner in zip(value, mask, strict=False):
            _marked(item, inner, found)


def _module_values(module: Mapping[str, Any], found: list[str]) -> None:
    for resource in _list(module.get("resources")):
        resource = _dict(resource)
        _marked(resource.get("values"), resource.get("sensitive_values"), found)
    for child in _list(module.get("child_modules")):
        _module_values(_dict(child), found)


def _module_call_arguments(module: Mapping[str, Any], found: list[str]) -> None:
    """Literal arguments of module calls that the called module declares sensitive (`password = "..."`)."""
    for call in _dict(module.get("module_calls")).values():
        call = _dict(call)
        called = _dict(call.get("module"))
        expressions = _dict(call.get("expressions"))
        for name, declared in _dict(called.get("variables")).items():
            if _dict(declared).get("sensitive") is True:
                _collect(_dict(expressions.get(name)).get("constant_value"), found)
                _collect(_dict(declared).get("default"), found)
        _module_call_arguments(called, found)


def _dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
