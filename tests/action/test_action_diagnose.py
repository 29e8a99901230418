"""Mode diagnose of the Action: a `/infra diagnose` comment on a pull request whose plan fails runs the App's fix
loop in the job (Claude replayed on loopback, real Terraform), and the verified fix is offered through the API as a
review suggestion; the job summary and the `diagnosis` output say so. A reader's comment, a comment that is not the
command and a job without a model are refused, each with what to do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from claude_replay import ReplayServer
from shown import shown
from test_action_apply import plan_job, seed_files
from test_action_plan import git, pull_request

from bot.adapters.local_aws import InProcessEmulator
from bot.entrypoints.action import run_action
from bot.errors import UserError

REPO = "octo-org/infra"
MAIN = "stacks/app/main.tf"
BROKEN = 'resource "terraform_data" "greeting" {\n  input = var.greeting\n}\n'
NO_MODEL = {"ANTHROPIC_API_KEY": "", "OLYMPUS_LLM_BACKEND": ""}


def job_env(tmp_path: Path, fake: Any, fixtures_dir: Path, number: int, body: str, who: str, **extra: str) -> dict:
    runner = tmp_path / "runner"
    runner.mkdir(exist_ok=True)
    payload = fixtures_dir / "github-webhooks/payload-examples/api.github.com/issue_comment/created.payload.json"
    event = json.loads(payload.read_text())
    event["issue"]["number"] = number
    event["issue"]["pull_request"] = {"url": f"{fake.base_url}/repos/{REPO}/pulls/{number}"}
    event["comment"].update(id=fake.add_issue_comment(REPO, number, body, who), body=body)
    event["comment"]["user"]["login"] = who
    (runner / "event.json").write_text(json.dumps(event))
    for name in ("output", "summary"):
        (runner / name).write_text("")
    return {
        "GITHUB_EVENT_NAME": "issue_comment",
        "GITHUB_EVENT_PATH": str(runner / "event.json"),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_SHA": "0" * 40,
        "GITHUB_ACTOR": who,
        "GITHUB_OUTPUT": str(runner / "output"),
        "GITHUB_STEP_SUMMARY": str(runner / "summary"),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "GITHUB_TOKEN": fake.actions_token(),
        "GITHUB_API_URL": fake.base_url,
        "INPUT_MODE": "diagnose",
        "OLYMPUS_SCANNERS": "none",
        **extra,
    }


@pytest.fixture
def failing(fake_github: Any) -> tuple[Any, int]:
    repo = fake_github.add_repo(REPO, files={"README.md": "infra\n"})
    fake_github.set_permission(REPO, "bob", "write")
    fake_github.set_permission(REPO, "carol", "read")
    number = fake_github.open_pull_request(
        REPO, head="infra/greet", base="main", title="Greet", author="alice", files={MAIN: BROKEN}
    )
    return repo, number


def replies(fake: Any, number: int) -> list[str]:
    return [c.body for c in fake.repo(REPO).comments(number) if c.user == "github-actions[bot]"]


@pytest.mark.slow
def test_a_diagnose_comment_offers_the_verified_fix_as_a_suggestion(
    tmp_path: Path, fake_github: Any, fixtures_dir: Path, failing: tuple[Any, int]
) -> None:
    repo, number = failing
    with ReplayServer("fix_undeclared_variable") as claude:
        env = job_env(tmp_path, fake_github, fixtures_dir, number, "/infra diagnose", "bob", **claude.env())
        assert run_action(env, lambda line: None) == 0
    assert len(claude.sent) == 2  # the first fix failed validate; the second passed
    [review] = repo.reviews[number]
    assert review.commit_id == repo.pulls[number].head_sha
    [comment] = repo.review_comments
    assert comment.path == MAIN and '```suggestion\nvariable "greeting" {\n' in comment.body
    summary = (tmp_path / "runner" / "summary").read_text()
    assert "`terraform plan` fails (`undeclared-reference`)" in summary and "suggested in" in summary
    assert "diagnosis<<" in (tmp_path / "runner" / "output").read_text()
    assert "stacks/app=offered" in (tmp_path / "runner" / "output").read_text()
    [said] = replies(fake_github, number)
    assert "suggested in" in said and "2 attempt(s) recorded" in said
    assert fake_github.violations == []


def test_diagnose_is_refused_where_it_cannot_run(
    tmp_path: Path, fake_github: Any, fixtures_dir: Path, failing: tuple[Any, int]
) -> None:
    repo, number = failing
    with pytest.raises(UserError) as no_model:
        run_action(job_env(tmp_path, fake_github, fixtures_dir, number, "/infra diagnose", "bob", **NO_MODEL), print)
    assert no_model.value.reference == "llm-not-configured" and "secret" in no_model.value.hint
    with ReplayServer("fix_undeclared_variable") as claude:
        reader = job_env(tmp_path, fake_github, fixtures_dir, number, "/infra diagnose", "carol", **claude.env())
        assert run_action(reader, lambda line: None) == 0
        other = job_env(tmp_path, fake_github, fixtures_dir, number, "/infra plan", "bob", **claude.env())
        with pytest.raises(UserError) as not_diagnose:
            run_action(other, lambda line: None)
        assert claude.sent == []
    assert not_diagnose.value.reference == "not-a-diagnose-comment"
    [refused] = replies(fake_github, number)
    assert "@carol" in refused and "write" in refused
    assert not repo.reviews.get(number)
    assert fake_github.violations == []


@pytest.mark.slow
def test_the_plan_job_diagnoses_its_failed_plan_where_the_repository_turned_it_on(
    tmp_path: Path, fixtures_dir: Path, fake_github: Any
) -> None:
    broken = 'resource "aws_s3_bucket" "action_demo" {\n  bucket = var.bucket_name\n}\n'
    repo_name = "octo-org/auto-diagnosed"
    files = seed_files(tmp_path)
    files[".olympus.yaml"] = files.get(".olympus.yaml", "version: 1\n") + "fixes:\n  auto: true\n"
    fake_github.add_repo(repo_name, files=files)
    number = fake_github.open_pull_request(
        repo_name, head="add-bucket", base="main", title="Add a bucket", author="mona",
        files={"infra/aws/envs/dev/bucket.tf": broken},
    )  # fmt: skip
    pr = pull_request(tmp_path, fixtures_dir)
    (pr.repo / "infra/aws/envs/dev/bucket.tf").write_text(broken)
    git(pr.repo, "commit", "--quiet", "--amend", "-am", "Add a bucket")
    pr.head = git(pr.repo, "rev-parse", "HEAD").strip()
    pr.event["pull_request"]["head"]["sha"] = pr.head  # type: ignore[index]
    fake_github.set_pull_head(repo_name, number, pr.head)
    # A model that cannot be reached: the loop runs, and says so.
    unreachable = {"ANTHROPIC_API_KEY": "sk-ant-test", "ANTHROPIC_BASE_URL": "http://127.0.0.1:9"}
    with InProcessEmulator() as aws:
        summary = plan_job(tmp_path, pr, aws, fake_github, repo_name, number, expected=1, **unreachable)
    # The plan's failure, then the diagnosis that ran by itself (it could not reach the model), in the summary and
    # as the pull request's diagnosis notice.
    assert summary.index("### Olympus plan for") < summary.index("so Olympus diagnosed it by itself")
    assert "infra/aws/envs/dev: terraform plan fails" in shown(summary)
    assert "the model could not be reached" in shown(summary)
    said = [shown(c.body) for c in fake_github.repo(repo_name).comments(number) if c.user == "github-actions[bot]"]
    [notice] = [body for body in said if "diagnosed it by itself" in body]
    assert f"The plan of infra/aws/envs/dev failed at {pr.head[:12]}" in notice
    assert fake_github.violations == []
