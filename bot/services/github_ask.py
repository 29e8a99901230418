"""The App's requests in plain words: read by the model with the tools at the default branch, answered in one reply.

The caller has already checked that the sender may run `/infra create`. Each command the model means is then run
exactly as if it had been typed (propose_from_issue), its pull request quoting the words and naming the model.
A retried job is answered from the conversation the store keeps (the model is not asked again); the proposals'
pull requests and the reply are found by their branch and key, so nothing is opened or posted twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.adapters.claude import not_configured_hint
from bot.adapters.github.repo_reader import GitHubRepoReader
from bot.adapters.mcp_tools import McpModelTools
from bot.domain.commands import ChangeCommand, parse
from bot.domain.interpretation import Interpretation, ModelLimits, RequestNote
from bot.domain.markdown import code
from bot.domain.plain_replies import declined_reply, interpreted_heading, question_reply, unavailable_reply
from bot.errors import UserError
from bot.model_ports import LanguageModel
from bot.ports import CodeHost
from bot.services.context import Loop
from bot.services.conversation import converse
from bot.services.github_propose import propose_from_issue
from bot.services.interpreter import NaturalRequest, text_for_model
from bot.services.replies import ReplyInParts, ReplyTo, user_error_reply
from bot.tools.domain_servers import ToolSources
from bot.tools.endpoint import build_endpoint
from bot.tools.server import projects_in

__all__ = ["AskedOnGitHub", "answer_in_words"]


@dataclass(frozen=True)
class AskedOnGitHub:
    """A request in plain words: its words, who asked, on which issue or pull request, and the default branch."""

    repo: str
    number: int
    sender: str
    text: str
    default_branch: str
    on_pull_request: bool = False


def answer_in_words(
    asked: AskedOnGitHub,
    model: LanguageModel | None,
    limits: ModelLimits,
    loop: Loop,
    codehost: CodeHost,
    reply: ReplyTo,
    *,
    mention: str,
    refusal_of: Callable[[ChangeCommand], str | None],
) -> None:
    """Interpret the request and answer it once: the proposals opened, the model's question, or why not.

    `model` None means none is set up: the reply says how, and shows the grammar. `mention` is the App's, for the
    question's "answer with ..."; `refusal_of` is the refusal a typed command would get, or None, for each change the
    model proposes (a destroy may need more than create).
    """
    if model is None:
        reply.say(unavailable_reply(not_configured_hint()))
        return
    where = f"{'pull request' if asked.on_pull_request else 'issue'} #{asked.number} of {asked.repo}"
    # The tools read the default branch, as the pull requests they propose will start from it.
    reader = GitHubRepoReader(codehost, asked.repo, codehost.reference_commit(asked.repo, asked.default_branch))
    request = NaturalRequest(asked.sender, where, asked.text)
    with loop.store.audited(asked.sender, "interpret", {"repo": asked.repo, "issue": asked.number}) as audit:
        # The gateway over every domain, as `olympus ask` uses it: OLYMPUS_LLM_TOOLS says all at once or routed.
        with McpModelTools(build_endpoint(reader, ToolSources(list_projects=lambda: projects_in(reader)))) as tools:
            # One conversation per requester and issue: an answer to the model's question continues it, and a
            # redelivered job is answered from the store without asking the model again.
            interpreted, new = converse(
                loop.store, request, model, tools, limits,
                door="app", place=f"{asked.repo}#{asked.number}", turn=reply.key, now=loop.store.clock(),
            )  # fmt: skip
        audit.result = f"{interpreted.outcome}: {_cost(interpreted)}" if new else f"{interpreted.outcome}: replayed"
    if interpreted.outcome == "question":
        reply.say(question_reply(interpreted.text, mention))
    elif interpreted.outcome == "declined":
        reply.say(declined_reply(interpreted.text))
    elif interpreted.outcome == "unavailable":
        reply.say(unavailable_reply(not_configured_hint(), interpreted.text))
    else:
        _propose_each(asked, interpreted, loop, codehost, reply, refusal_of)


def _propose_each(
    asked: AskedOnGitHub,
    interpreted: Interpretation,
    loop: Loop,
    codehost: CodeHost,
    reply: ReplyTo,
    refusal_of: Callable[[ChangeCommand], str | None],
) -> None:
    commands = [proposal.command for proposal in interpreted.proposals]
    whole = ReplyInParts(reply, interpreted_heading(interpreted.model, commands))
    whole.say_heading()
    note = RequestNote(text_for_model(asked.text), interpreted.model or "the model")
    for index, line in enumerate(commands):
        part = whole.part(index)
        command = parse(line)
        if not isinstance(command, ChangeCommand):
            # The change tools return canonical change lines; anything else is never run.
            part.say(f"{code(line)} is not a change Olympus proposes; nothing was opened for it.")
            continue
        refused = refusal_of(command)
        if refused is not None:
            part.say(refused)
            continue
        try:
            propose_from_issue(
                loop,
                codehost,
                asked.repo,
                asked.number,
                command,
                asked.sender,
                asked.default_branch,
                reply=part,
                note=note,
            )
        except UserError as error:
            part.say(user_error_reply(error))


def _cost(interpreted: Interpretation) -> str:
    usage = interpreted.usage
    return f"{interpreted.model or 'no model'}, {usage.total} tokens, {interpreted.tool_calls} tool calls"
