"""Check every project of a tree for drift, several at once: refresh-only plan + normal plan → DriftReports, recorded.

Credentials are the plan's, read-only: both plans only read the cloud and the state (`-lock=false`, no apply), so
the sweep needs no more than a pull request's plan. In the sandbox that is the emulator's; the App and the Action
are to use the plan role, never the apply role (docs/drift.md). A project whose lock another change holds is not
checked: its state may be about to change under an approved plan, and a report would only race it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.adapters.terraform import TerraformError
from bot.domain.drift import DriftCheck, DriftReport, DriftStatus, drift_detail, drift_report, errored, locked
from bot.domain.drift import next_since as since_of
from bot.domain.drift.outside import ImportTarget, import_candidates
from bot.domain.drift.report import CHANGES
from bot.domain.models import Project
from bot.domain.plan_documents import load_plan_documents
from bot.domain.projects import build_module_graph
from bot.domain.sensitive import NO_SECRETS
from bot.ports import RepoReader
from bot.services.context import Loop
from bot.services.drift_outside import existing_outside
from bot.services.ordered_pool import Begun, run_in_order
from bot.services.plan_report import init_project, remove_empty, slug
from bot.services.repo_projects import module_dirs_of
from bot.services.sensitive_inputs import configured_secrets
from bot.services.task_board import FAILED, LOCKED
from bot.services.terraform_steps import run_step, terraform_env

# `-detailed-exitcode`: 2 is "there are changes", not a failure.
_DETAILED = (0, 2)


@dataclass(frozen=True)
class SweptTree:
    """What a sweep checks: one commit of the default branch, as files to read and as a folder on disk."""

    commit: str
    reader: RepoReader
    workdir: Path


@dataclass(frozen=True)
class _Started:
    """A project about to be checked, and where its plan files go (each holds values in clear: all deleted)."""

    project: Project
    plan_path: Path

    @property
    def plan_files(self) -> tuple[Path, Path, Path]:
        """The refresh-only plan, the normal plan, and the import probe's plan."""
        stem = self.plan_path.with_suffix("")
        return self.plan_path, stem.with_suffix(".normal.tfplan"), stem.with_suffix(".probe.tfplan")


def sweep_drift(loop: Loop, tree: SweptTree, projects: Sequence[Project], *, limit: int) -> list[DriftReport]:
    """Each project's drift, in the projects' order; every check (locked and failed ones too) is recorded."""
    graph = build_module_graph(tree.reader.list_files(), tree.reader.read_text)
    modules = {p.name: module_dirs_of(tree.reader, p, graph) for p in projects}
    previous = {check.project: check for check in loop.store.drift_checks(loop.repo_id)}
    board, keeper, stop = loop.task_board, loop.lock_keeper, threading.Event()

    def begin(project: Project) -> Begun[_Started] | DriftReport:
        lock = keeper.lock_for(loop.repo_id, project.dir, project.workspace)
        if lock is not None:
            return locked(project, lock.holder)
        folder = loop.state_dir / "drift" / slug(project.name)
        folder.mkdir(parents=True, exist_ok=True)
        return Begun(_Started(project, folder / f"{tree.commit}.tfplan"))

    def work(started: _Started) -> DriftReport:
        return _check(loop, tree.workdir, started, stop)

    def end(started: _Started, report: DriftReport) -> DriftReport:
        abandon(started)
        return report

    def abandon(started: _Started) -> None:
        for path in started.plan_files:
            path.unlink(missing_ok=True)  # a plan file holds every value in clear
        remove_empty(started.plan_path.parent, loop.state_dir)

    def settled(project: Project, report: DriftReport) -> None:
        record(report)
        if report.status is DriftStatus.LOCKED:
            board.finish(project.name, LOCKED, ok=False, detail=f"by {report.locked_by}")
        elif report.status is DriftStatus.ERROR:
            board.finish(project.name, FAILED, ok=False)
        else:
            # The check itself went well, whatever it found: the board's ✗ is for checks that could not look.
            board.finish(project.name, report.status.value, ok=True)

    def record(report: DriftReport) -> None:
        now = loop.store.clock()
        name = report.project.name
        since = since_of(previous.get(name), report.status, now)
        loop.store.record_drift_check(DriftCheck(loop.repo_id, name, now, report.status, drift_detail(report), since))

    def conflicts(one: Project, other: Project) -> bool:
        return one.dir == other.dir or one.dir in modules.get(other.name, ())

    board.open([p.name for p in projects])
    try:
        with loop.store.audited(loop.actor, "drift", {"commit": tree.commit}) as outcome:
            reports = run_in_order(
                projects,
                limit=limit,
                begin=begin,
                work=work,
                end=end,
                abandon=abandon,
                stop=stop,
                conflicts=conflicts,
                settled=settled,
            )
            found = Counter(r.status.value for r in reports)
            outcome.result = f"{len(reports)} project(s): " + ", ".join(f"{n} {s}" for s, n in sorted(found.items()))
    finally:
        board.close()
    return reports


def _check(loop: Loop, tree: Path, started: _Started, stop: threading.Event) -> DriftReport:
    """init, the refresh-only plan and its JSON, then the normal plan (on a worker thread: no store, no locks)."""
    project, board = started.project, loop.task_board
    workdir = tree / project.dir
    refresh_path, normal_path, probe_path = started.plan_files
    known = NO_SECRETS
    outside: tuple[ImportTarget, ...] = ()

    def output(line: str) -> None:
        board.line(project.name, line)

    try:
        with terraform_env(loop, workdir) as env:
            known = configured_secrets(workdir, env)
            init_project(loop, workdir, env, project, known, on_line=output, stop=stop)
            # Neither plan takes the state lock: they write no state, and a lock left by a killed worker would
            # block the project's next apply (see plan_projects.py).
            board.step(project.name, "terraform plan -refresh-only")
            refresh = ["plan", "-refresh-only", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false"]
            refresh.append(f"-out={refresh_path}")
            run_step(loop, workdir, env, refresh, known, on_line=output, stop=stop, succeeds=_DETAILED)
            shown = run_step(loop, workdir, env, _show(refresh_path), known, echo=False, stop=stop)
            board.step(project.name, "terraform plan")
            plan = ["plan", "-detailed-exitcode", "-input=false", "-no-color", "-lock=false", f"-out={normal_path}"]
            planned = run_step(loop, workdir, env, plan, known, on_line=output, stop=stop, succeeds=_DETAILED)
            if planned.returncode == CHANGES:
                normal = run_step(loop, workdir, env, _show(normal_path), known, echo=False, stop=stop)
                candidates = import_candidates(load_plan_documents(normal.stdout)[0])
                if candidates:
                    board.step(project.name, "terraform plan (import probe)")
                    outside = existing_outside(
                        loop, workdir, env, candidates, probe_path, known, stop=stop, on_line=output
                    )
    except TerraformError as exc:
        return errored(project, known.redact(str(exc)))
    return drift_report(project, load_plan_documents(shown.stdout)[0], planned.returncode, known, imports=outside)


def _show(plan_file: Path) -> list[str]:
    return ["show", "-json", "-no-color", str(plan_file)]
