"""A restore of drift changes no file, yet plans and applies the project its commits name; the CLI has no issue."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.memory_repo import MemoryRepo

from bot.entrypoints.local_commands import run_request
from bot.errors import UserError
from bot.services.repo_projects import affected_projects_of

FILES = {
    "infra/aws/envs/dev/main.tf": 'resource "terraform_data" "a" {}\n',
    "infra/aws/envs/prod/main.tf": 'resource "terraform_data" "b" {}\n',
    "README.md": "# infra\n",
}


def test_the_named_project_is_added_to_what_the_files_touch_and_an_unknown_name_is_ignored() -> None:
    repo = MemoryRepo(FILES)
    assert affected_projects_of(repo, []) == []
    assert [p.dir for p in affected_projects_of(repo, [], ["infra/aws/envs/prod"])] == ["infra/aws/envs/prod"]
    touched = affected_projects_of(repo, ["infra/aws/envs/dev/main.tf"], ["infra/aws/envs/prod", "nope", "../x"])
    assert [p.dir for p in touched] == ["infra/aws/envs/dev", "infra/aws/envs/prod"]
    # Named and touched: planned once.
    assert len(affected_projects_of(repo, ["infra/aws/envs/dev/main.tf"], ["infra/aws/envs/dev"])) == 1


def test_the_cli_says_where_a_fix_of_drift_is_asked_for(tmp_path: Path) -> None:
    with pytest.raises(UserError) as raised:
        run_request(tmp_path, "/infra fix drift restore", sandbox=False, base=None, actor=None)
    assert raised.value.reference == "fix-drift-in-an-issue" and "drift issue" in raised.value.hint
