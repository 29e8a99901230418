"""A pull request at its head commit as a Checkout: its files materialized from the REST API into a work dir."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.github.repo_reader import GitHubRepoReader
from bot.domain.drift.fixes import restored_projects
from bot.ports import CodeHost, PullRequestInfo
from bot.services.checkout import Checkout

_COMPLETE = ".olympus-complete"


def change_id_of(repo: str, number: int) -> str:
    """A pull request's name in locks, plans and records; GitHub links `owner/repo#N` in comments by itself."""
    return f"{repo}#{number}"


def pull_request_checkout(
    codehost: CodeHost, repo: str, pr: PullRequestInfo, state_dir: Path, requesters: tuple[str, ...]
) -> Checkout:
    """The PR's head commit, written once into state_dir/checkouts/pr-N/<sha>/ where Terraform will run."""
    reader = GitHubRepoReader(codehost, repo, pr.head_sha)
    workdir = state_dir / "checkouts" / f"pr-{pr.number}" / pr.head_sha
    if not (workdir / _COMPLETE).is_file():
        materialize(reader, workdir)
    return Checkout(
        change_id=change_id_of(repo, pr.number),
        head=pr.head_sha,
        reader=reader,
        changed_files=tuple(codehost.changed_files(repo, pr.number)),
        workdir=workdir,
        requesters=requesters,
        base=pr.base_branch,
        base_reader=GitHubRepoReader(codehost, repo, pr.base_branch),
        restores=restored_projects(commit.message for commit in codehost.pull_request_commits(repo, pr.number)),
    )


def materialize(reader: GitHubRepoReader, workdir: Path) -> None:
    """Write every text file of the tree under workdir; a path that would land outside it is refused."""
    root = workdir.resolve()
    for path in reader.list_files():
        target = (root / path).resolve()
        if not target.is_relative_to(root) or target == root:
            raise ValueError(f"refusing to write {path!r} outside the checkout")
        text = reader.read_text(path)
        if text is None:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    (root / _COMPLETE).write_text(reader.ref)
