"""`olympus dashboard`: the dashboard's pages over the local store, on loopback only, until Ctrl-C."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from bot.entrypoints.dashboard import dashboard_app
from bot.entrypoints.dashboard.access import is_loopback
from bot.entrypoints.local_loop import open_repo
from bot.errors import UserError
from bot.services.context import SANDBOX_LOCKS
from bot.wiring import build_local_loop

__all__ = ["is_loopback", "serve_dashboard"]


def serve_dashboard(repo: Path, host: str, port: int) -> int:
    """Serve the pages for repo's store at http://host:port/ until interrupted; 0 when stopped."""
    if not is_loopback(host):
        raise UserError(
            "dashboard-not-loopback",
            f"the local dashboard listens on loopback only, not on {host}: it has no sign-in, and anyone who can "
            "reach it would read the store",
            "leave --host out (127.0.0.1) and reach it from elsewhere through an SSH tunnel "
            "(ssh -L 8765:127.0.0.1:8765 HOST)",
        )
    git = open_repo(repo)
    loop = build_local_loop(git.root, say=lambda line: None)
    app = dashboard_app(loop.store, [loop.repo_id, loop.repo_id + SANDBOX_LOCKS], title=f"Olympus · {git.root.name}")
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host
    print(f"olympus dashboard: http://{shown}:{port}/ (Ctrl-C stops it)", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it shut down on; stopping is what was asked
    except SystemExit:
        if server.started:
            raise
        # uvicorn exits when it cannot listen (it has logged why: the port is taken, most often).
        raise UserError(
            "dashboard-cannot-listen",
            f"the dashboard could not listen on {shown}:{port}",
            "pass another --port, or stop what listens there",
        ) from None
    finally:
        loop.store.close()
    print("olympus dashboard: stopped", flush=True)
    return 0
