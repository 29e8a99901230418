"""Seed 001's layout, written once: the example chart and the data-apps AppProject, when a change needs them."""

from __future__ import annotations

from bot.changes.helm.example_chart import EXAMPLE_CHART_DIR, EXAMPLE_PROJECT_FILE, example_chart_files
from bot.domain.models import FileChange
from bot.ports import RepoReader

__all__ = ["PLACEHOLDER_REPO_URL", "example_chart_scaffold", "example_project_scaffold"]

# The repository the shipped AppProject names until Olympus knows the real one.
PLACEHOLDER_REPO_URL = "https://github.com/example-org/infra.git"


def example_chart_scaffold(repo: RepoReader) -> list[FileChange]:
    """The example chart's files when the repository has no helm/charts/example-data-app yet; never overwrites."""
    if repo.list_files(EXAMPLE_CHART_DIR + "/"):
        return []
    prefix = EXAMPLE_CHART_DIR + "/"
    return [FileChange(path, text) for path, text in example_chart_files().items() if path.startswith(prefix)]


def example_project_scaffold(repo: RepoReader, repo_url: str) -> list[FileChange]:
    """The data-apps AppProject when missing, its sourceRepos naming `repo_url` (the placeholder if unknown)."""
    if repo.read_text(EXAMPLE_PROJECT_FILE) is not None:
        return []
    text = example_chart_files()[EXAMPLE_PROJECT_FILE]
    if repo_url != PLACEHOLDER_REPO_URL:
        text = text.replace(f"    - {PLACEHOLDER_REPO_URL}\n", f"    - {repo_url}\n")
    return [FileChange(EXAMPLE_PROJECT_FILE, text)]
