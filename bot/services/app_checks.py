"""A pull request's applications in its plan: found at base and head, planned, a check run each, all audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.app_changes import AppChange
from bot.domain.app_plans import AppPlan
from bot.domain.app_report import APP_CHECK_PREFIX, app_check
from bot.domain.app_sources import touches_apps
from bot.ports import CodeHost, RepoReader
from bot.services.app_policies import judge_apps
from bot.services.context import Loop
from bot.services.plan_apps import AppsPlan, find_app_changes, plan_applications

__all__ = [
    "APP_CHECK_PREFIX",
    "AppWork",
    "app_work",
    "finish_app_checks",
    "plan_and_check_apps",
    "plan_app_work",
    "start_app_checks",
]


@dataclass(frozen=True)
class AppWork:
    """The applications a change touches, and the trees to render them from."""

    changes: tuple[AppChange, ...]
    unreadable: tuple[tuple[str, str], ...]
    base: RepoReader
    head: RepoReader


def app_work(loop: Loop, base: RepoReader, head: RepoReader, changed_files: Sequence[str]) -> AppWork | None:
    """What the change gives the application plan to do; None when it touches no application (or the loop plans
    none: loop.apps unset)."""
    if loop.apps is None or not touches_apps(tuple(changed_files)):
        return None
    changes, unreadable = find_app_changes(base, head, changed_files)
    if not changes and not unreadable:
        return None
    return AppWork(changes, tuple(unreadable), base, head)


def plan_app_work(loop: Loop, work: AppWork, change_id: str, head_sha: str) -> AppsPlan:
    """Plan the applications (bot.services.plan_apps), recorded as a run and in the audit log."""
    assert loop.apps is not None  # app_work found work only with checkers
    names = [change.ref.application for change in work.changes]
    with loop.store.audited(loop.actor, "plan-apps", {"change": change_id, "commit": head_sha, "apps": names}) as done:
        run_id = loop.store.start_run(change_id, "plan-apps", loop.actor, head_sha)
        plans = plan_applications(loop.apps, work.changes, work.base, work.head)
        report = AppsPlan(plans, list(work.unreadable), judge_apps(loop, work.base, work.head, plans))
        failed = [plan.name for plan in plans if plan.failures]
        done.result = "ok" if report.ok else "failed: " + ", ".join(failed or ["unreadable Applications"])
        loop.store.save_findings(run_id, [finding for plan in plans for finding in plan.findings])
        loop.store.finish_run(run_id, done.result, {"apps": names})
    return report


def plan_and_check_apps(
    loop: Loop,
    codehost: CodeHost | None,
    repo: str,
    work: AppWork,
    change_id: str,
    head_sha: str,
    checks: Mapping[str, int],
) -> AppsPlan:
    """Plan the applications and complete the check runs start_app_checks began for them; the App's and the
    Action's plan of a pull request share this step (no code host: the Action has no token, so no check run)."""
    planned = plan_app_work(loop, work, change_id, head_sha)
    if codehost is not None:
        finish_app_checks(codehost, repo, checks, planned.plans)
    return planned


def start_app_checks(
    codehost: CodeHost, repo: str, head_sha: str, changes: Sequence[AppChange], check_key: str = ""
) -> dict[str, int]:
    """One in-progress check run per application, by its Application's name."""
    return {
        change.ref.application: codehost.create_check_run(
            repo,
            head_sha,
            APP_CHECK_PREFIX + change.ref.application,
            status="in_progress",
            title="Rendering",
            summary=f"Rendering {change.ref.application} at base and head",
            external_id=check_key,
        )
        for change in changes
    }


def finish_app_checks(codehost: CodeHost, repo: str, checks: Mapping[str, int], plans: Sequence[AppPlan]) -> None:
    """Complete each application's check run: failing on render, lint or schema errors or a HIGH finding."""
    for plan in plans:
        check = app_check(plan)
        codehost.update_check_run(
            repo,
            checks[plan.name],
            status="completed",
            conclusion=check.conclusion,
            title=check.title,
            summary=check.summary,
            text=check.text,
            annotations=list(plan.findings),
        )
