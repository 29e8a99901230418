"""The chaos run's deliveries: what people do on 50 pull requests and a few issues, in a seeded random order."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chaos_world import (
    DEVELOPERS,
    MAINTAINER,
    READER,
    REPO,
    Mix,
    Payloads,
    Sent,
    data_pr_files,
    delivery_id,
)
from fakes.github.state import timestamp

from bot.domain.commands import Reply, parse

# Commands the grammar answers with a correction (each checked below to parse as one).
INVALID_COMMANDS = ("/infra frobnicate", "/infra create bucket", "/infra status now", "/infra plna")
NOTES = ("LGTM", "Thanks! Merging after lunch.", "Can we talk about this in standup?", "infra is fine")
Delivery = tuple[str, dict[str, Any], Sent]
Step = Callable[[], list[Delivery]]


@dataclass
class World:
    """What the run set up on the double before the first delivery: the PRs and issues and who opened them."""

    pulls: dict[int, int]  # data PR index -> its number
    authors: dict[int, str]  # PR number -> its author
    create_issues: list[int]  # one issue per /infra create
    plain_issue: int  # an issue for commands that belong on a pull request


def set_up(fake: Any, mix: Mix, seed_files: dict[str, str]) -> World:
    """The repository as the run starts: the platform's files on main, the data PRs open, the issues filed."""
    for command in INVALID_COMMANDS:
        assert isinstance(parse(command), Reply), command
    fake.add_repo(REPO, files={"README.md": "# platform\n", **seed_files})
    fake.set_permission(REPO, MAINTAINER, "maintain")
    for person in DEVELOPERS:
        fake.set_permission(REPO, person, "write")
    fake.set_permission(REPO, READER, "read")
    pulls: dict[int, int] = {}
    authors: dict[int, str] = {}
    for index in range(mix.prs):
        author = DEVELOPERS[index % len(DEVELOPERS)]
        number = fake.open_pull_request(
            REPO,
            head=f"stack-{index:02d}",
            base="main",
            title=f"Stack {index:02d}",
            author=author,
            files=data_pr_files(index, 0),
        )
        pulls[index], authors[number] = number, author
    issues = [fake.create_issue(REPO, f"Need a bucket ({n})", "", MAINTAINER) for n in range(len(mix.buckets))]
    plain = fake.create_issue(REPO, "Questions about the platform", "", DEVELOPERS[0])
    return World(pulls, authors, issues, plain)


def steps(fake: Any, payloads: Payloads, world: World, mix: Mix, rng: random.Random) -> list[Step]:
    """Every step in sending order: the order within one PR or issue is a person's, the interleaving random."""
    queues: list[list[Step]] = []
    numbers = list(world.pulls.values())
    middle: dict[int, list[Step]] = {n: [] for n in numbers}

    def spread(count: int, make: Callable[[int], Step]) -> None:
        for _ in range(count):
            number = rng.choice(numbers)
            middle[number].append(make(number))

    def command(kind: str, text: Callable[[], str], author: Callable[[int], str]) -> Callable[[int], Step]:
        return lambda number: _comment(fake, payloads, rng, kind, number, text(), author(number), on_pull_request=True)

    spread(mix.syncs, lambda n: _sync(fake, payloads, rng, n, world.authors[n]))
    spread(mix.plans, command("plan", lambda: "/infra plan", lambda n: world.authors[n]))
    spread(mix.statuses, command("status", lambda: "/infra status", lambda n: rng.choice(DEVELOPERS)))
    spread(mix.helps, command("help", lambda: "/infra help", lambda n: rng.choice(DEVELOPERS + (READER,))))
    spread(mix.invalid, command("invalid", lambda: rng.choice(INVALID_COMMANDS), lambda n: world.authors[n]))
    spread(mix.unlocks, command("unlock", lambda: "/infra unlock", lambda n: world.authors[n]))
    spread(mix.refused, command("refused", lambda: "/infra plan", lambda n: READER))
    spread(mix.notes, command("note", lambda: rng.choice(NOTES), lambda n: rng.choice(DEVELOPERS)))
    spread(mix.reviews, lambda n: _review(fake, payloads, rng, n, world.authors[n]))
    closing = rng.sample(numbers, mix.closes)
    after_close = [rng.choice(closing) for _ in range(mix.plans_after_close)]
    for number in numbers:
        queue = [_opened(payloads, rng, number, world.authors[number])]
        queue += rng.sample(middle[number], len(middle[number]))
        if number in closing:
            queue.append(_close(fake, payloads, rng, number, merge=rng.random() < 0.5))
            queue += [
                _comment(fake, payloads, rng, "plan-closed", number, "/infra plan", world.authors[number], True)
                for _ in range(after_close.count(number))
            ]
        queues.append(queue)
    for issue, bucket in zip(world.create_issues, mix.buckets, strict=True):
        text = f"/infra create bucket {bucket} region=eu-west-1"
        queues.append([_comment(fake, payloads, rng, "create", issue, text, MAINTAINER, on_pull_request=False)])
    queues.append(
        [
            _comment(fake, payloads, rng, "on-issue", world.plain_issue, "/infra plan", DEVELOPERS[0], False)
            for _ in range(mix.on_issue)
        ]
    )
    created: set[str] = set()
    queues.append([_side_push(fake, payloads, rng, n % 10, created) for n in range(mix.side_pushes)])
    return _interleave(queues, rng)


def _interleave(queues: list[list[Step]], rng: random.Random) -> list[Step]:
    """A random merge of the queues that keeps each one's order (every remaining step equally likely next)."""
    pending = [list(reversed(q)) for q in queues if q]
    merged: list[Step] = []
    while pending:
        chosen = rng.choices(range(len(pending)), weights=[len(q) for q in pending])[0]
        merged.append(pending[chosen].pop())
        if not pending[chosen]:
            pending.pop(chosen)
    return merged


def _comment(
    fake: Any,
    payloads: Payloads,
    rng: random.Random,
    kind: str,
    number: int,
    text: str,
    author: str,
    on_pull_request: bool,
) -> Step:
    delivery = delivery_id(rng)

    def act() -> list[Delivery]:
        comment_id = fake.add_issue_comment(REPO, number, text, author)
        payload = payloads.comment(number, comment_id, text, author, on_pull_request=on_pull_request)
        return [("issue_comment", payload, Sent(delivery, "issue_comment", kind, number, comment_id))]

    return act


def _opened(payloads: Payloads, rng: random.Random, number: int, author: str) -> Step:
    delivery = delivery_id(rng)
    return lambda: [
        (
            "pull_request",
            payloads.pull_request("opened", number, author),
            Sent(delivery, "pull_request", "opened", number),
        )
    ]


def _sync(fake: Any, payloads: Payloads, rng: random.Random, number: int, author: str) -> Step:
    push_id, sync_id = delivery_id(rng), delivery_id(rng)
    version = rng.randrange(1, 1_000_000)

    def act() -> list[Delivery]:
        pull = fake.repo(REPO).pulls[number]
        if fake.repo(REPO).issues[number].state != "open":
            return []  # closed before this push came: nobody pushes to it
        before = pull.head_sha
        index = int(pull.head_ref.removeprefix("stack-"))
        after = fake.push(REPO, pull.head_ref, data_pr_files(index, version), message=f"v{version}", author=author)
        return [
            (
                "push",
                payloads.push(pull.head_ref, before, after, author, created=False),
                Sent(push_id, "push", "push", 0),
            ),
            (
                "pull_request",
                payloads.pull_request("synchronize", number, author),
                Sent(sync_id, "pull_request", "sync", number),
            ),
        ]

    return act


def _review(fake: Any, payloads: Payloads, rng: random.Random, number: int, author: str) -> Step:
    delivery = delivery_id(rng)
    reviewer = rng.choice([p for p in (*DEVELOPERS, MAINTAINER) if p != author])
    state = rng.choice(("APPROVED", "COMMENTED", "CHANGES_REQUESTED"))

    def act() -> list[Delivery]:
        commit = fake.repo(REPO).pulls[number].head_sha
        fake.add_review(REPO, number, reviewer, state, commit)
        payload = payloads.review(number, reviewer, state, commit)
        return [("pull_request_review", payload, Sent(delivery, "pull_request_review", "review", number))]

    return act


def _close(fake: Any, payloads: Payloads, rng: random.Random, number: int, *, merge: bool) -> Step:
    delivery = delivery_id(rng)

    def act() -> list[Delivery]:
        with fake.lock:
            repo = fake.repo(REPO)
            pull, issue = repo.pulls[number], repo.issues[number]
            if merge:
                fake.merge_state(repo, pull, f"Merge #{number}", MAINTAINER)
            else:
                issue.state, issue.closed_at = "closed", timestamp()
        payload = payloads.pull_request("closed", number, MAINTAINER)
        return [("pull_request", payload, Sent(delivery, "pull_request", "closed", number))]

    return act


def _side_push(fake: Any, payloads: Payloads, rng: random.Random, branch_index: int, created: set[str]) -> Step:
    delivery = delivery_id(rng)
    branch = f"side-{branch_index}"
    pusher = rng.choice(DEVELOPERS)

    def act() -> list[Delivery]:
        before = fake.repo(REPO).ref_sha(branch) or "0" * 40
        after = fake.push(REPO, branch, {f"notes/{branch}.md": f"{rng.random()}\n"}, author=pusher)
        first = branch not in created
        created.add(branch)
        payload = payloads.push(branch, before, after, pusher, created=first)
        return [("push", payload, Sent(delivery, "push", "push", 0))]

    return act
