"""The apply gate: decides whether a change may be applied, and lists every reason when it may not."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.domain.authorship import Authorship, excluded_people
from bot.domain.identities import canonical, is_app, login_problem
from bot.domain.policies.results import PolicyFailure


@dataclass(frozen=True)
class Approval:
    user: str
    commit: str
    # Why this approval cannot be trusted although it is on record ("" when it can): a record whose seal does not
    # check, a reviewer who no longer has write access.
    problem: str = ""


@dataclass(frozen=True)
class PolicyApproval:
    """`/infra approve_policies` of one policy set's failures, by an owner of the set, for one commit."""

    user: str
    policy_set: str
    commit: str
    problem: str = ""  # why it cannot be trusted although on record ("" when it can)


@dataclass(frozen=True)
class PlannedProject:
    """What the gate needs to know of one project's saved plan."""

    project: str
    plan_commit: str | None  # None: never planned
    recorded_sha256: str | None
    current_sha256: str | None  # None: the plan file is missing
    lock_holder: str | None
    # Why the reviewed plan cannot be known (GitHub holds no record of it, or the store could not give it back).
    record_problem: str = ""
    policy_failures: Sequence[PolicyFailure] = ()  # what the blocking policy sets said of the reviewed plan
    plan_base: str = ""  # the base branch the plan was made against ("" when not recorded)
    # False for `/infra import` and `state rm`: they change state without a saved plan, so only the approvals,
    # the pull request and the lock decide.
    plan_required: bool = True


@dataclass(frozen=True)
class ReviewDecision:
    """One pull request review as GitHub reports it, in the order it was submitted."""

    user: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED
    commit: str | None


@dataclass(frozen=True)
class PullRequestFacts:
    """What GitHub says of the pull request, its base branch and the asker, re-read when the apply is decided."""

    author: str
    is_fork: bool = False
    state: str = "open"
    merged: bool = False
    apply_after_merge: bool = False  # a setting: apply before merge is the default
    base_protected: bool = True
    required_approvals: int = 1  # the base branch protection's required approving reviews
    asker_refusal: str = ""  # why the person asking may not apply ("" when they may)
    command_edited: bool = False  # the `/infra apply` comment was edited after it was written
    changes_requested_by: Sequence[str] = ()  # reviewers whose latest decisive review requests changes
    base_branch: str = ""  # the base the pull request targets now
    # Code-owner review, when the base branch's protection asks for it: each changed file's owners, and for each
    # owner (user or org/team) the approvers at head who are, or belong to, it.
    code_owners: Mapping[str, Sequence[str]] = field(default_factory=dict)
    owner_approvers: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class GateInput:
    change_id: str
    head_commit: str
    # Who asked for the change or for its apply: none of them may approve it.
    requesters: Sequence[str]
    approvals: Sequence[Approval]
    projects: Sequence[PlannedProject]
    pull_request: PullRequestFacts | None = None  # None for a local change
    # Who authored, committed or pushed the change's commits: none of them may approve it either.
    contributors: Authorship = field(default_factory=Authorship)
    # Owners' approvals of policy sets' failures (checked for ownership when recorded).
    policy_approvals: Sequence[PolicyApproval] = ()


@dataclass(frozen=True)
class Allowed:
    approvers: tuple[str, ...]


@dataclass(frozen=True)
class Blocked:
    reasons: tuple[str, ...]


def approvals_from(reviews: Sequence[ReviewDecision]) -> list[Approval]:
    """Each reviewer's latest decisive review, oldest first in; only an APPROVED one counts, for its commit."""
    return [Approval(r.user, r.commit) for r in _latest_decisive(reviews) if r.state == "APPROVED" and r.commit]


def changes_requested_by(reviews: Sequence[ReviewDecision]) -> list[str]:
    """Reviewers whose latest decisive review requests changes."""
    return sorted(r.user for r in _latest_decisive(reviews) if r.state == "CHANGES_REQUESTED")


def _latest_decisive(reviews: Sequence[ReviewDecision]) -> list[ReviewDecision]:
    """Each reviewer's latest approval, change request or dismissal (a comment decides nothing), by reviewer."""
    latest: dict[str, ReviewDecision] = {}
    for review in reviews:
        if review.state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[review.user.casefold()] = review
    return list(latest.values())


def decide(gate: GateInput) -> Allowed | Blocked:
    """Allowed only with approvals at head by others, an unaltered plan of head, our own lock, and a clean PR."""
    reasons: list[str] = []
    head = gate.head_commit
    pr = gate.pull_request
    excluded = excluded_people(gate.requesters, pr.author if pr else None, gate.contributors)
    valid, refused = _sort_approvals(gate, excluded)
    needed = max(1, pr.required_approvals) if pr else 1
    reasons.extend(gate.contributors.problems)
    if not valid:
        reasons.extend(refused or [_nobody_reason(head, excluded)])
    elif len(valid) < needed:
        reasons.append(
            f"the base branch requires {needed} approvals of the head commit {head[:12]}; it has {len(valid)} "
            f"({', '.join(valid)})"
        )
        reasons.extend(refused)
    if pr is not None:
        reasons.extend(_pull_request_reasons(pr))
        reasons.extend(_code_owner_reasons(pr, valid))
    if not gate.projects:
        reasons.append("nothing to apply: no project is planned for this change; run `olympus plan` first")
    approved_sets, policy_refusals = _approved_policy_sets(gate, excluded)
    reasons.extend(policy_refusals)
    for p in gate.projects:
        reasons.extend(_project_reasons(p, head, gate.change_id, approved_sets))
        if pr is not None and pr.base_branch and p.plan_base and p.plan_base != pr.base_branch:
            reasons.append(
                f"{p.project}: planned against the base {p.plan_base}, but the pull request now targets "
                f"{pr.base_branch}; plan again"
            )
    return Blocked(tuple(reasons)) if reasons else Allowed(tuple(valid))


def _sort_approvals(gate: GateInput, excluded: Mapping[str, Sequence[str]]) -> tuple[list[str], list[str]]:
    """The approvers that count (as given, one per person), and why each other approval does not."""
    head = gate.head_commit[:12]
    valid: dict[str, str] = {}
    refused: list[str] = []
    stale: list[str] = []
    for approval in gate.approvals:
        person = canonical(approval.user)
        invalid = login_problem(approval.user, "the approver")
        if invalid:
            refused.append(f"an approval does not count: {invalid}")
        elif is_app(approval.user):
            refused.append(f"{approval.user} is an app, and an app's approval does not count; a person must approve")
        elif person in excluded:
            refused.append(f"{_cannot_approve(approval.user, excluded[person])}; another person must approve {head}")
        elif approval.commit != gate.head_commit:
            stale.append(approval.user)
        elif approval.problem:
            refused.append(f"the approval by {approval.user} does not count: {approval.problem}")
        else:
            valid.setdefault(person, approval.user)
    stale = [who for who in dict.fromkeys(stale) if canonical(who) not in valid]
    if stale:
        refused.insert(
            0,
            f"approval by {', '.join(sorted(stale))} is for an earlier commit; "
            f"someone must approve the current head {head} again",
        )
    return sorted(valid.values()), list(dict.fromkeys(refused))


def _cannot_approve(user: str, why: Sequence[str]) -> str:
    if len(why) == 1:
        return f"{user} {why[0]} and cannot approve it"
    return f"{user} cannot approve it: they {_and(why)}"


def _nobody_reason(head: str, excluded: Mapping[str, Sequence[str]]) -> str:
    others = "; ".join(f"{who} ({_and(why)})" for who, why in sorted(excluded.items()))
    return (
        f"no approval for the head commit {head[:12]}; someone other than {others or 'the requester'} must approve it"
    )


def _code_owner_reasons(pr: PullRequestFacts, approvers: Sequence[str]) -> list[str]:
    """Files whose code owners the base branch requires, and which no owner approved at head."""
    counted = {canonical(a) for a in approvers}
    missing: dict[tuple[str, ...], list[str]] = {}
    for path, owners in sorted(pr.code_owners.items()):
        if owners and not any(counted & {canonical(u) for u in pr.owner_approvers.get(o, ())} for o in owners):
            missing.setdefault(tuple(owners), []).append(path)
    return [
        f"the base branch requires a code owner's approval: {_files(paths)} need(s) one from {' or '.join(owners)}"
        for owners, paths in missing.items()
    ]


def _files(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:5])
    return shown + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")


def _and(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _approved_policy_sets(gate: GateInput, excluded: Mapping[str, Sequence[str]]) -> tuple[set[str], list[str]]:
    """The policy sets whose failures an owner approved at head, and why each other policy approval does not count."""
    approved: set[str] = set()
    refused: list[str] = []
    for approval in gate.policy_approvals:
        person = canonical(approval.user)
        if approval.commit != gate.head_commit:
            continue  # a push since clears it: the policies judged another plan
        if approval.problem:
            refused.append(f"the policy approval by {approval.user} does not count: {approval.problem}")
        elif person in excluded:
            refused.append(
                f"{approval.user} {_and(excluded[person])}, so their approval of policy set {approval.policy_set} "
                "does not count; another owner of the set must approve it"
            )
        else:
            approved.add(approval.policy_set)
    return approved, list(dict.fromkeys(refused))


def _policy_reasons(p: PlannedProject, approved_sets: set[str]) -> list[str]:
    """Each blocking set's failures not yet approved, one reason per set."""
    failing: dict[str, list[str]] = {}
    for failure in p.policy_failures:
        if failure.policy_set not in approved_sets:
            failing.setdefault(failure.policy_set, []).append(failure.message)
    reasons = []
    for policy_set, messages in failing.items():
        shown = "; ".join(messages[:3]) + (f"; and {len(messages) - 3} more" if len(messages) > 3 else "")
        name = policy_set or "(unnamed)"
        reasons.append(
            f"{p.project}: policy set {name} fails: {shown}; fix the change, or an owner of the set who neither "
            f"wrote nor asked for it can `/infra approve_policies --policy-set {name}`"
        )
    return reasons


def _project_reasons(p: PlannedProject, head: str, change_id: str, approved_sets: set[str]) -> list[str]:
    policy = _policy_reasons(p, approved_sets)
    if not p.plan_required:
        return [*policy, *_lock_reasons(p, change_id)]
    if p.record_problem:
        return [f"{p.project}: {p.record_problem}", *policy, *_lock_reasons(p, change_id)]
    if p.plan_commit is None or p.recorded_sha256 is None:
        return [f"{p.project}: no saved plan; run `olympus plan` first"]
    return [*_plan_file_reasons(p, head), *policy, *_lock_reasons(p, change_id)]


def _plan_file_reasons(p: PlannedProject, head: str) -> list[str]:
    reasons = []
    if p.plan_commit != head:
        reasons.append(
            f"{p.project}: the saved plan is for commit {(p.plan_commit or '')[:12]}, not the head {head[:12]}; "
            "plan again"
        )
    if p.current_sha256 is None:
        reasons.append(f"{p.project}: the saved plan file is missing; plan again")
    elif p.current_sha256 != p.recorded_sha256:
        reasons.append(f"{p.project}: the plan file was altered after review (SHA-256 differs); plan again")
    return reasons


def _lock_reasons(p: PlannedProject, change_id: str) -> list[str]:
    reasons = []
    if p.lock_holder is None:
        reasons.append(f"{p.project}: not locked by this change; plan again to take the lock")
    elif p.lock_holder != change_id:
        reasons.append(f"{p.project}: locked by {p.lock_holder}; wait for it to be applied or unlocked")
    return reasons


def _pull_request_reasons(pr: PullRequestFacts) -> list[str]:
    reasons = []
    if pr.is_fork:
        reasons.append("the pull request comes from a fork: its code never runs with the apply role's credentials")
    if pr.merged and not pr.apply_after_merge:
        reasons.append("the pull request is merged; applying after merge is not enabled for this repository")
    elif pr.state != "open" and not pr.merged:
        reasons.append("the pull request is closed; reopen it to apply")
    elif not pr.merged and pr.apply_after_merge:
        reasons.append("this repository applies after merge; merge the pull request first")
    if not pr.base_protected:
        reasons.append("the base branch is not protected; require pull request reviews on it before applying")
    if pr.asker_refusal:
        reasons.append(pr.asker_refusal)
    if pr.changes_requested_by:
        who = ", ".join(sorted(set(pr.changes_requested_by)))
        reasons.append(f"{who} requested changes; their review must be resolved before applying")
    if pr.command_edited:
        reasons.append("the `/infra apply` comment was edited after it was written; comment the command again")
    return reasons
