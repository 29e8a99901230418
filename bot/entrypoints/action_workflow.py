"""The runner's workflow commands and files: annotations, masks, outputs and the job summary, escaped."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

from bot.domain.invisible import show_invisible
from bot.domain.models import Finding, Severity

# --- workflow commands and files (https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions)


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF are escaped, as the runner's own toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also `:` and `,`, which would end the property."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, **properties: str | int) -> str:
    """`::command props::message`; the message and title show invisible characters as escapes (the runner shows
    them as plain text), while `file` stays the path GitHub must find."""
    props = ",".join(
        f"{name}={escape_property(str(value) if name == 'file' else show_invisible(str(value)))}"
        for name, value in properties.items()
    )
    return f"::{command}{' ' + props if props else ''}::{escape_data(show_invisible(message))}"


def annotation_for(finding: Finding, path_prefix: str = "") -> str:
    """A scanner finding as an error (HIGH, CRITICAL) or warning annotation at its file and line."""
    level = "error" if finding.severity.rank >= Severity.HIGH.rank else "warning"
    message = f"{finding.severity.value}: {finding.title}"
    if finding.resource:
        message += f" ({finding.resource})"
    if finding.link:
        message += f"\n{finding.link}"
    file = f"{path_prefix}/{finding.file}" if path_prefix else finding.file
    return workflow_command(level, message, file=file, line=max(finding.line, 1), title=finding.rule_id)


def output_lines(outputs: Mapping[str, str]) -> str:
    """$GITHUB_OUTPUT text: every value in the multi-line form, with a random delimiter no value contains."""
    chunks = []
    for name, value in outputs.items():
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        while delimiter in value:  # practically never; but a value must not be able to end its own block
            delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(chunks)


def append_to_file(path: Path | None, text: str) -> None:
    """Add text to one of the runner's files ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY), when the job has it."""
    if path is not None:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)
