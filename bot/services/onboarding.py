"""Onboarding: the App's first pull request in a repository adds the workflow, where state lives, the issue form."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

from bot.domain.backends import BackendSettings
from bot.domain.models import FileChange
from bot.domain.plain_requests import REQUEST_LABEL
from bot.errors import UserError
from bot.ports import CodeHost, PullRequestInfo
from bot.services.init_repo import init_files

ONBOARDING_BRANCH = "olympus/onboarding"
WORKFLOW_PATH = ".github/workflows/olympus.yml"
ISSUE_FORM_PATH = ".github/ISSUE_TEMPLATE/infra-request.yml"
TITLE = "Olympus: plan pull requests and apply reviewed plans with GitHub Actions"
BODY = """This adds `.github/workflows/olympus.yml` and the issue form `{issue_form}`. Once merged:

- every pull request that changes Terraform is planned with the read-only role, scanned with Checkov and Trivy, and
  gets one plan comment, a check run per project, and its projects locked until it is merged or closed;
- `/infra apply` on a pull request (or an approving review) starts the apply job, which waits in the `production`
  Environment for a reviewer, checks the gate again, and applies exactly the reviewed plan with the apply role;
- "New issue → Infrastructure request" asks for infrastructure in plain words: its issues carry the `{label}`
  label, and Olympus replies with the `/infra` commands it read from them and opens a pull request for each
  (create the `{label}` label if the repository does not have it yet).

Before merging:

1. Say where Terraform state lives: replace the placeholder bucket `{bucket}` and region `{region}` in `.olympus.yaml`
   and in each env's `backend.hcl` (Terraform's partial backend configuration; `olympus init` writes the same files
   locally).
2. Create the two roles: `olympus doctor --print-trust-policy --repo {repo}` prints their trust policies.
3. Replace the two role ARNs, the region and the plan bucket in the workflow.
4. Create the `production` Environment with required reviewers, and protect the default branch with required reviews
   (`olympus doctor --plan-role ARN --apply-role ARN --repo {repo}` checks all of this).
5. Replace `v1` in both `uses:` lines with the full commit SHA of the Olympus release you reviewed.
"""


def workflow_text() -> str:
    """The copy-ready caller workflow, as shipped in workflows/olympus.yml."""
    return files("bot.changes").joinpath("workflows/olympus.yml").read_text(encoding="utf-8")


def issue_form_text() -> str:
    """The issue form for requests in plain words (GitHub's issue-forms syntax), labelled infra-request."""
    return files("bot.changes").joinpath("issue_forms/infra-request.yml").read_text(encoding="utf-8")


# Placeholders the onboarding pull request asks the team to replace before merging.
PLACEHOLDER_BACKEND = BackendSettings("s3", "replace-with-your-state-bucket", "us-east-1")


@dataclass(frozen=True)
class _HostTree:
    """A RepoReader over one commit of a repository on the code host."""

    codehost: CodeHost
    repo: str
    ref: str

    def list_files(self, prefix: str = "") -> list[str]:
        return [path for path in self.codehost.list_files(self.repo, self.ref) if path.startswith(prefix)]

    def read_text(self, path: str) -> str | None:
        return self.codehost.read_file(self.repo, self.ref, path)


def onboard_repository(codehost: CodeHost, repo: str) -> PullRequestInfo | None:
    """Open the onboarding pull request, unless the workflow is there already; asking twice opens one PR.

    Besides the workflow it adds what `olympus init` writes: `.olympus.yaml` saying where state lives and a
    backend.hcl beside each env's partial backend block, with placeholders to replace before merging; and the issue
    form for requests in plain words, unless the repository has a form of that name.
    """
    base = codehost.default_branch(repo)
    if codehost.read_file(repo, base, WORKFLOW_PATH) is not None:
        return None
    changes = [FileChange(WORKFLOW_PATH, workflow_text())]
    if codehost.read_file(repo, base, ISSUE_FORM_PATH) is None:  # a form of the team's own is theirs
        changes.append(FileChange(ISSUE_FORM_PATH, issue_form_text()))
    try:
        changes += init_files(_HostTree(codehost, repo, base), PLACEHOLDER_BACKEND).files
    except UserError:
        pass  # a broken .olympus.yaml or one naming another backend: the team's own, left as it is
    return codehost.open_change(
        repo,
        base,
        ONBOARDING_BRANCH,
        changes,
        "Add the Olympus workflow and say where Terraform state lives",
        title=TITLE,
        body=BODY.format(
            repo=repo,
            bucket=PLACEHOLDER_BACKEND.bucket,
            region=PLACEHOLDER_BACKEND.region,
            issue_form=ISSUE_FORM_PATH,
            label=REQUEST_LABEL,
        ),
    )
