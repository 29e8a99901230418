"""Naming rules per cloud and kind, the Terraform slug, and the region lists."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import botocore
import pytest
from fakes.memory_repo import MemoryRepo
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.changes import scaffold
from bot.changes.hcl_reader import parse as hcl_parse
from bot.changes.hcl_render import render
from bot.changes.resource_kinds import SPECS
from bot.changes.terraform import propose
from bot.domain.branches import branch_for
from bot.domain.derived_names import DERIVED, longest_name
from bot.domain.models import ChangeSet, Cloud, ResourceKind, ResourceRequest
from bot.domain.naming import EC2_NAME_MAX, LAMBDA_NAME_MAX, S3_NAME_MAX, invisible_problems, name_problems, slug
from bot.domain.regions import (
    AWS_CHINA_REGIONS,
    AWS_COMMERCIAL_REGIONS,
    AWS_GOVCLOUD_REGIONS,
    DEFAULT_REGION,
    GCS_LOCATIONS,
    canonical_region,
    region_problem,
)

S3 = (Cloud.AWS, ResourceKind.BUCKET)
GCS = (Cloud.GCP, ResourceKind.BUCKET)
LAMBDA = (Cloud.AWS, ResourceKind.FUNCTION)
EC2 = (Cloud.AWS, ResourceKind.INSTANCE)


@pytest.mark.parametrize(
    "name",
    ["logs-archive", "abc", "a" * 63, "my.bucket.v2", "123-logs", "xn-logs", "logs-s3alias-not-at-end"],
)
def test_valid_s3_bucket_names(name: str) -> None:
    assert name_problems(*S3, name) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ab", "2 characters long; S3 bucket names must be 3–63 characters"),
        ("a" * 64, "64 characters long"),
        ("", "the name is empty"),
        ("Logs", "must be lowercase; use `logs`"),
        ("logs_archive", "not `_`"),
        ("-logs", "must start with a lowercase letter or digit, not `-`"),
        ("logs.", "must end with a lowercase letter or digit, not `.`"),
        ("my..bucket", "two adjacent dots"),
        ("192.168.5.4", "must not look like an IP address"),
        ("xn--logs", "reserved prefix `xn--`"),
        ("sthree-logs", "reserved prefix `sthree-`"),
        ("amzn-s3-demo-logs", "reserved prefix `amzn-s3-demo-`"),
        ("logs-s3alias", "reserved suffix `-s3alias`"),
        ("logs--ol-s3", "reserved suffix `--ol-s3`"),
        ("logs.mrap", "reserved suffix `.mrap`"),
        ("logs--x-s3", "reserved suffix `--x-s3`"),
        ("logs--table-s3", "reserved suffix `--table-s3`"),
        ("my bucket", "U+0020 (SPACE)"),
    ],
)
def test_invalid_s3_bucket_names_say_what_is_wrong(name: str, expected: str) -> None:
    problems = name_problems(*S3, name)
    assert any(expected in problem for problem in problems), problems


def test_every_broken_rule_is_reported() -> None:
    problems = name_problems(*S3, "-Xn--a..b_")
    assert len(problems) >= 4
    assert any("lowercase" in p for p in problems)
    assert any("adjacent dots" in p for p in problems)
    assert any("start with" in p for p in problems)
    assert any("end with" in p for p in problems)


@pytest.mark.parametrize(
    ("char", "code"),
    [
        ("\u200b", "U+200B (ZERO WIDTH SPACE)"),
        ("\u202e", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("\u2066", "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
        ("\ufeff", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
        ("\x00", "U+0000"),
        ("\x1b", "U+001B"),
        ("\u00ad", "U+00AD (SOFT HYPHEN)"),
    ],
)
@pytest.mark.parametrize(("cloud", "kind"), [S3, GCS, LAMBDA, EC2])
def test_invisible_characters_are_named_for_every_kind(cloud: Cloud, kind: ResourceKind, char: str, code: str) -> None:
    problems = name_problems(cloud, kind, f"log{char}s")
    assert any(code in problem and "position 4" in problem for problem in problems), problems


def test_invisible_problems_on_clean_text_is_empty() -> None:
    assert invisible_problems("/infra create bucket logs") == []
    assert invisible_problems("a\u200db", "the command") == [
        "the command contains the invisible character U+200D (ZERO WIDTH JOINER) at position 2; "
        "retype it without copying from a rich-text source"
    ]


@pytest.mark.parametrize("name", ["logs-archive", "my_bucket", "a.b.c", "x" * 63, ("a" * 63 + ".") * 3 + "abc"])
def test_valid_gcs_bucket_names(name: str) -> None:
    assert name_problems(*GCS, name) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ab", "3–63 characters"),
        ("a" * 64, "3–63 characters"),
        ("a" * 64 + ".b", "at most 63 characters"),
        (("a" * 60 + ".") * 4, "3–222 characters"),
        ("googlelogs", "must not start with `goog`"),
        ("my-google-logs", '"google"'),
        ("my-g00gle-logs", '"google"'),
        ("my-go0gle", '"google"'),
        ("GCS-Logs", "must be lowercase"),
        ("_logs", "must start with"),
        ("10.0.0.1", "IP address"),
        ("logs!", "not `!`"),
    ],
)
def test_invalid_gcs_bucket_names(name: str, expected: str) -> None:
    problems = name_problems(*GCS, name)
    assert any(expected in problem for problem in problems), problems


def test_backticks_in_names_cannot_break_markdown() -> None:
    problems = name_problems(*S3, "`logs`")
    assert any("U+0060 (GRAVE ACCENT)" in problem for problem in problems)
    assert all(problem.count("`") % 2 == 0 for problem in problems)


def test_gcs_allows_words_that_only_look_a_little_like_google() -> None:
    assert name_problems(*GCS, "swim-goggles") == []
    assert name_problems(*GCS, "go-gle-maps") == []


@pytest.mark.parametrize("name", ["resize", "Resize_Images-2", "a", "f" * 64])
def test_valid_lambda_names(name: str) -> None:
    assert name_problems(*LAMBDA, name) == []


@pytest.mark.parametrize(
    ("name", "expected"), [("", "empty"), ("f" * 65, "1–64"), ("my.fn", "not `.`"), ("fn:1", "not `:`")]
)
def test_invalid_lambda_names(name: str, expected: str) -> None:
    problems = name_problems(*LAMBDA, name)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize("name", ["web-1", "Web.Server_2", "i" * 168, "_web", "web-", "my.lock-box", "heads"])
def test_valid_instance_names(name: str) -> None:
    assert name_problems(*EC2, name) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [("", "empty"), ("i" * 169, "1–168"), ("web 1", "U+0020"), ("web@1", "not `@`"), ("wéb", "not `é`")],
)
def test_invalid_instance_names(name: str, expected: str) -> None:
    problems = name_problems(*EC2, name)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize("kind", [ResourceKind.INSTANCE, ResourceKind.FUNCTION])
def test_gcp_instances_and_functions_are_refused(kind: ResourceKind) -> None:
    assert name_problems(Cloud.GCP, kind, "web-1") == [
        f"Olympus creates {kind.value}s on AWS only; drop `cloud=gcp` or use `cloud=aws`"
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("logs-archive", "logs_archive"), ("Web.Server", "web_server"), ("9lives", "_9lives"), ("", "_")],
)
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected


@given(st.text(max_size=300))
def test_slug_is_always_a_terraform_identifier(name: str) -> None:
    assert re.fullmatch(r"[a-z_][a-z0-9_]*", slug(name))


@given(st.text(max_size=300), st.sampled_from([S3, GCS, LAMBDA, EC2]))
def test_name_problems_never_raise_and_are_sentences(name: str, target: tuple[Cloud, ResourceKind]) -> None:
    problems = name_problems(*target, name)
    assert all(isinstance(problem, str) and problem for problem in problems)
    # Problems are shown as markdown: every code span the user's text appears in must be closed.
    assert all(problem.count("`") % 2 == 0 for problem in problems), problems


# --- Olympus's own rules: a name means the same in git, on a command line and in every derived attribute ---------

KIND_OF = {"S3": S3, "GCS": GCS, "LAMBDA": LAMBDA, "EC2": EC2}


@pytest.mark.parametrize(
    ("kind", "name", "expected"),
    [
        ("EC2", "..", "must not contain `..`, which git refuses in a branch name; remove one of the dots"),
        ("EC2", "..", "instance names must not start with `.`, which git refuses in a branch name; drop it"),
        ("EC2", ".", "instance names must not start with `.`"),
        ("EC2", "-rf", "instance names must not start with `-`, which git and command lines read as an option"),
        ("EC2", "--version", "must not start with `-`"),
        ("EC2", "HEAD", "`HEAD` is a name git reserves for its own refs; choose another, e.g. `head-1`"),
        ("EC2", "head", "`head` is a name git reserves"),
        ("EC2", "ORIG_HEAD", "git reserves"),
        ("EC2", "web.", "instance names must not end with `.`"),
        ("EC2", "web..1", "must not contain `..`"),
        ("EC2", "web.lock", "must not end with `.lock`, which git keeps for its lock files; use `-lock` instead"),
        ("EC2", "sg-web", "must not start with `sg-`"),
        ("EC2", "SG-web", "must not start with `sg-`"),
        ("LAMBDA", "-resize", "Lambda function names must not start with `-`"),
        ("LAMBDA", "--help", "must not start with `-`"),
        ("LAMBDA", "HEAD", "git reserves"),
        ("LAMBDA", "FETCH_HEAD", "git reserves"),
        ("S3", "-logs", "must start with a lowercase letter or digit, not `-`"),
        ("S3", ".logs", "must start with a lowercase letter or digit, not `.`"),
        ("S3", "logs.lock", "S3 bucket names must not end with `.lock`"),
        ("S3", "head", "git reserves"),
        ("S3", "a..b", "two adjacent dots"),
        ("GCS", "a..b", "GCS bucket names must not contain `..`"),
        ("GCS", "logs.lock", "must not end with `.lock`"),
        ("GCS", "head", "git reserves"),
    ],
)
def test_names_git_or_a_command_line_would_misread_are_refused(kind: str, name: str, expected: str) -> None:
    problems = name_problems(*KIND_OF[kind], name)
    assert any(expected in problem for problem in problems), problems


# What each kind's length sentence calls its names, its shortest and its longest name.
LENGTHS = {
    "S3": ("S3 bucket names", 3, 63),
    "GCS": ("GCS bucket names", 3, 63),
    "LAMBDA": ("Lambda function names", 1, LAMBDA_NAME_MAX),
    "EC2": ("instance names", 1, EC2_NAME_MAX),
}


@pytest.mark.parametrize("kind", LENGTHS)
@pytest.mark.parametrize("length", [31, 32, 33, 37, 38, 39, 63, 64, 65, 168, 169])
def test_length_limits_at_every_boundary(kind: str, length: int) -> None:
    # 32 and 38: an IAM role's name_prefix in hashicorp/aws 3.x and 4+; the modules cut the name to fit both.
    what, shortest, longest = LENGTHS[kind]
    problems = name_problems(*KIND_OF[kind], "a" * length)
    if length <= longest:
        assert problems == []
    else:
        assert problems == [f"the name is {length} characters long; {what} must be {shortest}–{longest} characters"]


def test_the_maximum_comes_from_the_tightest_derived_attribute() -> None:
    assert (S3_NAME_MAX, LAMBDA_NAME_MAX, EC2_NAME_MAX) == (63, 64, 168)
    tightest = {
        key: min((d for d in derived if d.longest_name() is not None), key=lambda d: d.longest_name() or 0).attribute
        for key, derived in DERIVED.items()
    }
    assert tightest == {
        S3: "aws_s3_bucket.bucket",
        GCS: "google_storage_bucket.name",
        LAMBDA: "aws_lambda_function.function_name",
        EC2: "aws_security_group.description",
    }
    assert all(d.source.startswith("https://") for derived in DERIVED.values() for d in derived)


# --- branches ------------------------------------------------------------------------------------------------------


def request(
    name: str, kind: tuple[Cloud, ResourceKind] = EC2, env: str = "dev", action: str = "create"
) -> ResourceRequest:
    return ResourceRequest(action, kind[0], kind[1], name, env)


def git_accepts_branch(branch: str) -> bool:
    completed = subprocess.run(
        ["git", "check-ref-format", "--branch", branch], capture_output=True, text=True, check=False, timeout=30
    )
    return completed.returncode == 0 and completed.stdout.strip() == branch


@pytest.mark.parametrize(
    ("name", "kind", "env", "expected"),
    [
        ("logs-archive", S3, "dev", "infra/create-bucket-logs-archive-dev"),
        ("web-1", EC2, "dev", "infra/create-instance-web-1-dev"),
        ("resize_images", LAMBDA, "staging", "infra/create-function-resize_images-staging"),
    ],
)
def test_a_plain_request_keeps_its_readable_branch(
    name: str, kind: tuple[Cloud, ResourceKind], env: str, expected: str
) -> None:
    assert branch_for(request(name, kind, env)) == expected


@pytest.mark.parametrize(
    ("name", "kind", "env", "readable"),
    [
        ("my.bucket.v2", S3, "dev", "infra/create-bucket-my-bucket-v2-dev."),
        ("Web.Server_2", EC2, "dev", "infra/create-instance-web-server_2-dev."),
        ("web-", EC2, "dev", "infra/create-instance-web-dev."),
        ("a--b", S3, "dev", "infra/create-bucket-a-b-dev."),
        ("logs", S3, "prod-eu", "infra/create-bucket-logs-prod-eu."),
        ("logs", GCS, "dev", "infra/create-bucket-logs-dev."),
        ("i" * 150, EC2, "dev", "infra/create-instance-" + "i" * 100 + "-dev."),
    ],
)
def test_a_lossy_readable_form_gets_a_hash(
    name: str, kind: tuple[Cloud, ResourceKind], env: str, readable: str
) -> None:
    branch = branch_for(request(name, kind, env))
    assert branch.startswith(readable) and re.fullmatch(r"[0-9a-f]{8}", branch[len(readable) :]), branch
    assert "--" not in branch and git_accepts_branch(branch)


def test_requests_that_used_to_share_a_branch_no_longer_do() -> None:
    pairs = [
        (request("a.b", S3), request("a-b", S3)),  # dots became hyphens
        (request("..", EC2), request(".", EC2)),  # both were infra/create-instance----dev
        (request("a-dev", S3, "x"), request("a", S3, "dev-x")),  # the hyphen between name and env moved
        (request("Resize", LAMBDA), request("resize", LAMBDA)),  # one ref file on macOS and Windows
        (request("logs", S3), request("logs", GCS)),  # the cloud is not in the branch
    ]
    for first, second in pairs:
        assert branch_for(first).lower() != branch_for(second).lower(), (first, second)


_ENVS = st.from_regex(r"[a-z][a-z0-9-]{0,31}", fullmatch=True)
_ALPHABETS = {
    S3: "abcdefghijklmnopqrstuvwxyz0123456789-.",
    GCS: "abcdefghijklmnopqrstuvwxyz0123456789-_.",
    LAMBDA: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
    EC2: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.",
}


@st.composite
def valid_requests(draw: st.DrawFn) -> ResourceRequest:
    """Requests whose name passes every rule: from the kind's characters, often at its length limits."""
    kind = draw(st.sampled_from(sorted(_ALPHABETS, key=str)))
    longest = {S3: 63, GCS: 222, LAMBDA: LAMBDA_NAME_MAX, EC2: EC2_NAME_MAX}[kind]
    size = draw(st.sampled_from([1, 3, 31, 32, 33, 38, longest]) | st.integers(1, longest))
    alphabet = _ALPHABETS[kind]
    name = draw(st.text(alphabet=alphabet, min_size=size, max_size=size))
    if kind in (S3, GCS):
        name = draw(st.sampled_from("abc123")) + name[1:-1] + draw(st.sampled_from("xyz789")) if size >= 3 else "abc"
    assume(name_problems(*kind, name) == [])
    return request(name, kind, draw(_ENVS), draw(st.sampled_from(["create", "destroy"])))


@settings(max_examples=150, deadline=None)
@given(valid_requests())
def test_every_valid_name_makes_a_branch_git_accepts(valid: ResourceRequest) -> None:
    branch = branch_for(valid)
    assert git_accepts_branch(branch), branch
    # The env is the grammar's to allow ("a--" is a valid env); the readable part before it has no "--".
    readable = branch.rsplit(f"-{valid.env}", 1)[0]
    assert "--" not in readable and len(branch.encode()) < 200


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=120), _ENVS)
def test_any_name_at_all_makes_a_branch_git_accepts(name: str, env: str) -> None:
    assert git_accepts_branch(branch_for(request(name, EC2, env)))


@settings(max_examples=300, deadline=None)
@given(valid_requests(), valid_requests())
def test_two_requests_never_share_a_branch(first: ResourceRequest, second: ResourceRequest) -> None:
    if first != second:
        assert branch_for(first).lower() != branch_for(second).lower()
    assert branch_for(first) == branch_for(first)


# --- the generated modules: every attribute made from the name fits its limit --------------------------------------

_INTERPOLATION = re.compile(r"\$\{([^}]*)\}")
_CUT = re.compile(r"substr\((var\.\w+|local\.\w+),\s*0,\s*(\d+)\)")
_ENTRY = re.compile(r"(\w+)\s*=\s*(var\.\w+|local\.\w+|\"(?:[^\"\\\\]|\\\\.)*\")")
# Attributes that take the name inside a larger document, whose own limit the name cannot reach: a KMS key
# policy is at most 32 KB (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html#KMS-CreateKey-request-Policy).
_INSIDE_DOCUMENTS = {"aws_kms_key.policy"}


def _evaluate(expr: str, values: dict[str, str]) -> str:
    """The value of a reference or a string template over var.* and local.* (substr(x, 0, n) included)."""
    expr = expr.strip()
    if expr in values:
        return values[expr]
    assert expr.startswith('"') and expr.endswith('"'), f"cannot evaluate {expr}"

    def interpolate(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        cut = _CUT.fullmatch(inner)
        if cut:
            return values[cut.group(1)][: int(cut.group(2))]
        return values[inner]

    return _INTERPOLATION.sub(interpolate, expr[1:-1])


def _mentions(expr: str, references: set[str]) -> bool:
    return any(re.search(rf"\b{re.escape(ref)}\b", expr) for ref in references)


def derived_values(main_tf: str, name_variable: str, name: str) -> dict[str, str]:
    """Each attribute of the module that is made from the name, by "<resource type>.<argument>[.<key>]"."""
    blocks = hcl_parse(main_tf)
    values = {f"var.{name_variable}": name}
    for block in blocks:
        if block.type == "locals":
            for local, attribute in block.attributes.items():
                if _mentions(attribute.expr, set(values)):
                    values[f"local.{local}"] = _evaluate(attribute.expr, values)
    found: dict[str, str] = {}
    for block in blocks:
        if block.type != "resource":
            continue
        pending = [block]
        while pending:
            current = pending.pop()
            pending.extend(current.blocks)
            for argument, attribute in current.attributes.items():
                if not _mentions(attribute.expr, set(values)):
                    continue
                path = f"{block.labels[0]}.{argument}"
                if path in _INSIDE_DOCUMENTS:
                    continue
                expr = attribute.expr.strip()
                if expr in values or expr.startswith('"'):
                    found[path] = _evaluate(expr, values)
                    continue
                # A call such as merge(var.tags, { Name = var.instance_name }): its entries made from the name.
                entries = [m for m in _ENTRY.finditer(expr) if _mentions(m.group(2), set(values))]
                assert entries, f"{path} = {expr} is made from the name: evaluate it here or list it in DERIVED"
                for entry in entries:
                    found[f"{path}.{entry.group(1)}"] = _evaluate(entry.group(2), values)
    return found


def _module_templates() -> list[tuple[tuple[Cloud, ResourceKind], str]]:
    root = Path(scaffold.__file__).parent / "templates"
    found = []
    for spec in SPECS.values():
        folder = root / "terraform" / "modules" / spec.cloud.value / spec.module
        for template in sorted(folder.glob("main*.tf.j2")):
            found.append(((spec.cloud, spec.kind), template.relative_to(root).as_posix()))
    return found


@pytest.mark.parametrize(("kind", "template"), _module_templates(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_attribute_a_module_makes_from_the_name_has_a_known_limit(
    kind: tuple[Cloud, ResourceKind], template: str
) -> None:
    spec = SPECS[kind]
    limits = {d.attribute: d for d in DERIVED[kind]}
    for length in (1, 31, 32, 33, longest_name(*kind)):
        name = "n" * length
        values = derived_values(render(template, {}), spec.name_argument, name)

        assert values, template
        unknown = sorted(set(values) - set(limits))
        assert not unknown, f"add {unknown} with its limit to bot/domain/derived_names.py"
        for attribute, value in values.items():
            # The table says how the value is built, so the maximum it computes is the template's own.
            assert len(value) == limits[attribute].length_for(length), (attribute, value)
            assert len(value) <= limits[attribute].limit, (attribute, len(value))


@settings(max_examples=60, deadline=None)
@given(valid_requests())
def test_a_generated_module_fits_every_limit_for_any_valid_name(valid: ResourceRequest) -> None:
    create = ResourceRequest("create", valid.cloud, valid.kind, valid.name, valid.env, "", _TEST_OPTIONS[valid.kind])
    result = propose(MemoryRepo(), create)
    assert isinstance(result, ChangeSet), result
    spec = SPECS[(valid.cloud, valid.kind)]
    main_tf = next(f.content for f in result.files if f.path.endswith(f"/modules/{spec.module}/main.tf"))
    limits = {d.attribute: d.limit for d in DERIVED[(valid.cloud, valid.kind)]}
    values = derived_values(main_tf, spec.name_argument, valid.name)
    call = next(f.path for f in result.files if f"/envs/{valid.env}/{spec.module}_" in f.path)
    values[f"file:{spec.module}_<slug>.tf"] = call.rsplit("/", 1)[1]

    assert {attribute: len(value) for attribute, value in values.items() if len(value) > limits[attribute]} == {}


_TEST_OPTIONS = {
    ResourceKind.BUCKET: (("versioning", "on"),),
    ResourceKind.INSTANCE: (("instance_type", "t3.micro"),),
    ResourceKind.FUNCTION: (("memory_mb", "128"), ("runtime", "python3.12"), ("timeout_s", "10")),
}


def _botocore_partitions() -> dict[str, list[str]]:
    endpoints = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    return {part["partition"]: sorted(part["regions"]) for part in endpoints["partitions"]}


def test_aws_region_lists_match_botocore() -> None:
    partitions = _botocore_partitions()
    # A newer botocore may know a region we do not yet; every region we list must be real, though.
    assert set(AWS_COMMERCIAL_REGIONS) <= set(partitions["aws"])
    assert set(AWS_GOVCLOUD_REGIONS) == set(partitions["aws-us-gov"])
    assert set(AWS_CHINA_REGIONS) == set(partitions["aws-cn"])
    missing = set(partitions["aws"]) - set(AWS_COMMERCIAL_REGIONS)
    assert not missing, f"add these new AWS regions to regions.py: {sorted(missing)}"


def test_default_regions_are_valid() -> None:
    assert DEFAULT_REGION == {Cloud.AWS: "us-east-1", Cloud.GCP: "US"}
    for cloud, region in DEFAULT_REGION.items():
        assert region_problem(cloud, region) is None


@pytest.mark.parametrize("region", ["eu-west-1", "us-gov-west-1", "cn-north-1", "ap-southeast-7", "mx-central-1"])
def test_known_aws_regions(region: str) -> None:
    assert region_problem(Cloud.AWS, region) is None


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("eu-wset-1", "`eu-wset-1` is not an AWS region; did you mean `eu-west-1`?"),
        ("US-EAST-1", "`US-EAST-1` is not an AWS region; did you mean `us-east-1`?"),
        ("europe-west1", "`europe-west1` is not an AWS region; did you mean `eu-west-1`?"),
        ("mars", "`mars` is not an AWS region; use one such as `us-east-1`"),
    ],
)
def test_unknown_aws_regions_suggest_the_nearest(region: str, expected: str) -> None:
    assert region_problem(Cloud.AWS, region) == expected


@pytest.mark.parametrize("location", ["US", "eu", "Asia", "EUR4", "nam4", "europe-west1", "US-CENTRAL1"])
def test_known_gcs_locations_in_any_case(location: str) -> None:
    assert region_problem(Cloud.GCP, location) is None


@pytest.mark.parametrize(
    ("location", "expected"),
    [("europe-west13", "did you mean `europe-west3`?"), ("us-east-1", "did you mean `us-east1`?"), ("xyz", "`US`")],
)
def test_unknown_gcs_locations(location: str, expected: str) -> None:
    problem = region_problem(Cloud.GCP, location)
    assert problem is not None and "is not a Cloud Storage location" in problem and expected in problem


def test_canonical_gcs_spelling() -> None:
    assert canonical_region(Cloud.GCP, "eu") == "EU"
    assert canonical_region(Cloud.GCP, "eur4") == "EUR4"
    assert canonical_region(Cloud.GCP, "EUROPE-WEST1") == "europe-west1"
    assert canonical_region(Cloud.AWS, "eu-west-1") == "eu-west-1"
    assert all(canonical_region(Cloud.GCP, location) == location for location in GCS_LOCATIONS)


@given(st.text(max_size=200), st.sampled_from(list(Cloud)))
def test_region_problem_never_raises(region: str, cloud: Cloud) -> None:
    problem = region_problem(cloud, region)
    assert problem is None or (problem.startswith("`") and problem.count("`") % 2 == 0)
