"""GitHub writes that a retry or a second run of a job must not double: check runs, sticky replies, composite calls."""

from __future__ import annotations

import time
from typing import Any

import pytest
from github.GithubException import GithubException

from bot.adapters.github import GitHubApp, GitHubCodeHost, PrivateKey, Retrying, RetryPolicy
from bot.domain.models import FileChange
from bot.domain.render import render_reply

REPO = "acme/infra"


@pytest.fixture
def host(fake_github: Any) -> GitHubCodeHost:
    fake_github.add_repo(REPO, files={"README.md": "# infra\n"})
    retrying = Retrying(RetryPolicy(max_attempts=3), sleep=lambda seconds: None, jitter=lambda: 1.0)
    app = GitHubApp(
        fake_github.app_id, PrivateKey(fake_github.private_key_pem), fake_github.base_url, retrying=retrying, timeout=2
    )
    return app.codehost(fake_github.installation_id)


def requests_to(fake: Any, method: str, suffix: str) -> int:
    return sum(1 for r in fake.requests if r.method == method and r.path.endswith(suffix))


def test_a_check_run_for_the_same_request_is_made_once(host: GitHubCodeHost, fake_github: Any) -> None:
    head = fake_github.repo(REPO).ref_sha("main")
    first = host.create_check_run(REPO, head, "olympus/plan: a", external_id="delivery-1")
    again = host.create_check_run(REPO, head, "olympus/plan: a", external_id="delivery-1")
    other = host.create_check_run(REPO, head, "olympus/plan: a", external_id="delivery-2")
    assert first == again != other
    assert [r.external_id for r in fake_github.repo(REPO).check_runs] == ["delivery-1", "delivery-2"]


def test_a_check_run_whose_post_lands_after_the_client_gave_up_is_not_made_again(fake_github: Any) -> None:
    # GitHub carries the POST out 1.5 s after it came, the client stops waiting at 1 s: the retry must find that run.
    fake_github.add_repo(REPO, files={"README.md": "# infra\n"})
    retrying = Retrying(RetryPolicy(max_attempts=3, base_delay=0.1), jitter=lambda: 1.0)
    app = GitHubApp(
        fake_github.app_id, PrivateKey(fake_github.private_key_pem), fake_github.base_url, retrying=retrying, timeout=1
    )
    host = app.codehost(fake_github.installation_id)
    head = fake_github.repo(REPO).ref_sha("main")
    fake_github.delay_next("POST", r"/check-runs$", 1.5)
    made = host.create_check_run(REPO, head, "olympus/plan: a", external_id="delivery-1")
    time.sleep(1.0)  # past the moment the first POST lands, had the client returned before it
    assert [r.id for r in fake_github.repo(REPO).check_runs] == [made]


def test_unfinished_check_runs_are_the_apps_own_in_progress_ones(host: GitHubCodeHost, fake_github: Any) -> None:
    head = fake_github.repo(REPO).ref_sha("main")
    running = host.create_check_run(REPO, head, "olympus/plan: a", external_id="d1")
    done = host.create_check_run(REPO, head, "olympus/plan: b", external_id="d2", conclusion="success")
    host.create_check_run(REPO, head, "lint", external_id="d3")
    assert host.unfinished_check_runs(REPO, head, "olympus/plan: ") == [running]
    assert done not in host.unfinished_check_runs(REPO, head, "")


def test_a_reply_written_twice_is_one_comment(host: GitHubCodeHost, fake_github: Any) -> None:
    number = fake_github.create_issue(REPO, "question", "", "bob")
    for _ in range(2):  # the second time: a job run again after its worker was killed
        host.upsert_comment(REPO, number, "reply/comment-7", render_reply("reply/comment-7", "Here is the help."))
    [reply] = fake_github.repo(REPO).comments(number)
    assert reply.body.endswith("\nHere is the help.")


def test_two_writers_that_both_found_no_reply_leave_one(
    host: GitHubCodeHost, fake_github: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = fake_github.create_issue(REPO, "question", "", "bob")
    parts = render_reply("reply/comment-9", "Released 1 lock(s).")
    create = host._create_comment

    def another_writer_first(repo: str, issue_number: int, body: str) -> int:
        # The other writer listed the comments too, found none, and created its copy just before this one.
        fake_github.add_issue_comment(REPO, number, body, fake_github.bot_login)
        return create(repo, issue_number, body)

    monkeypatch.setattr(host, "_create_comment", another_writer_first)
    [kept] = host.upsert_comment(REPO, number, "reply/comment-9", parts)
    [survivor] = fake_github.repo(REPO).comments(number)
    assert survivor.id == kept and survivor.body == parts[0]


def test_a_failed_request_inside_a_commit_is_retried_alone(host: GitHubCodeHost, fake_github: Any) -> None:
    fake_github.fail_next("POST", r"/git/trees$", 502)
    fake_github.fail_next("GET", r"/git/commits/", 503)
    host.commit_files(REPO, "main", "change", [FileChange("a.tf", "# a\n")], "add a")
    assert fake_github.repo(REPO).files_at("change")["a.tf"] == "# a\n"
    # Only the failed requests were sent again, not the whole commit from its first read.
    assert requests_to(fake_github, "POST", "/git/blobs") == 1
    assert requests_to(fake_github, "POST", "/git/trees") == 2


def test_a_final_answer_reaches_the_caller_unchanged() -> None:
    retrying = Retrying(RetryPolicy(max_attempts=3), sleep=lambda seconds: None)
    calls = []

    def missing() -> None:
        calls.append(1)
        raise GithubException(404, {"message": "Not Found"}, {})

    with pytest.raises(GithubException) as raised:
        retrying.request("GET /repos/acme/infra/git/ref/heads/x", missing)
    assert raised.value.status == 404 and len(calls) == 1
