"""`olympus status`: per change, its saved plans, approvals and locks; then the latest actions."""

from __future__ import annotations

from pathlib import Path

from bot.domain.drift import DriftCheck, DriftStatus
from bot.domain.markdown import one_line
from bot.entrypoints.local_loop import open_repo
from bot.services.context import SANDBOX_LOCKS
from bot.wiring import build_local_loop


def show_status(repo: Path) -> int:
    git = open_repo(repo)
    loop = build_local_loop(git.root, say=lambda line: None)
    locks = loop.store.locks()
    own = loop.repo_id
    branches = git.git("for-each-ref", "--sort=-committerdate", "--format=%(refname:short)", "refs/heads/infra/")
    changes = list(dict.fromkeys([*branches.split(), *(lock.holder for lock in locks)]))
    if not changes:
        print('changes: none (make one with `olympus run "/infra create bucket NAME"`)')
    for change in changes:
        head = git.commit_of(change) if git.branch_exists(change) else ""
        state = "deleted branch" if not head else f"head {head[:12]}"
        print(f"{change} ({state})")
        plans = {plan.project: plan for plan in loop.store.plans_for(change)}  # oldest first: newest wins
        for plan in plans.values():
            counts = ", ".join(f"{plan.counts.get(k, 0)} to {k}" for k in ("add", "change", "destroy"))
            stale = "" if plan.commit == head else f" (made at {plan.commit[:12]}, not the head: plan again)"
            print(f"  plan     {plan.project}: {counts}, sha256 {plan.sha256[:12]}{stale}")
        if not plans:
            print("  plan     none saved (an apply spends its plan; `olympus plan` makes one)")
        approvals = loop.store.approvals_for(change)
        for approval in approvals:
            current = "" if approval.commit == head else f" of {approval.commit[:12]}, not the head"
            trusted = "" if approval.trusted else " (not sealed by Olympus: does not count)"
            print(f"  approval {approval.user} at {approval.at:%Y-%m-%d %H:%M}{current}{trusted}")
        if not approvals:
            print("  approval none")
        held = [lock for lock in locks if lock.holder == change]
        for lock in held:
            where = " in the sandbox" if lock.repo.endswith(SANDBOX_LOCKS) else ""
            print(f"  lock     {lock.dir} ({lock.workspace}){where} since {lock.acquired_at:%Y-%m-%d %H:%M}")
        if not held:
            print("  lock     none")
    others = [lock for lock in locks if lock.repo.removesuffix(SANDBOX_LOCKS) != own]
    for lock in others:
        print(f"lock of {lock.repo}: {lock.dir} ({lock.workspace}) held by {lock.holder}")
    _drift_section(loop.store.drift_checks(own), loop.store.drift_checks(own + SANDBOX_LOCKS))
    interactions = loop.store.interactions(limit=10)
    if interactions:
        print("recent plain-language requests (olympus ask):")
    for kept in interactions:
        cost = f", ${kept.cost_usd:.4f}" if kept.cost_usd is not None else ""
        what = "; ".join(kept.commands) or one_line(kept.reply)[:120]
        print(
            f"  {kept.at:%Y-%m-%d %H:%M:%S} {kept.who} → {kept.outcome}: {what} ({kept.model}, "
            f"{kept.usage.total:,} tokens{cost}, {kept.seconds:.1f} s)"
        )
    print("recent actions:")
    for entry in loop.store.audit_log(limit=10):
        print(f"  {entry.started_at:%Y-%m-%d %H:%M:%S} {entry.actor} {entry.action}: {entry.result}")
    return 0


def _drift_section(cloud: list[DriftCheck], sandbox: list[DriftCheck]) -> None:
    """Per project, the last drift check's time and result (`olympus drift` records them); the sandbox's apart."""
    if not cloud and not sandbox:
        print("drift: never checked (`olympus drift` checks every project of the default branch)")
        return
    print("drift:")
    for check, where in [*((c, "") for c in cloud), *((c, " in the sandbox") for c in sandbox)]:
        since = f" since {check.since:%Y-%m-%d %H:%M}" if check.since is not None else ""
        found = ""
        if check.status is DriftStatus.DRIFTED:
            found = f": {check.detail.get('changed', 0)} changed, {check.detail.get('deleted', 0)} deleted"
        elif check.status is DriftStatus.LOCKED:
            found = f" by {one_line(str(check.detail.get('locked_by', '')))}"
        elif check.status is DriftStatus.ERROR:
            found = f": {one_line(str(check.detail.get('error', '')))}"
        checked = f"checked {check.checked_at:%Y-%m-%d %H:%M}{where}"
        print(f"  {check.project}: {check.status.value}{since}{found} ({checked})")
