"""Resource-name rules per cloud and kind, each broken rule a sentence; and the Terraform-safe slug of a name."""

from __future__ import annotations

import re
import unicodedata

from bot.domain.derived_names import longest_name
from bot.domain.invisible import is_invisible
from bot.domain.models import Cloud, ResourceKind

__all__ = [
    "CLUSTER_NAME_MAX",
    "EC2_NAME_MAX",
    "GIT_NAMES",
    "LAMBDA_NAME_MAX",
    "S3_NAME_MAX",
    "invisible_problems",
    "name_problems",
    "slug",
]

# Each maximum is the longest name every attribute the kind's module derives from it takes (derived_names.py holds
# each attribute, its limit and the doc that states it):
# 63, the bucket name itself: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
S3_NAME_MAX = longest_name(Cloud.AWS, ResourceKind.BUCKET)
# 64, the function name itself (its log group, queue and key description are longer but allow more; its role's
# name_prefix takes the first 31 characters):
# https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-FunctionName
LAMBDA_NAME_MAX = longest_name(Cloud.AWS, ResourceKind.FUNCTION)
# 168, from the security group's description "Instance <name>: no inbound traffic, ..." of at most 255 characters
# (the Name tag takes 256; the role, profile and group name prefixes take the first 31 or 90 characters):
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
EC2_NAME_MAX = longest_name(Cloud.AWS, ResourceKind.INSTANCE)
# 32: Olympus's own cap for EKS and GKE clusters, so every name derived from it fits everywhere: GKE's node service
# account takes the first 24 characters plus "-nodes" (account ids are 6-30), the IAM roles the first 20 plus
# "-cluster-" (3.x name_prefix: 32), and the node group "<name>-default" (63).
# https://cloud.google.com/iam/docs/service-accounts-create#creating
CLUSTER_NAME_MAX = 32

# Names git gives its own refs. A branch component equal to one would be read as git's; on macOS and Windows, whose
# file systems ignore case, `head` is `HEAD` too. https://git-scm.com/docs/gitrevisions#_specifying_revisions
GIT_NAMES = frozenset(
    {"HEAD", "FETCH_HEAD", "ORIG_HEAD", "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "BISECT_HEAD", "REBASE_HEAD"}
    | {"AUTO_MERGE", "@"}
)

# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
S3_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
S3_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")

_IP_FORM = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
# "google" or a close misspelling ("g00gle", "go0gle", "googgle") once separators and look-alike digits go.
_GOOGLE_LIKE = re.compile(r"g+o{2,}g+l+e")
_LOOKALIKE_DIGITS = str.maketrans({"0": "o", "1": "l", "3": "e", "6": "g", "9": "g"})


def invisible_problems(text: str, what: str = "the name") -> list[str]:
    """One sentence per invisible or control character (zero-width, bidi control, NUL...), naming the code point."""
    problems: list[str] = []
    for position, char in enumerate(text):
        if _is_invisible(char):
            problems.append(
                f"{what} contains the invisible character {_describe(char)} at position {position + 1}; "
                "retype it without copying from a rich-text source"
            )
    return problems


def name_problems(cloud: Cloud, kind: ResourceKind, name: str) -> list[str]:
    """Every naming rule `name` breaks for this cloud and kind; empty when the name is valid."""
    problems = invisible_problems(name)
    visible = "".join(char for char in name if not _is_invisible(char))
    if kind is ResourceKind.BUCKET:
        rules = _s3_bucket_problems if cloud is Cloud.AWS else _gcs_bucket_problems
        return problems + rules(name, visible)
    if kind is ResourceKind.CLUSTER:
        return problems + _cluster_problems(name, visible)
    if cloud is not Cloud.AWS:
        return [f"Olympus creates {kind.value}s on AWS only; drop `cloud={cloud.value}` or use `cloud=aws`"]
    if kind is ResourceKind.FUNCTION:
        return problems + _lambda_problems(name, visible)
    return problems + _ec2_problems(name, visible)


def _git_problems(visible: str, what: str, *, cloud_checks_ends: bool, cloud_checks_dots: bool) -> list[str]:
    """Olympus's own rules, on top of the cloud's: a name goes into a git branch (infra/create-<kind>-<name>-<env>)
    and into command lines, so it must mean the same there. `git check-ref-format` refuses a component that starts
    or ends with `.`, holds `..` or ends with `.lock`: https://git-scm.com/docs/git-check-ref-format"""
    problems: list[str] = []
    if not visible:
        return problems
    if not cloud_checks_ends:
        if visible[0] == "-":
            problems.append(
                f"{what} must not start with `-`, which git and command lines read as an option; "
                "start with a letter or digit"
            )
        elif visible[0] == ".":
            problems.append(f"{what} must not start with `.`, which git refuses in a branch name; drop it")
        if visible[-1] == "." and len(visible) > 1:
            problems.append(f"{what} must not end with `.`, which git refuses in a branch name; drop it")
    if ".." in visible and not cloud_checks_dots:
        problems.append(f"{what} must not contain `..`, which git refuses in a branch name; remove one of the dots")
    if visible.lower().endswith(".lock"):
        problems.append(f"{what} must not end with `.lock`, which git keeps for its lock files; use `-lock` instead")
    if visible.upper() in GIT_NAMES:
        problems.append(
            f"`{visible}` is a name git reserves for its own refs; choose another, e.g. `{visible.lower()}-1`"
        )
    return problems


def slug(name: str) -> str:
    """A Terraform identifier made from a name: lowercase, every other character an underscore (`logs-archive` →
    `logs_archive`), starting with a letter or underscore as Terraform requires."""
    text = re.sub(r"[^a-z0-9_]", "_", name.lower())
    if not text or not (text[0].isalpha() or text[0] == "_"):
        text = "_" + text
    return text


def _s3_bucket_problems(name: str, visible: str) -> list[str]:
    problems = _length_problems(name, 3, S3_NAME_MAX, "S3 bucket names")
    bad = _characters_outside(visible, "abcdefghijklmnopqrstuvwxyz0123456789-.")
    if any(char.isupper() for char in bad):
        problems.append(_lowercase_problem("S3 bucket names", visible, "abcdefghijklmnopqrstuvwxyz0123456789-."))
    other = [char for char in bad if not char.isupper()]
    if other:
        problems.append(
            f"S3 bucket names may contain only lowercase letters, digits, hyphens and dots, not {_listing(other)}"
        )
    problems += _ends_problems(visible, "S3 bucket names")
    if ".." in visible:
        problems.append("S3 bucket names must not contain two adjacent dots; remove one of them")
    if _IP_FORM.fullmatch(visible):
        problems.append("S3 bucket names must not look like an IP address; add letters, e.g. `logs-10-0-0-1`")
    problems += [
        f"S3 bucket names must not start with the reserved prefix `{prefix}`; choose another start"
        for prefix in S3_RESERVED_PREFIXES
        if visible.startswith(prefix)
    ]
    problems += [
        f"S3 bucket names must not end with the reserved suffix `{suffix}`; choose another ending"
        for suffix in S3_RESERVED_SUFFIXES
        if visible.endswith(suffix)
    ]
    return problems + _git_problems(visible, "S3 bucket names", cloud_checks_ends=True, cloud_checks_dots=True)


def _gcs_bucket_problems(name: str, visible: str) -> list[str]:
    # https://cloud.google.com/storage/docs/buckets#naming
    problems: list[str] = []
    if "." in name:
        problems += _length_problems(name, 3, 222, "GCS bucket names with dots")
        long_parts = [part for part in name.split(".") if len(part) > 63]
        if long_parts:
            problems.append(
                "each dot-separated part of a GCS bucket name must be at most 63 characters; "
                f"shorten {_quote(long_parts[0][:20] + '...')} ({len(long_parts[0])} characters)"
            )
    else:
        problems += _length_problems(name, 3, 63, "GCS bucket names")
    bad = _characters_outside(visible, "abcdefghijklmnopqrstuvwxyz0123456789-_.")
    if any(char.isupper() for char in bad):
        problems.append(_lowercase_problem("GCS bucket names", visible, "abcdefghijklmnopqrstuvwxyz0123456789-_."))
    other = [char for char in bad if not char.isupper()]
    if other:
        problems.append(
            "GCS bucket names may contain only lowercase letters, digits, hyphens, underscores and dots, "
            f"not {_listing(other)}"
        )
    problems += _ends_problems(visible, "GCS bucket names")
    if visible.lower().startswith("goog"):
        problems.append("GCS bucket names must not start with `goog`; choose another start")
    squeezed = re.sub(r"[-_.]", "", visible.lower()).translate(_LOOKALIKE_DIGITS)
    if _GOOGLE_LIKE.search(squeezed):
        problems.append('GCS bucket names must not contain "google" or a close misspelling of it; rename it')
    if _IP_FORM.fullmatch(visible):
        problems.append("GCS bucket names must not look like an IP address; add letters, e.g. `logs-10-0-0-1`")
    return problems + _git_problems(visible, "GCS bucket names", cloud_checks_ends=True, cloud_checks_dots=False)


def _lambda_problems(name: str, visible: str) -> list[str]:
    # https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-FunctionName
    problems = _length_problems(name, 1, LAMBDA_NAME_MAX, "Lambda function names")
    bad = _characters_outside(visible, _ASCII_ALNUM + "-_")
    if bad:
        problems.append(
            f"Lambda function names may contain only letters, digits, hyphens and underscores, not {_listing(bad)}"
        )
    return problems + _git_problems(visible, "Lambda function names", cloud_checks_ends=False, cloud_checks_dots=False)


def _ec2_problems(name: str, visible: str) -> list[str]:
    problems = _length_problems(name, 1, EC2_NAME_MAX, "instance names")
    bad = _characters_outside(visible, _ASCII_ALNUM + "-_.")
    if bad:
        problems.append(
            "instance names may contain only letters, digits, hyphens, underscores and dots "
            f"(Olympus derives file and Terraform names from them), not {_listing(bad)}"
        )
    # The instance's security group is named after it, and a group name must not start with "sg-" (ignoring case).
    # https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
    if visible.lower().startswith("sg-"):
        problems.append(
            "instance names must not start with `sg-`, which AWS keeps for security group ids and Olympus names the "
            "instance's security group after it; choose another start"
        )
    return problems + _git_problems(visible, "instance names", cloud_checks_ends=False, cloud_checks_dots=False)


def _cluster_problems(name: str, visible: str) -> list[str]:
    # GKE's rule, the stricter of the two (EKS also allows upper case and `_`), so a name works on either cloud:
    # https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters#Cluster.FIELDS.name
    problems = _length_problems(name, 1, CLUSTER_NAME_MAX, "cluster names")
    bad = _characters_outside(visible, "abcdefghijklmnopqrstuvwxyz0123456789-")
    if any(char.isupper() for char in bad):
        problems.append(_lowercase_problem("cluster names", visible, "abcdefghijklmnopqrstuvwxyz0123456789-"))
    other = [char for char in bad if not char.isupper()]
    if other:
        problems.append(f"cluster names may contain only lowercase letters, digits and hyphens, not {_listing(other)}")
    if visible and not visible[0].isalpha():
        problems.append("cluster names must start with a letter")
    elif visible and visible[-1] == "-":
        problems.append("cluster names must end with a letter or digit, not `-`")
    return problems + _git_problems(visible, "cluster names", cloud_checks_ends=True, cloud_checks_dots=True)


_ASCII_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _lowercase_problem(what: str, visible: str, allowed: str) -> str:
    lowered = visible.lower()
    if _characters_outside(lowered, allowed):
        return f"{what} must be lowercase"
    return f"{what} must be lowercase; use `{lowered}`"


def _length_problems(name: str, low: int, high: int, what: str) -> list[str]:
    if low <= len(name) <= high:
        return []
    if not name:
        return [f"the name is empty; {what} must be {low}–{high} characters"]
    unit = "character" if len(name) == 1 else "characters"
    return [f"the name is {len(name)} {unit} long; {what} must be {low}–{high} characters"]


def _ends_problems(visible: str, what: str) -> list[str]:
    problems: list[str] = []
    lower_alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
    if visible and visible[0] not in lower_alnum and not visible[0].isupper():
        problems.append(f"{what} must start with a lowercase letter or digit, not {_listing([visible[0]])}")
    if visible and visible[-1] not in lower_alnum and not visible[-1].isupper():
        problems.append(f"{what} must end with a lowercase letter or digit, not {_listing([visible[-1]])}")
    return problems


def _characters_outside(text: str, allowed: str) -> list[str]:
    """The distinct characters of text not in allowed, in order of first appearance."""
    return list(dict.fromkeys(char for char in text if char not in allowed))


def _listing(chars: list[str]) -> str:
    # A backtick would end the markdown quote early, so it is named like the invisible ones.
    shown = [
        _describe(char) if char.isspace() or not char.isprintable() or char == "`" else f"`{char}`"
        for char in chars[:5]
    ]
    more = f" and {len(chars) - 5} more" if len(chars) > 5 else ""
    return ", ".join(shown) + more


def _quote(text: str) -> str:
    """Text inside a markdown code span, with no backtick that could end the span early."""
    return "`" + text.replace("`", "'") + "`"


def _is_invisible(char: str) -> bool:
    # What comments escape (bidi controls such as U+202E, zero-width characters, fillers, tags; invisible.py), and
    # here also Cc: controls (NUL, ESC, newline) and Co/Cn: private-use and unassigned.
    return is_invisible(char) or unicodedata.category(char) in {"Cc", "Co", "Cn"}


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    code = f"U+{ord(char):04X}"
    return f"{code} ({name})" if name else code
