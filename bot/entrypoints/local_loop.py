"""The CLI's shared steps: open the repository, build a command's loop, choose its change, word a refusal."""

from __future__ import annotations

import os
from pathlib import Path

from bot.adapters.git_tree import GitTreeReader
from bot.adapters.local_aws import LocalAws, ensure_background_emulator
from bot.adapters.localgit import EmptyRepository, LocalGit, NotARepository
from bot.domain.gate import Blocked
from bot.entrypoints.terminal import StepProgress
from bot.errors import UserError
from bot.services.context import Loop
from bot.services.local_readiness import check_sandbox_state
from bot.services.repo_projects import repo_config
from bot.wiring import build_local_loop

EMULATOR_SETTING = "OLYMPUS_AWS_EMULATOR_URL"


def repo_arg(repo: Path) -> str:
    """` --repo R` as the user wrote it, for the commands a hint names ("" for the current directory)."""
    return "" if repo == Path(".") else f" --repo {repo}"


def open_repo(repo: Path, *, allow_empty: bool = False) -> LocalGit:
    """The repository, or a UserError: not one, or one without a commit yet (that needs `olympus init`)."""
    try:
        return LocalGit.open(repo, allow_empty=allow_empty)
    except EmptyRepository as exc:
        raise UserError(
            "not-initialized",
            f"{exc}: Olympus does not know where its Terraform state lives",
            f"run `olympus init{repo_arg(repo)} --backend s3 --bucket BUCKET --region REGION` (your state bucket), "
            f"or `olympus init{repo_arg(repo)} --sandbox` to try everything on the local AWS emulator",
        ) from None
    except NotARepository as exc:
        raise UserError(
            "not-a-repository",
            str(exc),
            "pass --repo with the path of a git repository (`git init` makes one, `olympus init` sets it up)",
        ) from None


def command_loop(
    repo: Path, *, sandbox: bool, actor: str | None, base: str | None = None
) -> tuple[Loop, StepProgress, str]:
    """The command's loop and progress, and its base branch: --base, else the default branch; a base that does not
    exist is a UserError once the loop is built (the configuration is read first, from the default branch)."""
    git = open_repo(repo)
    named = bool(base) and git.branch_exists(base or "")
    default = None if named else git.default_branch()
    # The configuration is checked before anything is made: a branch, a worktree, an emulator, a lock.
    config = repo_config(GitTreeReader(git, (base if named else default) or ""))
    sandbox = sandbox or (config is not None and config.backend is not None and config.backend.is_sandbox)
    aws: LocalAws | None = None
    progress = StepProgress.on_stderr()
    if sandbox:
        progress.say("→ the local AWS emulator")
        aws = ensure_background_emulator(git.state_dir / "sandbox" / "emulator.json")
        progress.done()
        check_sandbox_state(git.state_dir / "sandbox", aws, repo_arg(repo))
    elif os.environ.get(EMULATOR_SETTING):
        aws = LocalAws(os.environ[EMULATOR_SETTING])
    loop = build_local_loop(git, actor=actor, sandbox=aws, emulated_cloud=aws is not None and not sandbox)
    loop.say = progress.say
    loop.progress = progress.tool_line
    loop.board = progress.board()
    # The default branch was asked for above; asking git again would only repeat its answer.
    resolved = base or default or ""
    if not named and not git.branch_exists(resolved):
        raise UserError(
            "unknown-base", f"base branch {resolved!r} does not exist", "pass --base with an existing branch"
        )
    return loop, progress, resolved


def own_state(loop: Loop) -> bool:
    """True when state lives in the sandbox's own bucket, so the repository's backend settings are not used."""
    return loop.sandbox is not None and not loop.emulated_cloud


def change_branch(loop: Loop, branch: str | None, base: str) -> str:
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


def refused_by_gate(code: str, what: str, decision: Blocked, shows: str, repo: Path) -> UserError:
    """The UserError for a gate's refusal: every reason on a line of its own, and where to see the change's state."""
    reasons = "".join(f"\n  - {reason}" for reason in decision.reasons)
    return UserError(
        code,
        f"the gate refused {what}:{reasons}",
        f"each reason says what is missing; `olympus status{repo_arg(repo)}` shows the change's {shows}",
    )
