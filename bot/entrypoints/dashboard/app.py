"""The dashboard's web app: server-rendered pages, one server-sent event stream, nothing to build."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

import jinja2
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from sse_starlette.sse import EventSourceResponse

from bot.domain.dashboard import RESULT_FILTERS, AuditFilter
from bot.entrypoints.dashboard import pages
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
) -> FastAPI:
    """The pages over `store`, drift shown for `repos`; mount it anywhere (its links are relative to its root)."""
    source = pages.Source(store, tuple(repos), clock)
    templates = _templates()
    app = FastAPI(title=f"{title} dashboard", docs_url=None, redoc_url=None, openapi_url=None)

    def render(request: Request, name: str, path: str, values: dict[str, Any]) -> HTMLResponse:
        heading = next(h for p, _, h in NAVIGATION if p == path)
        root = request.scope.get("root_path", "").rstrip("/")
        html = templates.get_template(name).render(
            title=title, heading=heading, path=path, root=root, navigation=NAVIGATION, **values
        )
        return HTMLResponse(html, headers={"Content-Security-Policy": _CSP, "X-Content-Type-Options": "nosniff"})

    @app.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> HTMLResponse:
        return render(request, "overview.html.j2", "/", pages.overview(source))

    @app.get("/runs", response_class=HTMLResponse)
    def runs(request: Request, size: Size = 50, before: Before = None) -> HTMLResponse:
        return render(request, "runs.html.j2", "/runs", pages.runs(source, size, before))

    @app.get("/locks", response_class=HTMLResponse)
    def locks(request: Request) -> HTMLResponse:
        return render(request, "locks.html.j2", "/locks", pages.locks(source))

    @app.get("/plans", response_class=HTMLResponse)
    def plans(request: Request, size: Size = 50) -> HTMLResponse:
        return render(request, "plans.html.j2", "/plans", pages.plans(source, size))

    @app.get("/audit", response_class=HTMLResponse)
    def audit(
        request: Request,
        size: Size = 50,
        before: Before = None,
        actor: str = "",
        action: str = "",
        result: str = "",
    ) -> HTMLResponse:
        if result and result not in RESULT_FILTERS:
            raise HTTPException(422, f"result must be one of {', '.join(RESULT_FILTERS)}")
        which = AuditFilter(actor.strip() or None, action.strip() or None, result or None)
        values = pages.audit(source, which, size, before)
        return render(request, "audit.html.j2", "/audit", {**values, "result_filters": RESULT_FILTERS})

    @app.get("/drift", response_class=HTMLResponse)
    def drift(request: Request) -> HTMLResponse:
        return render(request, "drift.html.j2", "/drift", pages.drift(source))

    @app.get("/interactions", response_class=HTMLResponse)
    def interactions(request: Request, size: Size = 50) -> HTMLResponse:
        return render(request, "interactions.html.j2", "/interactions", pages.interactions(source, size))

    @app.get("/fixes", response_class=HTMLResponse)
    def fixes(request: Request, size: Size = 50) -> HTMLResponse:
        return render(request, "fixes.html.j2", "/fixes", pages.fixes(source, size))

    @app.get("/queue", response_class=HTMLResponse)
    def queue(request: Request) -> HTMLResponse:
        return render(request, "queue.html.j2", "/queue", pages.queue(source))

    @app.get("/events")
    async def events(request: Request) -> EventSourceResponse:
        return EventSourceResponse(_changes(request, store, poll_seconds))

    return app


async def _changes(request: Request, store: Store, poll_seconds: float) -> AsyncIterator[dict[str, str]]:
    """The store's counts each time they change (and once at the start), until the browser goes away."""
    last: dict[str, int] | None = None
    while not await request.is_disconnected():
        counts = asdict(await run_in_threadpool(store.store_counts))
        if counts != last:
            last = counts
            yield {"event": "counts", "data": json.dumps(counts)}
        await asyncio.sleep(poll_seconds)


# The pages' one script and one style sheet are inline; nothing is loaded from anywhere else.
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
