"""Turn an /infra create, update or destroy on an issue (typed, or read from plain words) into one PR, then plan it."""

from __future__ import annotations

from bot.adapters.github.repo_reader import GitHubRepoReader
from bot.domain.branches import branch_of
from bot.domain.commands import ChangeCommand, render_command, to_tool_call
from bot.domain.interpretation import RequestNote
from bot.domain.markdown import escape_text, fence, quoted
from bot.domain.models import ChangeSet, Refusal
from bot.ports import CodeHost, PullRequestInfo
from bot.services.context import Loop
from bot.services.github_checkout import change_id_of
from bot.services.propose_change import change_or_refusal, commit_message
from bot.services.pull_requests import plan_pull_request
from bot.services.replies import Answer, ReplyTo
from bot.services.tool_calls import call_tool
from bot.tools.server import build_server

LABELS = ("olympus", "infrastructure")


def propose_from_issue(
    loop: Loop,
    codehost: CodeHost,
    repo: str,
    issue: int,
    command: ChangeCommand,
    sender: str,
    default_branch: str,
    *,
    reply: Answer | None = None,
    note: RequestNote | None = None,
    repo_url: str = "",
) -> int | None:
    """Open (or find) the PR for the request, reply with its link, and plan it; the PR's number, or None.

    Run again (a retried job), it finds the PR the first run opened: the request is then unchanged, and the reply
    says where it is proposed and the PR is planned, as the first run would have finished doing. `note` says the
    command was read from plain words: the PR's description then quotes them and names the model. `repo_url` is the
    repository's clone URL, which a new Argo CD Application's source names.
    """
    answer = reply or ReplyTo(codehost, repo, issue, f"reply/propose-{branch_of(command)}")
    command_line = render_command(command)
    branch = branch_of(command)
    tool, args = to_tool_call(command)
    existing = codehost.find_pull_request(repo, branch)
    # The tools read the PR's head when the request was made before, so asking again is recognized as done.
    ref = existing.head_sha if existing else codehost.reference_commit(repo, default_branch)
    with loop.store.audited(sender, "propose", {"repo": repo, "issue": issue, "command": command_line}) as outcome:
        result = change_or_refusal(
            call_tool(build_server(GitHubRepoReader(codehost, repo, ref), repo_url=repo_url), tool, args)
        )
        if isinstance(result, Refusal):
            outcome.result = "refused"
            where = f"\n\nSee `{result.location}`." if result.location else ""
            hint = f"\n\n{result.hint}" if result.hint else ""
            answer.say("\n".join(fence(result.message)) + hint + where)
            return None
        if result.unchanged:
            outcome.result = "unchanged"
            where = f" It is proposed in #{existing.number}." if existing else ""
            answer.say(f"Nothing to change: {result.description}{where}")
            if existing is None:
                return None
            # Whoever asks for a change is one of its requesters, who may not approve it; a first run killed between
            # opening the PR and recording that is made good here.
            run = loop.store.start_run(change_id_of(repo, existing.number), "propose", sender, existing.head_sha)
            loop.store.finish_run(run, "unchanged", {"issue": issue, "branch": branch})
            pr = existing
        else:
            pr = _open_pull_request(codehost, repo, default_branch, branch, issue, sender, command_line, result, note)
            run = loop.store.start_run(change_id_of(repo, pr.number), "propose", sender, pr.head_sha)
            loop.store.finish_run(run, "ok", {"issue": issue, "branch": branch})
            answer.say(f"Opened #{pr.number} for `{command_line}`; the plan will be posted there.")
    plan_pull_request(loop, codehost, repo, pr.number, check_key=answer.key)
    return pr.number


def _open_pull_request(
    codehost: CodeHost,
    repo: str,
    default_branch: str,
    branch: str,
    issue: int,
    sender: str,
    command_line: str,
    result: ChangeSet,
    note: RequestNote | None = None,
) -> PullRequestInfo:
    """Commit the change on its branch and open its pull request (or find it, when a first try got that far)."""
    if note is None:
        asked = [f"Requested by @{sender}:", "", *fence(command_line)]
    else:
        # The words are the requester's and the model's reading of them is not a reviewer's: both shown as text.
        asked = [
            f"Requested by @{sender} in plain words:",
            "",
            quoted(note.request),
            "",
            f"Interpreted by {escape_text(note.model)} as:",
            "",
            *fence(command_line),
        ]
    body = "\n".join([f"Closes #{issue}", "", *asked, "", result.description])
    return codehost.open_change(
        repo,
        default_branch,
        branch,
        list(result.files),
        commit_message(result, command_line, sender),
        title=result.title,
        body=body,
        labels=LABELS,
    )
