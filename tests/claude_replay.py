"""Claude exchanges replayed from vcrpy cassettes: in-process through the real SDK, or for a CLI subprocess from a
loopback server that answers POST /v1/messages with the cassette's responses in order.

No Anthropic endpoint is reachable here. Each cassette under tests/cassettes/claude says in its first line whether
it was constructed (responses written in the Messages API's shapes) or recorded. The SDK validates every response
against its typed models (`_strict_response_validation`), so a cassette the SDK would reject fails its test. With
ANTHROPIC_API_KEY set, `pytest --record-mode=all` records them again from the API.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import vcr
import yaml

from bot.adapters.claude import ClaudeModel, model_from_environment

CASSETTES = Path(__file__).resolve().parent / "cassettes" / "claude"
_REPLAY_KEY = "sk-ant-replay-not-a-key"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-mode",
        default="none",
        choices=("none", "once", "new_episodes", "all"),
        help="vcrpy's record mode for the Claude cassettes (needs ANTHROPIC_API_KEY to record)",
    )


@dataclass
class Replay:
    """The model to use and what the SDK sent it, request by request (parsed JSON bodies)."""

    model: ClaudeModel
    sent: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def claude_cassette(request: pytest.FixtureRequest) -> Callable[[str], AbstractContextManager[Replay]]:
    """claude_cassette(NAME): a context in which a ClaudeModel replays tests/cassettes/claude/NAME.yaml."""
    mode = request.config.getoption("--record-mode")
    import os

    key = os.environ.get("ANTHROPIC_API_KEY") if mode != "none" else None
    if mode != "none" and not key:
        pytest.skip("recording needs ANTHROPIC_API_KEY")

    @contextmanager
    def replaying(name: str) -> Iterator[Replay]:
        model = model_from_environment({"ANTHROPIC_API_KEY": key or _REPLAY_KEY}, strict_responses=True)
        assert model is not None
        replay = Replay(model)
        create = model._client.messages.create

        def seen(**params: Any) -> Any:
            # What Olympus asked the SDK to send, as JSON (the SDK serializes exactly these parameters).
            replay.sent.append(json.loads(json.dumps(params)))
            return create(**params)

        model._client.messages.create = seen
        recorder = vcr.VCR(
            record_mode=mode,
            match_on=("method", "scheme", "host", "path"),
            filter_headers=["x-api-key", "authorization"],
            # The GitHub double and the AWS emulator answer on loopback; only Claude's requests are the cassette's.
            ignore_localhost=True,
        )
        with recorder.use_cassette(str(CASSETTES / f"{name}.yaml")) as cassette:
            yield replay
        if mode == "none":
            assert cassette.all_played, (
                f"{name}: {len(cassette.responses) - cassette.play_count} responses not asked for"
            )

    return replaying


def cassette_responses(name: str) -> list[dict[str, Any]]:
    """The response bodies of a cassette, in order."""
    data = yaml.safe_load((CASSETTES / f"{name}.yaml").read_text())
    return [json.loads(i["response"]["body"]["string"]) for i in data["interactions"]]


class ReplayServer(AbstractContextManager["ReplayServer"]):
    """A loopback Messages API for a subprocess (point ANTHROPIC_BASE_URL at `url`): it answers each POST
    /v1/messages with the cassette's next response, and keeps what was sent. A request without what the real API
    requires (the key as x-api-key or a bearer token, anthropic-version, a JSON body with model, max_tokens and
    messages) is a 400."""

    def __init__(self, name: str) -> None:
        self.responses = cassette_responses(name)
        self.sent: list[dict[str, Any]] = []
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                try:
                    sent = json.loads(body)
                    ok = (
                        self.path == "/v1/messages"
                        and (
                            self.headers.get("x-api-key") or self.headers.get("authorization", "").startswith("Bearer ")
                        )
                        and self.headers.get("anthropic-version")
                        and {"model", "max_tokens", "messages"} <= set(sent)
                    )
                except ValueError:
                    ok = False
                if not ok or not replay.responses:
                    why = "no response left in the cassette" if ok else f"not a Messages API request: {self.path}"
                    self._answer(400, {"type": "error", "error": {"type": "invalid_request_error", "message": why}})
                    return
                replay.sent.append(sent)
                self._answer(200, replay.responses.pop(0))

            def _answer(self, status: int, document: dict[str, Any]) -> None:
                data = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("request-id", "req_replay")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ReplayServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def env(self) -> dict[str, str]:
        """The environment that points the CLI's Claude client here."""
        return {"ANTHROPIC_API_KEY": _REPLAY_KEY, "ANTHROPIC_BASE_URL": self.url, "OLYMPUS_LLM_BACKEND": "anthropic"}
