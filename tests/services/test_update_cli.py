"""`olympus run "/infra update ..."` end to end on the sandbox: a function created, applied and merged, then updated."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from local_repos import commit_files, empty_repo
from olympus_cli import git, olympus

BRANCH = "infra/create-function-resize-dev"
UPDATE = "infra/update-function-resize-dev"
CALL = "infra/aws/envs/dev/lambda_function_resize.tf"


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    path = empty_repo(tmp_path / "infra-repo")
    yield path
    olympus("sandbox", "stop", "--repo", str(path))


def _upload_package(repo: Path, bucket: str) -> None:
    """What CI does before a function's first apply: its package in the bucket the env names."""
    import boto3

    url = json.loads((repo / ".git/olympus/sandbox/emulator.json").read_text())["url"]
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    s3.create_bucket(Bucket=bucket)
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("example/Handler.class", b"")
    s3.put_object(Bucket=bucket, Key="resize/package.zip", Body=package.getvalue())


@pytest.mark.slow
def test_updating_a_functions_memory_plans_one_change(repo: Path) -> None:
    r = str(repo)
    assert olympus("init", "--sandbox", "--repo", r).returncode == 0
    # The env's package bucket, as a team sets it; the offline hashicorp/aws 3.39.0 takes java11, not python3.12.
    commit_files(repo, {"infra/aws/envs/dev/packages.auto.tfvars": 'lambda_package_bucket = "olympus-packages"\n'})
    created = olympus("run", "--sandbox", "--repo", r, "/infra create function resize runtime=java11")
    assert created.returncode == 0, created.stdout + created.stderr
    _upload_package(repo, "olympus-packages")  # the emulator runs from the first --sandbox command on
    applied = olympus("apply", "--sandbox", "--repo", r, "--branch", BRANCH, "--approved-by", "alice")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert olympus("merge", "--repo", r, "--branch", BRANCH).returncode == 0
    before = git(repo, "show", f"main:{CALL}")

    updated = olympus("run", "--sandbox", "--repo", r, "/infra update function resize memory=512")

    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert f"branch {UPDATE}" in updated.stdout and "Update Lambda function resize in dev" in updated.stdout
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in updated.stderr
    assert git(repo, "show", f"{UPDATE}:{CALL}") == before.replace("memory_mb         = 128", "memory_mb         = 512")
    assert "Olympus-Command: /infra update function resize memory=512 env=dev" in git(
        repo, "log", "-1", "--format=%B", UPDATE
    )

    # Asked again, the branch already holds it; a function that is not there is refused with how to create it.
    again = olympus("run", "--sandbox", "--repo", r, "/infra update function resize memory=512")
    assert again.returncode == 0 and "nothing changed" in again.stdout, again.stdout + again.stderr
    missing = olympus("run", "--sandbox", "--repo", r, "/infra update function thumbnail memory=512")
    assert missing.returncode == 2 and "error[request-refused]" in missing.stderr, missing.stderr
    assert "/infra create function thumbnail env=dev" in missing.stderr
