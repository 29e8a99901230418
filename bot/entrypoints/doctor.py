"""`olympus doctor`: checks the plan and apply roles' trust and permissions and the base branch, with a fix for each."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from bot.domain.role_permissions import analyse_plan_permissions
from bot.domain.trust_analysis import analyse_trust_policy
from bot.domain.trust_policy import (
    DoctorFinding,
    RoleArn,
    RoleKind,
    parse_role_arn,
    trust_policy_for,
    validate_owner_repo,
)
from bot.errors import UserError

__all__ = ["correct_trust_policies", "render_report", "run_doctor"]

Section = tuple[str, list[DoctorFinding]]


# The branch whose scheduled drift check the plan role trusts when --base does not name it.
DEFAULT_DRIFT_BRANCH = "main"


def correct_trust_policies(
    plan_role_arn: str,
    apply_role_arn: str,
    repo: str,
    environment: str = "production",
    drift_branch: str = DEFAULT_DRIFT_BRANCH,
) -> dict[str, Any]:
    """{"plan": policy, "apply": policy}: the trust policies the two roles should have, each in its own account."""
    plan = parse_role_arn(plan_role_arn, "--plan-role")
    apply = parse_role_arn(apply_role_arn, "--apply-role")
    return {
        "plan": trust_policy_for(
            plan.account_id, repo, role="plan", partition=plan.partition, drift_branch=drift_branch
        ),
        "apply": trust_policy_for(
            apply.account_id, repo, role="apply", environment=environment, partition=apply.partition
        ),
    }


def render_report(repo: str, environment: str, sections: Sequence[Section]) -> str:
    """The report: each section's findings with their fixes, then the count."""
    lines = [f"olympus doctor: {repo}, apply Environment {environment!r}", ""]
    for title, findings in sections:
        lines.append(title)
        if not findings:
            lines.append("  ok")
        for finding in findings:
            lines.append(f"  {finding.severity}[{finding.code}] {finding.where}: {finding.problem}")
            lines.append(f"    fix: {finding.fix}")
        lines.append("")
    errors = sum(1 for _, found in sections for f in found if f.severity == "error")
    notes = sum(1 for _, found in sections for f in found if f.severity == "note")
    if errors:
        lines.append(f"{errors} problem{'s' if errors != 1 else ''} to fix, {notes} note{'s' if notes != 1 else ''}.")
    else:
        lines.append(f"All is well ({notes} note{'s' if notes != 1 else ''}).")
    return "\n".join(lines) + "\n"


def run_doctor(
    plan_role_arn: str,
    apply_role_arn: str,
    repo: str,
    environment: str = "production",
    print_trust_policy: bool = False,
    *,
    base_branch: str | None = None,
    github_token: str | None = None,
    github_api_url: str | None = None,
    skip_github: bool = False,
    iam: Any = None,
    out: TextIO | None = None,
) -> int:
    """Check both roles and the base branch and print the report: 0 when all is well, 2 when something is wrong.

    With `print_trust_policy`, print the two correct trust policies as JSON instead (no AWS or GitHub calls,
    so it works before the roles exist).
    """
    from bot.adapters import doctor_checks

    out = out or sys.stdout
    plan = parse_role_arn(plan_role_arn, "--plan-role")
    apply = parse_role_arn(apply_role_arn, "--apply-role")
    validate_owner_repo(repo)
    if print_trust_policy:
        policies = correct_trust_policies(plan.text, apply.text, repo, environment, base_branch or DEFAULT_DRIFT_BRANCH)
        out.write(json.dumps(policies, indent=2) + "\n")
        return 0
    token = None
    if not skip_github:
        token = github_token or os.environ.get("GITHUB_TOKEN")
        if not token:
            raise UserError(
                "github-token-missing",
                "no GitHub token to read the base branch's protection",
                "export GITHUB_TOKEN (a token with Administration: read on the repository), name another variable "
                "with --github-token-env, or pass --skip-github",
            )
    client = iam if iam is not None else doctor_checks.iam_client()
    sections: list[Section] = []
    if plan.text == apply.text:
        sections.append(
            (
                "roles",
                [
                    DoctorFinding(
                        "same-role",
                        "error",
                        "--plan-role and --apply-role",
                        "plan and apply use one role, so pull requests get the credentials that apply",
                        "create two roles with the two policies `olympus doctor --print-trust-policy` prints",
                    )
                ],
            )
        )
    roles: tuple[tuple[RoleKind, RoleArn], ...] = (("plan", plan), ("apply", apply))
    for kind, role in roles:
        documents = doctor_checks.read_role(client, role)
        findings = analyse_trust_policy(
            documents.trust_policy,
            owner_repo=repo,
            role=kind,
            environment=environment,
            account_id=role.account_id,
            drift_branch=base_branch or DEFAULT_DRIFT_BRANCH,
        )
        if kind == "plan":
            findings += analyse_plan_permissions(documents.permission_policies)
        sections.append((f"{kind} role {role.text}", findings))
    for account in sorted({plan.account_id, apply.account_id}):
        role = plan if plan.account_id == account else apply
        sections.append(
            (f"GitHub OIDC provider in account {account}", doctor_checks.oidc_provider_findings(client, role))
        )
    if token is not None:
        api_url = github_api_url or os.environ.get("GITHUB_API_URL") or doctor_checks.DEFAULT_GITHUB_API_URL
        findings = doctor_checks.branch_protection_findings(repo, token=token, api_url=api_url, branch=base_branch)
        sections.append((f"base branch of {repo}", findings))
    out.write(render_report(repo, environment, sections))
    return 2 if any(f.severity == "error" for _, found in sections for f in found) else 0
