"""The App's dashboard in Debian's Chromium: signing in through the GitHub double, each person's pages, Unlock, SSE."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_app_seed import ALPHA, BETA, NOW, app_settings, seat_people, seed_repos, serving
from fakes.github import FakeGitHub

from bot.adapters.record_key import app_record_key
from bot.adapters.sqlstore import SqlStore

CHROMIUM = Path("/usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]' installs Playwright")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium: `make install-test` installs it"),
]

# Each page and its heading; every one shows the reader's repository's rows, each naming the repository's word.
PAGES = [
    ("/", "Overview"),
    ("/runs", "Runs"),
    ("/locks", "Locks"),
    ("/plans", "Saved plans"),
    ("/audit", "Audit log"),
    ("/drift", "Drift per project"),
    ("/interactions", "Model interactions"),
    ("/fixes", "Fix attempts"),
    ("/queue", "Job queue"),
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}", record_key=app_record_key(b"x")) as opened:
        seed_repos(opened, NOW)
        yield opened


def screenshot_dir(tmp_path: Path) -> Path:
    """OLYMPUS_DASHBOARD_SCREENSHOTS (docs/dashboard to refresh the docs' ones), else a temporary directory."""
    shots = Path(os.environ.get("OLYMPUS_DASHBOARD_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    return shots


def sign_in(page: sync_api.Page, fake: FakeGitHub, base: str, login: str) -> None:
    fake.sign_in_as(login)
    page.goto(base + "/dashboard/runs")
    assert page.url == base + "/dashboard/sign-in", "a page without a session sends the browser to sign in"
    page.get_by_role("link", name="Sign in with GitHub").click()
    page.wait_for_url(base + "/dashboard/")
    assert page.locator(".who strong").inner_text() == login


def test_two_people_each_see_their_repository_and_a_maintainer_unlocks(
    fake_github: FakeGitHub, store: SqlStore, tmp_path: Path
) -> None:
    seat_people(fake_github)
    shots = screenshot_dir(tmp_path)
    with serving(app_settings(fake_github, tmp_path), store) as base, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            ann = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            ann.goto(base + "/dashboard/")
            ann.screenshot(path=str(shots / "sign-in.png"), full_page=True)
            sign_in(ann, fake_github, base, "ann")
            for path, heading in PAGES:
                ann.goto(base + "/dashboard" + path)
                assert ann.locator("h1").inner_text() == heading
                text = ann.locator("main").inner_text().lower()
                assert "beta" not in text, f"ann sees beta's rows on {path}"
                if path != "/":
                    assert "alpha" in text, f"ann misses alpha's rows on {path}"

            # A live update: an entry of alpha's arrives over the event stream; one of beta's never shows.
            ann.goto(base + "/dashboard/audit")
            sync_api.expect(ann.locator("#live-status")).to_have_text("Live updates on", timeout=10_000)
            store.for_repo(BETA).audit("beta-latecomer", "plan", {}, NOW, NOW, "ok")
            entry = store.for_repo(ALPHA).audit("alpha-latecomer", "plan", {}, NOW, NOW, "ok")
            sync_api.expect(ann.locator(f"tr[data-audit-id='{entry}']")).to_contain_text(
                "alpha-latecomer", timeout=15_000
            )
            assert "beta-latecomer" not in ann.locator("main").inner_text()

            ann.goto(base + "/dashboard/locks")
            ann.screenshot(path=str(shots / "signed-in-locks.png"), full_page=True)
            ann.get_by_role("button", name="Unlock infra/alpha (default) of acme/alpha").click()
            sync_api.expect(ann.locator("p.note")).to_contain_text("Released the lock on infra/alpha")
            assert store.lock_for(ALPHA, "infra/alpha", "default") is None
            assert store.audit_page(limit=1, repos=[ALPHA])[0].actor == "ann"

            ben = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            sign_in(ben, fake_github, base, "ben")
            for path, heading in PAGES:
                ben.goto(base + "/dashboard" + path)
                assert ben.locator("h1").inner_text() == heading
                text = ben.locator("main").inner_text().lower()
                assert "alpha" not in text, f"ben sees alpha's rows on {path}"
                if path != "/":
                    assert "beta" in text, f"ben misses beta's rows on {path}"
                assert ben.get_by_role("button", name="Unlock").count() == 0  # ben reads beta: no Unlock
            ben.goto(base + "/dashboard/")
            tiles = ben.locator("#counts").inner_text()
            assert "1\nruns" in tiles and "1\nlocks held" in tiles and "2\naudit entries" in tiles

            ben.get_by_role("button", name="Sign out").click()
            ben.wait_for_url(base + "/dashboard/sign-in?why=signed-out")
            ben.goto(base + "/dashboard/locks")
            assert ben.url == base + "/dashboard/sign-in"
        finally:
            browser.close()
