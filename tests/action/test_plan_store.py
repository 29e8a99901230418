"""The plan store keeps plans between jobs and refuses them back when they are missing or altered (local and S3)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.adapters.plan_store import (
    LocalPlanStore,
    PlanKey,
    PlanStore,
    PlanStoreError,
    open_plan_store,
)
from bot.adapters.plan_store_s3 import S3PlanStore

HEAD = "a" * 40
KEY = PlanKey("octo/infra", 7, HEAD, "aws-dev")


def plan_files(tmp_path: Path) -> tuple[Path, Path, str]:
    plan = tmp_path / "made" / "x.tfplan"
    plan.parent.mkdir(parents=True)
    plan.write_bytes(b"PK\x03\x04 a plan file")
    json_path = plan.with_suffix(".json")
    json_path.write_text('{"format_version": "1.2"}')
    return plan, json_path, hashlib.sha256(plan.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        emulator.client("s3").create_bucket(Bucket="plans")
        yield emulator


@pytest.fixture
def s3_env(aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> LocalAws:
    # boto3's standard configuration, as in a job: the endpoint comes from AWS_ENDPOINT_URL.
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.url)
    for name, value in aws.env.items():
        monkeypatch.setenv(name, value)
    return aws


def stores(tmp_path: Path, kind: str) -> PlanStore:
    return LocalPlanStore(tmp_path / "store") if kind == "local" else S3PlanStore("plans", f"t/{tmp_path.name}")


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_a_stored_plan_comes_back_with_its_hash(tmp_path: Path, kind: str, s3_env: LocalAws) -> None:
    plan, json_path, digest = plan_files(tmp_path)
    store = stores(tmp_path, kind)
    location = store.store(KEY, plan, json_path, digest)
    assert "octo/infra/7/" + HEAD + "/aws-dev" in location

    fetched = store.fetch(KEY, tmp_path / "fetched", expected_sha256=digest)
    assert fetched.sha256 == digest
    assert fetched.plan_path.read_bytes() == plan.read_bytes()
    assert fetched.json_path.read_text() == json_path.read_text()


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_an_altered_plan_is_refused(tmp_path: Path, kind: str, s3_env: LocalAws) -> None:
    plan, json_path, digest = plan_files(tmp_path)
    store = stores(tmp_path, kind)
    store.store(KEY, plan, json_path, digest)
    swapped = tmp_path / "swapped.tfplan"
    swapped.write_bytes(b"PK\x03\x04 another plan")
    if isinstance(store, LocalPlanStore):
        (store.root / KEY.prefix / "plan.tfplan").write_bytes(swapped.read_bytes())
    else:
        s3_env.client("s3").upload_file(str(swapped), "plans", f"t/{tmp_path.name}/{KEY.prefix}/plan.tfplan")

    with pytest.raises(PlanStoreError) as refused:
        store.fetch(KEY, tmp_path / "fetched")
    assert refused.value.reference == "plan-file-altered"
    assert "recorded beside it" in refused.value.message
    assert not (tmp_path / "fetched" / "plan.tfplan").exists()


@pytest.mark.parametrize("kind", ["local", "s3"])
def test_a_missing_plan_is_refused(tmp_path: Path, kind: str, s3_env: LocalAws) -> None:
    plan, json_path, digest = plan_files(tmp_path)
    store = stores(tmp_path, kind)
    store.store(KEY, plan, json_path, digest)
    if isinstance(store, LocalPlanStore):
        (store.root / KEY.prefix / "plan.tfplan").unlink()
    else:
        s3_env.client("s3").delete_object(Bucket="plans", Key=f"t/{tmp_path.name}/{KEY.prefix}/plan.tfplan")

    with pytest.raises(PlanStoreError) as refused:
        store.fetch(KEY, tmp_path / "fetched")
    assert refused.value.reference == "plan-file-missing"

    other_commit = PlanKey("octo/infra", 7, "b" * 40, "aws-dev")
    with pytest.raises(PlanStoreError, match="no .* at"):
        store.fetch(other_commit, tmp_path / "fetched")


def test_a_plan_that_is_not_the_reviewed_one_is_refused(tmp_path: Path) -> None:
    plan, json_path, digest = plan_files(tmp_path)
    store = LocalPlanStore(tmp_path / "store")
    store.store(KEY, plan, json_path, digest)
    with pytest.raises(PlanStoreError, match="not the reviewed"):
        store.fetch(KEY, tmp_path / "fetched", expected_sha256="0" * 64)


def test_a_plan_changed_before_storing_is_not_stored(tmp_path: Path) -> None:
    plan, json_path, digest = plan_files(tmp_path)
    plan.write_bytes(b"changed after the plan")
    with pytest.raises(PlanStoreError, match="plan-file-altered|not the"):
        LocalPlanStore(tmp_path / "store").store(KEY, plan, json_path, digest)
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize(
    ("repo", "number", "commit", "project"),
    [
        ("../etc", 1, HEAD, "p"),
        ("octo/..", 1, HEAD, "p"),
        ("octo/infra", 0, HEAD, "p"),
        ("octo/infra", 1, "main", "p"),
        ("octo/infra", 1, HEAD, "../p"),
        ("octo/infra", 1, HEAD, ".."),
    ],
)
def test_keys_cannot_climb_out_of_the_store(repo: str, number: int, commit: str, project: str) -> None:
    with pytest.raises(ValueError):
        PlanKey(repo, number, commit, project)


def test_plan_store_settings(tmp_path: Path) -> None:
    assert open_plan_store("", tmp_path) == LocalPlanStore(tmp_path)
    assert open_plan_store(f"local:{tmp_path}/x", tmp_path) == LocalPlanStore(tmp_path / "x")
    s3 = open_plan_store("s3://bucket/some/prefix/", tmp_path)
    assert isinstance(s3, S3PlanStore) and (s3.bucket, s3.prefix) == ("bucket", "some/prefix")
    for bad in ("ftp://x", "s3://", "local:"):
        with pytest.raises(PlanStoreError) as refused:
            open_plan_store(bad, tmp_path)
        assert refused.value.reference == "bad-plan-store"


def test_the_s3_store_uses_the_jobs_exchanged_credentials(tmp_path: Path, s3_env: LocalAws) -> None:
    # The role the job exchanged its OIDC token for, not whatever the runner's environment holds.
    given = {"AWS_ACCESS_KEY_ID": "ASIAEXCHANGED", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t"}
    store = open_plan_store(f"s3://plans/t/{tmp_path.name}", tmp_path, given)
    assert isinstance(store, S3PlanStore)
    assert store.client._request_signer._credentials.access_key == "ASIAEXCHANGED"
    plan, json_path, digest = plan_files(tmp_path)
    store.store(KEY, plan, json_path, digest)
    assert store.fetch(KEY, tmp_path / "fetched", expected_sha256=digest).sha256 == digest
    assert "ASIAEXCHANGED" not in repr(store)


def test_an_s3_bucket_that_does_not_exist_is_said_plainly_when_storing(tmp_path: Path, s3_env: LocalAws) -> None:
    plan, json_path, digest = plan_files(tmp_path)
    with pytest.raises(PlanStoreError) as refused:
        open_plan_store("s3://no-such-bucket/plans", tmp_path).store(KEY, plan, json_path, digest)
    assert refused.value.reference == "plan-store-unreachable"
    assert "s3://no-such-bucket/plans/" in refused.value.message and "NoSuchBucket" in refused.value.message
