"""The fix loop's failure classes: which kind of failure a failed step's error text describes, and where it is.

The wording matched is Terraform's (1.x) and HashiCorp's AWS provider's, as the corpus in tests/fixes/corpus
produced it against the local emulator; AWS's error codes (`AccessDenied`, `InvalidAMIID.NotFound`, ...) are
matched as codes. The text may come straight from Terraform or from a CI log: colours, the `│ ` box Terraform
draws around a diagnostic and its wrapping at 78 columns do not change what is found. A failure none of these
names falls back on bot/domain/terraform_failures.py's kinds (backend, provider download, module download), which
the CLI reports, and else is `unknown`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from bot.domain.policies.results import PolicyFailure
from bot.domain.terraform_failures import PLAN_FAILED, classify_failure

__all__ = [
    "FAILURE_CLASSES",
    "FailureClass",
    "FailureSite",
    "classify",
    "classify_policy",
    "failure_site",
    "normalized",
    "policy_failure_text",
]

STEPS = ("init", "plan", "apply", "policy")


@dataclass(frozen=True)
class FailureSite:
    """Where the failure is, as far as the error says: the resource's address and the file and line Terraform named."""

    address: str = ""  # aws_s3_bucket.assets, module.net.aws_vpc.main, data.aws_ami.base, var.environment
    file: str = ""  # as Terraform names it, relative to the project's dir
    line: int = 0  # 0: not named


@dataclass(frozen=True)
class FailureClass:
    """One kind of failure: a stable code, what it means, whether a change to the code can fix it, what to check."""

    code: str
    summary: str
    fixable_by_code: bool
    what_to_check: str  # shown when no safe fix exists
    site: FailureSite = field(default_factory=FailureSite)


NAME_TAKEN = FailureClass(
    "name-taken",
    "the name is already taken by someone else's resource (S3 bucket names are global)",
    True,
    "choose another, more specific name (a prefix of the account or project helps) for the resource",
)
EXISTS_OUTSIDE = FailureClass(
    "exists-outside",
    "the resource already exists in this account, but not in Terraform's state",
    True,
    "whether the existing resource is the one this code means: import it (an `import` block) or choose a new name",
)
INVALID_INSTANCE_TYPE = FailureClass(
    "invalid-instance-type",
    "the instance type does not exist (in this region)",
    True,
    "the instance types the region offers (`aws ec2 describe-instance-type-offerings`), and pick one of them",
)
INVALID_AMI = FailureClass(
    "invalid-ami",
    "the AMI does not exist, is malformed, or is not shared with this account in this region",
    True,
    "the AMI's ID and region; AMIs are regional, so look one up with an `aws_ami` data source rather than a literal",
)
DEPRECATED_RUNTIME = FailureClass(
    "deprecated-runtime",
    "the Lambda runtime is not one the provider or AWS still accepts",
    True,
    "the runtimes the provider's version lists in the error, and move the function to a supported one",
)
PROVIDER_CONSTRAINT = FailureClass(
    "provider-constraint",
    "no release of a provider satisfies the project's version constraint",
    True,
    "the provider's `version` constraint in required_providers against the releases that exist (and the lock file)",
)
MISSING_ARGUMENT = FailureClass(
    "missing-argument",
    "a block lacks an argument its schema requires",
    True,
    "the resource's documentation for the required argument the error names",
)
UNSUPPORTED_ARGUMENT = FailureClass(
    "unsupported-argument",
    "a block sets an argument or nests a block its schema does not have (often a typo or a newer provider's name)",
    True,
    "the argument's spelling against the resource's documentation for the provider version in use",
)
UNDECLARED_REFERENCE = FailureClass(
    "undeclared-reference",
    "the code refers to a resource, variable, local value or module that is not declared",
    True,
    "the reference's spelling, and whether the declaration it means was renamed or removed",
)
INVALID_VARIABLE = FailureClass(
    "invalid-variable",
    "a variable's value fails its validation rule",
    True,
    "the value given (default, .tfvars or -var) against the variable's validation rule and its error message",
)
POLICY_FAILURE = FailureClass(
    "policy-failure",
    "the plan breaks a blocking Olympus policy",
    True,
    "the policy's message; change the code to comply, or ask an owner of the policy set to approve the exception",
)
STATE_LOCKED = FailureClass(
    "state-locked",
    "another run holds the state lock",
    False,
    "who holds the lock (the error's Lock Info) and whether that run is still going; only if it is dead, "
    "`terraform force-unlock LOCK_ID`",
)
ACCESS_DENIED = FailureClass(
    "access-denied",
    "the credentials are missing, invalid or not allowed to do this",
    False,
    "the identity Terraform runs as and its permissions for the action the error names; a person must grant them",
)
UNKNOWN = FailureClass(
    "unknown",
    "a failure Olympus does not recognize",
    True,  # an attempt may still be made: verification decides whether its fix is offered
    "Terraform's error above",
)

FAILURE_CLASSES: tuple[FailureClass, ...] = (
    NAME_TAKEN,
    EXISTS_OUTSIDE,
    INVALID_INSTANCE_TYPE,
    INVALID_AMI,
    DEPRECATED_RUNTIME,
    PROVIDER_CONSTRAINT,
    MISSING_ARGUMENT,
    UNSUPPORTED_ARGUMENT,
    UNDECLARED_REFERENCE,
    INVALID_VARIABLE,
    POLICY_FAILURE,
    STATE_LOCKED,
    ACCESS_DENIED,
    UNKNOWN,
)

# Matched against one diagnostic with its whitespace collapsed, most specific first: a held lock's error names
# ConditionalCheckFailedException and its Lock Info, a lock the credentials may not take only a 403.
_PATTERNS: tuple[tuple[re.Pattern[str], FailureClass], ...] = (
    (re.compile(r"\bpolicy set \S+ fails:"), POLICY_FAILURE),
    (re.compile(r"Error acquiring the state lock\b.*\b(?:ConditionalCheckFailedException|Lock Info:)"), STATE_LOCKED),
    (
        re.compile(
            r"\b(?:AccessDenied|AccessDeniedException|UnauthorizedOperation|InvalidClientTokenId|InvalidAccessKeyId|"
            r"SignatureDoesNotMatch|ExpiredToken)\b|\bis not authorized to perform\b|"
            r"\b(?:StatusCode|status code): 403\b"
        ),
        ACCESS_DENIED,
    ),
    (
        re.compile(
            r"no available releases match the given constraints|does not match configured version constraint|"
            r"Incompatible provider version"
        ),
        PROVIDER_CONSTRAINT,
    ),
    (re.compile(r"\bBucketAlreadyExists\b"), NAME_TAKEN),
    (re.compile(r"\b(?:EntityAlreadyExists|BucketAlreadyOwnedByYou)\b"), EXISTS_OUTSIDE),
    (re.compile(r"\bInvalidInstanceType\b"), INVALID_INSTANCE_TYPE),
    (re.compile(r"\bInvalidAMIID\b"), INVALID_AMI),
    (re.compile(r"\bexpected runtime to be one of \[[^\]]*\], got\b"), DEPRECATED_RUNTIME),
    (re.compile(r"\bMissing required argument\b"), MISSING_ARGUMENT),
    (re.compile(r"\bUnsupported (?:argument|block type)\b"), UNSUPPORTED_ARGUMENT),
    (re.compile(r"\bReference to undeclared (?:resource|input variable|local value|module)\b"), UNDECLARED_REFERENCE),
    (re.compile(r"\bInvalid value for variable\b"), INVALID_VARIABLE),
)

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# The box Terraform draws around each diagnostic (╷ opens, │ continues, ╵ closes), with the one space after │.
_BOX = re.compile(r"^[ \t]*(?:[╷╵]|│ ?)", re.MULTILINE)
_DIAGNOSTIC_START = re.compile(r"^[ \t]*(Error|Warning): ", re.MULTILINE)
_ADDRESS = r"(?:module\.[\w-]+(?:\[[^\]]*\])?\.)*(?:data\.)?[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*(?:\[[^\]]*\])?"
_WITH = re.compile(rf"\bwith\s+({_ADDRESS}),")
_ON = re.compile(r"\bon\s+(\S+)\s+line\s+(\d+)\b")
_IN_BLOCK = re.compile(r'\bin\s+(resource|data)\s+"([\w-]+)"\s+"([\w-]+)"')
# The source line Terraform quotes, when it is a variable or module block's first: `  12: variable "env" {`.
_QUOTED_BLOCK = re.compile(r'^\s*\d+:\s+(variable|module)\s+"([\w-]+)"', re.MULTILINE)
# A policy's message starts with the address it judges (or the gate's `aws_s3_bucket.x: ...` puts it first).
_POLICY_ADDRESS = re.compile(rf"\bfails:\s+({_ADDRESS})(?=[:\s])")


def classify(step: str, error_text: str) -> FailureClass:
    """The class of the first error in a failed step's output (init, plan, apply, or policy), with its site.

    Terraform reports errors in the order it met them, so the first one it recognizes is the class; its site is
    that error's own resource, file and line.
    """
    text = normalized(error_text)
    diagnostics = _diagnostics(text)
    for diagnostic in diagnostics:
        flat = " ".join(diagnostic.split())
        for pattern, failure in _PATTERNS:
            if pattern.search(flat):
                site = _policy_site(diagnostic) if failure is POLICY_FAILURE else failure_site(diagnostic)
                return replace(failure, site=site)
    if step == "policy":
        return replace(POLICY_FAILURE, site=_policy_site(text))
    known = classify_failure(" ".join(text.split()))  # its patterns expect Terraform's words on one line
    if known is not PLAN_FAILED:
        return FailureClass(known.code, known.summary, False, known.hint, failure_site(text))
    first = diagnostics[0] if diagnostics else text
    what = f"`terraform {step}`" if step in STEPS[:3] else "the step"
    return replace(UNKNOWN, summary=f"{what} failed in a way Olympus does not recognize", site=failure_site(first))


def classify_policy(failures: Sequence[PolicyFailure]) -> FailureClass:
    """The class of a plan the gate holds for its blocking policy sets' failures, sited at the first resource named."""
    return classify("policy", policy_failure_text(failures))


def policy_failure_text(failures: Sequence[PolicyFailure]) -> str:
    """The blocking policy sets' failures as one text, a line each: what a door records of a failed policy check."""
    return "\n".join(f"policy set {f.policy_set or '(unnamed)'} fails: {f.message}" for f in failures)


def failure_site(diagnostic: str) -> FailureSite:
    """The resource address, file and line one diagnostic names (each empty when it names none)."""
    text = normalized(diagnostic)
    address = ""
    if found := _WITH.search(text):
        address = found.group(1)
    elif found := _IN_BLOCK.search(text):
        kind, type_, name = found.groups()
        address = f"{'data.' if kind == 'data' else ''}{type_}.{name}"
    elif found := _QUOTED_BLOCK.search(text):
        kind, name = found.groups()
        address = f"{'var' if kind == 'variable' else 'module'}.{name}"
    on = _ON.search(text)
    return FailureSite(address, on.group(1) if on else "", int(on.group(2)) if on else 0)


def _policy_site(text: str) -> FailureSite:
    found = _POLICY_ADDRESS.search(text)
    return FailureSite(found.group(1) if found else "")


def normalized(text: str) -> str:
    """Terraform's output without colours and without the box around its diagnostics."""
    return _BOX.sub("", _ANSI.sub("", text))


def _diagnostics(text: str) -> list[str]:
    """Each `Error:` diagnostic of normalized output, in order, up to the next diagnostic (a warning's words are no
    error's); the whole text when it holds no diagnostic (a policy's)."""
    found = list(_DIAGNOSTIC_START.finditer(text))
    if not found:
        return [text] if text.strip() else []
    ends = [m.start() for m in found[1:]] + [len(text)]
    return [text[m.start() : end] for m, end in zip(found, ends, strict=True) if m.group(1) == "Error"]
