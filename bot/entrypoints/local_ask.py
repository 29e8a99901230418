"""`olympus ask`: a request in plain words, interpreted by Claude into the `/infra` commands it means, then run."""

from __future__ import annotations

import uuid
from pathlib import Path

from bot.adapters.claude import limits_from_environment, model_from_environment, not_configured_hint
from bot.adapters.git_tree import GitTreeReader
from bot.adapters.health_probes import local_probes
from bot.adapters.mcp_tools import McpModelTools
from bot.domain.interpretation import Interpretation
from bot.domain.untrusted_text import visible_text
from bot.entrypoints.local_commands import run_request
from bot.entrypoints.local_loop import open_repo, repo_arg
from bot.entrypoints.terminal import OutputFormat
from bot.errors import UserError
from bot.services.conversation import converse
from bot.services.interpreter import NaturalRequest, is_command
from bot.tools.domain_servers import ToolSources
from bot.tools.endpoint import build_endpoint
from bot.tools.server import projects_in
from bot.wiring import build_local_loop, default_actor

__all__ = ["ask"]


def ask(
    repo: Path, text: str, *, sandbox: bool, base: str | None, actor: str | None, output: OutputFormat = "auto"
) -> int:
    """Interpret text and run each command it means, as `olympus run` would; an `/infra` command runs as typed."""
    if is_command(text):
        return run_request(repo, text, sandbox=sandbox, base=base, actor=actor, output=output)
    model = model_from_environment()
    if model is None:
        raise UserError(
            "llm-not-configured",
            "plain-language requests are read by Claude, and no Claude backend is set up",
            f"{not_configured_hint()}; or type the command: `olympus run{repo_arg(repo)} '/infra help'` lists them",
        )
    limits = limits_from_environment()
    git = open_repo(repo)
    ref = base if base and git.branch_exists(base) else git.default_branch()
    # The tools read the base branch, as the change `olympus run` makes from it will.
    reader = GitTreeReader(git, ref)
    request = NaturalRequest(actor or default_actor(), f"the local repository {git.root.name}", text)
    store = build_local_loop(git.root, say=lambda line: None).store
    # The gateway over every domain: OLYMPUS_LLM_TOOLS (limits.tools) says whether the model sees them all at once
    # or a domain first.
    gateway = build_endpoint(reader, ToolSources(list_projects=lambda: projects_in(reader), probes=local_probes()))
    with McpModelTools(gateway) as tools:
        # One conversation per person and repository: the answer to a question is the next `ask`.
        interpreted, _ = converse(
            store, request, model, tools, limits,
            door="cli", place=f"local:{git.root}", turn=uuid.uuid4().hex, now=store.clock(),
        )  # fmt: skip
    return _act(interpreted, repo, sandbox=sandbox, base=base, actor=actor, output=output)


def _act(
    interpreted: Interpretation, repo: Path, *, sandbox: bool, base: str | None, actor: str | None, output: OutputFormat
) -> int:
    # The model's words are shown as text only: no terminal escapes, no invisible characters.
    said = visible_text(interpreted.text)
    if interpreted.outcome == "unavailable":
        raise UserError("llm-unavailable", said, "try again later, or type the /infra command yourself")
    if interpreted.outcome == "declined":
        raise UserError(
            "request-declined", said, f"`olympus run{repo_arg(repo)} '/infra help'` lists what Olympus does"
        )
    if interpreted.outcome == "question":
        print(f"Olympus asks: {said}")
        print(f'Answer with `olympus ask{repo_arg(repo)} "ANSWER"` within a day: it continues this request.')
        return 0
    print(f"Interpreted by {interpreted.model} as:")
    for proposal in interpreted.proposals:
        print(f"  {proposal.command}")
    worst = 0
    for proposal in interpreted.proposals:
        worst = max(worst, run_request(repo, proposal.command, sandbox=sandbox, base=base, actor=actor, output=output))
    return worst
