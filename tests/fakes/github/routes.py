"""The REST endpoints the fake implements: one handler per operation, matched on GitHub's path templates."""

from __future__ import annotations

import re
import secrets
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import shapes
from .gitstore import TreeEntry, right_lines
from .shapes import Site
from .state import (
    RUN_STATUSES,
    CheckRun,
    Comment,
    FakeRepo,
    Issue,
    Label,
    PullRequest,
    Reaction,
    Review,
    ReviewComment,
    next_id,
    timestamp,
)

if TYPE_CHECKING:
    from .fake import FakeGitHub


@dataclass
class Call:
    """One request as a handler sees it: path parameters already decoded, the JSON body parsed."""

    method: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    site: Site


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class NotFound(Exception):
    """The object does not exist; GitHub answers 404."""


class Unprocessable(Exception):
    """GitHub's 422 (or another 4xx given as `status`) with its message."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


Handler = Callable[["FakeGitHub", Call], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    auth: str  # "jwt" (the App) or "token" (an installation)
    pattern: re.Pattern[str]


# Refs, file paths and branch names may hold slashes, which GitHub accepts unencoded in these positions.
_GREEDY = {"ref", "path", "branch"}
ROUTES: list[Route] = []


def route(method: str, template: str, auth: str = "token") -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        regex = re.sub(
            r"\\\{(\w+)\\\}",
            lambda m: f"(?P<{m.group(1)}>.+)" if m.group(1) in _GREEDY else f"(?P<{m.group(1)}>[^/]+)",
            re.escape(template),
        )
        ROUTES.append(Route(method, template, handler, auth, re.compile(f"^{regex}$")))
        return handler

    return register


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for a decoded path; specific templates are registered before greedy ones that would swallow them."""
    for candidate in ROUTES:
        if candidate.method == method:
            found = candidate.pattern.match(path)
            if found:
                return candidate, found.groupdict()
    return None


def spec_path(template: str, params: dict[str, str]) -> str:
    """The path as the description's templates can match it: each parameter one percent-encoded segment."""
    return re.sub(r"\{(\w+)\}", lambda m: urllib.parse.quote(params[m.group(1)], safe=""), template)


def _repo(gh: FakeGitHub, call: Call) -> FakeRepo:
    found = gh.repos.get(f"{call.params['owner']}/{call.params['repo']}".lower())
    if found is None:
        raise NotFound()
    return found


def _int(call: Call, name: str) -> int:
    return int(call.params[name])


def _page(call: Call, items: list[Any]) -> Reply:
    per_page = min(int(call.query.get("per_page", 30)), 100)
    page = max(int(call.query.get("page", 1)), 1)
    chunk = items[(page - 1) * per_page : page * per_page]
    headers = {}
    if page * per_page < len(items):
        query = dict(call.query, page=str(page + 1), per_page=str(per_page))
        headers["Link"] = f'<{call.site.api}{call.path}?{urllib.parse.urlencode(query)}>; rel="next"'
    return Reply(200, chunk, headers)


def _issue(repo: FakeRepo, number: int) -> Issue:
    if number not in repo.issues:
        raise NotFound()
    return repo.issues[number]


def _pull(repo: FakeRepo, number: int) -> PullRequest:
    if number not in repo.pulls:
        raise NotFound()
    return repo.pulls[number]


# --- the App -------------------------------------------------------------------------------------------------


@route("GET", "/app", auth="jwt")
def get_app(gh: FakeGitHub, call: Call) -> Reply:
    return Reply(200, shapes.integration(call.site, gh.app_owner))


@route("GET", "/app/installations/{installation_id}", auth="jwt")
def get_installation(gh: FakeGitHub, call: Call) -> Reply:
    if _int(call, "installation_id") != gh.installation_id:
        raise NotFound()
    return Reply(200, shapes.installation(call.site, gh.app_owner))


@route("GET", "/app/installations", auth="jwt")
def list_installations(gh: FakeGitHub, call: Call) -> Reply:
    return _page(call, [shapes.installation(call.site, gh.app_owner)])  # the fake's App has one installation


@route("GET", "/installation/repositories")
def list_installation_repositories(gh: FakeGitHub, call: Call) -> Reply:
    # Every repository of the fake belongs to its one installation; the list is an object, paged by its items.
    repos = [shapes.repository(call.site, repo) for _, repo in sorted(gh.repos.items())]
    page = _page(call, repos)
    body = {"total_count": len(repos), "repositories": page.body, "repository_selection": "all"}
    return Reply(200, body, page.headers)


@route("POST", "/app/installations/{installation_id}/access_tokens", auth="jwt")
def create_access_token(gh: FakeGitHub, call: Call) -> Reply:
    if _int(call, "installation_id") != gh.installation_id:
        raise NotFound()
    token, expires_at = gh.credentials.issue_token(gh.installation_id)
    expires = timestamp(datetime.fromtimestamp(expires_at, UTC))
    return Reply(201, shapes.installation_token(call.site, token, expires))


@route("GET", "/user", auth="user")
def get_authenticated_user(gh: FakeGitHub, call: Call) -> Reply:
    return Reply(200, shapes.public_user(call.site, call.site.user))


@route("GET", "/repos/{owner}/{repo}/installation", auth="jwt")
def get_repo_installation(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    return Reply(200, shapes.installation(call.site, repo.owner))


# --- repositories, branches, permissions ------------------------------------------------------------------------


@route("GET", "/repos/{owner}/{repo}")
def get_repo(gh: FakeGitHub, call: Call) -> Reply:
    return Reply(200, shapes.repository(call.site, _repo(gh, call), full=True))


@route("GET", "/repos/{owner}/{repo}/branches/{branch}/protection")
def get_branch_protection(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    rule = repo.protections.get(call.params["branch"])
    if rule is None:
        raise Unprocessable("Branch not protected", status=404)
    body = shapes.branch_protection(call.site, repo, call.params["branch"], rule)
    return Reply(200, body)


@route("GET", "/repos/{owner}/{repo}/branches/{branch}")
def get_branch(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    branch = call.params["branch"]
    sha = repo.ref_sha(branch)
    if sha is None:
        raise Unprocessable("Branch not found", status=404)
    return Reply(200, shapes.branch(call.site, repo, branch, sha, branch in repo.protections))


@route("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission")
def get_permission(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    login = call.params["username"]
    permission = gh.permission_of(repo, login)
    return Reply(200, shapes.collaborator_permission(call.site, repo, login, permission))


@route("GET", "/orgs/{org}/teams/{team_slug}/memberships/{username}")
def get_team_membership(gh: FakeGitHub, call: Call) -> Reply:
    org, slug, login = call.params["org"], call.params["team_slug"], call.params["username"]
    if (org.lower(), slug.lower(), login.lower()) not in gh.team_members:
        raise NotFound()
    return Reply(200, shapes.team_membership(call.site, org, slug, login))


# --- Git Data API ------------------------------------------------------------------------------------------------


@route("POST", "/repos/{owner}/{repo}/git/blobs")
def create_blob(gh: FakeGitHub, call: Call) -> Reply:
    import base64

    repo = _repo(gh, call)
    raw = call.json["content"]
    content = base64.b64decode(raw) if call.json.get("encoding") == "base64" else raw.encode()
    sha = repo.git.put_blob(content)
    return Reply(201, {"url": f"{call.site.api}/repos/{repo.full_name}/git/blobs/{sha}", "sha": sha})


@route("GET", "/repos/{owner}/{repo}/git/blobs/{file_sha}")
def get_blob(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    if call.params["file_sha"] not in repo.git.blobs:
        raise NotFound()
    return Reply(200, shapes.blob(call.site, repo, call.params["file_sha"]))


@route("POST", "/repos/{owner}/{repo}/git/trees")
def create_tree(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    base_sha = call.json.get("base_tree")
    if base_sha and base_sha not in repo.git.trees:
        # GitHub accepts a commit sha as base_tree too.
        base_sha = repo.git.commits[base_sha].tree if base_sha in repo.git.commits else None
        if base_sha is None:
            raise Unprocessable("Invalid tree info")
    entries = dict(repo.git.trees[base_sha]) if base_sha else {}
    for item in call.json["tree"]:
        path = item["path"]
        if "content" in item:
            blob_sha = repo.git.put_blob(item["content"].encode())
            entries[path] = TreeEntry(path, item.get("mode", "100644"), "blob", blob_sha)
        elif item.get("sha") is None:
            entries.pop(path, None)
            for nested in [p for p in entries if p.startswith(path + "/")]:
                del entries[nested]
        elif item.get("type", "blob") == "blob":
            if item["sha"] not in repo.git.blobs:
                raise Unprocessable("Invalid tree info")
            entries[path] = TreeEntry(path, item.get("mode", "100644"), "blob", item["sha"])
        else:
            raise Unprocessable("the fake keeps flat trees: give blobs with full paths")
    sha = repo.git.put_tree(entries)
    return Reply(201, shapes.git_tree(call.site, repo, sha, recursive=True))


@route("GET", "/repos/{owner}/{repo}/git/trees/{tree_sha}")
def get_tree(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    sha = call.params["tree_sha"]
    if sha not in repo.git.trees:
        resolved = repo.git.resolve(sha)
        if resolved is None:
            raise NotFound()
        sha = repo.git.commits[resolved].tree
    recursive = call.query.get("recursive", "") not in ("", "0", "false")
    return Reply(200, shapes.git_tree(call.site, repo, sha, recursive))


@route("POST", "/repos/{owner}/{repo}/git/commits")
def create_commit(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    body = call.json
    if body["tree"] not in repo.git.trees:
        raise Unprocessable("Tree SHA does not exist")
    if any(p not in repo.git.commits for p in body.get("parents", [])):
        raise Unprocessable("Parent SHA does not exist")
    author = body.get("author") or {}
    committer = body.get("committer") or {}
    # Every token the fake issues is an app's (the App's, or a job's GITHUB_TOKEN): it acts as that app's bot.
    name = author.get("name") or shapes.bot_login(call.site)
    email = author.get("email") or f"{shapes.user_id(name)}+{name}@users.noreply.github.com"
    # GitHub signs an app's API commit itself only when it gives no custom author, committer or signature
    # https://docs.github.com/en/authentication/managing-commit-signature-verification/about-commit-signature-verification#signature-verification-for-bots
    signed_by_github = not author and not committer and "signature" not in body
    sha = repo.git.put_commit(
        body["tree"],
        list(body.get("parents", [])),
        body["message"],
        name,
        email,
        author.get("date") or timestamp(),
        committer=("GitHub", "noreply@github.com") if signed_by_github else None,
        verified=signed_by_github,
    )
    return Reply(201, shapes.git_commit(call.site, repo, sha))


@route("GET", "/repos/{owner}/{repo}/git/commits/{commit_sha}")
def get_commit(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    if call.params["commit_sha"] not in repo.git.commits:
        raise NotFound()
    return Reply(200, shapes.git_commit(call.site, repo, call.params["commit_sha"]))


@route("POST", "/repos/{owner}/{repo}/git/refs")
def create_ref(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    ref, sha = call.json["ref"], call.json["sha"]
    if not ref.startswith("refs/") or ref.count("/") < 2:
        raise Unprocessable("Reference name must start with 'refs/' and have at least two slashes.")
    if ref in repo.git.refs:
        raise Unprocessable("Reference already exists")
    if sha not in repo.git.commits:
        raise Unprocessable("Object does not exist")
    repo.move_ref(ref, sha, shapes.bot_login(call.site))
    repo.sync_pull_heads()
    return Reply(201, shapes.git_ref(call.site, repo, ref, sha))


@route("GET", "/repos/{owner}/{repo}/git/ref/{ref}")
def get_ref(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    ref = "refs/" + call.params["ref"]
    if ref not in repo.git.refs:
        raise NotFound()
    return Reply(200, shapes.git_ref(call.site, repo, ref, repo.git.refs[ref]))


@route("GET", "/repos/{owner}/{repo}/git/matching-refs/{ref}")
def matching_refs(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    prefix = "refs/" + call.params["ref"]
    found = [shapes.git_ref(call.site, repo, r, s) for r, s in sorted(repo.git.refs.items()) if r.startswith(prefix)]
    return Reply(200, found)


@route("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}")
def update_ref(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    ref, sha = "refs/" + call.params["ref"], call.json["sha"]
    if ref not in repo.git.refs:
        raise Unprocessable("Reference does not exist")
    if sha not in repo.git.commits:
        raise Unprocessable("Object does not exist")
    if not call.json.get("force") and repo.git.refs[ref] not in repo.git.ancestors(sha):
        raise Unprocessable("Update is not a fast forward")
    repo.move_ref(ref, sha, shapes.bot_login(call.site))
    repo.sync_pull_heads()
    return Reply(200, shapes.git_ref(call.site, repo, ref, sha))


@route("DELETE", "/repos/{owner}/{repo}/git/refs/{ref}")
def delete_ref(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    ref = "refs/" + call.params["ref"]
    if ref not in repo.git.refs:
        raise Unprocessable("Reference does not exist")
    repo.move_ref(ref, None, shapes.bot_login(call.site))
    return Reply(204)


_UNSUPPORTED_ACTIVITY_FILTERS = ("before", "after", "actor", "time_period")


@route("GET", "/repos/{owner}/{repo}/activity")
def list_activity(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    for name in _UNSUPPORTED_ACTIVITY_FILTERS:
        if name in call.query:
            gh.violations.append(f"GET {call.path}: the fake does not implement the {name!r} filter")
    ref = call.query.get("ref")
    wanted = call.query.get("activity_type")
    found = [
        a
        for a in repo.activities
        if ref in (None, a.ref, a.ref.removeprefix("refs/heads/")) and wanted in (None, a.activity_type)
    ]
    found.sort(key=lambda a: a.id, reverse=call.query.get("direction", "desc") == "desc")
    return _page(call, [shapes.activity(call.site, a) for a in found])


@route("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs")
def list_check_runs_for_ref(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    sha = repo.git.resolve(call.params["ref"])
    if sha is None:
        raise Unprocessable(f"No commit found for SHA: {call.params['ref']}")
    runs = [r for r in repo.check_runs if r.head_sha == sha]
    if call.query.get("check_name"):
        runs = [r for r in runs if r.name == call.query["check_name"]]
    if call.query.get("status"):
        runs = [r for r in runs if r.status == call.query["status"]]
    if call.query.get("filter", "latest") == "latest":
        latest: dict[str, CheckRun] = {}
        for run in runs:
            latest[run.name] = run
        runs = list(latest.values())
    runs = sorted(runs, key=lambda r: -r.id)
    page = _page(call, [_check_run_json(repo, r, call.site) for r in runs])
    return Reply(200, {"total_count": len(runs), "check_runs": page.body}, page.headers)


@route("GET", "/repos/{owner}/{repo}/commits/{ref}")
def get_commit_with_files(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    sha = repo.git.resolve(call.params["ref"])
    if sha is None:
        raise Unprocessable(f"No commit found for SHA: {call.params['ref']}")
    commit = repo.git.commits[sha]
    parent = commit.parents[0] if commit.parents else None
    changes = repo.git.changes(parent, sha)
    files = [
        shapes.diff_entry(call.site, repo, *change, ref=sha, patch=repo.git.patch(parent, sha, change[0]))
        for change in changes
    ]
    return Reply(200, shapes.commit(call.site, repo, sha, files))


@route("GET", "/repos/{owner}/{repo}/contents/{path}")
def get_contents(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    ref = call.query.get("ref") or repo.default_branch
    sha = repo.git.resolve(ref)
    if sha is None:
        raise NotFound()
    entries = repo.git.trees[repo.git.commits[sha].tree]
    path = call.params["path"].strip("/")
    if path in entries:
        return Reply(200, shapes.content_file(call.site, repo, path, entries[path].sha, ref))
    # A directory: GitHub lists its entries (files with their content left out).
    listing = []
    for name in sorted({p[len(path) + 1 :].split("/")[0] for p in entries if p.startswith(path + "/")}):
        full = f"{path}/{name}"
        if full in entries:
            item = shapes.content_file(call.site, repo, full, entries[full].sha, ref)
            del item["content"], item["encoding"]
            listing.append(item)
    if not listing:
        raise NotFound()
    return Reply(200, listing)


# --- pull requests -----------------------------------------------------------------------------------------------


def _diff(repo: FakeRepo, pull: PullRequest) -> list[tuple[str, str, str, tuple[int, int]]]:
    """(path, status, blob sha, (additions, deletions)) of the PR's changes against its merge base."""
    return repo.git.changes(repo.git.merge_base(pull.head_sha, pull.base_sha) or pull.base_sha, pull.head_sha)


def _diff_counts(repo: FakeRepo, pull: PullRequest) -> dict[str, int]:
    changes = _diff(repo, pull)
    base = repo.git.merge_base(pull.head_sha, pull.base_sha)
    commits = len([c for c in repo.git.ancestors(pull.head_sha) if c not in repo.git.ancestors(base or "")])
    return {
        "additions": sum(c[3][0] for c in changes),
        "deletions": sum(c[3][1] for c in changes),
        "changed_files": len(changes),
        "commits": commits,
    }


def pull_json(repo: FakeRepo, pull: PullRequest, site: Site, *, simple: bool = False) -> dict[str, Any]:
    return shapes.pull_request(site, repo, pull, repo.issues[pull.number], _diff_counts(repo, pull), simple=simple)


@route("POST", "/repos/{owner}/{repo}/pulls")
def create_pull(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    body = call.json
    head = body["head"].split(":", 1)[-1]
    if repo.ref_sha(body["base"]) is None:
        raise Unprocessable("Validation Failed: base invalid")
    if repo.ref_sha(head) is None:
        raise Unprocessable("Validation Failed: head invalid")
    if repo.ref_sha(head) == repo.ref_sha(body["base"]):
        raise Unprocessable(f"No commits between {body['base']} and {head}")
    for pull in repo.pulls.values():
        if pull.head_ref == head and pull.base_ref == body["base"] and repo.issues[pull.number].state == "open":
            raise Unprocessable(f"A pull request already exists for {repo.owner}:{head}.")
    number = gh.open_pull_request_state(
        repo,
        head=head,
        base=body["base"],
        title=body["title"],
        body=body.get("body"),
        author=shapes.bot_login(call.site),
        draft=bool(body.get("draft", False)),
        fork=False,
    )
    return Reply(201, pull_json(repo, repo.pulls[number], call.site))


@route("GET", "/repos/{owner}/{repo}/pulls")
def list_pulls(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    state = call.query.get("state", "open")
    head = call.query.get("head")
    base = call.query.get("base")
    found = []
    for pull in sorted(repo.pulls.values(), key=lambda p: -p.number):
        item = repo.issues[pull.number]
        if state != "all" and item.state != state:
            continue
        if head is not None:
            owner, _, branch = head.partition(":")
            head_owner = pull.user if pull.fork else repo.owner
            if not branch or owner.lower() != head_owner.lower() or pull.head_ref != branch:
                continue
        if base is not None and pull.base_ref != base:
            continue
        found.append(pull_json(repo, pull, call.site, simple=True))
    return _page(call, found)


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}")
def get_pull(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    return Reply(200, pull_json(repo, _pull(repo, _int(call, "pull_number")), call.site))


@route("PATCH", "/repos/{owner}/{repo}/pulls/{pull_number}")
def update_pull(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    pull = _pull(repo, _int(call, "pull_number"))
    item = repo.issues[pull.number]
    body = call.json or {}
    if "title" in body:
        item.title = body["title"]
    if "body" in body:
        item.body = body["body"]
    if "base" in body:
        if repo.ref_sha(body["base"]) is None:
            raise Unprocessable("Proposed base branch was not found")
        pull.base_ref = body["base"]
    if body.get("state") in ("open", "closed") and not pull.merged:
        item.state = body["state"]
        item.closed_at = timestamp() if item.state == "closed" else None
    item.updated_at = timestamp()
    repo.sync_pull_heads()
    return Reply(200, pull_json(repo, pull, call.site))


@route("PUT", "/repos/{owner}/{repo}/pulls/{pull_number}/merge")
def merge_pull(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    pull = _pull(repo, _int(call, "pull_number"))
    body = call.json or {}
    if pull.merged or repo.issues[pull.number].state != "open":
        return Reply(405, shapes.error("Pull Request is not mergeable", 405))
    if body.get("sha") and body["sha"] != pull.head_sha:
        return Reply(409, shapes.error("Head branch was modified. Review and try the merge again.", 409))
    title = body.get("commit_title") or f"Merge pull request #{pull.number}"
    sha = gh.merge_state(repo, pull, title, merged_by=shapes.bot_login(call.site))
    return Reply(200, {"sha": sha, "merged": True, "message": "Pull Request successfully merged"})


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files")
def list_pull_files(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    pull = _pull(repo, _int(call, "pull_number"))
    patches = _patches(repo, pull)
    files = [
        shapes.diff_entry(call.site, repo, *change, ref=pull.head_sha, patch=patches[change[0]])
        for change in _diff(repo, pull)
    ]
    return _page(call, files)


def _patches(repo: FakeRepo, pull: PullRequest) -> dict[str, str]:
    """Each changed file's patch against the merge base, as GitHub's pull request diff shows it."""
    base = repo.git.merge_base(pull.head_sha, pull.base_sha) or pull.base_sha
    return {change[0]: repo.git.patch(base, pull.head_sha, change[0]) for change in _diff(repo, pull)}


@route("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews")
def create_review(gh: FakeGitHub, call: Call) -> Reply:
    """A submitted review; its line comments must lie in the pull request's diff, as GitHub requires."""
    repo = _repo(gh, call)
    number = _int(call, "pull_number")
    pull = _pull(repo, number)
    body = call.json or {}
    event = body.get("event")
    if event is None:
        raise Unprocessable("the fake submits reviews at once: give an event")
    if event in ("COMMENT", "REQUEST_CHANGES") and not body.get("body"):
        raise Unprocessable(f"Validation Failed: body is required for {event}")
    commit_id = body.get("commit_id") or pull.head_sha
    if commit_id not in repo.git.commits:
        raise Unprocessable("Validation Failed: commit_id is not part of the pull request")
    patches = _patches(repo, pull)
    login = shapes.bot_login(call.site)
    review = Review(next_id(), login, {"COMMENT": "COMMENTED"}.get(event, event + "D"), commit_id, timestamp())
    review.body = body.get("body") or ""
    made: list[ReviewComment] = []
    for item in body.get("comments") or []:
        if "position" in item:
            raise Unprocessable("the fake takes comments by line and side, not by diff position")
        path, line = item["path"], item.get("line")
        if path not in patches:
            raise Unprocessable("Unprocessable Entity: Path could not be resolved")
        start = item.get("start_line")
        wanted = set(range(start if start is not None else line, line + 1)) if isinstance(line, int) else set()
        if item.get("side", "RIGHT") != "RIGHT" or not wanted or not wanted <= right_lines(patches[path]):
            raise Unprocessable("Unprocessable Entity: Pull request review thread line must be part of the diff")
        if start is not None and start >= line:
            raise Unprocessable("Unprocessable Entity: start_line must precede line")
        made.append(
            ReviewComment(
                next_id(), review.id, number, path, line, item["body"], login, commit_id, review.submitted_at,
                start, patches[path],
            )
        )  # fmt: skip
    repo.reviews.setdefault(number, []).append(review)
    repo.review_comments += made
    return Reply(200, shapes.review(call.site, repo, number, review))


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/comments")
def list_review_comments(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    number = _int(call, "pull_number")
    _pull(repo, number)
    found = [c for c in repo.review_comments if c.pull_number == number]
    return _page(call, [shapes.review_comment(call.site, repo, c) for c in found])


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/commits")
def list_pull_commits(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    pull = _pull(repo, _int(call, "pull_number"))
    shas = repo.git.commits_between(pull.base_sha, pull.head_sha)[:250]  # GitHub lists at most 250
    return _page(call, [shapes.commit(call.site, repo, sha, None) for sha in shas])


@route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews")
def list_reviews(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    number = _int(call, "pull_number")
    _pull(repo, number)
    return _page(call, [shapes.review(call.site, repo, number, r) for r in repo.reviews.get(number, [])])


# --- issues, comments, reactions, labels ---------------------------------------------------------------------------


@route("POST", "/repos/{owner}/{repo}/issues")
def create_issue(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    number = gh.create_issue_state(repo, call.json["title"], call.json.get("body"), shapes.bot_login(call.site))
    for name in call.json.get("labels", []) or []:
        repo.issues[number].labels.append(repo.label(name if isinstance(name, str) else name["name"]).name)
    return Reply(201, shapes.issue(call.site, repo, repo.issues[number]))


@route("GET", "/repos/{owner}/{repo}/issues")
def list_issues(gh: FakeGitHub, call: Call) -> Reply:
    # GitHub's list answers pull requests too; `labels` is a comma-separated list, all of which an issue must carry.
    repo = _repo(gh, call)
    state = call.query.get("state", "open")
    wanted = [n.strip().lower() for n in call.query.get("labels", "").split(",") if n.strip()]
    found = [
        item
        for item in repo.issues.values()
        if state in ("all", item.state) and all(w in (n.lower() for n in item.labels) for w in wanted)
    ]
    newest = call.query.get("direction", "desc") == "desc"
    key = (lambda i: (i.updated_at, i.number)) if call.query.get("sort") == "updated" else (lambda i: i.number)
    found.sort(key=key, reverse=newest)
    return _page(call, [shapes.issue(call.site, repo, i, repo.pulls.get(i.number)) for i in found])


@route("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}")
def get_comment(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    return Reply(200, shapes.comment(call.site, repo, _comment(repo, call)))


def _comment(repo: FakeRepo, call: Call) -> Comment:
    found = repo.issue_comments.get(_int(call, "comment_id"))
    if found is None:
        raise NotFound()
    return found


@route("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}")
def update_comment(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    found = _comment(repo, call)
    _check_comment_length(call.json["body"])
    found.body = call.json["body"]
    found.updated_at = timestamp()
    return Reply(200, shapes.comment(call.site, repo, found))


def _check_comment_length(body: str) -> None:
    # GitHub refuses bodies over 65,536 characters with a 422 that names the limit.
    if len(body) > 65536:
        raise Unprocessable("Validation Failed: body is too long (maximum is 65536 characters)")


@route("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}")
def delete_comment(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    del repo.issue_comments[_comment(repo, call).id]
    return Reply(204)


def _react(call: Call, reactions: list[Reaction]) -> Reply:
    actor = shapes.bot_login(call.site)
    content = call.json["content"]
    existing = next((r for r in reactions if r.user == actor and r.content == content), None)
    if existing is not None:
        return Reply(200, shapes.reaction(call.site, existing))
    created = Reaction(next_id(), actor, content, timestamp())
    reactions.append(created)
    return Reply(201, shapes.reaction(call.site, created))


def _reactions(call: Call, reactions: list[Reaction]) -> Reply:
    wanted = call.query.get("content")
    return _page(call, [shapes.reaction(call.site, r) for r in reactions if wanted in (None, r.content)])


@route("POST", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions")
def react_to_comment(gh: FakeGitHub, call: Call) -> Reply:
    return _react(call, _comment(_repo(gh, call), call).reactions)


@route("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions")
def list_comment_reactions(gh: FakeGitHub, call: Call) -> Reply:
    return _reactions(call, _comment(_repo(gh, call), call).reactions)


@route("GET", "/repos/{owner}/{repo}/issues/{issue_number}")
def get_issue(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    item = _issue(repo, _int(call, "issue_number"))
    return Reply(200, shapes.issue(call.site, repo, item, repo.pulls.get(item.number)))


@route("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}")
def update_issue(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    item = _issue(repo, _int(call, "issue_number"))
    body = call.json or {}
    if "title" in body:
        item.title = body["title"]
    if "body" in body:
        item.body = body["body"]
    if "labels" in body:
        item.labels = [repo.label(n if isinstance(n, str) else n["name"]).name for n in body["labels"] or []]
    pull = repo.pulls.get(item.number)
    if body.get("state") in ("open", "closed") and not (pull and pull.merged):
        item.state = body["state"]
        item.closed_at = timestamp() if item.state == "closed" else None
    item.updated_at = timestamp()
    return Reply(200, shapes.issue(call.site, repo, item, pull))


@route("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments")
def list_comments(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    number = _int(call, "issue_number")
    _issue(repo, number)
    return _page(call, [shapes.comment(call.site, repo, c) for c in repo.comments(number)])


@route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments")
def create_comment(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    number = _int(call, "issue_number")
    _issue(repo, number)
    _check_comment_length(call.json["body"])
    comment_id = gh.add_comment_state(repo, number, call.json["body"], shapes.bot_login(call.site))
    return Reply(201, shapes.comment(call.site, repo, repo.issue_comments[comment_id]))


@route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/reactions")
def react_to_issue(gh: FakeGitHub, call: Call) -> Reply:
    return _react(call, _issue(_repo(gh, call), _int(call, "issue_number")).reactions)


@route("GET", "/repos/{owner}/{repo}/issues/{issue_number}/reactions")
def list_issue_reactions(gh: FakeGitHub, call: Call) -> Reply:
    return _reactions(call, _issue(_repo(gh, call), _int(call, "issue_number")).reactions)


def _label_names(body: Any) -> list[str]:
    # PyGithub sends a bare array; the description also allows {"labels": [...]} and [{"name": ...}].
    items = body.get("labels", []) if isinstance(body, dict) else body or []
    return [item if isinstance(item, str) else item["name"] for item in items]


@route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels")
def add_labels(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    item = _issue(repo, _int(call, "issue_number"))
    for name in _label_names(call.json):
        canonical = repo.label(name).name
        if canonical not in item.labels:
            item.labels.append(canonical)
    return Reply(200, [shapes.label(call.site, repo, repo.label(n)) for n in item.labels])


@route("GET", "/repos/{owner}/{repo}/issues/{issue_number}/labels")
def list_issue_labels(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    item = _issue(repo, _int(call, "issue_number"))
    return _page(call, [shapes.label(call.site, repo, repo.label(n)) for n in item.labels])


@route("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}")
def remove_label(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    item = _issue(repo, _int(call, "issue_number"))
    wanted = call.params["name"].lower()
    if wanted not in [n.lower() for n in item.labels]:
        raise Unprocessable("Label does not exist", status=404)
    item.labels = [n for n in item.labels if n.lower() != wanted]
    return Reply(200, [shapes.label(call.site, repo, repo.label(n)) for n in item.labels])


@route("GET", "/repos/{owner}/{repo}/labels")
def list_labels(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    return _page(call, [shapes.label(call.site, repo, item) for item in repo.labels.values()])


@route("POST", "/repos/{owner}/{repo}/labels")
def create_label(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    name = call.json["name"]
    if name.lower() in (n.lower() for n in repo.labels):
        raise Unprocessable("Validation Failed: label already_exists")
    color = call.json.get("color", "ededed").lstrip("#")
    repo.labels[name] = Label(next_id(), name, color, call.json.get("description"))
    return Reply(201, shapes.label(call.site, repo, repo.labels[name]))


@route("GET", "/repos/{owner}/{repo}/labels/{name}")
def get_label(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    found = next((item for key, item in repo.labels.items() if key.lower() == call.params["name"].lower()), None)
    if found is None:
        raise NotFound()
    return Reply(200, shapes.label(call.site, repo, found))


# --- check runs --------------------------------------------------------------------------------------------------


def _check_run_json(repo: FakeRepo, run: CheckRun, site: Site) -> dict[str, Any]:
    pulls = [p for p in repo.pulls.values() if p.head_sha == run.head_sha and repo.issues[p.number].state == "open"]
    return shapes.check_run(site, repo, run, pulls)


def _apply_check_run(run: CheckRun, body: dict[str, Any]) -> None:
    for key in ("name", "external_id", "details_url", "started_at", "completed_at"):
        if key in body:
            setattr(run, key, body[key])
    if "status" in body:
        run.status = body["status"]
    if "conclusion" in body and body["conclusion"] is not None:
        # GitHub completes a run that is given a conclusion.
        run.conclusion = body["conclusion"]
        run.status = "completed"
    if run.status == "completed" and run.completed_at is None:
        run.completed_at = timestamp()
    output = body.get("output")
    if output:
        run.output.update({k: output[k] for k in ("title", "summary", "text") if k in output})
        # Annotations accumulate across updates: GitHub takes at most 50 per request and appends them.
        if len(output.get("annotations", [])) > 50:
            raise Unprocessable("Only 50 annotations are allowed per request")
        run.annotations.extend(output.get("annotations", []))


@route("POST", "/repos/{owner}/{repo}/check-runs")
def create_check_run(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    body = call.json
    if body["head_sha"] not in repo.git.commits:
        raise Unprocessable("No commit found for SHA: " + body["head_sha"])
    run = CheckRun(next_id(), body["name"], body["head_sha"], "queued", None, timestamp(), None)
    run.app_slug = call.site.app_slug
    _apply_check_run(run, body)
    repo.check_runs.append(run)
    return Reply(201, _check_run_json(repo, run, call.site))


def _run(repo: FakeRepo, call: Call) -> CheckRun:
    found = repo.check_run(_int(call, "check_run_id"))
    if found is None:
        raise NotFound()
    return found


@route("GET", "/repos/{owner}/{repo}/check-runs/{check_run_id}")
def get_check_run(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    return Reply(200, _check_run_json(repo, _run(repo, call), call.site))


@route("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}")
def update_check_run(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    run = _run(repo, call)
    _apply_check_run(run, call.json or {})
    return Reply(200, _check_run_json(repo, run, call.site))


@route("GET", "/repos/{owner}/{repo}/check-runs/{check_run_id}/annotations")
def list_annotations(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    run = _run(repo, call)
    return _page(call, [shapes.annotation(call.site, repo, run, a) for a in run.annotations])


# --- GitHub Actions: workflow runs and their artifacts ------------------------------------------------------------

# Where the fake serves artifact archives, outside the REST API as GitHub's blob storage is (see server.py).
BLOB_PATH = "/_blobs/"
_UNSUPPORTED_RUN_FILTERS = ("actor", "created", "check_suite_id")


@route("GET", "/repos/{owner}/{repo}/actions/runs")
def list_workflow_runs(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    for name in _UNSUPPORTED_RUN_FILTERS:
        if name in call.query:
            # Ignoring a filter would answer with runs GitHub leaves out: say so rather than mislead the test.
            gh.violations.append(f"GET {call.path}: the fake does not implement the {name!r} filter")
    wanted = call.query.get("status")  # a status, or any other documented value a conclusion
    found = [
        run
        for run in repo.workflow_runs
        if call.query.get("head_sha") in (None, run.head_sha)
        and call.query.get("event") in (None, run.event)
        and call.query.get("branch") in (None, run.head_branch)
        and (wanted is None or wanted == (run.status if wanted in RUN_STATUSES else run.conclusion))
    ]
    found.sort(key=lambda r: (r.created_at, r.id), reverse=True)  # newest first
    bodies = [shapes.workflow_run(call.site, repo, run) for run in found]
    if call.query.get("exclude_pull_requests", "false") == "true":
        for body in bodies:
            body["pull_requests"] = []
    page = _page(call, bodies)
    return Reply(200, {"total_count": len(found), "workflow_runs": page.body}, page.headers)


@route("GET", "/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts")
def list_run_artifacts(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    run = repo.workflow_run(_int(call, "run_id"))
    if run is None:
        raise NotFound()
    found = [a for a in run.artifacts if call.query.get("name") in (None, a.name)]
    found.sort(key=lambda a: (a.created_at, a.id), reverse=call.query.get("direction", "desc") == "desc")
    page = _page(call, [shapes.artifact(call.site, repo, run, a) for a in found])
    return Reply(200, {"total_count": len(found), "artifacts": page.body}, page.headers)


@route("GET", "/repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}")
def download_artifact(gh: FakeGitHub, call: Call) -> Reply:
    repo = _repo(gh, call)
    found = repo.artifact(_int(call, "artifact_id"))
    if found is None or call.params["archive_format"] != "zip":  # zip is the only format GitHub offers
        raise NotFound()
    item = found[1]
    if item.expired:
        raise Unprocessable("Artifact has expired", status=410)
    # GitHub redirects to a short-lived pre-signed URL on its blob storage; the token in it is the only credential.
    token = secrets.token_urlsafe(24)
    gh.signed_blobs[token] = item.data
    return Reply(302, None, {"Location": f"{call.site.web}{BLOB_PATH}{token}"})
