"""Attacks on the approval gate, each played on the GitHub double and refused with its reason, by the App and the
Action alike: self-approval through pushes, forged authors, co-authors, rebases, lost permissions, retargets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from gate_world import PROJECT, REPO, GateWorld

from bot.domain.gate import Allowed, Blocked

BOT_NOREPLY = "424242+olympus[bot]@users.noreply.github.com"


@dataclass(frozen=True)
class Attack:
    name: str
    play: Callable[[GateWorld], None]
    reason: str  # what the refusal must say; "who: phrase" when it must name that person with that phrase
    asker: str = "bob"

    def said_in(self, reasons: tuple[str, ...]) -> bool:
        who, _, phrase = self.reason.rpartition(": ")
        return any(phrase in r and (not who or r.casefold().startswith(who)) for r in reasons)


def opened_by_app(world: GateWorld) -> None:
    world.app_opens_the_pull_request()


ATTACKS: list[Attack] = []


def register(name: str, reason: str, *, asker: str = "bob") -> Callable[[Callable[[GateWorld], None]], None]:
    def wrap(play: Callable[[GateWorld], None]) -> None:
        ATTACKS.append(Attack(name, play, reason, asker))

    return wrap


@register("a pusher approves their own push", "eve: authored commit")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.push("eve")
    w.review("eve")


@register("a pusher writes the commit as someone else and approves", "eve: pushed")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.push("eve", author="carol")
    w.review("eve")


@register("a commit forged as the bot's (name and no-reply email)", "eve: answers for commit")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.push("eve", author="olympus[bot]", author_email=BOT_NOREPLY)
    w.review("eve")


@register("a forged bot commit, signed by the pusher's own key", "eve: committed")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.push("eve", author="olympus[bot]", author_email=BOT_NOREPLY, committer=("eve", "eve@example.com"), verified=True)
    w.review("eve")


@register("a forged bot commit claiming GitHub as committer, unsigned", "eve: answers for commit")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.push("eve", author="olympus[bot]", author_email=BOT_NOREPLY, committer=("GitHub", "noreply@github.com"))
    w.review("eve")


@register("an author GitHub cannot link to an account", "eve: pushed")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.push("eve", author="Someone", author_email="someone@nowhere.invalid")
    w.review("eve")


@register("a co-author trailer names the approver", "alice: co-authored commit")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.push("carol", message="more\n\nCo-authored-by: Alice <alice@example.com>\n")
    w.review("alice")


@register("a co-author named by a no-reply address", "alice: co-authored commit")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.push("carol", message="more\n\nCo-authored-by: A. <12345+alice@users.noreply.github.com>\n")
    w.review("alice")


@register("the approver committed someone else's commit", "alice: committed")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.push("carol", author="dana", committer=("alice", "alice@example.com"))
    w.review("alice")


@register("a force-push by the approver", "eve: pushed")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    base = w.fake.repo(REPO).ref_sha("main")
    w.push("eve", author="dana", parent=base)
    w.review("eve")


@register("a commit by the approver rebased under another name", "alice: pushed")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.push("alice")
    base = w.fake.repo(REPO).ref_sha("main")
    w.push("carol", author="dana", parent=base)  # rewritten: alice's commit is gone, her push is not
    w.review("alice")


@register("a push to the branch before the PR existed", "eve: pushed")
def _(w: GateWorld) -> None:
    w.push_branch_before_the_pull_request("eve", author="olympus[bot]", author_email=BOT_NOREPLY)
    w.person_opens_the_pull_request("dana")
    w.review("eve")


@register("an approval from before the latest push", "is for an earlier commit")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.review("alice")
    w.push("carol")


@register("the requester approves", "bob: asked for this change")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.review("bob")


@register("the PR's author approves", "dana: opened the pull request")
def _(w: GateWorld) -> None:
    w.person_opens_the_pull_request("dana")
    w.review("dana")


@register("the PR's author approves after another push", "dana: opened the pull request")
def _(w: GateWorld) -> None:
    w.person_opens_the_pull_request("dana")
    w.push("carol")
    w.review("dana")


@register("the asker approves a PR someone else opened", "frank: asked for this change", asker="frank")
def _(w: GateWorld) -> None:
    w.fake.set_permission(REPO, "frank", "maintain")
    w.person_opens_the_pull_request("dana")
    w.review("frank")


@register("an app approves", "an app's approval does not count")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.review("dependabot[bot]")


@register("the bot approves its own PR", "an app's approval does not count")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.review(w.fake.bot_login)


@register("the approver's permission was removed", "alice has read permission")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.review("alice")
    w.fake.set_permission(REPO, "alice", "read")


@register("the approver left the repository", "alice has no access to")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.review("alice")
    w.fake.repo(REPO).private = True
    w.fake.repo(REPO).permissions.pop("alice")


@register("the approver was demoted to triage", "alice has triage permission")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.review("alice")
    w.fake.set_permission(REPO, "alice", "triage")


@register("the approval was dismissed", "no approval for the head commit")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.review("alice")
    w.review("alice", "DISMISSED")


@register("the approver then requested changes", "alice requested changes")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.review("alice")
    w.review("alice", "CHANGES_REQUESTED")


@register("another reviewer's change request stands", "carol requested changes")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.review("carol", "CHANGES_REQUESTED")
    w.review("alice")


@register("only a comment, no approval", "no approval for the head commit")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.review("alice", "COMMENTED")


@register("the PR was retargeted to another base", "now targets release")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.review("alice")
    w.retarget("release")


@register("the PR was retargeted to an unprotected base", "the base branch is not protected")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.review("alice")
    w.retarget("scratch", protected=False)


@register("the base branch requires two approvals", "requires 2 approvals")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.fake.set_branch_protection(REPO, "main", required_approving_review_count=2)
    w.review("alice")


@register("two approvals, one of them the pusher's", "eve: authored commit")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.fake.set_branch_protection(REPO, "main", required_approving_review_count=2)
    w.push("eve")
    w.review("alice")
    w.review("eve")


@register("two approvals, one of them stale", "requires 2 approvals")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.fake.set_branch_protection(REPO, "main", required_approving_review_count=2)
    w.review("carol")
    w.push("frank")
    w.review("alice")


@register("the same person approving twice counts once", "requires 2 approvals")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.fake.set_branch_protection(REPO, "main", required_approving_review_count=2)
    w.review("alice")
    w.review("alice")


def _code_owned(w: GateWorld, owners: str) -> None:
    w.fake.push(REPO, "main", {".github/CODEOWNERS": f"{PROJECT}/ {owners}\n"}, author="octo-org")
    w.fake.set_branch_protection(REPO, "main", required_approving_review_count=1, require_code_owner_reviews=True)


@register("code owners required, approved by a non-owner", "requires a code owner's approval")
def _(w: GateWorld) -> None:
    _code_owned(w, "@carol")
    opened_by_app(w)
    w.review("alice")


@register("code owners required, the owner team has not approved", "@octo-org/platform")
def _(w: GateWorld) -> None:
    _code_owned(w, "@octo-org/platform")
    w.fake.add_team_member("octo-org", "platform", "carol")
    opened_by_app(w)
    w.review("alice")


@register("code owners required, the owner is the pusher", "carol: authored commit")
def _(w: GateWorld) -> None:
    _code_owned(w, "@carol")
    opened_by_app(w)
    w.push("carol")
    w.review("carol")


@register("code owners required, owned only by an email", "requires a code owner's approval")
def _(w: GateWorld) -> None:
    _code_owned(w, "platform@example.com")
    opened_by_app(w)
    w.review("alice")


@register("the asker may not apply (write, not maintain)", "maintain", asker="carol")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.review("alice")


@register("a pusher's login in another case approves", "eve: authored commit")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.push("eve")
    w.review("EVE")


@register("a pusher with an unlinked committer approves", "eve: pushed")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.push("eve", author="ghost", author_email="ghost@nowhere.invalid", committer=("ghost", "x@nowhere.invalid"))
    w.review("eve")


@register("the requester's login in another case approves", "asked for this change")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.review("Bob")


@register("a pusher's earlier push, then a clean commit on top", "eve: pushed")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.push("eve", author="dana")
    w.push("carol")
    w.review("eve")


@register("a co-author of an earlier commit approves", "alice: co-authored")
def _(w: GateWorld) -> None:
    opened_by_app(w)
    w.push("carol", message="one\n\nCo-authored-by: alice <alice@example.com>\n")
    w.push("carol")
    w.review("alice")


@pytest.fixture
def world(fake_github: Any, fixtures_dir: Path, tmp_path: Path) -> GateWorld:
    return GateWorld(fake_github, fixtures_dir, tmp_path)


DOORS = ["app", "action"]


def decision_of(world: GateWorld, door: str, asker: str) -> Allowed | Blocked:
    return world.app_decides(asker) if door == "app" else world.action_decides(asker)


def test_there_are_forty_attacks_or_more() -> None:
    assert len(ATTACKS) >= 40
    assert len({a.name for a in ATTACKS}) == len(ATTACKS)


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("case", ATTACKS, ids=[a.name for a in ATTACKS])
def test_each_attack_is_refused_with_its_reason(world: GateWorld, case: Attack, door: str) -> None:
    case.play(world)
    decision = decision_of(world, door, case.asker)
    assert isinstance(decision, Blocked), f"{door} allowed {case.name!r}"
    assert case.said_in(decision.reasons), decision.reasons


@pytest.mark.parametrize("door", DOORS)
def test_an_honest_review_of_the_apps_pull_request_is_allowed(world: GateWorld, door: str) -> None:
    opened_by_app(world)
    world.push("carol")
    world.review("alice")
    assert decision_of(world, door, "bob") == Allowed(("alice",))


@pytest.mark.parametrize("door", DOORS)
def test_a_code_owner_of_the_team_is_an_approval_that_counts(world: GateWorld, door: str) -> None:
    _code_owned(world, "@octo-org/platform")
    world.fake.add_team_member("octo-org", "platform", "alice")
    opened_by_app(world)
    world.review("alice")
    assert decision_of(world, door, "bob") == Allowed(("alice",))


@pytest.mark.parametrize("door", DOORS)
def test_the_refusal_names_everyone_excluded_and_why(world: GateWorld, door: str) -> None:
    opened_by_app(world)
    eve = world.push("eve")
    decision = decision_of(world, door, "bob")
    assert isinstance(decision, Blocked)
    [nobody] = [r for r in decision.reasons if r.startswith("no approval")]
    assert "bob (asked for this change or its apply)" in nobody
    assert f"eve (authored commit {eve[:12]} and pushed {eve[:12]} to the change)" in nobody


def test_names_a_refusal_quotes_stay_plain_text() -> None:
    from shown import shown

    from bot.domain.markdown import bullet_list

    project = "infra/[click me](https://evil.example)/<img src=x>/@octo-org/admins"
    listed = bullet_list([f"{project}: no saved plan; run `olympus plan` first", "eve\u202e pushed"])
    assert "](" not in listed.replace("\\](", "") and "<img" not in listed
    read = shown(listed).replace("\u2060", "")
    assert project in read and "\\u202e" in read
    assert "@octo-org" not in listed  # a mention is broken by a word joiner
