"""The CLI's board of projects and scanners: a state and an elapsed time per task, live on a terminal, one line per
change of state when piped (each step closing as `✓ TASK: STEP  SECONDS s`, what scripts and benchmarks read)."""

from __future__ import annotations

import io
import re
import threading

from rich.console import Console

from bot.entrypoints.terminal import StepProgress, console_for

TASKS = ["envs/a", "envs/b", "envs/c", "checkov"]


def play(board_owner: StepProgress) -> None:
    board = board_owner.board()
    board.open(TASKS)
    board.step("envs/a", "terraform init")
    board.line("envs/a", "Initializing the backend...")
    board.step("checkov", "scanning envs/a, envs/b")
    board.step("envs/a", "terraform plan")
    board.finish("envs/a", "planned", ok=True)
    board.step("envs/b", "terraform init")
    board.finish("envs/b", "failed", ok=False)
    board.finish("envs/c", "locked", ok=False, detail="by infra/other")
    board.finish("checkov", "scanned", ok=True, detail="2 findings")
    board.close()


def test_piped_every_state_is_a_line_and_every_step_closes_with_its_time() -> None:
    out = io.StringIO()
    play(StepProgress(console_for(out, rich=False), live=False))
    lines = out.getvalue().splitlines()
    assert lines[:4] == [f"· {task}: queued" for task in TASKS]
    assert "→ envs/a: terraform init" in lines
    assert "  │ envs/a: Initializing the backend..." in lines
    assert any(re.fullmatch(r"✓ envs/a: terraform init  [0-9.]+ s", line) for line in lines)
    assert any(re.fullmatch(r"✓ envs/a: terraform plan  [0-9.]+ s", line) for line in lines)
    assert any(re.fullmatch(r"✓ envs/a: planned in [0-9.]+ s", line) for line in lines)
    assert any(re.fullmatch(r"✗ envs/b: terraform init failed after [0-9.]+ s", line) for line in lines)
    assert any(re.fullmatch(r"✗ envs/c: locked by infra/other in [0-9.]+ s", line) for line in lines)
    assert any(re.fullmatch(r"✓ checkov: scanned 2 findings in [0-9.]+ s", line) for line in lines)


def test_on_a_terminal_the_last_table_shows_every_task_as_it_ended() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="standard", width=120)
    play(StepProgress(console, live=True))
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())
    final = [" ".join(line.split()) for line in text.splitlines()[-4:]]
    expected = ["✓ envs/a planned", "✗ envs/b failed", "✗ envs/c locked by infra/other", "✓ checkov scanned 2 findings"]
    for line, start in zip(final, expected, strict=True):
        assert re.fullmatch(re.escape(start) + r" [0-9.]+ s", line), line


def test_tasks_report_from_many_threads_at_once() -> None:
    out = io.StringIO()
    board = StepProgress(console_for(out, rich=False), live=False).board()
    names = [f"envs/{n}" for n in range(8)]
    board.open(names)

    def one(name: str) -> None:
        for step in ("terraform init", "terraform plan"):
            board.step(name, step)
            for n in range(50):
                board.line(name, f"line {n}")
        board.finish(name, "planned", ok=True)

    threads = [threading.Thread(target=one, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    board.close()
    lines = out.getvalue().splitlines()
    for name in names:
        assert sum(line.startswith(f"✓ {name}: planned in ") for line in lines) == 1
        assert sum(line == f"  │ {name}: line 49" for line in lines) == 2
