"""Findings across tools: severities, the alias table, Terraform blocks, Trivy's ignores, skips and merging."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.findings import (
    ALIASES,
    AVD_URL,
    CHECKOV,
    CHECKOV_POLICY_INDEX,
    DEFAULT_SEVERITY,
    TRIVY,
    TRIVY_SEVERITY,
    ScanReport,
    SkippedCheck,
    aliases_of,
    apply_skips,
    checkov_link,
    checkov_severity,
    dedupe_skipped,
    merge_findings,
    merge_reports,
    parse_severity,
)
from bot.domain.models import Finding, Severity
from bot.domain.terraform_blocks import block_at, terraform_blocks
from bot.domain.trivy_ignores import trivy_ignores

TODAY = date(2026, 6, 1)
MAIN = "infra/aws/envs/dev/main.tf"


def checkov(rule: str, line: int = 5, file: str = MAIN, severity: Severity | None = None, **kw: str) -> Finding:
    return Finding(
        rule_id=rule,
        severity=severity or checkov_severity(rule),
        title=kw.get("title", f"checkov {rule}"),
        resource=kw.get("resource", "aws_s3_bucket.logs"),
        file=file,
        line=line,
        link=kw.get("link", checkov_link(rule)),
        tools=(CHECKOV,),
    )


def trivy(rule: str, line: int = 5, file: str = MAIN, **kw: str) -> Finding:
    return Finding(
        rule_id=rule,
        severity=TRIVY_SEVERITY.get(rule, Severity.MEDIUM),
        title=kw.get("title", f"trivy {rule}"),
        resource=kw.get("resource", "aws_s3_bucket.logs"),
        file=file,
        line=line,
        link=kw.get("link", AVD_URL + rule.lower()),
        tools=(TRIVY,),
    )


# --- the alias table ---------------------------------------------------------------------------------------


def test_alias_table_pairs_a_checkov_id_with_a_trivy_avd_id():
    for checkov_id, trivy_id in ALIASES:
        assert re.fullmatch(r"CKV2?_(AWS|GCP)_\d+", checkov_id), checkov_id
        assert re.fullmatch(r"AVD-(AWS|GCP)-\d{4}", trivy_id), trivy_id
        assert checkov_id.split("_")[1] == trivy_id.split("-")[1]  # AWS with AWS, GCP with GCP
    assert len(set(ALIASES)) == len(ALIASES)


def test_every_aliased_trivy_id_has_its_severity_and_every_listed_severity_is_used():
    trivy_ids = {t for _, t in ALIASES}
    assert trivy_ids == set(TRIVY_SEVERITY)


def test_the_briefs_examples_are_in_the_table():
    expected = {
        ("CKV_AWS_18", "AVD-AWS-0089"),
        ("CKV_AWS_19", "AVD-AWS-0088"),
        ("CKV_AWS_145", "AVD-AWS-0132"),
        ("CKV_AWS_21", "AVD-AWS-0090"),
        ("CKV2_AWS_6", "AVD-AWS-0086"),
        ("CKV_AWS_53", "AVD-AWS-0086"),
        ("CKV_AWS_54", "AVD-AWS-0087"),
        ("CKV_AWS_55", "AVD-AWS-0091"),
        ("CKV_AWS_56", "AVD-AWS-0093"),
        ("CKV_AWS_79", "AVD-AWS-0028"),
        ("CKV_AWS_8", "AVD-AWS-0131"),
    }
    assert expected <= set(ALIASES)


def test_aliases_are_symmetric_and_case_insensitive():
    assert aliases_of("CKV_AWS_18") == {"AVD-AWS-0089"}
    assert aliases_of("AVD-AWS-0089") == {"CKV_AWS_18"}
    assert aliases_of("avd-aws-0089") == {"CKV_AWS_18"}
    assert aliases_of("CKV2_AWS_6") == {"AVD-AWS-0086", "AVD-AWS-0087", "AVD-AWS-0091", "AVD-AWS-0093", "AVD-AWS-0094"}
    assert aliases_of("CKV_AWS_999") == frozenset()
    for a, b in ALIASES:
        assert b in aliases_of(a) and a in aliases_of(b)


# --- severities and links ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CRITICAL", Severity.CRITICAL),
        ("high", Severity.HIGH),
        (" Medium ", Severity.MEDIUM),
        ("LOW", Severity.LOW),
        ("INFO", Severity.INFO),
        ("UNKNOWN", DEFAULT_SEVERITY),
        ("", DEFAULT_SEVERITY),
        (None, DEFAULT_SEVERITY),
    ],
)
def test_parse_severity(text, expected):
    assert parse_severity(text) is expected


def test_default_severity_is_medium_as_documented():
    assert DEFAULT_SEVERITY is Severity.MEDIUM


def test_checkov_severity_comes_from_the_aliased_trivy_check():
    assert checkov_severity("CKV_AWS_18") is Severity.LOW  # logging, AVD-AWS-0089
    assert checkov_severity("CKV_AWS_79") is Severity.HIGH  # IMDSv2, AVD-AWS-0028
    assert checkov_severity("CKV_AWS_46") is Severity.CRITICAL  # secrets in user data, AVD-AWS-0029
    # Several Trivy checks for one Checkov check: the most severe (0086.. HIGH beats 0094 LOW).
    assert checkov_severity("CKV2_AWS_6") is Severity.HIGH


def test_checkov_severity_prefers_checkovs_own_and_defaults_to_medium():
    assert checkov_severity("CKV_AWS_18", "CRITICAL") is Severity.CRITICAL
    assert checkov_severity("CKV2_AWS_62") is Severity.MEDIUM
    assert checkov_severity("CKV2_AWS_62", None) is DEFAULT_SEVERITY


def test_checkov_link():
    assert checkov_link("CKV_AWS_18", "https://docs.example/ckv-aws-18") == "https://docs.example/ckv-aws-18"
    assert checkov_link("CKV_AWS_18") == "https://avd.aquasec.com/misconfig/avd-aws-0089"
    # The closest Trivy check is the first in the table: a missing public access block is AVD-AWS-0094.
    assert checkov_link("CKV2_AWS_6") == "https://avd.aquasec.com/misconfig/avd-aws-0094"
    assert checkov_link("CKV2_AWS_62") == CHECKOV_POLICY_INDEX


# --- Terraform blocks --------------------------------------------------------------------------------------

TRICKY_TF = """\
terraform {
  required_version = ">= 1.5"
}

# a comment with a brace {
/* a block comment
   with a brace } and a resource "x" "y" {
*/
resource "aws_s3_bucket" "logs" {
  bucket = "logs-${var.env}-{literal}"
  tags = {
    Name = "${lookup(var.names, "}", "x")}"
    Path = "a\\"}"
  }
}

data "aws_iam_policy_document" "doc" {
  statement {
    actions = ["s3:GetObject"] // trailing { comment
  }
}

resource "aws_iam_policy" "p" {
  policy = <<EOT
{
  "Statement": [{"Effect": "Allow"
EOT
}

module "archive" {
  source = "../../modules/bucket"
}

variable "env" {}
output "arn" { value = aws_s3_bucket.logs.arn }
provider "aws" {
  region = "eu-west-1"
}
locals {
  x = { a = 1 }
}
"""


def test_terraform_blocks_finds_every_top_level_block_with_its_lines():
    blocks = terraform_blocks(TRICKY_TF)
    found = [(b.address, b.start, b.end) for b in blocks]
    assert found == [
        ("terraform", 1, 3),
        ("aws_s3_bucket.logs", 9, 15),
        ("data.aws_iam_policy_document.doc", 17, 21),
        ("aws_iam_policy.p", 23, 28),
        ("module.archive", 30, 32),
        ("var.env", 34, 34),
        ("output.arn", 35, 35),
        ("provider.aws", 36, 38),
        ("locals", 39, 41),
    ]


def test_block_at_finds_the_block_holding_a_line():
    blocks = terraform_blocks(TRICKY_TF)
    assert block_at(blocks, 12).address == "aws_s3_bucket.logs"
    assert block_at(blocks, 25).address == "aws_iam_policy.p"  # inside the heredoc
    assert block_at(blocks, 5) is None
    assert block_at([], 1) is None


def test_terraform_blocks_stops_quietly_on_unbalanced_text():
    assert terraform_blocks('}\nresource "a" "b" {\n}\n') == []
    half = terraform_blocks('resource "a" "b" {\n  x = 1\n}\nresource "c" "d" {\n')
    assert [b.address for b in half] == ["a.b"]
    assert terraform_blocks('{"resource": {"aws_s3_bucket": {"b": {}}}}') == []  # .tf.json is not HCL


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('{}"#/*<-\n abc$%\\=')), max_size=200))
def test_terraform_blocks_never_raises_and_blocks_are_ordered(text):
    blocks = terraform_blocks(text)
    for block in blocks:
        assert 1 <= block.start <= block.end
    assert [b.start for b in blocks] == sorted(b.start for b in blocks)


# --- Trivy's inline ignores --------------------------------------------------------------------------------

IGNORES_TF = """\
# trivy:ignore:AVD-AWS-0089 logs are shipped by the central trail
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
}

#tfsec:ignore:AVD-AWS-0028
#trivy:ignore:AVD-AWS-0131:exp:2030-01-01 -- until the AMI is rebuilt
resource "aws_instance" "web" {
  ami = "ami-1"
  metadata_options {
    #trivy:ignore:AVD-AWS-0130
    http_tokens = "optional"
  }
}

#trivy:ignore:AVD-AWS-0090:exp:2020-01-01 expired long ago
#trivy:ignore:AVD-AWS-0088:ws:prod only in prod
resource "aws_s3_bucket" "old" {
  bucket = "old" # trivy:ignore:AVD-AWS-0132[bucket=old] trailing
}

#trivy:ignore:AVD-AWS-0094

resource "aws_s3_bucket" "gap" {
  bucket = "gap"
}
"""


def ignores() -> dict[tuple[str, str], SkippedCheck]:
    return {(s.rule_id, s.resource): s for s in trivy_ignores(MAIN, IGNORES_TF, today=TODAY)}


def test_trivy_ignore_above_a_block_skips_it_with_the_trailing_words_as_reason():
    skip = ignores()[("AVD-AWS-0089", "aws_s3_bucket.logs")]
    assert skip == SkippedCheck(
        "AVD-AWS-0089", TRIVY, MAIN, 2, "aws_s3_bucket.logs", "logs are shipped by the central trail"
    )


def test_legacy_tfsec_and_consecutive_comment_lines_apply_to_the_block_below():
    found = ignores()
    assert found[("AVD-AWS-0028", "aws_instance.web")].line == 8
    assert found[("AVD-AWS-0028", "aws_instance.web")].reason == ""
    unexpired = found[("AVD-AWS-0131", "aws_instance.web")]
    assert unexpired.line == 8 and unexpired.reason == "until the AMI is rebuilt"


def test_an_ignore_on_an_attribute_is_reported_on_its_resource():
    assert found_line(("AVD-AWS-0130", "aws_instance.web")) == 8
    trailing = ignores()[("AVD-AWS-0132", "aws_s3_bucket.old")]
    assert trailing.line == 18 and trailing.reason == "trailing"


def found_line(key: tuple[str, str]) -> int:
    return ignores()[key].line


def test_expired_ignores_other_workspaces_and_detached_comments_skip_nothing():
    found = ignores()
    assert ("AVD-AWS-0090", "aws_s3_bucket.old") not in found  # exp: in the past
    assert ("AVD-AWS-0088", "aws_s3_bucket.old") not in found  # ws:prod, we scan default
    assert ("AVD-AWS-0094", "aws_s3_bucket.gap") not in found  # a blank line between: Trivy ignores nothing
    prod = {(s.rule_id, s.resource) for s in trivy_ignores(MAIN, IGNORES_TF, today=TODAY, workspace="prod")}
    assert ("AVD-AWS-0088", "aws_s3_bucket.old") in prod


def test_expiry_is_checked_against_the_given_day():
    later = {s.rule_id for s in trivy_ignores(MAIN, IGNORES_TF, today=date(2031, 1, 1))}
    assert "AVD-AWS-0131" not in later and "AVD-AWS-0089" in later


def test_several_rules_on_one_line_and_a_wildcard():
    text = '#trivy:ignore:AVD-AWS-0086 trivy:ignore:AVD-AWS-0087 both public settings\nresource "a" "b" {\n}\n'
    found = trivy_ignores("x.tf", text, today=TODAY)
    assert [(s.rule_id, s.reason) for s in found] == [
        ("AVD-AWS-0086", "both public settings"),
        ("AVD-AWS-0087", "both public settings"),
    ]
    star = trivy_ignores("x.tf", '# trivy:ignore:*\nresource "a" "b" {\n}\n', today=TODAY)
    assert [s.rule_id for s in star] == ["*"]


def test_text_without_ignores_skips_nothing():
    assert trivy_ignores(MAIN, TRICKY_TF, today=TODAY) == []
    assert trivy_ignores(MAIN, '# trivy: not a rule\nresource "a" "b" {}\n', today=TODAY) == []


# --- merging -----------------------------------------------------------------------------------------------


def test_the_same_problem_from_both_tools_becomes_one_finding():
    merged = merge_findings([trivy("AVD-AWS-0089"), checkov("CKV_AWS_18")])
    assert len(merged) == 1
    (one,) = merged
    assert one.rule_id == "CKV_AWS_18"
    assert one.tools == (CHECKOV, TRIVY)
    assert one.aliases == ("AVD-AWS-0089",)
    assert one.severity is Severity.LOW
    assert one.title == "checkov CKV_AWS_18"
    # Checkov's offline stand-in link gives way to Trivy's own page.
    assert one.link == AVD_URL + "avd-aws-0089"


def test_merge_keeps_checkovs_own_guideline_and_the_highest_severity():
    mine = checkov("CKV_AWS_18", severity=Severity.HIGH, link="https://docs.example/s3-logging")
    (one,) = merge_findings([trivy("AVD-AWS-0089"), mine])
    assert one.link == "https://docs.example/s3-logging"
    assert one.severity is Severity.HIGH


def test_different_blocks_files_or_problems_stay_apart():
    findings = [
        checkov("CKV_AWS_18", line=5),
        trivy("AVD-AWS-0089", line=12),  # another block
        trivy("AVD-AWS-0089", line=5, file="infra/aws/envs/prod/main.tf"),  # another file
        trivy("AVD-AWS-0090", line=5),  # another problem
    ]
    assert len(merge_findings(findings)) == 4


def test_one_checkov_check_absorbs_every_trivy_check_it_stands_for():
    findings = [checkov("CKV2_AWS_6")] + [
        trivy(r) for r in ("AVD-AWS-0094", "AVD-AWS-0086", "AVD-AWS-0087", "AVD-AWS-0091", "AVD-AWS-0093")
    ]
    (one,) = merge_findings(findings)
    assert one.rule_id == "CKV2_AWS_6"
    assert one.aliases == ("AVD-AWS-0086", "AVD-AWS-0087", "AVD-AWS-0091", "AVD-AWS-0093", "AVD-AWS-0094")
    assert one.severity is Severity.HIGH


def test_checkov_ids_join_only_through_a_trivy_finding_that_is_present():
    apart = merge_findings([checkov("CKV_GCP_30"), checkov("CKV_GCP_31")])
    assert len(apart) == 2
    (together,) = merge_findings([checkov("CKV_GCP_30"), checkov("CKV_GCP_31"), trivy("AVD-GCP-0044")])
    assert together.rule_id == "CKV_GCP_30"
    assert together.aliases == ("AVD-GCP-0044", "CKV_GCP_31")


def test_duplicates_from_one_tool_collapse():
    # Trivy reports a rule once per offending attribute; both normalize to the block's first line.
    merged = merge_findings([trivy("AVD-AWS-0124"), trivy("AVD-AWS-0124"), checkov("CKV2_AWS_62")])
    assert sorted(f.rule_id for f in merged) == ["AVD-AWS-0124", "CKV2_AWS_62"]
    assert next(f for f in merged if f.rule_id == "AVD-AWS-0124").tools == (TRIVY,)


def test_merged_findings_are_sorted_most_severe_first():
    merged = merge_findings([trivy("AVD-AWS-0089", line=1), checkov("CKV_AWS_46", line=9), trivy("AVD-AWS-0090")])
    assert [f.severity for f in merged] == [Severity.CRITICAL, Severity.MEDIUM, Severity.LOW]


RULES = ["CKV_AWS_18", "AVD-AWS-0089", "CKV2_AWS_6", "AVD-AWS-0086", "AVD-AWS-0094", "CKV_AWS_53", "CKV2_AWS_62"]
finding_strategy = st.builds(
    lambda rule, line, file: (checkov if rule.startswith("CKV") else trivy)(rule, line=line, file=file),
    st.sampled_from(RULES),
    st.integers(1, 3),
    st.sampled_from(["a/main.tf", "b/main.tf"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(finding_strategy, max_size=12), st.randoms(use_true_random=False))
def test_merging_is_idempotent_order_free_and_loses_no_id(findings, rng):
    merged = merge_findings(findings)
    assert merge_findings(merged) == merged
    shuffled = list(findings)
    rng.shuffle(shuffled)
    assert merge_findings(shuffled) == merged
    assert len(merged) <= len(findings)
    before = {(f.file, f.line, f.rule_id) for f in findings}
    after = {(f.file, f.line, i) for f in merged for i in (f.rule_id, *f.aliases)}
    assert before == after


# --- skips across tools ------------------------------------------------------------------------------------


def skip(rule: str, tool: str, line: int = 5, reason: str = "accepted risk") -> SkippedCheck:
    return SkippedCheck(rule, tool, MAIN, line, "aws_s3_bucket.logs", reason)


def test_a_checkov_skip_drops_the_aliased_trivy_finding_on_the_same_block():
    kept, skipped = apply_skips([trivy("AVD-AWS-0089"), trivy("AVD-AWS-0090")], [skip("CKV_AWS_18", CHECKOV)])
    assert [f.rule_id for f in kept] == ["AVD-AWS-0090"]
    assert skipped[0].aliases == ("AVD-AWS-0089",)


def test_a_trivy_ignore_drops_the_aliased_checkov_finding_on_the_same_block():
    kept, skipped = apply_skips([checkov("CKV_AWS_18"), checkov("CKV2_AWS_62")], [skip("AVD-AWS-0089", TRIVY)])
    assert [f.rule_id for f in kept] == ["CKV2_AWS_62"]
    assert skipped[0].aliases == ("CKV_AWS_18",)


def test_a_skip_elsewhere_or_a_wildcard_drops_nothing_from_the_other_tool():
    findings = [trivy("AVD-AWS-0089")]
    assert apply_skips(findings, [skip("CKV_AWS_18", CHECKOV, line=40)])[0] == findings
    assert apply_skips(findings, [skip("*", CHECKOV)])[0] == findings
    # A tool's own skip is the tool's business: Trivy already left out what it ignored.
    assert apply_skips(findings, [skip("AVD-AWS-0089", TRIVY)])[0] == findings


def test_skips_are_deduplicated_per_tool_rule_and_block():
    twice = [skip("AVD-AWS-0089", TRIVY, reason=""), skip("AVD-AWS-0089", TRIVY), skip("CKV_AWS_18", CHECKOV)]
    out = dedupe_skipped(twice)
    assert [(s.tool, s.rule_id, s.reason) for s in out] == [
        (CHECKOV, "CKV_AWS_18", "accepted risk"),
        (TRIVY, "AVD-AWS-0089", "accepted risk"),
    ]


def test_merge_reports_applies_skips_then_merges():
    checkov_report = ScanReport(
        findings=(checkov("CKV_AWS_21"), checkov("CKV2_AWS_6")),
        skipped=(skip("CKV_AWS_18", CHECKOV, reason="logs go to the central trail"),),
        unparsed=("checkov: a/bad.tf",),
    )
    trivy_report = ScanReport(
        findings=(trivy("AVD-AWS-0089"), trivy("AVD-AWS-0090"), trivy("AVD-AWS-0094")),
        skipped=(skip("AVD-AWS-0132", TRIVY),),
        unparsed=("trivy: a/bad.tf",),
    )
    merged = merge_reports([checkov_report, trivy_report])
    assert [(f.rule_id, f.aliases, f.tools) for f in merged.findings] == [
        ("CKV2_AWS_6", ("AVD-AWS-0094",), (CHECKOV, TRIVY)),
        ("CKV_AWS_21", ("AVD-AWS-0090",), (CHECKOV, TRIVY)),
    ]
    assert [(s.rule_id, s.reason, s.aliases) for s in merged.skipped] == [
        ("CKV_AWS_18", "logs go to the central trail", ("AVD-AWS-0089",)),
        ("AVD-AWS-0132", "accepted risk", ()),
    ]
    assert merged.unparsed == ("checkov: a/bad.tf", "trivy: a/bad.tf")
    assert merge_reports([]) == ScanReport()
