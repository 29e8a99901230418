"""GitHub Actions log masks: the `::add-mask::` workflow command for every credential Olympus obtains."""

from __future__ import annotations

from collections.abc import Iterable


def add_mask(value: str) -> str:
    """The workflow command that makes the runner print `***` instead of value, in this step and the ones after.

    The runner masks one line per command, so a multi-line value gets one command per line:
    https://docs.github.com/actions/reference/workflows-and-actions/workflow-commands#masking-a-value-in-a-log
    The runner unescapes `%25` in command data (as @actions/core escapes it), so a literal `%` is escaped;
    otherwise a value holding `%0A` would be masked as a different string than the one it is.
    """
    return "".join(f"::add-mask::{line.replace('%', '%25')}\n" for line in value.splitlines() if line.strip())


def add_masks(values: Iterable[str]) -> str:
    """The mask commands for several values, ready to write to stdout before anything else is printed."""
    return "".join(add_mask(value) for value in values)
