"""bot.changes.update through propose: a resource created by the generator, then updated in place."""

from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

import pytest
from fakes.memory_repo import MemoryRepo
from terraform_samples import aws_env_files

from bot.changes.terraform import propose
from bot.domain.models import ChangeSet, Cloud, Refusal, ResourceKind, ResourceRequest

DEV = "infra/aws/envs/dev"
FUNCTION_CALL = f"{DEV}/lambda_function_resize.tf"
INSTANCE_CALL = f"{DEV}/ec2_instance_web_1.tf"
BUCKET_CALL = f"{DEV}/s3_bucket_logs_archive.tf"


def request(action: str, kind: ResourceKind, name: str, **options: str) -> ResourceRequest:
    return ResourceRequest(action, Cloud.AWS, kind, name, "dev", "", tuple(sorted(options.items())))


def change(repo: MemoryRepo, wanted: ResourceRequest) -> ChangeSet:
    result = propose(repo, wanted)
    assert isinstance(result, ChangeSet), result
    return result


def refusal(repo: MemoryRepo, wanted: ResourceRequest) -> Refusal:
    result = propose(repo, wanted)
    assert isinstance(result, Refusal), result
    return result


def created(kind: ResourceKind, name: str, **options: str) -> MemoryRepo:
    """An env on a current provider holding one resource, made by the create generator."""
    repo = MemoryRepo(aws_env_files(constraint="~> 5.80", locked="5.80.0"))
    return repo.apply(change(repo, request("create", kind, name, **options)))


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def only_file(result: ChangeSet, path: str) -> str:
    assert [file.path for file in result.files] == [path]
    return result.files[0].content


def test_updating_a_functions_memory_changes_only_its_argument_line() -> None:
    repo = created(ResourceKind.FUNCTION, "resize", runtime="python3.12", memory_mb="128", timeout_s="10")
    before = repo.files[FUNCTION_CALL]

    result = change(repo, request("update", ResourceKind.FUNCTION, "resize", memory_mb="512"))

    after = only_file(result, FUNCTION_CALL)
    assert changed_lines(before, after) == ["-  memory_mb         = 128", "+  memory_mb         = 512"]
    assert result.title == "Update Lambda function resize in dev (eu-west-1)"
    assert "`memory_mb`: `128` → `512`" in result.description
    assert not result.unchanged


def test_every_function_setting_at_once() -> None:
    repo = created(ResourceKind.FUNCTION, "resize", runtime="python3.12")
    before = repo.files[FUNCTION_CALL]

    result = change(
        repo, request("update", ResourceKind.FUNCTION, "resize", runtime="nodejs22.x", memory_mb="1024", timeout_s="60")
    )

    lines = changed_lines(before, only_file(result, FUNCTION_CALL))
    assert [line for line in lines if line.startswith("+")] == [
        '+  runtime           = "nodejs22.x"',
        "+  memory_mb         = 1024",
        "+  timeout_s         = 60",
    ]
    # The handler is the package's entry point, the user's to change; the reviewer is told it may need to.
    assert "The handler stays `app.handler`" in result.description and "index.handler" in result.description


def test_a_graviton_type_brings_the_arm64_architecture_and_says_the_instance_is_replaced() -> None:
    repo = created(ResourceKind.INSTANCE, "web-1")
    before = repo.files[INSTANCE_CALL]

    result = change(repo, request("update", ResourceKind.INSTANCE, "web-1", instance_type="t4g.large"))

    assert changed_lines(before, only_file(result, INSTANCE_CALL)) == [
        '-  instance_type = "t3.micro"',
        '-  architecture  = "x86_64"',
        '+  instance_type = "t4g.large"',
        '+  architecture  = "arm64"',
    ]
    assert "replaces the instance" in result.description


def test_same_architecture_type_changes_one_line() -> None:
    repo = created(ResourceKind.INSTANCE, "web-1")
    before = repo.files[INSTANCE_CALL]

    result = change(repo, request("update", ResourceKind.INSTANCE, "web-1", instance_type="t3.large"))

    assert changed_lines(before, only_file(result, INSTANCE_CALL)) == [
        '-  instance_type = "t3.micro"',
        '+  instance_type = "t3.large"',
    ]
    assert "stopping and starting" in result.description


def test_versioning_off_brings_its_scanner_skips_and_on_takes_them_away_to_the_same_bytes() -> None:
    repo = created(ResourceKind.BUCKET, "logs-archive")
    original = repo.files[BUCKET_CALL]

    off = change(repo, request("update", ResourceKind.BUCKET, "logs-archive", versioning="off"))
    turned_off = only_file(off, BUCKET_CALL)
    back = change(repo.apply(off), request("update", ResourceKind.BUCKET, "logs-archive", versioning="on"))

    # The same file the create generator writes for versioning=off, skips and all.
    fresh = MemoryRepo(aws_env_files(constraint="~> 5.80", locked="5.80.0"))
    made_off = change(fresh, request("create", ResourceKind.BUCKET, "logs-archive", versioning="off"))
    assert turned_off == dict((file.path, file.content) for file in made_off.files)[BUCKET_CALL]
    assert only_file(back, BUCKET_CALL) == original


def test_comments_order_and_hand_edits_stay_byte_for_byte() -> None:
    repo = created(ResourceKind.FUNCTION, "resize", runtime="python3.12", memory_mb="128")
    edited = "# Resizes uploaded images; owned by the media team.\n" + repo.files[FUNCTION_CALL].replace(
        "  memory_mb         = 128\n", "  memory_mb         = 128 # raised in the spring\n"
    ).replace('  handler           = "app.handler"\n', '  handler           = "main.run"\n\n  // hot path\n')
    repo.files[FUNCTION_CALL] = edited

    result = change(repo, request("update", ResourceKind.FUNCTION, "resize", memory_mb="2048"))

    assert changed_lines(edited, only_file(result, FUNCTION_CALL)) == [
        "-  memory_mb         = 128 # raised in the spring",
        "+  memory_mb         = 2048 # raised in the spring",
    ]


def test_asking_for_what_is_already_set_changes_nothing() -> None:
    repo = created(ResourceKind.FUNCTION, "resize", runtime="python3.12", memory_mb="512")

    result = change(repo, request("update", ResourceKind.FUNCTION, "resize", memory_mb="512", runtime="python3.12"))

    assert result.unchanged and result.files == ()
    assert "Nothing changed" in result.description


def test_a_resource_that_does_not_exist_is_refused_with_where_olympus_looked() -> None:
    repo = created(ResourceKind.FUNCTION, "resize")

    result = refusal(repo, request("update", ResourceKind.FUNCTION, "thumbnail", memory_mb="512"))

    assert "There is no Lambda function thumbnail in dev" in result.message
    assert "module lambda_function_thumbnail in infra/aws/envs/dev" in result.message
    assert f"{DEV}/lambda_function_thumbnail.tf" in result.message
    assert "`/infra create function thumbnail env=dev`" in result.hint


def test_an_env_that_does_not_exist_is_refused_with_create() -> None:
    repo = created(ResourceKind.FUNCTION, "resize")
    wanted = ResourceRequest("update", Cloud.AWS, ResourceKind.FUNCTION, "resize", "prod", "", (("memory_mb", "512"),))

    result = refusal(repo, wanted)

    assert "There is no env prod under infra/aws/envs" in result.message
    assert "`/infra create function resize env=prod`" in result.hint


def test_a_hand_written_resource_is_not_olympus_to_update() -> None:
    repo = MemoryRepo(aws_env_files(constraint="~> 5.80", locked="5.80.0"))
    repo.files[f"{DEV}/by_hand.tf"] = 'resource "aws_lambda_function" "resize" {\n  function_name = "resize"\n}\n'

    result = refusal(repo, request("update", ResourceKind.FUNCTION, "resize", memory_mb="512"))

    assert "aws_lambda_function.resize" in result.message and "not by an Olympus module call" in result.message
    assert result.location == f"{DEV}/by_hand.tf:1"


def test_an_option_the_module_does_not_take_is_refused() -> None:
    repo = created(ResourceKind.FUNCTION, "resize")
    variables = "infra/aws/modules/lambda_function/variables.tf"
    start = repo.files[variables].index('variable "memory_mb"')
    end = repo.files[variables].index("}\n", repo.files[variables].index("type", start)) + 2
    repo.files[variables] = repo.files[variables][:start] + repo.files[variables][end:]

    result = refusal(repo, request("update", ResourceKind.FUNCTION, "resize", memory_mb="512"))

    assert "infra/aws/modules/lambda_function does not take memory_mb" in result.message
    assert result.location == f"{FUNCTION_CALL}:1"


def test_a_runtime_the_envs_provider_rejects_is_refused() -> None:
    repo = MemoryRepo(aws_env_files())  # hashicorp/aws 3.39.0
    repo = repo.apply(change(repo, request("create", ResourceKind.FUNCTION, "resize", runtime="java11")))

    result = refusal(repo, request("update", ResourceKind.FUNCTION, "resize", runtime="python3.12"))

    assert "rejects runtime python3.12" in result.message


def test_a_value_over_several_lines_is_refused() -> None:
    repo = created(ResourceKind.FUNCTION, "resize", memory_mb="128")
    repo.files[FUNCTION_CALL] = repo.files[FUNCTION_CALL].replace(
        "memory_mb         = 128", "memory_mb         = max(\n    128,\n    256,\n  )"
    )

    result = refusal(repo, request("update", ResourceKind.FUNCTION, "resize", memory_mb="512"))

    assert "over several lines" in result.message


def test_an_argument_the_call_leaves_out_is_added_in_its_own_group() -> None:
    repo = created(ResourceKind.FUNCTION, "resize")
    repo.files[FUNCTION_CALL] = repo.files[FUNCTION_CALL].replace("  timeout_s         = 30\n", "")

    after = only_file(change(repo, request("update", ResourceKind.FUNCTION, "resize", timeout_s="60")), FUNCTION_CALL)

    assert after.endswith('  package_s3_key    = "resize/package.zip"\n\n  timeout_s = 60\n}\n')


@pytest.mark.parametrize(
    ("kind", "name", "path", "options"),
    [
        (ResourceKind.FUNCTION, "resize", FUNCTION_CALL, {"memory_mb": "512"}),
        (ResourceKind.FUNCTION, "resize", FUNCTION_CALL, {"runtime": "python3.13", "timeout_s": "900"}),
        (ResourceKind.INSTANCE, "web-1", INSTANCE_CALL, {"instance_type": "m7g.2xlarge"}),
        (ResourceKind.BUCKET, "logs-archive", BUCKET_CALL, {"versioning": "off"}),
    ],
)
def test_updated_files_are_terraform_fmt_clean(
    kind: ResourceKind, name: str, path: str, options: dict[str, str], terraform_bin: str, tmp_path: Path
) -> None:
    repo = created(kind, name)
    repo.files[f"{DEV}/added_later.tf"] = ""  # a neighbour, so fmt checks a directory, not one file
    if kind is ResourceKind.FUNCTION:
        # The argument the call leaves out is added, and must be fmt-clean too.
        repo.files[path] = repo.files[path].replace("  timeout_s         = 30\n", "")

    result = change(repo, request("update", kind, name, **options))

    target = tmp_path / path
    target.parent.mkdir(parents=True)
    target.write_text(only_file(result, path))
    completed = subprocess.run(
        [terraform_bin, "fmt", "-check", "-diff", str(target.parent)], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_a_gcs_bucket_is_updated_in_its_own_env() -> None:
    repo = MemoryRepo()
    gcs = ResourceRequest("create", Cloud.GCP, ResourceKind.BUCKET, "media", "dev", "", ())
    repo = repo.apply(change(repo, gcs))
    path = "infra/gcp/envs/dev/gcs_bucket_media.tf"
    before = repo.files[path]

    wanted = ResourceRequest("update", Cloud.GCP, ResourceKind.BUCKET, "media", "dev", "", (("versioning", "off"),))
    after = only_file(change(repo, wanted), path)

    assert [line for line in changed_lines(before, after) if line.startswith("+")] == [
        "+  #checkov:skip=CKV_GCP_78:versioning=off was requested",
        "+  versioning  = false",
    ]
    missing = ResourceRequest("update", Cloud.GCP, ResourceKind.BUCKET, "logs", "dev", "", (("versioning", "off"),))
    assert "`/infra create bucket logs cloud=gcp env=dev`" in refusal(repo, missing).hint
