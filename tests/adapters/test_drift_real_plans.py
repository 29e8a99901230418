"""Drift reports from real refresh-only plans: Terraform and HashiCorp's AWS provider on the emulator, made here.

The plan JSON is produced at test time (never kept): a bucket with a sensitive tag, another bucket, changed and
deleted with boto3 behind Terraform's back, then `plan -refresh-only -detailed-exitcode` and `show -json`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.adapters.sandbox import OVERRIDE_FILE, backend_config, cli_config, provider_override
from bot.adapters.terraform import TerraformCli
from bot.domain.drift import DriftStatus, drift_report, render_drift_issue, report_as_dict
from bot.domain.models import Project
from bot.domain.plan_documents import load_plan_documents
from bot.domain.sensitive import SensitiveValues

pytestmark = pytest.mark.slow

SECRET = "hunter2-very-secret"
MAIN_TF = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "3.39.0" }
  }
  backend "s3" {}
}
provider "aws" { region = "eu-west-1" }
variable "token" {
  type      = string
  sensitive = true
  default   = "SECRET"
}
resource "aws_s3_bucket" "kept" {
  bucket = "drift-kept"
  tags   = { team = "core", token = var.token }
  versioning { enabled = true }
}
resource "aws_s3_bucket" "gone" { bucket = "drift-gone" }
""".replace("SECRET", SECRET)


@pytest.fixture(scope="module")
def drifted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], int, int]]:
    """(the refresh-only plan's JSON, its exit status, the normal plan's), after boto3 changed things."""
    project = tmp_path_factory.mktemp("drift-project")
    with InProcessEmulator() as aws:
        yield _drift(project, aws)


def _drift(project: Path, aws: LocalAws) -> tuple[dict[str, Any], int, int]:
    (project / "main.tf").write_text(MAIN_TF)
    (project / OVERRIDE_FILE).write_text(provider_override(aws))
    (project / "backend.hcl").write_text(backend_config(aws, "drift/terraform.tfstate"))
    env = {**aws.env, "TF_CLI_CONFIG_FILE": str(cli_config(project.parent / "cache"))}
    terraform = TerraformCli.locate()
    terraform.check(["init", "-input=false", "-no-color", "-backend-config=backend.hcl"], project, env=env)
    terraform.check(["apply", "-auto-approve", "-input=false", "-no-color"], project, env=env)
    s3 = aws.client("s3")
    tags = [{"Key": "team", "Value": "ops"}, {"Key": "token", "Value": SECRET}]
    s3.put_bucket_tagging(Bucket="drift-kept", Tagging={"TagSet": tags})
    s3.put_bucket_versioning(Bucket="drift-kept", VersioningConfiguration={"Status": "Suspended"})
    s3.delete_bucket(Bucket="drift-gone")
    refresh = ["plan", "-refresh-only", "-detailed-exitcode", "-lock=false", "-input=false", "-out=ro.tfplan"]
    refreshed = terraform.run(refresh, project, env=env)
    shown = terraform.check(["show", "-json", "ro.tfplan"], project, env=env).stdout
    planned = terraform.run(["plan", "-detailed-exitcode", "-lock=false", "-input=false"], project, env=env)
    return load_plan_documents(shown)[0], refreshed.returncode, planned.returncode


def test_terraforms_exit_statuses_are_those_the_sweep_accepts(drifted: tuple[dict[str, Any], int, int]) -> None:
    _, refreshed, planned = drifted
    assert (refreshed, planned) == (2, 2)  # both: changes, not failures


def test_a_real_refresh_only_plan_gives_each_changed_attribute_and_the_deletion(
    drifted: tuple[dict[str, Any], int, int],
) -> None:
    plan, _, planned = drifted
    report = drift_report(Project("exp", "exp"), plan, planned)
    assert report.status is DriftStatus.DRIFTED
    assert sorted((r.address, r.action) for r in report.resources) == [
        ("aws_s3_bucket.gone", "delete"),
        ("aws_s3_bucket.kept", "update"),
    ]
    (kept,) = report.changed
    attributes = {a.name: (a.before, a.after) for a in kept.attributes}
    assert attributes["versioning[0].enabled"] == ("true", "false")
    assert attributes['tags_all["team"]'] == ('"core"', '"ops"')
    # `tags` holds the sensitive token: Terraform marks the whole map, so it changed and is shown hidden.
    assert attributes["tags"] == ("(sensitive value)", "(sensitive value)")


def test_the_sensitive_value_reaches_neither_the_report_nor_the_issue(drifted: tuple[dict[str, Any], int, int]) -> None:
    plan, _, planned = drifted
    assert SECRET in json.dumps(plan)  # Terraform's own JSON has it in clear: it is never echoed
    report = drift_report(Project("exp", "exp"), plan, planned, SensitiveValues())
    now = datetime.now(UTC)
    assert SECRET not in json.dumps(report_as_dict(report, checked_at=now, since=now))
    assert SECRET not in render_drift_issue("acme/infra", report, since=now, checked_at=now)
