"""The code host's check runs: created once (a retried POST looks first), updated, annotations in batches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.adapters.github import checks
from bot.adapters.github.api_client import GitHubApi, next_link, repo_url
from bot.domain.models import Finding

__all__ = ["LATE_CHECK_RUN_LOOKS", "CheckRuns"]

# Seconds between further looks for a check run whose creating POST got no answer, before it is sent again.
LATE_CHECK_RUN_LOOKS = (1.0, 2.0)


class CheckRuns(GitHubApi):
    """Check runs on a commit, as this App's (bot.ports.CodeHost's check-run half)."""

    def create_check_run(
        self,
        repo: str,
        head_sha: str,
        name: str,
        *,
        status: str = "in_progress",
        conclusion: str | None = None,
        title: str = "",
        summary: str = "",
        text: str = "",
        annotations: Sequence[Finding] = (),
        details_url: str = "",
        external_id: str = "",
    ) -> int:
        """A new check run; with `external_id`, the one already made for it on that commit if there is one.

        GitHub keeps every check run it is sent: a POST retried after a timeout, or a job run again, would add a
        second run for one request. The external id names the request, so a second try finds the first one's run.
        """
        batches = checks.batches(annotations)
        body: dict[str, Any] = {"name": name, "head_sha": head_sha}
        body.update(_status(status, conclusion))
        if title or summary or text or batches[0]:
            body["output"] = checks.output(title or name, summary, text, batches[0])
        if details_url:
            body["details_url"] = details_url
        if external_id:
            body["external_id"] = external_id

        tries = 0

        def create() -> Any:
            nonlocal tries
            tries += 1
            if external_id:
                # A try after the first follows a POST that may have failed only on the way back, and GitHub may
                # still be carrying it out: look again for a while before sending another, since the API takes no
                # idempotency key and a second POST that lands is a second run for good.
                waits = (0.0, *LATE_CHECK_RUN_LOOKS) if tries > 1 else (0.0,)
                for wait in waits:
                    self._retrying.pause(wait)
                    found = self._check_run_for(repo, head_sha, name, external_id)
                    if found is not None:
                        return found
            return self._json("POST", f"{repo_url(repo)}/check-runs", input=body)

        created = self._call(f"create check run {name!r} on {head_sha[:12]} in {repo}", create)
        check_run_id = int(created["id"])
        self._more_annotations(repo, check_run_id, title or name, summary, batches[1:])
        return check_run_id

    def unfinished_check_runs(self, repo: str, head_sha: str, name_prefix: str) -> list[int]:
        """This App's check runs on the commit whose name starts with name_prefix and that are not completed."""

        def read() -> list[int]:
            found: list[int] = []
            url = f"{repo_url(repo)}/commits/{head_sha}/check-runs"
            query: dict[str, Any] | None = {"filter": "all", "per_page": 100}
            while url:
                headers, data = self._page(url, query)
                found += [
                    int(run["id"])
                    for run in data.get("check_runs") or []
                    if str(run.get("name", "")).startswith(name_prefix)
                    and run.get("status") != "completed"
                    and self._is_ours(run.get("app"))
                ]
                url = next_link(headers.get("link", "")) or ""
                query = None
            return found

        return self._call(f"list the unfinished check runs on {head_sha[:12]} in {repo}", read)

    def _is_ours(self, app: Any) -> bool:
        if self.bot_login is None:
            return True
        return isinstance(app, dict) and f"{app.get('slug')}[bot]".lower() == self.bot_login.lower()

    def _check_run_for(self, repo: str, head_sha: str, name: str, external_id: str) -> dict[str, Any] | None:
        url = f"{repo_url(repo)}/commits/{head_sha}/check-runs"
        # filter=all: the latest run of a name may be another request's; ours is any of them.
        params = {"check_name": name, "filter": "all", "per_page": 100}
        query: dict[str, Any] | None = params
        while url:
            headers, data = self._page(url, query)
            for run in data.get("check_runs") or []:
                if run.get("external_id") == external_id:
                    return dict(run)
            url = next_link(headers.get("link", "")) or ""
            query = None  # the next link carries the query
        return None

    def update_check_run(
        self,
        repo: str,
        check_run_id: int,
        *,
        status: str | None = None,
        conclusion: str | None = None,
        title: str = "",
        summary: str = "",
        text: str = "",
        annotations: Sequence[Finding] = (),
    ) -> None:
        batches = checks.batches(annotations)
        body: dict[str, Any] = _status(status, conclusion) if status or conclusion else {}
        if title or summary or text or batches[0]:
            body["output"] = checks.output(title, summary, text, batches[0])
        self._call(
            f"update check run {check_run_id} in {repo}",
            lambda: self._json("PATCH", f"{repo_url(repo)}/check-runs/{int(check_run_id)}", input=body),
        )
        self._more_annotations(repo, check_run_id, title, summary, batches[1:])

    def _more_annotations(
        self, repo: str, check_run_id: int, title: str, summary: str, rest: list[list[dict[str, Any]]]
    ) -> None:
        # GitHub appends the annotations of each update to the ones already there; title and summary are required.
        for batch in rest:
            output = checks.output(title, summary, "", batch)
            self._call(
                f"add annotations to check run {check_run_id} in {repo}",
                lambda output=output: self._json(  # type: ignore[misc]
                    "PATCH", f"{repo_url(repo)}/check-runs/{int(check_run_id)}", input={"output": output}
                ),
            )


def _status(status: str | None, conclusion: str | None) -> dict[str, Any]:
    if conclusion is not None:
        return {"status": "completed", "conclusion": conclusion}
    return {"status": status or "in_progress"}
