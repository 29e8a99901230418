"""RegoEngine with the real regopy: answers, and every way a policy can fail said loudly, within its time limit."""

from __future__ import annotations

import json

import pytest

from bot.adapters.rego import RegoEngine
from bot.domain.policies.evaluation import EvaluationRequest, EvaluationResult, PolicyModule

PLAN = json.dumps({"resource_changes": [{"address": 'aws_s3_bucket.b["a"]', "type": "aws_s3_bucket"}]})


def evaluate(text: str, *, timeout: float = 20, data: dict[str, object] | None = None) -> EvaluationResult:
    request = EvaluationRequest((PolicyModule("policy/p.rego", text),), PLAN, ("main",), data or {})
    return RegoEngine().evaluate(request, timeout=timeout)


def test_rules_and_data_in_rego_v1() -> None:
    result = evaluate(
        "package main\n"
        'deny contains {"msg": sprintf("%s is a bucket", [rc.address]), "address": rc.address} if {\n'
        "  some rc in input.resource_changes\n"
        "  rc.type == data.olympus.kind\n"
        "}\n"
        'warn contains "always" if { true }\n',
        data={"olympus": {"kind": "aws_s3_bucket"}},
    )
    assert result.error == ""
    assert result.documents["main"]["deny"] == [
        {"msg": 'aws_s3_bucket.b["a"] is a bucket', "address": 'aws_s3_bucket.b["a"]'}
    ]
    assert result.documents["main"]["warn"] == ["always"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("package main\n\ndeny contains msg if { msg := ", "policy/p.rego:3:"),
        ("package main\ndeny contains msg if { msg := no_such_function(1) }", "no_such_function"),
        ('package main\nx := 1\nx := 2\ndeny contains "x" if { x == 1 }\n', "could not be evaluated"),
        ('package main\ndeny contains msg if { x := 1 / 0; msg := sprintf("%d", [x]) }', "could not be evaluated"),
        ("package other\ndeny contains 1 if { true }", "no module declares package main"),
    ],
    ids=["syntax", "undefined function", "conflict", "division by zero", "missing package"],
)
def test_a_policy_that_cannot_be_evaluated_says_why(text: str, said: str) -> None:
    result = evaluate(text)
    assert result.documents == {} and said in result.error, result.error


def test_a_policy_past_its_time_limit_is_stopped_and_said() -> None:
    slow = 'package main\ndeny contains "x" if { some i in numbers.range(1, 200000000); i < 0 }'
    result = evaluate(slow, timeout=1)
    assert "did not finish within the time limit of 1 s" in result.error


def test_a_set_with_no_modules_is_an_error() -> None:
    result = RegoEngine().evaluate(EvaluationRequest((), PLAN), timeout=5)
    assert "no .rego files" in result.error


def test_only_the_policy_rules_are_read_back_not_the_helpers_they_use() -> None:
    result = evaluate(
        "package main\n"
        "changes := input.resource_changes\n"
        "deny contains rc.address if { some rc in changes }\n"
        "warn_nothing contains 1 if { false }\n"
    )
    assert result.documents == {"main": {"deny": ['aws_s3_bucket.b["a"]'], "warn_nothing": []}}
