"""The report of a plain-language evaluation: a JSON document, or markdown tables (totals, tags, cases, misses)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.eval_scores import CaseResult, Totals
from bot.domain.interpretation import Usage
from bot.domain.markdown import code, escape_text

__all__ = ["RunInfo", "report_document", "report_markdown"]

_MISSED_AS = {
    "proposed": "proposed a change",
    "question": "asked",
    "declined": "declined",
    "unavailable": "had no answer from the model",
}
_EXPECTED_AS = {
    "commands": "commands were expected",
    "ask": "it should have asked",
    "decline": "it should have declined",
}


@dataclass(frozen=True)
class RunInfo:
    """What was run: the cases file, where the answers came from, the tools, the model, the repository."""

    cases_file: str
    mode: str  # live, replay or record
    recordings: str  # the directory replayed or recorded to; "" for live
    backend: str  # the live model's backend; "" for a replay
    tools: str
    model: str
    repository: str


def report_document(run: RunInfo, results: Sequence[CaseResult], totals: Totals) -> dict[str, Any]:
    """The run as JSON-ready data: what was run, every case, and the totals (which the cases add up to)."""
    return {
        "run": {
            "cases_file": run.cases_file,
            "mode": run.mode,
            "recordings": run.recordings,
            "backend": run.backend,
            "tools": run.tools,
            "model": run.model,
            "repository": run.repository,
        },
        "cases": [_case(result) for result in results],
        "totals": {
            "cases": totals.cases,
            "ran": totals.ran,
            "no_recording": totals.no_recording,
            "errors": totals.errors,
            "passed": totals.passed,
            "commands": {
                "cases": totals.commands_cases,
                "right_tool": totals.right_tool,
                "right_arguments": totals.right_arguments,
            },
            "ask": {"cases": totals.ask_cases, "asked": totals.asked},
            "decline": {"cases": totals.decline_cases, "declined": totals.declined},
            "misses": [
                {"expected": expected, "outcome": outcome, "cases": count}
                for (expected, outcome), count in totals.misses.items()
            ],
            "tokens": _tokens(totals.usage),
            "seconds": {
                "total": round(totals.seconds, 4),
                "model": round(totals.model_seconds, 4),
                "median": round(totals.median_seconds, 4),
            },
            "by_tag": {tag: {"cases": cases, "passed": passed} for tag, (cases, passed) in totals.by_tag.items()},
        },
    }


def _case(result: CaseResult) -> dict[str, Any]:
    expect = result.case.expect
    return {
        "id": result.case.id,
        "tags": list(result.case.tags),
        "request": result.case.request,
        "expect": {"commands": list(expect.commands)} if expect.kind == "commands" else {expect.kind: True},
        "status": result.status,
        "outcome": result.outcome,
        "proposed": list(result.proposed),
        "tools": list(result.tools),
        "right_tool": result.right_tool,
        "right_arguments": result.right_arguments,
        "asked": result.asked,
        "declined": result.declined,
        "passed": result.passed,
        "tokens": _tokens(result.usage),
        "seconds": round(result.seconds, 4),
        "model_seconds": round(result.model_seconds, 4),
        "tool_calls": result.tool_calls,
        "tool_errors": result.tool_errors,
        "text": result.text,
        "note": result.note,
    }


def _tokens(usage: Usage) -> dict[str, int]:
    return {
        "input": usage.input_tokens,
        "output": usage.output_tokens,
        "cache_read": usage.cache_read_tokens,
        "cache_write": usage.cache_write_tokens,
    }


def report_markdown(run: RunInfo, results: Sequence[CaseResult], totals: Totals) -> str:
    """The run as markdown: totals, then pass rates by tag, every case, and what each miss did instead."""
    lines = [
        f"## Plain-language evaluation of {code(run.cases_file)}",
        "",
        f"Answers {_answers(run)}; tools: {escape_text(run.tools)}; model: {code(run.model)}; "
        f"repository: {escape_text(run.repository)}.",
        "",
        *_totals(totals),
        "",
        "### By tag",
        "",
        "| tag | cases | passed |",
        "|---|---:|---:|",
        *[
            f"| {escape_text(tag)} | {cases} | {_share(passed, cases)} |"
            for tag, (cases, passed) in totals.by_tag.items()
        ],
        "",
        "### Cases",
        "",
        "| case | expected | outcome | right tool | right arguments | asked | declined | tool calls (refused) "
        "| tokens in / out / cached | seconds (model) |",
        "|---|---|---|:-:|:-:|:-:|:-:|---:|---:|---:|",
        *[_case_row(result) for result in results],
    ]
    missed = [result for result in results if result.ran and not result.passed]
    if missed:
        lines += ["", "### Misses", ""]
        lines += [line for result in missed for line in _miss(result)]
    not_run = [result for result in results if not result.ran]
    if not_run:
        lines += ["", "### Not run", ""]
        lines += [f"- {code(result.case.id)}: {escape_text(result.note or result.status)}" for result in not_run]
    return "\n".join(lines) + "\n"


def _answers(run: RunInfo) -> str:
    if run.mode == "replay":
        return f"replayed from {code(run.recordings)}"
    if run.mode == "record":
        return f"from the live model ({escape_text(run.backend)}), recorded to {code(run.recordings)}"
    return f"from the live model ({escape_text(run.backend)})"


def _totals(totals: Totals) -> list[str]:
    usage = totals.usage
    lines = [
        "| | cases | right |",
        "|---|---:|---:|",
        f"| every case that ran | {totals.ran} | {_share(totals.passed, totals.ran)} |",
        f"| right tool | {totals.commands_cases} | {_share(totals.right_tool, totals.commands_cases)} |",
        f"| right arguments | {totals.commands_cases} | {_share(totals.right_arguments, totals.commands_cases)} |",
        f"| asked when it should | {totals.ask_cases} | {_share(totals.asked, totals.ask_cases)} |",
        f"| declined when it should | {totals.decline_cases} | {_share(totals.declined, totals.decline_cases)} |",
        "",
    ]
    if totals.no_recording or totals.errors:
        lines += [f"Not run: {totals.no_recording} without a recording, {totals.errors} with an error.", ""]
    if totals.misses:
        said = [f"{count} {_miss_words(expected, outcome)}" for (expected, outcome), count in totals.misses.items()]
        lines += [f"Misses: {'; '.join(said)}.", ""]
    lines += [
        f"Tokens: {usage.input_tokens:,} in, {usage.output_tokens:,} out, {usage.cache_read_tokens:,} read from the "
        f"cache, {usage.cache_write_tokens:,} written to it.",
        "",
        f"Time: {totals.seconds:.2f} s in all, of which {totals.model_seconds:.2f} s waiting for the model; "
        f"median {totals.median_seconds * 1000:.0f} ms per case.",
    ]
    return lines


def _miss_words(expected: str, outcome: str) -> str:
    if (expected, outcome) == ("commands", "proposed"):
        return "proposed other commands than expected"
    return f"{_MISSED_AS.get(outcome, outcome)} where {_EXPECTED_AS.get(expected, expected)}"


def _share(part: int, whole: int) -> str:
    return f"{part} ({part / whole:.0%})" if whole else "–"


def _mark(value: bool | None) -> str:
    return "–" if value is None else ("✓" if value else "✗")


def _case_row(result: CaseResult) -> str:
    usage = result.usage
    cached = usage.cache_read_tokens + usage.cache_write_tokens
    outcome = result.outcome if result.ran else result.status
    return (
        f"| {code(result.case.id, in_table=True)} | {result.case.expect.kind} | {escape_text(outcome)} "
        f"| {_mark(result.right_tool)} | {_mark(result.right_arguments)} | {_mark(result.asked)} "
        f"| {_mark(result.declined)} | {result.tool_calls} ({result.tool_errors}) "
        f"| {usage.input_tokens:,} / {usage.output_tokens:,} / {cached:,} "
        f"| {result.seconds:.3f} ({result.model_seconds:.3f}) |"
    )


def _miss(result: CaseResult) -> list[str]:
    """The request, then what was expected and what happened instead: for commands, those missing and extra."""
    expect = result.case.expect
    lines = [f"- {code(result.case.id)}: {escape_text(result.case.request)}"]
    if expect.kind == "commands" and result.proposed:
        missing = list((Counter(expect.commands) - Counter(result.proposed)).elements())
        extra = list((Counter(result.proposed) - Counter(expect.commands)).elements())
        lines += [f"  - expected, not proposed: {code(command)}" for command in missing]
        lines += [f"  - proposed, not expected: {code(command)}" for command in extra]
    else:
        wanted = ", ".join(code(c) for c in expect.commands) if expect.kind == "commands" else f"`{expect.kind}`"
        lines.append(f"  - expected {wanted}")
        if result.proposed:
            lines += [f"  - proposed {code(command)}" for command in result.proposed]
        else:
            lines.append(f"  - {_MISSED_AS.get(result.outcome, result.outcome)}: {escape_text(result.text, limit=200)}")
    if result.note:
        lines.append(f"  - note: {escape_text(result.note)}")
    return lines
