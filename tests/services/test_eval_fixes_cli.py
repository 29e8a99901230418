"""`olympus eval fixes` reads the repository's store: nothing recorded says so; recorded attempts come out as one
row per failure class, in text and in JSON; a folder that is no repository is a user error."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from olympus_cli import git, olympus

from bot.domain.fixes.attempts import FixAttempt, FixKind, Verification
from bot.wiring import build_local_loop

AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def record(repo: Path, failure_class: str, verification: Verification, try_number: int = 1) -> None:
    loop = build_local_loop(repo, say=lambda line: None)
    loop.store.record_fix_attempt(
        FixAttempt(
            loop.repo_id,
            "infra/x",
            "infra/aws/envs/dev",
            "apply",
            failure_class,
            "cause",
            FixKind.PATCH,
            verification,
            AT,
            try_number=try_number,
        )
    )


def test_the_report_per_failure_class(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", "start")
    empty = olympus("eval", "fixes", "--repo", str(repo))
    assert empty.returncode == 0 and "no fix attempts recorded yet" in empty.stdout

    record(repo, "name-taken", Verification.PASSED)
    record(repo, "name-taken", Verification.FAILED, try_number=2)
    record(repo, "invalid-ami", Verification.REFUSED)
    text = olympus("eval", "fixes", "--repo", str(repo))
    assert text.returncode == 0, text.stderr
    rows = [line.split() for line in text.stdout.splitlines()]
    assert ["name-taken", "2", "1", "0", "0", "50%", "-", "-"] in rows
    assert ["invalid-ami", "1", "0", "0", "0", "0%", "-", "-"] in rows
    figures = json.loads(olympus("eval", "fixes", "--repo", str(repo), "--json").stdout)
    assert figures["attempts"] == 3
    assert figures["classes"][0] == {
        "failure_class": "name-taken",
        "attempts": 2,
        "verified": 1,
        "accepted": 0,
        "applied": 0,
        "success_rate": 0.5,
        "decided": 0,
        "acceptance_rate": None,
        "applies": 0,
        "next_apply_rate": None,
    }

    nowhere = olympus("eval", "fixes", "--repo", str(tmp_path / "missing"))
    assert nowhere.returncode == 2 and "error[" in nowhere.stderr and "Traceback" not in nowhere.stderr
