"""What a policy set is given: the plan as its input (trimmed where no rule can tell) and `data.olympus`."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from bot.domain.models import Project
from bot.domain.policies.evaluation import PolicyModule

# planned_values and prior_state repeat resource_changes' after and before: half a plan's size, and rego-cpp
# builds its tree at a few microseconds a node. They are left out unless a module names them, or reads the input
# as a whole (walk(input), input[key] with a computed key), where leaving them out could change an answer.
_REPEATED: Final = ("planned_values", "prior_state")
# A key that is not a string literal: input[k], object.get(input, k, ...), or the input itself walked or listed.
_WHOLE_INPUT: Final = re.compile(
    r"\bwalk\s*\(\s*input\s*[,)]|\binput\s*\[\s*[^\"\s]|\bobject\.get\s*\(\s*input\s*,\s*[^\"\s]"
    r"|\bobject\.keys\s*\(\s*input\s*\)|\bjson\.marshal\s*\(\s*input\s*\)"
)
# Terraform writes its JSON without spaces; so does Olympus (rego-cpp reads every byte of it).
_COMPACT: Final = (",", ":")


def policy_input(plan: Mapping[str, Any], modules: Sequence[PolicyModule]) -> str:
    """The plan's JSON as the policies' input, without the parts no module of the set can read."""
    texts = [m.text for m in modules]
    if any(_WHOLE_INPUT.search(text) for text in texts):
        return json.dumps(plan, separators=_COMPACT)
    dropped = [key for key in _REPEATED if key in plan and not any(key in text for text in texts)]
    kept = {key: value for key, value in plan.items() if key not in dropped}
    return json.dumps(kept, separators=_COMPACT)


def olympus_data(project: Project, env: str, parameters: Mapping[str, Any], protected: Sequence[str]) -> dict[str, Any]:
    """`data.olympus`: the set's parameters, the project judged, and the addresses the base protects."""
    return {
        "olympus": {
            "parameters": dict(parameters),
            "project": {"name": project.name, "dir": project.dir, "workspace": project.workspace, "env": env},
            "protected": sorted(protected),
        }
    }


def env_of(project: Project) -> str:
    """The environment a project's directory names in Olympus's layout (`infra/<cloud>/envs/<env>`), else ""."""
    parts = project.dir.split("/")
    if "envs" in parts[:-1]:
        return parts[parts.index("envs") + 1]
    return ""
