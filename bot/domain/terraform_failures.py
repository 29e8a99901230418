"""What a failed Terraform command means for the person who ran it: a kind, an error code, and how to fix it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["ModuleSources", "TerraformFailure", "classify_failure"]

# (file as Terraform names it, relative to the project's dir; the module block's label) -> the block's `source`.
ModuleSources = Mapping[tuple[str, str], str]


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
STATE_LOCKED = TerraformFailure(
    "state-locked",
    "Terraform could not take this project's state lock: another run holds it",
    "wait for the run named in the error's Lock Info (Who, Created) to finish; if it died, release its lock with "
    "`terraform force-unlock LOCK_ID` (the error's ID) where the project's state lives, then plan again",
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

MODULE_UNAVAILABLE_HINT = (
    "`terraform init` downloads registry and git modules, and could not reach this one (the error above says why): "
    "run where its registry is reachable (with its credentials, for a private one), or copy the module into the "
    'repository and call it by a local path (`source = "./modules/NAME"`)'
)
# `terraform init`'s words when a module's registry or its source cannot be reached (internal/initwd).
_MODULE_UNREACHABLE = re.compile(
    r"Error accessing remote module registry|Invalid response from remote module registry|"
    r"Failed to download module|Module not found"
)
# `module "vpc" (main.tf:25)`, wrapped anywhere Terraform wraps its message at 78 columns.
_MODULE_NAMED = re.compile(r'module\s+"(?P<name>[^"]+)"\s+\((?P<file>[^():\s]+):\d+\)')

# Terraform's own words (1.x, and OpenTofu's, which kept them) for each kind, most specific first.
_PATTERNS: tuple[tuple[re.Pattern[str], TerraformFailure], ...] = (
    # Before the backend's: a lock someone holds (Terraform prints its Lock Info) is a reachable backend, and the
    # person must wait, not fix credentials; a lock refused for lack of access stays backend-unreachable below.
    (re.compile(r"Error acquiring the state lock(?s:.*)\nLock Info:"), STATE_LOCKED),
    (re.compile(r"Error acquiring the state lock"), BACKEND_UNREACHABLE),
    (re.compile(r'The attribute "\w+" is required by the backend|Missing region value'), BACKEND_NOT_CONFIGURED),
    (
        re.compile(
            r"Failed to get existing workspaces|error configuring S3 Backend|Failed to load state|"
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


def classify_failure(output: str, module_sources: Callable[[], ModuleSources] | None = None) -> TerraformFailure:
    """The kind of failure Terraform's output describes; PLAN_FAILED when it is none Olympus recognizes.

    `module_sources` gives the project's module blocks and those of the local modules it calls, so that a module
    that could not be downloaded is named by its source, which Terraform's message leaves out; it is called only
    for such a failure.
    """
    if _MODULE_UNREACHABLE.search(output):
        return _module_unavailable(output, module_sources() if module_sources is not None else {})
    for pattern, failure in _PATTERNS:
        if pattern.search(output):
            return failure
    return PLAN_FAILED


def _module_unavailable(output: str, sources: ModuleSources) -> TerraformFailure:
    named = []
    for found in _MODULE_NAMED.finditer(output):
        name, file = found.group("name", "file")
        source = sources.get((file, name)) or _only_source_named(name, sources)
        described = f'module "{name}"' + (f" from `{source}`" if source else "")
        if described not in named:
            named.append(described)
    what = ", ".join(named) if named else "a module this project calls"
    return TerraformFailure("module-unavailable", f"Terraform could not download {what}", MODULE_UNAVAILABLE_HINT)


def _only_source_named(name: str, sources: ModuleSources) -> str | None:
    """The source of the one module block labelled name, when Terraform named its file differently."""
    found = {source for (_file, label), source in sources.items() if label == name}
    return found.pop() if len(found) == 1 else None
