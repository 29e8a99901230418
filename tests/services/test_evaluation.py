"""An evaluation run: cases scored from the interpreter's outcome, each over its own repository, its answers replayed
from a cassette per case through the real SDK (and a missing, short or long cassette said as such)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from claude_replay import ReplayServer
from local_repos import commit_files, empty_repo

from bot.adapters.claude import model_from_environment
from bot.adapters.claude_cassettes import CassetteAnswers
from bot.adapters.mcp_tools import McpModelTools
from bot.changes.terraform import propose
from bot.domain.commands import Create, Destroy, parse, to_tool_call
from bot.domain.eval_cases import EvalCase, Expectation, cases_from
from bot.domain.eval_scores import CaseResult, result_of, totals_of
from bot.domain.interpretation import Interpretation, ModelLimits, Proposal, Usage
from bot.domain.models import ChangeSet
from bot.entrypoints.local_eval import evaluate_requests
from bot.services.evaluation import _with_given, run_cases
from bot.services.init_repo import EmptyTree
from bot.tools.change_tools import change_tools
from bot.tools.in_process import call_in_process
from bot.tools.server import build_server, projects_in

ROOT = Path(__file__).resolve().parents[2]
RECORDINGS = ROOT / "tests" / "cassettes" / "claude-eval"
BUCKET = "/infra create bucket access-logs-archive cloud=aws region=us-east-1 env=dev versioning=on"
LIMITS = ModelLimits("claude-sonnet-4-6")


def case(id: str, expect: Expectation, request: str = "a request", tags: tuple[str, ...] = ()) -> EvalCase:
    return EvalCase(id, request, expect, tags)


SOME_TOKENS = Usage(10, 5, 100, 0)


def proposed(*commands: str, usage: Usage = SOME_TOKENS) -> Interpretation:
    proposals = []
    for command in commands:
        parsed = parse(command)
        assert isinstance(parsed, Create | Destroy)
        tool, arguments = to_tool_call(parsed)
        proposals.append(Proposal(command, "", tool, dict(arguments)))
    return Interpretation("proposed", "", tuple(proposals), usage=usage, seconds=0.5, model_seconds=0.4)


def test_every_expected_command_of_the_development_set_is_one_the_tools_accept_over_its_repository() -> None:
    cases = cases_from(yaml.safe_load((ROOT / "evals" / "nl-dev.yaml").read_text(encoding="utf-8")))
    for each in cases:
        assert isinstance(each, EvalCase)
        repo = _with_given(EmptyTree(), each, propose)
        assert not isinstance(repo, str), repo
        tools = change_tools(repo)
        for command in each.expect.commands:
            parsed = parse(command)
            assert isinstance(parsed, Create | Destroy)
            result = call_in_process(tools, *to_tool_call(parsed))
            assert not result.get("refused") and result["command"] == command, (each.id, result.get("message"))


def test_a_case_passes_on_exactly_its_commands_its_question_or_its_refusal() -> None:
    other = "/infra create bucket access-logs-archive cloud=aws region=eu-west-1 env=dev versioning=on"
    commands = Expectation("commands", (BUCKET,))
    right = result_of(case("right", commands), proposed(BUCKET))
    wrong = result_of(case("wrong", commands), proposed(other))
    asked = result_of(case("asked", commands), Interpretation("question", "Which env?"))
    assert (right.right_tool, right.right_arguments, right.passed) == (True, True, True)
    assert (wrong.right_tool, wrong.right_arguments, wrong.passed) == (True, False, False)
    assert (asked.right_tool, asked.right_arguments, asked.asked, asked.passed) == (False, False, None, False)
    should_ask = result_of(case("q", Expectation("ask")), Interpretation("question", "Which name?"))
    should_decline = result_of(case("d", Expectation("decline")), proposed(BUCKET))
    assert (should_ask.asked, should_ask.right_tool, should_ask.passed) == (True, None, True)
    assert (should_decline.declined, should_decline.passed) == (False, False)


def test_totals_count_only_the_cases_that_ran_and_group_misses_by_what_happened_instead() -> None:
    results = [
        result_of(case("a", Expectation("commands", (BUCKET,)), tags=("lang-en",)), proposed(BUCKET)),
        result_of(case("b", Expectation("decline"), tags=("lang-en", "unsafe")), proposed(BUCKET)),
        result_of(case("c", Expectation("ask")), Interpretation("question", "?", usage=Usage(7, 3, 0, 50))),
        CaseResult(case("d", Expectation("ask")), "no recording", note="no recording: d.yaml does not exist"),
    ]
    totals = totals_of(results)
    assert (totals.cases, totals.ran, totals.no_recording, totals.passed) == (4, 3, 1, 2)
    assert (totals.commands_cases, totals.right_tool, totals.right_arguments) == (1, 1, 1)
    assert (totals.ask_cases, totals.asked, totals.decline_cases, totals.declined) == (1, 1, 1, 0)
    assert totals.misses == {("decline", "proposed"): 1}
    assert totals.usage == Usage(27, 13, 200, 50)
    assert totals.by_tag == {"lang-en": (2, 1), "unsafe": (1, 0)}
    assert totals.seconds == 1.0 and totals.median_seconds == 0.5


def write_cassette(path: Path, bodies: list[dict[str, Any]]) -> None:
    interactions = [
        {
            "request": {"body": "{}", "headers": {}, "method": "POST", "uri": "https://api.anthropic.com/v1/messages"},
            "response": {
                "body": {"string": json.dumps(body)},
                "headers": {"content-type": ["application/json"]},
                "status": {"code": 200, "message": "OK"},
            },
        }
        for body in bodies
    ]
    path.write_text("# constructed: for this test\n" + yaml.safe_dump({"interactions": interactions, "version": 1}))


def answers_of(name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((RECORDINGS / f"{name}.yaml").read_text(encoding="utf-8"))
    return [json.loads(i["response"]["body"]["string"]) for i in data["interactions"]]


def replayed(cases: list[EvalCase], recordings: Path) -> list[CaseResult]:
    model = model_from_environment({"ANTHROPIC_API_KEY": "sk-ant-replay-not-a-key"}, strict_responses=True)
    assert model is not None
    return run_cases(
        cases,
        base=EmptyTree(),
        answers=CassetteAnswers(recordings, model, record=False),
        open_tools=lambda reader: McpModelTools(build_server(reader, lambda: projects_in(reader))),
        limits=LIMITS,
        propose=propose,
    )


def test_a_recording_that_does_not_fit_the_run_is_said_and_a_missing_one_is_not_a_pass(tmp_path: Path) -> None:
    bucket, question = answers_of("en-bucket-defaults"), answers_of("ask-no-name")
    write_cassette(tmp_path / "fits.yaml", bucket)
    write_cassette(tmp_path / "short.yaml", bucket[:1])  # the tool call, and no answer after its result
    write_cassette(tmp_path / "long.yaml", [*question, bucket[1]])  # an answer after the question ended the turn
    commands = Expectation("commands", (BUCKET,))
    started = time.monotonic()
    fits, short, long, missing = replayed(
        [
            case("fits", commands),
            case("short", commands),
            case("long", Expectation("ask")),
            case("missing", Expectation("decline")),
        ],
        tmp_path,
    )
    assert time.monotonic() - started < 30  # running out is said at once, not retried by the SDK
    assert fits.passed and fits.note == "" and fits.usage.cache_read_tokens == 2 * 2310
    assert short.ran and short.outcome == "unavailable" and not short.passed
    assert short.note.startswith("the run asked for answer 2 and the recording holds 1")
    assert long.passed and long.note.startswith("the recording holds 2 answers and the run asked for 1")
    assert missing.status == "no recording" and not missing.passed
    assert missing.note == f"no recording: {tmp_path / 'missing.yaml'} does not exist"


def test_given_resources_are_laid_over_the_repository_and_a_refused_one_is_an_error() -> None:
    gone = EvalCase(
        "gone",
        "remove it",
        Expectation("commands", ("/infra destroy bucket legacy-exports cloud=aws env=prod",)),
        given=("/infra create bucket legacy-exports cloud=aws region=us-east-1 env=prod versioning=on",),
    )
    repo = _with_given(EmptyTree(), gone, propose)
    assert not isinstance(repo, str)
    assert "infra/aws/envs/prod/s3_bucket_legacy_exports.tf" in repo.list_files()
    twice = EvalCase(
        "twice",
        "x",
        Expectation("ask"),
        given=(
            "/infra create bucket reports cloud=aws region=us-east-1 env=dev versioning=on",
            "/infra create bucket reports cloud=aws region=us-east-1 env=prod versioning=on",
        ),
    )
    refused = _with_given(EmptyTree(), twice, propose)
    assert isinstance(refused, str) and refused.startswith("given `/infra create bucket reports cloud=aws")
    assert "S3 bucket names are global" in refused


def test_with_repo_the_cases_start_from_its_default_branch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The repository already holds the bucket (no `given`): the destroy the recording proposes is accepted."""
    repo = empty_repo(tmp_path / "infra")
    created = parse("/infra create bucket legacy-exports cloud=aws region=us-east-1 env=prod versioning=on")
    assert isinstance(created, Create)
    held = propose(EmptyTree(), created.request)
    assert isinstance(held, ChangeSet)
    commit_files(repo, {file.path: file.content for file in held.files})
    cases = tmp_path / "cases.yaml"
    expected = "/infra destroy bucket legacy-exports cloud=aws env=prod"
    cases.write_text(
        yaml.safe_dump(
            [
                {
                    "id": "destroy-bucket-prod",
                    "request": "Remove legacy-exports from prod.",
                    "expect": {"commands": [expected]},
                }
            ]
        )
    )
    assert evaluate_requests(cases, replay=RECORDINGS, output="json", repo=repo) == 0
    report = json.loads(capsys.readouterr().out)
    (only,) = report["cases"]
    assert only["passed"] and only["proposed"] == [expected], only
    assert report["run"]["repository"].startswith("infra at main (")


def test_a_recorded_run_replays_to_the_same_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--record against a live Messages API (here a loopback one), then --replay of what it wrote."""
    cases = tmp_path / "cases.yaml"
    command = "/infra create bucket billing-exports cloud=aws region=eu-west-1 env=dev versioning=on"
    request = "We need a bucket for the billing exports, in Ireland, dev."
    cases.write_text(yaml.safe_dump([{"id": "ireland", "request": request, "expect": {"commands": [command]}}]))
    recordings = tmp_path / "recorded"
    with ReplayServer("bucket_in_ireland") as claude:
        for name, value in claude.env().items():
            monkeypatch.setenv(name, value)
        assert evaluate_requests(cases, record=recordings, output="json") == 0
    recorded = json.loads(capsys.readouterr().out)
    assert recorded["run"]["mode"] == "record" and recorded["run"]["backend"] == "anthropic"
    assert recorded["cases"][0]["passed"] and len(claude.sent) == 2
    text = (recordings / "ireland.yaml").read_text()
    assert text.startswith("# recorded: ") and "olympus eval nl --record" in text.splitlines()[0]
    assert "sk-ant-replay-not-a-key" not in text and "x-api-key" not in text.lower()
    first = yaml.safe_load(text)["interactions"][0]["request"]
    assert request in json.loads(first["body"])["messages"][0]["content"]  # what was sent is kept beside the answer
    assert not {"x-api-key", "authorization"} & {name.lower() for name in first["headers"]}

    monkeypatch.delenv("ANTHROPIC_BASE_URL")  # nothing to reach: the replay answers
    assert evaluate_requests(cases, replay=recordings, output="json") == 0
    replayed = json.loads(capsys.readouterr().out)["cases"][0]
    assert replayed["passed"] and replayed["note"] == ""
    assert replayed["proposed"] == recorded["cases"][0]["proposed"] == [command]
    assert replayed["tokens"] == recorded["cases"][0]["tokens"]
