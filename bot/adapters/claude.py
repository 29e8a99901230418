"""Claude through the `anthropic` SDK's Messages API: the Anthropic API, Amazon Bedrock or Google Vertex AI.

The system prompt and the tool list are marked for prompt caching (they are the same on every turn of every
request); the conversation is not. Bedrock and Vertex use the SDK's own clients, which sign with the credentials
already in the environment — in an Action, the short-lived ones Olympus's OIDC exchange put there.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from bot.domain.interpretation import ModelLimits, ModelReply, ToolUse, Usage
from bot.errors import UserError
from bot.model_ports import ModelError, ToolSpec

__all__ = [
    "BACKEND_SETTING",
    "DEFAULT_MODEL",
    "ClaudeModel",
    "limits_from_environment",
    "model_from_environment",
    "not_configured_hint",
]

BACKEND_SETTING: Final = "OLYMPUS_LLM_BACKEND"
TOOLS_SETTING: Final = "OLYMPUS_LLM_TOOLS"
BACKENDS: Final = ("anthropic", "bedrock", "vertex", "none")
DEFAULT_MODEL: Final = "claude-sonnet-4-6"
_CACHED: Final = {"type": "ephemeral"}
_LIMITS: Final = {  # setting → (field, least, default)
    "OLYMPUS_LLM_MAX_TOKENS": ("max_tokens", 64, 1024),
    "OLYMPUS_LLM_MAX_TOOL_CALLS": ("max_tool_calls", 1, 8),
    "OLYMPUS_LLM_TOKEN_BUDGET": ("token_budget", 1000, 60_000),
}


class ClaudeModel:
    """A LanguageModel over one of the SDK's clients (Anthropic, AnthropicBedrock, AnthropicVertex)."""

    def __init__(self, client: Any, backend: str) -> None:
        self._client = client
        self._backend = backend

    @property
    def backend(self) -> str:
        return self._backend

    def reply(
        self, *, system: str, tools: Sequence[ToolSpec], messages: Sequence[dict[str, Any]], limits: ModelLimits
    ) -> ModelReply:
        import anthropic

        params = [{"name": t.name, "description": t.description, "input_schema": t.input_schema} for t in tools]
        if params:
            params[-1] = {**params[-1], "cache_control": _CACHED}  # caches every tool before it too
        try:
            message = self._client.messages.create(
                model=limits.model,
                max_tokens=limits.max_tokens,
                system=[{"type": "text", "text": system, "cache_control": _CACHED}],
                tools=params,
                messages=list(messages),
            )
        except anthropic.APIStatusError as failed:
            raise ModelError(f"{self._backend} answered HTTP {failed.status_code}: {_short(failed.message)}") from None
        except anthropic.APIConnectionError as failed:
            raise ModelError(f"{self._backend} could not be reached ({_short(str(failed))})") from None
        return _reply(message)


def _reply(message: Any) -> ModelReply:
    texts: list[str] = []
    uses: list[ToolUse] = []
    content: list[dict[str, Any]] = []
    for block in message.content:
        if block.type == "text":
            texts.append(block.text)
            content.append({"type": "text", "text": block.text})
        elif block.type == "tool_use":
            arguments = block.input if isinstance(block.input, dict) else {}
            uses.append(ToolUse(block.id, block.name, arguments))
            content.append({"type": "tool_use", "id": block.id, "name": block.name, "input": arguments})
    usage = message.usage
    return ModelReply(
        text="\n".join(texts).strip(),
        tool_uses=tuple(uses),
        stop_reason=str(message.stop_reason or ""),
        usage=Usage(
            usage.input_tokens,
            usage.output_tokens,
            usage.cache_read_input_tokens or 0,
            usage.cache_creation_input_tokens or 0,
        ),
        model=str(message.model),
        content=tuple(content),
    )


def _short(text: str) -> str:
    return " ".join(text.split())[:200]


def model_from_environment(
    environ: Mapping[str, str] | None = None, *, strict_responses: bool = False
) -> ClaudeModel | None:
    """The model the environment sets up, or None when none is (OLYMPUS_LLM_BACKEND unset and no API key, or none).

    `strict_responses` makes the SDK validate every response against its typed models (the tests use it).
    """
    env = os.environ if environ is None else environ
    backend = env.get(BACKEND_SETTING, "").strip().lower() or ("anthropic" if env.get("ANTHROPIC_API_KEY") else "none")
    if backend not in BACKENDS:
        raise UserError(
            "bad-setting",
            f"{BACKEND_SETTING} is {env[BACKEND_SETTING]!r}, not one of {', '.join(BACKENDS)}",
            f"set {BACKEND_SETTING} to anthropic (with ANTHROPIC_API_KEY), bedrock or vertex, or unset it",
        )
    if backend == "none":
        return None
    import anthropic

    common: dict[str, Any] = {"max_retries": 2, "timeout": 60.0, "_strict_response_validation": strict_responses}
    if backend == "anthropic":
        if not env.get("ANTHROPIC_API_KEY"):
            raise UserError(
                "bad-setting",
                f"{BACKEND_SETTING} is anthropic but ANTHROPIC_API_KEY is not set",
                "set ANTHROPIC_API_KEY to an Anthropic API key, or choose bedrock or vertex",
            )
        client: Any = anthropic.Anthropic(
            api_key=env["ANTHROPIC_API_KEY"], base_url=env.get("ANTHROPIC_BASE_URL"), **common
        )
    elif backend == "bedrock":
        client = anthropic.AnthropicBedrock(
            aws_region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"),
            # The credentials given (an Action job's exchanged ones), else the SDK's own lookup (boto's chain).
            aws_access_key=env.get("AWS_ACCESS_KEY_ID") or None,
            aws_secret_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
            aws_session_token=env.get("AWS_SESSION_TOKEN") or None,
            base_url=env.get("ANTHROPIC_BEDROCK_BASE_URL"),
            **common,
        )
    else:
        project = env.get("ANTHROPIC_VERTEX_PROJECT_ID", "").strip()
        if not project:
            raise UserError(
                "bad-setting",
                f"{BACKEND_SETTING} is vertex but ANTHROPIC_VERTEX_PROJECT_ID is not set",
                "set ANTHROPIC_VERTEX_PROJECT_ID to the Google Cloud project that serves Claude (and CLOUD_ML_REGION)",
            )
        client = anthropic.AnthropicVertex(
            region=env.get("CLOUD_ML_REGION", "us-east5"),
            project_id=project,
            # The access token Olympus's workload identity exchange leaves (bot/adapters/oidc/gcp.py); without it,
            # the SDK takes Google's application default credentials.
            access_token=env.get("GOOGLE_OAUTH_ACCESS_TOKEN") or None,
            base_url=env.get("ANTHROPIC_VERTEX_BASE_URL"),
            **common,
        )
    return ClaudeModel(client, backend)


def limits_from_environment(environ: Mapping[str, str] | None = None) -> ModelLimits:
    """The model and per-request limits: OLYMPUS_LLM_MODEL, _MAX_TOKENS, _MAX_TOOL_CALLS, _TOKEN_BUDGET; and
    OLYMPUS_LLM_TOOLS, how the tools are offered (all, the default, or routed: a domain first)."""
    env = os.environ if environ is None else environ
    values: dict[str, int] = {}
    for setting, (field, least, default) in _LIMITS.items():
        raw = env.get(setting, "").strip()
        if not raw:
            values[field] = default
            continue
        if not raw.isdigit() or int(raw) < least:
            raise UserError(
                "bad-setting",
                f"{setting} is {raw[:40]!r}",
                f"set it to a whole number of at least {least} (default {default:,}), or unset it",
            )
        values[field] = int(raw)
    mode = env.get(TOOLS_SETTING, "").strip().lower() or "all"
    if mode not in ("all", "routed"):
        raise UserError(
            "bad-setting",
            f"{TOOLS_SETTING} is {mode[:40]!r}",
            "set it to all (every tool offered at once, the default) or routed (a domain first, then its tools)",
        )
    tools: Literal["all", "routed"] = "routed" if mode == "routed" else "all"
    return ModelLimits(model=env.get("OLYMPUS_LLM_MODEL", "").strip() or DEFAULT_MODEL, tools=tools, **values)


def not_configured_hint() -> str:
    """How to turn plain-language requests on."""
    return (
        "set ANTHROPIC_API_KEY (the Anthropic API), or OLYMPUS_LLM_BACKEND=bedrock (Claude on Amazon Bedrock, with "
        "AWS credentials and AWS_REGION) or OLYMPUS_LLM_BACKEND=vertex (Claude on Vertex AI, with Google "
        "credentials, ANTHROPIC_VERTEX_PROJECT_ID and CLOUD_ML_REGION); OLYMPUS_LLM_MODEL picks the model"
    )
