"""Which Claude backend the environment sets up, its limits, and Bedrock's signed requests on a loopback endpoint."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from claude_replay import cassette_responses

from bot.adapters.claude import DEFAULT_MODEL, limits_from_environment, model_from_environment
from bot.domain.interpretation import ModelLimits
from bot.errors import UserError


def test_no_backend_without_a_key_or_a_setting() -> None:
    assert model_from_environment({}) is None
    assert model_from_environment({"OLYMPUS_LLM_BACKEND": "none", "ANTHROPIC_API_KEY": "k"}) is None


def test_an_api_key_alone_selects_the_anthropic_api() -> None:
    model = model_from_environment({"ANTHROPIC_API_KEY": "sk-ant-test"})
    assert model is not None and model.backend == "anthropic"


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"OLYMPUS_LLM_BACKEND": "openai"}, "not one of anthropic, bedrock, vertex, none"),
        ({"OLYMPUS_LLM_BACKEND": "anthropic"}, "ANTHROPIC_API_KEY is not set"),
        ({"OLYMPUS_LLM_BACKEND": "vertex"}, "ANTHROPIC_VERTEX_PROJECT_ID is not set"),
    ],
)
def test_a_backend_that_cannot_work_is_a_user_error_that_says_what_to_set(env: dict[str, str], words: str) -> None:
    with pytest.raises(UserError) as raised:
        model_from_environment(env)
    assert raised.value.reference == "bad-setting" and words in raised.value.message


def test_limits_default_and_read_the_settings() -> None:
    assert limits_from_environment({}) == ModelLimits(DEFAULT_MODEL, 1024, 8, 60_000)
    limits = limits_from_environment(
        {"OLYMPUS_LLM_MODEL": "claude-haiku-4-5", "OLYMPUS_LLM_MAX_TOOL_CALLS": "3", "OLYMPUS_LLM_TOKEN_BUDGET": "9000"}
    )
    assert (limits.model, limits.max_tool_calls, limits.token_budget) == ("claude-haiku-4-5", 3, 9000)


@pytest.mark.parametrize("value", ["0", "-1", "many", "2.5"])
def test_a_limit_that_is_not_a_whole_number_above_its_least_is_refused(value: str) -> None:
    with pytest.raises(UserError) as raised:
        limits_from_environment({"OLYMPUS_LLM_MAX_TOOL_CALLS": value})
    assert "whole number of at least 1" in raised.value.hint


class _Loopback(ThreadingHTTPServer):
    """A cloud's Claude endpoint on loopback: it keeps each request (path, headers, body) and answers a question."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        answer = json.dumps(cassette_responses("make_me_a_bucket")[0]).encode()
        seen = self.seen

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


def _ask(env: dict[str, str], model: str) -> Any:
    claude = model_from_environment(env, strict_responses=True)
    assert claude is not None and claude.backend == env["OLYMPUS_LLM_BACKEND"]
    return claude.reply(system="s", tools=[], messages=[{"role": "user", "content": "hi"}], limits=ModelLimits(model))


def test_bedrock_requests_are_signed_with_the_short_lived_credentials_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What Olympus's OIDC exchange leaves in the job's environment: STS credentials with a session token.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIAOLYMPUSTESTKEY01")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-real-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token-from-sts")
    bedrock = _Loopback()
    try:
        env = {"OLYMPUS_LLM_BACKEND": "bedrock", "AWS_REGION": "eu-west-1", "ANTHROPIC_BEDROCK_BASE_URL": bedrock.url}
        reply = _ask(env, "anthropic.claude-sonnet-4-6")
    finally:
        bedrock.close()
    assert reply.tool_uses[0].name == "ask_user"
    path, headers, body = bedrock.seen[0]
    assert path == "/model/anthropic.claude-sonnet-4-6/invoke"
    assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=ASIAOLYMPUSTESTKEY01/")
    assert "/eu-west-1/bedrock/aws4_request" in headers["authorization"]
    assert headers["x-amz-security-token"] == "session-token-from-sts"
    assert body["anthropic_version"] and "model" not in body


def test_bedrock_credentials_given_in_the_settings_win_over_the_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An Action job's ask: the plan role's exchanged credentials are handed to the model, not put in os.environ.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIARUNNERSOWNKEY001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "runner-secret")
    bedrock = _Loopback()
    try:
        env = {
            "OLYMPUS_LLM_BACKEND": "bedrock",
            "AWS_REGION": "eu-west-1",
            "ANTHROPIC_BEDROCK_BASE_URL": bedrock.url,
            "AWS_ACCESS_KEY_ID": "ASIAEXCHANGEDPLANKEY",
            "AWS_SECRET_ACCESS_KEY": "exchanged-secret",
            "AWS_SESSION_TOKEN": "exchanged-session",
        }
        _ask(env, "anthropic.claude-sonnet-4-6")
    finally:
        bedrock.close()
    _path, headers, _body = bedrock.seen[0]
    assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=ASIAEXCHANGEDPLANKEY/")
    assert headers["x-amz-security-token"] == "exchanged-session"


def test_vertex_requests_carry_the_access_token_of_the_workload_identity_exchange() -> None:
    vertex = _Loopback()
    try:
        env = {
            "OLYMPUS_LLM_BACKEND": "vertex",
            "ANTHROPIC_VERTEX_PROJECT_ID": "acme-infra",
            "CLOUD_ML_REGION": "europe-west1",
            "GOOGLE_OAUTH_ACCESS_TOKEN": "ya29.short-lived-token",
            "ANTHROPIC_VERTEX_BASE_URL": vertex.url,
        }
        reply = _ask(env, "claude-sonnet-4-6")
    finally:
        vertex.close()
    assert reply.tool_uses[0].name == "ask_user"
    path, headers, body = vertex.seen[0]
    assert (
        path == "/projects/acme-infra/locations/europe-west1/publishers/anthropic/models/claude-sonnet-4-6:rawPredict"
    )
    assert headers["authorization"] == "Bearer ya29.short-lived-token"
    assert body["anthropic_version"] and "model" not in body
