"""`helm lint` output read into messages: each one's severity, the file it is about, and what it says."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["LintMessage", "LintResult", "Severity", "parse_lint_output"]

Severity = Literal["INFO", "WARNING", "ERROR"]

# helm prints one `[SEVERITY] path: message` line per finding (pkg/lint/support/message.go); a message may run
# on over several lines (the schema errors do), up to the next finding or the summary line.
_FINDING = re.compile(r"^\[(INFO|WARNING|ERROR)\] (.*)$")
_SEVERITIES: dict[str, Severity] = {"INFO": "INFO", "WARNING": "WARNING", "ERROR": "ERROR"}
_SUMMARY = re.compile(r"^(Error: )?\d+ chart\(s\) linted, \d+ chart\(s\) failed$")


@dataclass(frozen=True)
class LintMessage:
    """One finding of `helm lint`."""

    severity: Severity
    path: str
    message: str


@dataclass(frozen=True)
class LintResult:
    """What `helm lint` said about a chart, and whether it passed (with --strict, warnings fail it)."""

    passed: bool
    messages: tuple[LintMessage, ...]

    @property
    def errors(self) -> tuple[LintMessage, ...]:
        return tuple(m for m in self.messages if m.severity == "ERROR")

    @property
    def warnings(self) -> tuple[LintMessage, ...]:
        return tuple(m for m in self.messages if m.severity == "WARNING")


def parse_lint_output(text: str, passed: bool) -> LintResult:
    """The findings in `helm lint`'s output; `passed` is whether helm exited 0."""
    found: list[tuple[Severity, list[str]]] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("==> Linting ") or _SUMMARY.match(line):
            found.append(("INFO", []))  # a boundary: what follows belongs to no finding
            continue
        finding = _FINDING.match(line)
        if finding:
            found.append((_SEVERITIES[finding.group(1)], [finding.group(2)]))
        elif found and found[-1][1] and line:
            found[-1][1].append(line)
    messages = tuple(_message(severity, lines) for severity, lines in found if lines)
    return LintResult(passed=passed, messages=messages)


def _message(severity: Severity, lines: list[str]) -> LintMessage:
    path, sep, first = lines[0].partition(": ")
    if not sep:
        path, first = "", lines[0]
    return LintMessage(severity, path, "\n".join([first, *lines[1:]]).strip())
