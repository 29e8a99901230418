"""`/infra approve_policies [--policy-set NAME]`: an owner of a failing set lets the change past it, at one commit.

The approval is recorded for the head commit the failures were found at: a new push is judged again, and needs a
new approval. Who may approve a set is read from the base branch's `.olympus.yaml` (never from the change); someone
who asked for, opened, wrote or pushed the change may not approve its failures, here or at the gate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.domain.identities import canonical
from bot.domain.policies.config import PolicySettings
from bot.domain.repo_config import ConfigErrors
from bot.errors import UserError
from bot.ports import RepoReader
from bot.services.context import Loop
from bot.services.policy_check import base_policy_settings


@dataclass(frozen=True)
class PolicyApprovalAsk:
    """Who asks to approve which set of which change, and how the door tells an owner (a login, or a team's member)."""

    change_id: str
    head: str
    user: str
    policy_set: str | None  # None: every failing set the user owns
    is_owner: Callable[[str], bool]  # one owner entry ("alice", "org/team") → the user is it, or belongs to it
    # Everyone who may not approve the change, by canonical login, with why (bot.domain.authorship.excluded_people).
    excluded: Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class PolicyApprovalOutcome:
    approved: tuple[str, ...]  # the sets approved now (or already approved by this user at this commit)
    still_failing: tuple[str, ...]  # failing sets this approval does not cover


def approve_policies(loop: Loop, base: RepoReader, ask: PolicyApprovalAsk) -> PolicyApprovalOutcome:
    """Record the approval of each failing set the user owns; a UserError says why nothing could be approved."""
    failing = _failing_sets(loop, ask.change_id, ask.head)
    person = canonical(ask.user)
    if person in ask.excluded:
        why = " and ".join(ask.excluded[person])
        raise UserError(
            "policy-approval-own-change",
            f"{ask.user} {why}, so they cannot approve its policy failures",
            "an owner of the policy set who neither wrote nor asked for the change must approve them",
        )
    settings = _settings(base)
    wanted = [ask.policy_set] if ask.policy_set else list(failing)
    if ask.policy_set and ask.policy_set not in failing:
        shown = ", ".join(failing) or "none"
        raise UserError(
            "policy-set-not-failing",
            f"policy set {ask.policy_set} has no blocking failure at {ask.head[:12]} (failing: {shown})",
            "name a failing set with --policy-set, or leave it out to approve every failing set you own",
        )
    owned = [name for name in wanted if _owns(settings, name, ask.is_owner)]
    if not owned:
        owners = "; ".join(f"{name}: {', '.join(_owners(settings, name)) or 'no owners'}" for name in wanted)
        raise UserError(
            "not-a-policy-owner",
            f"{ask.user} owns none of the failing policy sets ({owners})",
            "ask an owner of the set (listed under `policies` in the base branch's .olympus.yaml) to approve it",
        )
    now = loop.store.clock()
    for name in owned:
        detail = {"change": ask.change_id, "commit": ask.head, "policy_set": name, "approver": ask.user}
        with loop.store.audited(ask.user, "approve_policies", detail):
            loop.store.record_policy_approval(ask.change_id, name, ask.head, canonical(ask.user), now)
    return PolicyApprovalOutcome(tuple(owned), tuple(name for name in failing if name not in owned))


def _failing_sets(loop: Loop, change_id: str, head: str) -> tuple[str, ...]:
    """The blocking sets whose failures stand in the change's plans at head."""
    latest = {plan.project: plan for plan in loop.store.plans_for(change_id)}  # oldest first: newest wins
    at_head = [plan for plan in latest.values() if plan.commit == head]
    if not at_head:
        raise UserError(
            "no-plan-at-head",
            f"{change_id} has no plan at its head {head[:12]}, so no policy failure to approve",
            "plan the change first (`/infra plan`); the policies judge each plan",
        )
    failing = tuple(dict.fromkeys(f.policy_set for plan in at_head for f in plan.policy_failures))
    if not failing:
        raise UserError(
            "nothing-to-approve",
            f"no blocking policy failure stands in the plans of {change_id} at {head[:12]}",
            "nothing to do: the gate does not hold this change for its policies",
        )
    return failing


def _settings(base: RepoReader) -> PolicySettings:
    settings = base_policy_settings(base)
    if isinstance(settings, ConfigErrors):
        raise UserError(
            "invalid-config",
            "the base branch's .olympus.yaml has mistakes, so its policy owners cannot be read:\n" + settings.render(),
            "fix .olympus.yaml on the base branch first",
        )
    return settings


def _owners(settings: PolicySettings, name: str) -> tuple[str, ...]:
    policy_set = settings.named(name)
    return policy_set.owners if policy_set is not None else ()


def _owns(settings: PolicySettings, name: str, is_owner: Callable[[str], bool]) -> bool:
    return any(is_owner(owner) for owner in _owners(settings, name))


def login_owner(user: str) -> Callable[[str], bool]:
    """The CLI's owner check: a login names the user; a team cannot be asked about locally, so it never matches."""
    return lambda owner: "/" not in owner and canonical(owner) == canonical(user)
