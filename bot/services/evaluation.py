"""An evaluation run: each case's request through the interpreter, over a repository holding its given resources.

Each case gets tools of its own over the base repository (an empty one, or a branch of the user's) with the files
of its `given` commands laid over it, so a destroy finds the resource it removes and no case sees another's.
Nothing is written: the proposals are scored, never committed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager

from bot.domain.commands import Create, parse
from bot.domain.eval_cases import EvalCase
from bot.domain.eval_scores import CaseResult, result_of
from bot.domain.interpretation import ModelLimits
from bot.domain.models import Refusal
from bot.model_ports import AnswersPerCase, CaseAnswers, LanguageModel, ModelTools
from bot.ports import RepoReader
from bot.services.interpreter import NaturalRequest, interpret
from bot.services.local_readiness import ProposedTree
from bot.tools.change_tools import ProposeFn

__all__ = ["EveryCaseLive", "OpenTools", "run_cases"]

# The tools a case's model may call, over the repository the case runs in.
OpenTools = Callable[[RepoReader], AbstractContextManager[ModelTools]]


class EveryCaseLive:
    """Every case answered by the same live model, nothing recorded."""

    def __init__(self, model: LanguageModel) -> None:
        self._model = model

    @contextmanager
    def for_case(self, case_id: str) -> Iterator[CaseAnswers]:
        yield CaseAnswers(self._model)


def run_cases(
    cases: Sequence[EvalCase],
    *,
    base: RepoReader,
    answers: AnswersPerCase,
    open_tools: OpenTools,
    limits: ModelLimits,
    propose: ProposeFn,
    request_from: tuple[str, str] = ("octocat", "the local repository infra"),
    say: Callable[[str], None] = lambda line: None,
    clock: Callable[[], float] = time.monotonic,
) -> list[CaseResult]:
    """Each case's result, in order; `request_from` is who asks and where, as the model reads it."""
    who, where = request_from
    results: list[CaseResult] = []
    for number, case in enumerate(cases, start=1):
        repo = _with_given(base, case, propose)
        if isinstance(repo, str):
            result = CaseResult(case, "error", note=repo)
        else:
            with answers.for_case(case.id) as answering, open_tools(repo) as tools:
                interpreted = interpret(
                    NaturalRequest(who, where, case.request), answering.model, tools, limits, clock=clock
                )
            if answering.missing:
                result = CaseResult(case, "no recording", note=answering.missing)
            else:
                result = result_of(case, interpreted, note=answering.mismatch)
        results.append(result)
        verdict = "passed" if result.passed else (result.status if not result.ran else "missed")
        say(f"[{number}/{len(cases)}] {case.id}: {verdict}")
    return results


def _with_given(base: RepoReader, case: EvalCase, propose: ProposeFn) -> RepoReader | str:
    """base with the files of each given command laid over it, or why one could not be."""
    repo = base
    for command in case.given:
        parsed = parse(command)
        if not isinstance(parsed, Create):  # a validated case's given commands are creates
            return f"given `{command}` is not a create command"
        change = propose(repo, parsed.request)
        if isinstance(change, Refusal):
            return f"given `{command}` could not be laid over the repository: {change.message} {change.hint}".strip()
        repo = ProposedTree(repo, change)
    return repo
