"""Runs the real `olympus` command line as a subprocess, for the tests that drive it as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

# Settings a developer's shell may hold that would point a test's commands somewhere else.
OUTSIDE_SETTINGS = ("OLYMPUS_AWS_EMULATOR_URL",)


def olympus(
    *args: str,
    env: Mapping[str, str] | None = None,
    actor: str | None = "bob",
    cwd: Path | None = None,
    timeout: float = 600,
    stderr: int = subprocess.PIPE,
) -> subprocess.CompletedProcess[str]:
    """`olympus ARGS` with this interpreter, as `actor` (None: whoever the environment says); never raises on exit."""
    inherited = {k: v for k, v in os.environ.items() if k not in OUTSIDE_SETTINGS}
    who = {"OLYMPUS_ACTOR": actor} if actor else {}
    return subprocess.run(
        [sys.executable, "-m", "bot.entrypoints.cli", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        timeout=timeout,
        env={**inherited, **who, **(env or {})},
        check=False,
    )


def git(repo: Path, *args: str) -> str:
    """`git ARGS` in repo as a fixed developer; its output, or CalledProcessError."""
    who = ["-c", "user.name=Dev", "-c", "user.email=dev@example.com"]
    return subprocess.run(["git", *who, *args], cwd=repo, capture_output=True, text=True, check=True).stdout
