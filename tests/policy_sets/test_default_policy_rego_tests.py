"""The default policy set's own Rego tests pass, one pytest case per `test_` rule; every rule file has tests and a
rationale in policies/README.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.domain.policies.default_set import default_modules, default_test_modules

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "policies" / "README.md"
HELPERS = {"common.rego"}  # shared helpers, not a rule of their own
_TEST_RULE = re.compile(r"^(test_[A-Za-z0-9_]+)\s+if\b", re.MULTILINE)


def _test_rules() -> list[str]:
    return sorted({name for module in default_test_modules() for name in _TEST_RULE.findall(module.text)})


def _rule_files() -> list[str]:
    return [Path(m.path).name for m in default_modules() if Path(m.path).name not in HELPERS]


@pytest.fixture(scope="module")
def results() -> dict[str, object]:
    """data.main with every module and test loaded, over an empty input (each test supplies its own): read whole with
    regopy here, since the engine reads back only deny/violation/warn rules."""
    from regopy import Interpreter

    rego = Interpreter()
    for module in (*default_modules(), *default_test_modules()):
        rego.add_module(module.path, module.text)
    rego.set_input_term("{}")
    answer = json.loads(str(rego.query("data.main")))
    return dict(answer["expressions"][0])


def test_the_test_rules_are_found() -> None:
    assert len(_test_rules()) >= 50
    assert len(_test_rules()) == sum(len(_TEST_RULE.findall(m.text)) for m in default_test_modules()), "a name twice"


@pytest.mark.parametrize("rule", _test_rules())
def test_rego_test_passes(rule: str, results: dict[str, object]) -> None:
    # A failing Rego test is undefined (absent), not false.
    assert results.get(rule) is True, f"{rule} failed"


@pytest.mark.parametrize("name", _rule_files())
def test_every_rule_file_has_a_test_file_with_positive_and_negative_cases(name: str) -> None:
    tests = {Path(m.path).name: m.text for m in default_test_modules()}
    text = tests.get(name.replace(".rego", "_test.rego"), "")
    rules = _TEST_RULE.findall(text)
    assert rules, f"{name} has no test file with test_ rules"
    assert any(r.endswith(("_denied", "_warns")) for r in rules), f"{name}'s tests never see it fire"
    assert any(r.endswith(("_passes", "_pass", "_nothing", "_reported", "_count")) for r in rules), (
        f"{name}'s tests never see it stay quiet"
    )


@pytest.mark.parametrize("name", _rule_files())
def test_every_rule_file_has_a_rationale_in_the_readme(name: str) -> None:
    rule = name.removesuffix(".rego")
    headings = re.findall(r"^### `([a-z_]+)`", README.read_text(), re.MULTILINE)
    assert rule in headings, f"policies/README.md has no ### `{rule}` section"
    section = README.read_text().split(f"### `{rule}`", 1)[1].split("\n### ", 1)[0]
    assert len(section.split()) >= 60, f"the rationale of {rule} is too short"


def test_every_rego_file_is_rule_helper_or_test() -> None:
    paths = [m.path for m in (*default_modules(), *default_test_modules())]
    assert all(p.startswith("policies/olympus/") and p.endswith(".rego") for p in paths)
    assert len(default_test_modules()) == len(default_modules())
