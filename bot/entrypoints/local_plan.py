"""The CLI's plan of a change branch: its Terraform projects and its applications, printed and written."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from bot.adapters.git_tree import GitTreeReader
from bot.domain.app_report import applications_lines
from bot.domain.commands import Target
from bot.domain.policies.results import PolicyReport
from bot.entrypoints.local_loop import repo_arg
from bot.entrypoints.terminal import OutputFormat, StepProgress, console_for, wants_rich
from bot.errors import UserError
from bot.services.app_checks import app_work, plan_app_work
from bot.services.app_policies import app_policy_lines
from bot.services.context import Loop
from bot.services.local_checkout import local_checkout, release_finished_locks
from bot.services.local_readiness import require_scanners
from bot.services.plan_change import PlanReport, plan_change
from bot.services.repo_projects import affected_projects_of
from bot.services.reporting import local_next_steps, write_apps_outputs, write_plan_outputs

__all__ = ["plan_and_report", "raise_for_failures"]


def plan_and_report(
    loop: Loop,
    progress: StepProgress,
    branch: str,
    base: str,
    repo: Path,
    only: str | Target | None = None,
    output: OutputFormat = "auto",
    extra_args: Sequence[str] = (),
) -> int:
    """Plan the branch's Terraform projects and its applications, print the comment, and write it with SARIF."""
    require_scanners(loop)  # found (or installed) before a lock is taken: a missing one leaves nothing behind
    release_finished_locks(loop, base)
    try:
        with local_checkout(loop, branch, base) as checkout:
            # Applications are planned with the whole change, not when a command names one project.
            apps = None if only is not None else app_work(loop, base_reader(loop, base), checkout.reader,
                                                           checkout.changed_files)  # fmt: skip
            terraform = apps is None or bool(affected_projects_of(checkout.reader, checkout.changed_files))
            report = plan_change(loop, checkout, only=only, extra_args=extra_args) if terraform else None
            planned_apps = plan_app_work(loop, apps, branch, checkout.head) if apps is not None else None
            head = checkout.head
    finally:
        progress.done()
    progress.times(loop.stopwatch.split())
    sections = applications_lines(planned_apps.plans, planned_apps.unreadable) if planned_apps else []
    app_policies = planned_apps.policies if planned_apps else PolicyReport()
    if report is not None:
        report.app_policies = app_policies  # the comment's Policies section holds both
    else:
        sections += app_policy_lines(app_policies)
    if report is None:
        comment_path = write_apps_outputs(
            loop, branch, head, sections, (f"olympus plan{repo_arg(repo)} --branch {branch}",)
        )
        print("\n".join(sections))
        print(f"\ncomment written to {comment_path}")
    else:
        steps = local_next_steps(report, repo_arg(repo))
        reader = GitTreeReader(loop.local_git, head)  # the policies' SARIF points at the head's files
        try:
            outputs = write_plan_outputs(loop, report, steps, sections, reader)
        finally:
            reader.close()
        if wants_rich(output):
            from bot.entrypoints.terminal_report import plan_renderable

            console = console_for(sys.stdout, rich=True)
            console.print(plan_renderable(report, steps))
            if sections:
                print("\n".join(sections))
            console.print(f"[dim]comment: {outputs.comment_path}\nSARIF:   {outputs.sarif_path}[/dim]", highlight=False)
        else:
            print(outputs.parts[0])
            print(f"\ncomment written to {outputs.comment_path}; SARIF written to {outputs.sarif_path}")
        if report.failed:
            from bot.entrypoints.local_diagnose import diagnose_failed_change  # only a failed plan needs it

            try:
                names = [p.project.name for p in report.failed]
                diagnose_failed_change(loop, branch, base, step="plan", failed=names, head=report.head)
            finally:
                progress.done()
        raise_for_failures(report, repo)
    if planned_apps is not None and not planned_apps.ok:
        failed = ", ".join(plan.name for plan in planned_apps.plans if plan.failures) or "unreadable Applications"
        raise UserError(
            "app-plan-failed",
            f"the plan of {failed} found problems (the comment above says which)",
            f"fix the chart, values or Application, then `olympus plan{repo_arg(repo)} --branch {branch}`",
        )
    return 0


def base_reader(loop: Loop, base: str) -> GitTreeReader:
    """The base branch's tree, which the applications' base renders read."""
    return GitTreeReader(loop.local_git, base)


def raise_for_failures(report: PlanReport, repo: Path) -> None:
    """A lock held by another change or a failed Terraform step ends the command as a user error (exit 2)."""
    locked = [p for p in report.projects if p.locked_by]
    if locked:
        holder = locked[0].locked_by
        names = ", ".join(p.project.name for p in locked)
        where = repo_arg(repo)
        raise UserError(
            "locked",
            f"{names} {'is' if len(locked) == 1 else 'are'} locked by {holder}, another change planned before this one",
            f"merge that change (`olympus merge{where} --branch {holder}`) or release its locks "
            f"(`olympus unlock{where} --branch {holder}`), then `olympus plan{where} --branch {report.branch}`",
        )
    failed = [p for p in report.projects if p.error or p.summary is None or p.summary.errored]
    if not failed:
        return
    first = failed[0]
    if first.failure is None:
        raise UserError(
            "terraform-failed",
            f"the plan of {first.project.name} errored (see the comment above)",
            f"fix the project's code, then `olympus plan{repo_arg(repo)} --branch {report.branch}`",
        )
    names = ", ".join(p.project.name for p in failed)
    # Failures of one kind can differ in what they name (each project's own module, say): say each once.
    code = first.failure.code
    summaries = dict.fromkeys(p.failure.summary for p in failed if p.failure is not None and p.failure.code == code)
    raise UserError(code, f"{'; '.join(summaries)} ({names}); see the error above", first.failure.hint)
