"""The `olympus` command as a user runs it: exit status 0/2/1, messages on stderr, never a traceback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from olympus_cli import olympus


def test_summarize_json_counts_match_terraforms_plan_line(fixtures_dir: Path) -> None:
    plan = fixtures_dir / "terraform-plans/borchero-terraform-plan-comment/basic/1-modify/plan.json"
    done = olympus("summarize", str(plan), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "add": 2,
        "change": 0,
        "destroy": 2,
        "replace": 2,
        "import": 0,
        "move": 0,
        "forget": 0,
    }


def test_summarize_markdown(fixtures_dir: Path) -> None:
    plan = fixtures_dir / "terraform-plans/borchero-terraform-plan-comment/basic/2-delete/plan.json"
    done = olympus("summarize", str(plan))
    assert done.returncode == 0, done.stderr
    assert "destroy" in done.stdout.lower()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["summarize", "/nonexistent/plan.json"], "cannot read"),
        (["summarize", str(Path(__file__))], "terraform show -json"),
        (["plan", "--repo", "/nonexistent/repo"], "does not exist"),
        (["run", "--repo", "/", "/infra create bucket logs-archive"], "not a git repository"),
        (["frobnicate"], "No such command"),
    ],
)
def test_user_errors_exit_2_without_traceback(args: list[str], needle: str) -> None:
    done = olympus(*args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert needle in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_infra_help_in_the_cli_speaks_of_the_change_branch_not_a_pull_request(tmp_path: Path) -> None:
    general = olympus("run", "--repo", str(tmp_path), "/infra help")
    assert general.returncode == 0, general.stderr
    assert "pull request" not in general.stdout
    assert "run `terraform plan` on the change branch" in general.stdout
    page = olympus("run", "--repo", str(tmp_path), "/infra apply --help")
    assert page.returncode == 0, page.stderr
    assert "pull request" not in page.stdout and "`olympus approve --by LOGIN`" in page.stdout


def test_a_command_with_more_lines_is_not_run(tmp_path: Path) -> None:
    done = olympus("run", "--repo", str(tmp_path), "/infra apply\nnot yet, waiting for review")
    assert done.returncode == 2
    assert "Olympus did not run this comment" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("setting", "value", "code"),
    [
        ("OLYMPUS_DATABASE_URL", "mysql://db/olympus", "bad-database-url"),
        ("OLYMPUS_DATABASE_URL", "sqlite:///{tmp}/main.tf/olympus.db", "database-unreachable"),  # under a file
        ("OLYMPUS_TERRAFORM", "no-such-terraform", "terraform-not-found"),
    ],
)
def test_a_bad_setting_is_a_user_error_not_a_fault(tmp_path: Path, setting: str, value: str, code: str) -> None:
    subprocess.run(["git", "init", "--quiet", str(tmp_path)], check=True)
    (tmp_path / "main.tf").write_text("# infra\n")
    subprocess.run(["git", "add", "main.tf"], cwd=tmp_path, check=True)
    subprocess.run(
        ["git", "-c", "user.name=D", "-c", "user.email=d@example.com", "commit", "--quiet", "-m", "base"],
        cwd=tmp_path,
        check=True,
    )
    done = olympus("status", "--repo", str(tmp_path), env={setting: value.format(tmp=tmp_path)})
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error[{code}]: ")
    assert "\nhint: " in done.stderr and "fault" not in done.stderr


@pytest.mark.parametrize("base", [None, "release"])
def test_a_base_branch_that_does_not_exist_is_a_user_error(tmp_path: Path, base: str | None) -> None:
    """No --base and neither main nor master (a detached HEAD): the default is not a branch; --base names none."""
    subprocess.run(["git", "init", "--quiet", "--initial-branch=trunk", str(tmp_path)], check=True)
    commit = ["git", "-c", "user.name=D", "-c", "user.email=d@example.com", "commit", "--quiet", "--allow-empty"]
    subprocess.run([*commit, "-m", "base"], cwd=tmp_path, check=True)
    subprocess.run(["git", "checkout", "--quiet", "--detach"], cwd=tmp_path, check=True)
    done = olympus("unlock", "--repo", str(tmp_path), *(["--base", base] if base else []))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert f"error[unknown-base]: base branch {base or 'HEAD'!r} does not exist" in done.stderr
    assert "Traceback" not in done.stderr
