"""The secrets of a project known before Terraform runs, and of a saved plan: what its output is redacted with."""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Mapping
from pathlib import Path

from bot.changes.hcl_reader import NOT_LITERAL, HclSyntaxError, literal_value, parse, top_level_attributes
from bot.domain.plan_documents import PlanFormatError, load_plan_documents
from bot.domain.sensitive import NO_SECRETS, SensitiveValues

# The files Terraform reads variable values from by itself, in the root module's directory.
# https://developer.hashicorp.com/terraform/language/values/variables#variable-definitions-tfvars-files
_VAR_FILES = ("terraform.tfvars", "terraform.tfvars.json", "*.auto.tfvars", "*.auto.tfvars.json")


def configured_secrets(workdir: Path, env: Mapping[str, str] | None = None) -> SensitiveValues:
    """The values of the root module's `sensitive = true` variables that are known before any plan exists.

    A failed init or plan has no plan JSON to say what is sensitive, and Terraform's own output (a plan's
    progress, an error) can quote a value it lost the mark of. The values come from the variables' defaults, the
    tfvars files Terraform loads by itself, and TF_VAR_ variables of Terraform's environment (`env` over ours).
    """
    declared = _sensitive_variables(workdir)
    if not declared:
        return NO_SECRETS
    values: list[object] = list(declared.values())
    for pattern in _VAR_FILES:
        for path in sorted(workdir.glob(pattern)):
            given = _var_file_values(path)
            values += [given[name] for name in declared if name in given]
    environment = {**os.environ, **(env or {})}
    for name in declared:
        raw = environment.get(f"TF_VAR_{name}")
        if raw:
            parsed = literal_value(raw)  # a list or map variable is set as HCL: its items are the secrets
            values += [raw] if parsed is NOT_LITERAL else [raw, parsed]
    return SensitiveValues.of(*values)


def saved_plan_secrets(plan_json: Path) -> SensitiveValues:
    """Every value a saved plan's JSON marks sensitive; none when the file is gone or unreadable."""
    try:
        return SensitiveValues.from_plan(load_plan_documents(plan_json.read_text())[0])
    except (OSError, PlanFormatError):
        return NO_SECRETS


def _sensitive_variables(workdir: Path) -> dict[str, object]:
    """name → default (None without one) of each variable the root module declares sensitive."""
    declared: dict[str, object] = {}
    for path in sorted(workdir.glob("*.tf")):
        try:
            blocks = parse(path.read_text(errors="replace"))
        except (OSError, HclSyntaxError):
            continue  # Terraform refuses the file too, and says where; nothing of it is known here
        for block in blocks:
            sensitive = block.attributes.get("sensitive")
            if block.type != "variable" or not block.labels or sensitive is None or sensitive.value is not True:
                continue
            default = block.attributes.get("default")
            declared[block.labels[0]] = default.value if default is not None and default.is_literal else None
    return declared


def _var_file_values(path: Path) -> Mapping[str, object]:
    try:
        text = path.read_text(errors="replace")
        if path.suffix == ".json":
            loaded = json.loads(text)
            return loaded if isinstance(loaded, dict) else {}
        attributes = top_level_attributes(text)
    except (OSError, ValueError, HclSyntaxError):
        return {}
    values: dict[str, object] = {}
    for name, attribute in attributes.items():
        if attribute.is_literal:
            values[name] = attribute.value
        elif attribute.expr.startswith("<<"):
            values[name] = _heredoc(attribute.expr)
    return values


def _heredoc(expr: str) -> str:
    """The text of a `<<EOT` (or indented `<<-EOT`) heredoc, as Terraform reads it."""
    lines = expr.split("\n")[1:-1]
    text = "".join(line + "\n" for line in lines)
    return textwrap.dedent(text) if expr.startswith("<<-") else text
