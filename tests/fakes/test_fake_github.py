"""The GitHub double driven through PyGithub as the App drives GitHub: auth, Git data, PRs, comments, checks, faults."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from github import Auth, Github, GithubException, GithubIntegration, InputGitTreeElement

from fakes.github import FakeGitHub

pytest_plugins = ["fakes.github.plugin"]

REPO = "acme/infra"
# PyGithub spaces requests out (0.25 s, and 1 s between writes) to be kind to github.com; not needed on loopback.
NO_PACING: dict[str, Any] = {"seconds_between_requests": 0, "seconds_between_writes": 0}


def installation_client(fake: FakeGitHub, base_url: str | None = None, **kwargs: object) -> Github:
    integration = GithubIntegration(
        auth=Auth.AppAuth(fake.app_id, fake.private_key_pem), base_url=base_url or fake.base_url, **NO_PACING
    )
    token = integration.get_access_token(fake.installation_id).token
    options = {**NO_PACING, **kwargs}
    return Github(auth=Auth.Token(token), base_url=base_url or fake.base_url, **options)


@pytest.fixture
def gh(fake_github: FakeGitHub) -> Github:
    fake_github.add_repo(REPO, files={"README.md": "# infra\n", "envs/dev/main.tf": "terraform {}\n"})
    return installation_client(fake_github)


def test_app_jwt_gives_an_installation_token_that_opens_repo_endpoints(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    app_auth = Auth.AppAuth(fake_github.app_id, fake_github.private_key_pem)
    integration = GithubIntegration(auth=app_auth, base_url=fake_github.base_url, **NO_PACING)
    assert integration.get_app().slug == "olympus"
    installation = integration.get_repo_installation("acme", "infra")
    assert installation.id == fake_github.installation_id

    # Through an installation: PyGithub fetches a token and caches it while it is valid.
    client = Github(auth=app_auth.get_installation_auth(installation.id), base_url=fake_github.base_url, **NO_PACING)
    assert client.get_repo(REPO).default_branch == "main"
    assert client.get_repo(REPO).full_name == REPO
    assert fake_github.token_issuances == 1
    assert fake_github.requests[-1].status == 200


def test_wrong_or_missing_credentials_get_401(fake_github: FakeGitHub) -> None:
    from fakes.github.auth import generate_app_key

    fake_github.add_repo(REPO)
    other_key, _ = generate_app_key()
    forged = GithubIntegration(auth=Auth.AppAuth(fake_github.app_id, other_key), base_url=fake_github.base_url)
    with pytest.raises(GithubException) as refused:
        forged.get_access_token(fake_github.installation_id)
    assert refused.value.status == 401
    assert fake_github.token_issuances == 0

    anonymous = Github(base_url=fake_github.base_url, retry=None)
    with pytest.raises(GithubException) as unauthenticated:
        anonymous.get_repo(REPO)
    assert unauthenticated.value.status == 401


def test_installation_tokens_expire_after_an_hour(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    client = installation_client(fake_github, retry=None)
    client.get_repo(REPO)
    fake_github.advance_clock(3601)
    with pytest.raises(GithubException) as expired:
        client.get_repo(REPO)
    assert expired.value.status == 401
    assert expired.value.data["message"] == "Bad credentials"


def test_enterprise_server_base_url_works_too(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    client = installation_client(fake_github, base_url=fake_github.ghes_url)
    repo = client.get_repo(REPO)
    assert repo.url.startswith(fake_github.ghes_url)
    assert repo.get_contents("README.md").decoded_content == b"# infra\n"  # type: ignore[union-attr]


def test_git_data_api_makes_a_branch_with_one_commit(fake_github: FakeGitHub, gh: Github) -> None:
    repo = gh.get_repo(REPO)
    base = repo.get_git_ref("heads/main")
    base_commit = repo.get_git_commit(base.object.sha)
    blob = repo.create_git_blob('resource "aws_s3_bucket" "logs" {}\n', "utf-8")
    tree = repo.create_git_tree(
        [InputGitTreeElement("envs/dev/bucket.tf", "100644", "blob", sha=blob.sha)], base_tree=base_commit.tree
    )
    commit = repo.create_git_commit("Create bucket logs", tree, [base_commit])
    ref = repo.create_git_ref("refs/heads/infra/create-bucket-logs", commit.sha)

    assert ref.object.sha == commit.sha
    fake_repo = fake_github.repo(REPO)
    assert fake_repo.ref_sha("infra/create-bucket-logs") == commit.sha
    assert fake_repo.files_at("infra/create-bucket-logs") == {
        "README.md": "# infra\n",
        "envs/dev/main.tf": "terraform {}\n",
        "envs/dev/bucket.tf": 'resource "aws_s3_bucket" "logs" {}\n',
    }
    assert repo.get_git_ref("heads/infra/create-bucket-logs").object.sha == commit.sha
    content = repo.get_contents("envs/dev/bucket.tf", ref="infra/create-bucket-logs")
    assert content.decoded_content.startswith(b'resource "aws_s3_bucket"')  # type: ignore[union-attr]
    assert {c.path for c in repo.get_contents("envs/dev", ref=commit.sha)} == {  # type: ignore[union-attr]
        "envs/dev/main.tf",
        "envs/dev/bucket.tf",
    }
    assert repo.get_git_tree(commit.sha, recursive=True).tree

    # Creating the same ref twice is refused, and moving a ref backwards needs force.
    with pytest.raises(GithubException) as exists:
        repo.create_git_ref("refs/heads/infra/create-bucket-logs", commit.sha)
    assert exists.value.status == 422
    with pytest.raises(GithubException) as backwards:
        ref.edit(base.object.sha)
    assert backwards.value.status == 422
    ref.edit(base.object.sha, force=True)
    assert fake_repo.ref_sha("infra/create-bucket-logs") == base.object.sha
    ref.delete()
    assert fake_repo.ref_sha("infra/create-bucket-logs") is None
    with pytest.raises(GithubException) as missing:
        repo.get_contents("nope.tf")
    assert missing.value.status == 404


def test_pull_requests_open_list_label_and_merge(fake_github: FakeGitHub, gh: Github) -> None:
    head_sha = fake_github.push(REPO, "infra/bucket", {"envs/dev/bucket.tf": "# bucket\n"})
    repo = gh.get_repo(REPO)
    pull = repo.create_pull(base="main", head="infra/bucket", title="Create bucket", body="Closes #1", draft=False)
    pull.add_to_labels("olympus", "infra")

    assert pull.head.sha == head_sha
    assert pull.user.login == fake_github.bot_login
    assert [p.number for p in repo.get_pulls(state="open", head="acme:infra/bucket")] == [pull.number]
    assert list(repo.get_pulls(head="acme:other")) == []
    assert [f.filename for f in pull.get_files()] == ["envs/dev/bucket.tf"]
    assert {label.name for label in repo.get_issue(pull.number).labels} == {"olympus", "infra"}
    with pytest.raises(GithubException) as duplicate:
        repo.create_pull(base="main", head="infra/bucket", title="again")
    assert duplicate.value.status == 422

    pull.edit(title="Create bucket logs")
    assert repo.get_pull(pull.number).title == "Create bucket logs"
    result = pull.merge()
    assert result.merged
    fake_repo = fake_github.repo(REPO)
    assert fake_repo.pulls[pull.number].merged
    assert fake_repo.files_at("main")["envs/dev/bucket.tf"] == "# bucket\n"
    assert repo.get_pull(pull.number).state == "closed"


def test_a_human_pull_request_follows_pushes_and_forks_stay_forks(fake_github: FakeGitHub, gh: Github) -> None:
    number = fake_github.open_pull_request(
        REPO, head="feature", base="main", title="Tweak", author="carol", files={"envs/dev/main.tf": "# v1\n"}
    )
    repo = gh.get_repo(REPO)
    first = repo.get_pull(number).head.sha
    second = fake_github.push(REPO, "feature", {"envs/dev/main.tf": "# v2\n"}, author="carol")
    pull = repo.get_pull(number)
    assert pull.head.sha == second != first
    assert pull.user.login == "carol"
    assert not pull.head.repo.fork

    forked = fake_github.open_pull_request(
        REPO, head="patch-1", base="main", title="From a fork", author="mallory", files={"x.tf": "x\n"}, fork=True
    )
    fork_pull = repo.get_pull(forked)
    assert fork_pull.head.repo.fork
    assert fork_pull.head.repo.full_name == "mallory/infra"
    assert fake_github.repo(REPO).files_at(fork_pull.head.sha)["x.tf"] == "x\n"


def test_comments_edits_deletes_and_reactions(fake_github: FakeGitHub, gh: Github) -> None:
    number = fake_github.create_issue(REPO, "Need a bucket", "please", author="bob")
    human = fake_github.add_issue_comment(REPO, number, "/infra create bucket logs-archive", author="bob")
    issue = gh.get_repo(REPO).get_issue(number)

    issue.get_comment(human).create_reaction("eyes")
    issue.get_comment(human).create_reaction("eyes")  # GitHub answers 200 with the same reaction
    reply = issue.create_comment("<!-- olympus:plan -->\nplanning…")
    reply.edit("<!-- olympus:plan -->\ndone")
    issue.create_reaction("+1")

    fake_repo = fake_github.repo(REPO)
    comments = fake_repo.comments(number)
    assert [(c.user, c.body) for c in comments] == [
        ("bob", "/infra create bucket logs-archive"),
        (fake_github.bot_login, "<!-- olympus:plan -->\ndone"),
    ]
    assert [(r.user, r.content) for r in comments[0].reactions] == [(fake_github.bot_login, "eyes")]
    assert [r.content for r in fake_repo.issues[number].reactions] == ["+1"]
    assert [c.body for c in issue.get_comments()][1].endswith("done")
    assert [r.content for r in issue.get_comment(human).get_reactions()] == ["eyes"]
    assert issue.get_comment(human).user.login == "bob"

    reply.delete()
    assert len(fake_repo.comments(number)) == 1
    with pytest.raises(GithubException) as too_long:
        issue.create_comment("x" * 65537)
    assert too_long.value.status == 422


def test_comment_lists_are_paginated_like_github(fake_github: FakeGitHub, gh: Github) -> None:
    number = fake_github.create_issue(REPO, "chatty", "", author="bob")
    for index in range(35):
        fake_github.add_issue_comment(REPO, number, f"comment {index}", author="bob")
    bodies = [c.body for c in gh.get_repo(REPO).get_issue(number).get_comments()]
    assert bodies == [f"comment {index}" for index in range(35)]
    pages = [r for r in fake_github.requests if r.path.endswith(f"/issues/{number}/comments")]
    assert len(pages) == 2


def test_check_runs_with_annotations(fake_github: FakeGitHub, gh: Github) -> None:
    head = fake_github.push(REPO, "infra/bucket", {"envs/dev/bucket.tf": "# bucket\n"})
    repo = gh.get_repo(REPO)
    run = repo.create_check_run("olympus/plan: envs/dev", head, status="in_progress")
    assert run.conclusion is None
    finding = {
        "path": "envs/dev/bucket.tf",
        "start_line": 1,
        "end_line": 1,
        "annotation_level": "warning",
        "title": "CKV_AWS_18",
        "message": "Ensure the S3 bucket has access logging enabled",
    }
    run.edit(
        conclusion="neutral",
        output={"title": "1 to add", "summary": "Plan: 1 to add", "text": "details", "annotations": [finding]},
    )
    run.edit(output={"title": "1 to add", "summary": "Plan: 1 to add", "annotations": [dict(finding, start_line=2)]})

    fake_run = fake_github.repo(REPO).check_runs[0]
    assert (fake_run.status, fake_run.conclusion) == ("completed", "neutral")
    assert fake_run.output["summary"] == "Plan: 1 to add"
    assert [a["start_line"] for a in fake_run.annotations] == [1, 2]
    listed = list(repo.get_commit(head).get_check_runs())
    assert [r.name for r in listed] == ["olympus/plan: envs/dev"]
    assert [a.title for a in listed[0].get_annotations()] == ["CKV_AWS_18", "CKV_AWS_18"]
    assert list(repo.get_commit(head).get_check_runs(check_name="other")) == []


def test_reviews_permissions_teams_and_protection(fake_github: FakeGitHub, gh: Github) -> None:
    number = fake_github.open_pull_request(
        REPO, head="feature", base="main", title="t", author="bob", files={"a.tf": "a\n"}
    )
    head = fake_github.repo(REPO).pulls[number].head_sha
    fake_github.add_review(REPO, number, "alice", "APPROVED")
    fake_github.add_review(REPO, number, "carol", "CHANGES_REQUESTED", commit_id="0" * 40)
    fake_github.set_permission(REPO, "alice", "maintain")
    fake_github.set_permission(REPO, "bob", "write")
    fake_github.add_team_member("acme", "platform", "alice")
    fake_github.set_branch_protection(REPO, "main", required_approving_review_count=2)

    repo = gh.get_repo(REPO)
    reviews = list(repo.get_pull(number).get_reviews())
    assert [(r.user.login, r.state, r.commit_id) for r in reviews] == [
        ("alice", "APPROVED", head),
        ("carol", "CHANGES_REQUESTED", "0" * 40),
    ]
    assert repo.get_collaborator_permission("bob") == "write"
    assert repo.get_collaborator_role_name("alice") == "maintain"
    assert repo.get_collaborator_permission("acme") == "admin"
    assert repo.get_collaborator_permission("stranger") == "read"
    status, _, body = gh.requester.requestJson("GET", "/orgs/acme/teams/platform/memberships/alice")
    assert status == 200 and '"active"' in body
    status, _, _ = gh.requester.requestJson("GET", "/orgs/acme/teams/platform/memberships/bob")
    assert status == 404
    main = repo.get_branch("main")
    assert main.protected
    assert main.get_protection().required_pull_request_reviews.required_approving_review_count == 2
    with pytest.raises(GithubException) as unprotected:
        repo.get_branch("feature").get_protection()
    assert unprotected.value.status == 404


def test_injected_faults_and_rate_limit_headers(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    client = installation_client(fake_github, retry=None)
    status, headers, _ = client.requester.requestJson("GET", f"/repos/{REPO}")
    assert status == 200
    assert headers["x-ratelimit-limit"] == "5000"
    assert int(headers["x-ratelimit-remaining"]) < 5000

    fake_github.fail_next("GET", r"^/repos/acme/infra$", 502)
    with pytest.raises(GithubException) as bad_gateway:
        client.get_repo(REPO)
    assert bad_gateway.value.status == 502
    assert client.get_repo(REPO).name == "infra"  # only the next one fails

    fake_github.fail_next("*", r"/repos/", 403, headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1"})
    status, headers, _ = client.requester.requestJson("GET", f"/repos/{REPO}")
    assert (status, headers["x-ratelimit-remaining"], headers["x-ratelimit-reset"]) == (403, "0", "1")

    fake_github.fail_next("GET", r"/repos/", 429, headers={"Retry-After": "0"}, times=2, body={"message": "slow down"})
    statuses = [client.requester.requestJson("GET", f"/repos/{REPO}")[0] for _ in range(3)]
    assert statuses == [429, 429, 200]


def test_pygithub_retries_through_transient_faults(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    client = installation_client(fake_github)  # PyGithub's default GithubRetry
    fake_github.fail_next("GET", r"^/repos/acme/infra$", 429, headers={"Retry-After": "0"})
    assert client.get_repo(REPO).name == "infra"
    assert [r.status for r in fake_github.requests if r.path == f"/repos/{REPO}"] == [429, 200]


def test_delays_make_client_timeouts(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    client = installation_client(fake_github, retry=None, timeout=1)
    fake_github.delay_next("GET", r"^/repos/acme/infra$", 2.0)
    with pytest.raises(requests.exceptions.Timeout):
        client.get_repo(REPO)
    assert client.get_repo(REPO).name == "infra"


def test_requests_that_break_the_description_are_violations(fake_github: FakeGitHub, gh: Github) -> None:
    requester = gh.requester
    status, _, _ = requester.requestJson("POST", f"/repos/{REPO}/check-runs", input={"name": "no head_sha"})
    assert status == 422
    status, _, _ = requester.requestJson("GET", f"/repos/{REPO}/pulls", parameters={"state": "merged"})
    assert status == 422
    status, _, _ = requester.requestJson("GET", f"/repos/{REPO}/no-such-thing")
    assert status == 404
    status, _, _ = requester.requestJson("PUT", f"/repos/{REPO}/issues/comments/1")
    assert status == 404

    assert len(fake_github.violations) == 4
    assert "head_sha" in fake_github.violations[0]
    assert "state" in fake_github.violations[1]
    fake_github.violations.clear()  # provoked on purpose: the fixture would fail the test otherwise


def test_spec_is_loaded_once_per_session(github_openapi: object, fake_github: FakeGitHub) -> None:
    assert fake_github.spec is github_openapi
