"""`olympus eval nl`: a cases file's requests through the interpreter, scored, as a markdown or JSON report.

The model is the live one the environment sets up, or each case's recording: `--replay DIR` plays DIR/<id>.yaml
through the real SDK, `--record DIR` writes them from the live model. Exit 0 when the run happened, however many
cases missed; 2 for a bad cases file or option.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Final

import yaml

from bot.adapters.claude import limits_from_environment, model_from_environment, not_configured_hint
from bot.adapters.claude_cassettes import CassetteAnswers, require_vcrpy
from bot.adapters.git_tree import GitTreeReader
from bot.domain.eval_cases import EvalCase, cases_from
from bot.domain.eval_report import RunInfo, report_document, report_markdown
from bot.domain.eval_scores import totals_of
from bot.entrypoints.local_loop import open_repo
from bot.errors import UserError
from bot.model_ports import AnswersPerCase
from bot.ports import RepoReader
from bot.services.evaluation import EveryCaseLive, run_cases
from bot.services.init_repo import EmptyTree

__all__ = ["evaluate_requests"]

TOOL_SETS: Final = ("all", "routed")
FORMATS: Final = ("markdown", "json")
# Replay needs a key for the SDK to send; the cassette answers, so any will do.
_REPLAY_KEY: Final = "sk-ant-replay-not-a-key"


def evaluate_requests(
    cases_file: Path,
    *,
    tools: str = "all",
    replay: Path | None = None,
    record: Path | None = None,
    output: str = "markdown",
    repo: Path | None = None,
) -> int:
    """Run every case and print the report; 0 when it ran, whatever the cases scored."""
    _check_options(tools, replay, record, output)
    cases = read_cases(cases_file)
    limits = limits_from_environment()
    answers, mode, backend = _answers(replay, record)
    with _base(repo) as (base, described):
        from bot.adapters.mcp_tools import McpModelTools
        from bot.changes.terraform import propose
        from bot.tools.domain_servers import ToolSources
        from bot.tools.endpoint import build_endpoint
        from bot.tools.server import projects_in

        def gateway(reader: RepoReader) -> McpModelTools:
            # The gateway the doors use; limits.tools says whether the model sees every tool or a domain first.
            return McpModelTools(build_endpoint(reader, ToolSources(list_projects=lambda: projects_in(reader))))

        results = run_cases(
            cases,
            base=base,
            answers=answers,
            open_tools=gateway,
            limits=replace(limits, tools="routed" if tools == "routed" else "all"),
            propose=propose,
            request_from=("octocat", f"the local repository {repo.resolve().name if repo else 'infra'}"),
            say=_progress(),
        )
    recordings = str(replay or record or "")
    run = RunInfo(cases_file.name, mode, recordings, backend, tools, limits.model, described)
    totals = totals_of(results)
    if output == "json":
        print(json.dumps(report_document(run, results, totals), indent=2, ensure_ascii=False))
    else:
        print(report_markdown(run, results, totals), end="")
    return 0


def _check_options(tools: str, replay: Path | None, record: Path | None, output: str) -> None:
    if tools not in TOOL_SETS:
        raise UserError(
            "bad-eval-option",
            f"--tools {tools!r} is not a tool set",
            "use --tools all (every tool at once) or routed (a domain first)",
        )
    if output not in FORMATS:
        raise UserError(
            "bad-eval-option", f"--format {output!r} is not a report format", "use --format markdown or json"
        )
    if replay is not None and record is not None:
        raise UserError(
            "bad-eval-option",
            "--replay and --record were both given",
            "replay recorded answers (--replay DIR) or record new ones from the live model (--record DIR), not both",
        )
    if replay is not None and not replay.is_dir():
        raise UserError("bad-eval-option", f"--replay {replay}: no such directory", "pass the directory of recordings")


def read_cases(cases_file: Path) -> list[EvalCase]:
    """The file's cases, or a UserError (bad-eval-cases) naming each case and field that is wrong."""
    hint = "docs/evaluation.md describes the cases file: a list of id, request, expect (commands, ask or decline)"
    try:
        document = yaml.safe_load(cases_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError("bad-eval-cases", f"{cases_file}: no such file", hint) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError("bad-eval-cases", f"{cases_file} cannot be read: {exc}", hint) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" (line {where.line + 1})" if where is not None else ""
        raise UserError(
            "bad-eval-cases", f"{cases_file} is not YAML{at}: {getattr(exc, 'problem', exc)}", hint
        ) from None
    read = cases_from(document)
    cases = [case for case in read if isinstance(case, EvalCase)]
    if len(cases) != len(read):
        problems = "\n".join(f"- {problem}" for problem in read)
        raise UserError("bad-eval-cases", f"{cases_file} has mistakes:\n{problems}", hint)
    return cases


def _answers(replay: Path | None, record: Path | None) -> tuple[AnswersPerCase, str, str]:
    """Where the answers come from, the mode's name, and the live model's backend ("" for a replay)."""
    if replay is not None:
        require_vcrpy()
        model = model_from_environment({"ANTHROPIC_API_KEY": _REPLAY_KEY}, strict_responses=True)
        assert model is not None  # an API key always sets up the anthropic backend
        return CassetteAnswers(replay, model, record=False), "replay", ""
    live = model_from_environment(strict_responses=record is not None)
    if live is None:
        raise UserError(
            "llm-not-configured",
            "plain-language requests are read by Claude, and no Claude backend is set up",
            f"{not_configured_hint()}; or replay recorded answers: `olympus eval nl CASES.yaml --replay DIR`",
        )
    if record is None:
        return EveryCaseLive(live), "live", live.backend
    require_vcrpy()
    if live.backend != "anthropic":
        raise UserError(
            "record-needs-anthropic-api",
            f"recordings replay as the Anthropic API's requests, and the backend set up is {live.backend}",
            "record with ANTHROPIC_API_KEY (and OLYMPUS_LLM_BACKEND unset or anthropic), or evaluate live without "
            "--record",
        )
    record.mkdir(parents=True, exist_ok=True)
    return CassetteAnswers(record, live, record=True), "record", live.backend


@contextmanager
def _base(repo: Path | None) -> Iterator[tuple[RepoReader, str]]:
    """The repository every case starts from, and how the report names it."""
    if repo is None:
        yield EmptyTree(), "an empty repository"
        return
    git = open_repo(repo)
    ref = git.default_branch()
    reader = GitTreeReader(git, ref)
    try:
        yield reader, f"{git.root.name} at {ref} ({reader.ref[:12]})"
    finally:
        reader.close()


def _progress() -> Callable[[str], None]:
    """Each case's verdict on stderr as it ends, when someone watches (a live run takes minutes)."""
    if sys.stderr.isatty():
        return lambda line: print(line, file=sys.stderr)
    return lambda line: None
