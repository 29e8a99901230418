"""GitHubApi: the REST plumbing the code host's parts share: one installation's requester, retried, paged."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from github import Github

from bot.adapters.github.retry import Retrying
from bot.ports import CodeHostError

__all__ = ["GitHubApi", "checked_repo", "next_link", "parse_when", "ref_path", "repo_url"]

T = TypeVar("T")

_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


class GitHubApi:
    """One installation's REST client: calls retried (reads alone, writes with their operation), pages followed."""

    def __init__(self, github: Github, *, retrying: Retrying | None = None, bot_login: str | None = None) -> None:
        self._requester = github.requester
        self._retrying = retrying or Retrying()
        self.bot_login = bot_login

    def download(self, operation: str, url: str, *, limit: int) -> bytes:
        """The bytes behind an API URL that redirects to storage (an artifact's zip); refused past `limit` bytes."""

        def read() -> bytes:
            # GitHub answers with a 302 to a short-lived signed URL on its blob storage, another host: it is fetched
            # without this installation's token, which must never leave GitHub's API.
            status, headers, _body = self._requester.requestJson("GET", url)
            location = next((v for k, v in headers.items() if k.lower() == "location"), "")
            if status != 302 or not location:
                raise CodeHostError(operation, f"HTTP {status} instead of a download link", status=status)
            data = bytearray()
            with requests.get(location, timeout=60, stream=True) as response:
                if response.status_code != 200:
                    raise CodeHostError(operation, f"the storage answered HTTP {response.status_code}")
                for chunk in response.iter_content(chunk_size=1 << 16):
                    data.extend(chunk)
                    if len(data) > limit:
                        raise CodeHostError(operation, f"it is larger than {limit} bytes, more than Olympus writes")
            return bytes(data)

        return self._call(operation, read)

    def api(
        self, operation: str, verb: str, url: str, *, params: dict[str, Any] | None = None, input: Any = None
    ) -> Any:
        """One REST call with this installation's client, retried; for adapters built on it (the ref locks)."""
        return self._call(operation, lambda: self._json(verb, url, params=params, input=input))

    def _call(self, operation: str, fn: Callable[[], T]) -> T:
        return self._retrying.call(operation, fn)

    def _json(
        self,
        verb: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        input: Any = None,
        retry: bool | None = None,
    ) -> Any:
        """One request's JSON. Reads, and writes the caller marks `retry` (doing them twice changes nothing), are
        retried on their own (Retrying.request); other writes are retried with the whole operation, which re-reads
        what the first try may have done before it writes again."""

        def send() -> Any:
            _headers, data = self._requester.requestJsonAndCheck(verb, url, parameters=params, input=input)
            return data

        if verb == "GET" if retry is None else retry:
            return self._retrying.request(f"{verb} {url}", send)
        return send()

    def _page(self, url: str, query: dict[str, Any] | None) -> tuple[dict[str, Any], Any]:
        return self._retrying.request(
            f"GET {url}", lambda: self._requester.requestJsonAndCheck("GET", url, parameters=query)
        )

    def _paged(self, url: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        next_url: str | None = url
        query: dict[str, Any] | None = {"per_page": 100, **(params or {})}
        while next_url:
            headers, data = self._page(next_url, query)
            yield from data
            next_url = next_link(headers.get("link", ""))
            query = None  # the next link carries the query


def checked_repo(repo: str) -> str:
    if not _REPO.fullmatch(repo):
        raise CodeHostError(f"use repository {repo!r}", "that is not an owner/name repository name")
    return repo


def repo_url(repo: str) -> str:
    return f"/repos/{checked_repo(repo)}"


def ref_path(branch: str) -> str:
    return quote(branch, safe="/")


def parse_when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def next_link(header: str) -> str | None:
    for part in header.split(","):
        section = part.split(";")
        if len(section) >= 2 and any(s.strip() == 'rel="next"' for s in section[1:]):
            return section[0].strip().strip("<>")
    return None
