"""Plan a change: affected projects → lock → init/plan/show → summary, with the scans alongside, all recorded."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.commands import Target
from bot.domain.findings import ScanReport
from bot.domain.projects import build_module_graph
from bot.domain.sensitive import SensitiveValues
from bot.errors import UserError
from bot.services.checkout import Checkout
from bot.services.context import Loop
from bot.services.parallelism import plan_limit
from bot.services.plan_projects import plan_projects
from bot.services.plan_report import PlanReport, ProjectPlan, discard_plan_files, init_args, slug
from bot.services.policy_check import policy_judge
from bot.services.repo_projects import affected_projects_of, module_dirs_of, repo_config, select_projects
from bot.services.scan_alongside import scanning_alongside
from bot.services.step_times import StepTimes

__all__ = [
    "PlanReport",
    "ProjectPlan",
    "discard_plan_files",
    "init_args",
    "plan_change",
    "redacted_scan",
    "slug",
]


def plan_change(
    loop: Loop, checkout: Checkout, *, only: str | Target | None = None, extra_args: Sequence[str] = ()
) -> PlanReport:
    """Plan and scan every project the change touches (or only those named), at its head commit.

    Projects are planned several at once (loop.parallel_plan, lowered by `.olympus.yaml`'s `parallel_plan`) while
    the scanners scan; results come in the projects' order. `extra_args` (what followed `--` in `/infra plan`,
    already checked against the blocked flags) go to `terraform plan`.
    """
    projects = affected_projects_of(checkout.reader, checkout.changed_files, checkout.restores)
    if not projects:
        raise UserError(
            "nothing-to-plan",
            f"{checkout.change_id} changes no Terraform project ({len(checkout.changed_files)} files changed)",
            "make a change with `/infra create ...`, or plan a branch that changes Terraform files",
        )
    projects = select_projects(projects, only)
    config = repo_config(checkout.reader)
    limit = plan_limit(loop.parallel_plan, config.parallel_plan if config is not None else None)
    graph = build_module_graph(checkout.reader.list_files(), checkout.reader.read_text)
    modules = {p.name: module_dirs_of(checkout.reader, p, graph) for p in projects}
    scan_dirs = sorted({d for p in projects for d in (p.dir, *modules[p.name])})
    branch, head = checkout.change_id, checkout.head
    report = PlanReport(branch, head, [], scanners=tuple(s.name for s in loop.scanners), unscanned=loop.unscanned)
    judge = policy_judge(loop, checkout.reader, checkout.base_reader)
    report.policies_checked = judge is not None
    board = loop.task_board
    board.open([*(p.name for p in projects), *(s.name for s in loop.scanners)])
    try:
        with loop.store.audited(loop.actor, "plan", {"change": branch, "commit": head}) as outcome:
            run_id = loop.store.start_run(branch, "plan", loop.actor, head)
            times = StepTimes()
            with scanning_alongside(loop, checkout.workdir, scan_dirs, times) as scans:
                report.projects = plan_projects(
                    loop, checkout, projects, modules, limit=limit, extra_args=extra_args, judge=judge, times=times
                )
                report.scan = redacted_scan(scans.report(), report.sensitive)
            loop.store.save_findings(run_id, list(report.scan.findings))
            outcome.result = (
                "ok"
                if report.ok
                else "failed: "
                + ", ".join(p.project.name for p in report.projects if p.summary is None or p.summary.errored)
            )
            loop.store.finish_run(run_id, outcome.result, times.detail([p.project.name for p in report.projects]))
    finally:
        board.close()
    return report


def redacted_scan(report: ScanReport, sensitive: SensitiveValues) -> ScanReport:
    """The findings and skips with the run's secrets hidden: they reach the comment, SARIF, annotations, store."""
    if not sensitive:
        return report
    return ScanReport(
        findings=tuple(map(sensitive.redact_fields, report.findings)),
        skipped=tuple(map(sensitive.redact_fields, report.skipped)),
        unparsed=tuple(map(sensitive.redact, report.unparsed)),
    )
