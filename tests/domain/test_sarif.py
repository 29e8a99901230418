"""SARIF 2.1.0 output: the log's shape, rules, results, levels, locations, fingerprints and suppressions."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.findings import CHECKOV, TRIVY, SkippedCheck
from bot.domain.models import Finding, Severity
from bot.domain.sarif import FINGERPRINT_KEY, SARIF_SCHEMA, fingerprint, sarif_level, to_sarif

# The definitions of the official SARIF 2.1.0 schema (OASIS, errata01, draft-04) that Olympus's output uses,
# transcribed with their required properties, types, enums, minimums and additionalProperties=false, so the
# test runs offline. Descriptions and the properties Olympus never writes are left out; a property we start
# writing that is not declared here fails the test, which is the cue to transcribe its definition too.
_PROPERTY_BAG = {
    "type": "object",
    "additionalProperties": True,
    "properties": {"tags": {"type": "array", "uniqueItems": True, "items": {"type": "string"}}},
}
SARIF_SUBSET = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "additionalProperties": False,
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"], "type": "string"},
        "runs": {"type": ["array", "null"], "items": {"$ref": "#/definitions/run"}},
        "properties": {"$ref": "#/definitions/propertyBag"},
    },
    "definitions": {
        "propertyBag": _PROPERTY_BAG,
        "run": {
            "type": "object",
            "additionalProperties": False,
            "required": ["tool"],
            "properties": {
                "tool": {"$ref": "#/definitions/tool"},
                "results": {"type": "array", "items": {"$ref": "#/definitions/result"}},
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"], "type": "string"},
                "properties": {"$ref": "#/definitions/propertyBag"},
            },
        },
        "tool": {
            "type": "object",
            "additionalProperties": False,
            "required": ["driver"],
            "properties": {
                "driver": {"$ref": "#/definitions/toolComponent"},
                "properties": {"$ref": "#/definitions/propertyBag"},
            },
        },
        "toolComponent": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "version": {"type": "string"},
                "informationUri": {"type": "string", "format": "uri"},
                "rules": {"type": "array", "uniqueItems": True, "items": {"$ref": "#/definitions/reportingDescriptor"}},
                "properties": {"$ref": "#/definitions/propertyBag"},
            },
        },
        "reportingDescriptor": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "shortDescription": {"$ref": "#/definitions/multiformatMessageString"},
                "fullDescription": {"$ref": "#/definitions/multiformatMessageString"},
                "defaultConfiguration": {"$ref": "#/definitions/reportingConfiguration"},
                "helpUri": {"type": "string", "format": "uri"},
                "help": {"$ref": "#/definitions/multiformatMessageString"},
                "properties": {"$ref": "#/definitions/propertyBag"},
            },
        },
        "reportingConfiguration": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enabled": {"type": "boolean"},
                "level": {"enum": ["none", "note", "warning", "error"], "type": "string"},
                "rank": {"type": "number", "minimum": -1.0, "maximum": 100.0},
                "properties": {"$ref": "#/definitions/propertyBag"},
            },
        },
        "multiformatMessageString": {
            "type": "object",
            "additionalProperties": False,
            "required": ["text"],
            "properties": {
                "text": {"type": "string"},
                "markdown": {"type": "string"},
                "properties": {"$ref": "#/definitions/propertyBag"},
            },
        },
        "message": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "text": {"type": "string"},
                "markdown": {"type": "string"},
                "id": {"type": "string"},
                "arguments": {"type": "array", "items": {"type": "string"}},
                "properties": {"$ref": "#/definitions/propertyBag"},
            },
            "anyOf": [{"required": ["text"]}, {"required": ["id"]}],
        },
        "result": {
            "type": "object",
            "additionalProperties": False,
            "required": ["message"],
            "properties": {
                "ruleId": {"type": "string"},
                "ruleIndex": {"type": "integer", "minimum": -1},
                "kind": {"enum": ["notApplicable", "pass", "fail", "review", "open", "informational"]},
                "level": {"enum": ["none", "note", "warning", "error"], "type": "string"},
                "message": {"$ref": "#/definitions/message"},
                "locations": {"type": "array", "items": {"$ref": "#/definitions/location"}},
                "partialFingerprints": {"type": "object", "additionalProperties": {"type": "string"}},
                "fingerprints": {"type": "object", "additionalProperties": {"type": "string"}},
                "suppressions": {"type": "array", "uniqueItems": True, "items": {"$ref": "#/definitions/suppression"}},
                "properties": {"$ref": "#/definitions/propertyBag"},
            },
        },
        "location": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "id": {"type": "integer", "minimum": -1},
                "physicalLocation": {"$ref": "#/definitions/physicalLocation"},
                "logicalLocations": {
                    "type": "array",
                    "uniqueItems": True,
                    "items": {"$ref": "#/definitions/logicalLocation"},
                },
                "message": {"$ref": "#/definitions/message"},
                "properties": {"$ref": "#/definitions/propertyBag"},
            },
        },
        "physicalLocation": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "artifactLocation": {"$ref": "#/definitions/artifactLocation"},
                "region": {"$ref": "#/definitions/region"},
                "contextRegion": {"$ref": "#/definitions/region"},
                "properties": {"$ref": "#/definitions/propertyBag"},
            },
            "anyOf": [{"required": ["address"]}, {"required": ["artifactLocation"]}],
        },
        "artifactLocation": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "uri": {"type": "string", "format": "uri-reference"},
                "uriBaseId": {"type": "string"},
                "index": {"type": "integer", "minimum": -1},
                "description": {"$ref": "#/definitions/message"},
                "properties": {"$ref": "#/definitions/propertyBag"},
            },
        },
        "region": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "startLine": {"type": "integer", "minimum": 1},
                "startColumn": {"type": "integer", "minimum": 1},
                "endLine": {"type": "integer", "minimum": 1},
                "endColumn": {"type": "integer", "minimum": 1},
                "message": {"$ref": "#/definitions/message"},
                "properties": {"$ref": "#/definitions/propertyBag"},
            },
            "anyOf": [{"required": ["startLine"]}, {"required": ["charOffset"]}, {"required": ["byteOffset"]}],
        },
        "logicalLocation": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string"},
                "index": {"type": "integer", "minimum": -1},
                "fullyQualifiedName": {"type": "string"},
                "decoratedName": {"type": "string"},
                "parentIndex": {"type": "integer", "minimum": -1},
                "kind": {"type": "string"},
                "properties": {"$ref": "#/definitions/propertyBag"},
            },
        },
        "suppression": {
            "type": "object",
            "additionalProperties": False,
            "required": ["kind"],
            "properties": {
                "kind": {"enum": ["inSource", "external"], "type": "string"},
                "status": {"enum": ["accepted", "underReview", "rejected"], "type": "string"},
                "justification": {"type": "string"},
                "location": {"$ref": "#/definitions/location"},
                "properties": {"$ref": "#/definitions/propertyBag"},
            },
        },
    },
}
# jsonschema checks "uri" formats only with optional packages installed; these follow RFC 3986's grammar.
FORMATS = jsonschema.FormatChecker()
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2}")


def _uri_reference(value: object) -> bool:
    return isinstance(value, str) and not _URI_CHARS.sub("", value)


@FORMATS.checks("uri")
def _absolute_uri(value: object) -> bool:
    return _uri_reference(value) and bool(re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", str(value)))


FORMATS.checks("uri-reference")(_uri_reference)
VALIDATOR = jsonschema.Draft4Validator(SARIF_SUBSET, format_checker=FORMATS)


def assert_valid(log: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


BUCKET_LOGGING = Finding(
    rule_id="CKV_AWS_18",
    severity=Severity.LOW,
    title="Ensure the S3 bucket has access logging enabled",
    resource="aws_s3_bucket.logs",
    file="infra/aws/envs/dev/main.tf",
    line=12,
    link="https://avd.aquasec.com/misconfig/avd-aws-0089",
    tools=(CHECKOV, TRIVY),
    aliases=("AVD-AWS-0089",),
)
IMDS = Finding(
    rule_id="AVD-AWS-0028",
    severity=Severity.HIGH,
    title="aws_instance should activate session tokens for Instance Metadata Service.",
    resource="aws_instance.web",
    file="infra/aws/envs/dev/main.tf",
    line=30,
    link="https://avd.aquasec.com/misconfig/avd-aws-0028",
    tools=(TRIVY,),
)
SKIP = SkippedCheck(
    "CKV_AWS_21",
    CHECKOV,
    "infra/aws/envs/dev/main.tf",
    12,
    "aws_s3_bucket.logs",
    "versioning is not needed for throwaway logs",
    title="Ensure all data stored in the S3 bucket have versioning enabled",
    aliases=("AVD-AWS-0090",),
)


def test_the_log_has_the_sarif_essentials_and_validates():
    log = to_sarif([BUCKET_LOGGING, IMDS])
    assert_valid(log)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == SARIF_SCHEMA
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "olympus"
    assert [r["id"] for r in driver["rules"]] == ["AVD-AWS-0028", "CKV_AWS_18"]  # most severe first
    assert json.loads(json.dumps(log)) == log


def test_rules_carry_help_uri_description_level_and_security_severity():
    rules = {r["id"]: r for r in to_sarif([BUCKET_LOGGING, IMDS])["runs"][0]["tool"]["driver"]["rules"]}
    logging = rules["CKV_AWS_18"]
    assert logging["helpUri"] == "https://avd.aquasec.com/misconfig/avd-aws-0089"
    assert logging["shortDescription"] == {"text": "Ensure the S3 bucket has access logging enabled"}
    assert logging["defaultConfiguration"] == {"level": "note"}
    assert logging["properties"]["security-severity"] == "3.0"
    assert rules["AVD-AWS-0028"]["properties"]["security-severity"] == "8.0"


def test_each_result_points_at_its_rule_file_and_line():
    run = to_sarif([BUCKET_LOGGING, IMDS])["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    result = by_rule["CKV_AWS_18"]
    assert rules[result["ruleIndex"]]["id"] == "CKV_AWS_18"
    assert result["level"] == "note"
    assert result["message"]["text"] == "Ensure the S3 bucket has access logging enabled on aws_s3_bucket.logs"
    (location,) = result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "infra/aws/envs/dev/main.tf", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 12}
    assert location["logicalLocations"] == [{"fullyQualifiedName": "aws_s3_bucket.logs", "kind": "resource"}]
    assert result["properties"] == {"severity": "LOW", "tools": ["checkov", "trivy"], "aliases": ["AVD-AWS-0089"]}
    assert by_rule["AVD-AWS-0028"]["level"] == "error"


@pytest.mark.parametrize(
    ("severity", "level"),
    [
        (Severity.CRITICAL, "error"),
        (Severity.HIGH, "error"),
        (Severity.MEDIUM, "warning"),
        (Severity.LOW, "note"),
        (Severity.INFO, "note"),
    ],
)
def test_levels_follow_severity(severity, level):
    assert sarif_level(severity) == level
    finding = Finding("X1", severity, "t", "r.x", "main.tf", 1)
    (result,) = to_sarif([finding])["runs"][0]["results"]
    assert result["level"] == level


def test_fingerprints_survive_a_moved_block_and_differ_per_rule_file_and_resource():
    def print_of(finding: Finding) -> str:
        return to_sarif([finding])["runs"][0]["results"][0]["partialFingerprints"][FINGERPRINT_KEY]

    moved = Finding(**{**BUCKET_LOGGING.__dict__, "line": 99})
    assert print_of(moved) == print_of(BUCKET_LOGGING)
    assert print_of(BUCKET_LOGGING) == fingerprint("CKV_AWS_18", "infra/aws/envs/dev/main.tf", "aws_s3_bucket.logs")
    others = [
        Finding(**{**BUCKET_LOGGING.__dict__, "rule_id": "CKV_AWS_21"}),
        Finding(**{**BUCKET_LOGGING.__dict__, "file": "infra/aws/envs/prod/main.tf"}),
        Finding(**{**BUCKET_LOGGING.__dict__, "resource": "aws_s3_bucket.other"}),
    ]
    assert len({print_of(BUCKET_LOGGING), *(print_of(f) for f in others)}) == 4


def test_skipped_checks_become_suppressed_results_with_their_reason():
    log = to_sarif([IMDS], skipped=[SKIP])
    assert_valid(log)
    run = log["runs"][0]
    suppressed = next(r for r in run["results"] if r["ruleId"] == "CKV_AWS_21")
    assert suppressed["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "versioning is not needed for throwaway logs"}
    ]
    assert suppressed["level"] == "none"
    assert run["tool"]["driver"]["rules"][suppressed["ruleIndex"]]["id"] == "CKV_AWS_21"
    assert suppressed["properties"]["aliases"] == ["AVD-AWS-0090"]
    reasonless = to_sarif([], skipped=[SkippedCheck("AVD-AWS-0028", TRIVY, "main.tf", 3, "aws_instance.web")])
    assert_valid(reasonless)
    assert reasonless["runs"][0]["results"][0]["suppressions"] == [{"kind": "inSource", "status": "accepted"}]


def test_no_findings_is_a_valid_log_with_an_empty_run():
    log = to_sarif([], tool_name="olympus-scan", tool_version="0.1.0")
    assert_valid(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"] == {"name": "olympus-scan", "rules": [], "version": "0.1.0"}


def test_awkward_paths_lines_and_missing_links_still_validate():
    odd = Finding("CKV2_AWS_62", Severity.MEDIUM, "", "", "infra/my env/main #1.tf", 0)
    log = to_sarif([odd])
    assert_valid(log)
    result = log["runs"][0]["results"][0]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "infra/my%20env/main%20%231.tf"
    assert physical["region"]["startLine"] == 1
    assert "logicalLocations" not in result["locations"][0]
    assert result["message"]["text"] == "CKV2_AWS_62"
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert "helpUri" not in rule and rule["shortDescription"]["text"] == "CKV2_AWS_62"


def test_the_subset_schema_rejects_what_the_official_one_rejects():
    # The checks the transcription must keep: a missing version, a bad level, a line 0, an unknown property.
    good = to_sarif([IMDS])
    broken = [
        {k: v for k, v in good.items() if k != "version"},
        json.loads(json.dumps(good).replace('"level": "error"', '"level": "fatal"')),
        json.loads(json.dumps(good).replace('"startLine": 30', '"startLine": 0')),
        {**good, "runs": [{**good["runs"][0], "surprise": True}]},
        json.loads(json.dumps(good).replace("https://avd.aquasec.com", "not a uri")),
        json.loads(json.dumps(good).replace('"uri": "infra/aws/envs/dev/main.tf"', '"uri": "infra/my env.tf"')),
    ]
    for log in broken:
        assert list(VALIDATOR.iter_errors(log)), log


finding_strategy = st.builds(
    Finding,
    rule_id=st.sampled_from(["CKV_AWS_18", "AVD-AWS-0089", "CKV2_AWS_6", "X"]),
    severity=st.sampled_from(list(Severity)),
    title=st.text(max_size=30),
    resource=st.text(max_size=20),
    file=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30),
    line=st.integers(-5, 10_000),
    link=st.sampled_from(["", "https://avd.aquasec.com/misconfig/avd-aws-0089"]),
    tools=st.sampled_from([(CHECKOV,), (TRIVY,), (CHECKOV, TRIVY)]),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(finding_strategy, max_size=8))
def test_any_findings_make_a_valid_log_with_one_rule_per_id(findings):
    log = to_sarif(findings)
    assert_valid(log)
    run = log["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert sorted(ids) == sorted({f.rule_id for f in findings})
    assert len(run["results"]) == len(findings)
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
