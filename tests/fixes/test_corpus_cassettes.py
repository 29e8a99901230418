"""The corpus's cassettes are what construct_fix_corpus.py writes (from the corpus's own files), and each says that
its answers were constructed, not recorded."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from claude_replay import CASSETTES, cassette_responses

SCRIPT = CASSETTES / "construct_fix_corpus.py"


def test_the_cassettes_are_up_to_date_and_say_they_are_constructed() -> None:
    spec = importlib.util.spec_from_file_location("construct_fix_corpus", SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = script  # its dataclasses look their module up there
    spec.loader.exec_module(script)
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
