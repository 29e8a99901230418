"""What a comment can mean: the `/infra` commands, a reply to the user, or nothing for Olympus."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import Project, ResourceRequest

__all__ = [
    "PREFIX",
    "VERBS",
    "Apply",
    "ApprovePolicies",
    "Ask",
    "Command",
    "ChangeCommand",
    "Create",
    "CreateApp",
    "Destroy",
    "FixDrift",
    "Diagnose",
    "Help",
    "Import",
    "Invalid",
    "NotForMe",
    "Plan",
    "Reply",
    "RunsTerraform",
    "SetValues",
    "StateRm",
    "Status",
    "Sync",
    "Target",
    "Unlock",
    "Update",
    "UpgradeChart",
]

PREFIX = "/infra"
# The words that may follow it; help.py's pages are these, help last.
VERBS = (
    "help",
    "create",
    "update",
    "destroy",
    "helm",
    "sync",
    "plan",
    "apply",
    "import",
    "state",
    "unlock",
    "approve_policies",
    "status",
    "fix",
    "diagnose",
    "ask",
)


@dataclass(frozen=True)
class Target:
    """Which of a change's projects a command names: one project by name, or a directory and/or a workspace."""

    project: str | None = None
    dir: str | None = None
    workspace: str | None = None

    def matches(self, project: Project) -> bool:
        if self.project is not None:
            return project.name == self.project
        return (self.dir is None or project.dir == self.dir) and (
            self.workspace is None or project.workspace == self.workspace
        )

    def describe(self) -> str:
        """The flags that name it, as a user writes them: `-p logs`, `-d infra/dev -w staging`."""
        if self.project is not None:
            return f"-p {self.project}"
        parts = [f"-d {self.dir}"] if self.dir is not None else []
        return " ".join(parts + ([f"-w {self.workspace}"] if self.workspace is not None else []))


@dataclass(frozen=True)
class Create:
    request: ResourceRequest


@dataclass(frozen=True)
class Destroy:
    request: ResourceRequest


@dataclass(frozen=True)
class Update:
    """Change options of a resource Olympus manages; the request holds only the options given."""

    request: ResourceRequest


@dataclass(frozen=True)
class CreateApp:
    """`/infra create app NAME chart=C namespace=NS env=E project=P`: a Helm release that Argo CD deploys."""

    name: str
    env: str
    namespace: str
    chart: str
    project: str


@dataclass(frozen=True)
class SetValues:
    """`/infra helm set NAME key=value... env=E`: values of one release in one env, by dotted key, sorted."""

    name: str
    env: str
    settings: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class UpgradeChart:
    """`/infra helm upgrade NAME version=V env=E`: move the release's chart to another version."""

    name: str
    env: str
    version: str


@dataclass(frozen=True)
class Sync:
    """`/infra sync [NAME] [env=E]`: ask Argo CD again to sync what a merged pull request changed."""

    name: str | None = None
    env: str | None = None


@dataclass(frozen=True, kw_only=True)
class RunsTerraform:
    """The flags every command that runs Terraform in projects takes (Atlantis's -p, -d, -w, --verbose, --)."""

    project: str | None = None
    dir: str | None = None
    workspace: str | None = None
    verbose: bool = False
    # What follows `--`, appended to the Terraform command; the blocked flags are refused when parsing.
    extra_args: tuple[str, ...] = ()

    @property
    def target(self) -> Target | None:
        """The projects the flags name, or None for every project the change touches."""
        if self.project is None and self.dir is None and self.workspace is None:
            return None
        return Target(self.project, self.dir, self.workspace)


@dataclass(frozen=True, kw_only=True)
class Plan(RunsTerraform):
    pass


@dataclass(frozen=True, kw_only=True)
class Apply(RunsTerraform):
    pass


@dataclass(frozen=True, kw_only=True)
class Import(RunsTerraform):
    """`terraform import ADDRESS ID` in one project: off unless the repository allows it, gated like apply."""

    address: str
    id: str


@dataclass(frozen=True, kw_only=True)
class StateRm(RunsTerraform):
    """`terraform state rm ADDRESS...` in one project: off unless the repository allows it, gated like apply."""

    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Unlock:
    pass


@dataclass(frozen=True)
class Status:
    pass


@dataclass(frozen=True)
class ApprovePolicies:
    """`/infra approve_policies [--policy-set NAME]` (Atlantis's command): a set owner lets the head past its
    failures; without a set, every failing set the commenter owns."""

    policy_set: str | None = None


@dataclass(frozen=True)
class FixDrift:
    """`/infra fix drift [restore|adopt]` in a drift issue: a pull request that restores reality or adopts it.

    `way` None is the way the issue proposes (its project's latest drift check says which).
    """

    way: str | None = None  # "restore" | "adopt"


@dataclass(frozen=True)
class Diagnose:
    """`/infra diagnose [-p PROJECT]`: the fix loop on a pull request's failing plan (every project it touches)."""

    project: str | None = None


@dataclass(frozen=True)
class Help:
    """The list of commands, or one command's usage (`/infra help plan`, `/infra plan --help`)."""

    topic: str | None = None


@dataclass(frozen=True)
class Ask:
    """`/infra ask TEXT`: a request in plain words, for a language model to read into the commands above.

    Its text is the rest of the comment, later lines included: the one command that need not stand alone.
    """

    text: str


Command = (
    Create
    | Destroy
    | Update
    | CreateApp
    | SetValues
    | UpgradeChart
    | Sync
    | Plan
    | Apply
    | Import
    | StateRm
    | Unlock
    | ApprovePolicies
    | Status
    | FixDrift
    | Diagnose
    | Help
    | Ask
)
# The commands that propose a change: each becomes one MCP tool call and one branch.
ChangeCommand = Create | Update | Destroy | CreateApp | SetValues | UpgradeChart


@dataclass(frozen=True)
class Reply:
    """A message back to the user: what is wrong with the command and the nearest valid form."""

    text: str


@dataclass(frozen=True)
class NotForMe:
    """The text is not an `/infra` command; say nothing."""


@dataclass(frozen=True)
class Invalid:
    """A request that breaks rules: one sentence per broken rule, each saying how to fix it."""

    problems: tuple[str, ...]
