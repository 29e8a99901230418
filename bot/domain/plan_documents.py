"""Plan documents in a file: every `terraform show -json` plan in the text, or what the text is instead."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Final

from bot.errors import UserError

__all__ = ["PlanFormatError", "load_plan_documents"]

_HINT: Final = (
    "save the plan and convert it with Terraform itself: "
    "`terraform plan -out=PLANFILE` then `terraform show -json PLANFILE > plan.json`"
)
# Keys only a plan has: a state (`terraform show -json` without a plan file) has "values" instead.
_PLAN_KEYS: Final = frozenset(
    {"planned_values", "resource_changes", "resource_drift", "output_changes", "applyable", "errored"}
)
_DECODER: Final = json.JSONDecoder()


class PlanFormatError(UserError):
    """The input is not the JSON of a Terraform plan; the message says what it is instead."""

    def __init__(self, message: str) -> None:
        super().__init__("plan-format", message, _HINT)


def load_plan_documents(text: str) -> list[dict[str, Any]]:
    """Every plan document in text, in order; tolerates concatenated plans and CI wrapper noise around them.

    Accepted: one plan; several plans one after another (`terragrunt show --all -json`); a plan between the
    `[command]...` line and the `%0A` / `::set-output` lines that hashicorp/setup-terraform's wrapper adds.
    Raises PlanFormatError, saying what the text is instead, when it holds no plan.
    """
    plans: list[dict[str, Any]] = []
    first_other: object = None
    for document in _json_documents(text):
        if isinstance(document, dict) and _PLAN_KEYS.intersection(document):
            plans.append(document)
        elif first_other is None:
            first_other = document
    if not plans:
        raise PlanFormatError(_describe_non_plan(text, first_other))
    return plans


def _json_documents(text: str) -> Iterator[object]:
    # A document starts with "{" at the start of the text, of a line, or right after the previous document.
    # Trying only there keeps a broken 10 MB plan linear: inner objects of pretty-printed JSON are indented.
    text = text.removeprefix("\ufeff")
    pos, size = 0, len(text)
    while pos < size:
        start = _skip_space(text, pos)
        if start >= size:
            return
        if text[start] != "{":
            newline = text.find("\n{", start)
            if newline < 0:
                return
            start = newline + 1
        try:
            document, pos = _DECODER.raw_decode(text, start)
        except json.JSONDecodeError:
            pos = start + 1
            continue
        yield document


def _skip_space(text: str, pos: int) -> int:
    size = len(text)
    while pos < size and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _describe_non_plan(text: str, first: object) -> str:
    stripped = text.strip()
    if not stripped:
        return "the plan file is empty"
    if isinstance(first, dict):
        if "@message" in first or "@level" in first:
            return (
                "this is the streaming log of `terraform plan -json`, not a plan document "
                "(its lines carry @level/@message)"
            )
        if "values" in first and "format_version" in first:
            return "this is a Terraform state (`terraform show -json` without a plan file), not a plan"
        keys = ", ".join(sorted(str(k) for k in first)[:6]) or "none"
        return f"found a JSON object that is not a Terraform plan (its keys: {keys})"
    if "Terraform will perform" in stripped or "No changes." in stripped or "Plan:" in stripped:
        return "this is the human-readable output of `terraform plan`, not its JSON"
    if stripped.startswith("{"):
        return "the plan JSON is incomplete or malformed (cut short, or edited by hand?)"
    if stripped.startswith("["):
        try:
            _DECODER.raw_decode(stripped)
        except json.JSONDecodeError:
            return "the file starts like a JSON array but is not valid JSON"
        return "found a JSON array, not a Terraform plan object"
    return f"no JSON plan found; the file starts with {stripped[:40]!r}"
