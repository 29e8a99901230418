"""Benchmark: the interpreter's own time beside the model's, replayed (no model answers here).

Three intervals per request (the issue's goal: ≤ 50 ms for each of the first two): from the text to the first
Messages API request leaving the SDK (stripping the text, listing the tools through the MCP SDK's client, building
the request); from a response that asks for tool calls to the next request (the calls through MCP, each to its
ChangeSet — the generator writing the Terraform — and the request that reports them); and from the last response
to the outcome. The model's answers come from tests/cassettes/claude (constructed) through the real `anthropic` SDK,
vcrpy standing in for the network; the change tools run for real on an empty repository.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import anthropic  # noqa: E402
import httpx2  # noqa: E402
import vcr  # noqa: E402

from bot.adapters.claude import ClaudeModel  # noqa: E402
from bot.adapters.mcp_tools import McpModelTools  # noqa: E402
from bot.domain.interpretation import ModelLimits  # noqa: E402
from bot.services.interpreter import NaturalRequest, interpret  # noqa: E402
from bot.tools.filesystem_repo import FileSystemRepo  # noqa: E402
from bot.tools.server import build_server  # noqa: E402

CASSETTES = ROOT / "tests" / "cassettes" / "claude"
CASES = {
    "bucket_in_ireland": "We need a bucket for the billing exports, in Ireland, dev.",
    "two_buckets": "raw and curated event buckets in Frankfurt for staging",
    "corrects_its_arguments": "bump resize-images to 20 GB of memory",
}


def one_request(name: str, text: str, tools: McpModelTools) -> tuple[float, float, float]:
    """(text → first request, longest tool-use response → next request, last response → outcome) in seconds."""
    sent: list[float] = []
    received: list[float] = []
    client = httpx2.Client(
        event_hooks={
            "request": [lambda request: sent.append(time.perf_counter())],
            "response": [lambda response: received.append(time.perf_counter())],
        }
    )
    model = ClaudeModel(anthropic.Anthropic(api_key="sk-ant-replay", http_client=client, max_retries=0), "anthropic")
    recorder = vcr.VCR(record_mode="none", match_on=("method", "scheme", "host", "path"))
    with recorder.use_cassette(str(CASSETTES / f"{name}.yaml")):
        started = time.perf_counter()
        result = interpret(NaturalRequest("octocat", "a benchmark", text), model, tools, ModelLimits("claude"))
        ended = time.perf_counter()
    if result.outcome != "proposed":
        raise SystemExit(f"{name}: {result.outcome} {result.text}")
    between = max(sent[i + 1] - received[i] for i in range(len(sent) - 1))
    return sent[0] - started, between, ended - received[-1]


_INTERVALS = ("text → first request", "tool-use response → next request", "last response → outcome")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as directory:
        (Path(directory) / "README.md").write_text("an empty repository\n")
        with McpModelTools(build_server(FileSystemRepo(Path(directory)))) as tools:
            for name, text in CASES.items():
                one_request(name, text, tools)  # warm: imports, templates, the SDK's first client
                measured = zip(*(one_request(name, text, tools) for _ in range(runs)), strict=True)
                shown = [
                    f"{label} median {statistics.median(values) * 1000:.1f} ms (max {max(values) * 1000:.1f})"
                    for label, values in zip(_INTERVALS, measured, strict=True)
                ]
                print(f"{name}, {runs} runs: " + "; ".join(shown))


if __name__ == "__main__":
    main()
