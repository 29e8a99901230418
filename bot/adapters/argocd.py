"""Argo CD's REST API (sync, application, resource tree) over HTTP with a bearer token, retried on 5xx and no answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from bot.adapters.secret_masking import mask_secret_text
from bot.app_ports import ArgoCdError

__all__ = ["SERVER_SETTING", "TOKEN_FILE_SETTING", "ArgoCdClient", "read_token_file"]

log = logging.getLogger(__name__)
SERVER_SETTING = "OLYMPUS_ARGOCD_SERVER"
TOKEN_FILE_SETTING = "OLYMPUS_ARGOCD_TOKEN_FILE"  # noqa: S105 (the name of a setting)
# Argo CD's API paths (its swagger.json); names go into them percent-encoded, so a name cannot add a path segment.
_SYNC = "/api/v1/applications/{name}/sync"
_APPLICATION = "/api/v1/applications/{name}"
_TREE = "/api/v1/applications/{name}/resource-tree"
_MAX_DELAY = 30.0


def read_token_file(path: Path) -> str:
    """The Argo CD token kept in `path` (an account's API token: `argocd account generate-token`)."""
    try:
        token = path.expanduser().read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ArgoCdError(
            "argocd-token-missing",
            f"cannot read the Argo CD token file {str(path)!r}: {error.strerror or error}",
            f"point {TOKEN_FILE_SETTING} at a readable file holding the token of an Argo CD account allowed to sync",
        ) from None
    if not token:
        raise ArgoCdError(
            "argocd-token-missing",
            f"the Argo CD token file {str(path)!r} is empty",
            f"write the token (`argocd account generate-token --account olympus`) into it; {TOKEN_FILE_SETTING}",
        )
    return token


class ArgoCdClient:
    """ApplicationSyncer over Argo CD's REST API; the token only ever goes into the Authorization header."""

    def __init__(
        self,
        server: str,
        token: str,
        *,
        timeout: float = 15.0,
        retries: int = 4,
        first_delay: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        self._server = server.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._retries = retries
        self._first_delay = first_delay
        self._sleep = sleep
        self._session = session or requests.Session()

    def __repr__(self) -> str:
        return f"ArgoCdClient({self._server!r}, token='**********')"

    @property
    def server(self) -> str:
        return self._server

    def sync(self, name: str, *, dry_run: bool, prune: bool, revision: str) -> Mapping[str, Any]:
        # Fields as applicationApplicationSyncRequest names them; syncOptions would be {"items": [...]}, not a list.
        body = {"name": name, "dryRun": dry_run, "prune": prune, "revision": revision}
        verb = "dry-run sync" if dry_run else "sync"
        return self._call("POST", _SYNC, name, f"{verb} {name}", body)

    def application(self, name: str) -> Mapping[str, Any]:
        return self._call("GET", _APPLICATION, name, f"read Application {name}")

    def resource_tree(self, name: str) -> Mapping[str, Any]:
        return self._call("GET", _TREE, name, f"read the resources of {name}")

    def _call(
        self, method: str, template: str, name: str, what: str, body: Mapping[str, Any] | None = None
    ) -> Mapping[str, Any]:
        url = self._server + template.format(name=quote(name, safe=""))
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._session.request(method, url, headers=headers, json=body, timeout=self._timeout)
            except requests.RequestException as error:
                if attempt > self._retries:
                    raise self._unreachable(what, error, attempt) from None
                self._wait(what, f"no answer ({type(error).__name__})", attempt)
                continue
            if response.status_code >= 500 and attempt <= self._retries:
                self._wait(what, f"HTTP {response.status_code}", attempt)
                continue
            if response.status_code >= 400:
                raise self._refused(what, name, response, attempt)
            try:
                answer = response.json()
            except ValueError:
                raise ArgoCdError(
                    "argocd-failed",
                    f"Argo CD at {self._server} answered {what} with something that is not JSON",
                    f"check that {SERVER_SETTING} is the Argo CD server's base URL (https://argocd.example.com)",
                    status=response.status_code,
                ) from None
            if not isinstance(answer, dict):
                raise ArgoCdError(
                    "argocd-failed",
                    f"Argo CD at {self._server} answered {what} with JSON that is not an object",
                    f"check that {SERVER_SETTING} is the Argo CD server's base URL (https://argocd.example.com)",
                    status=200,
                )
            return answer

    def _wait(self, what: str, why: str, attempt: int) -> None:
        seconds = min(_MAX_DELAY, self._first_delay * 2 ** (attempt - 1))
        log.warning("Argo CD: %s: %s; retry %d in %.1fs", what, why, attempt, seconds)
        if seconds > 0:
            self._sleep(seconds)

    def _unreachable(self, what: str, error: requests.RequestException, attempts: int) -> ArgoCdError:
        return ArgoCdError(
            "argocd-unreachable",
            f"could not {what}: Argo CD at {self._server} did not answer after {attempts} attempts "
            f"({type(error).__name__})",
            f"check {SERVER_SETTING} (the server's base URL) and that Olympus can reach it; nothing was synced",
        )

    def _refused(self, what: str, name: str, response: requests.Response, attempts: int) -> ArgoCdError:
        status = response.status_code
        said = _message_of(response).replace(self._token, "**********")
        detail = f"could not {what}: Argo CD answered HTTP {status}" + (f": {said}" if said else "")
        if status in (401, 403):
            return ArgoCdError(
                "argocd-refused",
                detail,
                f"the token in {TOKEN_FILE_SETTING} is expired, or its account may not sync {name}: give the account "
                f"`applications, sync` and `applications, get` in Argo CD's RBAC (argocd-rbac-cm)",
                status=status,
            )
        if status == 404:
            return ArgoCdError(
                "argocd-app-unknown",
                f"Argo CD at {self._server} knows no Application named {name}",
                "Argo CD creates an Application from its file in argocd/apps/ only when an app-of-apps Application "
                "(or `argocd app create -f FILE`) manages that folder; create it once, then run `/infra sync` again",
                status=status,
            )
        if status >= 500:
            detail += f" after {attempts} attempts"
        return ArgoCdError("argocd-failed", detail, "run the sync again later (`/infra sync NAME`)", status=status)


def _message_of(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return mask_secret_text(response.text[:300].strip())
    message = (body.get("message") or body.get("error") or "") if isinstance(body, dict) else ""
    return mask_secret_text(str(message)[:300])
