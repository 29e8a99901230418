"""actionlint and zizmor (offline) report nothing on action.yml and on every workflow Olympus ships."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKFLOWS = sorted([*ROOT.glob(".github/workflows/*.yml"), *ROOT.glob("workflows/*.yml")])


def tool(name: str) -> Path:
    path = BIN / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: `make install-test` installs it")
    return path


def test_there_are_workflows_to_check() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in WORKFLOWS}
    assert {
        ".github/workflows/olympus-plan.yml",
        ".github/workflows/olympus-apply.yml",
        ".github/workflows/olympus-ask.yml",
        "workflows/olympus.yml",
        "workflows/olympus-drift.yml",
        "workflows/olympus-diagnose.yml",
    } <= names


def test_actionlint_reports_nothing() -> None:
    done = subprocess.run(
        [str(tool("actionlint")), "-no-color", *map(str, WORKFLOWS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == ""


def test_zizmor_reports_nothing() -> None:
    done = subprocess.run(
        [str(tool("zizmor")), "--offline", "--no-progress", "--color=never", "action.yml", *map(str, WORKFLOWS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout
