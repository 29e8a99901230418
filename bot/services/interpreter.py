"""Plain words → the same tool calls a typed command makes, through a language model that can only propose.

Every door (the App, the Action, `olympus ask`) calls interpret(). Text that parses as an `/infra` command never
reaches the model: the caller runs it as typed. Otherwise the request, stripped of what a reader cannot see and
with secrets masked, goes to the model with the change tools (listed and called through MCP) and two tools of its
own, ask_user and decline. With routed tools (ModelLimits.tools, OLYMPUS_LLM_TOOLS=routed) and a server that routes
(bot/tools/gateway.py), the model is offered the domain-choosing tool first, and the chosen domain's tools after it.
Each tool call goes through the tool's own validation; an error goes back to the model so it can correct itself.
What comes out is the `/infra` command of each change the tools accepted — the door runs exactly that.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.adapters.secret_masking import mask_secret_text
from bot.domain.commands import NotForMe, parse
from bot.domain.interpretation import (
    Interpretation,
    ModelLimits,
    ModelReply,
    Proposal,
    ToolCallRecord,
    ToolUse,
    Usage,
)
from bot.domain.untrusted_text import visible_text
from bot.model_ports import LanguageModel, ModelError, ModelTools, ToolSpec
from bot.services.interpreter_prompt import ASK, DECLINE, SYSTEM_PROMPT, answer_message, request_message

__all__ = ["NaturalRequest", "interpret", "is_command", "text_for_model"]


@dataclass(frozen=True)
class NaturalRequest:
    """Who asked (a GitHub login, or the local user), where (e.g. "issue #12 of acme/infra"), and what."""

    who: str
    where: str
    text: str


def text_for_model(text: str) -> str:
    """The request as the model reads it (and as records and pull requests quote it): what a reader cannot see
    removed, a secret someone pasted (a token, a key) masked."""
    return mask_secret_text(visible_text(text))


def is_command(text: str) -> bool:
    """True when text is an `/infra` command (or a mistyped one, which gets the grammar's own reply)."""
    return not isinstance(parse(text), NotForMe)


def interpret(
    request: NaturalRequest,
    model: LanguageModel,
    tools: ModelTools,
    limits: ModelLimits,
    *,
    history: Sequence[dict[str, Any]] = (),
    clock: Callable[[], float] = time.monotonic,
) -> Interpretation:
    """Run the tool-use loop until the model has proposed its changes, asked, declined, or spent its budget.

    With `history` (a conversation whose last turn asked a question), the text is the answer to that question.
    """
    started = clock()
    text = text_for_model(request.text)
    if not text:
        return Interpretation("question", "What would you like to change? For example: a bucket, its region, env.")
    catalogue = tools.list_tools()
    loop = _Loop(model, tools, limits, _Offer(catalogue, routed=limits.tools == "routed"), clock)
    loop.offer.resume(history)
    messages = [*history, _answer(history, request, text)] if history else [_first(request, text)]
    try:
        outcome = loop.run(messages)
    except ModelError as failed:
        outcome = loop.outcome("unavailable", f"the model could not be reached: {failed}")
    return replace(outcome, seconds=clock() - started)


class _Loop:
    """One request's turns: what was proposed so far, the tokens and tool calls it has cost."""

    def __init__(
        self,
        model: LanguageModel,
        tools: ModelTools,
        limits: ModelLimits,
        offer: _Offer,
        clock: Callable[[], float],
    ) -> None:
        self.model, self.tools, self.limits, self.offer = model, tools, limits, offer
        self.clock = clock
        self.proposals: dict[str, Proposal] = {}
        self.calls: list[ToolCallRecord] = []
        self.usage = Usage()
        self.tool_calls = 0
        self.model_name = ""
        self.model_seconds = 0.0
        self.messages: list[dict[str, Any]] = []

    def outcome(self, kind: Any, text: str = "") -> Interpretation:
        proposals = tuple(self.proposals.values()) if kind == "proposed" else ()
        return Interpretation(
            kind,
            text,
            proposals,
            self.model_name,
            self.usage,
            self.tool_calls,
            tuple(self.calls),
            model_seconds=self.model_seconds,
            messages=tuple(self.messages),
            tool_mode="routed" if self.offer.routed else "all",
            domains=tuple(self.offer.chosen),
        )

    def run(self, messages: list[dict[str, Any]]) -> Interpretation:
        while True:
            asked = self.clock()
            try:
                reply = self.model.reply(
                    system=SYSTEM_PROMPT, tools=self.offer.specs(), messages=messages, limits=self.limits
                )
            finally:
                self.model_seconds += self.clock() - asked
            self.usage += reply.usage
            self.model_name = reply.model or self.model_name
            # The conversation as it stands, kept for a question's answer to continue it.
            self.messages = [*messages, {"role": "assistant", "content": list(reply.content)}]
            ended = _ending(reply)
            if ended is not None:
                self.calls += [
                    ToolCallRecord(use.name, use.arguments, True)
                    for use in reply.tool_uses
                    if use.name in (ASK.name, DECLINE.name)
                ]
                return self.outcome(*ended)
            if not reply.tool_uses:
                return self._final(reply)
            if self.usage.total > self.limits.token_budget:
                return self.outcome("declined", _over("tokens", self.limits.token_budget))
            messages += [
                {"role": "assistant", "content": list(reply.content)},
                {"role": "user", "content": [self._call(use) for use in reply.tool_uses]},
            ]

    def _final(self, reply: ModelReply) -> Interpretation:
        if self.proposals:
            return self.outcome("proposed", reply.text)
        if reply.stop_reason in ("refusal", "max_tokens"):
            return self.outcome("declined", "the model stopped without proposing a change; rephrase the request")
        # Text without a tool call and nothing proposed: the model is asking, in its own words. Its answer will be
        # a plain user turn (there is no ask_user call to reply to).
        return self.outcome("question", reply.text or "Could you say which resource you need, and where?")

    def _call(self, use: ToolUse) -> dict[str, Any]:
        block = self._answer(use)
        self.calls.append(
            ToolCallRecord(
                use.name, use.arguments, not block.get("is_error"), block["content"] if block.get("is_error") else ""
            )
        )
        return block

    def _answer(self, use: ToolUse) -> dict[str, Any]:
        if use.name not in self.offer.names():
            return _tool_result(use, f"there is no tool named {use.name[:80]!r}", error=True)
        if self.tool_calls >= self.limits.max_tool_calls:
            return _tool_result(use, _over("tool calls", self.limits.max_tool_calls), error=True)
        self.tool_calls += 1
        outcome = self.tools.call_tool(use.name, use.arguments)
        if not outcome.ok:
            return _tool_result(use, outcome.error, error=True)
        if self.offer.is_router(use.name):
            self.offer.choose(str(outcome.result.get("domain", "")))
        command = str(outcome.result.get("command", ""))
        if command and "files" in outcome.result:
            self.proposals.setdefault(
                command, Proposal(command, str(outcome.result.get("title", "")), use.name, use.arguments)
            )
            # The model needs to know the change was accepted, not the files' text (tokens, and file content
            # is no instruction to it either).
            files = [file.get("path") for file in outcome.result.get("files", [])]
            summary = {
                "accepted": True,
                "command": command,
                "files": files,
                "unchanged": outcome.result.get("unchanged", False),
            }
            return _tool_result(use, json.dumps(summary))
        return _tool_result(use, json.dumps(outcome.result))


class _Offer:
    """The tools offered to the model: all the listed ones (the router aside), or, routed, the router first and then
    the domain it chose, from the same listing (the schemas are MCP's, listed once)."""

    def __init__(self, catalogue: list[ToolSpec], *, routed: bool) -> None:
        self.router = next((spec for spec in catalogue if spec.router), None)
        # Routed only when the tools can be: a server without a router (build_server's) is offered whole.
        self.routed = routed and self.router is not None
        self.catalogue = [spec for spec in catalogue if not spec.router]
        self.chosen: list[str] = []

    def specs(self) -> list[ToolSpec]:
        if not self.routed or self.router is None:
            return [*self.catalogue, ASK, DECLINE]
        domain = self.chosen[-1] if self.chosen else None
        # The router stays offered: a request may span two domains (a bucket on each cloud).
        return [self.router, *[spec for spec in self.catalogue if spec.domain == domain], ASK, DECLINE]

    def names(self) -> set[str]:
        return {spec.name for spec in self.specs()} - {ASK.name, DECLINE.name}

    def is_router(self, name: str) -> bool:
        return self.routed and self.router is not None and name == self.router.name

    def choose(self, domain: str) -> None:
        if domain and any(spec.domain == domain for spec in self.catalogue):
            self.chosen.append(domain)

    def resume(self, history: Sequence[dict[str, Any]]) -> None:
        """A continued conversation keeps the domain it last chose."""
        for turn in history:
            content = turn.get("content")
            for block in content if isinstance(content, list) else []:
                if (
                    isinstance(block, dict)
                    and block.get("type") == "tool_use"
                    and self.is_router(block.get("name", ""))
                ):
                    self.choose(str((block.get("input") or {}).get("domain", "")))


def _first(request: NaturalRequest, text: str) -> dict[str, Any]:
    return {"role": "user", "content": request_message(request.who, request.where, text)}


def _answer(history: Sequence[dict[str, Any]], request: NaturalRequest, text: str) -> dict[str, Any]:
    """The user turn after a question: the answer as ask_user's result, and a result for every other tool call
    of that turn (the API wants one per call; none of them ran, since the question came first)."""
    last = history[-1].get("content", []) if history else []
    uses = [block for block in last if isinstance(block, dict) and block.get("type") == "tool_use"]
    results = []
    for use in uses:
        if use.get("name") == ASK.name:
            results.append(
                {"type": "tool_result", "tool_use_id": use["id"], "content": answer_message(request.who, text)}
            )
        else:
            results.append(
                {
                    "type": "tool_result",
                    "tool_use_id": use["id"],
                    "content": "not run: the question came first",
                    "is_error": True,
                }
            )
    return {"role": "user", "content": results or answer_message(request.who, text)}


def _ending(reply: ModelReply) -> tuple[str, str] | None:
    """("question", text) or ("declined", text) when the model called ask_user or decline."""
    for use in reply.tool_uses:
        if use.name == ASK.name:
            return "question", str(use.arguments.get("question", "")).strip() or "Could you say more?"
        if use.name == DECLINE.name:
            reason = str(use.arguments.get("reason", "")).strip() or "this is not something Olympus proposes"
            instead = str(use.arguments.get("instead", "")).strip()
            return "declined", f"{reason}\n\n{instead}".strip()
    return None


def _tool_result(use: ToolUse, text: str, *, error: bool = False) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": use.id, "content": text}
    if error:
        block["is_error"] = True
    return block


def _over(what: str, limit: int) -> str:
    return f"this request needs more than {limit:,} {what}, the limit per request; ask for fewer changes at once"
