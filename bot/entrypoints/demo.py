"""`olympus demo`: the whole loop, offline, in a throw-away repository against the local AWS emulator."""

from __future__ import annotations

import shutil
import tempfile
from importlib import resources
from pathlib import Path

from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.adapters.localgit import LocalGit
from bot.domain.commands import Create, parse
from bot.domain.gate import Blocked
from bot.errors import UserError
from bot.services.apply_change import apply_change
from bot.services.local_checkout import local_checkout
from bot.services.plan_change import plan_change
from bot.services.propose_change import propose_change
from bot.services.reporting import write_plan_outputs
from bot.services.stopwatch import Stopwatch
from bot.services.tool_calls import git_tool_caller
from bot.wiring import build_local_loop

REQUEST = "/infra create bucket logs-archive region=eu-west-1 env=dev"
REQUESTER = "bob"
APPROVER = "alice"
_FAULT_HINT = "the demo's story did not go as written: please report it, with the output above"


def seed_repository(path: Path) -> LocalGit:
    """A git repository with one AWS environment, committed on main, as a platform team would have it."""
    seed = resources.files("bot.entrypoints") / "demo_seed"
    with resources.as_file(seed) as source:
        shutil.copytree(source, path, dirs_exist_ok=True)
    for command in (["init", "--quiet", "--initial-branch=main"], ["add", "--all"]):
        LocalGit(path).git(*command)
    LocalGit(path).git(
        "-c",
        "user.name=Platform Team",
        "-c",
        "user.email=platform@example.com",
        "commit",
        "--quiet",
        "-m",
        "Add the dev environment",
    )
    return LocalGit.open(path)


def _step(number: int, text: str) -> None:
    print(f"\n━━ {number}. {text}")


def run_demo(directory: Path | None) -> None:
    """Tell the story step by step; raises UserError if a step does not go as the story says."""
    root = Path(tempfile.mkdtemp(prefix="olympus-demo-")) if directory is None else directory.resolve()
    repo_path = root / "infra-repo"
    if repo_path.exists() and any(repo_path.iterdir()):
        raise UserError(
            "demo-dir-not-empty",
            f"{repo_path} already exists and is not empty",
            "pass --dir with a new or empty directory, or leave --dir out to use a temp dir",
        )
    repo_path.mkdir(parents=True, exist_ok=True)
    _step(1, f"a platform repository at {repo_path} (git, main branch, infra/aws/envs/dev)")
    git = seed_repository(repo_path)
    stopwatch = Stopwatch()
    with stopwatch.timing("emulator"):  # importing moto is part of the emulator's cost, not Olympus's
        emulator = InProcessEmulator()
        aws = emulator.__enter__()
    try:
        print(f"   local AWS emulator listening on {aws.url}; Terraform state goes to its S3, locks to DynamoDB")
        _play(git, aws, root, stopwatch)
    finally:
        with stopwatch.timing("emulator"):
            emulator.__exit__(None, None, None)
    _report_time(stopwatch)
    print(f"\nThe demo repository is at {git.root}; the comment is at {root / 'comment.md'}.")


def _report_time(stopwatch: Stopwatch) -> None:
    split = stopwatch.split()
    _step(8, "where the time went")
    for kind in ("terraform", "scanners", "emulator", "olympus", "total"):
        print(f"   {kind:<10} {split.get(kind, 0.0):6.2f} s")
    if split.get("overlap"):
        # The scanners scan while Terraform plans: that time is in both lines above, and once in the total.
        print(f"   {'at once':<10} {split['overlap']:6.2f} s (counted in two of the lines above)")


def _play(git: LocalGit, aws: LocalAws, root: Path, stopwatch: Stopwatch) -> None:
    loop = build_local_loop(
        git.root, actor=REQUESTER, sandbox=aws, say=lambda line: print(f"   {line}"), stopwatch=stopwatch
    )
    print(f"   Terraform: {loop.terraform.label}")
    for scanner in loop.scanners:  # Checkov is installed here the first time, before the story starts
        print(f"   {scanner.name}: {scanner.prepare(loop.say)}")

    _step(2, f"{REQUESTER} asks: {REQUEST}")
    command = parse(REQUEST)
    if not isinstance(command, Create):
        raise UserError("demo-request-unreadable", f"the demo's own request did not parse: {command}", _FAULT_HINT)
    outcome = propose_change(loop, command, "main", git_tool_caller(loop.local_git))
    author = git.git("log", "-1", "--format=%an", outcome.branch).strip()
    print(f"   branch {outcome.branch}, commit {outcome.commit[:12]} by {author}")
    for file in outcome.change.files:
        print(f"   + {file.path}")
    print(f"   your working tree stays on {git.current_branch()}; the change was made in a separate worktree")

    _step(3, "plan with real Terraform, then scan with Checkov and Trivy")
    with local_checkout(loop, outcome.branch, "main") as checkout:
        report = plan_change(loop, checkout)
    outputs = write_plan_outputs(loop, report)
    if not report.ok:
        raise UserError(
            "demo-plan-failed",
            "the plan did not succeed; the comment above says why",
            "`olympus setup` (or `make install`) installs what the demo needs; the error above names what failed",
        )

    _step(4, "the pull-request comment")
    print(outputs.parts[0])
    print(f"   (markdown written to {outputs.comment_path}; SARIF for code scanning to {outputs.sarif_path})")
    shutil.copy(outputs.comment_path, root / "comment.md")

    _step(5, f"{REQUESTER} tries to apply without an approval: the gate refuses")
    with local_checkout(loop, outcome.branch, "main") as checkout:
        refused = apply_change(loop, checkout)
    if not isinstance(refused.decision, Blocked):
        raise UserError("demo-gate-open", "the gate allowed an unapproved apply", _FAULT_HINT)
    for reason in refused.decision.reasons:
        print(f"   ✗ {reason}")

    _step(6, f"{APPROVER} approves commit {outcome.commit[:12]}; {REQUESTER} applies the saved plan")
    loop.store.record_approval(outcome.branch, outcome.commit, APPROVER, loop.store.clock())
    with local_checkout(loop, outcome.branch, "main") as checkout:
        applied = apply_change(loop, checkout)
    if isinstance(applied.decision, Blocked):
        raise UserError("demo-apply-refused", "; ".join(applied.decision.reasons), _FAULT_HINT)
    if applied.error:
        raise UserError("demo-apply-failed", applied.error, "the error above is Terraform's; run the demo again")
    print(f"   applied {', '.join(applied.applied)}, approved by {', '.join(applied.decision.approvers)}")

    _step(7, "the bucket now exists in the emulator, and the state is in the s3 backend")
    with stopwatch.timing("emulator"):
        buckets = aws.bucket_names()
        listing = aws.client("s3").list_objects_v2(Bucket="olympus-tfstate")
    print(f"   buckets: {', '.join(buckets)}")
    if "logs-archive" not in buckets:
        raise UserError(
            "demo-bucket-missing", "the apply finished but logs-archive is not in the emulator", _FAULT_HINT
        )
    state_keys = [o["Key"] for o in listing.get("Contents", [])]
    print(f"   state objects: {', '.join(state_keys)}")
