"""The plan workflow's runs for a commit and the record artifact each uploaded, read through the Actions REST API."""

from __future__ import annotations

import io
import zipfile

from bot.adapters.github.codehost import GitHubCodeHost
from bot.domain.authorship import Push
from bot.domain.plan_evidence import RECORD_ARTIFACT, RECORD_FILE, PlanRun

# A record is a few hundred bytes per project; anything this large is not one.
MAX_RECORD_BYTES = 1 << 20
# Runs of one commit: re-runs and pushes of the same commit stay far below this many pages.
MAX_PAGES = 5


class GitHubPlanRecords:
    """Finds the runs GitHub made for a commit and reads the plan record one of them uploaded (needs actions: read)."""

    def __init__(self, codehost: GitHubCodeHost) -> None:
        self.codehost = codehost

    def runs_at(self, repo: str, head: str) -> list[PlanRun]:
        """The repository's `pull_request` workflow runs for commit `head`."""
        runs: list[PlanRun] = []
        for page in range(1, MAX_PAGES + 1):
            params = {"head_sha": head, "event": "pull_request", "per_page": 100, "page": page}
            data = self.codehost.api(
                f"list the workflow runs of {head[:12]} in {repo}", "GET", f"/repos/{repo}/actions/runs", params=params
            )
            found = data.get("workflow_runs") or []
            runs.extend(
                PlanRun(
                    id=int(r["id"]),
                    path=str(r.get("path") or ""),
                    event=str(r.get("event") or ""),
                    head_sha=str(r.get("head_sha") or ""),
                    status=str(r.get("status") or ""),
                    created_at=str(r.get("created_at") or ""),
                )
                for r in found
            )
            if len(found) < 100:
                break
        return runs

    def pushes_to(self, repo: str, head_branch: str) -> list[Push]:
        """Who pushed to a pull request's branch, oldest first: GitHub starts a `pull_request` run per push (opened,
        synchronize, reopened) and records its `actor`, the person whose push triggered it."""
        pushes: list[Push] = []
        for page in range(1, MAX_PAGES + 1):
            params = {"branch": head_branch, "event": "pull_request", "per_page": 100, "page": page}
            data = self.codehost.api(
                f"list the pull_request runs of branch {head_branch} in {repo}",
                "GET",
                f"/repos/{repo}/actions/runs",
                params=params,
            )
            found = data.get("workflow_runs") or []
            pushes.extend(
                Push(str((r.get("actor") or {}).get("login") or ""), str(r.get("head_sha") or ""))
                for r in found
                if r.get("head_branch") == head_branch
            )
            if len(found) < 100:
                break
        return [p for p in reversed(pushes) if p.who]  # GitHub lists the newest first

    def record_of(self, repo: str, run_id: int) -> str | None:
        """The text of the run's plan record ("" when unreadable); None when the run uploaded none, or it expired."""
        data = self.codehost.api(
            f"list the artifacts of run {run_id} in {repo}",
            "GET",
            f"/repos/{repo}/actions/runs/{int(run_id)}/artifacts",
            params={"name": RECORD_ARTIFACT, "per_page": 100},
        )
        artifacts = [
            a for a in data.get("artifacts") or [] if a.get("name") == RECORD_ARTIFACT and not a.get("expired")
        ]
        if not artifacts:
            return None
        newest = max(artifacts, key=lambda a: (str(a.get("created_at") or ""), int(a["id"])))
        archive = self.codehost.download(
            f"download the {RECORD_ARTIFACT} artifact of run {run_id} in {repo}",
            str(newest["archive_download_url"]),
            limit=MAX_RECORD_BYTES,
        )
        try:
            with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
                info = bundle.getinfo(RECORD_FILE)
                if info.file_size > MAX_RECORD_BYTES:
                    return None
                return bundle.read(info).decode("utf-8", "replace")
        except (zipfile.BadZipFile, KeyError):
            return ""  # an artifact of that name that is not a record: the gate refuses it as unreadable
