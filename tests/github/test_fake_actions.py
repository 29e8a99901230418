"""The fake GitHub's Actions endpoints (workflow runs, artifacts, downloads) through PyGithub's real HTTP client."""

from __future__ import annotations

import hashlib
import io
import urllib.error
import urllib.request
import zipfile
from typing import Any

import pytest
import requests
from github import Auth, Github, GithubException

REPO = "acme/infra"
PLAN = ".github/workflows/olympus.yml"
RECORD = "olympus-plan-record"
RECORD_FILE = "record.json"


@pytest.fixture
def fake(fake_github: Any) -> Any:
    fake_github.add_repo(REPO)
    return fake_github


@pytest.fixture
def gh(fake: Any) -> Github:
    # A workflow job's GITHUB_TOKEN, as the Action's apply job has; retry=None: a failure is the answer under test.
    return Github(auth=Auth.Token(fake.actions_token()), base_url=fake.base_url, retry=None)


def get(gh: Github, url: str, **parameters: Any) -> tuple[dict[str, Any], Any]:
    return gh.requester.requestJsonAndCheck("GET", url, parameters=parameters or None)


def run_ids(gh: Github, **parameters: Any) -> list[int]:
    _headers, data = get(gh, f"/repos/{REPO}/actions/runs", **parameters)
    return [run["id"] for run in data["workflow_runs"]]


def download(gh: Github, url: str) -> bytes:
    _status, _headers, chunks = gh.requester.getStream(url, chunk_size=65536)
    return b"".join(chunks)


def test_runs_filter_on_commit_event_status_and_branch_newest_first(fake: Any, gh: Github) -> None:
    head, other = "a" * 40, "b" * 40
    first = fake.add_workflow_run(REPO, path=PLAN, head_sha=head)
    pushed = fake.add_workflow_run(REPO, path=PLAN, head_sha=head, event="push")
    elsewhere = fake.add_workflow_run(REPO, path=PLAN, head_sha=other)
    failed = fake.add_workflow_run(REPO, path=PLAN, head_sha=head, conclusion="failure", head_branch="feature")
    running = fake.add_workflow_run(REPO, path=PLAN, head_sha=head, status="in_progress")

    assert run_ids(gh) == [running, failed, elsewhere, pushed, first]
    assert run_ids(gh, head_sha=head, event="pull_request") == [running, failed, first]
    assert run_ids(gh, head_sha=head, status="completed") == [failed, pushed, first]
    assert run_ids(gh, head_sha=head, status="success") == [pushed, first]  # a conclusion
    assert run_ids(gh, status="failure") == [failed]
    assert run_ids(gh, status="in_progress") == [running]
    assert run_ids(gh, branch="feature") == [failed]
    assert run_ids(gh, head_sha="c" * 40) == []
    # Runs made within one second still have distinct, increasing creation times.
    _headers, data = get(gh, f"/repos/{REPO}/actions/runs")
    created = [run["created_at"] for run in data["workflow_runs"]]
    assert created == sorted(created, reverse=True) and len(set(created)) == len(created)
    assert fake.violations == []


def test_runs_are_paged_with_a_link_to_the_next_page(fake: Any, gh: Github) -> None:
    made = [fake.add_workflow_run(REPO, path=PLAN, head_sha="a" * 40) for _ in range(5)]
    newest_first = made[::-1]

    pages = []
    for page in (1, 2, 3):
        headers, data = get(gh, f"/repos/{REPO}/actions/runs", per_page=2, page=page)
        assert data["total_count"] == 5
        pages.append(([run["id"] for run in data["workflow_runs"]], 'rel="next"' in headers.get("link", "")))

    assert pages == [(newest_first[0:2], True), (newest_first[2:4], True), (newest_first[4:], False)]
    assert fake.violations == []


def test_a_run_describes_its_commit_workflow_and_repository(fake: Any, gh: Github) -> None:
    number = fake.open_pull_request(REPO, head="change", base="main", title="Add dev", author="alice", files={"x": "1"})
    head = fake.repo(REPO).pulls[number].head_sha
    earlier = fake.add_workflow_run(REPO, path=PLAN, head_sha=head, head_branch="change")
    run_id = fake.add_workflow_run(REPO, path=PLAN, head_sha=head, head_branch="change")
    other_workflow = fake.add_workflow_run(REPO, path=".github/workflows/ci.yml", head_sha=head, head_branch="change")

    _headers, data = get(gh, f"/repos/{REPO}/actions/runs", head_sha=head)
    runs = {run["id"]: run for run in data["workflow_runs"]}
    run = runs[run_id]

    assert (run["path"], run["event"], run["head_sha"], run["head_branch"]) == (PLAN, "pull_request", head, "change")
    assert (run["status"], run["conclusion"]) == ("completed", "success")
    assert [runs[i]["run_number"] for i in (earlier, run_id, other_workflow)] == [1, 2, 1]  # counted per workflow
    assert run["url"] == f"{fake.base_url}/repos/{REPO}/actions/runs/{run_id}"
    assert run["artifacts_url"] == f"{run['url']}/artifacts"
    assert run["repository"]["full_name"] == run["head_repository"]["full_name"] == REPO
    assert run["repository"]["id"] == run["head_repository"]["id"] == fake.repo(REPO).id
    assert run["head_commit"]["id"] == head and run["display_title"] == "Add dev"
    assert [pull["number"] for pull in run["pull_requests"]] == [number]
    assert run["workflow_id"] == runs[earlier]["workflow_id"] != runs[other_workflow]["workflow_id"]
    assert fake.violations == []


def test_artifacts_of_a_run_filter_on_name(fake: Any, gh: Github) -> None:
    head = "a" * 40
    run_id = fake.add_workflow_run(
        REPO, path=PLAN, head_sha=head, artifacts={RECORD: {RECORD_FILE: b"{}"}, "logs": {"plan.log": b"ok"}}
    )

    _headers, everything = get(gh, f"/repos/{REPO}/actions/runs/{run_id}/artifacts")
    _headers, named = get(gh, f"/repos/{REPO}/actions/runs/{run_id}/artifacts", name=RECORD)

    assert everything["total_count"] == 2 and {a["name"] for a in everything["artifacts"]} == {RECORD, "logs"}
    assert named["total_count"] == 1
    (artifact,) = named["artifacts"]
    assert artifact["name"] == RECORD and artifact["expired"] is False
    assert artifact["archive_download_url"] == f"{fake.base_url}/repos/{REPO}/actions/artifacts/{artifact['id']}/zip"
    assert artifact["workflow_run"] == {
        "id": run_id,
        "repository_id": fake.repo(REPO).id,
        "head_repository_id": fake.repo(REPO).id,
        "head_branch": "main",
        "head_sha": head,
    }
    assert artifact["expires_at"] > artifact["created_at"]
    _headers, page = get(gh, f"/repos/{REPO}/actions/runs/{run_id}/artifacts", per_page=1, page=2)
    assert page["total_count"] == 2 and len(page["artifacts"]) == 1
    assert fake.violations == []


def test_an_artifact_downloads_as_a_zip_of_its_files(fake: Any, gh: Github) -> None:
    run_id = fake.add_workflow_run(REPO, path=PLAN, head_sha="a" * 40, artifacts={RECORD: {RECORD_FILE: b'{"v": 1}'}})
    _headers, data = get(gh, f"/repos/{REPO}/actions/runs/{run_id}/artifacts", name=RECORD)
    (artifact,) = data["artifacts"]

    archive = download(gh, artifact["archive_download_url"])

    with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
        assert bundle.namelist() == [RECORD_FILE]
        assert bundle.read(RECORD_FILE) == b'{"v": 1}'
    assert artifact["size_in_bytes"] == len(archive)
    assert artifact["digest"] == "sha256:" + hashlib.sha256(archive).hexdigest()
    # The API answers with a redirect; the bytes come from the signed storage URL it names.
    served = [(r.path.split("/")[1], r.status) for r in fake.requests[-2:]]
    assert served == [("repos", 302), ("_blobs", 200)]
    assert fake.violations == []


def test_the_signed_blob_url_needs_no_authorization(fake: Any, gh: Github) -> None:
    run_id = fake.add_workflow_run(REPO, path=PLAN, head_sha="a" * 40, artifacts={RECORD: {RECORD_FILE: b"{}"}})
    _headers, data = get(gh, f"/repos/{REPO}/actions/runs/{run_id}/artifacts")
    # requestJsonAndCheck does not follow the redirect: the Location is the signed URL.
    headers, _body = get(gh, data["artifacts"][0]["archive_download_url"])
    location = headers["location"]
    assert location.startswith(f"{fake.base_url}/_blobs/")

    with urllib.request.urlopen(location, timeout=5) as response:  # no Authorization header
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/zip"
        archive = response.read()
    with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
        assert bundle.read(RECORD_FILE) == b"{}"

    with pytest.raises(urllib.error.HTTPError) as unknown:
        urllib.request.urlopen(f"{fake.base_url}/_blobs/not-a-token", timeout=5)
    assert unknown.value.code == 404
    assert fake.violations == []


def test_unknown_runs_and_artifacts_are_not_found(fake: Any, gh: Github) -> None:
    run_id = fake.add_workflow_run(REPO, path=PLAN, head_sha="a" * 40, artifacts={RECORD: {RECORD_FILE: b"{}"}})
    _headers, data = get(gh, f"/repos/{REPO}/actions/runs/{run_id}/artifacts")
    artifact_id = data["artifacts"][0]["id"]

    with pytest.raises(GithubException) as no_run:
        get(gh, f"/repos/{REPO}/actions/runs/999999/artifacts")
    with pytest.raises(GithubException) as no_artifact:
        get(gh, f"/repos/{REPO}/actions/artifacts/999999/zip")
    with pytest.raises(GithubException) as no_format:
        get(gh, f"/repos/{REPO}/actions/artifacts/{artifact_id}/tar")
    with pytest.raises(requests.HTTPError) as streamed:
        download(gh, f"/repos/{REPO}/actions/artifacts/999999/zip")

    assert [no_run.value.status, no_artifact.value.status, no_format.value.status] == [404, 404, 404]
    assert streamed.value.response is not None and streamed.value.response.status_code == 404
    assert fake.violations == []


def test_an_expired_artifact_is_listed_but_gone(fake: Any, gh: Github) -> None:
    run_id = fake.add_workflow_run(REPO, path=PLAN, head_sha="a" * 40, artifacts={RECORD: {RECORD_FILE: b"{}"}})
    fake.expire_artifact(REPO, run_id, RECORD)

    _headers, data = get(gh, f"/repos/{REPO}/actions/runs/{run_id}/artifacts", name=RECORD)
    (artifact,) = data["artifacts"]
    assert artifact["expired"] is True

    # requestJsonAndCheck raises GitHub's error; getStream lets requests raise on the status.
    with pytest.raises(GithubException) as gone:
        get(gh, artifact["archive_download_url"])
    with pytest.raises(requests.HTTPError) as streamed:
        download(gh, artifact["archive_download_url"])

    assert gone.value.status == 410 and gone.value.data["message"] == "Artifact has expired"
    assert streamed.value.response is not None and streamed.value.response.status_code == 410
    assert not any(r.path.startswith("/_blobs/") for r in fake.requests)
    assert fake.violations == []


def test_filters_the_fake_does_not_implement_are_reported(fake: Any, gh: Github) -> None:
    fake.add_workflow_run(REPO, path=PLAN, head_sha="a" * 40)

    get(gh, f"/repos/{REPO}/actions/runs", actor="alice")

    assert fake.violations == [f"GET /repos/{REPO}/actions/runs: the fake does not implement the 'actor' filter"]
    fake.violations.clear()


def test_an_unfinished_run_has_no_conclusion(fake: Any, gh: Github) -> None:
    run_id = fake.add_workflow_run(REPO, path=PLAN, head_sha="a" * 40, status="queued")

    _headers, data = get(gh, f"/repos/{REPO}/actions/runs")

    assert [(r["id"], r["status"], r["conclusion"]) for r in data["workflow_runs"]] == [(run_id, "queued", None)]
    with pytest.raises(ValueError, match="status must be one of"):
        fake.add_workflow_run(REPO, path=PLAN, head_sha="a" * 40, status="success")
    assert fake.violations == []
