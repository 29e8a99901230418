"""`olympus action` run as GitHub Actions runs it: a pull_request event planned with real Terraform on the emulator."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.adapters.local_aws import LocalAws
from bot.adapters.localgit import LocalGit
from bot.adapters.plan_store import LocalPlanStore, PlanKey, PlanStoreError
from bot.entrypoints.demo import seed_repository

pytestmark = pytest.mark.slow

# An unencrypted, unversioned bucket: Checkov and Trivy have findings on it, so annotations are written.
BUCKET_TF = """resource "aws_s3_bucket" "action_demo" {
  bucket = "olympus-action-demo"
}
"""


@dataclass
class PullRequest:
    repo: Path
    base: str
    head: str
    event: dict[str, object]


def git(repo: Path, *args: str) -> str:
    return LocalGit(repo).git("-c", "user.name=Mona", "-c", "user.email=mona@example.com", *args)


def pull_request(tmp_path: Path, fixtures_dir: Path) -> PullRequest:
    """The demo repository on main, plus a branch adding a bucket, checked out at its head as actions/checkout does."""
    repo = tmp_path / "workspace"
    repo.mkdir()
    seed_repository(repo)
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "--quiet", "-b", "add-bucket")
    (repo / "infra/aws/envs/dev/bucket.tf").write_text(BUCKET_TF)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "Add a bucket")
    head = git(repo, "rev-parse", "HEAD").strip()
    payload = fixtures_dir / "github-webhooks/payload-examples/api.github.com/pull_request/opened.payload.json"
    event = json.loads(payload.read_text())
    event["pull_request"]["base"]["sha"] = base
    event["pull_request"]["base"]["ref"] = "main"  # the fake GitHub's base branch
    event["pull_request"]["head"]["sha"] = head
    return PullRequest(repo, base, head, event)


def run_action(
    tmp_path: Path, pr: PullRequest, aws: LocalAws | None, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    runner = tmp_path / "runner"
    runner.mkdir(exist_ok=True)
    event_path = runner / "event.json"
    event_path.write_text(json.dumps(pr.event))
    for name in ("output", "summary"):
        (runner / name).write_text("")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "INPUT_", "RUNNER_"))}
    env.update(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": "Codertocat/Hello-World",
            "GITHUB_SHA": pr.head,
            "GITHUB_RUN_ID": "4242",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_ACTOR": "Codertocat",
            "GITHUB_WORKSPACE": str(pr.repo),
            "GITHUB_OUTPUT": str(runner / "output"),
            "GITHUB_STEP_SUMMARY": str(runner / "summary"),
            "RUNNER_TEMP": str(runner),
            "INPUT_COMMENT_MODE": "off",
            "INPUT_PLAN_STORE": f"local:{tmp_path / 'plans'}",
            **{f"INPUT_{name.upper()}": value for name, value in inputs.items()},
        }
    )
    if aws is not None:
        env["OLYMPUS_AWS_EMULATOR_URL"] = aws.url
    done = subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", "action"],
        cwd=pr.repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done, runner


def read_outputs(path: Path) -> dict[str, str]:
    """$GITHUB_OUTPUT as the runner reads it: NAME<<DELIMITER, the value's lines, DELIMITER."""
    outputs: dict[str, str] = {}
    lines = path.read_text().split("\n")
    index = 0
    while index < len(lines) and lines[index]:
        name, _, delimiter = lines[index].partition("<<")
        assert delimiter.startswith("ghadelimiter_") and len(delimiter) > 20, lines[index]
        end = lines.index(delimiter, index + 1)
        outputs[name] = "\n".join(lines[index + 1 : end])
        index = end + 1
    return outputs


def test_a_pull_request_is_planned_stored_and_reported(tmp_path: Path, fixtures_dir: Path, aws: LocalAws) -> None:
    pr = pull_request(tmp_path, fixtures_dir)
    done, runner = run_action(tmp_path, pr, aws)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr

    outputs = read_outputs(runner / "output")
    assert {k: outputs[k] for k in ("add", "change", "destroy", "has-changes", "has-destroys")} == {
        "add": "1",
        "change": "0",
        "destroy": "0",
        "has-changes": "true",
        "has-destroys": "false",
    }
    assert int(outputs["findings"]) > 0

    # The stored plan: under repo/PR/commit/project, with the SHA-256 of the file that was planned beside it.
    (stored,) = json.loads(outputs["plans"])
    assert stored["commit"] == pr.head
    key = PlanKey("Codertocat/Hello-World", 2, pr.head, stored["project"].replace("/", "--"))
    folder = tmp_path / "plans" / "Codertocat/Hello-World/2" / pr.head / key.project
    assert stored["location"] == str(folder)
    plan_bytes = (folder / "plan.tfplan").read_bytes()
    assert hashlib.sha256(plan_bytes).hexdigest() == stored["sha256"]
    assert f"{stored['sha256']}  plan.tfplan" in (folder / "plan.sha256").read_text()
    plan_json = json.loads((folder / "plan.json").read_text())
    assert [c["address"] for c in plan_json["resource_changes"]] == ["aws_s3_bucket.action_demo"]

    store = LocalPlanStore(tmp_path / "plans")
    fetched = store.fetch(key, tmp_path / "apply-job", expected_sha256=stored["sha256"])
    assert fetched.plan_path.read_bytes() == plan_bytes
    (folder / "plan.tfplan").write_bytes(plan_bytes + b"tampered")
    with pytest.raises(PlanStoreError, match="not the .* recorded beside it"):
        store.fetch(key, tmp_path / "apply-job-2")

    # The job summary is the plan comment, plus the stored plans' hashes and the run's link.
    summary = (runner / "summary").read_text()
    assert "<!-- olympus:comment key=Codertocat/Hello-World#2" in summary
    assert "aws_s3_bucket.action_demo" in summary
    assert stored["sha256"] in summary
    assert "https://github.com/Codertocat/Hello-World/actions/runs/4242" in summary

    # Findings become annotations at file and line, in the workflow-command syntax.
    annotations = [line for line in done.stdout.splitlines() if line.startswith(("::error ", "::warning "))]
    assert len(annotations) == int(outputs["findings"])
    pattern = re.compile(r"^::(error|warning) file=infra/aws/envs/dev/bucket\.tf,line=\d+,title=[^:,]+::\S")
    assert any(pattern.match(line) for line in annotations), annotations[:5]
    assert all("\n" not in line for line in annotations)


def test_fork_pull_requests_are_not_planned(tmp_path: Path, fixtures_dir: Path) -> None:
    pr = pull_request(tmp_path, fixtures_dir)
    pr.event["pull_request"]["head"]["repo"]["full_name"] = "mallory/Hello-World"  # type: ignore[index]
    done, runner = run_action(tmp_path, pr, None)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "does not plan pull requests from forks (mallory/Hello-World)" in (runner / "summary").read_text()
    assert read_outputs(runner / "output")["has-changes"] == "false"
    assert not (tmp_path / "plans").exists()


def test_a_workspace_not_at_the_head_commit_is_refused(tmp_path: Path, fixtures_dir: Path) -> None:
    pr = pull_request(tmp_path, fixtures_dir)
    git(pr.repo, "checkout", "--quiet", "main")
    done, _ = run_action(tmp_path, pr, None)
    assert done.returncode == 2
    assert "error[workspace-not-at-head]" in done.stderr
    assert "pull_request.head.sha" in done.stderr


def test_a_shallow_checkout_without_the_base_commit_says_so(tmp_path: Path, fixtures_dir: Path) -> None:
    pr = pull_request(tmp_path, fixtures_dir)
    pr.event["pull_request"]["base"]["sha"] = "0123456789abcdef" * 2 + "01234567"  # type: ignore[index]
    done, _ = run_action(tmp_path, pr, None)
    assert done.returncode == 2
    assert "error[base-commit-missing]" in done.stderr
    assert "fetch-depth: 0" in done.stderr


def test_a_pull_request_touching_no_project_plans_nothing(tmp_path: Path, fixtures_dir: Path) -> None:
    pr = pull_request(tmp_path, fixtures_dir)
    git(pr.repo, "checkout", "--quiet", "-b", "notes", pr.base)
    (pr.repo / "NOTES.md").write_text("notes\n")
    git(pr.repo, "add", "--all")
    git(pr.repo, "commit", "--quiet", "-m", "Only notes")
    pr.head = git(pr.repo, "rev-parse", "HEAD").strip()
    pr.event["pull_request"]["head"]["sha"] = pr.head  # type: ignore[index]
    done, runner = run_action(tmp_path, pr, None)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "changes no Terraform project" in (runner / "summary").read_text()
    assert read_outputs(runner / "output")["add"] == "0"
