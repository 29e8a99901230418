"""`olympus drift`: check every project of the default branch for drift, print each one's status, record it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.adapters.git_tree import GitTreeReader
from bot.domain.drift import UNSEEN, DriftCheck, DriftReport, DriftStatus, first_error_line, sweep_as_dict
from bot.domain.drift.report import OUTSIDE
from bot.domain.drift.way_out import WayOut
from bot.domain.markdown import one_line
from bot.domain.models import Project
from bot.entrypoints.local_loop import command_loop, repo_arg
from bot.errors import UserError
from bot.services.drift_sweep import SweptTree, sweep_drift
from bot.services.local_checkout import release_finished_locks
from bot.services.parallelism import plan_limit
from bot.services.repo_projects import projects_of, repo_config


def check_drift(repo: Path, *, project: str | None, as_json: bool, sandbox: bool, actor: str | None) -> int:
    """Sweep the default branch's projects (or the one named); 0 once the sweep ran, drift found or not."""
    loop, progress, base = command_loop(repo, sandbox=sandbox, actor=actor)
    git = loop.local_git
    commit = git.commit_of(base)
    # The default branch's commit, never the working tree: drift is reality against what was merged.
    reader = GitTreeReader(git, commit)
    try:
        projects = _chosen(projects_of(reader), project, base, repo)
        config = repo_config(reader)
        limit = plan_limit(loop.parallel_plan, config.parallel_plan if config is not None else None)
        release_finished_locks(loop, base)  # a merged change's lock is no reason to skip a project
        if projects:
            with git.temporary_worktree(commit) as workdir:
                reports = sweep_drift(loop, SweptTree(commit, reader, workdir), projects, limit=limit)
        else:
            reports = []
    finally:
        reader.close()
        progress.done()
    checks = {check.project: check for check in loop.store.drift_checks(loop.repo_id)}
    if as_json:
        print(json.dumps(_as_json(loop.repo_id, base, commit, reports, checks), indent=2))
    else:
        print("\n".join(drift_lines(base, commit, reports, checks)))
    return 0


def _chosen(projects: list[Project], name: str | None, base: str, repo: Path) -> list[Project]:
    if name is None:
        return projects
    chosen = [p for p in projects if name in (p.name, p.dir)]
    if not chosen:
        names = ", ".join(p.name for p in projects) or "none"
        raise UserError(
            "unknown-project",
            f"{base} has no Terraform project named {name!r}",
            f"its projects are: {names}; `olympus drift{repo_arg(repo)}` checks them all",
        )
    return chosen


def drift_lines(base: str, commit: str, reports: Sequence[DriftReport], checks: dict[str, DriftCheck]) -> list[str]:
    """The terminal's report: a line per project, then its drifted resources and their attributes."""
    lines = [f"drift of {base} at {commit[:12]}: {len(reports)} project(s)"]
    for report in reports:
        check = checks.get(report.project.name)
        name, where = report.project.name, report.project.dir
        lines.append(f"{name}{f' ({where})' if where != name else ''}: {_status(report, check)}")
        for resource in report.resources:
            address = one_line(resource.address)  # from the cloud and the code: no terminal escapes get through
            if resource.action == "delete":
                lines.append(f"  - {address}: deleted outside Terraform")
                continue
            if resource.action == OUTSIDE:
                ids = ", ".join(one_line(a.after) for a in resource.attributes)
                lines.append(f"  + {address}: created outside Terraform (import id {ids}), not in the state")
                continue
            lines.append(f"  ~ {address}")
            for attribute in resource.attributes:
                before, after = one_line(attribute.before), one_line(attribute.after)
                lines.append(f"      {one_line(attribute.name)}: {before} → {after}")
            if resource.more_attributes:
                lines.append(f"      … and {resource.more_attributes:,} more")
    lines.append(f"note: {UNSEEN}")
    return lines


def _status(report: DriftReport, check: DriftCheck | None) -> str:
    if report.status is DriftStatus.LOCKED:
        return f"locked by {one_line(report.locked_by)}: not checked"
    if report.status is DriftStatus.ERROR:
        return f"error: {one_line(first_error_line(report.error) or 'unknown')}"
    if report.status is DriftStatus.UNAPPLIED:
        return "unapplied: no drift, but the code asks for changes (merged and never applied?)"
    if report.status is DriftStatus.CLEAN:
        return "clean"
    since = f" since {_time(check.since)}" if check is not None and check.since is not None else ""
    return (
        f"drifted{since}: {report.counts()} outside Terraform; "
        f"way out proposed: {report.way_out.value} ({_WAY_OUT_TODAY[report.way_out]})"
    )


# What each way out takes locally: `/infra fix drift` answers a drift issue on GitHub, which a local repository has not,
# so the line says what a person does instead.
_WAY_OUT_TODAY = {
    WayOut.RESTORE: "plan and apply the project's code through the gate: the apply puts reality back",
    WayOut.ADOPT: "change the code to match, in a change of its own: the module call's options (`/infra update "
    "...`), and `import` blocks for what was created outside Terraform",
}


def _as_json(
    repo_id: str, base: str, commit: str, reports: Sequence[DriftReport], checks: dict[str, DriftCheck]
) -> dict[str, object]:
    return sweep_as_dict(repo_id, base, commit, reports, checks, now=datetime.now().astimezone())


def _time(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"
