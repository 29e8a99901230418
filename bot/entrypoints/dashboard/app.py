"""The dashboard's web app: server-rendered pages, one server-sent event stream, nothing to build.

Every page and the stream take their reader from the app's Access (a FastAPI dependency) and read only that reader's
repositories: a new page takes `reader: ReaderOf` and passes `reader.repos` to its reads.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

import jinja2
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from sse_starlette.sse import EventSourceResponse

from bot.domain.dashboard import RESULT_FILTERS, AuditFilter
from bot.domain.dashboard_access import Reader
from bot.entrypoints.dashboard import actions, pages
from bot.entrypoints.dashboard.access import Access, LocalAccess, NotConfigured, Refused, SignInNeeded
from bot.entrypoints.dashboard.live_counts import SharedCounts
from bot.ports import Store

# The pages, in the navigation's order: path, name, the page's heading.
NAVIGATION = (
    ("/", "Overview", "Overview"),
    ("/runs", "Runs", "Runs"),
    ("/locks", "Locks", "Locks"),
    ("/plans", "Plans", "Saved plans"),
    ("/audit", "Audit log", "Audit log"),
    ("/drift", "Drift", "Drift per project"),
    ("/interactions", "Model", "Model interactions"),
    ("/fixes", "Fixes", "Fix attempts"),
    ("/queue", "Queue", "Job queue"),
)


def reader_of(request: Request) -> Reader:
    """The person reading this request, from the app's Access (SignInNeeded, NotConfigured when there is none)."""
    access: Access = request.app.state.access
    return access.reader(request)


# Every page takes its reader this way, and reads only `reader.repos`' rows.
ReaderOf = Annotated[Reader, Depends(reader_of)]
Size = Annotated[int, Query(ge=1, le=pages.MAX_PAGE_SIZE)]
Before = Annotated[int | None, Query(ge=1)]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _templates() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("bot.entrypoints.dashboard", "templates"),
        autoescape=True,  # every value is escaped: logins, messages and plans are untrusted text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["when"] = lambda value: "" if value is None else f"{value:%Y-%m-%d %H:%M:%S}"
    environment.filters["seconds"] = lambda value: "" if value is None else f"{value:.1f} s"
    environment.filters["compact"] = lambda value: json.dumps(value, sort_keys=True, default=str)
    return environment


def dashboard_app(
    store: Store,
    repos: Sequence[str],
    *,
    title: str = "Olympus",
    poll_seconds: float = 2.0,
    clock: Callable[[], datetime] = _utc_now,
    access: Access | None = None,
) -> FastAPI:
    """The pages over `store`, drift shown for `repos` (or the reader's); mount it anywhere (its links are relative to
    its root). `access` says who reads: by default everyone, every row (the local dashboard, on loopback only)."""
    source = pages.Source(store, tuple(repos), clock)
    templates = _templates()
    access = access or LocalAccess()
    app = FastAPI(title=f"{title} dashboard", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.access = access

    def page(request: Request, name: str, values: dict[str, Any]) -> HTMLResponse:
        """A page outside the navigation (signing in, not configured), in the dashboard's look."""
        root = request.scope.get("root_path", "").rstrip("/")
        html = templates.get_template(name).render(title=title, root=root, **values)
        return HTMLResponse(html, headers=_HEADERS)

    access.routes(app, page)

    def render(request: Request, name: str, path: str, values: dict[str, Any], reader: Reader) -> HTMLResponse:
        heading = next(h for p, _, h in NAVIGATION if p == path)
        root = request.scope.get("root_path", "").rstrip("/")
        html = templates.get_template(name).render(
            title=title, heading=heading, path=path, root=root, navigation=NAVIGATION, reader=reader, **values
        )
        return HTMLResponse(html, headers=_HEADERS)

    @app.exception_handler(SignInNeeded)
    def sign_in_first(request: Request, error: SignInNeeded) -> Response:
        if request.url.path.endswith("/events"):
            return PlainTextResponse("sign in first", 401)
        root = request.scope.get("root_path", "").rstrip("/")
        return RedirectResponse(f"{root}/sign-in" + (f"?why={error.why}" if error.why else ""), 303)

    @app.exception_handler(NotConfigured)
    def not_configured(request: Request, error: NotConfigured) -> Response:
        response = page(request, "not_configured.html.j2", {"missing": error.missing})
        response.status_code = 503
        return response

    @app.exception_handler(Refused)
    def refused(request: Request, error: Refused) -> Response:
        return PlainTextResponse(f"Refused: {error}", 403, headers=_HEADERS)

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request, reader: ReaderOf) -> HTMLResponse:
        return render(request, "overview.html.j2", "/", pages.overview(source, reader.repos), reader)

    @app.get("/runs", response_class=HTMLResponse)
    def runs(request: Request, reader: ReaderOf, size: Size = 50, before: Before = None) -> HTMLResponse:
        return render(request, "runs.html.j2", "/runs", pages.runs(source, size, before, reader.repos), reader)

    @app.get("/locks", response_class=HTMLResponse)
    def locks(request: Request, reader: ReaderOf, unlocked: Before = None) -> HTMLResponse:
        values = {**pages.locks(source, reader.repos), "note": actions.note_text(store, unlocked, reader)}
        return render(request, "locks.html.j2", "/locks", values, reader)

    actions.routes(app, store, access)

    @app.get("/plans", response_class=HTMLResponse)
    def plans(request: Request, reader: ReaderOf, size: Size = 50) -> HTMLResponse:
        return render(request, "plans.html.j2", "/plans", pages.plans(source, size, reader.repos), reader)

    @app.get("/audit", response_class=HTMLResponse)
    def audit(
        request: Request,
        reader: ReaderOf,
        size: Size = 50,
        before: Before = None,
        actor: str = "",
        action: str = "",
        result: str = "",
        repo: str = "",
    ) -> HTMLResponse:
        if result and result not in RESULT_FILTERS:
            raise HTTPException(422, f"result must be one of {', '.join(RESULT_FILTERS)}")
        which = AuditFilter(actor.strip() or None, action.strip() or None, result or None, repo.strip() or None)
        values = pages.audit(source, which, size, before, reader.repos)
        return render(request, "audit.html.j2", "/audit", {**values, "result_filters": RESULT_FILTERS}, reader)

    @app.get("/drift", response_class=HTMLResponse)
    def drift(request: Request, reader: ReaderOf) -> HTMLResponse:
        return render(request, "drift.html.j2", "/drift", pages.drift(source, reader.repos), reader)

    @app.get("/interactions", response_class=HTMLResponse)
    def interactions(request: Request, reader: ReaderOf, size: Size = 50) -> HTMLResponse:
        values = pages.interactions(source, size, reader.repos)
        return render(request, "interactions.html.j2", "/interactions", values, reader)

    @app.get("/fixes", response_class=HTMLResponse)
    def fixes(request: Request, reader: ReaderOf, size: Size = 50) -> HTMLResponse:
        return render(request, "fixes.html.j2", "/fixes", pages.fixes(source, size, reader.repos), reader)

    @app.get("/queue", response_class=HTMLResponse)
    def queue(request: Request, reader: ReaderOf) -> HTMLResponse:
        return render(request, "queue.html.j2", "/queue", pages.queue(source, reader.repos), reader)

    # Half the poll: a change shows within one and a half polls, however many pages are open.
    live_counts = SharedCounts(store, max_age=poll_seconds / 2)

    @app.get("/events")
    async def events(request: Request, reader: ReaderOf) -> EventSourceResponse:
        return EventSourceResponse(_changes(request, live_counts, poll_seconds, reader.repos))

    return app


async def _changes(
    request: Request, live_counts: SharedCounts, poll_seconds: float, repos: Collection[str] | None
) -> AsyncIterator[dict[str, str]]:
    """The counts of the reader's rows each time they change (and once at the start), until the browser goes away.

    The reader's repositories are those of the moment the stream opened; the browser reconnects after a page load.
    """
    last: dict[str, int] | None = None
    while not await request.is_disconnected():
        counts = asdict(await run_in_threadpool(live_counts.of, repos))
        if counts != last:
            last = counts
            yield {"event": "counts", "data": json.dumps(counts)}
        await asyncio.sleep(poll_seconds)


# The pages' one script and one style sheet are inline; nothing is loaded from anywhere else.
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_HEADERS = {"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
