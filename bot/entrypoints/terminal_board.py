"""The CLI's board of work running side by side: a live table of every project and scanner, or plain lines."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from bot.domain.invisible import show_invisible
from bot.entrypoints.terminal import STEP_PREFIX, safe

QUEUED = "queued"
# Rows a live table shows before it keeps to the running and failed ones (and a count of the rest).
MAX_LIVE_ROWS = 14


@dataclass
class _Task:
    name: str
    state: str = QUEUED
    began: float | None = None  # when its first step began
    step_began: float = 0.0
    ended: float | None = None
    ok: bool | None = None  # None: still queued or running
    detail: str = ""
    last_line: str = ""
    spinner: Spinner = field(default_factory=lambda: Spinner("dots", style="cyan"))

    def elapsed(self, now: float) -> float:
        if self.began is None:
            return 0.0
        return (self.ended if self.ended is not None else now) - self.began


@dataclass
class TerminalBoard:
    """Implements bot.services.task_board.TaskBoard for the CLI, from any thread.

    On a terminal: a live table, one row per task with its state (queued, terraform init, terraform plan, a scan,
    then planned, failed, locked or scanned) and its elapsed time since it left the queue, and under a running row
    the last line its tool printed. Piped: a line per change of state, `✓ TASK: STEP  SECONDS s` as a step ends.
    """

    console: Console
    live: bool
    # Called as the board opens: the step display it takes over from closes its running step.
    before_open: Callable[[], None] = lambda: None
    _tasks: dict[str, _Task] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _display: Live | None = None

    def open(self, tasks: Sequence[str]) -> None:
        self.before_open()
        with self._lock:
            self._tasks = {name: _Task(name) for name in tasks}
            if self.live:
                self._display = Live(_Frame(self), console=self.console, refresh_per_second=8, transient=True)
                self._display.start()
            else:
                for name in tasks:
                    self.console.print(safe(f"· {name}: {QUEUED}"))

    def step(self, task: str, step: str) -> None:
        with self._lock:
            now = time.monotonic()
            entry = self._task(task)
            if entry.began is None:
                entry.began = now
            elif not self.live:
                self._print_step_done(entry, now)
            entry.state, entry.step_began, entry.last_line = step, now, ""
            if not self.live:
                self.console.print(safe(f"{STEP_PREFIX}{task}: {step}"))

    def line(self, task: str, line: str) -> None:
        with self._lock:
            if self.live:
                self._task(task).last_line = line.strip()[:120]
            else:
                self.console.print(safe(f"  │ {task}: {line[:200]}"))

    def finish(self, task: str, outcome: str, *, ok: bool, detail: str = "") -> None:
        with self._lock:
            now = time.monotonic()
            entry = self._task(task)
            if not self.live:
                if entry.began is not None and ok:
                    self._print_step_done(entry, now)
                elif entry.began is not None:
                    self.console.print(safe(f"✗ {task}: {entry.state} failed after {now - entry.step_began:.1f} s"))
            entry.state, entry.ok, entry.detail, entry.ended = outcome, ok, detail, now
            entry.began = entry.began if entry.began is not None else now
            if not self.live:
                mark, more = ("✓" if ok else "✗"), f" {detail}" if detail else ""
                self.console.print(safe(f"{mark} {task}: {outcome}{more} in {entry.elapsed(now):.1f} s"))

    def close(self) -> None:
        with self._lock:
            if self._display is None:
                return
            self._display.stop()
            self._display = None
            # The live table kept to what was running; what stays on the screen is every task, as it ended.
            self.console.print(self._table(list(self._tasks.values()), time.monotonic(), final=True))

    def _task(self, name: str) -> _Task:
        return self._tasks.setdefault(name, _Task(name))

    def _print_step_done(self, entry: _Task, now: float) -> None:
        line = Text("✓ ", style="green")
        line.append_text(safe(f"{entry.name}: {entry.state}"))
        line.append(f"  {now - entry.step_began:.1f} s", style="dim")
        self.console.print(line)

    def render(self) -> RenderableType:
        with self._lock:
            tasks = list(self._tasks.values())
        now = time.monotonic()
        shown = tasks
        if len(tasks) > MAX_LIVE_ROWS:
            shown = [t for t in tasks if t.began is not None and (t.ok is None or t.ok is False)][:MAX_LIVE_ROWS]
        counts = _counts(tasks)
        return Group(self._table(shown, now, final=False), Text(counts, style="dim"))

    def _table(self, tasks: list[_Task], now: float, *, final: bool) -> Table:
        table = Table.grid(padding=(0, 2))
        for _ in range(4):
            table.add_column()
        for task in tasks:
            if task.ok is True:
                mark: RenderableType = Text("✓", style="green")
            elif task.ok is False:
                mark = Text("✗", style="red")
            elif task.began is None:
                mark = Text("·", style="dim")
            else:
                mark = task.spinner
            state = safe(task.state + (f" {task.detail}" if task.detail else ""))
            if task.ok is False:
                state.stylize("red")
            seconds = Text(f"{task.elapsed(now):.1f} s" if task.began is not None else "", style="dim")
            table.add_row(mark, safe(task.name), state, seconds)
            if not final and task.ok is None and task.last_line:
                table.add_row("", Text("  " + show_invisible(task.last_line), style="dim"), "", "")
        return table


def _counts(tasks: list[_Task]) -> str:
    queued = sum(t.began is None for t in tasks)
    running = sum(t.began is not None and t.ok is None for t in tasks)
    done = sum(t.ok is True for t in tasks)
    failed = sum(t.ok is False for t in tasks)
    return f"{done} done, {running} running, {queued} queued" + (f", {failed} failed or locked" if failed else "")


@dataclass
class _Frame:
    board: TerminalBoard

    def __rich__(self) -> RenderableType:
        return self.board.render()
