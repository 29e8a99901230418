"""What a use case tells a display about work running side by side (projects, scanners): each task's steps."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

# A task's states, as a display shows them: queued, then its steps (`terraform init`, `terraform plan`, a scanner's
# name), then how it ended. The ends a plan has:
PLANNED = "planned"
FAILED = "failed"
LOCKED = "locked"
SCANNED = "scanned"


class TaskBoard(Protocol):
    """Called from any thread; the CLI draws it (bot/entrypoints/terminal_board.py), the App and Action log it."""

    def open(self, tasks: Sequence[str]) -> None:
        """These tasks are queued, in the order their results will be shown."""

    def step(self, task: str, step: str) -> None:
        """The task starts a step (`terraform plan`); the step it was in, if any, is done."""

    def line(self, task: str, line: str) -> None:
        """A line the task's running tool printed, secrets already redacted."""

    def finish(self, task: str, outcome: str, *, ok: bool, detail: str = "") -> None:
        """The task ended: PLANNED, FAILED, LOCKED (detail: by whom) or SCANNED."""

    def close(self) -> None:
        """No more events: a live display stops and leaves its last state on the screen."""


@dataclass
class SayingBoard:
    """A board as log lines through `say` (the Action's job log; the App's `say` drops them): no output lines."""

    say: Callable[[str], None]

    def open(self, tasks: Sequence[str]) -> None:
        pass

    def step(self, task: str, step: str) -> None:
        self.say(f"→ {task}: {step}")

    def line(self, task: str, line: str) -> None:
        pass

    def finish(self, task: str, outcome: str, *, ok: bool, detail: str = "") -> None:
        self.say(f"{'✓' if ok else '✗'} {task}: {outcome}{f' ({detail})' if detail else ''}")

    def close(self) -> None:
        pass
