"""The doctor's base-branch check against the GitHub test double: in-process, and through `olympus doctor`."""

from __future__ import annotations

from typing import Any

import pytest
from doctor_emulator import ACCOUNT, Emulator

from bot.adapters.doctor_checks import branch_protection_findings
from bot.domain.trust_policy import trust_policy_for
from bot.errors import UserError

REPO = "octo-org/infra"


def token_for(fake_github: Any) -> str:
    token, _ = fake_github.credentials.issue_token(fake_github.installation_id)
    return str(token)


def check(fake_github: Any, **kwargs: Any) -> list[tuple[str, str]]:
    findings = branch_protection_findings(REPO, token=token_for(fake_github), api_url=fake_github.base_url, **kwargs)
    return [(f.code, f.severity) for f in findings]


def test_a_branch_requiring_reviews_passes(fake_github: Any) -> None:
    fake_github.add_repo(REPO)
    fake_github.set_branch_protection(REPO, "main", required_approving_review_count=2)
    # The double never enforces admins, so the only thing said is a note.
    assert check(fake_github) == [("admins-bypass-protection", "note")]
    assert any(r.path == f"/repos/{REPO}/branches/main/protection" for r in fake_github.requests)


def test_zero_required_reviews_is_a_problem(fake_github: Any) -> None:
    fake_github.add_repo(REPO)
    fake_github.set_branch_protection(REPO, "main", required_approving_review_count=0)
    findings = branch_protection_findings(REPO, token=token_for(fake_github), api_url=fake_github.base_url)
    assert findings[0].code == "base-branch-without-reviews" and findings[0].severity == "error"
    assert "zero approving reviews" in findings[0].problem
    assert f"gh api -X PUT repos/{REPO}/branches/main/protection" in findings[0].fix
    assert '"required_approving_review_count": 1' in findings[0].fix


def test_an_unprotected_base_branch_is_a_problem(fake_github: Any) -> None:
    fake_github.add_repo(REPO, default_branch="trunk")
    findings = branch_protection_findings(REPO, token=token_for(fake_github), api_url=fake_github.base_url)
    assert [(f.code, f.where) for f in findings] == [("base-branch-unprotected", "branch trunk")]
    assert "'trunk' has no branch protection" in findings[0].problem


def test_an_explicit_base_branch_is_checked(fake_github: Any) -> None:
    fake_github.add_repo(REPO)
    fake_github.push(REPO, "release", {"README.md": "release\n"}, "release branch")
    fake_github.set_branch_protection(REPO, "main", required_approving_review_count=1)
    assert check(fake_github, branch="release")[0] == ("base-branch-unprotected", "error")


def test_a_missing_repository_is_a_user_error(fake_github: Any) -> None:
    with pytest.raises(UserError) as raised:
        check(fake_github)
    assert raised.value.reference == "github-not-found"


def test_a_rejected_token_is_a_user_error_without_the_token(fake_github: Any) -> None:
    fake_github.add_repo(REPO)
    token = "ghs_" + "x" * 36
    with pytest.raises(UserError) as raised:
        branch_protection_findings(REPO, token=token, api_url=fake_github.base_url)
    assert raised.value.reference == "github-bad-credentials"
    assert token not in str(raised.value)


def test_doctor_reads_the_branch_through_github_api_url(fake_github: Any, emulator: Emulator) -> None:
    fake_github.add_repo(REPO)
    plan = emulator.create_role("plan", trust_policy_for(ACCOUNT, REPO, role="plan"))
    apply = emulator.create_role("apply", trust_policy_for(ACCOUNT, REPO, role="apply"))
    token = token_for(fake_github)
    env = {"GITHUB_API_URL": fake_github.base_url, "DOCTOR_TEST_TOKEN": token}
    args = ("--plan-role", plan, "--apply-role", apply, "--repo", REPO, "--github-token-env", "DOCTOR_TEST_TOKEN")

    unprotected = emulator.run_doctor(*args, env=env)
    assert unprotected.returncode == 2, unprotected.stdout + unprotected.stderr
    assert "error[base-branch-unprotected] branch main" in unprotected.stdout

    fake_github.set_branch_protection(REPO, "main", required_approving_review_count=1)
    protected = emulator.run_doctor(*args, env=env)
    assert protected.returncode == 0, protected.stdout + protected.stderr
    assert "note[admins-bypass-protection]" in protected.stdout
    for done in (unprotected, protected):
        assert token not in done.stdout + done.stderr
