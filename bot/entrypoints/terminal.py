"""The CLI's terminal: a spinner per step with its elapsed time, errors as `error[code]` + `hint`, plain when piped."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Literal

from rich.console import Console
from rich.status import Status
from rich.text import Text

from bot.domain.invisible import show_invisible

if TYPE_CHECKING:
    from bot.entrypoints.terminal_board import TerminalBoard

OutputFormat = Literal["auto", "rich", "markdown"]
STEP_PREFIX = "→ "


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def wants_rich(output: OutputFormat, stream: IO[str] | None = None) -> bool:
    """Rich output for a person at a terminal; markdown when piped, redirected or asked for."""
    if output != "auto":
        return output == "rich"
    return _is_terminal(stream or sys.stdout)


def console_for(stream: IO[str], *, rich: bool) -> Console:
    """A console writing to stream; without rich, plain text with no colour or wrapping."""
    if rich:
        return Console(file=stream, force_terminal=True, highlight=False, soft_wrap=False)
    return Console(file=stream, no_color=True, highlight=False, soft_wrap=True, width=10_000, color_system=None)


def safe(text: str) -> Text:
    """Untrusted text (Terraform's output, names, errors) as a Text: no markup read, invisible characters shown."""
    return Text(show_invisible(text))


@dataclass
class StepProgress:
    """Steps Olympus announces with `→ …` (terraform init, plan, each scanner): a spinner and the running time
    on a terminal, then `✓ step  1.2 s` when the next one starts; plain lines when stderr is not a terminal."""

    console: Console
    live: bool
    _step: str = ""
    _started: float = 0.0
    _status: Status | None = None
    _last_line: str = ""
    timings: list[tuple[str, float]] = field(default_factory=list)

    @classmethod
    def on_stderr(cls) -> StepProgress:
        live = _is_terminal(sys.stderr)
        return cls(console_for(sys.stderr, rich=live), live)

    def say(self, line: str) -> None:
        if line.startswith(STEP_PREFIX):
            self._begin(line.removeprefix(STEP_PREFIX))
        elif self._status is not None:
            self._status.console.print(safe(f"  {line}"), style="dim")
        else:
            self.console.print(safe(line))

    def tool_line(self, line: str) -> None:
        """One line of Terraform's output: under the spinner on a terminal, as a quoted line in a log."""
        if self.live:
            self._last_line = line.strip()[:120]
            self._refresh()
        else:
            self.console.print(safe(f"  │ {line[:200]}"))

    def _begin(self, step: str) -> None:
        self.done()
        self._step, self._started, self._last_line = step, time.monotonic(), ""
        if self.live:
            # The label is rendered at every refresh, so the elapsed time moves while a tool is silent (Checkov).
            self._status = self.console.status(_Live(self), spinner="dots")
            self._status.start()
        else:
            self.console.print(safe(f"{STEP_PREFIX}{step}"))

    def _label(self) -> Text:
        label = safe(f"{self._step}  ")
        label.append(f"{time.monotonic() - self._started:.0f} s", style="dim")
        if self._last_line:
            label.append("\n  " + show_invisible(self._last_line), style="dim")
        return label

    def _refresh(self) -> None:
        if self._status is not None:
            self._status.update(_Live(self))

    def board(self) -> TerminalBoard:
        """A board for work running side by side (a plan's projects and scanners), on the same stream."""
        from bot.entrypoints.terminal_board import TerminalBoard

        return TerminalBoard(self.console, self.live, before_open=self.done)

    def times(self, split: dict[str, float]) -> None:
        """Where the command's time went, in one dim line (bot/services/stopwatch.py says how overlaps count)."""
        line = (
            f"time: terraform {split.get('terraform', 0.0):.1f} s, scanners {split.get('scanners', 0.0):.1f} s"
            f" ({split.get('overlap', 0.0):.1f} s of it at once), olympus {split.get('olympus', 0.0):.1f} s;"
            f" total {split.get('total', 0.0):.1f} s"
        )
        self.console.print(Text(line, style="dim"))

    def done(self) -> None:
        """Close the running step with its elapsed time."""
        if not self._step:
            return
        seconds = time.monotonic() - self._started
        self.timings.append((self._step, seconds))
        if self._status is not None:
            self._status.stop()
            self._status = None
        line = Text("✓ ", style="green")
        line.append_text(safe(self._step))
        line.append(f"  {seconds:.1f} s", style="dim")
        self.console.print(line)
        self._step = ""


@dataclass
class _Live:
    progress: StepProgress

    def __rich__(self) -> Text:
        return self.progress._label()


def print_user_error(reference: str, message: str, hint: str, stream: IO[str] | None = None) -> None:
    """`error[code]: what is wrong` and `hint: how to fix it`, in colour on a terminal."""
    out = stream or sys.stderr
    console = console_for(out, rich=_is_terminal(out))
    head = Text(f"error[{reference}]", style="bold red")
    head.append(": ")
    head.append_text(safe(message))
    console.print(head)
    if hint:
        line = Text("hint", style="bold cyan")
        line.append(": ")
        line.append_text(safe(hint))
        console.print(line)


def print_fault(summary: str, stream: IO[str] | None = None) -> None:
    """A fault: what failed, and only the way to see more."""
    out = stream or sys.stderr
    console = console_for(out, rich=_is_terminal(out))
    head = Text("error", style="bold red")
    head.append(": ")
    head.append_text(safe(summary))
    console.print(head)
    line = Text("hint", style="bold cyan")
    line.append(": this is a fault in Olympus, not your mistake; rerun with OLYMPUS_DEBUG=1 for the traceback")
    console.print(line)


def flags_read_as_flags(command: object, context_settings: dict[str, Any]) -> None:
    """Options that take no value shown without one in the help (`--sandbox`, not `--sandbox <bool>`)."""
    # Typer's rich help prints a value type for every option, flags included; an empty metavar shows none.
    from typer._click import Context

    context = Context(command, **context_settings)  # type: ignore[arg-type]
    help_option = command.get_help_option(context)  # type: ignore[attr-defined]
    for param in [*command.params, *([help_option] if help_option else [])]:  # type: ignore[attr-defined]
        if getattr(param, "is_flag", False):
            param.metavar = ""
    for sub in getattr(command, "commands", {}).values():
        flags_read_as_flags(sub, context_settings)
