"""Check-run annotations: levels from severity, GitHub's 50 per request, and the output object."""

from __future__ import annotations

from bot.adapters.github.checks import ANNOTATIONS_PER_REQUEST, annotation, batches, output
from bot.domain.models import Finding, Severity


def finding(n: int, severity: Severity = Severity.MEDIUM, line: int = 3) -> Finding:
    return Finding(
        f"CKV_AWS_{n}", severity, f"rule {n}", "aws_s3_bucket.b", f"infra/f{n:03}.tf", line, link="https://x"
    )


def test_annotation_fields_and_levels() -> None:
    note = annotation(finding(1, Severity.HIGH, line=0))
    assert note == {
        "path": "infra/f001.tf",
        "start_line": 1,
        "end_line": 1,
        "annotation_level": "failure",
        "title": "CKV_AWS_1 rule 1",
        "message": "HIGH: rule 1 (aws_s3_bucket.b)\nhttps://x",
    }
    levels = {s: annotation(finding(1, s))["annotation_level"] for s in Severity}
    assert levels == {
        Severity.CRITICAL: "failure",
        Severity.HIGH: "failure",
        Severity.MEDIUM: "warning",
        Severity.LOW: "notice",
        Severity.INFO: "notice",
    }


def test_batches_of_fifty_most_severe_first() -> None:
    findings = [finding(n) for n in range(120)] + [finding(999, Severity.CRITICAL)]
    chunks = batches(findings)
    assert [len(c) for c in chunks] == [ANNOTATIONS_PER_REQUEST, ANNOTATIONS_PER_REQUEST, 21]
    assert chunks[0][0]["title"].startswith("CKV_AWS_999")
    assert batches([]) == [[]]


def test_output_requires_title_and_summary_and_clips() -> None:
    body = output("", "", "x" * 70_000, [])
    assert body["title"] == "Olympus" and body["summary"] == "Olympus"
    assert len(body["text"]) == 65_535
    assert "annotations" not in body
