"""The App's scheduled drift check of one repository: its default branch swept, one issue per drifted project."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from bot.adapters.github.repo_reader import GitHubRepoReader
from bot.errors import UserError
from bot.ports import CodeHost
from bot.services.context import Loop
from bot.services.drift_issues import IssueOutcome, upsert_drift_issues
from bot.services.drift_recall import recall_open_drift
from bot.services.drift_sweep import SweptTree, sweep_drift
from bot.services.github_checkout import change_id_of, materialize
from bot.services.parallelism import plan_limit
from bot.services.pull_requests import close_pull_request
from bot.services.repo_projects import projects_of, repo_config

log = logging.getLogger(__name__)

# Who the store's audit log and records name for a scheduled check.
DRIFT_ACTOR = "olympus[drift]"
# A check's copy of the default branch: a folder of the repository's data directory, removed when the check ends.
_CHECKOUT_PREFIX = "drift-checkout-"


def check_repository_drift(loop: Loop, codehost: CodeHost, repo: str) -> list[IssueOutcome]:
    """Sweep repo's default branch at its head commit and bring its drift issues up to date; what each issue did.

    One check of a repository at a time, across workers and replicas: a second one waits for the first and then
    finds the issues it left. A repository without Terraform projects, whose `.olympus.yaml` is broken (its pull
    requests already say what is wrong with the file) or says `drift: {schedule: false}`, is logged and left alone.
    """
    with loop.store.one_at_a_time(f"drift {repo}"):
        branch = codehost.default_branch(repo)
        reader = GitHubRepoReader(codehost, repo, branch)  # pinned to the branch's head commit
        try:
            projects = projects_of(reader)
            config = repo_config(reader)
        except UserError as error:
            log.warning("drift check of %s skipped: %s", repo, error.message)
            return []
        if config is not None and not config.drift_schedule:
            log.info("drift check of %s skipped: its .olympus.yaml says `drift: {schedule: false}`", repo)
            return []
        if not projects:
            log.info("drift check of %s: %s has no Terraform projects, nothing to check", repo, branch)
            return []
        release_closed_changes(loop, codehost, repo)
        # An issue the Action opened (or one from before the store) keeps its "seen since" through this check.
        recall_open_drift(codehost, loop.store, repo)
        limit = plan_limit(loop.parallel_plan, config.parallel_plan if config is not None else None)
        for stale in loop.state_dir.glob(f"{_CHECKOUT_PREFIX}*"):
            # Left by a worker killed mid-check; under the mutex no other check of this repository is running.
            shutil.rmtree(stale, ignore_errors=True)
        with tempfile.TemporaryDirectory(prefix=_CHECKOUT_PREFIX, dir=loop.state_dir) as folder:
            workdir = Path(folder) / "tree"
            materialize(reader, workdir)
            reports = sweep_drift(loop, SweptTree(reader.ref, reader, workdir), projects, limit=limit)
        outcomes = upsert_drift_issues(codehost, loop.store, repo, reports, every_project=True)
    done = ", ".join(f"{o.project}: {o.action}" + (f" #{o.number}" if o.number else "") for o in outcomes)
    log.info("drift check of %s at %s: %s", repo, reader.ref[:12], done)
    return outcomes


def release_closed_changes(loop: Loop, codehost: CodeHost, repo: str) -> list[int]:
    """Release the locks of pull requests already closed, as their close event would have (it may have been lost):
    a merged change's lock is no reason to skip a project. The numbers of those released."""
    released: list[int] = []
    for holder in sorted({lock.holder for lock in loop.store.locks() if lock.repo == repo}):
        number = holder.removeprefix(f"{repo}#")
        if not number.isdigit() or holder != change_id_of(repo, int(number)):
            continue  # not a pull request's lock
        if codehost.pull_request(repo, int(number)).state == "closed":
            close_pull_request(loop, repo, int(number))
            released.append(int(number))
    return released
