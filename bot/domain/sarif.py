"""Findings as a SARIF 2.1.0 log, the format GitHub code scanning and other viewers read."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from bot.domain.findings import SkippedCheck, finding_order
from bot.domain.invisible import show_invisible
from bot.domain.models import Finding, Severity

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# Paths in results are relative to the repository root, which viewers know as %SRCROOT%.
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "olympusFinding/v1"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub code scanning ranks security alerts by this number: >= 9 critical, >= 7 high, >= 4 medium, else low.
# https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def sarif_level(severity: Severity) -> str:
    return LEVELS[severity]


def fingerprint(rule_id: str, file: str, resource: str) -> str:
    """A result's identity across runs: rule, file and resource, not the line, so moving a block keeps it."""
    return hashlib.sha256(f"{rule_id}\0{file}\0{resource}".encode()).hexdigest()


# Viewers show messages as text: what a scanner or a repository wrote is shown with its invisible characters escaped,
# so a rule title or resource cannot disguise itself. Fingerprints keep the raw text, so identities do not change.
def to_sarif(
    findings: Iterable[Finding],
    tool_name: str = "olympus",
    *,
    skipped: Iterable[SkippedCheck] = (),
    tool_version: str = "",
) -> dict[str, Any]:
    """One SARIF run: a rule per distinct id, a result per finding, and skipped checks as suppressed results."""
    ordered = sorted(findings, key=finding_order)
    skips = list(skipped)
    rules: dict[str, dict[str, Any]] = {}
    for finding in ordered:
        rules.setdefault(finding.rule_id, _rule(finding.rule_id, finding.title, finding.link, finding.severity))
    for skip in skips:
        rules.setdefault(skip.rule_id, _rule(skip.rule_id, skip.title, "", None))
    index = {rule_id: n for n, rule_id in enumerate(rules)}
    results = [_result(f, index[f.rule_id]) for f in ordered]
    results += [_suppressed(s, index[s.rule_id]) for s in skips]
    driver: dict[str, Any] = {"name": tool_name, "rules": list(rules.values())}
    if tool_version:
        driver["version"] = tool_version
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}],
    }


def _rule(rule_id: str, title: str, link: str, severity: Severity | None) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": rule_id,
        "name": rule_id,
        "shortDescription": {"text": show_invisible(title or rule_id)},
    }
    if link:
        rule["helpUri"] = link
    properties: dict[str, Any] = {"tags": ["security", "terraform"]}
    if severity is not None:
        rule["defaultConfiguration"] = {"level": sarif_level(severity)}
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    rule["properties"] = properties
    return rule


def _location(file: str, line: int, resource: str) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": quote(file), "uriBaseId": SRCROOT},
            "region": {"startLine": max(1, line)},
        }
    }
    if resource:
        location["logicalLocations"] = [{"fullyQualifiedName": show_invisible(resource), "kind": "resource"}]
    return location


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    where = f" on {finding.resource}" if finding.resource else ""
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": sarif_level(finding.severity),
        "message": {"text": show_invisible(f"{finding.title or finding.rule_id}{where}")},
        "locations": [_location(finding.file, finding.line, finding.resource)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding.rule_id, finding.file, finding.resource)},
        "properties": {
            "severity": finding.severity.value,
            "tools": list(finding.tools),
            "aliases": list(finding.aliases),
        },
    }


def _suppressed(skip: SkippedCheck, rule_index: int) -> dict[str, Any]:
    where = f" on {skip.resource}" if skip.resource else ""
    suppression: dict[str, Any] = {"kind": "inSource", "status": "accepted"}
    if skip.reason:
        suppression["justification"] = show_invisible(skip.reason)
    return {
        "ruleId": skip.rule_id,
        "ruleIndex": rule_index,
        "level": "none",
        "message": {"text": show_invisible(f"{skip.title or skip.rule_id}{where} (skipped inline)")},
        "locations": [_location(skip.file, skip.line, skip.resource)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(skip.rule_id, skip.file, skip.resource)},
        "suppressions": [suppression],
        "properties": {"tools": [skip.tool], "aliases": list(skip.aliases)},
    }
