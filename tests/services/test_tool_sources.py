"""What the MCP tools of a repository read besides its files: helm when the loop plans apps, Argo CD when set up."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.localgit import LocalGit
from bot.services.tool_sources import repository_sources
from bot.tools.filesystem_repo import FileSystemRepo
from bot.wiring import build_local_loop, repository_url


class OneApplication:
    """An ApplicationSyncer that knows one Application (its answer as GET /api/v1/applications/{name} gives it)."""

    server = "https://argocd.example"

    def application(self, name: str) -> Mapping[str, Any]:
        return {"metadata": {"name": name}, "status": {"health": {"status": "Healthy"}}}

    def sync(self, name: str, *, dry_run: bool, prune: bool, revision: str) -> Mapping[str, Any]:
        raise AssertionError("the tools never sync")

    def resource_tree(self, name: str) -> Mapping[str, Any]:
        return {"nodes": []}


@pytest.mark.parametrize(
    ("api_url", "expected"),
    [
        ("https://api.github.com", "https://github.com/octo/infra.git"),
        ("https://api.github.com/", "https://github.com/octo/infra.git"),
        ("https://ghe.example.com/api/v3", "https://ghe.example.com/octo/infra.git"),
    ],
)
def test_the_repository_url_on_github_and_on_an_enterprise_server(api_url: str, expected: str) -> None:
    assert repository_url(api_url, "octo/infra") == expected


def test_sources_render_with_the_loops_helm_and_ask_the_syncers_argo_cd(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    subprocess.run(["git", "-C", str(tmp_path), "commit", "-q", "--allow-empty", "-m", "init"], check=True)
    git = LocalGit.open(tmp_path)
    assert git.origin_url() == ""
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", "git@github.com:o/r.git"], check=True)
    assert git.origin_url() == "git@github.com:o/r.git"
    loop = build_local_loop(git, say=lambda line: None)
    reader = FileSystemRepo(git.root)
    without = repository_sources(loop, reader, {})
    assert without.app_status is None and without.repo_url == ""
    assert (without.renderer is not None) == (loop.apps is not None)
    sources = repository_sources(loop, reader, {}, syncer=OneApplication(), repo_url="https://github.com/o/r.git")
    assert sources.app_status is not None
    assert sources.app_status("api-dev")["metadata"] == {"name": "api-dev"}
    assert sources.repo_url == "https://github.com/o/r.git"
