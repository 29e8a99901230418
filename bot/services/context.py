"""The context every use case takes: the store, Terraform, scanners and where to keep files (wiring.py builds it)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.adapters.local_aws import LocalAws
from bot.adapters.localgit import LocalGit
from bot.adapters.terraform import TerraformCli
from bot.app_ports import ChartRenderer, CrdValidator, KubernetesValidator, ManifestScanner
from bot.policy_ports import PolicyEngine
from bot.ports import LockKeeper, Scanner, Store
from bot.services.parallelism import default_parallel_plan
from bot.services.stopwatch import Stopwatch
from bot.services.task_board import SayingBoard, TaskBoard

# Locks guard one state: the sandbox's state is not the cloud's, so its locks are kept apart.
SANDBOX_LOCKS = "@sandbox"
# The Kubernetes version charts are rendered and validated for when OLYMPUS_KUBE_VERSION does not say.
DEFAULT_KUBE_VERSION = "1.29"


@dataclass
class AppCheckers:
    """What the plan of an application change runs: helm, the schema validators, the manifest scanners."""

    renderer: ChartRenderer
    kubernetes: KubernetesValidator
    crds: CrdValidator
    scanners: list[ManifestScanner]
    kube_version: str = DEFAULT_KUBE_VERSION


@dataclass
class Loop:
    """Everything a use case needs (store, Terraform, scanners, where to keep files), built once per command or job."""

    store: Store
    terraform: TerraformCli
    scanners: list[Scanner]
    actor: str
    cache_dir: Path
    # Olympus's own files for one repository: plans, reports, sandbox settings.
    state_dir: Path
    # The repository's name in locks and records: owner/name on GitHub, the folder's name locally.
    repo_id: str
    git: LocalGit | None = None  # the local repository, for the CLI's own steps
    sandbox: LocalAws | None = None
    # With a sandbox: True when the emulator stands in for the cloud of the repository's own backend.hcl (the CLI
    # with OLYMPUS_AWS_EMULATOR_URL), False when state lives in the sandbox's own bucket (`--sandbox`).
    emulated_cloud: bool = False
    say: Callable[[str], None] = print
    # No scanner runs (the App's OLYMPUS_SCANNERS=none); every plan comment says so.
    unscanned: bool = False
    # Each line Terraform prints, for a progress display; quiet by default.
    progress: Callable[[str], None] = lambda line: None
    stopwatch: Stopwatch = field(default_factory=Stopwatch)
    # Where project locks live when not in the store: GitHub refs (bot.adapters.github.ref_locks) in the Action.
    locks: LockKeeper | None = None
    # Projects whose Terraform runs at once (OLYMPUS_PARALLEL_PLAN, bot/services/parallelism.py); cores by default.
    parallel_plan: int = field(default_factory=default_parallel_plan)
    # Where the states of work running side by side go (projects, scanners): the CLI draws them; by default they
    # are `say` lines.
    board: TaskBoard | None = None
    # Seals what the gate relies on (the store's approvals and plans, Olympus's own local commits); kept outside
    # the repository (bot/adapters/record_key.py). The default lives as long as the process.
    record_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    # Helm and Argo CD changes in the plan step (bot/services/plan_apps.py); None: they are not planned.
    apps: AppCheckers | None = None
    # Evaluates the policy sets over each plan (bot/services/policy_check.py); None: no policies are evaluated.
    policies: PolicyEngine | None = None

    @property
    def lock_keeper(self) -> LockKeeper:
        """What takes and reads project locks: `locks` when set, else the store."""
        return self.store if self.locks is None else self.locks

    @property
    def task_board(self) -> TaskBoard:
        """What shows the states of concurrent work: `board` when set, else lines through `say`."""
        return self.board if self.board is not None else SayingBoard(self.say)

    @property
    def local_git(self) -> LocalGit:
        """The local repository; only the CLI's steps ask for it."""
        if self.git is None:
            raise RuntimeError("this step needs a local git repository")
        return self.git
