"""The App's use cases on one pull request: plan it (checks + sticky comment), apply it through the gate, close it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.adapters.github.repo_reader import GitHubRepoReader
from bot.domain.app_report import APP_CHECK_PREFIX, applications_lines
from bot.domain.app_sources import touches_apps
from bot.domain.authorship import Push
from bot.domain.commands import Target
from bot.domain.findings import ScanReport
from bot.domain.gate import Blocked
from bot.domain.markdown import bullet_list, code, fence
from bot.domain.models import Finding
from bot.domain.policies.results import PolicyReport
from bot.domain.render import holder
from bot.errors import UserError
from bot.ports import CodeHost, PullRequestInfo
from bot.services.app_checks import app_work, plan_and_check_apps, start_app_checks
from bot.services.app_policies import app_policy_lines
from bot.services.apply_change import ApplyReport, apply_change
from bot.services.checkout import Checkout
from bot.services.context import Loop
from bot.services.github_checkout import change_id_of, pull_request_checkout
from bot.services.plan_change import PlanReport, ProjectPlan, plan_change
from bot.services.policy_reports import post_policy_checks
from bot.services.pull_request_review import PullRequestReview, read_pull_request_review
from bot.services.replies import ReplyTo, notice_key
from bot.services.repo_projects import affected_projects_of, select_projects
from bot.services.reporting import PULL_REQUEST_NEXT, apps_only_comment, comment_for

CHECK_PREFIX = "olympus/plan: "
CHECKS_RUN = "plan-checks"  # the store's record of a plan's check runs, from their creation to their completion
# An application's plan offers no apply: Argo CD syncs it once the pull request is merged.
APPS_NEXT = ("/infra plan",)


def requesters_of(loop: Loop, change_id: str, asker: str) -> tuple[str, ...]:
    """Whoever asked Olympus for the change, and whoever asks now (the gate adds the PR's author itself)."""
    people = {asker} | {run.actor for run in loop.store.runs_for(change_id) if run.command == "propose"}
    return tuple(sorted(people))


def plan_pull_request(
    loop: Loop,
    codehost: CodeHost,
    repo: str,
    number: int,
    *,
    only: str | Target | None = None,
    explicit: bool = False,
    extra_args: Sequence[str] = (),
    reply: ReplyTo | None = None,
    check_key: str = "",
) -> PlanReport | None:
    """Plan the PR's head; None when it touches no project (said in a comment only when someone asked).

    `reply` answers the command that asked (default: a notice keyed by the PR); `check_key` names this request in
    its check runs' external_id, so running the same job again completes the same check runs instead of adding some.
    One plan of a pull request runs at a time, across every worker and replica.
    """
    change_id = change_id_of(repo, number)
    notice = reply or ReplyTo(codehost, repo, number, notice_key(change_id, "plan"))
    with loop.store.one_at_a_time(f"plan {change_id}"):
        settle_interrupted_checks(loop, codehost, repo, change_id)
        pr = codehost.pull_request(repo, number)
        if pr.state != "open":
            # Its close may have been handled while a plan of it still ran and took locks: whoever sees it closed
            # releases them, so a closed pull request never keeps a project locked.
            close_pull_request(loop, repo, number)
            if explicit:
                notice.say(f"#{number} is {'merged' if pr.merged else 'closed'}, so there is nothing to plan.")
            return None
        if pr.is_fork:
            # Planning runs the PR's code (providers, external data sources): never with our credentials for a fork.
            notice.say(
                "Olympus does not plan pull requests from forks with this "
                "installation's credentials. Push the branch to this repository to have it planned."
            )
            return None
        checkout = pull_request_checkout(codehost, repo, pr, loop.state_dir, (loop.actor,))
        projects = affected_projects_of(checkout.reader, checkout.changed_files, checkout.restores)
        # Applications are planned with the whole pull request, not when a command names one project.
        apps = None
        if only is None and loop.apps is not None and touches_apps(checkout.changed_files):
            base = GitHubRepoReader(codehost, repo, pr.base_branch)  # read only when there are applications to plan
            apps = app_work(loop, base, checkout.reader, checkout.changed_files)
        if not projects and apps is None:
            if explicit:
                notice.say("This pull request changes no Terraform project, so there is nothing to plan.")
            return None
        if projects:
            projects = select_projects(projects, only)
        # Recorded before the check runs exist, finished once they are complete: a plan that never got there (its
        # worker was killed) is found by the next plan of the PR, which completes what it left in progress.
        checks_run = loop.store.start_run(change_id, CHECKS_RUN, loop.actor, pr.head_sha)
        checks = {
            p.name: codehost.create_check_run(
                repo,
                pr.head_sha,
                CHECK_PREFIX + p.name,
                status="in_progress",
                title="Planning",
                summary=f"Planning {p.dir}",
                external_id=check_key,
            )
            for p in projects
        }
        app_checks = start_app_checks(codehost, repo, pr.head_sha, apps.changes, check_key) if apps else {}
        report = plan_change(loop, checkout, only=only, extra_args=extra_args) if projects else None
        if report is not None:
            for planned in report.projects:
                finish_plan_check(codehost, repo, checks[planned.project.name], planned, report.scan)
        sections: list[str] = []
        app_policies = PolicyReport()
        if apps is not None:
            planned_apps = plan_and_check_apps(loop, codehost, repo, apps, change_id, pr.head_sha, app_checks)
            sections = applications_lines(planned_apps.plans, planned_apps.unreadable)
            app_policies = planned_apps.policies
        if report is not None:
            report.app_policies = app_policies  # the comment's Policies section and the checks hold both
        else:
            sections += app_policy_lines(app_policies)
        post_policy_checks(codehost, repo, pr.head_sha, report.policies if report else app_policies, check_key)
        every_check = sorted([*checks.values(), *app_checks.values()])
        loop.store.finish_run(checks_run, "completed", {"check_runs": every_check})
        if report is not None:
            parts = comment_for(report, PULL_REQUEST_NEXT, sections)
        else:
            parts = apps_only_comment(change_id, pr.head_sha, sections, APPS_NEXT)
        codehost.upsert_comment(repo, number, change_id, parts)
        if codehost.pull_request(repo, number).state != "open":
            close_pull_request(loop, repo, number)  # closed while it was planned: its close may have come first
        return report


def settle_interrupted_checks(loop: Loop, codehost: CodeHost, repo: str, change_id: str) -> int:
    """Complete, as cancelled, the plan check runs that an interrupted plan of the change left in progress.

    Called while holding the change's plan mutex, so no live plan of it is running: an unfinished record is a dead
    one's. GitHub would otherwise show those commits as being planned forever. Returns how many were completed.
    """
    settled = 0
    for run in loop.store.runs_for(change_id):
        if run.command != CHECKS_RUN or run.result is not None:
            continue
        unfinished = [
            check_run_id
            for prefix in (CHECK_PREFIX, APP_CHECK_PREFIX)
            for check_run_id in codehost.unfinished_check_runs(repo, run.commit, prefix)
        ]
        for check_run_id in unfinished:
            codehost.update_check_run(
                repo,
                check_run_id,
                conclusion="cancelled",
                title="Interrupted",
                summary="Olympus stopped before this plan finished; the newest plan of the pull request replaces it.",
            )
            settled += 1
        loop.store.finish_run(run.id, "interrupted", {})
    return settled


def finish_plan_check(codehost: CodeHost, repo: str, check_id: int, planned: ProjectPlan, scan: ScanReport) -> None:
    """Complete a project's plan check run: the counts, the findings as annotations, and the plan's SHA-256."""
    summary = planned.summary
    ours = [f for f in scan.findings if _inside(f, planned.project.dir)]
    # The title is plain text; summary and text are markdown, so what came from elsewhere is escaped or fenced there.
    if planned.locked_by:
        conclusion, title = "failure", f"Locked by {planned.locked_by}"
        headline = f"Locked by {holder(planned.locked_by)}"
    elif summary is None or summary.errored:
        conclusion, title = "failure", "The plan failed"
        headline = title
    else:
        counts = summary.counts
        conclusion = "success"
        title = headline = f"{counts.add} to add, {counts.change} to change, {counts.destroy} to destroy"
    # Redacted before it is cut to GitHub's limit: a secret cut in two would no longer be recognized.
    redact = planned.sensitive.redact
    text = "\n".join(fence(redact(planned.error), limit=60_000)) if planned.error else ""
    plan_hash = f" Plan SHA-256 `{planned.sha256}`." if conclusion == "success" and planned.sha256 else ""
    codehost.update_check_run(
        repo,
        check_id,
        status="completed",
        conclusion=conclusion,
        title=redact(title),
        summary=redact(f"{headline}. {len(ours)} scanner findings.{plan_hash}"),
        text=text,
        annotations=[planned.sensitive.redact_fields(f) for f in ours],
    )


def _inside(finding: Finding, directory: str) -> bool:
    return directory in (".", "") or finding.file.startswith(directory.rstrip("/") + "/")


def reviewed_checkout(
    loop: Loop, codehost: CodeHost, repo: str, pr: PullRequestInfo, asker: str
) -> tuple[Checkout, PullRequestReview]:
    """The PR at its head, with who asked for it and who wrote it, and its review facts, for the gate."""
    change_id = change_id_of(repo, pr.number)
    checkout = pull_request_checkout(codehost, repo, pr, loop.state_dir, requesters_of(loop, change_id, asker))
    # The same builder as the Action's apply job; here the pushes are the ones this App's webhooks recorded.
    pushes = [Push(p.pusher, p.head) for p in loop.store.pushes_for(repo, pr.head_branch, change_id)]
    review = read_pull_request_review(codehost, repo, pr, pushes=pushes, changed_files=checkout.changed_files)
    return replace(checkout, contributors=review.contributors), review


def apply_pull_request(
    loop: Loop,
    codehost: CodeHost,
    repo: str,
    number: int,
    *,
    asker: str,
    only: str | Target | None = None,
    extra_args: Sequence[str] = (),
    reply: ReplyTo | None = None,
) -> ApplyReport:
    """Apply the reviewed plans of the PR through the gate, and say what happened on the PR (through `reply`)."""
    change_id = change_id_of(repo, number)
    with loop.store.one_at_a_time(f"plan {change_id}"):
        answer = reply or ReplyTo(codehost, repo, number, notice_key(change_id, "apply"))
        pr = codehost.pull_request(repo, number)
        if pr.state != "open":
            raise UserError("pull-request-closed", f"#{number} is {pr.state}", "apply from an open pull request")
        checkout, review = reviewed_checkout(loop, codehost, repo, pr, asker)
        report = apply_change(
            loop, checkout, only=only, approvals=review.approvals, pull_request=review.facts, extra_args=extra_args
        )
        _say_applied(answer, pr.head_sha, report)
    return report


def _say_applied(answer: ReplyTo, head: str, report: ApplyReport) -> None:
    if isinstance(report.decision, Blocked):
        reasons = bullet_list(report.decision.reasons)
        answer.say(f"**Apply refused** for `{head[:12]}`:\n\n{reasons}")
    elif report.error:
        answer.say(
            f"**Apply failed**: the error is in the Olympus log.\n\n"
            f"Applied before the failure: {_projects(report.applied) or 'nothing'}. Fix the "
            "cause, push, and `/infra plan` again; comment `/infra diagnose` for a proposed fix.",
        )
    else:
        approvers = ", ".join(f"@{a}" for a in report.decision.approvers)
        answer.say(f"**Applied** {_projects(report.applied)} at `{head[:12]}` (approved by {approvers}).")


def _projects(names: Sequence[str]) -> str:
    return ", ".join(code(name) for name in names)


def close_pull_request(loop: Loop, repo: str, number: int) -> int:
    """A merged or closed PR releases its locks and its saved plans."""
    change_id = change_id_of(repo, number)
    with loop.store.audited(loop.actor, "release-locks", {"change": change_id, "why": "pull request closed"}):
        released = loop.store.release_locks_of(change_id)
        loop.store.discard_plans(change_id)
    return int(released)
