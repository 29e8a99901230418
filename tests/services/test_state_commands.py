"""`/infra import` and `/infra state rm` for real, on the local AWS emulator, through the CLI and the apply gate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from olympus_cli import git, olympus

from bot.adapters.local_aws import LocalAws, ensure_background_emulator, stop_background_emulator
from bot.entrypoints.demo import seed_repository

pytestmark = pytest.mark.slow

BRANCH = "infra/import-archive"
BUCKET = "old-archive-logs"
RESOURCE = f'resource "aws_s3_bucket" "archive" {{\n  bucket = "{BUCKET}"\n}}\n'


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[tuple[Path, LocalAws]]:
    """The demo's platform repository with a bucket made by hand, and a branch that describes it in Terraform."""
    path = tmp_path / "infra-repo"
    path.mkdir()
    state_file = seed_repository(path).state_dir / "sandbox" / "emulator.json"
    aws = ensure_background_emulator(state_file)  # the one the CLI's --sandbox uses
    aws.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    git(path, "switch", "--quiet", "-c", BRANCH)
    (path / "infra/aws/envs/dev/archive.tf").write_text(RESOURCE)
    git(path, "add", "--all")
    git(path, "commit", "--quiet", "-m", "Describe the archive bucket made by hand")
    git(path, "switch", "--quiet", "main")
    yield path, aws
    stop_background_emulator(state_file)


def allow(repo: Path, commands: str) -> None:
    (repo / ".olympus.yaml").write_text(f"version: 1\nallow_commands: [{commands}]\n")
    git(repo, "add", ".olympus.yaml")
    git(repo, "commit", "--quiet", "-m", "Allow state commands")


def test_import_and_state_rm_run_only_when_allowed_and_approved(repo: tuple[Path, LocalAws]) -> None:
    path, aws = repo
    do_import = ("run", "--sandbox", "--repo", str(path), f"/infra import aws_s3_bucket.archive {BUCKET}")
    state_rm = ("run", "--sandbox", "--repo", str(path), "/infra state rm aws_s3_bucket.archive")

    # Off by default: nothing runs, nothing is locked.
    off = olympus(*do_import)
    assert off.returncode == 2, off.stdout + off.stderr
    assert "`/infra import` is off for this repository: add `allow_commands: [import]`" in off.stderr
    assert "  lock     none" in olympus("status", "--repo", str(path)).stdout

    # Allowed on the base branch, but approved by its own requester only: refused, as apply would be.
    allow(path, "import, state_rm")
    assert olympus("approve", "--repo", str(path), "--by", "bob", "--branch", BRANCH).returncode == 0
    refused = olympus(*do_import)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "bob asked for this change or its apply and cannot approve it" in refused.stderr

    # Approved at head by someone else: imported (one Terraform run), and the lock is the branch's.
    assert olympus("approve", "--repo", str(path), "--by", "alice", "--branch", BRANCH).returncode == 0
    imported = olympus(*do_import)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "Import successful!" in imported.stdout
    assert f"import done in infra/aws/envs/dev at {git(path, 'rev-parse', BRANCH)[:12]}" in imported.stdout
    assert "(approved by alice)" in imported.stdout
    held = olympus("status", "--repo", str(path)).stdout
    assert held.startswith(f"{BRANCH} (head") and "  lock     infra/aws/envs/dev (default)" in held, held

    # The same gate lets state rm through (one Terraform run); the bucket itself stays, only the state forgets it.
    removed = olympus(*state_rm)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert "Removed aws_s3_bucket.archive" in removed.stdout
    assert BUCKET in aws.bucket_names()
    status = olympus("status", "--repo", str(path)).stdout
    assert "bob import: ok" in status and "bob state_rm: ok" in status
    assert "bob import: refused: " in status
