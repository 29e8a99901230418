"""`/infra fix drift [restore|adopt]` in a drift issue: one pull request out of the project's drift, then its plan.

restore keeps the code: an empty commit (the base's own tree) whose trailer names the project, so the pull
request plans it although no file changed, and its apply puts reality back. adopt re-reads reality (the check's
record keeps no values) and changes the drifted module calls' options as `/infra update` does, so the plan shows no
changes. Either is approved and applied through the gate as usual; the issue closes when a check finds it clean.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from typing import Any

from bot.adapters.github.repo_reader import GitHubRepoReader
from bot.changes.drift_adoption import Adopted, adopt, with_imports
from bot.domain.branches import fix_drift_branch
from bot.domain.commands import FixDrift, render_command
from bot.domain.drift import DriftCheck, DriftReport, DriftStatus, drift_marker_of, first_error_line
from bot.domain.drift.fixes import adoption_of, restores_trailer
from bot.domain.drift.report import OUTSIDE
from bot.domain.drift.way_out import WayOut
from bot.domain.markdown import code, fence
from bot.domain.models import Project, Refusal
from bot.errors import UserError
from bot.ports import CodeHost, PullRequestInfo
from bot.services.context import Loop
from bot.services.drift_issues import DRIFT_LABEL
from bot.services.drift_sweep import SweptTree, sweep_drift
from bot.services.fix_triggers import mark_drift_fix_asked
from bot.services.github_checkout import change_id_of, materialize
from bot.services.github_propose import LABELS
from bot.services.pull_requests import plan_pull_request
from bot.services.replies import ReplyTo
from bot.services.repo_projects import projects_of

# The drifted resources a restore's description lists; the plan shows them all.
_LISTED = 30
_RESTORE_INSTEAD = "restore it instead with `/infra fix drift restore`, or change the code by hand in a pull request"


def fix_drift_in_issue(
    loop: Loop,
    codehost: CodeHost,
    repo: str,
    issue: Mapping[str, Any],
    command: FixDrift,
    sender: str,
    default_branch: str,
    reply: ReplyTo,
) -> int:
    """Open (or find) the pull request out of the issue's drift, reply with its link, and plan it; its number.

    Asked again (a retried job, or twice), it finds the same branch and pull request: the restore's commit is the
    same commit while the base has not moved, the adopt's the same files.
    """
    project, check = _drifted_project(loop, codehost, repo, issue, default_branch)
    number = int(issue["number"])
    proposed = str(check.detail.get("way_out") or "")
    ways = {w.value: w for w in WayOut}
    way = ways.get(command.way or proposed, WayOut.RESTORE)  # an unreadable record proposes the safe way
    line = render_command(FixDrift(way.value))
    with loop.store.audited(sender, "fix-drift", {"repo": repo, "issue": number, "project": project.name}) as outcome:
        if way is WayOut.RESTORE:
            pr = _restore(codehost, repo, default_branch, project, check, number, sender, line)
        else:
            pr = _adopt(loop, codehost, repo, default_branch, project, number, sender, line)
        outcome.result = f"#{pr.number}"
        # Whoever asks for the fix is one of its requesters, who may not approve it.
        run = loop.store.start_run(change_id_of(repo, pr.number), "propose", sender, pr.head_sha)
        loop.store.finish_run(run, "ok", {"issue": number, "branch": pr.head_branch})
        # The offer taken: the attempt follows the fix to its pull request, whose apply marks whether it held.
        mark_drift_fix_asked(
            loop.store, loop.repo_id, change_id_of(repo, number), pr.number, change_id_of(repo, pr.number)
        )
    reply.say(f"Opened #{pr.number} for `{line}` in {code(project.name)}; the plan will be posted there.")
    plan_pull_request(loop, codehost, repo, pr.number, check_key=reply.key)
    return pr.number


def _drifted_project(
    loop: Loop, codehost: CodeHost, repo: str, issue: Mapping[str, Any], default_branch: str
) -> tuple[Project, DriftCheck]:
    """The project the drift issue is about, and its latest check, which must have found drift."""
    # A drift issue as drift_issues.py finds one: open, labelled, its body starting with the marker (read from
    # GitHub, not from the event: the body may have changed since).
    number = int(issue["number"])
    labelled = [] if issue.get("pull_request") else codehost.issues_labelled(repo, DRIFT_LABEL)
    body = next((i.body for i in labelled if i.number == number), None)
    marked = drift_marker_of(body) if body is not None else None
    if marked is None:
        raise UserError(
            "not-a-drift-issue",
            "`/infra fix drift` works only in an open drift issue: this is not one Olympus opened",
            f"comment it in the issue Olympus opened for the drifted project (labelled `{DRIFT_LABEL}`)",
        )
    marked_repo, name = marked
    if marked_repo != repo:
        # The marker is the issue's text, which anyone may write: it is shown only inside the fenced message.
        raise UserError(
            "drift-issue-of-another-repository",
            f"this drift issue is about the repository {marked_repo}, not {repo}",
            "comment `/infra fix drift` in the drift issue of the repository that drifted",
        )
    reader = GitHubRepoReader(codehost, repo, codehost.reference_commit(repo, default_branch))
    project = next((p for p in projects_of(reader) if p.name == name), None)
    if project is None:
        raise UserError(
            "unknown-project",
            f"{default_branch} has no Terraform project named {name!r}",
            "the project may have been removed or renamed since the issue was opened; close the issue",
        )
    check = next((c for c in loop.store.drift_checks(repo) if c.project == name), None)
    if check is None or check.status is not DriftStatus.DRIFTED:
        last = f"found it {check.status.value} at {check.checked_at:%Y-%m-%d %H:%M} UTC" if check else "never ran"
        raise UserError(
            "no-drift",
            f"the last drift check of {name} {last}: there is no drift to fix",
            "Olympus updates the issue at its next check, and closes it when the project is clean",
        )
    return project, check


def _restore(
    codehost: CodeHost,
    repo: str,
    base: str,
    project: Project,
    check: DriftCheck,
    issue: int,
    sender: str,
    line: str,
) -> PullRequestInfo:
    """An empty commit naming the project in its trailer, and its pull request."""
    title = f"Restore {project.name} as its code says (drift)"
    message = (
        f"{title}\n\nThe cloud changed outside Terraform; this change's apply puts it back as the code says.\n\n"
        f"Olympus-Command: {line}\nRequested-by: {sender}\n{restores_trailer(project.name)}\n"
    )
    addresses = [entry for entry in check.detail.get("addresses") or [] if isinstance(entry, dict)]
    listed = [_drifted_line(entry) for entry in addresses[:_LISTED]]
    if len(addresses) > _LISTED:
        listed.append(f"- … and {len(addresses) - _LISTED:,} more")
    body = "\n".join(
        [
            f"Drift issue: #{issue}",
            "",
            f"Requested by @{sender}:",
            "",
            *fence(line),
            "",
            f"{code(project.name)} ({code(project.dir)}) changed outside Terraform, as found by the check at "
            f"{check.checked_at:%Y-%m-%d %H:%M} UTC:",
            "",
            *listed,
            "",
            "**restore** keeps the code: this pull request changes no file. Its commit names the project "
            f"(`{restores_trailer(project.name)}`), so Olympus plans it; the plan shows what the apply puts back. "
            "Approve it and `/infra apply` as usual; the drift issue closes once a check finds the project clean.",
        ]
    )
    branch = fix_drift_branch(project.name, WayOut.RESTORE.value)
    return codehost.open_change(repo, base, branch, [], message, title=title, body=body, labels=LABELS)


def _drifted_line(entry: Mapping[str, Any]) -> str:
    address = code(str(entry.get("address", "")))
    if entry.get("action") == "delete":
        return f"- {address}: deleted outside Terraform"
    if entry.get("action") == OUTSIDE:
        return f"- {address}: created outside Terraform (the code declares it; the state does not have it)"
    attributes = [code(str(name)) for name in entry.get("attributes") or []]
    return f"- {address}: " + (", ".join(attributes) if attributes else str(entry.get("action", "changed")))


def _adopt(
    loop: Loop, codehost: CodeHost, repo: str, base: str, project: Project, issue: int, sender: str, line: str
) -> PullRequestInfo:
    """Reality read again, carried into the drifted module calls' options, as one commit and its pull request."""
    head = codehost.reference_commit(repo, base)
    reader = GitHubRepoReader(codehost, repo, head)
    report = _check_again(loop, reader, head, project)
    changed = [resource for resource in report.resources if resource.action != OUTSIDE]
    adopted = Adopted((), (), ())
    if changed:
        adoption = adoption_of(changed)
        if not adoption.possible:
            reasons = "\n".join(f"- {problem}" for problem in adoption.problems) or "- nothing drifted can be adopted"
            raise UserError(
                "adopt-not-possible",
                f"Olympus cannot adopt the drift in {project.name}: only settings of module calls Olympus generates "
                f"(versioning, instance type, a function's runtime, memory and timeout), and resources the code "
                f"declares that were created outside Terraform, can be carried into the code.\n{reasons}",
                _RESTORE_INSTEAD,
            )
        found = adopt(reader, project.dir, adoption.options)
        if isinstance(found, Refusal):
            hint = "; ".join(part for part in (found.hint.rstrip("."), _RESTORE_INSTEAD) if part)
            raise UserError("adopt-not-possible", found.message, hint)
        adopted = found
    if report.imports:
        adopted = with_imports(reader, project.dir, adopted, report.imports)
    if not adopted.files:
        raise UserError(
            "nothing-to-adopt",
            f"the code of {project.name} already says what the cloud has; only Terraform's state is behind",
            "`/infra fix drift restore`: its apply changes nothing in the cloud and brings the state up to date",
        )
    title = f"Adopt the drift in {project.name} into its code"
    message = f"{title}\n\n" + "\n".join(adopted.updates) + f"\n\nOlympus-Command: {line}\nRequested-by: {sender}\n"
    return codehost.open_change(
        repo,
        base,
        fix_drift_branch(project.name, WayOut.ADOPT.value),
        list(adopted.files),
        message,
        title=title,
        body=_adopt_body(project, issue, sender, line, adopted),
        labels=LABELS,
    )


def _check_again(loop: Loop, reader: GitHubRepoReader, head: str, project: Project) -> DriftReport:
    """The project's drift as the cloud has it now, values included (the store keeps none); recorded as a check."""
    workdir = loop.state_dir / "checkouts" / "fix-drift" / head
    try:
        materialize(reader, workdir)
        (report,) = sweep_drift(loop, SweptTree(head, reader, workdir), [project], limit=1)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if report.status is DriftStatus.LOCKED:
        raise UserError(
            "project-locked",
            f"{project.name} is locked by {report.locked_by}, so Olympus does not read its drift now",
            "comment again once that change is merged or closed",
        )
    if report.status is DriftStatus.ERROR:
        raise UserError(
            "drift-check-failed",
            f"the drift check of {project.name} failed: {first_error_line(report.error)}",
            "fix what Terraform's error says (`olympus drift` shows it too), then comment again",
        )
    if report.status is not DriftStatus.DRIFTED:
        raise UserError(
            "no-drift",
            f"a drift check of {project.name} just now found it {report.status.value}: there is no drift to adopt",
            "Olympus updates the issue at its next check, and closes it when the project is clean",
        )
    return report


def _adopt_body(project: Project, issue: int, sender: str, line: str, adopted: Adopted) -> str:
    return "\n".join(
        [
            f"Drift issue: #{issue}",
            "",
            f"Requested by @{sender}:",
            "",
            *fence(line),
            "",
            f"**adopt** changes the code of {code(project.name)} to match what the cloud has now, through the same "
            "change as these commands:",
            "",
            *fence("\n".join(adopted.updates)),
            "",
            *_joined(adopted.descriptions),
            "The plan should show no changes: the code now says what the cloud already has. Its apply (approved as "
            "usual) brings Terraform's state up to date; the drift issue closes once a check finds the project "
            "clean.",
        ]
    )


def _joined(descriptions: Sequence[str]) -> list[str]:
    return [line for description in descriptions for line in (description.strip(), "")]
