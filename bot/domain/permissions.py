"""Who may run which `/infra` command: the repository permission or team membership each command needs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from bot.domain.commands import (
    Apply,
    ApprovePolicies,
    Ask,
    Command,
    Create,
    CreateApp,
    Destroy,
    Diagnose,
    FixDrift,
    Help,
    Import,
    Plan,
    SetValues,
    StateRm,
    Status,
    Sync,
    Unlock,
    Update,
    UpgradeChart,
)

__all__ = [
    "DEFAULT_POLICY",
    "LEVELS",
    "Allowed",
    "PermissionPolicy",
    "Refused",
    "command_kind",
    "may_run",
    "rank",
]

# Commands that change state as apply does: unless configured, they need what apply needs.
_LIKE_APPLY: Final = ("import", "state_rm")
# A diagnosis plans the pull request again (and proposes a fix for review): unless configured, it is plan's equal.
_LIKE_PLAN: Final = ("diagnose",)
# GitHub's repository roles from least to most; a role grants everything below it.
# https://docs.github.com/en/organizations/managing-user-access-to-your-organizations-repositories/managing-repository-roles/repository-roles-for-an-organization
LEVELS: Final = ("none", "read", "triage", "write", "maintain", "admin")

_KINDS: Final[Mapping[type, str]] = {
    Create: "create",
    Update: "update",
    Destroy: "destroy",
    # A release is created and changed as a resource is: through a pull request someone else reviews.
    CreateApp: "create",
    SetValues: "update",
    UpgradeChart: "update",
    # A sync deploys only what was merged, as the merge itself did.
    Sync: "sync",
    Plan: "plan",
    Apply: "apply",
    Import: "import",
    StateRm: "state_rm",
    Unlock: "unlock",
    # Owning the failing policy set is what counts (checked when it is recorded); reading the repository is enough.
    ApprovePolicies: "approve_policies",
    Status: "status",
    # A fix of drift opens a pull request, as `/infra create` does; its apply goes through the gate.
    FixDrift: "fix_drift",
    Diagnose: "diagnose",
    Help: "help",
    # A request in plain words can only end in proposals, so it needs what `/infra create` needs, and is checked
    # before any model reads it.
    Ask: "create",
}


@dataclass(frozen=True)
class Allowed:
    """The user may run the command."""


@dataclass(frozen=True)
class Refused:
    """The user may not run the command; `reason` says who may."""

    reason: str


@dataclass(frozen=True)
class PermissionPolicy:
    """The least permission each command kind needs, and the teams ("org/slug") whose members may run it anyway."""

    required: Mapping[str, str] = field(
        default_factory=lambda: {
            "create": "write",
            "update": "write",
            "fix_drift": "write",
            "destroy": "write",
            "plan": "write",
            "unlock": "write",
            "sync": "write",
            "apply": "maintain",
            "status": "read",
            "approve_policies": "read",
            "help": "read",
        }
    )
    teams: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def needed(self, kind: str) -> str:
        """The permission `kind` needs; an unknown kind needs admin, so a new command is closed until configured.

        `import` and `state_rm` change state as apply does: unless configured, they need what apply needs.
        """
        if kind in _LIKE_APPLY and kind not in self.required:
            return self.needed("apply")
        if kind in _LIKE_PLAN and kind not in self.required:
            return self.needed("plan")
        return self.required.get(kind, "admin")

    def teams_for(self, kind: str) -> tuple[str, ...]:
        """The teams ("org/slug") whose members may run `kind` whatever their repository permission."""
        if kind in _LIKE_PLAN and kind not in self.teams:
            return self.teams_for("plan")
        return tuple(self.teams.get(kind, ()))


DEFAULT_POLICY: Final = PermissionPolicy()


def rank(permission: str) -> int:
    """A permission's place in LEVELS; anything unknown (a custom role GitHub reports oddly) ranks as none."""
    normalized = permission.strip().lower()
    return LEVELS.index(normalized) if normalized in LEVELS else 0


def command_kind(command: Command) -> str:
    """The policy's name for a parsed command: create (ask too), update, destroy, plan, apply, import, state_rm,
    unlock, status, sync, fix_drift, diagnose, help."""
    return _KINDS[type(command)]


def may_run(
    kind: str,
    permission: str,
    teams: Iterable[str] = (),
    policy: PermissionPolicy = DEFAULT_POLICY,
) -> Allowed | Refused:
    """Whether someone with `permission` on the repository, in `teams` ("org/slug"), may run a `kind` command."""
    needed = policy.needed(kind)
    if rank(permission) >= rank(needed):
        return Allowed()
    allowed_teams = policy.teams_for(kind)
    member_of = {team.lower() for team in teams}
    if any(team.lower() in member_of for team in allowed_teams):
        return Allowed()
    who = f"people with the {needed} permission (or higher) on this repository"
    if allowed_teams:
        who += " or members of " + _and([f"@{team}" for team in allowed_teams])
    have = permission.strip().lower() or "none"
    return Refused(f"`/infra {kind.replace('_', ' ')}` may be run by {who}; you have {have}.")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
