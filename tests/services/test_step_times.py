"""A run's step timings: per project and for the run, from several threads, failed steps included."""

from __future__ import annotations

import threading

import pytest

from bot.services.step_times import StepTimes


def test_steps_are_kept_per_project_and_for_the_run_in_the_projects_order() -> None:
    times = StepTimes()
    with times.timing("checkov"):
        pass
    for name in ("b", "a"):
        with times.of(name).timing("init"):
            pass
    with times.of("a").timing("plan"):
        pass
    detail = times.detail(["a", "b", "locked"])
    assert list(detail["projects"]) == ["a", "b", "locked"]  # as the run lists them; a locked project ran nothing
    assert {name: list(steps) for name, steps in detail["projects"].items()} == {
        "a": ["init", "plan"],
        "b": ["init"],
        "locked": [],
    }
    assert list(detail["steps"]) == ["checkov"]
    seconds = [detail["steps"]["checkov"], *(s for steps in detail["projects"].values() for s in steps.values())]
    assert all(isinstance(s, float) and s >= 0 for s in seconds)


def test_a_failed_step_counts_the_time_it_took_and_a_repeated_one_adds_up() -> None:
    times = StepTimes()
    with pytest.raises(RuntimeError), times.of("p").timing("init"):
        raise RuntimeError("terraform init failed")
    first = times.detail(["p"])["projects"]["p"]["init"]
    with times.of("p").timing("init"):
        pass
    assert times.detail(["p"])["projects"]["p"]["init"] >= first


def test_projects_timed_from_several_threads_each_keep_their_own_steps() -> None:
    times = StepTimes()
    names = [f"p{n}" for n in range(8)]

    def plan(name: str) -> None:
        for step in ("init", "plan", "show"):
            with times.of(name).timing(step):
                pass

    workers = [threading.Thread(target=plan, args=(name,)) for name in names]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert {name: sorted(steps) for name, steps in times.detail(names)["projects"].items()} == {
        name: ["init", "plan", "show"] for name in names
    }
