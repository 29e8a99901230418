"""Onboarding: the App's first pull request in a repository adds the copy-ready Olympus workflow."""

from __future__ import annotations

from importlib.resources import files

from bot.domain.models import FileChange
from bot.ports import CodeHost, PullRequestInfo

ONBOARDING_BRANCH = "olympus/onboarding"
WORKFLOW_PATH = ".github/workflows/olympus.yml"
TITLE = "Olympus: plan pull requests and apply reviewed plans with GitHub Actions"
BODY = """This adds `.github/workflows/olympus.yml`. Once merged:

- every pull request that changes Terraform is planned with the read-only role, scanned with Checkov and Trivy, and
  gets one plan comment, a check run per project, and its projects locked until it is merged or closed;
- `/infra apply` on a pull request (or an approving review) starts the apply job, which waits in the `production`
  Environment for a reviewer, checks the gate again, and applies exactly the reviewed plan with the apply role.

Before merging:

1. Create the two roles: `olympus doctor --print-trust-policy --repo {repo}` prints their trust policies.
2. Replace the two role ARNs, the region and the plan bucket in the file.
3. Create the `production` Environment with required reviewers, and protect the default branch with required reviews
   (`olympus doctor --plan-role ARN --apply-role ARN --repo {repo}` checks all of this).
4. Replace `v1` in both `uses:` lines with the full commit SHA of the Olympus release you reviewed.
"""


def workflow_text() -> str:
    """The copy-ready caller workflow, as shipped in workflows/olympus.yml."""
    return files("bot.changes").joinpath("workflows/olympus.yml").read_text(encoding="utf-8")


def onboard_repository(codehost: CodeHost, repo: str) -> PullRequestInfo | None:
    """Open the onboarding pull request, unless the workflow is there already; asking twice opens one PR."""
    base = codehost.default_branch(repo)
    if codehost.read_file(repo, base, WORKFLOW_PATH) is not None:
        return None
    return codehost.open_change(
        repo,
        base,
        ONBOARDING_BRANCH,
        [FileChange(WORKFLOW_PATH, workflow_text())],
        "Add the Olympus workflow",
        title=TITLE,
        body=BODY.format(repo=repo),
    )
