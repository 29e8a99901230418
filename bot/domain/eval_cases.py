"""The cases of a plain-language evaluation: each a request and what Olympus should make of it, validated.

A cases file is a YAML list. Each case has an `id`, the `request` in plain words, and `expect:` exactly one of
`commands: [...]` (the canonical `/infra` lines the request means), `ask: true` or `decline: true`; optionally
`tags`, `given` (the create commands whose resources the repository already manages, e.g. for a destroy) and a
`note` saying why the expectation is what it is. docs/evaluation.md describes the format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from bot.domain.commands import Create, Destroy, NotForMe, parse, render_command

__all__ = ["CaseProblem", "EvalCase", "Expectation", "cases_from"]

_ID: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")  # also the name of its recording, <id>.yaml
_TAG: Final = re.compile(r"[a-z][a-z0-9-]{0,31}")
_KEYS: Final = ("id", "request", "expect", "tags", "given", "note")
_EXPECTATIONS: Final = ("commands", "ask", "decline")
# Records a problem of the case being read: problem(field, message).
_Problem = Callable[[str, str], None]


@dataclass(frozen=True)
class Expectation:
    """What the request should become: these commands, a question, or a refusal."""

    kind: Literal["commands", "ask", "decline"]
    commands: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvalCase:
    """One request and what Olympus should make of it, over a repository holding `given`'s resources."""

    id: str
    request: str
    expect: Expectation
    tags: tuple[str, ...] = ()
    given: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class CaseProblem:
    """A mistake in the cases file: which case (its id, else its position), which field, what is wrong."""

    case: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"case {self.case}, {self.field}: {self.message}" if self.field else f"case {self.case}: {self.message}"


def cases_from(document: object) -> list[EvalCase] | list[CaseProblem]:
    """The cases of a loaded cases file, or every mistake in it (an empty list of problems never comes back)."""
    if not isinstance(document, list) or not document:
        return [CaseProblem("file", "", "a cases file is a non-empty YAML list of cases (- id: ..., request: ...)")]
    cases: list[EvalCase] = []
    problems: list[CaseProblem] = []
    seen: set[str] = set()
    for index, item in enumerate(document, start=1):
        read = _case(index, item)
        if isinstance(read, EvalCase):
            if read.id in seen:
                problems.append(CaseProblem(f"`{read.id}` (item {index})", "id", "another case has this id"))
            seen.add(read.id)
            cases.append(read)
        else:
            problems += read
    return problems or cases


def _case(index: int, item: object) -> EvalCase | list[CaseProblem]:
    if not isinstance(item, Mapping):
        return [CaseProblem(f"item {index}", "", "a case is a mapping with id, request and expect")]
    raw_id = item.get("id")
    valid_id = isinstance(raw_id, str) and _ID.fullmatch(raw_id) is not None
    where = f"`{raw_id}` (item {index})" if valid_id else f"item {index}"
    problems: list[CaseProblem] = []

    def problem(field: str, message: str) -> None:
        problems.append(CaseProblem(where, field, message))

    for key in item:
        if key not in _KEYS:
            problem(str(key), f"not a field of a case; a case has {', '.join(_KEYS)}")
    if not valid_id:
        problem("id", "missing, or not lowercase letters, digits and hyphens (at most 64, it names the recording)")
    request = item.get("request")
    if not isinstance(request, str) or not request.strip():
        problem("request", "missing, or not text")
        request = ""
    elif not isinstance(parse(request), NotForMe):
        problem("request", "is an /infra command, which the grammar reads without the model; write it in plain words")
    expect = _expectation(item.get("expect"), problem)
    tags = _words(item.get("tags", []), "tags", _TAG, problem)
    given = _given(item.get("given", []), problem)
    note = item.get("note", "")
    if not isinstance(note, str):
        problem("note", "is not text")
    if problems or expect is None:
        return problems
    return EvalCase(str(raw_id), request, expect, tuple(tags), tuple(given), str(note))


def _expectation(raw: object, problem: _Problem) -> Expectation | None:
    if not isinstance(raw, Mapping) or len(raw) != 1 or next(iter(raw)) not in _EXPECTATIONS:
        problem("expect", "must be exactly one of `commands: [...]`, `ask: true` or `decline: true`")
        return None
    kind, value = next(iter(raw.items()))
    if kind in ("ask", "decline"):
        if value is not True:
            problem(f"expect.{kind}", "must be true (leave it out, and expect something else, otherwise)")
            return None
        return Expectation(kind)
    if not isinstance(value, list) or not value:
        problem("expect.commands", "must be a non-empty list of /infra create or destroy commands")
        return None
    commands: list[str] = []
    for position, command in enumerate(value):
        canonical = _canonical(command, f"expect.commands[{position}]", problem)
        if canonical is not None:
            commands.append(canonical)
    return Expectation("commands", tuple(commands)) if len(commands) == len(value) else None


def _given(raw: object, problem: _Problem) -> list[str]:
    if not isinstance(raw, list):
        problem("given", "must be a list of /infra create commands")
        return []
    given = []
    for position, command in enumerate(raw):
        field = f"given[{position}]"
        canonical = _canonical(command, field, problem)
        if canonical is not None and not canonical.startswith("/infra create "):
            problem(field, "must be a create command: it says what the repository already manages")
        elif canonical is not None:
            given.append(canonical)
    return given


def _canonical(command: object, field: str, problem: _Problem) -> str | None:
    """command when it is a create or destroy command exactly as the grammar renders it."""
    if not isinstance(command, str):
        problem(field, "is not text")
        return None
    parsed = parse(command)
    if not isinstance(parsed, Create | Destroy):
        problem(field, f"`{command[:120]}` is not an /infra create or destroy command the grammar accepts")
        return None
    rendered = render_command(parsed)
    if rendered != command:
        problem(field, f"`{command[:120]}` is not canonical; the grammar writes it `{rendered}`")
        return None
    return command


def _words(raw: object, field: str, pattern: re.Pattern[str], problem: _Problem) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(word, str) and pattern.fullmatch(word) for word in raw):
        problem(field, "must be a list of lowercase words (letters, digits, hyphens), e.g. [typo, lang-de]")
        return []
    return [str(word) for word in raw]
