"""`olympus drift` on the local AWS emulator, as a user drives it: apply a bucket, change it behind Terraform's back
with boto3, see each change attribute by attribute, restore it through the gate, see it clean again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from local_repos import demo_repository
from olympus_cli import git, olympus

from bot.adapters.local_aws import LocalAws

pytestmark = pytest.mark.slow

ENV_DIR = "infra/aws/envs/dev"
MODULE = "module.s3_bucket_drift_tags"


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    with demo_repository(tmp_path) as path:
        yield path


def ok(*args: str) -> str:
    done = olympus(*args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def emulator(repo: Path) -> LocalAws:
    """The emulator `--sandbox` started for repo, for boto3 to change things behind Terraform's back."""
    return LocalAws(json.loads((repo / ".git/olympus/sandbox/emulator.json").read_text())["url"])


def drift_json(repo: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(ok("drift", "--sandbox", "--repo", str(repo), "--json"))
    (project,) = report["projects"]
    assert project["dir"] == ENV_DIR
    return dict(project)


def test_drift_is_reported_attribute_by_attribute_and_gone_after_a_restore(repo: Path) -> None:
    ok("run", "--sandbox", "--repo", str(repo), "/infra create bucket drift-tags region=eu-west-1 env=dev")
    ok("apply", "--sandbox", "--repo", str(repo), "--approved-by", "alice")
    ok("merge", "--repo", str(repo))
    assert drift_json(repo)["status"] == "clean"  # just applied: nothing drifted, nothing unapplied

    s3 = emulator(repo).client("s3")
    s3.put_bucket_tagging(Bucket="drift-tags", Tagging={"TagSet": [{"Key": "owner", "Value": "mallory"}]})
    s3.put_bucket_versioning(Bucket="drift-tags", VersioningConfiguration={"Status": "Suspended"})
    s3.delete_public_access_block(Bucket="drift-tags")  # a resource of the module, gone outside Terraform
    # A bucket made outside Terraform that no code declares is in no state, so neither plan can see it: Olympus
    # says so, and does not pretend otherwise (finding it would need an inventory of the cloud account).
    s3.create_bucket(Bucket="shadow-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})

    project = drift_json(repo)
    assert project["status"] == "drifted" and project["since"] is not None
    assert project["way_out"] == "restore"  # a deletion is restored, never adopted
    by_address = {r["address"]: r for r in project["resources"]}
    bucket = by_address[f"{MODULE}.aws_s3_bucket.this"]
    attributes = {a["name"]: (a["before"], a["after"]) for a in bucket["attributes"]}
    assert attributes['tags_all["owner"]'] == ("null", '"mallory"')
    assert attributes['tags_all["env"]'] == ('"dev"', "null")
    assert attributes["versioning[0].enabled"] == ("true", "false")
    assert by_address[f"{MODULE}.aws_s3_bucket_public_access_block.this"]["action"] == "delete"
    assert "shadow-bucket" not in json.dumps(project)

    text = ok("drift", "--sandbox", "--repo", str(repo))
    assert f"{ENV_DIR}: drifted since " in text
    assert "      versioning[0].enabled: true → false" in text
    assert f"  - {MODULE}.aws_s3_bucket_public_access_block.this: deleted outside Terraform" in text
    assert "resources created outside Terraform are found only where the code declares them" in text
    status = ok("status", "--repo", str(repo))
    assert f"  {ENV_DIR}: drifted since " in status and "1 deleted" in status

    # The restore: a change to the project, planned, approved and applied, puts reality back as the code says.
    git(repo, "switch", "--quiet", "-c", "infra/restore-drift")
    (repo / ENV_DIR / "providers.tf").write_text((repo / ENV_DIR / "providers.tf").read_text() + "# restored\n")
    git(repo, "commit", "--quiet", "-am", "Restore the bucket")
    git(repo, "switch", "--quiet", "main")
    ok("plan", "--sandbox", "--repo", str(repo), "--branch", "infra/restore-drift")
    held = drift_json(repo)  # the restore holds the project's lock: the sweep leaves it alone and says by whom
    assert (held["status"], held["locked_by"], held["since"]) == ("locked", "infra/restore-drift", project["since"])
    ok("apply", "--sandbox", "--repo", str(repo), "--branch", "infra/restore-drift", "--approved-by", "alice")
    ok("merge", "--repo", str(repo), "--branch", "infra/restore-drift")

    restored = drift_json(repo)
    assert restored["status"] == "clean" and restored["since"] is None and restored["resources"] == []
    assert f"  {ENV_DIR}: clean (checked " in ok("status", "--repo", str(repo))


def test_user_errors_exit_2(repo: Path, tmp_path: Path) -> None:
    unknown = olympus("drift", "--repo", str(repo), "--project", "nope")
    assert unknown.returncode == 2, unknown.stdout + unknown.stderr
    assert "error[unknown-project]: main has no Terraform project named 'nope'" in unknown.stderr
    assert f"its projects are: {ENV_DIR}" in unknown.stderr
    (tmp_path / "plain").mkdir()
    outside = olympus("drift", "--repo", str(tmp_path / "plain"))
    assert outside.returncode == 2 and "error[not-a-repository]" in outside.stderr
    assert "Traceback" not in outside.stderr + unknown.stderr


def test_a_declared_resource_created_outside_terraform_is_found_and_adopted_by_import(repo: Path) -> None:
    # Merged and never applied: meanwhile someone made the bucket by hand, under the name the code gives it.
    ok("run", "--sandbox", "--repo", str(repo), "/infra create bucket made-by-hand region=eu-west-1 env=dev")
    ok("merge", "--repo", str(repo))
    assert drift_json(repo)["status"] == "unapplied"  # nothing exists yet: the code simply was never applied
    s3 = emulator(repo).client("s3")
    s3.create_bucket(Bucket="made-by-hand", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})

    project = drift_json(repo)
    address = "module.s3_bucket_made_by_hand.aws_s3_bucket.this"
    assert project["status"] == "drifted" and project["way_out"] == "adopt"  # restoring cannot create a taken name
    (outside,) = project["resources"]  # the bucket's other resources do not exist: they are simply to be created
    assert (outside["address"], outside["action"]) == (address, "outside")
    assert outside["attributes"] == [{"name": "id", "before": "null", "after": '"made-by-hand"'}]
    text = ok("drift", "--sandbox", "--repo", str(repo))
    assert f'  + {address}: created outside Terraform (import id "made-by-hand"), not in the state' in text
    assert "1 created outside Terraform" in text
    # The probe's file and plans are gone: nothing is left in the repository or the state folder.
    assert not list(repo.rglob("olympus_drift_probe.tf")) and not list(repo.rglob("*.probe.tfplan"))

    # Adopting is the import blocks, committed and applied through the gate like any change.
    git(repo, "switch", "--quiet", "-c", "infra/adopt-made-by-hand")
    blocks = f'import {{\n  to = {address}\n  id = "made-by-hand"\n}}\n'
    (repo / ENV_DIR / "olympus_imports.tf").write_text(blocks)
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "Adopt the bucket made by hand")
    git(repo, "switch", "--quiet", "main")
    ok("plan", "--sandbox", "--repo", str(repo), "--branch", "infra/adopt-made-by-hand")
    ok("apply", "--sandbox", "--repo", str(repo), "--branch", "infra/adopt-made-by-hand", "--approved-by", "alice")
    ok("merge", "--repo", str(repo), "--branch", "infra/adopt-made-by-hand")
    assert drift_json(repo)["status"] == "clean"
