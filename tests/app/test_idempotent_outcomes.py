"""A job runs at least once: run again (its worker killed after it acted), it finds what the first run did."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from app_driver import REPO, App, post

from bot.services.github_events import handle_job
from bot.services.pull_requests import CHECK_PREFIX, CHECKS_RUN, plan_pull_request
from bot.services.replies import ReplyTo


def test_a_command_handled_twice_is_answered_once(fixtures_dir: Path, fake_github: Any, tmp_path: Path) -> None:
    fake = fake_github
    repo = fake.add_repo(REPO, files={"README.md": "# infra\n"})
    fake.set_permission(REPO, "bob", "write")
    app = App(fixtures_dir, fake, None, tmp_path)  # type: ignore[arg-type]
    issue = fake.create_issue(REPO, "help?", "", "bob")
    comment_id = fake.add_issue_comment(REPO, issue, "/infra status", "bob")
    payload = app.payload("issue_comment/created.with-installation.payload.json", "bob")
    payload["issue"].update(number=issue)
    payload["issue"].pop("pull_request", None)
    payload["comment"].update(id=comment_id, body="/infra status")
    payload["comment"]["user"]["login"] = "bob"
    post(app.client, "issue_comment", payload)
    job = app.queue.claim("worker-1", timedelta(minutes=1))
    handle_job(app.ctx, job)  # the reply is posted, then the worker dies before the job is marked done
    handle_job(app.ctx, job)  # another worker takes the job over after its lease
    replies = [c for c in repo.comments(issue) if c.user == fake.bot_login]
    assert len(replies) == 1 and replies[0].body.endswith(
        "work in a pull request's comments; on an issue, ask for a change with `/infra create ...`."
    )
    assert [r.content for r in repo.issue_comments[comment_id].reactions] == ["eyes"]


def test_a_plan_of_a_closed_pull_request_releases_its_locks_and_settles_its_checks(
    fixtures_dir: Path, fake_github: Any, tmp_path: Path
) -> None:
    fake = fake_github
    repo = fake.add_repo(REPO, files={"README.md": "# infra\n"})
    number = fake.open_pull_request(
        REPO, head="stack", base="main", title="stack", author="bob", files={"stack/main.tf": "# stack\n"}
    )
    app = App(fixtures_dir, fake, None, tmp_path)  # type: ignore[arg-type]
    host = app.ctx.codehost_for(fake.installation_id)
    loop = app.ctx.loop_for(REPO, "bob")
    change = f"{REPO}#{number}"
    head = repo.pulls[number].head_sha
    # A plan of the PR was killed after it took the lock and opened its check run, while the PR was being closed.
    loop.store.acquire_lock(REPO, "stack", "default", change)
    loop.store.start_run(change, CHECKS_RUN, "bob", head)
    check_run = host.create_check_run(REPO, head, CHECK_PREFIX + "stack", external_id="delivery-1")
    repo.issues[number].state = "closed"

    reply = ReplyTo(host, REPO, number, "reply/comment-1")
    assert plan_pull_request(loop, host, REPO, number, explicit=True, reply=reply) is None
    assert loop.store.locks() == []
    [run] = repo.check_runs
    assert (run.id, run.status, run.conclusion) == (check_run, "completed", "cancelled")
    [said] = [c.body for c in repo.comments(number) if c.user == fake.bot_login]
    assert said.endswith(f"#{number} is closed, so there is nothing to plan.")
    assert [r.result for r in loop.store.runs_for(change) if r.command == CHECKS_RUN] == ["interrupted"]
