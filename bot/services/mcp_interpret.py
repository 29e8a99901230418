"""interpret_request on the MCP gateway: a person's words read by the model over that gateway's own tools."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

from bot.adapters.mcp_tools import McpModelTools
from bot.domain.interpretation import Interpretation, ModelLimits
from bot.model_ports import LanguageModel
from bot.ports import RepoReader
from bot.services.context import Loop
from bot.services.conversation import converse
from bot.services.interpreter import NaturalRequest
from bot.tools.domain_servers import ToolSources
from bot.tools.endpoint import build_endpoint

__all__ = ["gateway_interpreter"]


def gateway_interpreter(
    loop: Loop,
    reader: RepoReader,
    sources: ToolSources,
    model: LanguageModel,
    limits: ModelLimits,
    *,
    login: str,
    repo: str,
) -> Callable[[str], Interpretation]:
    """What interpret_request calls: the interpreter every door uses, its conversation kept as the door `mcp`'s."""

    def interpret(text: str) -> Interpretation:
        request = NaturalRequest(login, f"an MCP client on {repo}", text)
        # The model's own tools: the same gateway, without interpret_request.
        with McpModelTools(build_endpoint(reader, sources)) as tools:
            found, _new = converse(
                loop.store, request, model, tools, limits,
                door="mcp", place=f"{repo}#mcp", turn=uuid4().hex, now=loop.store.clock(),
            )  # fmt: skip
        return found

    return interpret
