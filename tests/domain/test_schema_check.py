"""satisfies() answers as jsonschema does for the schemas Olympus ships, on valid, broken and random documents."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from bot.domain.repo_config import REPO_CONFIG_SCHEMA
from bot.domain.schema_check import KNOWN_KEYWORDS, UnknownKeyword, satisfies

_JSONSCHEMA = Draft202012Validator(REPO_CONFIG_SCHEMA)


def _keywords(schema: object) -> set[str]:
    """Every keyword used anywhere in schema (property names and $defs names are not keywords)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            found.add(key)
            children = value.values() if key in ("properties", "$defs", "dependentSchemas") else [value]
            for child in children:
                found |= _keywords(child)
    elif isinstance(schema, list):
        for item in schema:
            found |= _keywords(item)
    return found


def test_every_keyword_of_the_config_schema_is_one_satisfies_evaluates() -> None:
    assert _keywords(REPO_CONFIG_SCHEMA) <= KNOWN_KEYWORDS


def test_a_keyword_it_does_not_know_is_an_error_not_a_pass() -> None:
    with pytest.raises(UnknownKeyword):
        satisfies("x", {"format": "email"})
    with pytest.raises(UnknownKeyword):
        satisfies(1, {"$ref": "https://example.com/other.json"})


EXAMPLES: list[Any] = [
    {"version": 1},
    {"version": 1.0},
    {"version": True},
    {"version": "1"},
    {},
    [],
    None,
    {"version": 1, "projects": []},
    {"version": 1, "projects": [{"dir": "infra/aws/envs/dev"}]},
    {"version": 1, "projects": [{"dir": ""}]},
    {"version": 1, "projects": [{"dir": "a", "workspace": "w", "workspaces": ["x"]}]},
    {"version": 1, "projects": [{"dir": "a", "workspaces": ["x", "x"]}]},
    {"version": 1, "projects": [{"dir": "a", "workspaces": ["x", "y"], "when_modified": ["*.tf"]}]},
    {"version": 1, "projects": [{"dir": "a", "name": "-bad"}]},
    {"version": 1, "projects": [{"dir": "a", "terraform_version": "1.11.4"}]},
    {"version": 1, "projects": [{"dir": "a", "terraform_version": "1.11"}]},
    {"version": 1, "projects": [{"dir": "a", "extra": 1}]},
    {"version": 1, "apply_requirements": ["approved", "mergeable"]},
    {"version": 1, "apply_requirements": ["approved", "approved"]},
    {"version": 1, "apply_requirements": ["aproved"]},
    {"version": 1, "allow_commands": ["import", "state_rm"]},
    {"version": 1, "parallel_plan": 0},
    {"version": 1, "parallel_plan": 2},
    {"version": 1, "parallel_plan": 2.0},
    {"version": 1, "parallel_plan": True},
    {"version": 1, "parallel_plan": "2"},
    {"version": 1, "backend": {"type": "s3", "bucket": "b", "region": "eu-west-1"}},
    {"version": 1, "backend": {"type": "s3"}},
    {"version": 1, "backend": {"type": "gcs", "bucket": "b"}},
    {"version": 1, "backend": {"type": "sandbox"}},
    {"version": 1, "backend": {"type": "azurerm"}},
    {"version": 1, "unknown": 1},
]


@pytest.mark.parametrize("document", EXAMPLES, ids=range(len(EXAMPLES)))
def test_the_answer_is_jsonschemas_on_hand_written_documents(document: Any) -> None:
    assert satisfies(document, REPO_CONFIG_SCHEMA) == _JSONSCHEMA.is_valid(document)


_KEYS = [
    "version",
    "projects",
    "backend",
    "apply_requirements",
    "allow_commands",
    "parallel_plan",
    "dir",
    "name",
    "workspace",
    "workspaces",
    "when_modified",
    "terraform_version",
    "type",
    "bucket",
    "region",
    "prefix",
    "key_prefix",
    "dynamodb_table",
    "other",
]
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 5),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            "",
            "a",
            "infra/aws/envs/dev",
            "1.11.4",
            "-x",
            "approved",
            "import",
            "s3",
            "gcs",
            "sandbox",
            "eu-west-1",
            "default",
            "*.tf",
            "1",
        ]
    ),
    st.text(max_size=8),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=600, deadline=None)
@given(st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=6), st.booleans())
def test_the_answer_is_jsonschemas_on_random_documents(document: dict[str, Any], versioned: bool) -> None:
    if versioned:
        document = {**document, "version": 1}
    assert satisfies(document, REPO_CONFIG_SCHEMA) == _JSONSCHEMA.is_valid(document)


_PROJECT = st.fixed_dictionaries(
    {"dir": st.sampled_from(["infra/aws/envs/dev", "a", ""])},
    optional={
        "name": st.sampled_from(["dev", "-dev", "a/b"]),
        "workspace": st.sampled_from(["default", "x y"]),
        "workspaces": st.lists(st.sampled_from(["default", "staging", "bad name"]), max_size=3),
        "when_modified": st.lists(st.sampled_from(["*.tf", ""]), max_size=2),
        "terraform_version": st.sampled_from(["1.11.4", "1.11", "1.11.4-rc1"]),
    },
)
_BACKEND = st.fixed_dictionaries(
    {"type": st.sampled_from(["s3", "gcs", "sandbox", "local"])},
    optional={
        "bucket": st.sampled_from(["state-bucket", "B"]),
        "region": st.sampled_from(["eu-west-1", "mars"]),
        "dynamodb_table": st.sampled_from(["locks", "x"]),
        "key_prefix": st.sampled_from(["olympus/", "/abs"]),
        "prefix": st.sampled_from(["olympus", ""]),
    },
)
_NEAR_VALID = st.fixed_dictionaries(
    {"version": st.sampled_from([1, 1, 1, 2])},
    optional={
        "projects": st.lists(_PROJECT, max_size=3),
        "backend": _BACKEND,
        "apply_requirements": st.lists(st.sampled_from(["approved", "mergeable", "undiverged"]), max_size=3),
        "allow_commands": st.lists(st.sampled_from(["import", "state_rm", "apply"]), max_size=2),
        "parallel_plan": st.sampled_from([1, 4, 0, 2.0, True]),
    },
)


@settings(max_examples=600, deadline=None)
@given(_NEAR_VALID)
def test_the_answer_is_jsonschemas_on_documents_close_to_valid(document: dict[str, Any]) -> None:
    assert satisfies(document, REPO_CONFIG_SCHEMA) == _JSONSCHEMA.is_valid(document)
