"""Which repository a record belongs to, and who may see and unlock what on the dashboard."""

from __future__ import annotations

import pytest

from bot.domain.dashboard_access import Reader, level_of
from bot.domain.record_repos import repo_of_params, repo_of_text


@pytest.mark.parametrize(
    ("text", "repo"),
    [
        ("acme/infra#12", "acme/infra"),
        ("acme/infra.live#3", "acme/infra.live"),
        ("infra/add-bucket", None),  # a local change: a branch name
        ("infra-repo", None),  # a local place: the repository's folder
        ("not a repo#1", None),
        ("a/b/c#1", None),
        (None, None),
        (12, None),
    ],
)
def test_the_repo_of_a_change_or_place(text: object, repo: str | None) -> None:
    assert repo_of_text(text) == repo


def test_params_name_the_repo_outright_or_through_their_change() -> None:
    assert repo_of_params({"repo": "acme/infra", "issue": 4}) == "acme/infra"
    assert repo_of_params({"change": "acme/infra#4", "why": "closed"}) == "acme/infra"
    assert repo_of_params({"place": "acme/other#9"}) == "acme/other"
    assert repo_of_params({"repo": "not a name", "change_id": "acme/infra#1"}) == "acme/infra"
    assert repo_of_params({"branch": "infra/x", "commit": "abc"}) is None


def test_github_permissions_become_roles() -> None:
    assert level_of({"admin": True, "maintain": True, "push": True, "pull": True}) == "admin"
    assert level_of({"admin": False, "maintain": True, "push": True, "pull": True}) == "maintain"
    assert level_of({"admin": False, "push": True, "pull": True}) == "write"
    assert level_of({"admin": False, "push": False, "triage": True, "pull": True}) == "triage"
    assert level_of({"admin": False, "push": False, "pull": True}) == "read"
    assert level_of({}) == "none"


def test_only_maintainers_and_admins_of_a_repository_may_unlock_its_locks() -> None:
    reader = Reader("ann", {"acme/a": "maintain", "acme/b": "write", "acme/c": "admin", "acme/d": "read"}, "csrf")
    assert [repo for repo in ("acme/a", "acme/b", "acme/c", "acme/d", "acme/e") if reader.may_unlock(repo)] == [
        "acme/a",
        "acme/c",
    ]
    assert reader.repos == {"acme/a", "acme/b", "acme/c", "acme/d"}
    local = Reader()
    assert local.repos is None and not local.may_unlock("acme/a")  # the local dashboard only reads
    assert "csrf" not in repr(reader)
