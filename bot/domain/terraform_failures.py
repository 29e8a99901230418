"""What a failed Terraform command means for the person who ran it: a kind, an error code, and how to fix it."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["TerraformFailure", "classify_failure"]


@dataclass(frozen=True)
class TerraformFailure:
    """One kind of Terraform failure: the error code the CLI reports and the next step it suggests."""

    code: str
    summary: str
    hint: str


BACKEND_NOT_CONFIGURED = TerraformFailure(
    "backend-not-configured",
    "Terraform does not know where this project's state lives",
    "run `olympus init --backend s3 --bucket BUCKET --region REGION` (or `--backend gcs --bucket BUCKET`, or "
    "`--sandbox`) to write its backend.hcl, or add one beside its backend block yourself",
)
BACKEND_UNREACHABLE = TerraformFailure(
    "backend-unreachable",
    "Terraform could not read this project's state from its backend",
    "check that the bucket in the project's backend.hcl exists and that your credentials can read it "
    "(or try the change on the local emulator with --sandbox)",
)
PROVIDER_UNAVAILABLE = TerraformFailure(
    "provider-unavailable",
    "Terraform could not install a provider this project needs",
    "without network only hashicorp/aws 3.39.0 (Olympus's offline copy) can be installed, and only with "
    "--sandbox: pin `~> 3.39` there, or run where the Terraform registry is reachable",
)
PLAN_FAILED = TerraformFailure(
    "terraform-failed",
    "Terraform failed on this project",
    "the comment shows Terraform's error; fix the project's code and run `olympus plan` again",
)

# Terraform's own words (1.x, and OpenTofu's, which kept them) for each kind, most specific first.
_PATTERNS: tuple[tuple[re.Pattern[str], TerraformFailure], ...] = (
    (re.compile(r'The attribute "\w+" is required by the backend|Missing region value'), BACKEND_NOT_CONFIGURED),
    (
        re.compile(
            r"Failed to get existing workspaces|error configuring S3 Backend|Failed to load state|"
            r"Error acquiring the state lock|"
            r"S3 bucket \S+ does not exist|NoSuchBucket|Error refreshing state|Error loading state|"
            r"No valid credential sources found|failed to get shared config profile|storage: bucket doesn't exist",
            re.IGNORECASE,
        ),
        BACKEND_UNREACHABLE,
    ),
    (
        re.compile(
            r"Failed to query available provider packages|Failed to install provider|"
            r"no available releases match the given constraints|Incompatible provider version"
        ),
        PROVIDER_UNAVAILABLE,
    ),
)


def classify_failure(output: str) -> TerraformFailure:
    """The kind of failure Terraform's output describes; PLAN_FAILED when it is none Olympus recognizes."""
    for pattern, failure in _PATTERNS:
        if pattern.search(output):
            return failure
    return PLAN_FAILED
