"""What the apply job re-reads from GitHub: the reviewed plans (its plan run's artifact) and the locks (git refs)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from shown import shown
from test_action_apply import WORKFLOW, job_env, plan_job, planned_pull_request
from test_action_plan import git, pull_request

from bot.adapters.local_aws import LocalAws
from bot.domain.plan_evidence import RECORD_ARTIFACT, RECORD_FILE, record_text
from bot.domain.policies.results import PolicyFailure
from bot.domain.ref_locks import lock_ref, parse_lock_message
from bot.entrypoints.action import run_action
from bot.services.pull_requests import CHECK_PREFIX

pytestmark = pytest.mark.slow

PROJECT = "infra/aws/envs/dev"


def apply_job(
    tmp_path: Path, pr: Any, aws: LocalAws, fake: Any, repo: str, number: int, actor: str, **extra: str
) -> tuple[int, str]:
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
        **extra,
    )
    code = run_action(env, lambda line: None)
    return code, Path(env["GITHUB_STEP_SUMMARY"]).read_text()


def closed_job(
    tmp_path: Path, pr: Any, aws: LocalAws, fake: Any, repo: str, number: int, *, merged: bool = False, **extra: str
) -> str:
    """The plan workflow's job for the pull request's closed event; its job summary."""
    closed = json.loads(json.dumps(pr.event))
    closed.update(action="closed", number=number)
    closed["pull_request"].update(number=number, merged=merged)
    env = job_env(
        tmp_path,
        pr.repo,
        "pull_request",
        closed,
        "mona",
        aws,
        GITHUB_REPOSITORY=repo,
        GITHUB_TOKEN=fake.actions_token(),
        GITHUB_API_URL=fake.base_url,
        **extra,
    )
    assert run_action(env, lambda line: None) == 0
    return Path(env["GITHUB_STEP_SUMMARY"]).read_text()


def stored_folder(tmp_path: Path, repo: str, number: int, head: str) -> Path:
    return tmp_path / "plans" / repo / str(number) / head / PROJECT.replace("/", "--")


def record_run(fake: Any, repo: str, head: str, record: bytes | None, *, path: str = WORKFLOW) -> int:
    """A run of the plan workflow for `head`, with the record artifact it uploaded (or none)."""
    artifacts = {RECORD_ARTIFACT: {RECORD_FILE: record}} if record is not None else {}
    run_id: int = fake.add_workflow_run(repo, path=path, head_sha=head, artifacts=artifacts)
    return run_id


def test_the_apply_job_expects_the_hash_its_plan_run_recorded_not_the_one_beside_the_plan(
    tmp_path: Path, fixtures_dir: Path, aws: LocalAws, fake_github: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, repo = fake_github, "octo-org/recorded-plans"
    pr, number = planned_pull_request(tmp_path, fixtures_dir, aws, fake, monkeypatch, repo)
    folder = stored_folder(tmp_path, repo, number, pr.head)
    reviewed_sha = hashlib.sha256((folder / "plan.tfplan").read_bytes()).hexdigest()

    # The plan job wrote the record that action.yml uploads as its run's artifact ...
    (run,) = fake.repo(repo).workflow_runs
    with zipfile.ZipFile(io.BytesIO(run.artifacts[0].data)) as bundle:
        record = json.loads(bundle.read(RECORD_FILE))
    assert (record["repository"], record["pull_request"], record["head"]) == (repo, number, pr.head)
    assert record["projects"] == {PROJECT: {"sha256": reviewed_sha, "policy_failures": []}}
    # ... showed the hash in the project's check run ...
    (check,) = [r for r in fake.repo(repo).check_runs if r.name == CHECK_PREFIX + PROJECT]
    assert check.conclusion == "success" and reviewed_sha in check.output["summary"]
    # ... and took the project's lock as a ref whose commit names the pull request.
    lock = fake.repo(repo).git.refs[lock_ref(PROJECT, "default")]
    claim = parse_lock_message(fake.repo(repo).git.commits[lock].message)
    assert claim is not None and claim.holder == f"{repo}#{number}" and claim.commit == pr.head
    fake.add_review(repo, number, "alice", "APPROVED", pr.head)

    # Whoever can write the plan store replaces the plan and the hash beside it: the store finds nothing wrong,
    # but the plan run's record does not match.
    original = {name: (folder / name).read_bytes() for name in ("plan.tfplan", "plan.sha256")}
    swapped = original["plan.tfplan"] + b"swapped"
    swapped_sha = hashlib.sha256(swapped).hexdigest()
    (folder / "plan.tfplan").write_bytes(swapped)
    (folder / "plan.sha256").write_text(original["plan.sha256"].decode().replace(reviewed_sha, swapped_sha))
    code, summary = apply_job(tmp_path, pr, aws, fake, repo, number, "bob")
    assert code == 2 and f"not the reviewed {reviewed_sha}" in shown(summary), summary

    # Records of the swapped plan elsewhere change nothing: another PR's run (its own head commit, whatever its
    # record claims), and a run of another workflow file.
    forged = record_text(repo, number, pr.head, "x", {PROJECT: (swapped_sha, ())}).encode()
    record_run(fake, repo, fake.repo(repo).pulls[number].base_sha, forged)
    record_run(fake, repo, pr.head, forged, path=".github/workflows/other.yml")
    code, summary = apply_job(tmp_path, pr, aws, fake, repo, number, "bob")
    assert code == 2 and f"not the reviewed {reviewed_sha}" in shown(summary), summary
    for name, content in original.items():
        (folder / name).write_bytes(content)

    # The newest plan run decides: a record with a failed policy refuses, with the policy's words ...
    denied = record_text(
        repo, number, pr.head, "x", {PROJECT: (reviewed_sha, [PolicyFailure("security", "deny: the bucket is public")])}
    )
    record_run(fake, repo, pr.head, denied.encode())
    code, summary = apply_job(tmp_path, pr, aws, fake, repo, number, "bob")
    assert code == 2 and f"{PROJECT}: policy set security fails: deny: the bucket is public" in shown(summary), summary
    # ... a newer run that uploaded no record (one that crashed, or released the locks) is passed over ...
    record_run(fake, repo, pr.head, None)
    code, summary = apply_job(tmp_path, pr, aws, fake, repo, number, "bob")
    assert code == 2 and "policy set security fails: deny: the bucket is public" in shown(summary), summary
    # ... so does a record written for another pull request ...
    record_run(fake, repo, pr.head, record_text(repo, number + 5, pr.head, "x", {PROJECT: (reviewed_sha, ())}).encode())
    code, summary = apply_job(tmp_path, pr, aws, fake, repo, number, "bob")
    assert code == 2 and f"not {repo}#{number}" in shown(summary), summary

    # ... and with the reviewed plan on record again, the apply goes through.
    record_run(fake, repo, pr.head, record_text(repo, number, pr.head, "x", {PROJECT: (reviewed_sha, ())}).encode())
    code, summary = apply_job(tmp_path, pr, aws, fake, repo, number, "bob")
    assert code == 0, summary
    assert "olympus-action-demo" in aws.bucket_names()
    aws.client("s3").delete_bucket(Bucket="olympus-action-demo")  # moto's state outlives this test
    assert fake.violations == []


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
    (check,) = [r for r in fake.repo(repo).check_runs if r.head_sha == second.head]
    assert check.conclusion == "failure" and check.output["title"] == f"Locked by {repo}#{first_number}"
    (run,) = [r for r in fake.repo(repo).workflow_runs if r.head_sha == second.head]
    with zipfile.ZipFile(io.BytesIO(run.artifacts[0].data)) as bundle:
        assert json.loads(bundle.read(RECORD_FILE))["projects"] == {}  # no plan, so nothing an apply could use

    # Its apply is refused for the lock, re-read from GitHub (its plan is missing too).
    fake.add_review(repo, number, "alice", "APPROVED", second.head)
    code, summary = apply_job(tmp_path / "second", second, aws, fake, repo, number, "bob")
    assert code == 2 and f"locked by {repo}#{first_number}" in shown(summary), summary

    # The first PR is closed: its job releases the lock, and the second PR's next plan takes it.
    summary = closed_job(tmp_path, first, aws, fake, repo, first_number)
    assert "released 1 project lock(s)" in summary
    assert lock_ref(PROJECT, "default") not in fake.repo(repo).git.refs

    plan_job(tmp_path / "second", second, aws, fake, repo, number)
    claim = parse_lock_message(
        fake.repo(repo).git.commits[fake.repo(repo).git.refs[lock_ref(PROJECT, "default")]].message
    )
    assert claim is not None and claim.holder == f"{repo}#{number}"


def test_applied_after_merge_the_locks_are_kept_until_the_apply(
    tmp_path: Path, fixtures_dir: Path, aws: LocalAws, fake_github: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, repo = fake_github, "octo-org/after-merge"
    pr, number = planned_pull_request(tmp_path, fixtures_dir, aws, fake, monkeypatch, repo)
    fake.add_review(repo, number, "alice", "APPROVED", pr.head)
    with fake.lock:
        fake.merge_state(fake.repo(repo), fake.repo(repo).pulls[number], "Add a bucket", "alice")

    # The merge's closed event keeps the locks: this repository applies after merge.
    after_merge = {"OLYMPUS_APPLY_AFTER_MERGE": "true"}
    summary = closed_job(tmp_path, pr, aws, fake, repo, number, merged=True, **after_merge)
    assert "kept for the apply after merge" in summary
    assert lock_ref(PROJECT, "default") in fake.repo(repo).git.refs

    # The closed run uploaded no record; the apply finds the plan run's record before it, applies, and releases.
    record_run(fake, repo, pr.head, None)
    code, summary = apply_job(tmp_path, pr, aws, fake, repo, number, "bob", **after_merge)
    assert code == 0, summary
    assert "Released 1 project lock(s)" in summary
    assert lock_ref(PROJECT, "default") not in fake.repo(repo).git.refs
    assert "olympus-action-demo" in aws.bucket_names()
    aws.client("s3").delete_bucket(Bucket="olympus-action-demo")
    assert fake.violations == []
