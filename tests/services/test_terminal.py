"""What a person reads: the plan rendered on a terminal, markdown when piped, errors in colour only on a terminal,
and help that reads like the CLI's (`-h`, `--version`, flags without a value type)."""

from __future__ import annotations

import io
import os
import pty
from pathlib import Path

from olympus_cli import olympus
from rich.console import Console

from bot.domain.findings import ScanReport
from bot.domain.models import Finding, Project, Severity
from bot.domain.plan_documents import load_plan_documents
from bot.domain.plans import summarize
from bot.entrypoints.terminal import StepProgress, console_for, wants_rich
from bot.entrypoints.terminal_report import plan_renderable
from bot.services.plan_change import PlanReport, ProjectPlan
from bot.services.reporting import comment_for, local_next_steps

PLAN = "terraform-plans/borchero-terraform-plan-comment/basic/1-modify/plan.json"
RED = "\x1b[1;31m"


def report(fixtures_dir: Path) -> PlanReport:
    document = load_plan_documents((fixtures_dir / PLAN).read_text())[0]
    planned = ProjectPlan(Project("infra/aws/envs/dev", "infra/aws/envs/dev"), summary=summarize(document))
    finding = Finding("CKV_AWS_18", Severity.HIGH, "Ensure access logging is on (`x`)", "aws_s3_bucket.a", "main.tf", 3)
    return PlanReport("infra/create-bucket-a-dev", "a" * 40, [planned], ScanReport(findings=(finding,)), ("checkov",))


def test_the_plan_on_a_terminal_is_rendered_with_destroys_in_red(fixtures_dir: Path) -> None:
    plan = report(fixtures_dir)
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="standard", width=140)
    console.print(plan_renderable(plan, local_next_steps(plan)))
    text = out.getvalue()
    summary = plan.projects[0].summary
    assert summary is not None
    destroyed = [change.address for change in (*summary.destroys, *summary.replacements)]
    assert destroyed and all(address in text for address in destroyed)
    assert RED in text  # destroys and replacements
    assert "destroys and replacements" in text and "CKV_AWS_18" in text
    # None of the markdown's machinery reaches a person: no hidden marker, no escapes, no HTML.
    for markdown_only in ("<!--", "\\(", "\\`", "<details>", "| --- |"):
        assert markdown_only not in text
    assert "olympus merge --branch infra/create-bucket-a-dev" in text


def test_piped_it_is_the_markdown_comment(fixtures_dir: Path) -> None:
    plan = report(fixtures_dir)
    [markdown] = comment_for(plan, local_next_steps(plan))
    assert markdown.startswith("<!-- olympus:comment key=infra/create-bucket-a-dev part=1/1 -->")
    assert "`olympus unlock --branch infra/create-bucket-a-dev`" in markdown


def test_rich_only_for_a_terminal() -> None:
    leader, follower = pty.openpty()
    try:
        with os.fdopen(os.dup(follower), "w") as terminal:
            assert wants_rich("auto", terminal)
            assert not wants_rich("markdown", terminal)
    finally:
        os.close(leader)
        os.close(follower)
    assert not wants_rich("auto", io.StringIO())
    assert wants_rich("rich", io.StringIO())


def test_each_step_closes_with_its_elapsed_time() -> None:
    out = io.StringIO()
    progress = StepProgress(console_for(out, rich=False), live=False)
    progress.say("→ infra/aws/envs/dev: terraform init")
    progress.tool_line("Initializing the backend...")
    progress.say("→ scanning infra/aws/envs/dev with checkov")
    progress.done()
    lines = out.getvalue().splitlines()
    assert lines[0] == "→ infra/aws/envs/dev: terraform init"
    assert lines[1] == "  │ Initializing the backend..."
    assert lines[2].startswith("✓ infra/aws/envs/dev: terraform init  ") and lines[2].endswith(" s")
    assert lines[4].startswith("✓ scanning infra/aws/envs/dev with checkov  ")
    assert [step for step, _seconds in progress.timings] == [
        "infra/aws/envs/dev: terraform init",
        "scanning infra/aws/envs/dev with checkov",
    ]


def test_errors_are_coloured_on_a_terminal_and_plain_in_a_pipe(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere")
    piped = olympus("status", "--repo", missing)
    assert piped.returncode == 2
    assert piped.stderr.splitlines()[0] == f"error[not-a-repository]: {missing} does not exist"
    assert piped.stderr.splitlines()[1].startswith("hint: ")
    assert "\x1b[" not in piped.stderr
    leader, follower = pty.openpty()
    try:
        done = olympus("status", "--repo", missing, stderr=follower)
        os.close(follower)
        shown = os.read(leader, 65536).decode()
    finally:
        os.close(leader)
    assert done.returncode == 2
    assert "\x1b[" in shown and "error[not-a-repository]" in shown


def test_help_and_version_read_like_the_cli() -> None:
    version = olympus("--version")
    assert version.returncode == 0 and version.stdout.startswith("olympus ")
    short = olympus("run", "-h")
    assert short.returncode == 0
    assert "--sandbox " in short.stdout and "<bool>" not in short.stdout
    assert "REQUEST" in short.stdout and "--format" in short.stdout
    top = olympus("-h")
    for command in ("init", "merge", "unlock", "status", "sandbox"):
        assert f" {command} " in top.stdout
    assert olympus().returncode == 0  # no command: the help, not an error


def test_infra_help_in_the_cli_speaks_of_branches_not_pull_requests() -> None:
    shown = olympus("run", "/infra help")
    assert shown.returncode == 0
    assert "/infra create bucket" in shown.stdout and "olympus -h" in shown.stdout
    assert "pull request" not in shown.stdout
