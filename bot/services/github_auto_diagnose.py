"""A pull request's failed plan or apply diagnosed without `/infra diagnose`, where the repository turned it on.

The App's worker and the Action's plan and apply jobs call it with what failed; the reply is the pull request's
diagnosis notice, edited in place at each new failed commit.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.adapters.github.repo_reader import GitHubRepoReader
from bot.domain.interpretation import ModelLimits
from bot.model_ports import LanguageModel
from bot.ports import CodeHost
from bot.services.auto_diagnose import auto_heading, once_per_commit, should_diagnose
from bot.services.context import Loop
from bot.services.fix_evidence import recorded_failures
from bot.services.github_checkout import change_id_of
from bot.services.github_diagnose import Diagnosed, diagnose_pull_request
from bot.services.replies import ReplyTo, notice_key

DIAGNOSE_NOTICE = "diagnose"


def diagnose_failed_pull_request(
    loop: Loop,
    codehost: CodeHost,
    repo: str,
    number: int,
    *,
    step: str,
    failed: Sequence[str],
    head: str,
    model: LanguageModel | None,
    limits: ModelLimits,
    output: str = "",
) -> list[Diagnosed] | None:
    """Run the fix loop on the projects whose `step` (plan, apply) failed at head, once per commit; None when it did
    not run (no failure, no model, the `.olympus.yaml` of the pull request's base leaves it off, or done already).
    A failed apply's `output` is its evidence: the apply is never run again to see it."""
    base: list[GitHubRepoReader] = []  # made once, and only when the setting must be read

    def read_base(path: str) -> str | None:
        base[:] = base or [_base_of(codehost, repo, number)]
        return base[0].read_text(path)

    if not should_diagnose(failed, model, read_base):
        return None
    change_id = change_id_of(repo, number)
    with once_per_commit(loop.store, change_id, head, loop.actor) as first:
        if not first:
            return None
        reply = ReplyTo(codehost, repo, number, notice_key(change_id, DIAGNOSE_NOTICE))
        return diagnose_pull_request(
            loop, codehost, repo, number, model=model, limits=limits, only=None, reply=reply, among=failed,
            heading=auto_heading(step, failed, head, "comment `/infra diagnose`"),
            recorded=recorded_failures(step, failed, output),
        )  # fmt: skip


def _base_of(codehost: CodeHost, repo: str, number: int) -> GitHubRepoReader:
    return GitHubRepoReader(codehost, repo, codehost.pull_request(repo, number).base_branch)
