"""Adopting drift: each drifted module call gets reality's options through `/infra update`'s own change."""

from __future__ import annotations

from fakes.memory_repo import MemoryRepo
from terraform_samples import aws_env_files

from bot.changes.drift_adoption import Adopted, adopt
from bot.changes.terraform import propose
from bot.domain.models import ChangeSet, Cloud, Refusal, ResourceKind, ResourceRequest

ENV = "infra/aws/envs/dev"


def with_resources(*requests: ResourceRequest) -> dict[str, str]:
    files = aws_env_files()
    for request in requests:
        created = propose(MemoryRepo(files), request)
        assert isinstance(created, ChangeSet), created
        files |= {file.path: file.content for file in created.files}
    return files


def create(kind: ResourceKind, name: str, **options: str) -> ResourceRequest:
    return ResourceRequest("create", Cloud.AWS, kind, name, options=tuple(sorted(options.items())))


def test_every_drifted_call_is_updated_on_the_same_files() -> None:
    files = with_resources(
        create(ResourceKind.BUCKET, "logs"), create(ResourceKind.FUNCTION, "resize", runtime="java11")
    )
    adopted = adopt(
        MemoryRepo(files),
        ENV,
        {"s3_bucket_logs": (("versioning", "off"),), "lambda_function_resize": (("memory_mb", "512"),)},
    )
    assert isinstance(adopted, Adopted), adopted
    assert adopted.updates == (
        "/infra update function resize memory=512 env=dev",
        "/infra update bucket logs versioning=off cloud=aws env=dev",
    )
    changed = {file.path: file.content for file in adopted.files}
    assert set(changed) == {f"{ENV}/s3_bucket_logs.tf", f"{ENV}/lambda_function_resize.tf"}
    assert "versioning = false" in " ".join(changed[f"{ENV}/s3_bucket_logs.tf"].split())
    assert "memory_mb = 512" in " ".join(changed[f"{ENV}/lambda_function_resize.tf"].split())


def test_a_call_already_as_reality_is_left_alone() -> None:
    files = with_resources(create(ResourceKind.BUCKET, "logs", versioning="off"))
    adopted = adopt(MemoryRepo(files), ENV, {"s3_bucket_logs": (("versioning", "off"),)})
    assert isinstance(adopted, Adopted) and adopted.files == () and adopted.updates == ()


def test_what_olympus_did_not_generate_is_refused() -> None:
    files = with_resources(create(ResourceKind.BUCKET, "logs"))
    files[f"{ENV}/by_hand.tf"] = 'module "vendored" {\n  source = "../../../../vendor/bucket"\n}\n'
    refused = adopt(MemoryRepo(files), ENV, {"vendored": (("versioning", "off"),)})
    assert isinstance(refused, Refusal) and "not a call of a module Olympus generates" in refused.message
    missing = adopt(MemoryRepo(files), ENV, {"s3_bucket_gone": (("versioning", "off"),)})
    assert isinstance(missing, Refusal)
    elsewhere = adopt(MemoryRepo(files), "stacks/dev", {"s3_bucket_logs": (("versioning", "off"),)})
    assert isinstance(elsewhere, Refusal) and "is not an env Olympus generates" in elsewhere.message
