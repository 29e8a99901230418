"""What the apply job re-reads from GitHub: the reviewed plan's hash and policy result (check runs) and the locks."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from github import Auth, Github
from test_action_apply import job_env, plan_job, planned_pull_request
from test_action_plan import git, pull_request

from bot.adapters.github import GitHubApp, load_private_key
from bot.adapters.github.codehost import GitHubCodeHost
from bot.adapters.local_aws import LocalAws
from bot.domain.plan_evidence import parse_record, record_for
from bot.domain.ref_locks import lock_ref, parse_lock_message
from bot.entrypoints.action import run_action
from bot.services.pull_requests import CHECK_PREFIX

pytestmark = pytest.mark.slow

PROJECT = "infra/aws/envs/dev"


def codehost(fake: Any, token: str) -> GitHubCodeHost:
    return GitHubCodeHost(Github(auth=Auth.Token(token), base_url=fake.base_url, retry=None))


def apply_job(tmp_path: Path, pr: Any, aws: LocalAws, fake: Any, repo: str, number: int, actor: str) -> tuple[int, str]:
    comment = {"body": "/infra apply", "created_at": "2026-11-21T06:00:00Z", "updated_at": "2026-11-21T06:00:00Z"}
    event = {"issue": {"number": number, "pull_request": {"url": "x"}}, "comment": comment}
    env = job_env(
        tmp_path,
        pr.repo,
        "issue_comment",
        event,
        actor,
        aws,
        GITHUB_REPOSITORY=repo,
        GITHUB_TOKEN=fake.actions_token(),
        GITHUB_API_URL=fake.base_url,
    )
    code = run_action(env, lambda line: None)
    return code, Path(env["GITHUB_STEP_SUMMARY"]).read_text()


def stored_folder(tmp_path: Path, repo: str, number: int, head: str) -> Path:
    return tmp_path / "plans" / repo / str(number) / head / PROJECT.replace("/", "--")


def test_the_apply_job_expects_the_hash_github_recorded_not_the_one_beside_the_plan(
    tmp_path: Path, fixtures_dir: Path, aws: LocalAws, fake_github: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, repo = fake_github, "octo-org/recorded-plans"
    pr, number = planned_pull_request(tmp_path, fixtures_dir, aws, fake, monkeypatch, repo)
    folder = stored_folder(tmp_path, repo, number, pr.head)
    reviewed_sha = hashlib.sha256((folder / "plan.tfplan").read_bytes()).hexdigest()

    # The plan job recorded the plan on GitHub: a check run by the github-actions app, its hash in external_id.
    runs = [r for r in fake.repo(repo).check_runs if r.name == CHECK_PREFIX + PROJECT]
    assert [(r.app_slug, r.head_sha, r.conclusion) for r in runs] == [("github-actions", pr.head, "success")]
    record = parse_record(runs[0].external_id or "")
    assert record is not None and record.sha256 == reviewed_sha and record.policy_failures == ()
    # ... and took the project's lock as a ref whose commit names the pull request.
    lock = fake.repo(repo).git.refs[lock_ref(PROJECT, "default")]
    claim = parse_lock_message(fake.repo(repo).git.commits[lock].message)
    assert claim is not None and claim.holder == f"{repo}#{number}" and claim.commit == pr.head
    fake.add_review(repo, number, "alice", "APPROVED", pr.head)

    # Whoever can write the plan store replaces the plan and the hash beside it: the store finds nothing wrong,
    # but GitHub's record does not match.
    original = {name: (folder / name).read_bytes() for name in ("plan.tfplan", "plan.sha256")}
    swapped = original["plan.tfplan"] + b"swapped"
    swapped_sha = hashlib.sha256(swapped).hexdigest()
    (folder / "plan.tfplan").write_bytes(swapped)
    (folder / "plan.sha256").write_text(original["plan.sha256"].decode().replace(reviewed_sha, swapped_sha))
    code, summary = apply_job(tmp_path, pr, aws, fake, repo, number, "bob")
    assert code == 2 and f"not the reviewed {reviewed_sha}" in summary, summary

    # A check run from any other app (here the Olympus App's own token) naming the swapped plan changes nothing.
    app = GitHubApp(fake.app_id, load_private_key(value=fake.private_key_pem), fake.base_url)
    other = codehost(fake, app.tokens.token(fake.installation_id))
    other.create_check_run(
        repo, pr.head, CHECK_PREFIX + PROJECT, conclusion="success", external_id=record_for(swapped_sha)
    )
    code, summary = apply_job(tmp_path, pr, aws, fake, repo, number, "bob")
    assert code == 2 and f"not the reviewed {reviewed_sha}" in summary, summary
    for name, content in original.items():
        (folder / name).write_bytes(content)

    # A newer plan record by GitHub Actions with a failed policy refuses the apply, with the policy's words.
    actions = codehost(fake, fake.actions_token())
    failed = record_for(reviewed_sha, ["deny: aws_s3_bucket.action_demo must not be public"])
    actions.create_check_run(repo, pr.head, CHECK_PREFIX + PROJECT, conclusion="failure", external_id=failed)
    code, summary = apply_job(tmp_path, pr, aws, fake, repo, number, "bob")
    assert code == 2 and f"policy: {PROJECT}: deny: aws_s3_bucket.action_demo must not be public" in summary

    # The newest record without a hash (a plan that failed) refuses too, and says so.
    actions.create_check_run(repo, pr.head, CHECK_PREFIX + PROJECT, conclusion="failure", title="The plan failed")
    code, summary = apply_job(tmp_path, pr, aws, fake, repo, number, "bob")
    assert code == 2 and "recorded no plan hash on GitHub (failure)" in summary

    # With the reviewed plan on record again, the apply goes through.
    actions.create_check_run(
        repo, pr.head, CHECK_PREFIX + PROJECT, conclusion="success", external_id=record_for(reviewed_sha)
    )
    code, summary = apply_job(tmp_path, pr, aws, fake, repo, number, "bob")
    assert code == 0, summary
    assert "olympus-action-demo" in aws.bucket_names()
    aws.client("s3").delete_bucket(Bucket="olympus-action-demo")  # moto's state outlives this test


def second_pull_request(tmp_path: Path, fixtures_dir: Path, fake: Any, repo: str) -> tuple[Any, int]:
    """Another PR changing the same project, with a head commit of its own."""
    where = tmp_path / "second"
    where.mkdir()
    pr = pull_request(where, fixtures_dir)
    bucket = pr.repo / "infra/aws/envs/dev/bucket.tf"
    bucket.write_text(bucket.read_text().replace("olympus-action-demo", "olympus-action-other"))
    git(pr.repo, "commit", "--quiet", "--all", "--amend", "-m", "Add another bucket")
    head = git(pr.repo, "rev-parse", "HEAD").strip()
    pr.event["pull_request"]["head"]["sha"] = head  # type: ignore[index]
    files = {"infra/aws/envs/dev/bucket.tf": bucket.read_text()}
    number = fake.open_pull_request(
        repo, head="other-bucket", base="main", title="Another bucket", author="mona", files=files
    )
    fake.set_pull_head(repo, number, head)
    return type(pr)(pr.repo, pr.base, head, pr.event), number


def test_locks_are_held_on_github_until_the_pull_request_closes(
    tmp_path: Path, fixtures_dir: Path, aws: LocalAws, fake_github: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, repo = fake_github, "octo-org/ref-locks"
    first, first_number = planned_pull_request(tmp_path, fixtures_dir, aws, fake, monkeypatch, repo)
    second, number = second_pull_request(tmp_path, fixtures_dir, fake, repo)

    # The second PR's plan job finds the project locked by the first, and plans nothing there.
    summary = plan_job(tmp_path / "second", second, aws, fake, repo, number, expected=1)
    assert f"{repo}#{first_number}" in summary
    (run,) = [r for r in fake.repo(repo).check_runs if r.head_sha == second.head]
    assert run.conclusion == "failure" and run.output["title"] == f"Locked by {repo}#{first_number}"
    assert not run.external_id  # no plan, so nothing an apply could use

    # Its apply is refused for the lock, re-read from GitHub (its plan is missing too).
    fake.add_review(repo, number, "alice", "APPROVED", second.head)
    code, summary = apply_job(tmp_path / "second", second, aws, fake, repo, number, "bob")
    assert code == 2 and f"locked by {repo}#{first_number}" in summary, summary

    # The first PR is closed: its job releases the lock, and the second PR's next plan takes it.
    closed = json.loads(json.dumps(first.event))
    closed.update(action="closed", number=first_number)
    closed["pull_request"]["number"] = first_number
    env = job_env(
        tmp_path,
        first.repo,
        "pull_request",
        closed,
        "mona",
        aws,
        GITHUB_REPOSITORY=repo,
        GITHUB_TOKEN=fake.actions_token(),
        GITHUB_API_URL=fake.base_url,
    )
    assert run_action(env, lambda line: None) == 0
    assert "released 1 project lock(s)" in Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert lock_ref(PROJECT, "default") not in fake.repo(repo).git.refs

    plan_job(tmp_path / "second", second, aws, fake, repo, number)
    claim = parse_lock_message(
        fake.repo(repo).git.commits[fake.repo(repo).git.refs[lock_ref(PROJECT, "default")]].message
    )
    assert claim is not None and claim.holder == f"{repo}#{number}"
