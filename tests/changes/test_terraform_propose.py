"""bot.changes.terraform.propose: layout, provider versions, idempotency, refusals and destroy, in memory."""

from __future__ import annotations

import pytest
from fakes.memory_repo import MemoryRepo
from terraform_samples import AWS_VERSIONS_TF, aws_env_files

from bot.changes.hcl_reader import parse
from bot.changes.terraform import DELETE, propose
from bot.domain.models import ChangeSet, Cloud, Refusal, ResourceKind, ResourceRequest

DEV = "infra/aws/envs/dev"
S3_MODULE = "infra/aws/modules/s3_bucket"


def create(
    name: str, kind: ResourceKind = ResourceKind.BUCKET, cloud: Cloud = Cloud.AWS, **options: str
) -> ResourceRequest:
    env = options.pop("env", "dev")
    region = options.pop("region", "")
    return ResourceRequest("create", cloud, kind, name, env, region, tuple(sorted(options.items())))


def destroy(name: str, kind: ResourceKind = ResourceKind.BUCKET, env: str = "dev") -> ResourceRequest:
    return ResourceRequest("destroy", Cloud.AWS, kind, name, env)


def change(repo: MemoryRepo, request: ResourceRequest) -> ChangeSet:
    result = propose(repo, request)
    assert isinstance(result, ChangeSet), result
    return result


def refusal(repo: MemoryRepo, request: ResourceRequest) -> Refusal:
    result = propose(repo, request)
    assert isinstance(result, Refusal), result
    return result


def files_of(result: ChangeSet) -> dict[str, str]:
    return {file.path: file.content for file in result.files}


def module_arguments(text: str) -> dict[str, object]:
    (block,) = parse(text)
    assert block.type == "module"
    return {
        name: attribute.value if attribute.is_literal else attribute.expr
        for name, attribute in block.attributes.items()
    }


# -- layout -------------------------------------------------------------------------------------------------------


def test_first_bucket_in_an_existing_env_scaffolds_the_module_and_writes_one_call_file() -> None:
    repo = MemoryRepo(aws_env_files())

    result = change(repo, create("logs-archive"))

    assert result.title == "Create S3 bucket logs-archive in dev (eu-west-1)"
    assert sorted(files_of(result)) == [
        f"{DEV}/s3_bucket_logs_archive.tf",
        f"{S3_MODULE}/main.tf",
        f"{S3_MODULE}/outputs.tf",
        f"{S3_MODULE}/variables.tf",
        f"{S3_MODULE}/versions.tf",
    ]
    call = files_of(result)[f"{DEV}/s3_bucket_logs_archive.tf"]
    assert 'module "s3_bucket_logs_archive" {' in call
    assert module_arguments(call)["source"] == "../../modules/s3_bucket"
    assert module_arguments(call)["bucket_name"] == "logs-archive"
    assert not result.unchanged


def test_existing_module_is_never_overwritten() -> None:
    repo = MemoryRepo(aws_env_files()).apply(change(MemoryRepo(aws_env_files()), create("logs-archive")))
    edited = dict(repo.files)
    edited[f"{S3_MODULE}/main.tf"] += "\n# a team's own addition\n"

    result = change(MemoryRepo(edited), create("data"))

    assert list(files_of(result)) == [f"{DEV}/s3_bucket_data.tf"]


def test_description_says_what_and_why_and_lists_inline_skips() -> None:
    result = change(MemoryRepo(aws_env_files()), create("data", versioning="off"))

    assert "Creates S3 bucket `data` in env `dev`" in result.description
    assert "Versioning: **off**, as requested" in result.description
    assert "`CKV_AWS_21`: versioning=off was requested" in result.description
    assert "hashicorp/aws 3.39.0" in result.description
    call = files_of(result)[f"{DEV}/s3_bucket_data.tf"]
    assert "#checkov:skip=CKV_AWS_21:versioning=off was requested" in call
    assert "#trivy:ignore:AVD-AWS-0090" in call
    assert module_arguments(call)["versioning"] is False


def test_a_new_env_is_scaffolded_with_pin_partial_backend_default_tags_and_region() -> None:
    repo = MemoryRepo(aws_env_files())

    files = files_of(change(repo, create("staging-data", env="staging", region="eu-central-1")))

    staging = "infra/aws/envs/staging"
    assert {
        f"{staging}/versions.tf",
        f"{staging}/providers.tf",
        f"{staging}/backend.tf",
        f"{staging}/variables.tf",
    } <= set(files)
    assert 'version = "3.39.0"' in files[f"{staging}/versions.tf"]  # the sibling env's pin, kept
    assert 'required_version = ">= 1.6"' in files[f"{staging}/versions.tf"]
    assert 'backend "s3" {}' in files[f"{staging}/backend.tf"]
    providers = files[f"{staging}/providers.tf"]
    assert "region = var.region" in providers
    assert 'managed-by = "olympus"' in providers and 'env        = "staging"' in providers
    assert 'default     = "eu-central-1"' in files[f"{staging}/variables.tf"]


def test_gcp_bucket_uses_the_gcs_module_and_a_gcs_backend() -> None:
    result = change(MemoryRepo(), create("media-assets", cloud=Cloud.GCP, region="EU"))

    files = files_of(result)
    assert result.title == "Create GCS bucket media-assets in dev (EU)"
    assert 'backend "gcs" {}' in files["infra/gcp/envs/dev/backend.tf"]
    assert "default_labels" in files["infra/gcp/envs/dev/providers.tf"]
    assert 'version = "~> 6.0"' in files["infra/gcp/envs/dev/versions.tf"]
    main = files["infra/gcp/modules/gcs_bucket/main.tf"]
    assert "uniform_bucket_level_access = true" in main
    assert 'public_access_prevention    = "enforced"' in main
    assert module_arguments(files["infra/gcp/envs/dev/gcs_bucket_media_assets.tf"])["location"] == "EU"


def test_gcp_instances_are_refused_with_what_is_supported() -> None:
    result = refusal(MemoryRepo(), create("vm", kind=ResourceKind.INSTANCE, cloud=Cloud.GCP))

    assert "instances on gcp" in result.message
    assert "bucket" in result.hint


# -- provider versions --------------------------------------------------------------------------------------------


def test_aws_below_4_configures_s3_inline() -> None:
    main = files_of(change(MemoryRepo(aws_env_files()), create("logs")))[f"{S3_MODULE}/main.tf"]

    assert "  versioning {" in main and "  server_side_encryption_configuration {" in main
    assert "  lifecycle_rule {" in main and 'dynamic "logging"' in main
    assert "aws_s3_bucket_versioning" not in main


@pytest.mark.parametrize(
    ("files", "why"),
    [
        (aws_env_files(constraint=">= 4.0, < 6", locked=None), "constraint range"),
        (
            aws_env_files(constraint="~> 3.39", locked="4.67.0")
            | {f"{DEV}/versions.tf": AWS_VERSIONS_TF.format(constraint=">= 3.0")},
            "lock wins",
        ),
        (aws_env_files(constraint=None, locked=None), "no pin anywhere"),
    ],
)
def test_aws_4_and_later_configures_s3_with_separate_resources(files: dict[str, str], why: str) -> None:
    main = files_of(change(MemoryRepo(files), create("logs")))[f"{S3_MODULE}/main.tf"]

    assert 'resource "aws_s3_bucket_versioning" "this"' in main, why
    assert 'resource "aws_s3_bucket_server_side_encryption_configuration" "this"' in main, why
    assert 'resource "aws_s3_bucket_lifecycle_configuration" "this"' in main, why
    assert "BucketOwnerEnforced" in main, why
    assert "  versioning {" not in main, why


def test_lock_file_version_wins_over_a_wide_constraint() -> None:
    files = aws_env_files(constraint=">= 3.38", locked="3.39.0")

    result = change(MemoryRepo(files), create("logs"))

    assert "  versioning {" in files_of(result)[f"{S3_MODULE}/main.tf"]
    assert f"locked in {DEV}/.terraform.lock.hcl" in result.description


def test_no_pin_anywhere_scaffolds_aws_5() -> None:
    files = files_of(change(MemoryRepo(), create("logs", env="dev")))

    assert 'version = "~> 5.0"' in files[f"{DEV}/versions.tf"]
    assert 'version = ">= 4.0"' in files[f"{S3_MODULE}/versions.tf"]


def test_new_env_follows_a_sibling_envs_lock_and_constraint() -> None:
    repo = MemoryRepo(aws_env_files(env="prod", constraint="~> 3.39", locked="3.39.0"))

    files = files_of(change(repo, create("logs", env="dev")))

    assert 'version = "~> 3.39"' in files[f"{DEV}/versions.tf"]
    assert "  versioning {" in files[f"{S3_MODULE}/main.tf"]


def test_a_lock_outside_the_constraints_is_refused() -> None:
    result = refusal(MemoryRepo(aws_env_files(constraint=">= 4.0", locked="3.39.0")), create("logs"))

    assert result.location == f"{DEV}/.terraform.lock.hcl:4"
    assert "terraform init -upgrade" in result.hint


def test_a_provider_older_than_default_tags_is_refused() -> None:
    result = refusal(MemoryRepo(aws_env_files(constraint="~> 2.70", locked=None)), create("logs"))

    assert "3.38" in result.message
    assert result.location == f"{DEV}/versions.tf:5"


def test_an_existing_module_constraint_the_env_cannot_meet_is_refused() -> None:
    v3 = MemoryRepo(aws_env_files()).apply(change(MemoryRepo(aws_env_files()), create("logs")))
    files = dict(v3.files)
    files[f"{DEV}/versions.tf"] = AWS_VERSIONS_TF.format(constraint="~> 5.0")
    del files[f"{DEV}/.terraform.lock.hcl"]

    result = refusal(MemoryRepo(files), create("data"))

    assert result.location == f"{S3_MODULE}/versions.tf:5"
    assert "< 4.0" in result.message


# -- idempotency and conflicts -------------------------------------------------------------------------------------


def test_asking_twice_changes_nothing() -> None:
    repo = MemoryRepo(aws_env_files())
    repo = repo.apply(change(repo, create("logs-archive", versioning="on")))

    again = change(repo, create("logs-archive", versioning="on"))

    assert again.unchanged
    assert again.files == ()
    assert "Nothing changed" in again.description
    assert f"{DEV}/s3_bucket_logs_archive.tf:1" in again.description


def test_same_name_with_different_settings_is_refused_with_the_location() -> None:
    repo = MemoryRepo(aws_env_files())
    repo = repo.apply(change(repo, create("logs-archive")))

    result = refusal(repo, create("logs-archive", versioning="off"))

    assert result.location == f"{DEV}/s3_bucket_logs_archive.tf:1"
    assert "versioning = true, not false" in result.message


def test_a_hand_written_bucket_with_that_name_is_refused_with_file_and_line() -> None:
    main = '# hand-written\n\nlocals {\n  x = 1\n}\n\nresource "aws_s3_bucket" "x" {\n  bucket = "logs-archive"\n}\n'
    repo = MemoryRepo(aws_env_files() | {f"{DEV}/main.tf": main})

    result = refusal(repo, create("logs-archive"))

    assert result.location == f"{DEV}/main.tf:7"
    assert "aws_s3_bucket.x" in result.message


def test_another_module_call_with_that_bucket_name_is_refused() -> None:
    other = 'module "archive" {\n  source = "git::https://example.com/s3.git"\n  bucket = "logs-archive"\n}\n'
    repo = MemoryRepo(aws_env_files() | {f"{DEV}/storage.tf": other})

    result = refusal(repo, create("logs-archive"))

    assert result.location == f"{DEV}/storage.tf:1"
    assert "module.archive" in result.message


def test_bucket_names_are_global_across_envs() -> None:
    repo = MemoryRepo(aws_env_files())
    repo = repo.apply(change(repo, create("shared-data")))

    result = refusal(repo.apply(()), create("shared-data", env="prod"))

    assert result.location == f"{DEV}/s3_bucket_shared_data.tf:1"
    assert "global" in result.message


def test_names_sharing_a_module_name_are_refused() -> None:
    repo = MemoryRepo(aws_env_files())
    repo = repo.apply(change(repo, create("a-b")))

    result = refusal(repo, create("a.b"))

    assert result.location == f"{DEV}/s3_bucket_a_b.tf:1"


def test_a_region_other_than_the_envs_is_refused() -> None:
    result = refusal(MemoryRepo(aws_env_files()), create("logs", region="us-west-2"))

    assert result.location == f"{DEV}/variables.tf:1"
    assert "eu-west-1" in result.message and "region=eu-west-1" in result.hint


def test_an_unreadable_env_file_is_refused_with_its_line() -> None:
    repo = MemoryRepo(aws_env_files() | {f"{DEV}/broken.tf": 'resource "aws_s3_bucket" "x" {\n  bucket = "a\n}\n'})

    result = refusal(repo, create("logs"))

    assert result.location == f"{DEV}/broken.tf:2"


def test_an_existing_module_without_the_variables_olympus_passes_is_refused() -> None:
    module = {f"{S3_MODULE}/main.tf": 'variable "name" {\n  type = string\n}\n'}

    result = refusal(MemoryRepo(aws_env_files() | module), create("logs"))

    assert "bucket_name" in result.message and "versioning" in result.message


def test_names_are_written_as_escaped_hcl_strings() -> None:
    # Names are validated before they get here; even so, none can end the string or start an expression.
    hostile = 'x"}\nresource "null" "y" {\n${file("/etc/passwd")}%{if true}'
    repo = MemoryRepo(aws_env_files())

    call = files_of(change(repo, create(hostile)))
    (block,) = parse(next(text for path, text in call.items() if path.startswith(f"{DEV}/s3_bucket_")))

    assert block.attributes["bucket_name"].value == hostile


# -- access logging ---------------------------------------------------------------------------------------------


def test_a_log_bucket_receives_logs_and_later_buckets_log_to_it() -> None:
    repo = MemoryRepo(aws_env_files())
    logs = change(repo, create("logs-archive"))
    repo = repo.apply(logs)

    data = change(repo, create("data"))

    assert module_arguments(files_of(logs)[f"{DEV}/s3_bucket_logs_archive.tf"])["access_log_target"] is True
    assert "#checkov:skip=CKV_AWS_145:" in files_of(logs)[f"{DEV}/s3_bucket_logs_archive.tf"]
    arguments = module_arguments(files_of(data)[f"{DEV}/s3_bucket_data.tf"])
    assert arguments["access_log_bucket"] == "module.s3_bucket_logs_archive.bucket_id"


def test_without_a_log_bucket_logging_is_off_and_the_description_says_why() -> None:
    result = change(MemoryRepo(aws_env_files()), create("data"))

    assert "access_log_bucket" not in files_of(result)[f"{DEV}/s3_bucket_data.tf"]
    assert "has no log bucket yet" in result.description


# -- options ----------------------------------------------------------------------------------------------------


def test_instance_settings_and_graviton_architecture() -> None:
    files = files_of(
        change(MemoryRepo(aws_env_files()), create("web-1", ResourceKind.INSTANCE, instance_type="t4g.small"))
    )

    arguments = module_arguments(files[f"{DEV}/ec2_instance_web_1.tf"])
    assert arguments["instance_type"] == "t4g.small"
    assert arguments["architecture"] == "arm64"
    main = files["infra/aws/modules/ec2_instance/main.tf"]
    assert 'http_tokens                 = "required"' in main
    assert "associate_public_ip_address = false" in main and "encrypted             = true" in main


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (create("b", versioning="maybe"), "versioning=maybe"),
        (create("i", ResourceKind.INSTANCE, instance_type="t2.micro"), "EBS-optimized"),
        (create("i", ResourceKind.INSTANCE, instance_type="huge"), "not an EC2 instance type"),
        (create("f", ResourceKind.FUNCTION, runtime="java11", memory_mb="64"), "memory_mb=64"),
        (create("f", ResourceKind.FUNCTION, runtime="java11", timeout_s="901"), "timeout_s=901"),
        (create("f", ResourceKind.FUNCTION, runtime="cobol"), "runtime=cobol"),
        (create("b", runtime="python3.12"), "runtime does not apply to S3 buckets"),
    ],
)
def test_bad_options_are_refused_with_a_hint(request_: ResourceRequest, expected: str) -> None:
    result = refusal(MemoryRepo(aws_env_files()), request_)

    assert expected in result.message
    assert result.hint


def test_lambda_runtime_must_be_one_the_pinned_provider_accepts() -> None:
    result = refusal(MemoryRepo(aws_env_files()), create("resize", ResourceKind.FUNCTION))

    assert "hashicorp/aws 3.39.0" in result.message
    assert "runtime=java11" in result.hint and "runtime=provided.al2" in result.hint


def test_lambda_on_a_current_provider_defaults_to_python_and_adds_the_package_variable_once() -> None:
    repo = MemoryRepo(aws_env_files(constraint="~> 5.0", locked=None))
    first = change(repo, create("resize", ResourceKind.FUNCTION))
    repo = repo.apply(first)

    second = change(repo, create("thumbnail", ResourceKind.FUNCTION, memory_mb="512", timeout_s="60"))

    arguments = module_arguments(files_of(first)[f"{DEV}/lambda_function_resize.tf"])
    assert arguments["runtime"] == "python3.13" and arguments["handler"] == "app.handler"
    assert arguments["package_s3_bucket"] == "var.lambda_package_bucket"
    assert f"{DEV}/lambda_packages.tf" in files_of(first)
    assert list(files_of(second)) == [f"{DEV}/lambda_function_thumbnail.tf"]
    assert module_arguments(files_of(second)[f"{DEV}/lambda_function_thumbnail.tf"])["memory_mb"] == 512


# -- destroy ----------------------------------------------------------------------------------------------------


def test_destroy_deletes_the_call_file_and_keeps_the_module() -> None:
    repo = MemoryRepo(aws_env_files())
    repo = repo.apply(change(repo, create("data")))

    result = change(repo, destroy("data"))

    assert result.title == "Destroy S3 bucket data in dev (eu-west-1)"
    assert [(file.path, file.content) for file in result.files] == [(f"{DEV}/s3_bucket_data.tf", DELETE)]
    assert "empty it first" in result.description
    after = repo.apply(result)
    assert f"{DEV}/s3_bucket_data.tf" not in after.files and f"{S3_MODULE}/main.tf" in after.files


def test_destroying_something_missing_lists_what_exists() -> None:
    repo = MemoryRepo(
        aws_env_files() | {f"{DEV}/main.tf": 'resource "aws_s3_bucket" "x" {\n  bucket = "hand-made"\n}\n'}
    )
    repo = repo.apply(change(repo, create("data")))

    result = refusal(repo, destroy("nope"))

    assert "no S3 bucket nope in dev" in result.message
    assert "data, hand-made" in result.hint


def test_destroying_a_hand_written_bucket_is_refused() -> None:
    repo = MemoryRepo(
        aws_env_files() | {f"{DEV}/main.tf": 'resource "aws_s3_bucket" "x" {\n  bucket = "hand-made"\n}\n'}
    )

    result = refusal(repo, destroy("hand-made"))

    assert result.location == f"{DEV}/main.tf:1"


def test_destroying_a_log_bucket_still_in_use_is_refused() -> None:
    repo = MemoryRepo(aws_env_files())
    repo = repo.apply(change(repo, create("logs-archive")))
    repo = repo.apply(change(repo, create("data")))

    result = refusal(repo, destroy("logs-archive"))

    assert result.location == f"{DEV}/s3_bucket_data.tf:1"


def test_destroy_in_a_missing_env_names_the_envs() -> None:
    result = refusal(MemoryRepo(aws_env_files()), destroy("data", env="qa"))

    assert "Envs: dev" in result.hint


def test_a_gcs_bucket_may_name_its_own_location() -> None:
    repo = MemoryRepo()
    repo = repo.apply(change(repo, create("example-logs", cloud=Cloud.GCP, region="EU")))

    result = change(repo, create("example-us", cloud=Cloud.GCP, region="US"))
    default = change(repo, create("example-default", cloud=Cloud.GCP))

    assert module_arguments(files_of(result)["infra/gcp/envs/dev/gcs_bucket_example_us.tf"])["location"] == "US"
    assert default.title == "Create GCS bucket example-default in dev (EU)"


def test_asking_twice_without_options_changes_nothing() -> None:
    repo = MemoryRepo(aws_env_files())
    repo = repo.apply(change(repo, create("web-1", ResourceKind.INSTANCE, instance_type="m7i.large")))

    assert change(repo, create("web-1", ResourceKind.INSTANCE)).unchanged
    assert refusal(repo, create("web-1", ResourceKind.INSTANCE, instance_type="t3.micro")).location.endswith(":1")


def test_asking_again_for_an_existing_function_needs_no_runtime_default() -> None:
    repo = MemoryRepo(aws_env_files())
    repo = repo.apply(change(repo, create("resize", ResourceKind.FUNCTION, runtime="java11")))

    assert change(repo, create("resize", ResourceKind.FUNCTION)).unchanged


def test_public_surface() -> None:
    import inspect

    import bot.changes.terraform as terraform

    assert terraform.__all__ == ["DELETE", "Installable", "propose"]
    assert DELETE == ""
    # What Terraform can install is the caller's to say: the tools compute files and never reach a network.
    assert list(inspect.signature(terraform.propose).parameters) == ["repo", "request", "installable"]


def test_every_inline_skip_in_the_templates_gives_a_reason() -> None:
    import re
    from pathlib import Path

    import bot.changes

    templates = Path(bot.changes.__file__).parent / "templates"
    texts = [path.read_text() for path in sorted(templates.rglob("*.j2"))]
    skips = [match for text in texts for match in re.finditer(r"#checkov:skip=([A-Z0-9_]+)(:?)([^\n]*)", text)]

    assert len(texts) > 10 and skips
    assert all(match.group(2) == ":" and len(match.group(3).strip()) > 20 for match in skips)
