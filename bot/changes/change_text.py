"""The words of a Terraform ChangeSet: a title for the commit and a description (what and why) for the PR."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.changes.hcl_render import hcl_value
from bot.changes.provider_pins import ProviderChoice
from bot.changes.resource_kinds import KindSpec
from bot.domain.models import FileChange, ResourceRequest

_CHECKOV_SKIP = re.compile(r"#\s*checkov:skip=([A-Z0-9_]+):([^\n]*)")
_TRIVY_IGNORE = re.compile(r"^\s*#\s*(AVD-[A-Z0-9]+-\d+): ([^\n]*)\n\s*#\s*trivy:ignore:\1\b", re.MULTILINE)

_SECURITY = {
    "s3_bucket": (
        "All four public access block settings on; the bucket policy denies every request made without TLS.",
        "Incomplete multipart uploads are aborted after 7 days (lifecycle rule).",
    ),
    "ec2_instance": (
        "IMDSv2 required (http_tokens = required, hop limit 1), so SSRF cannot read instance credentials.",
        "Encrypted gp3 root volume; EBS optimization and detailed monitoring on.",
        "No public IP; its own security group allows no inbound traffic and only HTTPS out to the VPC "
        "(VPC endpoints). Connect with SSM Session Manager: the instance role has AmazonSSMManagedInstanceCore "
        "and nothing else.",
        "Subnet: the default VPC's; set subnet_id in the module call to use a private subnet.",
    ),
    "lambda_function": (
        "Least-privilege role: write to its own log group, send to its own dead-letter queue, use its own "
        "KMS key, and X-Ray (which has no resource-level permissions).",
        "X-Ray tracing active; reserved concurrency 10; failed asynchronous events go to an encrypted SQS "
        "dead-letter queue.",
        "A KMS key of its own (yearly rotation) encrypts the environment variables (once any are set), the log group "
        "(365 days' retention) and the dead-letter queue.",
    ),
    "gcs_bucket": (
        "Uniform bucket-level access (no object ACLs) and public access prevention enforced.",
        "Incomplete multipart uploads are aborted after 7 days (lifecycle rule).",
    ),
}

_DESTROY_WARNINGS = {
    "s3_bucket": (
        "Terraform cannot delete a bucket that still holds objects or object versions (force_destroy is off on "
        "purpose): empty it first, or the apply fails.",
        "The bucket's KMS key is scheduled for deletion after 30 days; anything still encrypted with it becomes "
        "unreadable then.",
    ),
    "ec2_instance": (
        "The instance is terminated and its root volume deleted with it; its security group, role and instance "
        "profile are deleted too.",
    ),
    "lambda_function": (
        "The function, its log group (and its logs) and its dead-letter queue (and any messages in it) are "
        "deleted; its KMS key is scheduled for deletion after 30 days.",
    ),
    "gcs_bucket": (
        "Terraform cannot delete a bucket that still holds objects (force_destroy is off on purpose): empty it "
        "first, or the apply fails.",
    ),
}


def title(verb: str, spec: KindSpec, request: ResourceRequest, region: str) -> str:
    """ "Create S3 bucket logs-archive in dev (eu-west-1)"."""
    where = f" ({region})" if region else ""
    return f"{verb} {spec.label} {request.name} in {request.env}{where}"


def hcl_literal(value: object) -> str:
    return hcl_value(value)


def inline_skips(text: str) -> list[tuple[str, str]]:
    """The (check id, reason) of every `#checkov:skip` and commented `#trivy:ignore` in a Terraform file."""
    found = [(match.group(1), match.group(2).strip()) for match in _CHECKOV_SKIP.finditer(text)]
    found += [(match.group(1), match.group(2).strip()) for match in _TRIVY_IGNORE.finditer(text)]
    return list(dict.fromkeys(found))


def create_description(
    *,
    spec: KindSpec,
    request: ResourceRequest,
    region: str,
    provider: ProviderChoice,
    style: str,
    notes: Sequence[str],
    files: Sequence[FileChange],
    module_dir: str,
    skips: Sequence[tuple[str, str]],
) -> str:
    call = files[-1].path
    lines = [
        f"Creates {spec.label} `{request.name}` in env `{request.env}` ({region}), requested through Olympus: "
        f"one module call in `{call}` to the shared module `{module_dir}`, so every {spec.label} in the "
        "repository gets the same reviewed, secure defaults.",
        "",
        "**Secure by default**",
        *(f"- {line}" for line in _security(spec, provider, notes)),
        "",
        "**Settings**",
        *(f"- {note}" for note in notes),
        "",
        f"**Provider:** {provider.describe()}." + (f" Module code for {style}." if style else ""),
    ]
    if skips:
        lines += ["", "**Checks skipped inline, with their reasons**"]
        lines += [f"- `{check_id}`: {reason}" for check_id, reason in skips]
    lines += ["", "**Files**"]
    module_files = [change.path.rsplit("/", 1)[-1] for change in files if change.path.startswith(module_dir + "/")]
    if module_files:
        lines.append(
            f"- `{module_dir}/` ({', '.join(module_files)}) — the shared module, scaffolded because it was "
            "missing; Olympus never overwrites it"
        )
    lines += [
        f"- `{change.path}` — {_purpose(change.path, call)}"
        for change in files
        if not change.path.startswith(module_dir + "/")
    ]
    return "\n".join(lines) + "\n"


def _security(spec: KindSpec, provider: ProviderChoice, notes: Sequence[str]) -> list[str]:
    lines = list(_SECURITY[spec.module])
    if spec.module == "s3_bucket":
        log_target = any("named as a log bucket" in note for note in notes)
        lines.insert(
            0,
            "Encryption: SSE-S3 (AES256), the only default encryption S3 log delivery writes to."
            if log_target
            else "Encryption: SSE-KMS with a key of its own (yearly rotation, S3 bucket key on).",
        )
        lines.insert(
            2,
            "ACLs disabled (object ownership BucketOwnerEnforced)."
            if provider.major >= 4
            else "Object ownership BucketOwnerPreferred and no ACL grants: hashicorp/aws 3.x cannot disable ACLs.",
        )
    return lines


_ENV_FILE_PURPOSES = {
    "versions.tf": "new env: Terraform and provider version pins",
    "providers.tf": "new env: the provider, with region = var.region and the default tags (labels on GCP)",
    "backend.tf": "new env: partial backend; the runner passes -backend-config at init",
    "variables.tf": "new env: its region",
    "lambda_packages.tf": "the env's variable naming the bucket CI uploads Lambda packages to",
}


def _purpose(path: str, call: str) -> str:
    if path == call:
        return "the module call for this resource"
    return _ENV_FILE_PURPOSES.get(path.rsplit("/", 1)[-1], "env file")


def unchanged_description(spec: KindSpec, request: ResourceRequest, location: str) -> str:
    return (
        f"Nothing changed: {spec.label} `{request.name}` already exists in env `{request.env}` "
        f"with the requested settings ({location}). No files were written.\n"
    )


def update_description(
    spec: KindSpec, request: ResourceRequest, call_path: str, changes: Sequence[str], notes: Sequence[str]
) -> str:
    lines = [
        f"Updates {spec.label} `{request.name}` in env `{request.env}`, requested through Olympus, by changing its "
        f"module call `{call_path}` in place; the rest of the file stays as it was.",
        "",
        "**Changes**",
        *(f"- {change}" for change in changes),
        "",
        "**Settings after the change**",
        *(f"- {note}" for note in notes),
        "",
        "**Files**",
        f"- `{call_path}` — updated",
    ]
    return "\n".join(lines) + "\n"


def destroy_description(spec: KindSpec, request: ResourceRequest, call_path: str, module_dir: str) -> str:
    lines = [
        f"Destroys {spec.label} `{request.name}` in env `{request.env}`, requested through Olympus, by deleting "
        f"its module call `{call_path}`; `terraform apply` then removes everything the module created for it. "
        f"The shared module `{module_dir}` stays for the other calls.",
        "",
        "**Before applying**",
        *(f"- {line}" for line in _DESTROY_WARNINGS[spec.module]),
        "",
        "**Files**",
        f"- `{call_path}` — deleted",
    ]
    return "\n".join(lines) + "\n"
