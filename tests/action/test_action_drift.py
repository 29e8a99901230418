"""The Action's drift mode on the default branch: real Terraform on the emulator, the drift issues on the fake GitHub.

A bucket applied as a pipeline would have, its tags changed with boto3 behind Terraform's back: the scheduled job
opens one issue, a second run (a new job, a new store, as on GitHub) keeps that issue and the drift's first sighting,
and once the tags are put back a run closes it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from github import Auth, Github
from shown import shown
from test_action_plan import git, read_outputs

from bot.adapters.github import GitHubCodeHost
from bot.adapters.github.ref_locks import GitHubRefLocks
from bot.adapters.local_aws import LocalAws
from bot.adapters.sandbox import OVERRIDE_FILE, backend_config, cli_config, provider_override
from bot.adapters.terraform import TerraformCli
from bot.domain.drift import drift_marker
from bot.entrypoints.action import run_action
from bot.entrypoints.demo import seed_repository
from bot.services.drift_issues import DRIFT_LABEL

pytestmark = pytest.mark.slow

# Not the other Action tests' repository: moto's state is one per process, and so the Terraform state key must differ.
REPO = "octo-org/drift-job"
CLEAN_REPO = "octo-org/drift-clean"  # another state key again: the first test's state still names its bucket
PROJECT = "infra/aws/envs/dev"
BUCKET = "olympus-drift-job"
BUCKET_TF = f"""resource "aws_s3_bucket" "logs" {{
  bucket = "{BUCKET}"
  tags   = {{ team = "core" }}
}}
"""
# What the bucket carries once applied: its own tag and the provider's default_tags (demo_seed's providers.tf).
APPLIED_TAGS = [
    {"Key": "team", "Value": "core"},
    {"Key": "managed-by", "Value": "olympus"},
    {"Key": "env", "Value": "dev"},
]


def default_branch(tmp_path: Path, files: dict[str, str]) -> tuple[Path, str]:
    """The demo repository with `files` merged on main, checked out as actions/checkout does; (its path, its head)."""
    repo = tmp_path / "workspace"
    repo.mkdir()
    seed_repository(repo)
    for path, text in files.items():
        (repo / path).write_text(text)
    if files:
        git(repo, "add", "--all")
        git(repo, "commit", "--quiet", "-m", "Add the logs bucket")
    return repo, git(repo, "rev-parse", "HEAD").strip()


def apply_as_a_pipeline_would(tmp_path: Path, repo: Path, aws: LocalAws) -> None:
    """terraform apply of main's project outside Olympus, into the state the Action's sandbox reads for REPO (the key
    bot/services/plan_report.py's init_args gives it), from a copy, so the checkout stays as it was merged."""
    workdir = tmp_path / "pipeline"
    shutil.copytree(repo / PROJECT, workdir)
    (workdir / OVERRIDE_FILE).write_text(provider_override(aws))
    aws.ensure_state_backend()
    (workdir / "backend.hcl").write_text(backend_config(aws, f"{REPO}/{PROJECT}/default/terraform.tfstate"))
    env = {**aws.env, "TF_CLI_CONFIG_FILE": str(cli_config(tmp_path / "pipeline-cache"))}
    terraform = TerraformCli.locate()
    terraform.check(["init", "-input=false", "-no-color", "-backend-config=backend.hcl"], workdir, env=env)
    terraform.check(["apply", "-auto-approve", "-input=false", "-no-color"], workdir, env=env)


def job_env(
    tmp_path: Path, repo: Path, head: str, aws: LocalAws, fake: Any, run: str, repository: str = REPO
) -> dict[str, str]:
    """A scheduled run's environment: every run a new runner, so a new RUNNER_TEMP and store, as on GitHub."""
    runner = tmp_path / f"runner-{run}"
    runner.mkdir()
    # GitHub's schedule payload carries little more than the cron line: the default branch is asked of the API.
    (runner / "event.json").write_text(json.dumps({"schedule": "17 6 * * 1-5"}))
    for name in ("output", "summary"):
        (runner / name).write_text("")
    return {
        "GITHUB_EVENT_NAME": "schedule",
        "GITHUB_EVENT_PATH": str(runner / "event.json"),
        "GITHUB_REPOSITORY": repository,
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_SHA": head,
        "GITHUB_RUN_ID": run,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_ACTOR": "github-actions[bot]",
        "GITHUB_WORKSPACE": str(repo),
        "GITHUB_OUTPUT": str(runner / "output"),
        "GITHUB_STEP_SUMMARY": str(runner / "summary"),
        "GITHUB_TOKEN": fake.actions_token(),
        "GITHUB_API_URL": fake.base_url,
        "RUNNER_TEMP": str(runner / "temp"),
        "OLYMPUS_AWS_EMULATOR_URL": aws.url,
        "INPUT_MODE": "drift",
    }


def drift_job(env: dict[str, str]) -> tuple[int, dict[str, str], str]:
    """The job in-process, as `olympus action` runs it: (exit status, outputs, step summary)."""
    lines: list[str] = []
    code = run_action(env, lines.append)
    return code, read_outputs(Path(env["GITHUB_OUTPUT"])), Path(env["GITHUB_STEP_SUMMARY"]).read_text()


def drift_issues(fake: Any, repository: str = REPO) -> list[Any]:
    return [i for i in fake.repos[repository].issues.values() if DRIFT_LABEL in i.labels]


def the_project(outputs: dict[str, str], repository: str = REPO) -> dict[str, Any]:
    report = json.loads(outputs["drift"])
    assert report["repo"] == repository and report["branch"] == "main"
    (project,) = report["projects"]
    assert project["dir"] == PROJECT
    return dict(project)


def test_a_drifted_project_gets_one_issue_kept_up_to_date_then_closed(
    tmp_path: Path, aws: LocalAws, fake_github: Any
) -> None:
    fake = fake_github
    fake.add_repo(REPO, files={"README.md": "# infra\n"})
    repo, head = default_branch(tmp_path, {f"{PROJECT}/bucket.tf": BUCKET_TF})
    apply_as_a_pipeline_would(tmp_path, repo, aws)
    s3 = aws.client("s3")
    try:
        s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [{"Key": "team", "Value": "ops"}]})

        code, outputs, summary = drift_job(job_env(tmp_path, repo, head, aws, fake, "1"))
        assert code == 0, summary  # drift is no failure: the issue is the signal
        assert outputs["drifted"] == "1"
        project = the_project(outputs)
        assert project["status"] == "drifted" and project["since"] is not None
        (bucket,) = project["resources"]
        attributes = {a["name"]: (a["before"], a["after"]) for a in bucket["attributes"]}
        assert attributes['tags_all["team"]'] == ('"core"', '"ops"')
        (issue,) = drift_issues(fake)
        assert issue.state == "open" and issue.body.startswith(drift_marker(REPO, PROJECT))
        assert "aws_s3_bucket.logs" in issue.body and "ops" in issue.body
        assert f"| `{PROJECT}` | `{PROJECT}` | 🔀 drifted: 1 changed, 0 deleted outside Terraform" in summary
        assert f"[#{issue.number}](https://github.com/{REPO}/issues/{issue.number}) opened" in summary
        seen_since = issue.body.split("Seen since ", 1)[1].split(",", 1)[0]

        # The next scheduled run has a store of its own: it finds the issue, edits nothing but the check's time,
        # and the drift is still dated from its first sighting.
        code, outputs, summary = drift_job(job_env(tmp_path, repo, head, aws, fake, "2"))
        assert code == 0, summary
        assert [i.number for i in drift_issues(fake)] == [issue.number]
        assert f"Seen since {seen_since}," in issue.body and issue.state == "open"
        assert the_project(outputs)["since"].startswith(seen_since.replace(" UTC", "").replace(" ", "T"))

        # The tags put back: the run says so in the issue and closes it.
        s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": APPLIED_TAGS})
        code, outputs, summary = drift_job(job_env(tmp_path, repo, head, aws, fake, "3"))
        assert code == 0, summary
        assert outputs["drifted"] == "0" and the_project(outputs)["status"] == "clean"
        assert [i.number for i in drift_issues(fake)] == [issue.number]
        assert issue.state == "closed" and "No more drift" in issue.body
        assert f"✅ clean | [#{issue.number}](https://github.com/{REPO}/issues/{issue.number}) closed |" in summary
    finally:
        s3.delete_bucket(Bucket=BUCKET)  # moto's state outlives this test


def test_a_clean_repository_opens_no_issue_and_a_locked_project_is_not_checked(
    tmp_path: Path, aws: LocalAws, fake_github: Any
) -> None:
    fake = fake_github
    fake.add_repo(CLEAN_REPO, files={"README.md": "# infra\n"})
    repo, head = default_branch(tmp_path, {})
    code, outputs, summary = drift_job(job_env(tmp_path, repo, head, aws, fake, "1", CLEAN_REPO))
    assert code == 0, summary
    assert outputs["drifted"] == "0" and the_project(outputs, CLEAN_REPO)["status"] == "clean"
    assert drift_issues(fake, CLEAN_REPO) == []
    assert "1 project(s) checked, 0 drifted." in summary and "✅ clean | — |" in summary

    # A pull request's plan job holds the project's lock on GitHub: the drift job only reads it, and leaves the
    # project alone (its state may be about to change under an approved plan).
    host = GitHubCodeHost(Github(auth=Auth.Token(fake.actions_token()), base_url=fake.base_url, retry=None))
    main = fake.repos[CLEAN_REPO].git.refs["refs/heads/main"]
    GitHubRefLocks(host, CLEAN_REPO, head=main).acquire_lock(CLEAN_REPO, PROJECT, "default", f"{CLEAN_REPO}#5")
    code, outputs, summary = drift_job(job_env(tmp_path, repo, head, aws, fake, "2", CLEAN_REPO))
    assert code == 0, summary
    project = the_project(outputs, CLEAN_REPO)
    assert project["status"] == "locked" and project["locked_by"] == f"{CLEAN_REPO}#5"
    assert f"🔒 locked by {CLEAN_REPO}#5: not checked" in shown(summary)
    assert drift_issues(fake, CLEAN_REPO) == []
    # Read, never released: the lock is the pull request's.
    assert GitHubRefLocks(host, CLEAN_REPO).lock_for(CLEAN_REPO, PROJECT, "default") is not None


def test_a_check_that_could_not_look_fails_the_job_and_leaves_the_issues(
    tmp_path: Path, aws: LocalAws, fake_github: Any
) -> None:
    fake = fake_github
    fake.add_repo(CLEAN_REPO, files={"README.md": "# infra\n"})
    repo, head = default_branch(tmp_path, {f"{PROJECT}/broken.tf": 'resource "aws_s3_bucket" {\n'})
    code, outputs, summary = drift_job(job_env(tmp_path, repo, head, aws, fake, "1", CLEAN_REPO))
    assert code == 1  # nothing is known: the red run is the only signal
    project = the_project(outputs, CLEAN_REPO)
    assert project["status"] == "error" and "Error" in project["error"]
    assert "❌ error: " in summary and drift_issues(fake, CLEAN_REPO) == []


def olympus_action(tmp_path: Path, repo: Path, head: str, event: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`olympus action` as the runner starts it, for the refusals (exit 2 and the error on stderr)."""
    runner = tmp_path / "runner"
    runner.mkdir(exist_ok=True)
    (runner / "event.json").write_text(json.dumps({"repository": {"full_name": REPO, "default_branch": "main"}}))
    base = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "INPUT_", "RUNNER_"))}
    base.update(
        {
            "GITHUB_EVENT_NAME": event,
            "GITHUB_EVENT_PATH": str(runner / "event.json"),
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_REF": "refs/heads/main",
            "GITHUB_SHA": head,
            "GITHUB_WORKSPACE": str(repo),
            "GITHUB_TOKEN": "ghs_not_used_before_the_refusal",
            "RUNNER_TEMP": str(runner),
            "INPUT_MODE": "drift",
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", "action"],
        cwd=repo,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_bad_inputs_and_another_branch_are_refused_before_any_plan(tmp_path: Path) -> None:
    repo, head = default_branch(tmp_path, {})
    done = olympus_action(tmp_path, repo, head, "workflow_dispatch", INPUT_PROJECTS="infra/aws/envs/prod")
    assert done.returncode == 2, done.stderr
    assert "error[unknown-project]" in done.stderr and "main has no Terraform project named" in done.stderr
    assert PROJECT in done.stderr and "Traceback" not in done.stderr

    done = olympus_action(tmp_path, repo, head, "workflow_dispatch", GITHUB_REF="refs/heads/feature")
    assert done.returncode == 2, done.stderr
    assert "error[not-the-default-branch]" in done.stderr and "refs/heads/feature" in done.stderr

    done = olympus_action(tmp_path, repo, "0" * 40, "schedule")
    assert done.returncode == 2, done.stderr
    assert "error[workspace-not-at-default-branch]" in done.stderr

    done = olympus_action(tmp_path, repo, head, "schedule", INPUT_FAIL_ON_DRIFT="sometimes")
    assert done.returncode == 2, done.stderr
    assert "error[bad-input]" in done.stderr and "fail-on-drift" in done.stderr
    assert not (tmp_path / "runner" / "olympus").exists()  # no store, no plan: refused first


def test_action_yml_passes_the_drift_input_and_outputs() -> None:
    action = yaml.safe_load((Path(__file__).resolve().parents[2] / "action.yml").read_text())
    assert "drift (on the default branch" in action["inputs"]["mode"]["description"]
    (step,) = [s for s in action["runs"]["steps"] if s.get("id") == "olympus"]
    # Every input reaches the step as INPUT_<NAME>, the way `olympus action` reads it.
    for name in action["inputs"]:
        variable = "INPUT_" + name.upper().replace("-", "_")
        assert step["env"][variable] == "${{ inputs." + name + " }}"
    for name in ("drift", "drifted"):
        assert action["outputs"][name]["value"] == "${{ steps.olympus.outputs." + name + " }}"
