"""The App's dashboard at /dashboard: GitHub sign-in, each person's repositories on every page, and Unlock."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from dashboard_app_seed import ALPHA, BETA, NOW, app_settings, seat_people, seed_repos, serving, sign_in
from fakes.github import FakeGitHub
from fastapi.testclient import TestClient

from bot.adapters.sqlstore import SqlStore
from bot.entrypoints.dashboard.github_sign_in import SESSION_COOKIE
from bot.entrypoints.webhook import create_app

PAGES = ("/", "/runs", "/locks", "/plans", "/audit", "/drift", "/interactions", "/fixes", "/queue")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}") as opened:
        seed_repos(opened, NOW)
        yield opened


@pytest.fixture
def app(fake_github: FakeGitHub, store: SqlStore, tmp_path: Path) -> TestClient:
    seat_people(fake_github)
    return TestClient(create_app(app_settings(fake_github, tmp_path), store), base_url="http://127.0.0.1")


def signed_in(app: TestClient, fake: FakeGitHub, login: str) -> TestClient:
    done = sign_in(app, fake, login)
    assert done.status_code == 303 and done.headers["location"] == "/dashboard/", done.text
    return app


def test_without_a_session_every_page_sends_the_browser_to_sign_in(app: TestClient) -> None:
    for path in PAGES:
        answer = app.get("/dashboard" + path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/dashboard/sign-in", path
    assert app.get("/dashboard/events").status_code == 401
    sign_in_page = app.get("/dashboard/sign-in")
    assert sign_in_page.status_code == 200 and 'href="/dashboard/sign-in/github"' in sign_in_page.text
    assert "alpha" not in sign_in_page.text


def test_the_sign_in_sets_a_sealed_http_only_lax_session_holding_no_token(
    app: TestClient, fake_github: FakeGitHub
) -> None:
    started = app.get("/dashboard/sign-in/github", follow_redirects=False)
    location = started.headers["location"]
    assert location.startswith(f"{fake_github.base_url}/login/oauth/authorize?client_id={fake_github.oauth.client_id}")
    assert "state=" in location and "redirect_uri=http%3A%2F%2F127.0.0.1%2Fdashboard%2Foauth%2Fcallback" in location
    state_cookie = started.headers["set-cookie"]
    assert "HttpOnly" in state_cookie and "SameSite=lax" in state_cookie and "Path=/dashboard" in state_cookie
    fake_github.sign_in_as("ann")
    back = httpx.get(location, follow_redirects=False).headers["location"]
    done = app.get(back.removeprefix("http://127.0.0.1"), follow_redirects=False)
    assert done.status_code == 303
    cookie = next(c for c in done.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=28800" in cookie
    tokens = list(fake_github.credentials.user_tokens)
    assert tokens and not any(token in cookie for token in tokens), "the user token is sealed, never in clear"
    home = app.get("/dashboard/")
    assert home.status_code == 200 and "Signed in as <strong>ann</strong>" in home.text


def test_a_state_not_given_to_this_browser_is_refused(app: TestClient, fake_github: FakeGitHub) -> None:
    started = app.get("/dashboard/sign-in/github", follow_redirects=False)
    fake_github.sign_in_as("ann")
    back = httpx.get(started.headers["location"], follow_redirects=False).headers["location"]
    forged = re.sub(r"state=[^&]+", "state=someone-elses", back.removeprefix("http://127.0.0.1"))
    refused = app.get(forged, follow_redirects=False)
    assert refused.status_code == 400 and "could not be checked" in refused.text
    assert fake_github.oauth.exchanges == 0, "no code is exchanged for a state that does not check"
    app.cookies.clear()  # another browser: the right state, but no cookie binding it
    assert app.get(back.removeprefix("http://127.0.0.1"), follow_redirects=False).status_code == 400
    assert app.get("/dashboard/", follow_redirects=False).status_code == 303


def test_a_denied_sign_in_says_so(app: TestClient, fake_github: FakeGitHub) -> None:
    answer = sign_in(app, fake_github, None)  # type: ignore[arg-type]
    assert answer.status_code == 400 and "cancelled" in answer.text


def test_a_tampered_or_expired_session_is_refused(app: TestClient, fake_github: FakeGitHub) -> None:
    signed_in(app, fake_github, "ann")
    sealed = app.cookies[SESSION_COOKIE]
    flipped = sealed[:-3] + ("A" if sealed[-3] != "A" else "B") + sealed[-2:]
    for cookie, status in ((flipped, 303), (sealed[:-1], 303), ("", 303), (sealed, 200)):
        app.cookies.clear()
        app.cookies.set(SESSION_COOKIE, cookie)
        assert app.get("/dashboard/", follow_redirects=False).status_code == status, cookie
    mounted = next(route for route in app.app.routes if getattr(route, "path", "") == "/dashboard")  # type: ignore[attr-defined]
    access = mounted.app.state.access
    access.clock = lambda: NOW.timestamp() + 10**10  # long after its 8 hours
    expired = app.get("/dashboard/runs", follow_redirects=False)
    assert expired.status_code == 303 and expired.headers["location"] == "/dashboard/sign-in?why=expired"


def test_off_loopback_the_cookies_are_secure(fake_github: FakeGitHub, store: SqlStore, tmp_path: Path) -> None:
    client = TestClient(create_app(app_settings(fake_github, tmp_path), store), base_url="https://olympus.example.com")
    started = client.get("/dashboard/sign-in/github", follow_redirects=False)
    assert "Secure" in started.headers["set-cookie"]
    assert (
        "redirect_uri=https%3A%2F%2Folympus.example.com%2Fdashboard%2Foauth%2Fcallback" in started.headers["location"]
    )


@pytest.mark.parametrize(("login", "mine", "theirs"), [("ann", "alpha", "beta"), ("ben", "beta", "alpha")])
def test_every_page_shows_only_the_readers_repositories(
    app: TestClient, fake_github: FakeGitHub, login: str, mine: str, theirs: str
) -> None:
    signed_in(app, fake_github, login)
    for path in PAGES:
        page = app.get("/dashboard" + path)
        assert page.status_code == 200, path
        assert theirs not in page.text.lower(), f"{login} sees {theirs}'s rows on {path}"
        assert "orphan-person" not in page.text, f"a row naming no repository shows on {path}"
        if path not in ("/",):
            assert mine in page.text, f"{login} misses their own rows on {path}"
    overview = app.get("/dashboard/").text
    assert '<span class="n">1</span>runs' in overview and "(1 failed)" in overview
    assert '<span class="n">1</span>audit entries' in overview and '<span class="n">1</span>locks held' in overview


def test_the_audit_log_filters_by_repository(app: TestClient, fake_github: FakeGitHub, store: SqlStore) -> None:
    signed_in(app, fake_github, "ann")
    assert "alpha-person" in app.get("/dashboard/audit", params={"repo": ALPHA}).text
    other = app.get("/dashboard/audit", params={"repo": BETA}).text
    assert "No audit entries match these filters." in other and "beta" not in other.replace(BETA, "")
    entries = store.audit_page(repos=[ALPHA])
    assert [e.repo for e in entries] == [ALPHA]


def test_a_person_with_no_repository_sees_nothing(app: TestClient, fake_github: FakeGitHub) -> None:
    signed_in(app, fake_github, "nobody-at-all")
    for path in PAGES:
        text = app.get("/dashboard" + path).text
        assert "alpha" not in text and "beta" not in text and "orphan" not in text, path


def test_the_event_stream_counts_only_the_readers_rows(
    fake_github: FakeGitHub, store: SqlStore, tmp_path: Path
) -> None:
    seat_people(fake_github)
    with serving(app_settings(fake_github, tmp_path), store) as base, httpx.Client(base_url=base) as browser:
        done = sign_in(browser, fake_github, "ben")
        assert done.status_code == 303
        with browser.stream("GET", "/dashboard/events", timeout=20) as stream:
            data = next(line for line in stream.iter_lines() if line.startswith("data:"))
    counts = json.loads(data.removeprefix("data:"))
    assert (counts["runs"], counts["plans"], counts["locks"], counts["audit_entries"]) == (1, 1, 1, 1)
    assert (counts["interactions"], counts["fix_attempts"], counts["failed_jobs"]) == (1, 1, 1)
    assert counts["newest_audit_id"] == max(e.id for e in store.audit_page(repos=[BETA]))


def test_without_sign_in_settings_the_dashboard_says_what_to_set(
    fake_github: FakeGitHub, store: SqlStore, tmp_path: Path
) -> None:
    settings = app_settings(fake_github, tmp_path, oauth_client_id=None, oauth_client_secret=None)
    client = TestClient(create_app(settings, store), base_url="http://127.0.0.1")
    for path in (*PAGES, "/events"):
        page = client.get("/dashboard" + path, follow_redirects=False)
        assert page.status_code == 503, path
        assert "OLYMPUS_OAUTH_CLIENT_ID and OLYMPUS_OAUTH_CLIENT_SECRET" in page.text
        assert "alpha" not in page.text and "beta" not in page.text
    assert client.get("/dashboard/sign-in/github").status_code == 404  # no flow to start


# --- Unlock -------------------------------------------------------------------------------------------------------


def _unlock_form(page: str) -> dict[str, str]:
    form = re.search(r'<form method="post" action="/dashboard/locks/unlock">(.*?)</form>', page)
    assert form, "no Unlock button"
    return dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(1)))


def test_a_maintainer_unlocks_and_the_unlock_is_audited(
    app: TestClient, fake_github: FakeGitHub, store: SqlStore
) -> None:
    signed_in(app, fake_github, "ann")
    fields = _unlock_form(app.get("/dashboard/locks").text)
    assert fields["repo"] == ALPHA and fields["dir"] == "infra/alpha"
    done = app.post("/dashboard/locks/unlock", data=fields, follow_redirects=False)
    assert done.status_code == 303
    after = app.get(done.headers["location"]).text
    assert "Released the lock on infra/alpha (default) of acme/alpha, held by acme/alpha#1" in after
    assert "No locks held." in after
    assert store.lock_for(ALPHA, "infra/alpha", "default") is None
    assert store.lock_for(BETA, "infra/beta", "default") is not None
    [entry] = store.audit_page(which=None, limit=1, repos=[ALPHA])
    assert (entry.actor, entry.action, entry.result, entry.repo) == ("ann", "unlock", "ok", ALPHA)
    assert entry.params["holder"] == "acme/alpha#1" and entry.params["door"] == "dashboard"
    assert done.headers["location"] == f"/dashboard/locks?unlocked={entry.id}"  # the note is read from the entry

    # A link made to show a note (another's entry, or words in the query) shows none.
    forged = app.get("/dashboard/locks", params={"unlocked": entry.id + 1, "note": "released", "repo": "x"}).text
    assert "Released" not in forged and "no longer held" not in forged
    signed_in(app, fake_github, "ben")
    assert "Released" not in app.get(done.headers["location"]).text  # ann's unlock is not ben's to be told of


@pytest.mark.parametrize("login", ["wes", "rita"])
def test_write_or_read_cannot_unlock(app: TestClient, fake_github: FakeGitHub, store: SqlStore, login: str) -> None:
    signed_in(app, fake_github, login)
    page = app.get("/dashboard/locks").text
    assert "infra/alpha" in page and "/locks/unlock" not in page and "needs maintain" in page
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf  # the sign-out form's: this session's token
    fields = {"repo": ALPHA, "dir": "infra/alpha", "workspace": "default", "csrf": csrf.group(1)}
    refused = app.post("/dashboard/locks/unlock", data=fields)
    assert refused.status_code == 403 and "maintain or admin" in refused.text
    assert store.lock_for(ALPHA, "infra/alpha", "default") is not None


def test_an_unlock_without_this_sessions_csrf_token_is_refused(
    app: TestClient, fake_github: FakeGitHub, store: SqlStore
) -> None:
    signed_in(app, fake_github, "ann")
    fields = _unlock_form(app.get("/dashboard/locks").text)
    for csrf in ("", "a-token-of-another-session"):
        refused = app.post("/dashboard/locks/unlock", data={**fields, "csrf": csrf})
        assert refused.status_code == 403 and "not this session's" in refused.text
    assert store.lock_for(ALPHA, "infra/alpha", "default") is not None
    app.cookies.clear()  # no session at all: sign in first
    assert app.post("/dashboard/locks/unlock", data=fields, follow_redirects=False).status_code == 303


def test_a_maintainer_cannot_unlock_another_repository(
    app: TestClient, fake_github: FakeGitHub, store: SqlStore
) -> None:
    signed_in(app, fake_github, "ann")
    fields = {**_unlock_form(app.get("/dashboard/locks").text), "repo": BETA, "dir": "infra/beta"}
    assert app.post("/dashboard/locks/unlock", data=fields).status_code == 403
    assert store.lock_for(BETA, "infra/beta", "default") is not None


def test_signing_out_ends_the_session(app: TestClient, fake_github: FakeGitHub) -> None:
    signed_in(app, fake_github, "ann")
    csrf = re.search(r'name="csrf" value="([^"]+)"', app.get("/dashboard/").text)
    assert csrf
    out = app.post("/dashboard/sign-out", data={"csrf": csrf.group(1)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/dashboard/sign-in?why=signed-out"
    assert app.get("/dashboard/", follow_redirects=False).status_code == 303
