"""Who reads the dashboard and what they may see and do: their repositories, and who may release a lock from it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from bot.domain.permissions import DEFAULT_POLICY, Allowed, PermissionPolicy, may_run

__all__ = ["DASHBOARD_UNLOCK", "Reader", "level_of"]

# Releasing another change's lock from the dashboard takes any change's lock, not only one's own (`/infra unlock`
# releases its pull request's locks, and needs write): it needs what apply needs.
DASHBOARD_UNLOCK = "dashboard_unlock"
UNLOCK_POLICY = PermissionPolicy(required={**DEFAULT_POLICY.required, DASHBOARD_UNLOCK: "maintain"})


def level_of(permissions: Mapping[str, object]) -> str:
    """A repository's `permissions` object as GitHub's REST API gives it ({"admin": false, "push": true, ...}) as
    the highest role it grants (GitHub names write "push" and read "pull" there)."""
    for key, level in (("admin", "admin"), ("maintain", "maintain"), ("push", "write"), ("triage", "triage")):
        if permissions.get(key) is True:
            return level
    return "read" if permissions.get("pull") is True else "none"


@dataclass(frozen=True)
class Reader:
    """The person reading the pages: their GitHub login and role per repository they can read.

    `roles` None means every row of the store (the local dashboard, which serves one repository to its own user);
    a mapping means only the rows of those repositories: a row naming no repository is then nobody's.
    """

    login: str | None = None
    roles: Mapping[str, str] | None = None
    csrf: str = field(default="", repr=False)  # what a form this person posts must carry, tied to their session

    @property
    def repos(self) -> Collection[str] | None:
        """The repositories whose rows this person sees; None: every row."""
        return None if self.roles is None else frozenset(self.roles)

    def may_unlock(self, repo: str) -> bool:
        """Whether the dashboard offers this person an Unlock button for repo's locks (only a signed-in person)."""
        if self.roles is None or self.login is None:
            return False
        return isinstance(may_run(DASHBOARD_UNLOCK, self.roles.get(repo, "none"), policy=UNLOCK_POLICY), Allowed)
