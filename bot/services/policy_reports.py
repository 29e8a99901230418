"""The policies beyond the comment: a check run per policy set, and SARIF results where a file location is known."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.domain.models import Finding, Project, Severity
from bot.domain.policies.render import set_summary, set_text
from bot.domain.policies.results import PolicyReport, SetOutcome, Violation
from bot.domain.sarif import to_sarif
from bot.ports import CodeHost, RepoReader
from bot.services.policy_check import root_blocks

POLICY_CHECK_PREFIX = "olympus/policy: "
POLICY_TOOL = "olympus-policies"
# `module.NAME.…` (the module call's block) or a root resource `TYPE.NAME[...]`.
_MODULE_CALL = re.compile(r"^module\.([A-Za-z_][A-Za-z0-9_-]*)")
_ROOT_RESOURCE = re.compile(r"^(?:data\.)?([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)")


def post_policy_checks(codehost: CodeHost, repo: str, head: str, report: PolicyReport, external_id: str = "") -> None:
    """One completed check run per policy set: failure while a blocking failure stands, neutral when only advisory
    sets fail, success otherwise."""
    for name in report.set_names():
        outcomes = report.of_set(name)
        codehost.create_check_run(
            repo,
            head,
            POLICY_CHECK_PREFIX + name,
            status="completed",
            conclusion=_conclusion(outcomes),
            title=set_summary(outcomes)[:200],
            summary=set_summary(outcomes),
            text=set_text(outcomes)[:60_000],
            external_id=f"{external_id}:{name}" if external_id else "",
        )


def _conclusion(outcomes: Sequence[SetOutcome]) -> str:
    if any(o.failed and o.blocking for o in outcomes):
        return "failure"
    if any(o.failed for o in outcomes):
        return "neutral"
    return "success"


def policy_findings(report: PolicyReport, reader: RepoReader, projects: Sequence[Project]) -> list[Finding]:
    """The violations whose resource is found in the project's files, as findings for a SARIF run of their own."""
    dirs = {p.name: p.dir for p in projects}
    found: list[Finding] = []
    lines: dict[str, dict[str, tuple[str, int]]] = {}
    for outcome in report.outcomes:
        directory = dirs.get(outcome.project)
        if directory is None:
            continue
        where = lines.setdefault(directory, _block_lines(reader, directory))
        for violation in outcome.violations:
            location = _located(violation.address, where)
            if location is not None:
                found.append(_finding(outcome, violation, *location))
    return found


def with_policy_run(sarif: dict[str, Any], findings: Sequence[Finding]) -> dict[str, Any]:
    """The SARIF log with a second run, Olympus's policies', when any violation has a location."""
    if not findings:
        return sarif
    run = to_sarif(findings, POLICY_TOOL)["runs"][0]
    return {**sarif, "runs": [*sarif["runs"], run]}


def _finding(outcome: SetOutcome, violation: Violation, file: str, line: int) -> Finding:
    if not violation.blocks:
        severity = Severity.LOW
    else:
        severity = Severity.HIGH if outcome.blocking else Severity.MEDIUM
    return Finding(
        rule_id=f"{outcome.policy_set}/{violation.rule or violation.kind}",
        severity=severity,
        title=violation.message,
        resource=violation.address,
        file=file,
        line=line,
        tools=(POLICY_TOOL,),
    )


def _located(address: str, where: Mapping[str, tuple[str, int]]) -> tuple[str, int] | None:
    module = _MODULE_CALL.match(address)
    if module:
        return where.get(f"module.{module.group(1)}")
    resource = _ROOT_RESOURCE.match(address)
    return where.get(f"{resource.group(1)}.{resource.group(2)}") if resource else None


def _block_lines(reader: RepoReader, directory: str) -> dict[str, tuple[str, int]]:
    """Where each root resource and module call of the directory is declared: its file and line."""
    found: dict[str, tuple[str, int]] = {}
    for path, block in root_blocks(reader, directory):
        if block.type == "resource" and len(block.labels) == 2:
            found.setdefault(f"{block.labels[0]}.{block.labels[1]}", (path, block.line))
        elif block.type == "module" and len(block.labels) == 1:
            found.setdefault(f"module.{block.labels[0]}", (path, block.line))
    return found
