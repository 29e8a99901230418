"""The scanners run while Terraform plans, over a copy of the change's files taken before Terraform writes any.

The scanners only read, but Terraform and Olympus write into the tree they plan: `.terraform/` (downloaded
modules), `.terraform.lock.hcl`, and in the sandbox the override files that point providers at the emulator.
Scanning that tree while it changes would scan whatever was there at the moment, overrides included. So the
scanners get a copy made first (hard links where the filesystem allows: no file's content is copied, and
Terraform replaces rather than rewrites the files it changes), without `.git` and `.terraform`, which Olympus
never scanned on purpose. Findings are repo-relative, so a copy's are the tree's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.domain.findings import ScanReport, merge_reports
from bot.ports import Scanner
from bot.services.context import Loop
from bot.services.step_times import StepTimes
from bot.services.task_board import FAILED, SCANNED, TaskBoard

_NOT_SCANNED = shutil.ignore_patterns(".git", ".terraform")


@dataclass
class PendingScan:
    """Scans under way; `report()` waits for them."""

    futures: list[Future[ScanReport]]

    def report(self) -> ScanReport:
        """Every scanner's findings, skips honoured across tools, duplicates merged; a scanner's failure is raised."""
        return merge_reports([future.result() for future in self.futures])


@contextmanager
def scanning_alongside(
    loop: Loop, tree: Path, dirs: list[str], times: StepTimes | None = None
) -> Iterator[PendingScan]:
    """Start every scanner of the loop over dirs (in a copy of tree); leaving stops those still running.

    With `times`, each scanner's scan is timed there as a step of the whole run (named after the scanner).
    """
    times = times if times is not None else StepTimes()
    if not loop.scanners:
        yield PendingScan([])
        return
    board = loop.task_board
    stop = threading.Event()
    with tempfile.TemporaryDirectory(prefix="olympus-scan-") as scratch:
        copy = Path(scratch) / "tree"
        shutil.copytree(tree, copy, symlinks=True, ignore=_NOT_SCANNED, copy_function=_link_or_copy)
        pool = ThreadPoolExecutor(max_workers=max(1, len(loop.scanners)), thread_name_prefix="olympus-scan")
        try:
            futures = [
                pool.submit(_scan_with, loop, board, scanner, copy, dirs, stop, times) for scanner in loop.scanners
            ]
            yield PendingScan(futures)
        finally:
            # Normally every scan is done by now; after a failure or Ctrl-C the scanners are stopped, not awaited.
            stop.set()
            pool.shutdown(wait=True)


def scan_label(dirs: list[str]) -> str:
    """What a scan covers, short enough for one line of progress."""
    if len(dirs) <= 3:
        return f"scanning {', '.join(dirs)}"
    return f"scanning {', '.join(dirs[:2])} and {len(dirs) - 2} more directories"


def _scan_with(
    loop: Loop,
    board: TaskBoard,
    scanner: Scanner,
    tree: Path,
    dirs: list[str],
    stop: threading.Event,
    times: StepTimes,
) -> ScanReport:
    board.step(scanner.name, scan_label(dirs))
    try:
        with loop.stopwatch.timing("scanners"), times.timing(scanner.name):
            found = scanner.scan_report(tree, dirs, stop=stop)
    except BaseException:
        board.finish(scanner.name, FAILED, ok=False)
        raise
    count = len(found.findings)
    board.finish(scanner.name, SCANNED, ok=True, detail=f"{count} finding{'' if count == 1 else 's'}")
    return found


def _link_or_copy(source: str, target: str) -> object:
    try:
        os.link(source, target)
    except OSError:  # another filesystem, or one without hard links
        shutil.copy2(source, target)
    return target
