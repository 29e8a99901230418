"""The answer module: the deny/violation/warn rules of one package, each [] when undefined."""

from __future__ import annotations

from bot.domain.policies.answer import answer_module, policy_rules
from bot.domain.policies.evaluation import PolicyModule

MAIN = PolicyModule(
    "a.rego",
    "package main\n"
    "import rego.v1\n"
    "deny contains msg if { msg := 1 }\n"
    "deny_public[msg] { msg := 2 }\n"
    "violation := 3 if { true }\n"
    "warn_x = 4\n"
    "warning_helper := 5\n"
    "denial(x) := x\n"
    "  deny_indented contains 1 if { true }\n",
)
OTHER = PolicyModule("b.rego", "package security\ndeny contains 1 if { true }\nwarn contains 2 if { true }\n")


def test_the_rules_conftest_reads_from_the_packages_own_modules() -> None:
    assert policy_rules([MAIN, OTHER], "main") == ["deny", "deny_indented", "deny_public", "violation", "warn_x"]
    assert policy_rules([MAIN, OTHER], "security") == ["deny", "warn"]
    assert policy_rules([MAIN], "nothing") == []


def test_the_module_reads_each_rule_or_an_empty_list() -> None:
    module = answer_module("security", ["deny", "warn"], 1)
    assert "package olympus_answer1" in module.text
    assert "deny := value if { value := data.security.deny } else := []" in module.text
