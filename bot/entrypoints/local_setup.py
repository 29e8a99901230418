"""`olympus init` and `olympus sandbox stop|reset`: where state lives, and the local emulator that can hold it."""

from __future__ import annotations

import json
from pathlib import Path

from bot.adapters.git_tree import GitTreeReader
from bot.adapters.local_aws import stop_background_emulator
from bot.adapters.localgit import LocalGit
from bot.adapters.terraform import TerraformCli, TerraformError
from bot.domain.backends import BackendSettings
from bot.domain.models import FileChange
from bot.entrypoints.local_loop import open_repo, repo_arg
from bot.errors import UserError
from bot.services.init_repo import EmptyTree, init_files
from bot.services.local_readiness import forget_sandbox_state

# S3's own lock file (`use_lockfile`) arrived in Terraform 1.10 and OpenTofu 1.8.
_NATIVE_S3_LOCKING = {"terraform": (1, 10), "tofu": (1, 8)}


def settings_from_options(
    *,
    backend: str | None,
    bucket: str | None,
    region: str | None,
    dynamodb_table: str | None,
    key_prefix: str | None,
    prefix: str | None,
    sandbox: bool,
) -> BackendSettings:
    """The backend the options name; a UserError for a missing or contradictory one."""
    if sandbox:
        if backend or bucket or region or dynamodb_table or key_prefix or prefix:
            raise UserError(
                "conflicting-options",
                "--sandbox keeps state in the local emulator, so it takes no --backend, --bucket or --region",
                "pass either --sandbox, or --backend with its settings",
            )
        return BackendSettings("sandbox")
    if backend == "s3":
        if not bucket or not region:
            raise UserError(
                "missing-option",
                "--backend s3 needs the state bucket and its region",
                "pass --bucket BUCKET --region REGION (and --dynamodb-table TABLE for a DynamoDB lock table)",
            )
        if prefix:
            raise UserError("conflicting-options", "--prefix is for gcs; S3 takes --key-prefix", "use --key-prefix")
        return BackendSettings("s3", bucket, region, dynamodb_table or "", key_prefix or "")
    if backend == "gcs":
        if not bucket:
            raise UserError("missing-option", "--backend gcs needs the state bucket", "pass --bucket BUCKET")
        if region or dynamodb_table or key_prefix:
            raise UserError(
                "conflicting-options",
                "--region, --dynamodb-table and --key-prefix are for s3; gcs takes --bucket and --prefix",
                "drop them, or use --backend s3",
            )
        return BackendSettings("gcs", bucket, prefix=prefix or "")
    raise UserError(
        "missing-option",
        "say where Terraform state lives",
        "pass --backend s3 --bucket BUCKET --region REGION, --backend gcs --bucket BUCKET, or --sandbox",
    )


def _native_s3_locking(settings: BackendSettings) -> bool:
    """Whether the configured Terraform can lock S3 state without DynamoDB; refused when it cannot and no table."""
    if settings.type != "s3" or settings.dynamodb_table:
        return True
    terraform = TerraformCli.locate()
    try:
        out = terraform.run(["version", "-json"], Path.cwd(), timeout=60)
        version = str(json.loads(out.stdout).get("terraform_version", "0.0"))
    except (TerraformError, ValueError):
        return True
    kind = "tofu" if "tofu" in terraform.label else "terraform"
    found = tuple(int(part) for part in version.split(".")[:2] if part.isdigit())
    if found >= _NATIVE_S3_LOCKING[kind]:
        return True
    raise UserError(
        "old-terraform",
        f"{terraform.label} {version} cannot lock S3 state without a DynamoDB table",
        "pass --dynamodb-table TABLE (a table with a LockID string key), or use a newer Terraform",
    )


def init_repo(repo: Path, settings: BackendSettings) -> int:
    """Write `.olympus.yaml` and each env's backend.hcl into the checkout, and commit them on its branch."""
    git = open_repo(repo, allow_empty=True)
    has_commits = git.has_commits()
    reader = GitTreeReader(git, "HEAD") if has_commits else EmptyTree()
    plan = init_files(reader, settings, native_s3_locking=_native_s3_locking(settings))
    for skipped in plan.skipped:
        print(f"left alone: {skipped}")
    if not plan.files:
        print(f"already initialized: state lives in {settings.describe()}")
        return 0
    _write_and_commit(git, plan.files, has_commits, settings)
    branch = git.current_branch()
    for file in plan.files:
        print(f"+ {file.path}")
    print(f"committed on {branch}: Terraform state lives in {settings.describe()}")
    if settings.is_sandbox:
        print("every command now runs on the local AWS emulator (`olympus sandbox stop` stops it)")
    return 0


def _write_and_commit(
    git: LocalGit, files: tuple[FileChange, ...], has_commits: bool, settings: BackendSettings
) -> None:
    paths = [file.path for file in files]
    dirty = git.git("status", "--porcelain", "--", *paths).strip() if has_commits else ""
    if dirty:
        raise UserError(
            "uncommitted-changes",
            f"the files olympus init writes have uncommitted changes:\n{dirty}",
            "commit or stash them, then run `olympus init` again",
        )
    for file in files:
        target = git.root / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(file.content)
    git.git("add", "--", *paths)
    message = f"Olympus: keep Terraform state in {settings.describe()}\n\nWritten by `olympus init`.\n"
    # --only: the user's other staged work stays staged, out of this commit.
    args = ["-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "-m", message, "--only", "--", *paths]
    git.git(*args, env=git.identity_env())


def stop_sandbox(repo: Path) -> int:
    git = open_repo(repo)
    sandbox_dir = git.state_dir / "sandbox"
    stopped = stop_background_emulator(sandbox_dir / "emulator.json")
    print("stopped the local AWS emulator" if stopped else "no local AWS emulator was running")
    if stopped and (sandbox_dir / "applied.json").is_file():
        print(
            "what was applied on it is gone with it: the next --sandbox command says so "
            f"(`olympus sandbox reset{repo_arg(repo)}` starts over)"
        )
    return 0


def reset_sandbox(repo: Path) -> int:
    git = open_repo(repo)
    forgot = forget_sandbox_state(git.state_dir / "sandbox")
    print("forgot what the stopped emulator held" if forgot else "nothing to forget: no apply on a stopped emulator")
    return 0
