"""The CLI's local commands: build the loop, pick branch and base, call a service, print what happened."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.adapters.local_aws import ensure_background_emulator, stop_background_emulator
from bot.adapters.localgit import LocalGit
from bot.domain.commands import (
    Apply,
    Help,
    Import,
    NotForMe,
    Plan,
    Reply,
    StateRm,
    Status,
    Target,
    Unlock,
    help_text,
    parse,
)
from bot.domain.gate import Blocked
from bot.domain.identities import canonical, login_problem
from bot.errors import UserError
from bot.services.apply_change import apply_change
from bot.services.local_checkout import local_checkout, release_finished_locks
from bot.services.plan_change import plan_change
from bot.services.propose_change import propose_change
from bot.services.reporting import write_plan_outputs
from bot.services.tool_calls import git_tool_caller
from bot.wiring import Loop, build_local_loop


def _loop(repo: Path, *, sandbox: bool, actor: str | None) -> Loop:
    git = LocalGit.open(repo)
    emulator = ensure_background_emulator(git.state_dir / "sandbox" / "emulator.json") if sandbox else None
    loop = build_local_loop(git.root, actor=actor, sandbox=emulator)
    loop.progress = _progress_line
    return loop


def _progress_line(line: str) -> None:
    """Terraform's output as it comes, on stderr, so stdout keeps only the result."""
    print(f"  │ {line[:200]}", file=sys.stderr, flush=True)


def _base(loop: Loop, base: str | None) -> str:
    base = base or loop.local_git.default_branch()
    if not loop.local_git.branch_exists(base):
        raise UserError("unknown-base", f"base branch {base!r} does not exist", "pass --base with an existing branch")
    return base


def _branch(loop: Loop, branch: str | None, base: str) -> str:
    """The named branch; else the current one unless it is the base; else the latest Olympus change."""
    if branch:
        if not loop.local_git.branch_exists(branch):
            raise UserError("unknown-branch", f"branch {branch!r} does not exist", "pass --branch with a branch name")
        return branch
    current = loop.local_git.current_branch()
    if current != base and current != "HEAD":
        return current
    changes = loop.local_git.git(
        "for-each-ref", "--sort=-committerdate", "--format=%(refname:short)", "refs/heads/infra/"
    )
    latest = changes.split()
    if not latest:
        raise UserError(
            "no-change-branch",
            f"you are on the base branch {base} and there is no Olympus change branch",
            'make one with `olympus run "/infra create bucket NAME"`, or check out the branch to plan',
        )
    loop.say(f"using {latest[0]}, the latest change (pass --branch to choose another)")
    return latest[0]


def run_request(repo: Path, request: str, *, sandbox: bool, base: str | None, actor: str | None) -> int:
    """Any /infra command: create and destroy make a change; plan, apply, unlock, status and help act on one."""
    parsed = parse(request)
    if isinstance(parsed, NotForMe):
        raise UserError(
            "not-an-infra-command",
            f"{request[:80]!r} is not an /infra command",
            "start the request with /infra, e.g. `/infra create bucket logs-archive region=eu-west-1`; "
            "`/infra help` lists every command",
        )
    if isinstance(parsed, Reply):
        print(parsed.text, file=sys.stderr)
        return 2
    if isinstance(parsed, Help):
        print(help_text("cli", parsed.topic))
        return 0
    if isinstance(parsed, Status):
        return show_status(repo)
    if isinstance(parsed, Unlock):
        return unlock_branch(repo, branch=None, base=base)
    if isinstance(parsed, Apply):
        return apply_branch(
            repo,
            sandbox=sandbox,
            branch=None,
            base=base,
            approved_by=None,
            actor=actor,
            only=parsed.target,
            extra_args=parsed.extra_args,
        )
    if isinstance(parsed, Plan):
        return plan_branch(
            repo, sandbox=sandbox, branch=None, base=base, actor=actor, only=parsed.target, extra_args=parsed.extra_args
        )
    if isinstance(parsed, Import | StateRm):
        from bot.entrypoints.local_state import change_state_of_branch

        return change_state_of_branch(repo, parsed, sandbox=sandbox, base=base, actor=actor)
    loop = _loop(repo, sandbox=sandbox, actor=actor)
    base = _base(loop, base)
    outcome = propose_change(loop, parsed, base, git_tool_caller(loop.local_git))
    if outcome.unchanged:
        print(f"nothing changed: {outcome.change.description}")
        print(f"branch {outcome.branch} already holds `{outcome.command_line}`")
    else:
        print(f"branch {outcome.branch}, commit {outcome.commit[:12]}: {outcome.change.title}")
    return _plan_and_report(loop, outcome.branch, base)


def plan_branch(
    repo: Path,
    *,
    sandbox: bool,
    branch: str | None,
    base: str | None,
    actor: str | None,
    only: str | Target | None = None,
    extra_args: Sequence[str] = (),
) -> int:
    loop = _loop(repo, sandbox=sandbox, actor=actor)
    base = _base(loop, base)
    return _plan_and_report(loop, _branch(loop, branch, base), base, only, extra_args)


def _plan_and_report(
    loop: Loop, branch: str, base: str, only: str | Target | None = None, extra_args: Sequence[str] = ()
) -> int:
    release_finished_locks(loop, base)
    report = plan_change(loop, local_checkout(loop, branch, base), only=only, extra_args=extra_args)
    outputs = write_plan_outputs(loop, report)
    print(outputs.parts[0])
    print(f"\ncomment written to {outputs.comment_path}; SARIF written to {outputs.sarif_path}")
    return 0 if report.ok else 1


def approve_branch(repo: Path, *, by: str, branch: str | None, base: str | None) -> int:
    loop = _loop(repo, sandbox=False, actor=None)
    base = _base(loop, base)
    branch = _branch(loop, branch, base)
    _approve(loop, branch, by)
    return 0


def _approve(loop: Loop, branch: str, by: str) -> None:
    problem = login_problem(by, "the approver")
    if problem:
        raise UserError(
            "bad-approver",
            problem,
            "pass --by with the approver's GitHub login, e.g. --by alice (the CLI trusts the name it is given: "
            "the App and the Action take identities from GitHub)",
        )
    by = canonical(by)  # ＡＬＩＣＥ is alice: one person, one name in the record
    head = loop.local_git.commit_of(branch)
    with loop.store.audited(loop.actor, "approve", {"branch": branch, "commit": head, "approver": by}):
        loop.store.record_approval(branch, head, by, loop.store.clock())
    print(f"approval by {by} recorded for {branch} at {head[:12]}")


def apply_branch(
    repo: Path,
    *,
    sandbox: bool,
    branch: str | None,
    base: str | None,
    approved_by: str | None,
    actor: str | None,
    only: str | Target | None = None,
    extra_args: Sequence[str] = (),
) -> int:
    loop = _loop(repo, sandbox=sandbox, actor=actor)
    base = _base(loop, base)
    branch = _branch(loop, branch, base)
    if approved_by:
        _approve(loop, branch, approved_by)
    report = apply_change(loop, local_checkout(loop, branch, base), only=only, extra_args=extra_args)
    if isinstance(report.decision, Blocked):
        print(f"apply refused for {branch}:", file=sys.stderr)
        for reason in report.decision.reasons:
            print(f"  - {reason}", file=sys.stderr)
        return 2
    if report.error:
        print(f"apply failed: {report.error}", file=sys.stderr)
        return 1
    approvers = ", ".join(report.decision.approvers)
    print(f"applied {', '.join(report.applied)} at {report.head[:12]} (approved by {approvers})")
    return 0


def summarize_file(path: Path, *, as_json: bool) -> int:
    from bot.domain.plans import PlanFormatError, load_plan_documents, summarize
    from bot.domain.render import counts_json, render_summary_markdown
    from bot.domain.sensitive import NO_SECRETS, SensitiveValues

    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UserError(
            "unreadable-plan",
            f"cannot read {path}: {exc.strerror}",
            "pass a file made with `terraform show -json PLANFILE > plan.json`",
        ) from None
    try:
        documents = load_plan_documents(text)
    except PlanFormatError as exc:
        raise UserError(exc.reference, f"{path}: {exc.message}", exc.hint) from None
    if as_json:
        counts = [counts_json(summarize(d)) for d in documents]
        print(json.dumps(counts[0] if len(counts) == 1 else counts))
    else:
        # Each plan's secrets hidden in every plan shown: concatenated plans (terragrunt) share variables.
        sensitive = NO_SECRETS
        for document in documents:
            sensitive |= SensitiveValues.from_plan(document)
        print("\n\n".join(render_summary_markdown(summarize(d, sensitive), sensitive) for d in documents))
    return 0


def show_status(repo: Path) -> int:
    loop = _loop(repo, sandbox=False, actor=None)
    locks = loop.store.locks()
    print("locks:" if locks else "locks: none")
    for lock in locks:
        print(f"  {lock.dir} ({lock.workspace}) held by {lock.holder} since {lock.acquired_at:%Y-%m-%d %H:%M}")
    print("recent actions:")
    for entry in loop.store.audit_log(limit=10):
        print(f"  {entry.started_at:%Y-%m-%d %H:%M:%S} {entry.actor} {entry.action}: {entry.result}")
    return 0


def unlock_branch(repo: Path, *, branch: str | None, base: str | None) -> int:
    loop = _loop(repo, sandbox=False, actor=None)
    base = _base(loop, base)
    branch = _branch(loop, branch, base)
    with loop.store.audited(loop.actor, "unlock", {"branch": branch}):
        released = loop.store.release_locks_of(branch)
        loop.store.discard_plans(branch)
    print(f"released {released} lock(s) held by {branch} and discarded its plans")
    return 0


def serve_mcp(repo: Path) -> int:
    from bot.services.plan_lookup import latest_plan_summary
    from bot.tools.server import serve_stdio

    # Nothing may be printed here: stdout carries the MCP protocol.
    loop = build_local_loop(LocalGit.open(repo).root, say=lambda line: None)
    serve_stdio(loop.local_git.root, plan_summary=lambda project: latest_plan_summary(loop, project))
    return 0


def stop_sandbox(repo: Path) -> int:
    git = LocalGit.open(repo)
    stopped = stop_background_emulator(git.state_dir / "sandbox" / "emulator.json")
    print("stopped the local AWS emulator" if stopped else "no local AWS emulator was running")
    return 0
