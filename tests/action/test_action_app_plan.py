"""The Action's plan mode plans Helm and Argo CD applications as the App does: a section each in the sticky comment
and the job summary, a check run each, and a failed step when an application's plan fails (real helm, real git)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from app_repos import app_files, platform_files
from shown import shown
from test_action_apply import BUCKET_TF, seed_files
from test_action_plan import git, read_outputs

from bot.adapters.local_aws import LocalAws
from bot.domain.app_layout import chart_dir, values_path
from bot.entrypoints.action import run_action
from bot.services.app_checks import APP_CHECK_PREFIX
from bot.services.pull_requests import CHECK_PREFIX

pytestmark = pytest.mark.slow

REPO = "octo-org/apps-infra"
PAYMENTS, ORDERS = "payments-api-staging", "orders-staging"
DEBUG_VALUES = "replicaCount: 2\nenv:\n  LOG_LEVEL: debug\n"


@dataclass
class Job:
    code: int
    summary: str
    outputs: dict[str, str]
    lines: list[str]


def base_files(tmp_path: Path) -> dict[str, str]:
    """The demo's Terraform repository with the example chart and two applications in staging."""
    return {
        **seed_files(tmp_path),
        **platform_files(),
        **app_files("payments-api", "staging", "data-staging-payments"),
        **app_files("orders", "staging", "data-staging-orders"),
    }


def write(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)


def opened_pull_request(tmp_path: Path, fixtures_dir: Path, fake: Any, changes: dict[str, str]) -> tuple[Path, int]:
    """The repository on the GitHub double and in a checkout at the PR's head (as actions/checkout leaves it), and the
    pull_request event of the PR that makes `changes`, written where GITHUB_EVENT_PATH will point."""
    files = base_files(tmp_path)
    fake.add_repo(REPO, files=files)
    number = int(fake.open_pull_request(REPO, head="apps", base="main", title="apps", author="mona", files=changes))
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    git(workspace, "init", "--quiet", "--initial-branch=main")
    write(workspace, files)
    git(workspace, "add", "--all")
    git(workspace, "commit", "--quiet", "-m", "The platform")
    base = git(workspace, "rev-parse", "HEAD").strip()
    git(workspace, "checkout", "--quiet", "-b", "apps")
    write(workspace, changes)
    git(workspace, "add", "--all")
    git(workspace, "commit", "--quiet", "-m", "The change")
    head = git(workspace, "rev-parse", "HEAD").strip()
    fake.set_pull_head(REPO, number, head)

    payload = fixtures_dir / "github-webhooks/payload-examples/api.github.com/pull_request/opened.payload.json"
    event = json.loads(payload.read_text())
    event["number"] = event["pull_request"]["number"] = number
    event["pull_request"]["base"].update(sha=base, ref="main")
    event["pull_request"]["head"].update(sha=head)
    event["pull_request"]["head"]["repo"]["full_name"] = REPO  # not a fork
    runner = tmp_path / "runner"
    runner.mkdir()
    (runner / "event.json").write_text(json.dumps(event))
    return workspace, number


def plan_job(tmp_path: Path, workspace: Path, fake: Any, aws: LocalAws | None = None) -> Job:
    """The plan job of the reusable workflow on the pull request's opened event, with the sticky comment on."""
    runner = tmp_path / "runner"
    for name in ("output", "summary"):
        (runner / name).write_text("")
    env = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(runner / "event.json"),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_SHA": "0" * 40,
        "GITHUB_RUN_ID": "91",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_ACTOR": "mona",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(runner / "output"),
        "GITHUB_STEP_SUMMARY": str(runner / "summary"),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "GITHUB_TOKEN": fake.actions_token(),
        "GITHUB_API_URL": fake.base_url,
        "INPUT_COMMENT_MODE": "sticky",
        "INPUT_PLAN_STORE": f"local:{tmp_path / 'plans'}",
        **({"OLYMPUS_AWS_EMULATOR_URL": aws.url} if aws is not None else {}),
    }
    lines: list[str] = []
    code = run_action(env, lines.append)
    return Job(code, (runner / "summary").read_text(), read_outputs(runner / "output"), lines)


def olympus_checks(fake: Any) -> dict[str, Any]:
    return {run.name: run for run in fake.repo(REPO).check_runs if run.name.startswith("olympus/")}


def bot_comments(fake: Any, number: int) -> list[str]:
    return [comment.body for comment in fake.repo(REPO).comments(number)]


def test_a_values_change_alone_gets_its_app_section_and_check_run(
    tmp_path: Path, fixtures_dir: Path, fake_github: Any
) -> None:
    fake = fake_github
    workspace, number = opened_pull_request(
        tmp_path, fixtures_dir, fake, {values_path("staging", "payments-api"): DEBUG_VALUES}
    )
    job = plan_job(tmp_path, workspace, fake)  # no emulator: an apps-only plan runs no Terraform
    assert job.code == 0, job.lines

    [comment] = bot_comments(fake, number)
    assert comment.startswith(f"<!-- olympus:comment key={REPO}#{number} part=1/1 -->")
    text = shown(comment)
    assert "no Terraform project" not in text
    assert f"| `{PAYMENTS}` | `staging` | 0 | 1 | 0 | ✅ checks passed |" in comment
    assert ORDERS not in text  # only the changed application is rendered
    assert "Deployment.apps/payments-api-example-data-app -n data-staging-payments" in text
    assert "+        - name: LOG_LEVEL" in text and "+          value: debug" in text
    assert "/infra apply" not in text  # Argo CD syncs an application after the merge
    # The job summary is the same comment, with the run's link.
    assert f"| `{PAYMENTS}` | `staging` | 0 | 1 | 0 | ✅ checks passed |" in job.summary
    assert "https://github.com/octo-org/apps-infra/actions/runs/91" in job.summary

    assert list(olympus_checks(fake)) == [APP_CHECK_PREFIX + PAYMENTS]
    check = olympus_checks(fake)[APP_CHECK_PREFIX + PAYMENTS]
    assert (check.status, check.conclusion) == ("completed", "success")
    assert check.output["title"] == "0 to add, 1 to change, 0 to remove"
    assert "LOG_LEVEL" in check.output["text"]

    # Nothing for the apply job: no stored plan and no plan record.
    assert job.outputs["plans"] == "[]" and job.outputs["has-changes"] == "false"
    assert "record-path" not in job.outputs


def test_terraform_and_an_application_share_the_sticky_comment(
    tmp_path: Path, fixtures_dir: Path, fake_github: Any, aws: LocalAws
) -> None:
    fake = fake_github
    changes = {"infra/aws/envs/dev/bucket.tf": BUCKET_TF, values_path("staging", "orders"): DEBUG_VALUES}
    workspace, number = opened_pull_request(tmp_path, fixtures_dir, fake, changes)
    job = plan_job(tmp_path, workspace, fake, aws)
    assert job.code == 0, job.lines

    [comment] = bot_comments(fake, number)
    assert "| `infra/aws/envs/dev` | `infra/aws/envs/dev` | `default` |" in comment  # the project's row
    assert f"| `{ORDERS}` | `staging` | 0 | 1 | 0 | ✅ checks passed |" in comment
    assert "aws_s3_bucket.action_demo" in shown(job.summary) and ORDERS in job.summary
    checks = olympus_checks(fake)
    # The default policy set runs advisory (no `policies` in .olympus.yaml): its check run says so, neutral or green.
    assert sorted(checks) == [APP_CHECK_PREFIX + ORDERS, CHECK_PREFIX + "infra/aws/envs/dev", "olympus/policy: olympus"]
    policy = checks.pop("olympus/policy: olympus")
    assert (policy.status, policy.conclusion) in (("completed", "neutral"), ("completed", "success"))
    assert all((run.status, run.conclusion) == ("completed", "success") for run in checks.values())
    (stored,) = json.loads(job.outputs["plans"])  # the Terraform plan is stored and recorded as before
    assert stored["project"] == "infra/aws/envs/dev" and Path(job.outputs["record-path"]).is_file()


def test_a_chart_that_does_not_render_fails_the_step(tmp_path: Path, fixtures_dir: Path, fake_github: Any) -> None:
    fake = fake_github
    broken = {f"{chart_dir('example-data-app')}/templates/broken.yaml": "kind: ConfigMap\nname: {{ .Values.x\n"}
    workspace, number = opened_pull_request(tmp_path, fixtures_dir, fake, broken)
    job = plan_job(tmp_path, workspace, fake)
    assert job.code == 1, job.lines

    # Both applications render the chart, so both are planned, and both fail, with helm's own words.
    checks = olympus_checks(fake)
    assert sorted(checks) == [APP_CHECK_PREFIX + ORDERS, APP_CHECK_PREFIX + PAYMENTS]
    assert all((run.status, run.conclusion) == ("completed", "failure") for run in checks.values())
    [comment] = bot_comments(fake, number)
    text = shown(comment)
    assert "The chart did not render" in text and "broken.yaml" in text
    assert "The chart did not render" in shown(job.summary)
