"""`olympus serve`: settings → store → webhook app under uvicorn, with worker threads taking the queued jobs."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from bot.adapters.jobqueue import JobQueue
from bot.adapters.record_key import app_record_key
from bot.adapters.sqlstore import SqlStore, StoreOpenError
from bot.entrypoints.webhook import create_app
from bot.errors import UserError
from bot.services.drift_schedule import DriftScheduler
from bot.services.workers import JobHandler, JobRetryPolicy, WorkerPool, WorkerTiming, log_only_handler
from bot.settings import Settings, load_settings

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_WORKERS = 2
# How long a stop waits for running jobs; one still running keeps its lease and is taken over after it expires.
STOP_TIMEOUT_SECONDS = 30.0


class _GracefulServer(uvicorn.Server):
    """uvicorn's server, except that run() returns after a SIGINT/SIGTERM shutdown.

    uvicorn re-raises the signal once it has shut down, which would end the process (SIGTERM's default action)
    before serve() lets the workers finish their jobs.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def open_store(settings: Settings) -> SqlStore:
    """The store named by OLYMPUS_DATABASE_URL, migrated; a UserError saying why when it cannot be opened."""
    try:
        # The App's records are sealed with a key derived from its webhook secret, which the database never holds.
        store = SqlStore.open(settings.database_url, record_key=app_record_key(settings.webhook_secret_bytes))
    except StoreOpenError as error:
        raise UserError(error.reference, f"OLYMPUS_DATABASE_URL: {error.message}", error.hint) from None
    if store.engine.dialect.name == "sqlite" and store.engine.url.database not in (None, "", ":memory:"):
        # WAL lets the endpoint's inserts and the workers' claims proceed without blocking readers; the mode
        # is kept in the database file, so this is a one-time switch.
        with store.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    return store


def github_handler(settings: Settings, store: SqlStore) -> JobHandler:
    """The job handler that acts on deliveries as the GitHub App, or a logging one when the App is not configured."""
    return github_doors(settings, store)[0]


def github_doors(settings: Settings, store: SqlStore) -> tuple[JobHandler, ASGIApp | None]:
    """The job handler (as github_handler) and the MCP gateway's door at /mcp (None: OLYMPUS_MCP_HTTP=off)."""
    key = settings.private_key_file or settings.private_key
    if settings.app_id is None and key is None:
        logger.warning(
            "OLYMPUS_APP_ID and OLYMPUS_PRIVATE_KEY_FILE are not set: deliveries are verified and stored, "
            "but not acted on"
        )
        if settings.mcp_http != "off":
            raise UserError(
                "mcp-needs-app",
                f"OLYMPUS_MCP_HTTP={settings.mcp_http} needs the App: it reads repositories as the App",
                "set OLYMPUS_APP_ID and OLYMPUS_PRIVATE_KEY_FILE, or OLYMPUS_MCP_HTTP=off",
            )
        return log_only_handler, None
    if settings.app_id is None or key is None:
        missing = "OLYMPUS_APP_ID" if settings.app_id is None else "OLYMPUS_PRIVATE_KEY_FILE (or OLYMPUS_PRIVATE_KEY)"
        raise UserError("missing-setting", f"{missing} is missing", "set both the App ID and its private key")
    from bot.adapters.local_aws import LocalAws
    from bot.services.github_events import handle_job
    from bot.wiring import build_app_context

    pem = _private_key_pem(settings)
    from bot.adapters.claude import limits_from_environment, model_from_environment

    if not settings.scanner_names:
        logger.warning("OLYMPUS_SCANNERS=none: plans are not scanned, and every plan comment says so")
    github_app = _github_app(settings, settings.app_id, pem)
    context = build_app_context(
        app_id=settings.app_id,
        private_key_pem=pem,
        api_url=settings.github_api_url,
        store=store,
        data_dir=settings.data_dir.resolve(),
        sandbox=LocalAws(settings.aws_emulator_url) if settings.aws_emulator_url else None,
        github_app=github_app,
        scanners=settings.scanner_names,
        parallel_plan=settings.parallel_plan,
        max_attempts=settings.job_max_attempts,
        # A bad OLYMPUS_LLM_* setting stops the start-up (exit 2), as any bad setting does; none set means none.
        model=model_from_environment(),
        model_limits=limits_from_environment(),
        mention=settings.app_slug,
    )
    from bot.services.sync_apps import SyncTiming
    from bot.wiring import build_argocd_syncer

    context.syncer = build_argocd_syncer(settings.argocd_server, settings.argocd_token_file)
    context.sync_timing = SyncTiming(timeout=settings.argocd_sync_timeout)
    if context.syncer is None:
        logger.info("no Argo CD is set up: merged pull requests that change applications are told how to set it up")
    if context.model is None:
        logger.info("no Claude backend is set up: requests in plain words are answered with how to set one up")
    door = None
    if settings.mcp_http != "off":
        from bot.entrypoints.mcp_http import McpHttpDoor
        from bot.wiring import build_mcp_ports

        ports = build_mcp_ports(
            github_app,
            context.loop_for,
            settings.github_api_url,
            settings.github_timeout,
            context.model,
            context.model_limits,
            syncer=context.syncer,
        )
        door = McpHttpDoor(ports, settings.mcp_http, settings.mcp_origins)
    return (lambda job: handle_job(context, job)), door


def _private_key_pem(settings: Settings) -> str:
    if settings.private_key_file is not None:
        return settings.private_key_file.read_text()
    return settings.private_key.get_secret_value()  # type: ignore[union-attr]


def _github_app(settings: Settings, app_id: int, pem: str) -> Any:
    from bot.adapters.github import GitHubApp, Retrying, RetryPolicy, load_private_key

    return GitHubApp(
        app_id,
        load_private_key(value=pem),
        settings.github_api_url,
        seconds_between_writes=settings.github_seconds_between_writes,
        retrying=Retrying(RetryPolicy(base_delay=settings.github_retry_first_delay)),
        timeout=settings.github_timeout,
    )


def drift_scheduler(settings: Settings, queue: JobQueue) -> DriftScheduler | None:
    """The thread that queues each repository's scheduled drift check (OLYMPUS_DRIFT_INTERVAL), or None when the
    schedule is off or the App is not configured (its jobs would only be logged)."""
    interval = settings.drift_every
    if interval is None:
        logger.info("OLYMPUS_DRIFT_INTERVAL=off: no scheduled drift checks")
        return None
    if settings.app_id is None or (settings.private_key_file or settings.private_key) is None:
        return None
    return DriftScheduler(_github_app(settings, settings.app_id, _private_key_pem(settings)), queue, interval)


def retry_policy(settings: Settings) -> JobRetryPolicy:
    """How often and how soon a failed job is tried again (OLYMPUS_JOB_MAX_ATTEMPTS, OLYMPUS_JOB_RETRY_FIRST_DELAY)."""
    return JobRetryPolicy(
        max_attempts=settings.job_max_attempts, first_delay=timedelta(seconds=settings.job_retry_first_delay)
    )


def worker_timing(settings: Settings) -> WorkerTiming:
    """The workers' lease (OLYMPUS_JOB_LEASE_SECONDS); abandoned jobs are swept as often, at most once a minute."""
    lease = timedelta(seconds=settings.job_lease_seconds)
    return WorkerTiming(lease=lease, sweep_interval=min(WorkerTiming.sweep_interval, settings.job_lease_seconds))


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int = DEFAULT_WORKERS,
    *,
    handler: JobHandler | None = None,
    settings: Settings | None = None,
    retry: JobRetryPolicy | None = None,
    timing: WorkerTiming | None = None,
) -> None:
    """Run the App until SIGINT/SIGTERM: the webhook endpoint on host:port, `workers` worker threads, and the drift
    schedule's thread."""
    if workers < 0:
        raise UserError("bad-worker-count", f"--workers must be 0 or more, not {workers}", "use --workers 2")
    settings = settings or load_settings()
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    store = open_store(settings)
    door: ASGIApp | None = None
    if handler is None:
        handler, door = github_doors(settings, store)
    # The event loop answers webhooks while worker threads run Python too; by default a thread waiting for the
    # GIL may wait 5 ms per hand-over, which lands directly in the acknowledgement time. 1 ms keeps that small.
    sys.setswitchinterval(0.001)
    try:
        queue = JobQueue(store.engine, store.clock)
        app = create_app(settings, store, queue=queue, mcp=door)
        pool = WorkerPool(
            queue, handler, workers, retry=retry or retry_policy(settings), timing=timing or worker_timing(settings)
        )
        # Every replica schedules: the queue keeps one job per repository and slot, whoever queued it first.
        scheduler = drift_scheduler(settings, queue)
        pool.start()
        if scheduler is not None:
            scheduler.start()
        logger.info(
            "olympus serve: webhooks at http://%s:%d/webhooks/github, the dashboard at /dashboard/%s, %d workers, "
            "database %s%s",
            host,
            port,
            f" (not configured: {settings.dashboard_sign_in_missing})" if settings.dashboard_sign_in_missing else "",
            workers,
            store.engine.url.render_as_string(hide_password=True),
            f", MCP gateway ({settings.mcp_http}) at http://{host}:{port}/mcp?repo=OWNER/NAME" if door else "",
        )
        if scheduler is not None:
            logger.info("olympus serve: each repository is checked for drift every %s", settings.drift_interval)
        try:
            # On SIGINT/SIGTERM uvicorn stops accepting, answers the requests in flight, then returns here.
            _GracefulServer(uvicorn.Config(app, host=host, port=port, log_level="info")).run()
        finally:
            if scheduler is not None:
                scheduler.stop(STOP_TIMEOUT_SECONDS)
            if not pool.stop(STOP_TIMEOUT_SECONDS):
                logger.warning("some jobs were still running at exit; another replica resumes them after the lease")
    finally:
        store.close()
