"""The plan record: which run of which workflow counts, and how its record is read and refused."""

from __future__ import annotations

import json

from bot.domain.plan_evidence import PlanRun, plan_runs_of, record_text, reviewed_plans_of
from bot.domain.policies.results import PolicyFailure

HEAD = "1" * 40
OLYMPUS = ".github/workflows/olympus.yml"


def run(
    id: int,
    *,
    path: str = OLYMPUS,
    event: str = "pull_request",
    head: str = HEAD,
    status: str = "completed",
    at: str = "2026-11-21T06:00:00Z",
) -> PlanRun:
    return PlanRun(id, path, event, head, status, at)


def test_the_finished_pull_request_runs_of_the_plan_workflow_at_head_count_newest_first() -> None:
    runs = [
        run(1, at="2026-11-21T06:00:00Z"),
        run(2, at="2026-11-21T06:05:00Z"),  # planned again: newer first
        run(3, at="2026-11-21T06:09:00Z", status="in_progress"),  # not finished: no record yet
        run(4, at="2026-11-21T06:10:00Z", path=".github/workflows/other.yml"),
        run(5, at="2026-11-21T06:10:00Z", event="push"),  # a push of the same commit runs other code paths
        run(6, at="2026-11-21T06:10:00Z", head="2" * 40),
    ]
    assert plan_runs_of(runs, HEAD, OLYMPUS) == [runs[1], runs[0]]
    assert plan_runs_of(runs[2:], HEAD, OLYMPUS) == []
    # Two runs created in the same second: the later id is the later run.
    assert plan_runs_of([run(7), run(8)], HEAD, OLYMPUS) == [run(8), run(7)]


def test_a_record_lists_each_projects_hash_and_caps_its_policy_failures() -> None:
    failures = [PolicyFailure("olympus", f"deny {n}") for n in range(25)]
    text = record_text("o/r", 7, HEAD, "https://run", {"dev": ("a" * 64, failures), "prod": ("b" * 64, ())})
    data = json.loads(text)
    assert data["version"] == 1 and data["head"] == HEAD and data["pull_request"] == 7
    assert len(data["projects"]["dev"]["policy_failures"]) == 21
    assert data["projects"]["dev"]["policy_failures"][-1] == {
        "policy_set": "olympus",
        "message": "and 5 more policy failures",
    }
    reviewed = reviewed_plans_of(
        text,
        run(1),
        repository="o/r",
        pull_request=7,
        head=HEAD,
        projects=["dev", "prod", "stage"],
        workflow_path=OLYMPUS,
    )
    assert reviewed["prod"].sha256 == "b" * 64 and reviewed["prod"].problem == ""
    assert len(reviewed["dev"].policy_failures) == 21
    assert reviewed["dev"].policy_failures[0] == PolicyFailure("olympus", "deny 0")
    assert reviewed["stage"].sha256 is None and "recorded no plan of it" in reviewed["stage"].problem


def test_records_that_are_not_for_this_change_are_refused() -> None:
    def problem(text: str | None) -> str:
        (reviewed,) = reviewed_plans_of(
            text, run(1), repository="o/r", pull_request=7, head=HEAD, projects=["dev"], workflow_path=OLYMPUS
        ).values()
        assert reviewed.sha256 is None
        return reviewed.problem

    good = json.loads(record_text("o/r", 7, HEAD, "r", {"dev": ("a" * 64, ())}))
    assert "uploaded an olympus-plan-record artifact" in problem(None)
    assert "not a readable record" in problem("{")
    assert "not a version 1 record" in problem(json.dumps({**good, "version": 2}))
    assert "not o/r#7" in problem(json.dumps({**good, "repository": "o/other"}))
    assert "not o/r#7" in problem(json.dumps({**good, "head": "2" * 40}))
    bad_hash = {**good, "projects": {"dev": {"sha256": "not-a-hash"}}}
    assert "recorded no plan of it" in problem(json.dumps(bad_hash))


def test_a_record_written_before_policy_sets_keeps_its_failures_under_no_set() -> None:
    body = json.loads(record_text("o/r", 7, HEAD, "https://run", {"dev": ("a" * 64, ())}))
    body["projects"]["dev"]["policy_failures"] = ["deny: public bucket"]
    reviewed = reviewed_plans_of(
        json.dumps(body), run(1), repository="o/r", pull_request=7, head=HEAD, projects=["dev"], workflow_path=OLYMPUS
    )
    assert reviewed["dev"].policy_failures == (PolicyFailure("", "deny: public bucket"),)
