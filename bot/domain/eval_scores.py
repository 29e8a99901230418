"""How one case of a plain-language evaluation went, and the totals of a run: right tool, arguments, ask, decline.

A case expecting commands passes when the interpreter proposed exactly those commands (in any order): the
commands are canonical, so the same tool with the same arguments gives the same line. One expecting a question
passes when the model asked; one expecting a refusal when it declined. A case that did not run (no recording, or
an error before the model was asked) passes nothing and is counted apart.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from bot.domain.commands import Create, Destroy, parse, to_tool_call
from bot.domain.eval_cases import EvalCase
from bot.domain.interpretation import Interpretation, Usage

__all__ = ["CaseResult", "Totals", "expected_tools", "result_of", "totals_of"]

Status = Literal["ran", "no recording", "error"]


@dataclass(frozen=True)
class CaseResult:
    """What the interpreter made of one case's request, or why it did not run (`note`)."""

    case: EvalCase
    status: Status
    outcome: str = ""  # proposed, question, declined or unavailable; "" when it did not run
    proposed: tuple[str, ...] = ()  # the proposals' `/infra` commands, in order
    tools: tuple[str, ...] = ()  # the tool of each proposal
    text: str = ""  # the model's question, refusal or closing sentence
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0
    model_seconds: float = 0.0
    tool_calls: int = 0
    tool_errors: int = 0  # calls the tools refused (the model read the error and could correct itself)
    note: str = ""  # why it did not run, or what went wrong beside the outcome (a recording that did not fit)

    @property
    def ran(self) -> bool:
        return self.status == "ran"

    @property
    def right_tool(self) -> bool | None:
        """For a case expecting commands: the proposals used the expected tools, as many times each."""
        if self.case.expect.kind != "commands" or not self.ran:
            return None
        return self.outcome == "proposed" and Counter(self.tools) == Counter(expected_tools(self.case))

    @property
    def right_arguments(self) -> bool | None:
        """For a case expecting commands: exactly the expected commands (tool and every argument) were proposed."""
        if self.case.expect.kind != "commands" or not self.ran:
            return None
        return self.outcome == "proposed" and Counter(self.proposed) == Counter(self.case.expect.commands)

    @property
    def asked(self) -> bool | None:
        """For a case expecting a question: the model asked."""
        return self.outcome == "question" if self.case.expect.kind == "ask" and self.ran else None

    @property
    def declined(self) -> bool | None:
        """For a case expecting a refusal: the model declined (and so proposed nothing)."""
        return self.outcome == "declined" if self.case.expect.kind == "decline" and self.ran else None

    @property
    def passed(self) -> bool:
        return bool(self.right_arguments or self.asked or self.declined)


def expected_tools(case: EvalCase) -> list[str]:
    """The tool each expected command is carried out by, as the gateway serves them (a destroy: its cloud's)."""
    tools = []
    for command in case.expect.commands:
        parsed = parse(command)
        if isinstance(parsed, Create | Destroy):  # always, for a validated case
            name = to_tool_call(parsed)[0]
            if isinstance(parsed, Destroy):
                name = f"destroy_{parsed.request.cloud.value}_resource"
            tools.append(name)
    return tools


def result_of(case: EvalCase, interpreted: Interpretation, *, note: str = "") -> CaseResult:
    """The result of a case the interpreter ran."""
    return CaseResult(
        case,
        "ran",
        interpreted.outcome,
        tuple(proposal.command for proposal in interpreted.proposals),
        tuple(proposal.tool for proposal in interpreted.proposals),
        interpreted.text,
        interpreted.usage,
        interpreted.seconds,
        interpreted.model_seconds,
        interpreted.tool_calls,
        sum(1 for call in interpreted.calls if not call.ok),
        note,
    )


@dataclass(frozen=True)
class Totals:
    """A run in figures. Rates are over the cases that ran; `no_recording` and `errors` did not."""

    cases: int
    ran: int
    no_recording: int
    errors: int
    passed: int
    commands_cases: int
    right_tool: int
    right_arguments: int
    ask_cases: int
    asked: int
    decline_cases: int
    declined: int
    # The misses by what happened instead, e.g. ("decline", "proposed"): proposed where it should have declined.
    misses: dict[tuple[str, str], int]
    usage: Usage
    seconds: float
    model_seconds: float
    median_seconds: float
    by_tag: dict[str, tuple[int, int]]  # tag → (cases that ran, passed)


def totals_of(results: Sequence[CaseResult]) -> Totals:
    """The totals of a run's results."""
    ran = [result for result in results if result.ran]
    usage = Usage()
    for result in ran:
        usage += result.usage
    misses = Counter((r.case.expect.kind, r.outcome) for r in ran if not r.passed)
    by_tag: dict[str, tuple[int, int]] = {}
    for result in ran:
        for tag in result.case.tags:
            cases, passed = by_tag.get(tag, (0, 0))
            by_tag[tag] = (cases + 1, passed + result.passed)
    return Totals(
        cases=len(results),
        ran=len(ran),
        no_recording=sum(1 for r in results if r.status == "no recording"),
        errors=sum(1 for r in results if r.status == "error"),
        passed=sum(1 for r in ran if r.passed),
        commands_cases=sum(1 for r in ran if r.case.expect.kind == "commands"),
        right_tool=sum(1 for r in ran if r.right_tool),
        right_arguments=sum(1 for r in ran if r.right_arguments),
        ask_cases=sum(1 for r in ran if r.case.expect.kind == "ask"),
        asked=sum(1 for r in ran if r.asked),
        decline_cases=sum(1 for r in ran if r.case.expect.kind == "decline"),
        declined=sum(1 for r in ran if r.declined),
        misses=dict(sorted(misses.items())),
        usage=usage,
        seconds=sum(r.seconds for r in ran),
        model_seconds=sum(r.model_seconds for r in ran),
        median_seconds=statistics.median(r.seconds for r in ran) if ran else 0.0,
        by_tag=dict(sorted(by_tag.items())),
    )
