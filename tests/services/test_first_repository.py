"""A repository Olympus has never seen, from an empty `git init`: the README's Quickstart, the whole life cycle, and
every way a command can fail, each checked for what it leaves behind (branches, worktrees, locks, plan files)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from local_repos import NOTHING, Leftovers, commit_files, empty_repo, leftovers
from olympus_cli import git, olympus

from bot.adapters.local_aws import InProcessEmulator, LocalAws

LINE_1 = "/infra create bucket logs-archive region=eu-west-1 env=dev"
LINE_2 = "/infra create bucket team-data region=eu-west-1"


@pytest.fixture
def cloud() -> Iterator[LocalAws]:
    """An emulator standing in for the team's AWS account: its state bucket and lock table exist, as they would."""
    emulator = InProcessEmulator()
    aws = emulator.__enter__()
    import boto3

    def client(service: str) -> object:
        return boto3.client(
            service, endpoint_url=aws.url, region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
        )

    client("s3").create_bucket(  # type: ignore[attr-defined]
        Bucket="acme-tfstate", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    client("dynamodb").create_table(  # type: ignore[attr-defined]
        TableName="acme-tflock",
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield aws
    emulator.__exit__(None, None, None)


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    path = empty_repo(tmp_path / "infra-repo")
    yield path
    olympus("sandbox", "stop", "--repo", str(path))


@pytest.mark.slow
def test_quickstart_and_the_whole_life_cycle_from_an_empty_repository(repo: Path, cloud: LocalAws) -> None:
    r = str(repo)
    # Before init the first run says exactly what to run, and makes nothing.
    first = olympus("run", "--repo", r, LINE_1)
    assert first.returncode == 2, first.stderr
    assert "error[not-initialized]" in first.stderr
    assert f"olympus init --repo {r} --backend s3 --bucket BUCKET --region REGION" in first.stderr
    assert leftovers(repo) == NOTHING

    done = olympus("init", "--repo", r, "--backend", "s3", "--bucket", "acme-tfstate", "--region", "eu-west-1",
                   "--dynamodb-table", "acme-tflock")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "+ .olympus.yaml" in done.stdout
    assert git(repo, "status", "--porcelain") == ""  # committed, the checkout clean

    # Quickstart line 1, on "the cloud" (an emulator standing in for AWS): the state goes where init said.
    line_1 = olympus("run", "--repo", r, LINE_1, env={"OLYMPUS_AWS_EMULATOR_URL": cloud.url})
    assert line_1.returncode == 0, line_1.stdout + line_1.stderr
    assert "| 4 | 0 | 0 |" in line_1.stdout  # piped: the markdown comment
    branch_1 = "infra/create-bucket-logs-archive-dev"
    backend_hcl = git(repo, "show", f"{branch_1}:infra/aws/envs/dev/backend.hcl")
    assert (
        'bucket  = "acme-tfstate"' in backend_hcl and 'key     = "infra/aws/envs/dev/terraform.tfstate"' in backend_hcl
    )
    # The newest hashicorp/aws Terraform can install here is the offline 3.39.0: the code is written for it.
    assert 'version = "~> 3.39"' in git(repo, "show", f"{branch_1}:infra/aws/envs/dev/versions.tf")
    assert "aws_s3_bucket_versioning" not in git(repo, "show", f"{branch_1}:infra/aws/modules/s3_bucket/main.tf")

    # Quickstart line 2, on the sandbox: another state, so line 1's lock does not stand in its way.
    line_2 = olympus("run", "--sandbox", "--repo", r, LINE_2)
    assert line_2.returncode == 0, line_2.stdout + line_2.stderr
    branch_2 = "infra/create-bucket-team-data-dev"

    planned = olympus("plan", "--sandbox", "--repo", r, "--branch", branch_2, "--format", "rich")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "\x1b[" in planned.stdout and "<!-- olympus" not in planned.stdout  # rendered, not markdown
    assert "✓ infra/aws/envs/dev: terraform plan" in planned.stderr  # each step closes with its time

    assert olympus("approve", "--repo", r, "--branch", branch_2, "--by", "alice").returncode == 0
    applied = olympus("apply", "--sandbox", "--repo", r, "--branch", branch_2)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "team-data" in LocalAws(_sandbox_url(repo)).bucket_names()

    merged = olympus("merge", "--repo", r, "--branch", branch_2)
    assert merged.returncode == 0, merged.stderr
    assert f"merged {branch_2} into main" in merged.stdout and "released 1 lock(s)" in merged.stdout
    assert "s3_bucket_team_data.tf" in git(repo, "ls-tree", "-r", "--name-only", "main")
    assert (repo / "infra/aws/envs/dev/s3_bucket_team_data.tf").is_file()  # the checkout of main followed

    # Destroy reads the merged code and the applied state.
    destroy = olympus("run", "--sandbox", "--repo", r, "/infra destroy bucket team-data")
    assert destroy.returncode == 0, destroy.stdout + destroy.stderr
    assert "Destroy" in destroy.stdout and "team_data" in destroy.stdout
    gone = olympus("apply", "--sandbox", "--repo", r, "--branch", "infra/destroy-bucket-team-data-dev",
                   "--approved-by", "alice")  # fmt: skip
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert "team-data" not in LocalAws(_sandbox_url(repo)).bucket_names()

    status = olympus("status", "--repo", r)
    assert f"{branch_1} (head " in status.stdout and "lock     infra/aws/envs/dev (default) since" in status.stdout
    # Line 1's change keeps its lock and saved plan, the applied destroy its lock until merged; the merged change
    # holds nothing, and no spent plan file stays.
    after = leftovers(repo)
    assert after.worktrees == 0
    assert {holder for holder, _dir in after.locks} == {branch_1, "infra/destroy-bucket-team-data-dev"}
    assert [Path(p).parts[1] for p in after.plan_files] == ["infra--create-bucket-logs-archive-dev"]
    git(repo, "switch", "--quiet", branch_1)  # no worktree holds any branch
    git(repo, "switch", "--quiet", "main")

    # The sandbox's state lives as long as its emulator: after a stop, a plan must not show it all as new.
    assert "gone with it" in olympus("sandbox", "stop", "--repo", r).stdout
    lost = olympus("plan", "--sandbox", "--repo", r, "--branch", branch_2)
    assert lost.returncode == 2 and "error[sandbox-state-gone]" in lost.stderr
    assert f"olympus sandbox reset --repo {r}" in lost.stderr
    assert olympus("sandbox", "reset", "--repo", r).returncode == 0


def _sandbox_url(repo: Path) -> str:
    import json

    return str(json.loads((repo / ".git/olympus/sandbox/emulator.json").read_text())["url"])


def test_without_a_state_location_nothing_is_made(repo: Path) -> None:
    commit_files(repo, {"README.md": "# infra\n"})
    done = olympus("run", "--repo", str(repo), LINE_1)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "error[backend-not-configured]" in done.stderr
    assert 'infra/aws/envs/dev has `backend "s3" {}` but no backend.hcl' in done.stderr
    assert f"olympus init --repo {repo} --backend s3" in done.stderr
    assert leftovers(repo) == NOTHING


def test_a_broken_config_is_reported_before_any_branch(repo: Path) -> None:
    commit_files(repo, {".olympus.yaml": "version: 1\nprojects:\n  - dri: infra\n"})
    for args in (["run", "--sandbox", LINE_1], ["plan", "--sandbox", "--branch", "main"]):
        done = olympus(*args, "--repo", str(repo))
        assert done.returncode == 2, done.stdout + done.stderr
        assert "error[invalid-config]" in done.stderr and "unknown key `dri`" in done.stderr
        assert leftovers(repo) == NOTHING
    assert not (repo / ".git/olympus/sandbox/emulator.json").exists()  # not even the emulator was started


def test_planning_the_base_branch_holds_no_branch(repo: Path) -> None:
    commit_files(repo, {"main.tf": "# nothing\n"})
    done = olympus("plan", "--repo", str(repo), "--branch", "main")
    assert done.returncode == 2
    assert "error[nothing-to-plan]" in done.stderr
    assert leftovers(repo) == NOTHING
    git(repo, "switch", "--quiet", "-c", "elsewhere")
    git(repo, "switch", "--quiet", "main")  # `main` is not checked out in any worktree


def test_init_twice_and_init_with_another_backend(repo: Path) -> None:
    r = str(repo)
    assert olympus("init", "--repo", r, "--sandbox").returncode == 0
    again = olympus("init", "--repo", r, "--sandbox")
    assert again.returncode == 0 and "already initialized" in again.stdout
    other = olympus("init", "--repo", r, "--backend", "gcs", "--bucket", "acme-state")
    assert other.returncode == 2 and "error[already-initialized]" in other.stderr
    missing = olympus("init", "--repo", r, "--backend", "s3", "--bucket", "acme-state")
    assert missing.returncode == 2 and "error[missing-option]" in missing.stderr
    assert len(git(repo, "log", "--oneline").splitlines()) == 1


def test_init_writes_backend_hcl_for_the_envs_already_there(repo: Path) -> None:
    partial = 'terraform {\n  backend "s3" {}\n}\n'
    gcs = partial.replace("s3", "gcs")
    commit_files(repo, {"infra/aws/envs/prod/backend.tf": partial, "infra/gcp/envs/dev/backend.tf": gcs})
    done = olympus("init", "--repo", str(repo), "--backend", "s3", "--bucket", "acme-tfstate", "--region",
                   "eu-west-1", "--key-prefix", "platform")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "left alone: infra/gcp/envs/dev (its backend is gcs)" in done.stdout
    written = (repo / "infra/aws/envs/prod/backend.hcl").read_text()
    assert 'key     = "platform/infra/aws/envs/prod/terraform.tfstate"' in written
    assert "use_lockfile = true" in written  # no DynamoDB table: S3's own lock file
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.slow
def test_a_failed_plan_gives_back_the_lock_it_took(repo: Path) -> None:
    r = str(repo)
    assert olympus("init", "--repo", r, "--sandbox").returncode == 0
    pinned = (
        'terraform {\n  backend "s3" {}\n  required_providers {\n'
        '    aws = { source = "hashicorp/aws", version = "~> 5.0" }\n  }\n}\n'
        'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n'
    )
    commit_files(repo, {"infra/aws/envs/dev/main.tf": pinned}, "a queue", branch="infra/queue")
    done = olympus("plan", "--repo", r, "--branch", "infra/queue")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "error[provider-unavailable]" in done.stderr and "~> 3.39" in done.stderr
    assert leftovers(repo) == Leftovers(["infra/queue"], 0, [], [])
