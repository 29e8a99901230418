"""The corpus's cassettes, and the tool-call fix's, are what construct_fix_corpus.py writes (from the corpus's own
files), and each says that its answers were constructed, not recorded."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from claude_replay import CASSETTES, cassette_responses

SCRIPT = CASSETTES / "construct_fix_corpus.py"


def construct_script() -> Any:
    spec = importlib.util.spec_from_file_location("construct_fix_corpus", SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script  # its dataclasses look their module up there
    spec.loader.exec_module(script)
    return script


def test_the_cassettes_are_up_to_date_and_say_they_are_constructed() -> None:
    script = construct_script()
    expected: dict[Path, str] = script.documents()
    assert len(expected) >= 12
    on_disk = sorted(CASSETTES.glob("fix_corpus_*.yaml"))
    assert on_disk == sorted(expected), "run python tests/cassettes/claude/construct_fix_corpus.py"
    for path, text in expected.items():
        assert path.read_text() == text, f"{path.name} is stale: run {SCRIPT.name}"
        assert text.startswith("# constructed:")
        replies = cassette_responses(path.stem)
        assert replies and all(r["type"] == "message" and r["stop_reason"] == "tool_use" for r in replies)
        assert replies[-1]["content"][-1]["name"] == "propose_fix"  # every fixable case ends with a proposal


def test_the_tool_call_cassettes_are_up_to_date_and_end_with_tool_calls() -> None:
    expected: dict[Path, str] = construct_script().tool_call_documents()
    assert sorted(CASSETTES.glob("fix_tool_calls_*.yaml")) == sorted(expected) and expected
    for path, text in expected.items():
        assert path.read_text() == text and text.startswith("# constructed:"), (
            f"{path.name} is stale: run {SCRIPT.name}"
        )
        replies = cassette_responses(path.stem)
        assert all(r["type"] == "message" and r["stop_reason"] == "tool_use" for r in replies)
        last = replies[-1]["content"][-1]
        assert last["name"] == "propose_tool_calls" and all(
            c["tool"] == "update_resource" for c in last["input"]["calls"]
        )
