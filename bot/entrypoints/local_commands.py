"""The CLI's local commands: build the loop, pick branch and base, call a service, print what happened."""

from __future__ import annotations

import json
import os
import posixpath
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.adapters.git_tree import GitTreeReader
from bot.changes.version_constraints import Version
from bot.domain.authorship import authorship_of
from bot.domain.commands import (
    Apply,
    ApprovePolicies,
    Ask,
    Diagnose,
    FixDrift,
    Help,
    Import,
    NotForMe,
    Plan,
    Reply,
    StateRm,
    Status,
    Sync,
    Target,
    Unlock,
    help_text,
    parse,
)
from bot.domain.gate import Blocked
from bot.domain.identities import canonical, login_problem
from bot.domain.models import ChangeSet
from bot.entrypoints.local_fix_marks import mark_taken_fixes
from bot.entrypoints.local_loop import change_branch, command_loop, open_repo, own_state, refused_by_gate, repo_arg
from bot.entrypoints.local_plan import plan_and_report
from bot.entrypoints.terminal import OutputFormat, console_for, wants_rich
from bot.errors import UserError
from bot.services.context import Loop
from bot.services.fix_marks import let_go_fixes
from bot.services.local_checkout import commits_of, local_checkout
from bot.services.local_readiness import (
    ProposedTree,
    check_config,
    record_sandbox_apply,
    require_backends,
    require_same_state,
    require_scanners,
)
from bot.services.plan_change import discard_plan_files
from bot.services.propose_change import propose_change
from bot.services.repo_projects import affected_projects_of
from bot.services.tool_calls import git_tool_caller
from bot.wiring import build_local_loop


def run_request(
    repo: Path, request: str, *, sandbox: bool, base: str | None, actor: str | None, output: OutputFormat = "auto"
) -> int:
    """Any /infra command: create, update and destroy make a change; plan, apply, unlock, status and help act on one;
    ask is read by the model into those."""
    parsed = parse(request)
    if isinstance(parsed, NotForMe):
        raise UserError(
            "not-an-infra-command",
            f"{request[:80]!r} is not an /infra command",
            "start the request with /infra, e.g. `/infra create bucket logs-archive region=eu-west-1`; "
            "`/infra help` lists every command",
        )
    if isinstance(parsed, Reply):
        raise UserError("unreadable-command", parsed.text.strip(), "`olympus run '/infra help'` lists every command")
    if isinstance(parsed, Help):
        _print_help(output, parsed.topic)
        return 0
    if isinstance(parsed, Status):
        from bot.entrypoints.local_status import show_status

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
            repo,
            sandbox=sandbox,
            branch=None,
            base=base,
            actor=actor,
            only=parsed.target,
            extra_args=parsed.extra_args,
            output=output,
        )
    if isinstance(parsed, Import | StateRm):
        from bot.entrypoints.local_state import change_state_of_branch

        return change_state_of_branch(repo, parsed, sandbox=sandbox, base=base, actor=actor)
    if isinstance(parsed, ApprovePolicies):
        raise UserError(
            "approve-policies-needs-by",
            "locally, an approval of policy failures must say who gives it",
            "run `olympus approve-policies --by LOGIN"
            + (f" --policy-set {parsed.policy_set}" if parsed.policy_set else "")
            + "` (the App and the Action take the approver from GitHub)",
        )
    if isinstance(parsed, FixDrift):
        raise UserError(
            "fix-drift-in-an-issue",
            "`/infra fix drift` answers a drift issue on GitHub; a local repository has none",
            "comment it in the project's drift issue (the App), or restore locally with a change to the project, "
            "planned, approved and applied as usual (`olympus drift` shows what drifted)",
        )
    if isinstance(parsed, Sync):
        raise UserError(
            "sync-needs-argocd",
            "`/infra sync` asks Argo CD to deploy what a merged pull request changed; a local branch has no Argo CD",
            "comment `/infra sync` on the merged pull request (the App), or run the Action's `sync` mode after merge",
        )
    if isinstance(parsed, Diagnose):
        raise UserError(
            "diagnose-is-a-command",
            "`/infra diagnose` is the App's comment; locally the fix loop is its own command",
            "run `olympus diagnose" + (f" --project {parsed.project}" if parsed.project else "") + "`",
        )
    if isinstance(parsed, Ask):
        # `olympus run "/infra ask ..."` is `olympus ask "..."`; imported here, as local_ask runs commands through us.
        from bot.entrypoints.local_ask import ask

        return ask(repo, parsed.text, sandbox=sandbox, base=base, actor=actor, output=output)
    loop, progress, base = command_loop(repo, sandbox=sandbox, actor=actor, base=base)
    git = loop.local_git

    def check_backends(ref: str, change: ChangeSet) -> None:
        if not own_state(loop):
            dirs = {posixpath.dirname(f.path) or "." for f in change.files if f.path.endswith(".tf") and f.content}
            require_backends(ProposedTree(GitTreeReader(git, ref), change), dirs, repo_arg(repo))
        require_scanners(loop)
        progress.done()

    caller = git_tool_caller(git, installable=_installable(loop))
    outcome = propose_change(loop, parsed, base, caller, before_commit=check_backends)
    if outcome.unchanged:
        print(f"nothing changed: {outcome.change.description}")
        print(f"branch {outcome.branch} already holds `{outcome.command_line}`")
    else:
        print(f"branch {outcome.branch}, commit {outcome.commit[:12]}: {outcome.change.title}")
    return plan_and_report(loop, progress, outcome.branch, base, repo, output=output)


def _installable(loop: Loop) -> Callable[[str], Sequence[Version]]:
    from bot.adapters.provider_versions import installable_lookup
    from bot.adapters.sandbox import provider_mirror

    cache = loop.cache_dir
    return installable_lookup(cache, (lambda: provider_mirror(cache)) if loop.sandbox is not None else None)


def cli_help_text(topic: str | None = None) -> str:
    """`/infra help` as the CLI means it: changes are branches, and the CLI has commands of its own."""
    return help_text("cli", topic) + (
        "\nLocally a command acts on the current branch, else the latest `infra/` change (`--branch` chooses); "
        "`olympus -h` lists the CLI's own commands: `init`, `merge`, `unlock --branch`, `sandbox`.\n"
    )


def _print_help(output: OutputFormat, topic: str | None = None) -> None:
    if wants_rich(output):
        from rich.markdown import Markdown

        console_for(sys.stdout, rich=True).print(Markdown(cli_help_text(topic)))
    else:
        print(cli_help_text(topic))


def plan_branch(
    repo: Path,
    *,
    sandbox: bool,
    branch: str | None,
    base: str | None,
    actor: str | None,
    only: str | Target | None = None,
    extra_args: Sequence[str] = (),
    output: OutputFormat = "auto",
) -> int:
    loop, progress, base = command_loop(repo, sandbox=sandbox, actor=actor, base=base)
    branch = change_branch(loop, branch, base)
    reader = GitTreeReader(loop.local_git, branch)
    check_config(reader)
    mark_taken_fixes(loop, branch)
    if not own_state(loop):
        projects = affected_projects_of(reader, loop.local_git.changed_files(base, branch))
        require_backends(reader, [p.dir for p in projects], repo_arg(repo))
    return plan_and_report(loop, progress, branch, base, repo, only, output, extra_args)


def approve_branch(repo: Path, *, by: str, branch: str | None, base: str | None) -> int:
    loop, _progress, base = command_loop(repo, sandbox=False, actor=None, base=base)
    branch = change_branch(loop, branch, base)
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


def approve_policies_of_branch(
    repo: Path, *, by: str, branch: str | None, base: str | None, policy_set: str | None
) -> int:
    """Record `by`'s approval of the branch's failing policy sets they own, at its head."""
    from bot.domain.authorship import excluded_people
    from bot.services.approve_policies import PolicyApprovalAsk, approve_policies, login_owner

    loop, _progress, base = command_loop(repo, sandbox=False, actor=None, base=base)
    branch = change_branch(loop, branch, base)
    problem = login_problem(by, "the approver")
    if problem:
        raise UserError("bad-approver", problem, "pass --by with the approver's GitHub login, e.g. --by alice")
    head = loop.local_git.commit_of(branch)
    commits, requesters = commits_of(loop.local_git, branch, base, loop.record_key)
    excluded = excluded_people(requesters, None, authorship_of(commits, ()))
    ask = PolicyApprovalAsk(branch, head, canonical(by), policy_set, login_owner(by), excluded)
    reader = GitTreeReader(loop.local_git, base)
    try:
        outcome = approve_policies(loop, reader, ask)
    finally:
        reader.close()
    print(f"policy approval by {canonical(by)} recorded for {branch} at {head[:12]}: {', '.join(outcome.approved)}")
    if outcome.still_failing:
        print(f"still failing (another owner must approve): {', '.join(outcome.still_failing)}")
    return 0


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
    from bot.services.apply_change import apply_change  # only apply needs it; every other command starts faster

    loop, progress, base = command_loop(repo, sandbox=sandbox, actor=actor, base=base)
    branch = change_branch(loop, branch, base)
    require_same_state(loop.store.locks(), loop.repo_id, branch, repo_arg(repo))
    mark_taken_fixes(loop, branch)  # a fix taken since the plan: its apply is the one this records
    if approved_by:
        _approve(loop, branch, approved_by)
    try:
        with local_checkout(loop, branch, base) as checkout:
            report = apply_change(loop, checkout, only=only, extra_args=extra_args)
    finally:
        progress.done()
    if isinstance(report.decision, Blocked):
        raise refused_by_gate(
            "apply-refused", f"to apply {branch}", report.decision, "plans, approvals and locks", repo
        )
    if loop.sandbox is not None and report.applied:
        record_sandbox_apply(loop.state_dir / "sandbox", loop.sandbox, report.applied)
    if report.error:
        from bot.entrypoints.local_diagnose import diagnose_failed_change  # only a failed apply needs it

        try:
            diagnose_failed_change(
                loop, branch, base, step="apply", failed=[report.failed], head=report.head, output=report.error
            )
        finally:
            progress.done()
        raise UserError(
            "apply-failed",
            f"terraform apply failed: {report.error}",
            f"fix what Terraform reports (`olympus diagnose{repo_arg(repo)} --branch {branch}` proposes a fix), "
            f"then plan again (`olympus plan{repo_arg(repo)} --branch {branch}`): a saved plan is applied once",
        )
    approvers = ", ".join(report.decision.approvers)
    print(f"applied {', '.join(report.applied)} at {report.head[:12]} (approved by {approvers})")
    return 0


def merge_branch(repo: Path, *, branch: str | None, base: str | None) -> int:
    from bot.services.merge_change import merge_change

    loop, _progress, base = command_loop(repo, sandbox=False, actor=None, base=base)
    branch = change_branch(loop, branch, base)
    mark_taken_fixes(loop, branch)  # its last fixes taken, before the branch is gone
    merged = merge_change(loop, branch, base)
    let_go_fixes(loop.store, loop.repo_id, branch)  # merged without the rest: never taken
    how = "fast-forward" if merged.fast_forward else "merge commit"
    print(f"merged {branch} into {base} ({how}, {merged.commit[:12]}); released {merged.released} lock(s)")
    if merged.unapplied:
        print(f"note: the saved plans of {', '.join(merged.unapplied)} were never applied and are discarded")
    return 0


def unlock_branch(repo: Path, *, branch: str | None, base: str | None) -> int:
    loop, _progress, base = command_loop(repo, sandbox=False, actor=None, base=base)
    branch = change_branch(loop, branch, base)
    with loop.store.audited(loop.actor, "unlock", {"branch": branch}):
        released = loop.store.release_locks_of(branch)
        loop.store.discard_plans(branch)
        discard_plan_files(loop, branch)
    # Olympus before 0.2 kept a worktree per branch; one still holding this branch would block `git checkout`.
    for path, held in loop.local_git.olympus_worktrees().items():
        if held == branch:
            loop.local_git.remove_worktree(path)
    print(f"released {released} lock(s) held by {branch} and discarded its plans")
    return 0


def summarize_file(path: Path, *, as_json: bool) -> int:
    from bot.domain.plan_documents import PlanFormatError, load_plan_documents
    from bot.domain.plans import summarize
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


def serve_mcp(repo: Path, domain: str = "all") -> int:
    from bot.adapters.health_probes import local_probes
    from bot.services.tool_sources import repository_sources
    from bot.tools.endpoint import build_endpoint
    from bot.tools.filesystem_repo import FileSystemRepo
    from bot.wiring import build_argocd_syncer

    # Nothing may be printed here: stdout carries the MCP protocol.
    loop = build_local_loop(open_repo(repo).root, say=lambda line: None)
    reader = FileSystemRepo(loop.local_git.root)
    token_file = os.environ.get("OLYMPUS_ARGOCD_TOKEN_FILE", "").strip()
    syncer = build_argocd_syncer(os.environ.get("OLYMPUS_ARGOCD_SERVER"), Path(token_file) if token_file else None)
    sources = repository_sources(loop, reader, local_probes(), syncer=syncer, repo_url=loop.local_git.origin_url())
    build_endpoint(reader, sources, domain).run("stdio")
    return 0
