"""What a policy set is given: the plan without what no module of the set can read, and `data.olympus`."""

from __future__ import annotations

import json

import pytest

from bot.domain.models import Project
from bot.domain.policies.evaluation import PolicyModule
from bot.domain.policies.inputs import env_of, olympus_data, policy_input

PLAN = {"format_version": "1.2", "resource_changes": [], "planned_values": {"a": 1}, "prior_state": {"b": 2}}


def given(text: str) -> set[str]:
    return set(json.loads(policy_input(PLAN, [PolicyModule("p.rego", text)])))


def test_the_repeated_halves_are_left_out_unless_a_module_names_them() -> None:
    assert given("deny contains 1 if { input.resource_changes[_] }") == {"format_version", "resource_changes"}
    assert "planned_values" in given("deny contains 1 if { input.planned_values.root_module }")
    assert "prior_state" in given('x := object.get(input, "prior_state", {})')


@pytest.mark.parametrize(
    "text",
    ["walk(input, [p, v])", "x := input[k]", "object.get(input, key, {})", "object.keys(input)", "json.marshal(input)"],
)
def test_a_module_that_reads_the_input_as_a_whole_gets_all_of_it(text: str) -> None:
    assert given(text) == set(PLAN)


def test_literal_keys_do_not_count_as_reading_the_whole_input() -> None:
    assert given('walk(object.get(input, "configuration", {}), [p, v])\nx := input["resource_changes"]') == {
        "format_version",
        "resource_changes",
    }


def test_the_input_is_compact_json() -> None:
    assert " " not in policy_input({"a": [1, 2], "b": {"c": 3}}, [])


def test_data_olympus_and_the_env_of_a_project() -> None:
    project = Project("aws-prod", "infra/aws/envs/prod")
    assert env_of(project) == "prod" and env_of(Project("x", "terraform/live")) == ""
    data = olympus_data(project, "prod", {"required_tags": ["team"]}, ["aws_s3_bucket.b", "aws_s3_bucket.a"])
    assert data["olympus"]["project"] == {
        "name": "aws-prod",
        "dir": "infra/aws/envs/prod",
        "workspace": "default",
        "env": "prod",
    }
    assert data["olympus"]["protected"] == ["aws_s3_bucket.a", "aws_s3_bucket.b"]
    assert data["olympus"]["parameters"] == {"required_tags": ["team"]}
