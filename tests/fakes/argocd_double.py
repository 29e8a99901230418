"""An Argo CD API server on loopback: Applications with sync state, health and history, checked against Argo CD's own
Swagger description on every request and response, and told to fail, stay degraded or be slow."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from .argocd_swagger import ArgoCdSwagger

APPS = "/api/v1/applications"
SYNC_PATH = "/api/v1/applications/{name}/sync"
APP_PATH = "/api/v1/applications/{name}"
TREE_PATH = "/api/v1/applications/{applicationName}/resource-tree"
NOW = "2026-12-02T17:00:00Z"
# gRPC status codes, as Argo CD's gateway puts them in a runtimeError's `code`.
GRPC_CODES = {400: 9, 401: 16, 403: 7, 404: 5, 500: 13, 502: 14, 503: 14, 504: 4}


@dataclass
class Resource:
    """One object an Application manages, and the health it reaches after a sync."""

    kind: str
    name: str
    group: str = ""
    version: str = "v1"
    health: str = "Healthy"
    message: str = ""


@dataclass
class FakeApplication:
    """One Application's spec and state; `outcome` is the health a sync ends in, after `progressing_polls` GETs."""

    name: str
    namespace: str = "default"
    project: str = "data-apps"
    repo_url: str = "https://github.com/octo-org/infra.git"
    path: str = "helm/charts/example-data-app"
    prune_policy: bool | None = None  # spec.syncPolicy.automated.prune; None: no automated policy at all
    resources: list[Resource] = field(default_factory=list)
    outcome: str = "Healthy"
    progressing_polls: int = 1
    dry_run_failure: str = ""  # a dry run that fails with this message
    sync_status: str = "OutOfSync"
    health: str = "Missing"
    revision: str = ""
    history: list[dict[str, Any]] = field(default_factory=list)
    operation: dict[str, Any] | None = None
    operation_state: dict[str, Any] | None = None
    polls_left: int = 0
    syncs: list[dict[str, Any]] = field(default_factory=list)  # every sync request's body, dry runs included

    def as_json(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "project": self.project,
            "source": {
                "repoURL": self.repo_url,
                "path": self.path,
                "targetRevision": "HEAD",
                "helm": {"valueFiles": ["values.yaml"]},
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": self.namespace},
        }
        if self.prune_policy is not None:
            spec["syncPolicy"] = {"automated": {"prune": self.prune_policy, "selfHeal": False}}
        status: dict[str, Any] = {
            "sync": {"status": self.sync_status, "revision": self.revision},
            "health": {"status": self.health},
            "history": self.history,
            "reconciledAt": NOW,
            "resources": [
                {
                    "kind": r.kind,
                    "name": r.name,
                    "namespace": self.namespace,
                    "group": r.group,
                    "version": r.version,
                    "status": self.sync_status,
                    "health": {"status": self._resource_health(r)},
                }
                for r in self.resources
            ],
        }
        if self.operation_state is not None:
            status["operationState"] = self.operation_state
        body: dict[str, Any] = {
            "metadata": {"name": self.name, "namespace": "argocd", "uid": f"uid-{self.name}", "resourceVersion": "1"},
            "spec": spec,
            "status": status,
        }
        if self.operation is not None:
            body["operation"] = self.operation
        return body

    def tree(self) -> dict[str, Any]:
        nodes = []
        for r in self.resources:
            health: dict[str, Any] = {"status": self._resource_health(r)}
            if r.message and health["status"] != "Healthy":
                health["message"] = r.message
            node = {"kind": r.kind, "name": r.name, "namespace": self.namespace, "version": r.version}
            nodes.append({**node, "group": r.group, "uid": f"uid-{r.name}", "health": health, "createdAt": NOW})
        return {"nodes": nodes}

    def _resource_health(self, resource: Resource) -> str:
        if self.health in ("Missing", "Progressing"):
            return self.health
        return resource.health if self.outcome != "Healthy" else "Healthy"


@dataclass(frozen=True)
class Seen:
    method: str
    path: str  # as sent, percent-encoded
    query: dict[str, list[str]]
    body: Any
    status: int


@dataclass
class _Fault:
    pattern: str
    status: int
    times: int


class FakeArgoCd:
    """The double: `url` and `token` to reach it; `add` Applications, `fail` requests, `slow` every answer."""

    def __init__(self, swagger: ArgoCdSwagger, token: str = "argocd-test-token") -> None:
        self.swagger = swagger
        self.token = token
        self.apps: dict[str, FakeApplication] = {}
        self.seen: list[Seen] = []
        self.violations: list[str] = []
        self.delay = 0.0
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.double = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def add(self, app: FakeApplication) -> FakeApplication:
        self.apps[app.name] = app
        return app

    def fail(self, status: int, times: int = 1, pattern: str = ".*") -> None:
        """The next `times` requests whose path matches `pattern` are answered with `status` (5xx, 403, 404...)."""
        self._faults.append(_Fault(pattern, status, times))

    def slow(self, seconds: float) -> None:
        """Every answer waits this long before it is sent."""
        self.delay = seconds

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def requests_to(self, method: str, suffix: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method and s.path.endswith(suffix)]

    # --- the API -----------------------------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        parts = urllib.parse.urlsplit(target)
        path = parts.path  # routed as sent: an encoded "/" inside a name stays inside the name
        query = urllib.parse.parse_qs(parts.query)
        body = json.loads(raw) if raw else None
        with self._lock:
            status, answer, template = self._answer(method, path, headers, body)
            self.seen.append(Seen(method, path, query, body, status))
        if template is not None:
            definition = self.swagger.response_schema(template, method.lower(), status)
            self.violations += [f"response to {method} {path}: {p}" for p in self.swagger.problems(definition, answer)]
        if self.delay:
            time.sleep(self.delay)
        return status, answer

    def _answer(self, method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any, str | None]:
        route = _route(method, path)
        if route is None:
            self.violations.append(f"{method} {path} is not an operation the double serves")
            return 404, _error(404, "Not Found"), None
        template, name = route
        if headers.get("authorization") != f"Bearer {self.token}":
            return 401, _error(401, "no session information"), template
        for fault in self._faults:
            if fault.times > 0 and re.search(fault.pattern, path):
                fault.times -= 1
                message = _FAULT_MESSAGES.get(fault.status, "injected failure")
                return fault.status, _error(fault.status, message), template
        if template == SYNC_PATH:
            if headers.get("content-type", "").split(";")[0] != "application/json":
                self.violations.append(f"POST {path} without a JSON Content-Type")
            problems = self.swagger.problems(self.swagger.body_schema(SYNC_PATH, "post"), body)
            if problems:
                self.violations += [f"request POST {path}: {p}" for p in problems]
                return 400, _error(400, "; ".join(problems)), template
        if template == APPS:
            return 200, {"items": [app.as_json() for app in self.apps.values()], "metadata": {}}, template
        app = self.apps.get(name)
        if app is None:
            return 404, _error(404, f'applications.argoproj.io "{name}" not found'), template
        if template == SYNC_PATH:
            return self._sync(app, body)
        if template == TREE_PATH:
            return 200, app.tree(), template
        self._advance(app)
        return 200, app.as_json(), template

    def _sync(self, app: FakeApplication, body: dict[str, Any]) -> tuple[int, Any, str]:
        if app.operation_state is not None and app.operation_state["phase"] == "Running":
            return 400, _error(400, "another operation is already in progress"), SYNC_PATH
        app.syncs.append(body)
        operation = {
            "sync": {
                "dryRun": bool(body.get("dryRun")),
                "prune": bool(body.get("prune")),
                "revision": str(body.get("revision") or ""),
                "syncOptions": list((body.get("syncOptions") or {}).get("items") or []),
            },
            "initiatedBy": {"username": "olympus"},
        }
        app.operation = operation
        app.operation_state = {"operation": operation, "phase": "Running", "startedAt": NOW}
        app.polls_left = 0 if body.get("dryRun") else app.progressing_polls
        if not body.get("dryRun"):
            app.health = "Progressing"
        return 200, app.as_json(), SYNC_PATH

    def _advance(self, app: FakeApplication) -> None:
        """One GET moves a running operation on: a dry run ends at once, a sync after `progressing_polls` GETs."""
        state = app.operation_state
        if state is None or state["phase"] != "Running":
            return
        if app.polls_left > 0:
            app.polls_left -= 1
            return
        sync = state["operation"]["sync"]
        app.operation = None
        state["finishedAt"] = NOW
        if sync["dryRun"]:
            failed = bool(app.dry_run_failure)
            state["phase"] = "Failed" if failed else "Succeeded"
            state["message"] = app.dry_run_failure or "successfully synced (dry run)"
            return
        revision = sync["revision"] or "HEAD"
        state.update(phase="Succeeded", message="successfully synced (all tasks run)")
        state["syncResult"] = {"revision": revision, "resources": [_result(r, app.namespace) for r in app.resources]}
        app.sync_status, app.revision = "Synced", revision
        app.health = app.outcome
        app.history.append({"id": len(app.history) + 1, "revision": revision, "deployedAt": NOW})


_FAULT_MESSAGES = {403: "permission denied", 404: "not found", 503: "service unavailable", 500: "internal error"}


def _result(resource: Resource, namespace: str) -> dict[str, Any]:
    return {
        "kind": resource.kind,
        "name": resource.name,
        "namespace": namespace,
        "group": resource.group,
        "version": resource.version,
        "status": "Synced",
        "message": f"{resource.kind.lower()}/{resource.name} configured",
        "syncPhase": "Sync",
    }


def _error(status: int, message: str) -> dict[str, Any]:
    return {"error": message, "message": message, "code": GRPC_CODES.get(status, 2)}


def _route(method: str, path: str) -> tuple[str, str] | None:
    if method == "GET" and path == APPS:
        return APPS, ""
    found = re.fullmatch(r"/api/v1/applications/([^/]+)(/sync|/resource-tree)?", path)
    if found is None:
        return None
    name, tail = urllib.parse.unquote(found.group(1)), found.group(2) or ""
    routes = {("POST", "/sync"): SYNC_PATH, ("GET", "/resource-tree"): TREE_PATH, ("GET", ""): APP_PATH}
    template = routes.get((method, tail))
    return (template, name) if template else None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return  # tests read `seen`, not stderr

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        double: FakeArgoCd = self.server.double  # type: ignore[attr-defined]
        status, body = double.handle(self.command, self.path, headers, raw)
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client timed out and left

    do_GET = do_POST = _serve


@pytest.fixture(scope="session")
def argocd_swagger(fixtures_dir: Path) -> ArgoCdSwagger:
    return ArgoCdSwagger.load(fixtures_dir)


@pytest.fixture
def argocd_double(argocd_swagger: ArgoCdSwagger) -> Iterator[FakeArgoCd]:
    """A running FakeArgoCd; the test fails at teardown if a request or response broke Argo CD's description."""
    double = FakeArgoCd(argocd_swagger)
    try:
        yield double
    finally:
        double.stop()
    if double.violations:
        pytest.fail("the Argo CD double saw what Argo CD's description refuses:\n- " + "\n- ".join(double.violations))
