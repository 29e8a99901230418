"""Naming rules per cloud and kind, the Terraform slug, and the region lists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import botocore
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.models import Cloud, ResourceKind
from bot.domain.naming import invisible_problems, name_problems, slug
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


@pytest.mark.parametrize("name", ["web-1", "Web.Server_2", "i" * 128])
def test_valid_instance_names(name: str) -> None:
    assert name_problems(*EC2, name) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [("", "empty"), ("i" * 129, "1–128"), ("web 1", "U+0020"), ("web@1", "not `@`"), ("wéb", "not `é`")],
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
