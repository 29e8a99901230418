"""Plan and apply through the command line record each step's time in their runs, and the runs page shows them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from local_repos import demo_repository
from olympus_cli import olympus

from bot.adapters.sqlstore import SqlStore
from bot.entrypoints.dashboard import dashboard_app

pytestmark = pytest.mark.slow

PROJECT = "infra/aws/envs/dev"


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    with demo_repository(tmp_path) as path:
        yield path


def test_plan_and_apply_runs_record_the_time_of_each_step_that_ran(repo: Path) -> None:
    planned = olympus("run", "--sandbox", "--repo", str(repo), "/infra create bucket step-logs region=eu-west-1")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    applied = olympus("apply", "--sandbox", "--repo", str(repo), "--approved-by", "alice")
    assert applied.returncode == 0, applied.stdout + applied.stderr

    with SqlStore.open(f"sqlite:///{repo / '.git/olympus/olympus.db'}") as store:
        runs = {run.command: run for run in store.runs_page()}
        page = TestClient(dashboard_app(store, [repo.name])).get("/runs").text
    plan, apply = runs["plan"].detail, runs["apply"].detail

    # The scanners that ran (the comment names them) are timed for the whole run; the project's steps for it.
    comment = (repo / ".git/olympus/reports/infra--create-bucket-step-logs-dev/comment.md").read_text()
    named = re.search(r"^(.+) found nothing to report\.$", comment, re.M)
    assert named, comment
    scanners = set(named.group(1).split(" and "))
    assert set(plan["steps"]) == scanners
    assert set(plan["projects"]) == {PROJECT}
    # The seeded repository has policy sets, so they are judged too; no workspace other than default is selected.
    assert set(plan["projects"][PROJECT]) == {"init", "plan", "show", "policies"}
    assert set(apply["projects"][PROJECT]) == {"init", "apply"} and apply["applied"] == [PROJECT]
    timings = [*plan["steps"].values(), *plan["projects"][PROJECT].values(), *apply["projects"][PROJECT].values()]
    assert all(isinstance(seconds, float | int) and seconds >= 0 for seconds in timings)

    assert page.count(f'<span class="muted">{PROJECT}:</span> init ') == 2  # the plan's and the apply's
    assert re.search(r"init [\d.]+ s, plan [\d.]+ s, show [\d.]+ s, policies [\d.]+ s", page)
    assert re.search(r"init [\d.]+ s, apply [\d.]+ s", page)
