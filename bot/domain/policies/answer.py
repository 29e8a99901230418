"""The module Olympus adds to a set to read only its deny/violation/warn rules, each [] when it is undefined.

Querying a whole package (`data.main`) hands back every rule of it, helpers included: a helper that holds the
plan's resource changes is the whole plan again, serialized by rego-cpp and parsed back for nothing (seconds on a
10,000-resource plan). The answer module names just the rules conftest reads, so the rest is computed only as far
as those need it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from bot.domain.policies.evaluation import PolicyModule, rule_kind

ANSWER_PACKAGE: Final = "olympus_answer"
_PACKAGE: Final = re.compile(r"^\s*package\s+([A-Za-z_][A-Za-z0-9_.]*)", re.MULTILINE)
# A rule's head at the start of a line: `deny contains msg if`, `warn_x[msg] {`, `violation := ...`, `deny if`. A local
# variable of that name inside a body is read too, and harmlessly: no such rule, so its answer is [].
_RULE_HEAD: Final = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:contains\b|\[|:=|=(?!=)|if\b|\{)", re.MULTILINE)


def policy_rules(modules: Sequence[PolicyModule], namespace: str) -> list[str]:
    """The deny/violation/warn rules the modules of package `namespace` define, sorted."""
    names: set[str] = set()
    for module in modules:
        declared = _PACKAGE.search(module.text)
        if declared is None or declared.group(1) != namespace:
            continue
        names.update(name for name in _RULE_HEAD.findall(module.text) if rule_kind(name) is not None)
    return sorted(names)


def answer_module(namespace: str, rules: Sequence[str], index: int = 0) -> PolicyModule:
    """`package olympus_answer<index>` with one rule per policy rule: its value, or [] when it has none."""
    lines = [f"package {ANSWER_PACKAGE}{index}", "", "import rego.v1", ""]
    lines += [f"{rule} := value if {{ value := data.{namespace}.{rule} }} else := []" for rule in rules]
    return PolicyModule(f"(olympus)/{ANSWER_PACKAGE}{index}.rego", "\n".join(lines) + "\n")
