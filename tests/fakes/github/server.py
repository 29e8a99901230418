"""The fake's HTTP side: a threaded loopback server that authenticates, validates, injects faults and dispatches."""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from . import oauth_routes, routes, shapes
from .auth import AuthError
from .routes import Call, NotFound, Reply, Unprocessable

if TYPE_CHECKING:
    from .fake import FakeGitHub

# GitHub Enterprise Server serves the REST API under /api/v3; the fake answers there and at the root alike.
GHES_PREFIX = "/api/v3"
RATE_LIMIT = 5000


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # relative to the API root, percent-decoded
    query: dict[str, str]
    json: Any
    status: int


@dataclass
class Fault:
    method: str
    pattern: str
    times: int
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    seconds: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        import re

        return self.times > 0 and self.method in ("*", method) and re.search(self.pattern, path) is not None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        # Request lines carry no secrets, but tests read the recorded requests instead of stderr.
        return

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, body, headers = self.server.dispatcher.handle(
            self.command, self.path, dict(self.headers.items()), raw, self.server.server_address[1]
        )
        # Bytes are a blob's content, sent as they are with the Content-Type the dispatcher gave; the rest is JSON.
        raw_body = isinstance(body, bytes)
        payload = body if raw_body else b"" if body is None else json.dumps(body).encode()
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if payload and not raw_body:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a delayed response past its timeout): GitHub would have done the work anyway.
            self.close_connection = True

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    dispatcher: Dispatcher

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (a timeout) or died (a killed process) resets its connection: that is no error here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class HttpFront:
    """Starts and stops the loopback server for a FakeGitHub."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.dispatcher = dispatcher
        self.port = self._server.server_address[1]
        # A short poll keeps stop() quick: shutdown() waits for the loop's next poll.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-github", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class Dispatcher:
    """The pipeline every request goes through, in GitHub's order: auth, validation, then the operation."""

    def __init__(self, fake: FakeGitHub) -> None:
        self.fake = fake
        self.started = time.time()
        self.count = 0
        self.served = 0  # requests dispatched to an operation, to sample validation by

    def rate_headers(self, overrides: dict[str, str] | None = None) -> dict[str, str]:
        remaining = max(RATE_LIMIT - self.count, 0)
        headers = {
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Used": str(RATE_LIMIT - remaining),
            "X-RateLimit-Reset": str(int(self.started + 3600)),
            "X-RateLimit-Resource": "core",
            "X-GitHub-Media-Type": "github.v3; format=json",
        }
        headers.update(overrides or {})
        return headers

    def handle(
        self, method: str, raw_target: str, headers: dict[str, str], raw: bytes, port: int
    ) -> tuple[int, Any, dict[str, str]]:
        fake = self.fake
        target = urllib.parse.urlsplit(raw_target)
        encoded_path = target.path
        prefix = GHES_PREFIX if encoded_path == GHES_PREFIX or encoded_path.startswith(GHES_PREFIX + "/") else ""
        encoded_path = encoded_path[len(prefix) :] or "/"
        path = urllib.parse.unquote(encoded_path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(target.query, keep_blank_values=True).items()}
        if not prefix and path.startswith(oauth_routes.OAUTH_PREFIX):
            # The web host's OAuth flow: forms and redirects, not the REST API its description covers.
            with fake.lock:
                status, body, extra = oauth_routes.handle(fake, method, path, query, headers, raw)
                fake.requests.append(RecordedRequest(method, path, query, None, status))
            return status, body, extra
        # A pre-signed storage URL (an artifact's zip) is not the REST API: its token is the credential.
        blob = not prefix and method == "GET" and path.startswith(routes.BLOB_PATH)
        site = shapes.Site(
            spec=fake.spec,
            api=f"http://127.0.0.1:{port}{prefix}",
            web=f"http://127.0.0.1:{port}",
            app_id=fake.app_id,
            app_slug=fake.app_slug,
            installation_id=fake.installation_id,
        )
        body_json: Any = None
        delay = 0.0
        outage = None
        with fake.lock:
            if not blob:  # blob storage does not count against the API's rate limit
                self.count += 1
            if raw:
                try:
                    body_json = json.loads(raw)
                except ValueError:
                    fake.violations.append(f"{method} {path}: body is not JSON")
                    return self._finish(method, path, query, None, 400, shapes.error("Problems parsing JSON", 400), {})
            delayed = next((f for f in fake.faults if f.seconds and f.matches(method, path)), None)
            if delayed is not None:
                delayed.times -= 1
                delay = delayed.seconds
            outage = fake.outages.draw() if fake.outages is not None and not blob else None
            if outage is not None and outage.status:
                return self._finish(method, path, query, body_json, outage.status, outage.body, outage.headers)
        if delay:
            time.sleep(delay)  # outside the lock: other requests go on meanwhile, as on GitHub
        with fake.lock:
            if blob:
                return self._blob(method, path, query)
            answer = self._dispatch(method, path, encoded_path, query, headers, raw, body_json, site)
        if outage is not None:
            time.sleep(outage.hang_seconds)  # done, but answered after the client has stopped waiting
        return answer

    def _blob(self, method: str, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        """A signed blob URL, served before validation and auth: it needs no Authorization and answers raw bytes."""
        fake = self.fake
        fault = next((f for f in fake.faults if f.status and f.matches(method, path)), None)
        if fault is not None:
            fault.times -= 1
            status, body, headers = fault.status, fault.body, fault.headers
        else:
            content = fake.signed_blobs.get(path[len(routes.BLOB_PATH) :])
            status, body = (200, content) if content is not None else (404, b"")
            headers = {"Content-Type": "application/zip"} if content is not None else {}
        fake.requests.append(RecordedRequest(method, path, query, None, status))
        return status, body, headers

    def _dispatch(
        self,
        method: str,
        path: str,
        encoded_path: str,
        query: dict[str, str],
        headers: dict[str, str],
        raw: bytes,
        body_json: Any,
        site: shapes.Site,
    ) -> tuple[int, Any, dict[str, str]]:
        fake = self.fake
        found = routes.match(method, path)
        check_path = routes.spec_path(found[0].template, found[1]) if found else encoded_path
        content_type = headers.get("Content-Type", headers.get("content-type", "")) if raw else ""
        self.served += 1
        validate = self.served % max(fake.validate_one_in, 1) == 0
        problem = (
            fake.spec.check_request(method, check_path, query, raw or None, content_type.split(";")[0])
            if validate
            else None
        )
        if problem is not None:
            fake.violations.append(f"request {method} {path}: {problem.message}")
            status = 404 if problem.kind == "path" else 422
            body = shapes.error("Not Found" if status == 404 else "Invalid request.", status)
            return self._finish(method, path, query, body_json, status, body, {})
        if found is None:
            fake.violations.append(f"request {method} {path}: valid for GitHub but not implemented by the fake")
            body = shapes.error("Not implemented by the fake", 501)
            return self._finish(method, path, query, body_json, 501, body, {})
        chosen, params = found
        try:
            if chosen.auth == "jwt":
                fake.credentials.check_jwt(_authorization(headers))
            elif chosen.auth == "user":
                site = replace(site, user=fake.credentials.check_user_token(_authorization(headers)))
            else:
                issued = fake.credentials.check_token(_authorization(headers))
                if issued.app_slug:  # a workflow job's GITHUB_TOKEN acts as the GitHub Actions app
                    site = replace(site, app_slug=issued.app_slug)
        except AuthError as error:
            return self._finish(method, path, query, body_json, 401, shapes.error(str(error), 401), {})
        fault = next((f for f in fake.faults if f.status and f.matches(method, path)), None)
        if fault is not None:
            fault.times -= 1
            body = fault.body or shapes.error(HTTPStatus(fault.status).phrase, fault.status)
            return self._finish(method, path, query, body_json, fault.status, body, fault.headers)
        call = Call(method, path, params, query, body_json, site)
        try:
            reply = chosen.handler(fake, call)
        except NotFound:
            reply = Reply(404, shapes.error("Not Found", 404))
        except Unprocessable as error:
            reply = Reply(error.status, shapes.error(str(error), error.status))
        reply = Reply(reply.status, shapes.retarget(reply.body, site), reply.headers)
        payload = b"" if reply.body is None else json.dumps(reply.body).encode()
        mistake = (
            fake.spec.check_response(method, check_path, query, reply.status, payload, "application/json")
            if validate
            else None
        )
        if mistake is not None:
            fake.violations.append(f"response {reply.status} to {method} {path} (a bug in the fake): {mistake}")
        return self._finish(method, path, query, body_json, reply.status, reply.body, reply.headers)

    def _finish(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body_json: Any,
        status: int,
        body: Any,
        extra: dict[str, str],
    ) -> tuple[int, Any, dict[str, str]]:
        self.fake.requests.append(RecordedRequest(method, path, query, body_json, status))
        return status, body, self.rate_headers(extra)


def _authorization(headers: dict[str, str]) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == "authorization"), None)
