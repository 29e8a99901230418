"""One step of installing a tool into Olympus's cache (pip, npm, a version check): output kept back unless it fails."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping

__all__ = ["ProvisionError", "run_step"]

_OUTPUT_TAIL_LINES = 20


class ProvisionError(Exception):
    """A provisioning step failed; the message says which, with the tail of its output."""


def run_step(argv: list[str], what: str, env: Mapping[str, str], timeout: float) -> str:
    """Run one step and return its output; the user sees that only when the step fails, and then its tail."""
    try:
        done = subprocess.run(
            argv,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ProvisionError(f"`{what}` did not finish in {timeout:g} s") from None
    except OSError as exc:
        raise ProvisionError(f"could not start `{what}`: {exc}") from None
    if done.returncode != 0:
        lines = [line for line in done.stdout.splitlines() if line.strip()][-_OUTPUT_TAIL_LINES:]
        tail = "\n".join(lines) if lines else "(no output)"
        raise ProvisionError(f"`{what}` failed with exit code {done.returncode}; its last lines:\n{tail}")
    return done.stdout
