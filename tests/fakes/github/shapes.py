"""JSON bodies in GitHub's shapes: each starts from the description's own example and overlays the fake's state."""

from __future__ import annotations

import base64
import hashlib
import zlib
from dataclasses import dataclass, replace
from typing import Any

from .openapi import GitHubOpenAPI
from .state import (
    Activity,
    Artifact,
    BranchProtection,
    CheckRun,
    Comment,
    FakeRepo,
    Issue,
    Label,
    PullRequest,
    Reaction,
    Review,
    ReviewComment,
    WorkflowRun,
)

API_HOST = "https://api.github.com"
WEB_HOST = "https://github.com"
DOCS_URL = "https://docs.github.com/rest"


@dataclass(frozen=True)
class Site:
    """Where the fake is reached: `api` is the REST root (with `/api/v3` for GHES-style clients), `web` the host."""

    spec: GitHubOpenAPI
    api: str
    web: str
    app_id: int
    app_slug: str
    installation_id: int
    user: str = ""  # the person a request's token is, for GET /user


def retarget(value: Any, site: Site) -> Any:
    """Point every github.com URL left over from an example at the fake, so PyGithub never leaves loopback."""
    if isinstance(value, str):
        if value.startswith(API_HOST):
            return site.api + value[len(API_HOST) :]
        if value.startswith(WEB_HOST):
            return site.web + value[len(WEB_HOST) :]
        return value
    if isinstance(value, dict):
        return {k: retarget(v, site) for k, v in value.items()}
    if isinstance(value, list):
        return [retarget(v, site) for v in value]
    return value


def _overlay(template: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    # Only keys the example already has: a "simple" variant of an object must not grow the full one's fields.
    for key, value in values.items():
        if key in template:
            template[key] = value
    return template


def _node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"0:{kind}{number}".encode()).decode()


def user_id(login: str) -> int:
    return zlib.crc32(login.encode()) % 90_000_000 + 1


def is_bot(login: str) -> bool:
    return login.endswith("[bot]")


def user(site: Site, login: str) -> dict[str, Any]:
    body: dict[str, Any] = site.spec.example("simple-user")
    api = f"{site.api}/users/{login}"
    for key, value in list(body.items()):
        if isinstance(value, str) and value.startswith(f"{API_HOST}/users/octocat"):
            body[key] = api + value[len(f"{API_HOST}/users/octocat") :]
    body.update(
        login=login,
        id=user_id(login),
        node_id=_node_id("User", user_id(login)),
        html_url=f"{site.web}/{login}",
        avatar_url=f"{site.web}/avatars/{login}",
        type="Bot" if is_bot(login) else "User",
    )
    return body


def public_user(site: Site, login: str) -> dict[str, Any]:
    """What GET /user answers for a person's token, in GitHub's example of a public profile, as `login`."""
    body: dict[str, Any] = site.spec.example("private-user-response-with-public-profile-information")
    body.update({key: value for key, value in user(site, login).items() if key in body})
    body["user_view_type"] = "public"  # GitHub's example leaves out the field its schema tells the two views apart by
    return body


def bot_login(site: Site) -> str:
    return f"{site.app_slug}[bot]"


def repository(site: Site, repo: FakeRepo, *, full: bool = False, owner: str | None = None) -> dict[str, Any]:
    """`full-repository` for GET /repos/{o}/{r}; otherwise the `repository` object nested in pulls and tokens."""
    owner = owner or repo.owner
    full_name = f"{owner}/{repo.name}"
    if full:
        body = site.spec.example("full-repository-default-response")
        body.pop("source", None)
        body.pop("parent", None)
        body["language"] = None  # required by the schema, missing from the example
    else:
        body = site.spec.example("pull-request")["base"]["repo"]
    old_api, old_web = f"{API_HOST}/repos/octocat/Hello-World", f"{WEB_HOST}/octocat/Hello-World"
    for key, value in list(body.items()):
        if isinstance(value, str):
            body[key] = value.replace(old_api, f"{site.api}/repos/{full_name}").replace(
                old_web, f"{site.web}/{full_name}"
            )
    return _overlay(
        body,
        {
            "id": repo.id,
            "node_id": _node_id("Repository", repo.id),
            "name": repo.name,
            "full_name": full_name,
            "owner": user(site, owner),
            "private": repo.private,
            "visibility": "private" if repo.private else "public",
            "fork": repo.fork or owner != repo.owner,
            "default_branch": repo.default_branch,
            "description": None,
            "language": None,
            "homepage": None,
            "created_at": repo.created_at,
            "updated_at": repo.created_at,
            "pushed_at": repo.created_at,
            "clone_url": f"{site.web}/{full_name}.git",
            "git_url": f"git://{site.web.split('://')[1]}/{full_name}.git",
            "ssh_url": f"git@{site.web.split('://')[1]}:{full_name}.git",
            "permissions": {"admin": False, "maintain": False, "push": True, "triage": True, "pull": True},
        },
    )


def label(site: Site, repo: FakeRepo, item: Label) -> dict[str, Any]:
    return _overlay(
        site.spec.example("label"),
        {
            "id": item.id,
            "node_id": _node_id("Label", item.id),
            "url": f"{site.api}/repos/{repo.full_name}/labels/{item.name}",
            "name": item.name,
            "description": item.description,
            "color": item.color,
            "default": False,
        },
    )


def _pull_links(site: Site, repo: FakeRepo, number: int) -> dict[str, str]:
    api = f"{site.api}/repos/{repo.full_name}"
    web = f"{site.web}/{repo.full_name}"
    return {
        "url": f"{api}/pulls/{number}",
        "html_url": f"{web}/pull/{number}",
        "diff_url": f"{web}/pull/{number}.diff",
        "patch_url": f"{web}/pull/{number}.patch",
        "issue_url": f"{api}/issues/{number}",
    }


def issue(site: Site, repo: FakeRepo, item: Issue, pull: PullRequest | None = None) -> dict[str, Any]:
    api = f"{site.api}/repos/{repo.full_name}"
    body = _overlay(
        site.spec.example("issue"),
        {
            "id": item.id,
            "node_id": _node_id("Issue", item.id),
            "url": f"{api}/issues/{item.number}",
            "repository_url": api,
            "labels_url": f"{api}/issues/{item.number}/labels{{/name}}",
            "comments_url": f"{api}/issues/{item.number}/comments",
            "events_url": f"{api}/issues/{item.number}/events",
            "html_url": f"{site.web}/{repo.full_name}/{'pull' if pull else 'issues'}/{item.number}",
            "number": item.number,
            "state": item.state,
            "state_reason": "completed" if item.state == "closed" else None,
            "title": item.title,
            "body": item.body,
            "user": user(site, item.user),
            "labels": [label(site, repo, repo.label(name)) for name in item.labels],
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "locked": False,
            "active_lock_reason": None,
            "comments": len(repo.comments(item.number)),
            "closed_at": item.closed_at,
            "created_at": item.created_at,
            "updated_at": item.updated_at,
            "closed_by": None,
            "author_association": author_association(repo, item.user),
            "pinned_comment": None,
        },
    )
    if pull is None:
        body.pop("pull_request", None)
    else:
        links = _pull_links(site, repo, item.number)
        body["pull_request"] = {
            "url": links["url"],
            "html_url": links["html_url"],
            "diff_url": links["diff_url"],
            "patch_url": links["patch_url"],
            "merged_at": pull.merged_at,
        }
    return body


def author_association(repo: FakeRepo, login: str) -> str:
    if login == repo.owner:
        return "OWNER"
    return "COLLABORATOR" if repo.permissions.get(login, "none") not in ("none", "read") else "NONE"


def pull_request(
    site: Site, repo: FakeRepo, pull: PullRequest, item: Issue, diff: dict[str, int], *, simple: bool = False
) -> dict[str, Any]:
    template = site.spec.example("pull-request-simple-items")[0] if simple else site.spec.example("pull-request")
    links = _pull_links(site, repo, pull.number)
    api = f"{site.api}/repos/{repo.full_name}"
    head_owner = pull.user if pull.fork else repo.owner

    def side(ref: str, sha: str, owner: str) -> dict[str, Any]:
        return {
            "label": f"{owner}:{ref}",
            "ref": ref,
            "sha": sha,
            "user": user(site, owner),
            "repo": repository(site, repo, owner=owner),
        }

    body = _overlay(
        template,
        {
            **links,
            "id": pull.id,
            "node_id": _node_id("PullRequest", pull.id),
            "commits_url": f"{links['url']}/commits",
            "review_comments_url": f"{links['url']}/comments",
            "review_comment_url": f"{api}/pulls/comments{{/number}}",
            "comments_url": f"{api}/issues/{pull.number}/comments",
            "statuses_url": f"{api}/statuses/{pull.head_sha}",
            "number": pull.number,
            "state": item.state,
            "locked": False,
            "title": item.title,
            "user": user(site, pull.user),
            "body": item.body,
            "labels": [label(site, repo, repo.label(name)) for name in item.labels],
            "milestone": None,
            "active_lock_reason": None,
            "created_at": item.created_at,
            "updated_at": item.updated_at,
            "closed_at": item.closed_at,
            "merged_at": pull.merged_at,
            "merge_commit_sha": pull.merge_commit_sha,
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": side(pull.head_ref, pull.head_sha, head_owner),
            "base": side(pull.base_ref, pull.base_sha, repo.owner),
            "_links": {
                "self": {"href": links["url"]},
                "html": {"href": links["html_url"]},
                "issue": {"href": links["issue_url"]},
                "comments": {"href": f"{api}/issues/{pull.number}/comments"},
                "review_comments": {"href": f"{links['url']}/comments"},
                "review_comment": {"href": f"{api}/pulls/comments{{/number}}"},
                "commits": {"href": f"{links['url']}/commits"},
                "statuses": {"href": f"{api}/statuses/{pull.head_sha}"},
            },
            "author_association": author_association(repo, pull.user),
            "auto_merge": None,
            "draft": pull.draft,
            "merged": pull.merged,
            "mergeable": None if pull.merged else True,
            "rebaseable": None if pull.merged else True,
            "mergeable_state": "unknown" if pull.merged else "clean",
            "merged_by": user(site, pull.merged_by) if pull.merged_by else None,
            "comments": len(repo.comments(pull.number)),
            "review_comments": 0,
            "maintainer_can_modify": False,
            "commits": max(1, diff.get("commits", 1)),
            "additions": diff.get("additions", 0),
            "deletions": diff.get("deletions", 0),
            "changed_files": diff.get("changed_files", 0),
        },
    )
    return body


def comment(site: Site, repo: FakeRepo, item: Comment) -> dict[str, Any]:
    api = f"{site.api}/repos/{repo.full_name}"
    kind = "pull" if item.issue_number in repo.pulls else "issues"
    return _overlay(
        site.spec.example("issue-comment"),
        {
            "id": item.id,
            "node_id": _node_id("IssueComment", item.id),
            "url": f"{api}/issues/comments/{item.id}",
            "html_url": f"{site.web}/{repo.full_name}/{kind}/{item.issue_number}#issuecomment-{item.id}",
            "body": item.body,
            "user": user(site, item.user),
            "created_at": item.created_at,
            "updated_at": item.updated_at,
            "issue_url": f"{api}/issues/{item.issue_number}",
            "author_association": author_association(repo, item.user),
            "pin": None,
            "minimized": None,
        },
    )


def reaction(site: Site, item: Reaction) -> dict[str, Any]:
    return _overlay(
        site.spec.example("reaction"),
        {
            "id": item.id,
            "node_id": _node_id("Reaction", item.id),
            "user": user(site, item.user),
            "content": item.content,
            "created_at": item.created_at,
        },
    )


def review(site: Site, repo: FakeRepo, number: int, item: Review) -> dict[str, Any]:
    pull_url = f"{site.api}/repos/{repo.full_name}/pulls/{number}"
    html = f"{site.web}/{repo.full_name}/pull/{number}#pullrequestreview-{item.id}"
    return _overlay(
        site.spec.example("pull-request-review-items")[0],
        {
            "id": item.id,
            "node_id": _node_id("PullRequestReview", item.id),
            "user": user(site, item.user),
            "body": item.body,
            "state": item.state,
            "html_url": html,
            "pull_request_url": pull_url,
            "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
            "submitted_at": item.submitted_at,
            "commit_id": item.commit_id,
            "author_association": author_association(repo, item.user),
        },
    )


def review_comment(site: Site, repo: FakeRepo, item: ReviewComment) -> dict[str, Any]:
    pull_url = f"{site.api}/repos/{repo.full_name}/pulls/{item.pull_number}"
    url = f"{site.api}/repos/{repo.full_name}/pulls/comments/{item.id}"
    html = f"{site.web}/{repo.full_name}/pull/{item.pull_number}#discussion_r{item.id}"
    body = _overlay(
        site.spec.example("pull-request-review-comment-items")[0],
        {
            "url": url,
            "pull_request_review_id": item.review_id,
            "id": item.id,
            "node_id": _node_id("PullRequestReviewComment", item.id),
            "diff_hunk": item.diff_hunk,
            "path": item.path,
            "commit_id": item.commit_id,
            "original_commit_id": item.commit_id,
            "user": user(site, item.user),
            "body": item.body,
            "created_at": item.created_at,
            "updated_at": item.created_at,
            "html_url": html,
            "pull_request_url": pull_url,
            "author_association": author_association(repo, item.user),
            "_links": {"self": {"href": url}, "html": {"href": html}, "pull_request": {"href": pull_url}},
            "start_line": item.start_line,
            "original_start_line": item.start_line,
            "start_side": "RIGHT" if item.start_line is not None else None,
            "line": item.line,
            "original_line": item.line,
            "side": "RIGHT",
        },
    )
    body.pop("in_reply_to_id", None)
    body["position"] = body["original_position"] = item.line
    return body


def integration(site: Site, owner: str) -> dict[str, Any]:
    return _overlay(
        site.spec.example("integration"),
        {
            "id": site.app_id,
            "slug": site.app_slug,
            "node_id": _node_id("Integration", site.app_id),
            "owner": user(site, owner),
            "name": site.app_slug.title(),
            "html_url": f"{site.web}/apps/{site.app_slug}",
            "permissions": {
                "checks": "write",
                "contents": "write",
                "issues": "write",
                "metadata": "read",
                "members": "read",
                "pull_requests": "write",
            },
            "events": ["issue_comment", "issues", "pull_request", "pull_request_review", "check_run"],
        },
    )


def installation(site: Site, account: str) -> dict[str, Any]:
    api_root = f"{site.api}/app/installations/{site.installation_id}"
    return _overlay(
        site.spec.example("installation"),
        {
            "id": site.installation_id,
            "account": user(site, account),
            "access_tokens_url": f"{api_root}/access_tokens",
            "repositories_url": f"{site.api}/installation/repositories",
            "app_id": site.app_id,
            "app_slug": site.app_slug,
            "target_id": user_id(account),
            "target_type": "User",
            "permissions": integration(site, account)["permissions"],
        },
    )


def installation_token(site: Site, token: str, expires_at: str) -> dict[str, Any]:
    body = site.spec.example("installation-token")
    body.pop("repositories", None)
    return _overlay(
        body,
        {
            "token": token,
            "expires_at": expires_at,
            "permissions": integration(site, "x")["permissions"],
            "repository_selection": "all",
        },
    )


def check_run(site: Site, repo: FakeRepo, run: CheckRun, pulls: list[PullRequest]) -> dict[str, Any]:
    api = f"{site.api}/repos/{repo.full_name}"
    body = site.spec.example("check-run-example-of-completed-conclusion")
    suite = body.get("check_suite")
    if isinstance(suite, dict):
        suite["id"] = run.id
    return _overlay(
        body,
        {
            "id": run.id,
            "head_sha": run.head_sha,
            "node_id": _node_id("CheckRun", run.id),
            "external_id": run.external_id,
            "url": f"{api}/check-runs/{run.id}",
            "html_url": f"{site.web}/{repo.full_name}/runs/{run.id}",
            "details_url": run.details_url,
            "status": run.status,
            "conclusion": run.conclusion,
            "started_at": run.started_at,
            "completed_at": run.completed_at,
            "output": {
                "title": run.output.get("title"),
                "summary": run.output.get("summary"),
                "text": run.output.get("text"),
                "annotations_count": len(run.annotations),
                "annotations_url": f"{api}/check-runs/{run.id}/annotations",
            },
            "name": run.name,
            "app": integration(replace(site, app_slug=run.app_slug or site.app_slug), repo.owner),
            "pull_requests": [_pull_minimal(site, repo, pull) for pull in pulls],
        },
    )


def _mini_repo(site: Site, repo: FakeRepo) -> dict[str, Any]:
    return {"id": repo.id, "url": f"{site.api}/repos/{repo.full_name}", "name": repo.name}


def _pull_minimal(site: Site, repo: FakeRepo, pull: PullRequest) -> dict[str, Any]:
    return {
        "url": f"{site.api}/repos/{repo.full_name}/pulls/{pull.number}",
        "id": pull.id,
        "number": pull.number,
        "head": {"ref": pull.head_ref, "sha": pull.head_sha, "repo": _mini_repo(site, repo)},
        "base": {"ref": pull.base_ref, "sha": pull.base_sha, "repo": _mini_repo(site, repo)},
    }


def workflow_run(site: Site, repo: FakeRepo, run: WorkflowRun) -> dict[str, Any]:
    api = f"{site.api}/repos/{repo.full_name}"
    url = f"{api}/actions/runs/{run.id}"
    workflow_id = zlib.crc32(f"{repo.id}:{run.path}".encode())  # one id per workflow file, stable across runs
    commit = repo.git.commits.get(run.head_sha)  # None for a commit only a local checkout has
    # GitHub lists the open pull requests whose head is the run's commit; a fork's are not shown to the base repo.
    pulls = [
        p
        for p in repo.pulls.values()
        if p.head_sha == run.head_sha and not p.fork and repo.issues[p.number].state == "open"
    ]
    name = run.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return _overlay(
        site.spec.example("workflow-run"),
        {
            "id": run.id,
            "name": name,
            "node_id": _node_id("WorkflowRun", run.id),
            "check_suite_id": run.id,
            "check_suite_node_id": _node_id("CheckSuite", run.id),
            "head_branch": run.head_branch,
            "head_sha": run.head_sha,
            "path": run.path,
            "run_number": run.run_number,
            "event": run.event,
            "display_title": commit.message.splitlines()[0] if commit and commit.message else name,
            "status": run.status,
            "conclusion": run.conclusion,
            "workflow_id": workflow_id,
            "url": url,
            "html_url": f"{site.web}/{repo.full_name}/actions/runs/{run.id}",
            "pull_requests": [_pull_minimal(site, repo, pull) for pull in pulls],
            "created_at": run.created_at,
            "updated_at": run.created_at,
            "actor": user(site, run.actor or repo.owner),
            "run_attempt": 1,
            "referenced_workflows": [],
            "run_started_at": run.created_at,
            "triggering_actor": user(site, run.actor or repo.owner),
            "jobs_url": f"{url}/jobs",
            "logs_url": f"{url}/logs",
            "check_suite_url": f"{api}/check-suites/{run.id}",
            "artifacts_url": f"{url}/artifacts",
            "cancel_url": f"{url}/cancel",
            "rerun_url": f"{url}/rerun",
            "previous_attempt_url": None,
            "workflow_url": f"{api}/actions/workflows/{workflow_id}",
            "head_commit": None
            if commit is None
            else {
                "id": commit.sha,
                "tree_id": commit.tree,
                "message": commit.message,
                "timestamp": commit.date,
                "author": {"name": commit.author_name, "email": commit.author_email},
                "committer": {"name": commit.committer[0], "email": commit.committer[1]},
            },
            "repository": repository(site, repo),
            "head_repository": repository(site, repo),
        },
    )


def artifact(site: Site, repo: FakeRepo, run: WorkflowRun, item: Artifact) -> dict[str, Any]:
    url = f"{site.api}/repos/{repo.full_name}/actions/artifacts/{item.id}"
    return _overlay(
        site.spec.example("artifact"),
        {
            "id": item.id,
            "node_id": _node_id("Artifact", item.id),
            "name": item.name,
            "size_in_bytes": len(item.data),
            "url": url,
            "archive_download_url": f"{url}/zip",
            "expired": item.expired,
            "created_at": item.created_at,
            "expires_at": item.expires_at,
            "updated_at": item.expires_at if item.expired else item.created_at,
            "digest": "sha256:" + hashlib.sha256(item.data).hexdigest(),
            "workflow_run": {
                "id": run.id,
                "repository_id": repo.id,
                "head_repository_id": repo.id,
                "head_branch": run.head_branch,
                "head_sha": run.head_sha,
            },
        },
    )


def annotation(site: Site, repo: FakeRepo, run: CheckRun, item: dict[str, Any]) -> dict[str, Any]:
    blob = f"{site.web}/{repo.full_name}/blob/{run.head_sha}/{item.get('path', '')}"
    return _overlay(
        site.spec.example("check-annotation-items")[0],
        {
            "path": item.get("path"),
            "start_line": item.get("start_line"),
            "end_line": item.get("end_line"),
            "start_column": item.get("start_column"),
            "end_column": item.get("end_column"),
            "annotation_level": item.get("annotation_level"),
            "title": item.get("title"),
            "message": item.get("message"),
            "raw_details": item.get("raw_details"),
            "blob_href": blob,
        },
    )


def activity(site: Site, item: Activity) -> dict[str, Any]:
    return {
        "id": item.id,
        "node_id": _node_id("Activity", item.id),
        "before": item.before,
        "after": item.after,
        "ref": item.ref,
        "timestamp": item.timestamp,
        "activity_type": item.activity_type,
        "actor": user(site, item.actor) if item.actor else None,
    }


def git_ref(site: Site, repo: FakeRepo, ref: str, sha: str) -> dict[str, Any]:
    api = f"{site.api}/repos/{repo.full_name}/git"
    return {
        "ref": ref,
        "node_id": _node_id("Ref", zlib.crc32(ref.encode())),
        "url": f"{api}/{ref}",
        "object": {"type": "commit", "sha": sha, "url": f"{api}/commits/{sha}"},
    }


def linked_login(email: str) -> str | None:
    """The account GitHub links a commit's email to: in the fake, `LOGIN@example.com` is LOGIN's verified address,
    `ID+LOGIN@users.noreply.github.com` is LOGIN's no-reply one, and GitHub's own web commits are web-flow's."""
    local, _, domain = email.partition("@")
    if domain == "example.com" and local:
        return local
    if domain == "users.noreply.github.com":
        return local.partition("+")[2] or local
    if email == "noreply@github.com":
        return "web-flow"
    return None


def git_commit(site: Site, repo: FakeRepo, sha: str) -> dict[str, Any]:
    commit = repo.git.commits[sha]
    api = f"{site.api}/repos/{repo.full_name}/git"
    who = {"date": commit.date, "name": commit.author_name, "email": commit.author_email}
    name, email = commit.committer
    signed = commit.verified
    return _overlay(
        site.spec.example("git-commit"),
        {
            "sha": sha,
            "node_id": _node_id("Commit", zlib.crc32(sha.encode())),
            "url": f"{api}/commits/{sha}",
            "author": who,
            "committer": {"date": commit.date, "name": name, "email": email},
            "message": commit.message,
            "verification": {
                "verified": signed,
                "reason": commit.verification_reason,
                "signature": "-----BEGIN PGP SIGNATURE-----\n(fake)\n-----END PGP SIGNATURE-----" if signed else None,
                "payload": f"tree {commit.tree}\n" if signed else None,
                "verified_at": commit.date if signed else None,
            },
            "tree": {"url": f"{api}/trees/{commit.tree}", "sha": commit.tree},
            "parents": [
                {"url": f"{api}/commits/{p}", "sha": p, "html_url": f"{site.web}/{repo.full_name}/commit/{p}"}
                for p in commit.parents
            ],
            "html_url": f"{site.web}/{repo.full_name}/commit/{sha}",
        },
    )


def git_tree(site: Site, repo: FakeRepo, sha: str, recursive: bool) -> dict[str, Any]:
    api = f"{site.api}/repos/{repo.full_name}/git"
    entries = []
    for entry in repo.git.listing(sha, recursive):
        item: dict[str, Any] = {"path": entry.path, "mode": entry.mode, "type": entry.type, "sha": entry.sha}
        if entry.type == "blob":
            item["size"] = len(repo.git.blobs[entry.sha])
            item["url"] = f"{api}/blobs/{entry.sha}"
        else:
            item["url"] = f"{api}/trees/{entry.sha}"
        entries.append(item)
    return {"sha": sha, "url": f"{api}/trees/{sha}", "tree": entries, "truncated": False}


def blob(site: Site, repo: FakeRepo, sha: str) -> dict[str, Any]:
    content = repo.git.blobs[sha]
    return {
        "content": base64.b64encode(content).decode(),
        "encoding": "base64",
        "url": f"{site.api}/repos/{repo.full_name}/git/blobs/{sha}",
        "sha": sha,
        "size": len(content),
        "node_id": _node_id("Blob", zlib.crc32(sha.encode())),
    }


def content_file(site: Site, repo: FakeRepo, path: str, blob_sha: str, ref: str) -> dict[str, Any]:
    content = repo.git.blobs[blob_sha]
    api = f"{site.api}/repos/{repo.full_name}"
    html = f"{site.web}/{repo.full_name}/blob/{ref}/{path}"
    git = f"{api}/git/blobs/{blob_sha}"
    self_url = f"{api}/contents/{path}?ref={ref}"
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(content),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        # GitHub wraps base64 at 60 characters per line; PyGithub decodes either way.
        "content": base64.encodebytes(content).decode(),
        "sha": blob_sha,
        "url": self_url,
        "git_url": git,
        "html_url": html,
        "download_url": f"{site.web}/{repo.full_name}/raw/{ref}/{path}",
        "_links": {"git": git, "self": self_url, "html": html},
    }


def commit(site: Site, repo: FakeRepo, sha: str, files: list[dict[str, Any]] | None) -> dict[str, Any]:
    """GET /repos/{o}/{r}/commits/{ref}: the git commit plus GitHub's view (users, stats, files); files None: a
    pull request's commit list, which carries neither stats nor files."""
    files_ = files or []
    git = git_commit(site, repo, sha)
    api = f"{site.api}/repos/{repo.full_name}"
    additions = sum(f["additions"] for f in files_)
    deletions = sum(f["deletions"] for f in files_)
    found = repo.git.commits[sha]
    author, committer = linked_login(found.author_email), linked_login(found.committer[1])
    body = _overlay(
        site.spec.example("commit"),
        {
            "url": f"{api}/commits/{sha}",
            "sha": sha,
            "node_id": git["node_id"],
            "html_url": git["html_url"],
            "comments_url": f"{api}/commits/{sha}/comments",
            "commit": {
                "url": git["url"],
                "author": git["author"],
                "committer": git["committer"],
                "message": git["message"],
                "tree": git["tree"],
                "comment_count": 0,
                "verification": git["verification"],
            },
            # The accounts GitHub links by email; an empty object when it links none (the description also allows
            # null, which its validator here refuses for a nullable oneOf).
            "author": user(site, author) if author else {},
            "committer": user(site, committer) if committer else {},
            "parents": [
                {"sha": p["sha"], "url": f"{api}/commits/{p['sha']}", "html_url": p["html_url"]} for p in git["parents"]
            ],
            "stats": {"additions": additions, "deletions": deletions, "total": additions + deletions},
            "files": files,
        },
    )
    if files is None:
        body.pop("stats", None)
        body.pop("files", None)
    return body


def diff_entry(
    site: Site,
    repo: FakeRepo,
    path: str,
    status: str,
    sha: str,
    counts: tuple[int, int],
    *,
    ref: str,
    patch: str = "",
) -> dict[str, Any]:
    additions, deletions = counts
    return _overlay(
        site.spec.example("diff-entry-items")[0],
        {
            "sha": sha,
            "filename": path,
            "status": status,
            "additions": additions,
            "deletions": deletions,
            "changes": additions + deletions,
            "blob_url": f"{site.web}/{repo.full_name}/blob/{ref}/{path}",
            "raw_url": f"{site.web}/{repo.full_name}/raw/{ref}/{path}",
            "contents_url": f"{site.api}/repos/{repo.full_name}/contents/{path}?ref={ref}",
            "patch": patch,
        },
    )


def collaborator_permission(site: Site, repo: FakeRepo, login: str, permission: str) -> dict[str, Any]:
    body = site.spec.example("repository-collaborator-permission-response-if-user-has-admin-permissions")
    role = {"write": "write", "admin": "admin", "maintain": "maintain", "triage": "triage", "read": "read"}
    collaborator = user(site, login)
    collaborator["role_name"] = role.get(permission, "read")
    collaborator["permissions"] = {
        "pull": permission != "none",
        "triage": permission in ("triage", "write", "maintain", "admin"),
        "push": permission in ("write", "maintain", "admin"),
        "maintain": permission in ("maintain", "admin"),
        "admin": permission == "admin",
    }
    # The legacy `permission` field knows only admin/write/read/none: maintain reads "write", triage "read".
    legacy = {"maintain": "write", "triage": "read"}.get(permission, permission)
    return _overlay(body, {"permission": legacy, "role_name": role.get(permission, ""), "user": collaborator})


def team_membership(site: Site, org: str, team_slug: str, login: str) -> dict[str, Any]:
    return _overlay(
        site.spec.example("team-membership-response-if-user-is-a-team-maintainer"),
        {"url": f"{site.api}/orgs/{org}/teams/{team_slug}/memberships/{login}", "role": "member", "state": "active"},
    )


def branch(site: Site, repo: FakeRepo, name: str, sha: str, protected: bool) -> dict[str, Any]:
    url = f"{site.api}/repos/{repo.full_name}/branches/{name}"
    return _overlay(
        site.spec.example("branch-get"),
        {
            "name": name,
            "commit": commit(site, repo, sha, []),
            "_links": {"html": f"{site.web}/{repo.full_name}/tree/{name}", "self": url},
            "protected": protected,
            "protection": {
                "enabled": protected,
                "required_status_checks": {"enforcement_level": "off", "contexts": [], "checks": []},
            },
            "protection_url": f"{url}/protection",
        },
    )


def branch_protection(site: Site, repo: FakeRepo, branch: str, rule: BranchProtection) -> dict[str, Any]:
    checks = rule.required_status_checks
    url = f"{site.api}/repos/{repo.full_name}/branches/{branch}/protection"
    return {
        "url": url,
        "required_status_checks": {
            "url": f"{url}/required_status_checks",
            "strict": True,
            "contexts": checks,
            "checks": [{"context": name, "app_id": None} for name in checks],
            "contexts_url": f"{url}/required_status_checks/contexts",
        },
        "enforce_admins": {"url": f"{url}/enforce_admins", "enabled": False},
        "required_pull_request_reviews": {
            "url": f"{url}/required_pull_request_reviews",
            "dismiss_stale_reviews": True,
            "require_code_owner_reviews": rule.require_code_owner_reviews,
            "required_approving_review_count": rule.required_approving_review_count,
        },
        "required_linear_history": {"enabled": False},
        "allow_force_pushes": {"enabled": False},
        "allow_deletions": {"enabled": False},
        "required_conversation_resolution": {"enabled": False},
    }


def error(message: str, status: int, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message, "documentation_url": DOCS_URL, "status": str(status)}
    if errors:
        body["errors"] = errors
    return body
