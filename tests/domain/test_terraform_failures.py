"""What a failed Terraform command means for the user, read from Terraform's own words."""

from __future__ import annotations

from pathlib import Path

from bot.domain.terraform_failures import classify_failure

TEXTS = Path(__file__).parent / "failure_texts"

# `terraform init` of terraform-aws-security-group's examples/complete without network (Terraform 1.11), as it wraps.
REGISTRY_UNREACHABLE = """terraform init failed (exit 1):
Initializing modules...
- complete_sg in ../..

Error: Error accessing remote module registry

  on main.tf line 25:
  25: module "vpc" {

Failed to retrieve available versions for module "vpc" (main.tf:25) from
registry.terraform.io: failed to request discovery document: Get
"https://registry.terraform.io/.well-known/terraform.json": dial tcp: lookup
registry.terraform.io on 10.255.255.53:53: no such host.
"""


def test_an_unreachable_module_registry_names_the_module_by_its_source() -> None:
    failure = classify_failure(REGISTRY_UNREACHABLE, lambda: {("main.tf", "vpc"): "terraform-aws-modules/vpc/aws"})
    assert failure.code == "module-unavailable"
    assert failure.summary == 'Terraform could not download module "vpc" from `terraform-aws-modules/vpc/aws`'
    assert "local path" in failure.hint and "registry is reachable" in failure.hint


def test_a_module_named_where_terraform_wrapped_its_line_and_found_by_label_alone() -> None:
    wrapped = 'Error: Failed to download module\n\nCould not download module\n"app" (../../main.tf:3) source code'
    failure = classify_failure(wrapped, lambda: {("main.tf", "app"): "git::https://example.com/app.git"})
    assert failure.code == "module-unavailable"
    assert failure.summary == 'Terraform could not download module "app" from `git::https://example.com/app.git`'


def test_without_the_sources_the_module_is_named_as_terraform_names_it() -> None:
    failure = classify_failure(REGISTRY_UNREACHABLE)
    assert failure.summary == 'Terraform could not download module "vpc"'


def test_the_sources_are_read_only_for_a_module_failure() -> None:
    def never() -> dict[tuple[str, str], str]:
        raise AssertionError("read the sources for a failure that names no module")

    failure = classify_failure("Error: Failed to query available provider packages", never)
    assert failure.code == "provider-unavailable"
    assert classify_failure("Error: Unsupported argument", never).code == "terraform-failed"


def test_a_lock_someone_holds_is_not_an_unreachable_backend() -> None:
    held = classify_failure((TEXTS / "state-locked.txt").read_text())
    assert held.code == "state-locked" and "force-unlock" in held.hint
    refused = classify_failure((TEXTS / "access-denied-state-lock.txt").read_text())
    assert refused.code == "backend-unreachable"
