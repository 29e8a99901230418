"""The cases file of a plain-language evaluation: what a valid one holds, how each mistake is named, and the
development set itself (canonical commands, every category it promises, a recording per case)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import anthropic
import pytest
import yaml

from bot.domain.commands import Create, Destroy, parse, render_command
from bot.domain.eval_cases import CaseProblem, EvalCase, Expectation, cases_from

ROOT = Path(__file__).resolve().parents[2]
DEV_SET = ROOT / "evals" / "nl-dev.yaml"
RECORDINGS = ROOT / "tests" / "cassettes" / "claude-eval"
BUCKET = "/infra create bucket logs cloud=aws region=us-east-1 env=dev versioning=on"


def dev_set() -> list[EvalCase]:
    cases = cases_from(yaml.safe_load(DEV_SET.read_text(encoding="utf-8")))
    assert all(isinstance(case, EvalCase) for case in cases), [str(p) for p in cases]
    return [case for case in cases if isinstance(case, EvalCase)]


def problems(document: Any) -> list[str]:
    read = cases_from(document)
    assert read and all(isinstance(problem, CaseProblem) for problem in read)
    return [str(problem) for problem in read]


def test_a_case_is_a_request_and_one_expectation() -> None:
    read = cases_from(
        [
            {"id": "logs", "request": "a bucket for logs", "expect": {"commands": [BUCKET]}, "tags": ["lang-en"]},
            {"id": "vague", "request": "make me one", "expect": {"ask": True}},
            {"id": "apply", "request": "apply it now", "expect": {"decline": True}, "note": "never on request"},
            {
                "id": "gone",
                "request": "remove the logs bucket",
                "given": [BUCKET],
                "expect": {"commands": ["/infra destroy bucket logs cloud=aws env=dev"]},
            },
        ]
    )
    assert read == [
        EvalCase("logs", "a bucket for logs", Expectation("commands", (BUCKET,)), ("lang-en",)),
        EvalCase("vague", "make me one", Expectation("ask")),
        EvalCase("apply", "apply it now", Expectation("decline"), note="never on request"),
        EvalCase(
            "gone",
            "remove the logs bucket",
            Expectation("commands", ("/infra destroy bucket logs cloud=aws env=dev",)),
            given=(BUCKET,),
        ),
    ]


@pytest.mark.parametrize(
    ("case", "said"),
    [
        (
            {"id": "short", "request": "logs bucket", "expect": {"commands": ["/infra create bucket logs"]}},
            "case `short` (item 1), expect.commands[0]: `/infra create bucket logs` is not canonical; the grammar "
            f"writes it `{BUCKET}`",
        ),
        (
            {"id": "typo", "request": "x", "expect": {"commands": ["/infra creat bucket logs"]}},
            "case `typo` (item 1), expect.commands[0]: `/infra creat bucket logs` is not an /infra create or destroy",
        ),
        (
            {"id": "plan", "request": "x", "expect": {"commands": ["/infra plan"]}},
            "case `plan` (item 1), expect.commands[0]: `/infra plan` is not an /infra create or destroy",
        ),
        (
            {"id": "two", "request": "x", "expect": {"ask": True, "decline": True}},
            "case `two` (item 1), expect: must be exactly one of",
        ),
        ({"id": "none", "request": "x"}, "case `none` (item 1), expect: must be exactly one of"),
        (
            {"id": "false", "request": "x", "expect": {"ask": False}},
            "case `false` (item 1), expect.ask: must be true",
        ),
        (
            {"id": "empty", "request": "x", "expect": {"commands": []}},
            "case `empty` (item 1), expect.commands: must be a non-empty list",
        ),
        (
            {"id": "typed", "request": "/infra plan", "expect": {"ask": True}},
            "case `typed` (item 1), request: is an /infra command",
        ),
        ({"id": "blank", "request": "  ", "expect": {"ask": True}}, "case `blank` (item 1), request: missing"),
        (
            {"id": "extra", "request": "x", "expect": {"ask": True}, "expects": {"ask": True}},
            "case `extra` (item 1), expects: not a field of a case",
        ),
        (
            {"id": "Bad Id", "request": "x", "expect": {"ask": True}},
            "case item 1, id: missing, or not lowercase letters",
        ),
        (
            {"id": "tags", "request": "x", "expect": {"ask": True}, "tags": "typo"},
            "case `tags` (item 1), tags: must be a list of lowercase words",
        ),
        (
            {
                "id": "given",
                "request": "x",
                "expect": {"ask": True},
                "given": ["/infra destroy bucket logs cloud=aws env=dev"],
            },
            "case `given` (item 1), given[0]: must be a create command",
        ),
        ("just text", "case item 1: a case is a mapping with id, request and expect"),
    ],
)
def test_each_mistake_names_its_case_and_field(case: Any, said: str) -> None:
    (found,) = problems([case])
    assert found.startswith(said), found


def test_every_mistake_of_a_file_is_named_and_ids_are_unique() -> None:
    found = problems(
        [
            {"id": "a", "request": "x", "expect": {"ask": True}},
            {"id": "a", "request": "y", "expect": {"decline": True}},
            {"id": "b", "request": "z"},
        ]
    )
    assert found == [
        "case `a` (item 2), id: another case has this id",
        "case `b` (item 3), expect: must be exactly one of `commands: [...]`, `ask: true` or `decline: true`",
    ]


@pytest.mark.parametrize("document", [None, [], {"cases": []}, "text"])
def test_a_file_that_is_not_a_list_of_cases_says_so(document: Any) -> None:
    assert problems(document) == ["case file: a cases file is a non-empty YAML list of cases (- id: ..., request: ...)"]


def test_every_command_of_the_development_set_parses_and_renders_back_to_itself() -> None:
    commands = [command for case in dev_set() for command in (*case.expect.commands, *case.given)]
    assert len(commands) > 80
    for command in commands:
        parsed = parse(command)
        assert isinstance(parsed, Create | Destroy), command
        assert render_command(parsed) == command


def test_the_development_set_covers_what_it_promises() -> None:
    cases = dev_set()
    assert len(cases) >= 80
    tags = Counter(tag for case in cases for tag in case.tags)
    for language in ("lang-en", "lang-de", "lang-fr", "lang-es", "lang-ja"):
        assert tags[language] >= 5, language
    for category in ("typo", "multi", "destroy", "ambiguity", "unsafe", "injection", "code-block", "html-comment"):
        assert tags[category] >= 2, category
    kinds = Counter(case.expect.kind for case in cases)
    assert kinds["commands"] >= 40 and kinds["ask"] >= 10 and kinds["decline"] >= 10
    # Updates do not exist yet (/infra help has create and destroy only): no case expects one.
    assert not [case.id for case in cases if "update" in case.tags]
    hidden = [case for case in cases if "invisible" in case.tags]
    assert hidden and all(any(not char.isprintable() for char in case.request) for case in hidden)


def test_each_destroy_the_development_set_expects_is_of_a_resource_its_repository_manages() -> None:
    for case in dev_set():
        managed = set()
        for command in case.given:
            created = parse(command)
            assert isinstance(created, Create)
            managed.add((created.request.cloud, created.request.kind, created.request.name, created.request.env))
        for command in case.expect.commands:
            parsed = parse(command)
            if isinstance(parsed, Destroy):
                request = parsed.request
                assert (request.cloud, request.kind, request.name, request.env) in managed, (case.id, command)


def test_every_case_of_the_development_set_has_a_recording_the_sdk_accepts() -> None:
    cases = {case.id for case in dev_set()}
    recorded = {path.stem for path in RECORDINGS.glob("*.yaml")}
    assert recorded == cases
    for case in sorted(cases):
        text = (RECORDINGS / f"{case}.yaml").read_text(encoding="utf-8")
        assert text.startswith(("# constructed:", "# recorded:")), case
        for interaction in yaml.safe_load(text)["interactions"]:
            body = interaction["response"]["body"]["string"]
            anthropic.types.Message.model_validate_json(body)
