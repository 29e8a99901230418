"""The dashboard's pages over a seeded SQLite store: what each shows, pagination, filters and escaped text."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_seed import AUDIT_ENTRIES, HOSTILE, NOW, REPO, seed
from fastapi.testclient import TestClient

from bot.adapters.sqlstore import SqlStore
from bot.domain.dashboard import AuditFilter
from bot.entrypoints.dashboard import dashboard_app
from bot.entrypoints.local_dashboard import is_loopback

PAGES = ("/", "/runs", "/locks", "/plans", "/audit", "/drift", "/interactions", "/fixes", "/queue")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}") as opened:
        seed(opened)
        yield opened


@pytest.fixture
def client(store: SqlStore) -> TestClient:
    return TestClient(dashboard_app(store, [REPO], clock=lambda: NOW))


def audit_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-audit-id="(\d+)"', html)]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_escapes_hostile_text_and_loads_nothing_from_elsewhere(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert HOSTILE not in page.text
    assert "<script>" not in page.text.replace("<script>\n// Live updates", "")  # the page's one script only
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert not re.search(r'(src|href)="https?://', page.text), "every link and script is the dashboard's own"
    assert 'href="#main"' in page.text and 'aria-current="page"' in page.text


def test_overview_counts_and_charts(client: TestClient) -> None:
    page = client.get("/").text
    assert '<span class="n">4</span>runs' in page and "(1 failed)" in page
    assert '<span class="n">31</span>audit entries' in page
    assert page.count("<svg") == 6  # three charts, each drawn for light and for dark pages
    assert "Runs and failures per day" in page and "Plan duration per day" in page
    assert "Fix success rate per failure class" in page
    # The charts' figures as a table too: yesterday's failed plan, today's plan of 40 s.
    assert '<td>2026-12-02</td><td class="num">1</td><td class="num">1</td>' in page
    assert '<td class="num">40.0 s</td><td class="num">40.0 s</td>' in page
    rate = '<td>bucket-name-taken</td><td class="num">2</td><td class="num">1</td><td class="num">50 %</td>'
    assert rate in page


def test_runs_show_status_timings_and_steps_and_page_by_keyset(client: TestClient) -> None:
    page = client.get("/runs").text
    assert "init 3.5 s, plan 30.2 s" in page
    # A run of several projects: the scanners' steps for the run, then each project's own, its name escaped.
    assert "<div>checkov 2.2 s, trivy 1.0 s</div>" in page
    assert '<div><span class="muted">web:</span> init 1.5 s, plan 12.0 s, show 0.5 s, policies 0.1 s</div>' in page
    assert '<span class="muted">&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;:</span> init 0.2 s' in page
    assert '<td class="bad">failed: web</td>' in page
    assert "&lt;script&gt;" in page and ">running<" in page
    first = client.get("/runs?size=2").text
    older = re.search(r'href="/runs\?size=2&amp;before=(\d+)"', first)
    assert older, "a second page is offered"
    second = client.get(f"/runs?size=2&before={older.group(1)}").text
    assert second.count("<tr>") - 1 == 2 and "Older runs" not in second  # the oldest two; no third page


def test_locks_plans_drift_interactions_and_fixes(client: TestClient) -> None:
    assert "<td>infra/aws/envs/dev</td><td>default</td><td>infra/add-bucket</td>" in client.get("/locks").text
    plans = client.get("/plans").text
    assert "2 to add, 1 to change, 0 to destroy" in plans and "<td>yes</td>" in plans
    drift = client.get("/drift").text
    assert '<td class="bad">drifted</td>' in drift and "2 changed, 1 deleted" in drift
    assert '<td class="good">clean</td>' in drift
    model = client.get("/interactions").text
    assert "create a bucket named logs &lt;script&gt;" in model and "<code>aws_s3_bucket</code>" in model
    assert "1,500" in model and "$0.0081" in model
    fixes = client.get("/fixes").text
    assert '<td>invalid-instance-type</td><td class="num">1</td><td class="num">1</td>' in fixes
    assert "the name is taken &lt;script&gt;" in fixes


def test_audit_log_pages_newest_first_without_gaps_or_repeats(client: TestClient) -> None:
    seen: list[int] = []
    url = "/audit?size=10"
    while url:
        page = client.get(url).text
        seen += audit_ids(page)
        older = re.search(r'href="(/audit\?size=10&amp;before=\d+)"', page)
        url = older.group(1).replace("&amp;", "&") if older else ""
    assert seen == list(range(AUDIT_ENTRIES + 1, 0, -1))


def test_audit_log_filters_by_person_action_and_result(client: TestClient, store: SqlStore) -> None:
    bob = audit_ids(client.get("/audit?actor=bob").text)
    assert bob and all(store.audit_page(AuditFilter(actor="bob"), limit=100)[i].actor == "bob" for i in range(len(bob)))
    assert len(bob) == AUDIT_ENTRIES // 2
    approvals = client.get("/audit?action=approve&size=200").text
    assert len(audit_ids(approvals)) == AUDIT_ENTRIES // 5 and ">plan<" not in approvals
    failed = audit_ids(client.get("/audit?result=failed&actor=alice&size=200").text)
    expected = [e.id for e in store.audit_log(limit=100) if e.actor == "alice" and e.result != "ok"]
    assert failed == expected and failed
    ok_page = client.get("/audit?result=ok&size=3").text
    assert len(audit_ids(ok_page)) == 3
    assert 'href="/audit?size=3&amp;result=ok&amp;before=' in ok_page  # the next page keeps the filters
    hostile = client.get("/audit", params={"actor": HOSTILE}).text
    assert len(audit_ids(hostile)) == 1 and HOSTILE not in hostile
    assert "No audit entries match these filters." in client.get("/audit?actor=nobody").text


def test_bad_parameters_are_refused(client: TestClient) -> None:
    assert client.get("/audit?result=maybe").status_code == 422
    assert client.get("/audit?size=0").status_code == 422
    assert client.get("/runs?size=100000").status_code == 422


def test_counts_sent_as_events_say_what_changed(store: SqlStore) -> None:
    counts = store.store_counts()
    assert (counts.runs, counts.failed_runs, counts.audit_entries, counts.newest_audit_id) == (4, 1, 31, 31)
    store.audit("carol", "plan", {}, NOW, NOW, "ok")
    assert store.store_counts().newest_audit_id == 32
    assert json.loads(json.dumps(counts.__dict__))["locks"] == 1


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("example.com", False),
        ("::", False),
    ],
)
def test_only_loopback_hosts_are_served(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_an_empty_store_says_what_makes_each_record(tmp_path: Path) -> None:
    with SqlStore.open(f"sqlite:///{tmp_path / 'empty.db'}") as empty:
        client = TestClient(dashboard_app(empty, [REPO], clock=lambda: NOW))
        shown = {path: client.get(path).text for path in PAGES}
    assert shown["/"].count("<svg") == 2  # runs per day only: no plan timings, no fix attempts yet
    assert "No runs yet" in shown["/runs"] and "No locks held." in shown["/locks"]
    assert "No saved plans" in shown["/plans"] and "No audit entries." in shown["/audit"]
    assert "Never checked" in shown["/drift"] and "No model interactions yet" in shown["/interactions"]
    assert "No fix attempts yet" in shown["/fixes"]
    assert "The job queue is empty. It belongs to <code>olympus serve</code>" in shown["/queue"]
    assert "No failed jobs." in shown["/queue"] and "<svg" not in shown["/queue"]


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    lighter, darker = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_text_colours_meet_wcag_aa_contrast_in_light_and_dark(client: TestClient) -> None:
    page = client.get("/").text
    schemes = re.findall(r":root \{([^}]*)\}", page)
    assert len(schemes) == 2, "a light and a dark palette"
    for scheme in schemes:
        colours = dict(re.findall(r"--([a-z]+): (#[0-9a-f]{6})", scheme))
        for text in ("fg", "muted", "link", "bad", "good"):
            for background in ("bg", "head"):
                ratio = _contrast(colours[text], colours[background])
                assert ratio >= 4.5, f"--{text} on --{background}: {ratio:.2f}"
        assert _contrast(colours["focus"], colours["bg"]) >= 3  # a focus ring is a non-text element


def test_mounted_under_a_prefix_every_link_keeps_it(store: SqlStore) -> None:
    """As the App will mount it at /dashboard: the pages, their links and the event stream all live under it."""
    from fastapi import FastAPI

    outer = FastAPI()
    outer.mount("/dashboard", dashboard_app(store, [REPO], clock=lambda: NOW))
    client = TestClient(outer)
    page = client.get("/dashboard/audit?size=10")
    assert page.status_code == 200 and len(audit_ids(page.text)) == 10
    links = re.findall(r'href="(/[^"]*)"', page.text)
    assert links and all(link.startswith("/dashboard/") for link in links), links
    assert 'data-events="/dashboard/events"' in page.text
    assert client.get("/dashboard/").status_code == 200 and client.get("/audit").status_code == 404
