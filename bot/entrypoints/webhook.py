"""The GitHub App's HTTP door (FastAPI): the webhook endpoint, probes, Prometheus metrics, and the dashboard."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers
from starlette.routing import Route
from starlette.types import ASGIApp

from bot.adapters.jobqueue import JobQueue, NewJob
from bot.adapters.sqlstore import SqlStore, mask_secret_text
from bot.domain import webhooks
from bot.domain.webhooks import Event, Ignored, Invalid
from bot.entrypoints.dashboard.app_dashboard import DASHBOARD_PATH, app_dashboard
from bot.entrypoints.webhook_answer import Answer
from bot.entrypoints.webhook_intake import Intake, IntakeLimits
from bot.settings import Settings

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/github"
MCP_PATH = "/mcp"

# Metric labels must stay few: only well-formed event names from verified deliveries become labels.
_EVENT_LABEL = re.compile(r"[a-z_]{1,64}")
_ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


@dataclass
class WebhookMetrics:
    """The App's Prometheus metrics, in a registry of their own (one per app, so tests can make many)."""

    registry: CollectorRegistry = field(default_factory=lambda: CollectorRegistry(auto_describe=True))

    def __post_init__(self) -> None:
        self.deliveries = Counter(
            "olympus_webhook_deliveries",
            "Webhook deliveries received, by event and outcome.",
            ["event", "outcome"],
            registry=self.registry,
        )
        self.ack_seconds = Histogram(
            "olympus_webhook_ack_seconds",
            "Time from a delivery's arrival to its answer (the job is committed before a 202).",
            buckets=_ACK_BUCKETS,
            registry=self.registry,
        )

    def count(self, answer: Answer, seconds: float) -> None:
        self.deliveries.labels(event=answer.event, outcome=answer.outcome).inc()
        self.ack_seconds.observe(seconds)

    def watch(self, intake: Intake) -> None:
        """Gauges of the bodies the endpoint holds, to tune its limits by (read at scrape time)."""
        reading = Gauge(
            "olympus_webhook_bodies_reading",
            "Request bodies being read, before their signature is checked (at most OLYMPUS_WEBHOOK_MAX_INFLIGHT).",
            registry=self.registry,
        )
        reading.set_function(lambda: intake.reading)
        held = Gauge(
            "olympus_webhook_body_bytes_held",
            "Bytes of request bodies held until answered (at most OLYMPUS_WEBHOOK_MAX_INFLIGHT_BYTES).",
            registry=self.registry,
        )
        held.set_function(lambda: intake.held_bytes)


class JobStatusCollector(Collector):
    """`olympus_jobs{status}`: how many jobs are in each status, counted at scrape time."""

    def __init__(self, queue: JobQueue) -> None:
        self.queue = queue

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("olympus_jobs", "Jobs in the queue, by status.", labels=["status"])
        try:
            counts = self.queue.counts_by_status()
        except SQLAlchemyError as error:
            logger.warning("metrics: cannot count jobs: %s", _short(error))
            return
        for status, count in counts.items():
            family.add_metric([status.value], count)
        yield family

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Describing without collecting keeps registration from querying the database.
        yield GaugeMetricFamily("olympus_jobs", "Jobs in the queue, by status.", labels=["status"])


def create_app(
    settings: Settings,
    store: SqlStore,
    *,
    queue: JobQueue | None = None,
    metrics: WebhookMetrics | None = None,
    mcp: ASGIApp | None = None,
) -> FastAPI:
    """The App's ASGI application; it stores jobs through queue (default: a JobQueue on store's engine), and serves
    `mcp` (the MCP gateway's door, bot/entrypoints/mcp_http.py) at /mcp when given."""
    jobs = queue or JobQueue(store.engine, store.clock)
    measured = metrics or WebhookMetrics()
    measured.registry.register(JobStatusCollector(jobs))
    secret = settings.webhook_secret_bytes
    # No interactive docs: this endpoint faces the internet and has nothing to browse.
    app = FastAPI(title="Olympus", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.queue = jobs
    app.state.metrics = measured
    if mcp is not None:
        # A Route, not a Mount: a Mount answers /mcp itself with a redirect to /mcp/, which MCP clients do not follow.
        app.router.routes.append(Route(MCP_PATH, endpoint=mcp, methods=["GET", "POST", "DELETE"]))

    # The dashboard behind GitHub sign-in (docs/dashboard.md); without its OAuth settings it says what to set.
    app.mount(DASHBOARD_PATH, app_dashboard(settings, store))

    intake = Intake(IntakeLimits.from_settings(settings))
    app.state.intake = intake
    measured.watch(intake)

    @app.post(WEBHOOK_PATH)
    async def github_webhook(request: Request) -> JSONResponse:
        started = time.perf_counter()
        async with intake.body(request, secret) as body:
            if isinstance(body, Answer):
                answer = body
            else:
                answer = await run_in_threadpool(receive_delivery, jobs, request.headers, body)
        measured.count(answer, time.perf_counter() - started)
        return JSONResponse(answer.body(), status_code=answer.status_code, headers=answer.headers())

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        try:
            jobs.ping()
        except SQLAlchemyError as error:
            return JSONResponse({"status": "unavailable", "reason": f"database: {_short(error)}"}, status_code=503)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics")
    def metrics_endpoint() -> Response:
        return Response(generate_latest(measured.registry), media_type=CONTENT_TYPE_LATEST)

    return app


def receive_delivery(queue: JobQueue, headers: Headers, body: bytes | bytearray) -> Answer:
    """Parse, route and store one delivery whose signature the Intake has verified."""
    payload = webhooks.parse_payload(body)
    if isinstance(payload, Invalid):
        return Answer(400, "bad-request", payload.reason)
    event_name = headers.get(webhooks.EVENT_HEADER, "").strip()
    if not event_name:
        return Answer(400, "bad-request", f"the {webhooks.EVENT_HEADER} header is missing")
    label = event_name if _EVENT_LABEL.fullmatch(event_name) else "other"
    routed = webhooks.route(event_name, payload)
    if isinstance(routed, Ignored):
        return Answer(200, "ignored", routed.reason, event=label)
    if isinstance(routed, Invalid):
        return Answer(422, "invalid", routed.reason, event=label)
    delivery = headers.get(webhooks.DELIVERY_HEADER)
    problem = webhooks.delivery_id_problem(delivery)
    if problem is not None or delivery is None:
        return Answer(400, "bad-request", problem or "", event=label)
    return _store(queue, routed, delivery, payload, label)


def _store(queue: JobQueue, event: Event, delivery: str, payload: dict[str, Any], label: str) -> Answer:
    job = NewJob(
        delivery_id=delivery,
        event=event.name,
        action=event.action,
        installation_id=event.installation_id,
        repo=event.repo,
        payload=payload,
    )
    try:
        job_id = queue.enqueue(job)
    except SQLAlchemyError as error:
        # GitHub does not redeliver on its own: a 503 shows in its delivery log, where it can be redelivered.
        logger.error("delivery %s (%s) not stored: %s", delivery, event.kind, _short(error))
        return Answer(503, "error", "the job could not be stored; redeliver it later", event=label)
    if job_id is None:
        logger.info("delivery %s (%s): already stored", delivery, event.kind)
        return Answer(200, "duplicate", event=label)
    logger.info("delivery %s (%s) queued as job %d", delivery, event.kind, job_id)
    return Answer(202, "queued", job=job_id, event=label)


def _short(error: object) -> str:
    return " ".join(mask_secret_text(str(error)).split())[:300]
