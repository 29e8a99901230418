"""The Action's apply job: the gate re-reads the PR from GitHub, then applies the stored plan on the emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from shown import shown
from test_action_plan import BUCKET_TF, pull_request, read_outputs

from bot.adapters.local_aws import LocalAws
from bot.domain.plan_evidence import RECORD_ARTIFACT, RECORD_FILE
from bot.entrypoints.action import run_action
from bot.entrypoints.demo import seed_repository

pytestmark = pytest.mark.slow

# Not the plan test's repository: moto's state is one per process, and so the Terraform state key must differ.
REPO = "octo-org/apply-job"
WORKFLOW = ".github/workflows/olympus.yml"


def seed_files(tmp_path: Path) -> dict[str, str]:
    seeded = tmp_path / "seed"
    seeded.mkdir()
    seed_repository(seeded)
    return {
        p.relative_to(seeded).as_posix(): p.read_text()
        for p in seeded.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(seeded).parts
    }


def job_env(
    tmp_path: Path, workspace: Path, event: str, payload: dict[str, Any], actor: str, aws: LocalAws, **extra: str
) -> dict[str, str]:
    runner = tmp_path / f"runner-{event}-{actor}"
    runner.mkdir(exist_ok=True)
    (runner / "event.json").write_text(json.dumps(payload))
    for name in ("output", "summary"):
        (runner / name).write_text("")
    return {
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(runner / "event.json"),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_SHA": "0" * 40,
        "GITHUB_RUN_ID": "77",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_ACTOR": actor,
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(runner / "output"),
        "GITHUB_STEP_SUMMARY": str(runner / "summary"),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"),
        "INPUT_COMMENT_MODE": "off",
        "INPUT_PLAN_STORE": f"local:{tmp_path / 'plans'}",
        "OLYMPUS_AWS_EMULATOR_URL": aws.url,
        **extra,
        # The caller workflow the job runs in: plan and apply jobs share it (workflows/olympus.yml).
        "GITHUB_WORKFLOW_REF": f"{extra.get('GITHUB_REPOSITORY', REPO)}/{WORKFLOW}@refs/heads/main",
    }


def web_identity_role(aws: LocalAws, name: str, subject: str) -> str:
    """A role in the emulator's IAM that GitHub's OIDC tokens with exactly `subject` may assume; its ARN."""
    provider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    statement = {
        "Effect": "Allow",
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": provider},
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:sub": subject}},
    }
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    arn: str = aws.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=document)["Role"]["Arn"]
    return arn


def planned_pull_request(
    tmp_path: Path, fixtures_dir: Path, aws: LocalAws, fake: Any, monkeypatch: pytest.MonkeyPatch, repo: str
) -> tuple[Any, int]:
    """A PR adding a bucket, on the fake GitHub and in a local checkout, planned by the Action's plan job."""
    fake.add_repo(repo, files=seed_files(tmp_path))
    number = fake.open_pull_request(
        repo,
        head="add-bucket",
        base="main",
        title="Add a bucket",
        author="mona",
        files={"infra/aws/envs/dev/bucket.tf": BUCKET_TF},
    )
    fake.set_permission(repo, "bob", "maintain")
    fake.set_permission(repo, "alice", "write")  # GitHub counts approvals only from people who can write
    fake.set_branch_protection(repo, "main", required_approving_review_count=1)
    pr = pull_request(tmp_path, fixtures_dir)
    fake.set_pull_head(repo, number, pr.head)  # the checkout's commit id, so the two agree on the head
    plan_job(tmp_path, pr, aws, fake, repo, number)
    return pr, number


def plan_job(
    tmp_path: Path, pr: Any, aws: LocalAws, fake: Any, repo: str, number: int, *, expected: int = 0, **extra: str
) -> str:
    """The plan job for the PR's head, as the reusable plan workflow runs it (exit status `expected`); its summary."""
    plan_event: dict[str, Any] = json.loads(json.dumps(pr.event))
    plan_event["number"] = plan_event["pull_request"]["number"] = number
    plan_event["pull_request"]["head"]["repo"]["full_name"] = repo  # not a fork: the head lives in repo
    env = job_env(
        tmp_path,
        pr.repo,
        "pull_request",
        plan_event,
        "mona",
        aws,
        GITHUB_REPOSITORY=repo,
        GITHUB_TOKEN=fake.actions_token(),
        GITHUB_API_URL=fake.base_url,
        **extra,
    )
    lines: list[str] = []
    assert run_action(env, lines.append) == expected, lines
    record = read_outputs(Path(env["GITHUB_OUTPUT"])).get("record-path")
    if record:  # what action.yml's upload step does on a runner: the record becomes this run's artifact
        artifact = {RECORD_ARTIFACT: {RECORD_FILE: Path(record).read_bytes()}}
        fake.add_workflow_run(repo, path=WORKFLOW, head_sha=pr.head, artifacts=artifact)
    return Path(env["GITHUB_STEP_SUMMARY"]).read_text()


def test_apply_job_gates_then_applies_the_stored_plan(
    tmp_path: Path, fixtures_dir: Path, aws: LocalAws, fake_github: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_github
    pr, number = planned_pull_request(tmp_path, fixtures_dir, aws, fake, monkeypatch, REPO)
    lines: list[str] = []

    token = fake.actions_token()
    comment = {"body": "/infra apply", "created_at": "2026-11-21T06:00:00Z", "updated_at": "2026-11-21T06:00:00Z"}
    apply_event = {"issue": {"number": number, "pull_request": {"url": "x"}}, "comment": comment}

    def apply(actor: str) -> tuple[int, str]:
        env = job_env(
            tmp_path,
            pr.repo,
            "issue_comment",
            apply_event,
            actor,
            aws,
            GITHUB_TOKEN=token,
            GITHUB_API_URL=fake.base_url,
        )
        code = run_action(env, lines.append)
        return code, Path(env["GITHUB_STEP_SUMMARY"]).read_text()

    code, summary = apply("bob")
    assert code == 2 and "no approval for the head commit" in shown(summary)
    assert "olympus-action-demo" not in aws.bucket_names()

    fake.add_review(REPO, number, "mona", "APPROVED", pr.head)  # the PR's author: does not count
    code, summary = apply("bob")
    assert code == 2 and "mona cannot approve it: they opened the pull request" in shown(summary)

    # eve pushed to the pull request's branch (GitHub ran the workflow for her push): her approval does not count.
    fake.set_permission(REPO, "eve", "write")
    fake.add_workflow_run(REPO, path=WORKFLOW, head_sha=pr.head, head_branch="add-bucket", actor="eve")
    fake.add_review(REPO, number, "eve", "APPROVED", pr.head)
    code, summary = apply("bob")
    assert code == 2 and f"eve pushed {pr.head[:12]} to the change and cannot approve it" in shown(summary)

    fake.add_review(REPO, number, "alice", "APPROVED", pr.head)
    code, summary = apply("alice")  # alice may not apply (write, not maintain), and cannot approve her own apply
    assert code == 2 and "maintain" in shown(summary)

    code, summary = apply("bob")
    assert code == 0, summary
    assert "### Applied `infra/aws/envs/dev`" in summary and "Approved by alice" in summary
    assert "olympus-action-demo" in aws.bucket_names()
    aws.client("s3").delete_bucket(Bucket="olympus-action-demo")  # moto's state outlives this test

    # Every plan and apply is in the audit log: who, what, commit, plan hashes, result and the run's address.
    from bot.adapters.sqlstore import SqlStore

    with SqlStore.open(f"sqlite:///{tmp_path / 'runner-temp' / 'olympus' / 'olympus.db'}") as store:
        entries = [e for e in store.audit_log() if e.action.startswith("action-")]
        runs = [run for run in store.runs_page() if run.command in ("plan", "apply")]
    assert [(e.action, e.actor, e.result.split(":")[0]) for e in reversed(entries)] == [
        ("action-plan", "mona", "ok"),
        ("action-apply", "bob", "refused"),
        ("action-apply", "bob", "refused"),
        ("action-apply", "bob", "refused"),
        ("action-apply", "alice", "refused"),
        ("action-apply", "bob", "ok"),
    ]
    applied = entries[0]
    assert applied.params["commit"] == pr.head and applied.params["run"].endswith("/actions/runs/77")
    assert len(applied.params["plans"]["infra/aws/envs/dev"]) == 64
    # The plan job's run and the apply's (the refused ones ran nothing) recorded their steps' timings.
    steps = [(run.command, set(run.detail["projects"]["infra/aws/envs/dev"])) for run in runs]
    assert steps[0] == ("apply", {"apply", "init"})
    assert steps[-1][0] == "plan" and {"init", "plan", "show"} <= steps[-1][1]


def test_apply_job_uses_the_apply_roles_exchanged_credentials(
    tmp_path: Path, fixtures_dir: Path, aws: LocalAws, fake_github: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oidc.issuer import LocalIssuer, new_key

    from bot.domain.oidc_claims import environment_subject

    fake = fake_github
    repo = "octo-org/apply-oidc"
    pr, number = planned_pull_request(tmp_path, fixtures_dir, aws, fake, monkeypatch, repo)
    fake.add_review(repo, number, "alice", "APPROVED", pr.head)

    # The apply role in the emulator's IAM, trusting the Environment's subject only.
    role_arn = web_identity_role(aws, "olympus-apply-oidc", environment_subject(repo, "production"))
    comment = {"body": "/infra apply", "created_at": "2026-11-21T06:00:00Z", "updated_at": "2026-11-21T06:00:00Z"}
    apply_event = {"issue": {"number": number, "pull_request": {"url": "x"}}, "comment": comment}
    with LocalIssuer(new_key()) as issuer:
        issuer.claims = {
            "repository": repo,
            "repository_owner": "octo-org",
            "environment": "production",
            "sub": environment_subject(repo, "production"),
        }
        job = job_env(
            tmp_path,
            pr.repo,
            "issue_comment",
            apply_event,
            "bob",
            aws,
            GITHUB_REPOSITORY=repo,
            GITHUB_TOKEN=fake.actions_token(),
            GITHUB_API_URL=fake.base_url,
            INPUT_AWS_APPLY_ROLE=role_arn,
            INPUT_AWS_REGION="eu-west-1",
            OLYMPUS_OIDC_ISSUER=issuer.url,
            AWS_ENDPOINT_URL=aws.url,
            **issuer.env(),
        )
        for name, value in job.items():  # the exchange reads the job's environment, as on a runner
            monkeypatch.setenv(name, value)
        lines: list[str] = []
        code = run_action(job, lines.append)
        summary = Path(job["GITHUB_STEP_SUMMARY"]).read_text()
        assert code == 0, summary
        assert len(issuer.token_requests) == 1
    masked = [line.removeprefix("::add-mask::") for line in lines if line.startswith("::add-mask::")]
    assert len(masked) == 3 and all(masked)  # the access key, the secret and the session token
    assert not any(secret in summary for secret in masked)
    assert "olympus-action-demo" in aws.bucket_names()
    aws.client("s3").delete_bucket(Bucket="olympus-action-demo")


def test_plan_job_uses_the_plan_roles_exchanged_credentials_for_terraform_and_the_s3_store(
    tmp_path: Path, fixtures_dir: Path, aws: LocalAws, fake_github: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oidc.issuer import LocalIssuer, new_key

    from bot.domain.oidc_claims import pull_request_subject

    fake, repo = fake_github, "octo-org/plan-oidc"
    fake.add_repo(repo, files=seed_files(tmp_path))
    number = fake.open_pull_request(
        repo, head="add-bucket", base="main", title="Add a bucket", author="mona", files={"b.tf": "# b\n"}
    )
    pr = pull_request(tmp_path, fixtures_dir)
    fake.set_pull_head(repo, number, pr.head)
    role_arn = web_identity_role(aws, "olympus-plan-oidc", pull_request_subject(repo))
    aws.client("s3").create_bucket(
        Bucket="plan-oidc-plans", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    with LocalIssuer(new_key()) as issuer:
        issuer.claims = {"repository": repo, "repository_owner": "octo-org", "sub": pull_request_subject(repo)}
        extra = {
            "INPUT_AWS_PLAN_ROLE": role_arn,
            "INPUT_AWS_REGION": "eu-west-1",
            "INPUT_PLAN_STORE": "s3://plan-oidc-plans/plans",
            "OLYMPUS_OIDC_ISSUER": issuer.url,
            "AWS_ENDPOINT_URL": aws.url,
            **issuer.env(),
        }
        for name, value in extra.items():  # the exchange reads the job's environment, as on a runner
            monkeypatch.setenv(name, value)
        summary = plan_job(tmp_path, pr, aws, fake, repo, number, **extra)
        assert len(issuer.token_requests) == 1
    stored = aws.client("s3").list_objects_v2(Bucket="plan-oidc-plans")["Contents"]
    assert {o["Key"].rsplit("/", 1)[1] for o in stored} == {"plan.tfplan", "plan.json", "plan.sha256"}
    assert all(f"plans/{repo}/{number}/{pr.head}/" in o["Key"] for o in stored)
    assert "infra/aws/envs/dev" in summary and "1 to add" in summary
    for entry in stored:
        aws.client("s3").delete_object(Bucket="plan-oidc-plans", Key=entry["Key"])
    aws.client("s3").delete_bucket(Bucket="plan-oidc-plans")
