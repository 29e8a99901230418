"""`olympus eval nl` as a user runs it: the development set replayed through the real SDK from its constructed
cassettes (its JSON adds up) with every tool at once and routed, a bad cases file or option refused with exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from olympus_cli import olympus

ROOT = Path(__file__).resolve().parents[2]
DEV_SET = str(ROOT / "evals" / "nl-dev.yaml")
RECORDINGS = str(ROOT / "tests" / "cassettes" / "claude-eval")
ROUTED_RECORDINGS = str(ROOT / "tests" / "cassettes" / "claude-eval-routed")
NO_MODEL = {"ANTHROPIC_API_KEY": "", "OLYMPUS_LLM_BACKEND": ""}
# The constructed answers that miss, on purpose (tests/cassettes/claude-eval/construct.py says why for each).
KNOWN_MISSES = {
    "en-gcs-default-env",
    "typo-region-unknown",
    "multi-nine-buckets",
    "destroy-slang",
    "ask-conflicting-region",
    "decline-skip-review",
    "inj-bidi-name",
}


@pytest.fixture(scope="module")
def replayed() -> dict[str, Any]:
    done = olympus("eval", "nl", DEV_SET, "--replay", RECORDINGS, "--format", "json", env=NO_MODEL)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_the_development_set_replays_through_the_sdk_and_every_case_runs(replayed: dict[str, Any]) -> None:
    cases = replayed["cases"]
    assert replayed["run"] == {
        "cases_file": "nl-dev.yaml",
        "mode": "replay",
        "recordings": RECORDINGS,
        "backend": "",
        "tools": "all",
        "model": "claude-sonnet-4-6",
        "repository": "an empty repository",
    }
    assert len(cases) >= 80 and all(case["status"] == "ran" for case in cases)
    # Each recording fits the conversation Olympus holds: no answer left over, none missing.
    assert [case["id"] for case in cases if case["note"]] == []
    assert {case["id"] for case in cases if not case["passed"]} == KNOWN_MISSES
    by_id = {case["id"]: case for case in cases}
    assert by_id["typo-region-corrected"]["tool_errors"] == 1  # refused once, corrected by the model
    assert by_id["multi-nine-buckets"]["tool_calls"] == 8  # the limit per request: the ninth call is refused


def test_routed_the_model_chooses_a_domain_first_and_reaches_the_same_commands(replayed: dict[str, Any]) -> None:
    args = ("eval", "nl", DEV_SET, "--tools", "routed", "--replay", ROUTED_RECORDINGS, "--format", "json")
    done = olympus(*args, env=NO_MODEL)
    assert done.returncode == 0, done.stderr
    routed = json.loads(done.stdout)
    assert routed["run"]["tools"] == "routed"
    assert [case["id"] for case in routed["cases"] if case["note"]] == []
    assert {case["id"] for case in routed["cases"] if not case["passed"]} == KNOWN_MISSES
    everything = {c["id"]: c["proposed"] for c in replayed["cases"]}
    chosen_first = {c["id"]: c["proposed"] for c in routed["cases"]}
    # choose_domain is a tool call too: the request at the limit of 8 gets one bucket fewer than with every tool.
    assert chosen_first.pop("multi-nine-buckets") == everything.pop("multi-nine-buckets")[:-1]
    assert chosen_first == everything


def test_the_totals_add_up_to_the_cases(replayed: dict[str, Any]) -> None:
    cases, totals = replayed["cases"], replayed["totals"]
    ran = [case for case in cases if case["status"] == "ran"]
    assert totals["cases"] == len(cases) and totals["ran"] == len(ran)
    assert totals["no_recording"] == totals["errors"] == 0
    assert totals["passed"] == sum(case["passed"] for case in ran)
    for kind, field in (("commands", "right_tool"), ("commands", "right_arguments")):
        expecting = [case for case in ran if kind in case["expect"]]
        assert totals[kind]["cases"] == len(expecting)
        assert totals[kind][field] == sum(bool(case[field]) for case in expecting)
    assert totals["ask"] == {
        "cases": sum("ask" in case["expect"] for case in ran),
        "asked": sum(bool(case["asked"]) for case in ran),
    }
    assert totals["decline"] == {
        "cases": sum("decline" in case["expect"] for case in ran),
        "declined": sum(bool(case["declined"]) for case in ran),
    }
    assert sum(miss["cases"] for miss in totals["misses"]) == len(ran) - totals["passed"]
    for key in ("input", "output", "cache_read", "cache_write"):
        assert totals["tokens"][key] == sum(case["tokens"][key] for case in ran) > 0
    assert totals["seconds"]["total"] == pytest.approx(sum(case["seconds"] for case in ran), abs=0.01)
    assert totals["seconds"]["model"] == pytest.approx(sum(case["model_seconds"] for case in ran), abs=0.01)
    assert totals["seconds"]["model"] <= totals["seconds"]["total"]
    for tag, counted in totals["by_tag"].items():
        tagged = [case for case in ran if tag in case["tags"]]
        assert counted == {"cases": len(tagged), "passed": sum(case["passed"] for case in tagged)}


def test_the_markdown_report_has_a_row_per_case(tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "- id: ask-no-name\n  request: make me a bucket\n  expect: {ask: true}\n"
        "- id: not-recorded\n  request: delete everything\n  expect: {decline: true}\n"
    )
    done = olympus("eval", "nl", str(cases), "--replay", RECORDINGS, env=NO_MODEL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("## Plain-language evaluation of `cases.yaml`\n")
    assert "| every case that ran | 1 | 1 (100%) |" in done.stdout
    assert "| `ask-no-name` | ask | question | – | – | ✓ | – | 0 (0) |" in done.stdout
    assert "| `not-recorded` | decline | no recording |" in done.stdout
    assert "Not run: 1 without a recording, 0 with an error." in done.stdout


def test_a_bad_cases_file_is_refused_naming_the_case_and_the_field(tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "- id: fine\n  request: make me a bucket\n  expect: {ask: true}\n"
        "- id: short-form\n  request: a logs bucket\n  expect:\n    commands: ['/infra create bucket logs']\n"
    )
    done = olympus("eval", "nl", str(cases), "--replay", RECORDINGS, env=NO_MODEL)
    assert done.returncode == 2 and done.stdout == ""
    assert f"error[bad-eval-cases]: {cases} has mistakes:\n" in done.stderr
    assert "- case `short-form` (item 2), expect.commands[0]: `/infra create bucket logs` is not canonical" in (
        done.stderr
    )
    assert "hint: docs/evaluation.md describes the cases file" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("- id: [unclosed\n", "is not YAML (line 2): expected ',' or ']'"),
        ("cases: []\n", "a cases file is a non-empty YAML list of cases"),
    ],
)
def test_a_cases_file_that_is_not_one_is_refused(tmp_path: Path, text: str, said: str) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(text)
    done = olympus("eval", "nl", str(cases), "--replay", RECORDINGS, env=NO_MODEL)
    assert done.returncode == 2 and "error[bad-eval-cases]" in done.stderr and said in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--tools", "some"], "error[bad-eval-option]: --tools 'some' is not a tool set"),
        (["--format", "html"], "error[bad-eval-option]: --format 'html' is not a report format"),
        (["--replay", RECORDINGS, "--record", "/tmp/x"], "error[bad-eval-option]: --replay and --record"),
        (["--replay", "/nonexistent/recordings"], "error[bad-eval-option]: --replay /nonexistent/recordings"),
        ([], "error[llm-not-configured]"),  # live, and no backend is set up
    ],
)
def test_options_it_cannot_honour_are_refused_before_anything_runs(options: list[str], said: str) -> None:
    done = olympus("eval", "nl", DEV_SET, *options, env=NO_MODEL)
    assert done.returncode == 2 and said in done.stderr, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr


def test_a_missing_cases_file_is_a_user_error(tmp_path: Path) -> None:
    done = olympus("eval", "nl", str(tmp_path / "none.yaml"), "--replay", RECORDINGS, env=NO_MODEL)
    assert done.returncode == 2 and f"error[bad-eval-cases]: {tmp_path / 'none.yaml'}: no such file" in done.stderr
