"""The real `olympus dashboard` in Debian's Chromium (Playwright): every page, the keyboard, and a live update."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dashboard_seed import REPO, seed
from local_repos import commit_files, empty_repo
from olympus_cli import olympus

from bot.adapters.localgit import LocalGit
from bot.adapters.record_key import local_record_key
from bot.adapters.sqlstore import SqlStore

CHROMIUM = Path("/usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' installs Playwright")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium: `make install-test` installs it"),
]

# Each page, its heading, and a row of its table the seeded store must show.
PAGES = [
    ("overview", "/", "Overview", "tr[data-audit-id]"),
    ("runs", "/runs", "Runs", "tr:has-text('failed: web')"),
    ("locks", "/locks", "Locks", "tr:has-text('infra/aws/envs/dev')"),
    ("plans", "/plans", "Saved plans", "tr:has-text('2 to add, 1 to change, 0 to destroy')"),
    ("audit", "/audit", "Audit log", "tr[data-audit-id]"),
    ("drift", "/drift", "Drift per project", "tr:has-text('envs-dev'):has-text('drifted')"),
    ("interactions", "/interactions", "Model interactions", "tr:has-text('aws_s3_bucket')"),
    ("fixes", "/fixes", "Fix attempts", "tr:has-text('bucket-name-taken')"),
    ("queue", "/queue", "Job queue", "tr[data-job-id]:has-text('pull_request')"),
]


@dataclass
class Dashboard:
    url: str
    store: SqlStore
    process: subprocess.Popen[str]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = empty_repo(tmp_path / REPO)
    commit_files(path, {"README.md": "infra\n"})
    return path


@pytest.fixture
def dashboard(repo: Path) -> Iterator[Dashboard]:
    url = f"sqlite:///{LocalGit.open(repo).state_dir / 'olympus.db'}"
    LocalGit.open(repo).state_dir.mkdir(parents=True, exist_ok=True)
    store = SqlStore.open(url, record_key=local_record_key())  # the key the CLI seals and checks plans with
    seed(store, datetime.now(UTC))  # the CLI's charts end today
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.entrypoints.cli", "dashboard", "--repo", str(repo), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OLYMPUS_ACTOR": "bob"},
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    assert f"http://127.0.0.1:{port}/" in first, first + (process.stderr.read() if process.poll() else "")
    try:
        yield Dashboard(f"http://127.0.0.1:{port}", store, process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        store.close()


def screenshot_dir(tmp_path: Path) -> Path:
    """Where the pages' screenshots go: OLYMPUS_DASHBOARD_SCREENSHOTS (docs/dashboard to refresh the docs' ones)."""
    return Path(os.environ.get("OLYMPUS_DASHBOARD_SCREENSHOTS") or tmp_path)


def test_every_page_live_updates_keyboard_and_ctrl_c(dashboard: Dashboard, tmp_path: Path) -> None:
    shots = screenshot_dir(tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            for name, path, heading, row in PAGES:
                page.goto(dashboard.url + path)
                assert page.locator("h1").inner_text() == heading
                assert page.locator(row).first.is_visible(), f"{path} shows no {row}"
                assert page.locator("nav a[aria-current=page]").count() == 1
                page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
            outside = [url for url in requested if not url.startswith(dashboard.url)]
            assert not outside, f"the pages loaded something from elsewhere: {outside}"
            assert not dialogs, "a hostile login or message ran as a script"

            # The keyboard: the first Tab reaches the skip link, Enter moves to the content; the nav's links follow.
            page.goto(dashboard.url + "/")
            page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.textContent") == "Skip to content"
            page.keyboard.press("Enter")
            assert page.evaluate("document.activeElement.id") == "main"
            page.goto(dashboard.url + "/")
            for _ in range(3):  # the skip link, Overview, Runs
                page.keyboard.press("Tab")
            assert page.evaluate("document.activeElement.textContent") == "Runs"
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(r"/runs$"))
            assert page.locator("h1").inner_text() == "Runs"

            # A live update: an action audited while the page is open appears without a reload.
            page.goto(dashboard.url + "/audit")
            sync_api.expect(page.locator("#live-status")).to_have_text("Live updates on", timeout=10_000)
            page.evaluate("window.__kept = 'same page'")
            at = dashboard.store.clock()
            entry = dashboard.store.audit("dana", "approve", {"branch": "infra/live"}, at, at, "ok")
            sync_api.expect(page.locator(f"tr[data-audit-id='{entry}']")).to_contain_text("dana", timeout=15_000)
            assert page.evaluate("window.__kept") == "same page", "the page was not reloaded"

            dark = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme="dark")
            dark.goto(dashboard.url + "/")
            assert dark.locator(".chart-dark").first.is_visible()
            assert not dark.locator(".chart-light").first.is_visible()
            dark.screenshot(path=str(shots / "overview-dark.png"), full_page=True)
        finally:
            browser.close()

    dashboard.process.send_signal(signal.SIGINT)
    out, err = dashboard.process.communicate(timeout=30)
    assert dashboard.process.returncode == 0, err
    assert "olympus dashboard: stopped" in out and "Traceback" not in err


def test_a_host_other_than_loopback_is_refused(repo: Path) -> None:
    done = olympus("dashboard", "--repo", str(repo), "--host", "0.0.0.0", timeout=120)
    assert done.returncode == 2
    assert "dashboard-not-loopback" in done.stderr and "no sign-in" in done.stderr


def test_a_port_in_use_is_a_user_error(repo: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = olympus("dashboard", "--repo", str(repo), "--port", str(taken.getsockname()[1]), timeout=120)
    assert done.returncode == 2
    assert "dashboard-cannot-listen" in done.stderr and "Traceback" not in done.stderr
