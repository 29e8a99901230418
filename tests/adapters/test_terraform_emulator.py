"""Real Terraform and the real AWS provider against the local emulator: plan → apply → state in S3 → destroy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.adapters.local_aws import STATE_BUCKET, InProcessEmulator, LocalAws
from bot.adapters.sandbox import OVERRIDE_FILE, backend_config, cli_config, provider_override
from bot.adapters.terraform import TerraformCli, TerraformError

pytestmark = pytest.mark.slow

MAIN_TF = """
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "3.39.0"
    }
  }
  backend "s3" {}
}

provider "aws" {
  region = "eu-west-1"
}

resource "aws_s3_bucket" "archive" {
  bucket = "%s"
  acl    = "private"
}
"""


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        yield emulator


def runners() -> list[TerraformCli]:
    found = [TerraformCli.embedded()]
    binary = TerraformCli.locate("")
    if binary.label != "embedded terraform":
        found.append(binary)
    return found


@pytest.mark.parametrize("terraform", runners(), ids=lambda t: t.label)
def test_plan_apply_state_destroy(tmp_path: Path, aws: LocalAws, terraform: TerraformCli) -> None:
    bucket = f"olympus-test-{terraform.label.replace(' ', '-')}"
    project = tmp_path / "project"
    project.mkdir()
    (project / "main.tf").write_text(MAIN_TF % bucket)
    (project / OVERRIDE_FILE).write_text(provider_override(aws))
    backend = tmp_path / "backend.hcl"
    key = f"tests/{bucket}/terraform.tfstate"
    backend.write_text(backend_config(aws, key))
    env = {**aws.env, "TF_CLI_CONFIG_FILE": str(cli_config(tmp_path / "cache"))}
    lines: list[str] = []

    terraform.check(["init", "-input=false", "-no-color", f"-backend-config={backend}"], project, env=env)
    plan = terraform.check(
        ["plan", "-input=false", "-no-color", "-out=tf.plan"], project, env=env, on_line=lines.append
    )
    assert "Plan: 1 to add, 0 to change, 0 to destroy." in plan.stdout
    assert any("aws_s3_bucket.archive will be created" in line for line in lines), "output was not streamed"

    shown = json.loads(terraform.check(["show", "-json", "tf.plan"], project, env=env).stdout)
    assert [rc["change"]["actions"] for rc in shown["resource_changes"]] == [["create"]]

    terraform.check(["apply", "-input=false", "-no-color", "tf.plan"], project, env=env)
    assert bucket in aws.bucket_names()
    state = json.loads(aws.client("s3").get_object(Bucket=STATE_BUCKET, Key=key)["Body"].read())
    assert [r["type"] for r in state["resources"]] == ["aws_s3_bucket"]

    destroy = terraform.check(["apply", "-destroy", "-auto-approve", "-input=false", "-no-color"], project, env=env)
    assert "1 destroyed" in destroy.stdout
    assert bucket not in aws.bucket_names()


def test_failed_command_reports_its_output(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "nonsense" {\n')
    with pytest.raises(TerraformError) as raised:
        TerraformCli.embedded().check(["validate", "-no-color"], tmp_path)
    assert "validate" in str(raised.value)
    assert "exit 1" in str(raised.value)


def test_timeout_stops_terraform(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "terraform_data" "wait" {\n  provisioner "local-exec" {\n    command = "sleep 30"\n  }\n}\n'
    )
    terraform = TerraformCli.embedded()
    terraform.check(["init", "-input=false", "-no-color"], tmp_path)
    with pytest.raises(TerraformError, match="did not finish within 2 s"):
        terraform.run(["apply", "-auto-approve", "-input=false", "-no-color"], tmp_path, timeout=2)


def test_unknown_configured_binary_is_a_clear_error() -> None:
    with pytest.raises(TerraformError, match="not an executable"):
        TerraformCli.locate("/nonexistent/terraform")
