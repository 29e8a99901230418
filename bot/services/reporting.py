"""Write a plan's report: the comment's markdown parts and SARIF, under the repository's state dir."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.domain.policies.render import policy_lines
from bot.domain.render import CommentReport, ProjectReport, render_comment
from bot.domain.sarif import to_sarif
from bot.ports import RepoReader
from bot.services.context import Loop
from bot.services.plan_change import PlanReport, slug
from bot.services.policy_reports import policy_findings, with_policy_run

PART_SEPARATOR = "\n\n<!-- olympus:next-part -->\n\n"


@dataclass(frozen=True)
class WrittenReport:
    parts: list[str]
    comment_path: Path
    sarif_path: Path


# `/infra diagnose` is offered only when a plan failed (the fix loop, docs/fixes.md).
PULL_REQUEST_NEXT = ("/infra apply", "/infra plan", "/infra diagnose", "/infra unlock")


def local_next_steps(report: PlanReport, repo_arg: str = "") -> tuple[str, ...]:
    """The CLI's next commands for this change, each naming its branch (a bare `unlock` would pick the latest)."""
    branch = f"{repo_arg} --branch {report.branch}"
    steps = (
        f"olympus approve{branch} --by REVIEWER",
        f"olympus apply{branch}",
        f"olympus plan{branch}",
        f"olympus diagnose{branch}",
        f"olympus merge{branch}",
        f"olympus unlock{branch}",
    )
    # Approve and apply are offered only when every project planned; diagnose only when one failed.
    return tuple(
        step
        for step in steps
        if (report.ok or ("apply" not in step and "approve" not in step)) and (report.failed or "diagnose" not in step)
    )


def comment_for(
    report: PlanReport, next_steps: tuple[str, ...] | None = None, sections: Sequence[str] = ()
) -> list[str]:
    """The comment's parts, each under GitHub's size limit, with the marker that lets it be updated in place;
    `sections` are the applications' (bot.domain.app_report.applications_lines), shown after the projects."""
    projects = [
        ProjectReport(
            p.project.name,
            p.project.dir,
            p.project.workspace,
            p.summary,
            p.error,
            p.locked_by,
            held_by_policies=tuple(dict.fromkeys(f.policy_set for f in p.policy_failures)),
        )
        for p in report.projects
    ]
    if next_steps is None:
        next_commands = list(local_next_steps(report))
    else:  # apply is offered only when every project planned
        next_commands = [
            step
            for step in next_steps
            if (report.ok or "apply" not in step) and (report.failed or "diagnose" not in step)
        ]
    return render_comment(
        CommentReport(
            key=report.branch,
            head_sha=report.head,
            projects=projects,
            findings=report.scan.findings,
            next_commands=next_commands,
            scanners=report.scanners,
            unscanned=report.unscanned,
            skipped=report.scan.skipped,
            sensitive=report.sensitive,
            sections=sections,
            policies=policy_lines(report.policies),
        )
    )


def apps_only_comment(key: str, head: str, sections: Sequence[str], next_steps: Sequence[str] = ()) -> list[str]:
    """The comment of a change that touches applications and no Terraform project: their sections alone."""
    return render_comment(CommentReport(key=key, head_sha=head, sections=sections, next_commands=list(next_steps)))


def write_plan_outputs(
    loop: Loop,
    report: PlanReport,
    next_steps: tuple[str, ...] | None = None,
    sections: Sequence[str] = (),
    reader: RepoReader | None = None,
) -> WrittenReport:
    """The comment and the SARIF log under the state dir; with the head's `reader`, policy violations whose resource
    is found in its files are a SARIF run of their own."""
    parts = comment_for(report, next_steps, sections)
    out = loop.state_dir / "reports" / slug(report.branch)
    out.mkdir(parents=True, exist_ok=True)
    comment_path = out / "comment.md"
    comment_path.write_text(PART_SEPARATOR.join(parts))
    sarif_path = out / "results.sarif"
    # Redacted as data, not as text, so the file stays valid JSON whatever a secret holds.
    log = to_sarif(report.scan.findings, skipped=report.scan.skipped)
    if reader is not None:
        projects = [p.project for p in report.projects]
        log = with_policy_run(log, policy_findings(report.policies, reader, projects))
    sarif = report.sensitive.redact_value(log)
    sarif_path.write_text(json.dumps(sarif, indent=2))
    return WrittenReport(parts, comment_path, sarif_path)


def write_apps_outputs(loop: Loop, branch: str, head: str, sections: Sequence[str], next_steps: Sequence[str]) -> Path:
    """The comment of a change of applications alone, written where a plan's is; its path."""
    out = loop.state_dir / "reports" / slug(branch)
    out.mkdir(parents=True, exist_ok=True)
    comment_path = out / "comment.md"
    comment_path.write_text(PART_SEPARATOR.join(apps_only_comment(branch, head, sections, next_steps)))
    return comment_path
