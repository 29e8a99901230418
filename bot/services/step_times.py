"""Step timings of one run (init, plan, show, apply, policies per project; each scanner for the run), for its record.

The stopwatch (bot/services/stopwatch.py) says where a command's time went by kind of work; this says how long each
step of each project took, which is what a run's record keeps and the dashboard's runs page shows. A step that
runs twice in a project (a second `workspace select`) counts the sum; a step that failed counts the time it took.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StepTimes:
    """Seconds per step, per project and for the run as a whole, timed from any thread."""

    _projects: dict[str, dict[str, float]] = field(default_factory=dict)
    _run: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @contextmanager
    def timing(self, step: str, project: str | None = None) -> Iterator[None]:
        """Time a step of project (None: of the whole run, as a scanner scans every project at once)."""
        began = time.monotonic()
        try:
            yield
        finally:
            took = time.monotonic() - began
            with self._lock:
                steps = self._run if project is None else self._projects.setdefault(project, {})
                steps[step] = steps.get(step, 0.0) + took

    def of(self, project: str) -> ProjectSteps:
        """The steps of one project, to hand to the code that runs them."""
        return ProjectSteps(self, project)

    def detail(self, projects: list[str]) -> dict[str, Any]:
        """A run's detail: {"steps": {scanner: s}, "projects": {name: {step: s}}}, every project named, in order."""
        with self._lock:
            return {
                "steps": {step: round(seconds, 3) for step, seconds in self._run.items()},
                "projects": {
                    name: {step: round(seconds, 3) for step, seconds in self._projects.get(name, {}).items()}
                    for name in projects
                },
            }


@dataclass(frozen=True)
class ProjectSteps:
    """One project's steps in a run's timings."""

    times: StepTimes
    project: str

    def timing(self, step: str) -> AbstractContextManager[None]:
        return self.times.timing(step, self.project)
