"""A pull request's patches and a review with line suggestions, GitHubCodeHost against the double (OpenAPI-checked):
the double's patches are real unified hunks, and a comment off the diff is refused as GitHub refuses it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.adapters.github import GitHubApp, GitHubCodeHost, PrivateKey, Retrying, RetryPolicy
from bot.domain.fixes.suggestions import diff_lines
from bot.ports import CodeHostError, ReviewComment

REPO = "acme/infra"
BEFORE = "".join(f"line {n}\n" for n in range(1, 21))
AFTER = BEFORE.replace("line 10\n", "line ten\nline ten and a half\n")


@pytest.fixture
def host(fake_github: Any) -> GitHubCodeHost:
    fake_github.add_repo(REPO, files={"README.md": "# infra\n", "stacks/app/main.tf": BEFORE})
    retrying = Retrying(RetryPolicy(max_attempts=3), sleep=lambda seconds: None, jitter=lambda: 1.0)
    app = GitHubApp(
        fake_github.app_id, PrivateKey(fake_github.private_key_pem), fake_github.base_url, retrying=retrying, timeout=2
    )
    return app.codehost(fake_github.installation_id)


def pull(fake_github: Any) -> int:
    files = {"stacks/app/main.tf": AFTER, "stacks/app/new.tf": "a\nb\n"}
    return int(fake_github.open_pull_request(REPO, head="f", base="main", title="t", author="bob", files=files))


def test_patches_are_githubs_hunks(host: GitHubCodeHost, fake_github: Any) -> None:
    patches = host.pull_request_patches(REPO, pull(fake_github))
    assert patches["stacks/app/new.tf"] == "@@ -0,0 +1,2 @@\n+a\n+b"
    main = patches["stacks/app/main.tf"]
    assert main.startswith("@@ -7,7 +7,8 @@\n line 7\n") and "-line 10\n+line ten\n+line ten and a half\n" in main
    assert diff_lines(main) == set(range(7, 15))  # three lines of context either side, on the head's side
    assert fake_github.violations == []


def test_a_review_with_line_and_multi_line_suggestions(host: GitHubCodeHost, fake_github: Any) -> None:
    number = pull(fake_github)
    head = host.pull_request(REPO, number).head_sha
    comments = [
        ReviewComment("stacks/app/main.tf", 11, "```suggestion\nline 10\n```\n", start_line=10),
        ReviewComment("stacks/app/new.tf", 1, "one line"),
    ]
    review = host.create_review(REPO, number, head, "Olympus's fix", comments)
    [sent] = [r.json for r in fake_github.requests if r.method == "POST" and r.path.endswith("/reviews")]
    assert sent["event"] == "COMMENT" and sent["commit_id"] == head
    assert sent["comments"][0] == {
        "path": "stacks/app/main.tf", "body": "```suggestion\nline 10\n```\n", "line": 11, "side": "RIGHT",
        "start_line": 10, "start_side": "RIGHT",
    }  # fmt: skip
    assert "start_line" not in sent["comments"][1]
    repo = fake_github.repo(REPO)
    [stored] = repo.reviews[number]
    assert stored.id == review and stored.state == "COMMENTED" and stored.body == "Olympus's fix"
    assert [(c.path, c.start_line, c.line) for c in repo.review_comments] == [
        ("stacks/app/main.tf", 10, 11),
        ("stacks/app/new.tf", None, 1),
    ]
    # Asked again (a retried job), the review already there is found, not made twice.
    assert host.create_review(REPO, number, head, "Olympus's fix", comments) == review
    assert len(repo.reviews[number]) == 1
    listed = host.api("list review comments", "GET", f"{fake_github.base_url}/repos/{REPO}/pulls/{number}/comments")
    assert [(c["path"], c["line"], c["side"]) for c in listed] == [
        ("stacks/app/main.tf", 11, "RIGHT"),
        ("stacks/app/new.tf", 1, "RIGHT"),
    ]
    assert fake_github.violations == []


@pytest.mark.parametrize(
    ("comment", "why"),
    [
        (ReviewComment("stacks/app/main.tf", 3, "off the diff"), "must be part of the diff"),
        (ReviewComment("stacks/app/main.tf", 8, "half off", start_line=2), "must be part of the diff"),
        (ReviewComment("README.md", 1, "a file the pull request did not change"), "Path could not be resolved"),
    ],
)
def test_a_comment_off_the_diff_is_refused(
    host: GitHubCodeHost, fake_github: Any, comment: ReviewComment, why: str
) -> None:
    number = pull(fake_github)
    head = host.pull_request(REPO, number).head_sha
    with pytest.raises(CodeHostError, match=why):
        host.create_review(REPO, number, head, "Olympus's fix", [comment])
    assert not fake_github.repo(REPO).reviews.get(number)
