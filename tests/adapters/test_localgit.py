"""Local git: a change is one bot commit on its own branch; the user's working tree and branches stay as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.git_tree import GitTreeReader
from bot.adapters.localgit import BOT_NAME, LocalGit, NotARepository
from bot.domain.models import ChangeSet, FileChange


def make_repo(path: Path) -> LocalGit:
    path.mkdir(parents=True, exist_ok=True)
    git = LocalGit(path)
    git.git("init", "--quiet", "--initial-branch=main")
    (path / "main.tf").write_text("# base\n")
    git.git("add", "main.tf")
    git.git("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "--quiet", "-m", "base")
    return LocalGit.open(path)


def test_commit_change_leaves_the_working_tree_alone(tmp_path: Path) -> None:
    git = make_repo(tmp_path / "repo")
    (git.root / "main.tf").write_text("# the user's unsaved work\n")
    change = ChangeSet("Create bucket", "Why: logs.", (FileChange("infra/new.tf", "# new\n"),))

    commit = git.commit_change("infra/create-bucket", "main", change, "Create bucket\n\nWhy: logs.\n")

    assert git.current_branch() == "main"
    assert (git.root / "main.tf").read_text() == "# the user's unsaved work\n"
    assert not (git.root / "infra").exists()
    assert git.commit_of("infra/create-bucket") == commit
    assert git.git("log", "-1", "--format=%an|%cn|%s", commit).strip() == f"{BOT_NAME}|{BOT_NAME}|Create bucket"
    assert git.changed_files("main", "infra/create-bucket") == ["infra/new.tf"]
    assert GitTreeReader(git, commit).read_text("infra/new.tf") == "# new\n"
    assert GitTreeReader(git, "main").read_text("infra/new.tf") is None


def test_empty_content_deletes_a_file(tmp_path: Path) -> None:
    git = make_repo(tmp_path / "repo")
    git.commit_change("infra/remove", "main", ChangeSet("Remove", "", (FileChange("main.tf", ""),)), "Remove\n")
    assert git.changed_files("main", "infra/remove") == ["main.tf"]
    assert "main.tf" not in git.files_at("infra/remove")


def test_one_commit_writes_every_kind_of_entry_as_given(tmp_path: Path) -> None:
    """Blobs are written together (one hash-object, one update-index): each file still gets exactly its text, byte
    for byte whatever the repository's end-of-line settings, and a later entry for a path wins."""
    git = make_repo(tmp_path / "repo")
    (git.root / ".gitattributes").write_text("* text=auto eol=crlf\n")
    git.git("add", ".gitattributes")
    git.git("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "--quiet", "-m", "attributes")
    git.git("config", "core.autocrlf", "true")
    files = (
        FileChange("infra/a dir/ü.tf", "héllo\r\nworld\n"),
        FileChange("infra/tab\there.tf", "tab\n"),
        FileChange("infra/twice.tf", "first\n"),
        FileChange("infra/twice.tf", "second\n"),
        FileChange("infra/added-then-removed.tf", "a\n"),
        FileChange("infra/added-then-removed.tf", ""),
        FileChange("never-there.tf", ""),
        FileChange("main.tf", ""),
        FileChange("infra/no-newline.tf", "last"),
    )

    commit = git.commit_change("infra/many", "main", ChangeSet("Many", "", files), "Many\n")

    assert git.files_at(commit) == sorted(
        [".gitattributes", "infra/a dir/ü.tf", "infra/no-newline.tf", "infra/tab\there.tf", "infra/twice.tf"]
    )
    stored = GitTreeReader(git, commit)  # reads the blobs' bytes (git.git's text mode would fold \r\n)
    assert stored.read_text("infra/a dir/ü.tf") == "héllo\r\nworld\n"
    assert stored.read_text("infra/twice.tf") == "second\n"
    assert stored.read_text("infra/no-newline.tf") == "last"
    assert stored.read_text("infra/tab\there.tf") == "tab\n"


def test_a_commit_of_no_files_keeps_the_tree(tmp_path: Path) -> None:
    git = make_repo(tmp_path / "repo")
    parent = git.commit_of("main")
    commit = git.commit_files(parent, [], "Nothing\n")
    assert git.git("rev-parse", f"{commit}^{{tree}}") == git.git("rev-parse", f"{parent}^{{tree}}")


def test_branches_and_those_merged_into_a_base(tmp_path: Path) -> None:
    git = make_repo(tmp_path / "repo")
    git.git("branch", "infra/merged")  # at main's head: nothing of its own
    git.commit_change("infra/open", "main", ChangeSet("Open", "", (FileChange("a.tf", "# a\n"),)), "Open\n")
    git.git("tag", "infra/open", "main")  # a tag of the same name does not make the branch merged
    assert git.branches() == {"main", "infra/merged", "infra/open"}
    assert git.branches(merged_into="main") == {"main", "infra/merged"}


def test_a_commit_id_is_resolved_once_and_a_name_every_time(tmp_path: Path) -> None:
    git = make_repo(tmp_path / "repo")
    first = git.commit_of("main")
    assert git.commit_of(first) == first
    moved = git.commit_change("main", "main", ChangeSet("More", "", (FileChange("b.tf", "# b\n"),)), "More\n")
    assert git.commit_of("main") == moved != first  # the name moved; its new commit is asked for
    assert git.commit_of(first) == first


def test_state_dir_is_inside_git_dir(tmp_path: Path) -> None:
    git = make_repo(tmp_path / "repo")
    assert git.state_dir == (git.root / ".git" / "olympus").resolve()


@pytest.mark.parametrize("kind", ["missing", "plain dir", "no commits"])
def test_not_a_repository_is_a_user_error(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "x"
    if kind != "missing":
        path.mkdir()
    if kind == "no commits":
        LocalGit(path).git("init", "--quiet")
    with pytest.raises(NotARepository) as raised:
        LocalGit.open(path)
    assert "hint" not in str(raised.value) and str(path.name) in str(raised.value)
