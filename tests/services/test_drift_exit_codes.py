"""`-detailed-exitcode`'s 2 is a result for the drift sweep, and still a failure for every other caller of run_step."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.adapters.terraform import TerraformCli, TerraformError
from bot.services.context import Loop
from bot.services.terraform_steps import run_step


def _loop(tmp_path: Path, status: int) -> Loop:
    script = tmp_path / f"exits-{status}.py"
    script.write_text(f"import sys\nprint('Plan: 1 to change.')\nsys.exit({status})\n")
    return Loop(
        store=None,  # type: ignore[arg-type]
        terraform=TerraformCli((sys.executable, str(script)), "fake"),
        scanners=[],
        actor="a",
        cache_dir=tmp_path,
        state_dir=tmp_path,
        repo_id="r",
    )


def test_exit_2_is_returned_only_to_a_caller_that_accepts_it(tmp_path: Path) -> None:
    loop = _loop(tmp_path, 2)
    assert run_step(loop, tmp_path, {}, ["plan", "-detailed-exitcode"], succeeds=(0, 2)).returncode == 2
    with pytest.raises(TerraformError, match=r"terraform plan failed \(exit 2\)"):
        run_step(loop, tmp_path, {}, ["plan"])


def test_exit_1_fails_even_with_detailed_exit_codes(tmp_path: Path) -> None:
    with pytest.raises(TerraformError, match=r"exit 1"):
        run_step(_loop(tmp_path, 1), tmp_path, {}, ["plan", "-detailed-exitcode"], succeeds=(0, 2))
