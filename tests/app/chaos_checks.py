"""What must hold after the chaos, read from the GitHub double's state and the database; each broken rule is a line."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from chaos_run import ChaosRun
from chaos_world import READER, REPO, Mix

from bot.adapters import sqlschema as t
from bot.adapters.jobqueue import JobQueue, JobStatus
from bot.domain.render import marker_of
from bot.services.github_checkout import change_id_of
from bot.services.policy_reports import POLICY_CHECK_PREFIX
from bot.services.pull_requests import CHECK_PREFIX

# A command's outcome is one comment under the key of the command's comment, except a plan of an open pull request,
# whose outcome is its check runs (one per project, their external_id that key) and the PR's one plan comment.
REPLY_SAYS = {
    "help": "turns `/infra` commands into reviewed Terraform, Helm and Argo CD pull requests",
    "invalid": "",
    "status": "ocked",
    "unlock": "Released",
    "refused": f"@{READER} ",
    "on-issue": "work in a pull request's comments",
    "plan-closed": "so there is nothing to plan",
    "create": "",
}
GAVE_UP = "Olympus could not finish this command"
AWS_PROJECT = "infra/aws/envs/dev"


@dataclass
class Findings:
    """The broken rules, and counts that show what was checked."""

    broken: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def check(self, holds: bool, message: str) -> None:
        self.counts["checks"] += 1
        if not holds:
            self.broken.append(message)


def check_everything(run: ChaosRun, fake: Any, database_url: str, mix: Mix) -> Findings:
    found = Findings()
    engine = sa.create_engine(database_url, poolclass=sa.NullPool)
    try:
        _check_jobs(found, run, JobQueue(engine))
        with fake.lock:
            repo = fake.repo(REPO)
            _check_comments(found, run, repo, fake.bot_login)
            _check_pull_requests(found, run, repo, fake.bot_login, mix)
        _check_locks_and_pushes(found, run, engine, repo)
    finally:
        engine.dispose()
    return found


def _check_jobs(found: Findings, run: ChaosRun, queue: JobQueue) -> None:
    jobs = queue.jobs(limit=100_000)
    by_delivery = Counter(job.delivery_id for job in jobs)
    sent = {s.delivery_id for s in run.sent}
    for delivery in sent:
        found.check(by_delivery[delivery] == 1, f"delivery {delivery}: {by_delivery[delivery]} jobs, not 1")
    found.check(set(by_delivery) == sent, f"jobs for deliveries never sent: {sorted(set(by_delivery) - sent)[:5]}")
    for job in jobs:
        found.check(
            job.status == JobStatus.DONE,
            f"job {job.id} ({job.event}.{job.action}) is {job.status.value} after {job.attempts}: {job.last_error}",
        )
    found.counts["jobs"] = len(jobs)
    found.counts["job attempts beyond the first"] = sum(job.attempts - 1 for job in jobs)
    for s in run.sent:
        found.check(s.answers[0] in (200, 202), f"delivery {s.delivery_id} was answered {s.answers}")
        found.check(all(a == 200 for a in s.answers[1:]), f"redelivery {s.delivery_id} was answered {s.answers}")
    found.counts["redeliveries answered as duplicates"] = sum(len(s.answers) - 1 for s in run.sent)


def _check_comments(found: Findings, run: ChaosRun, repo: Any, bot: str) -> None:
    ours = [c for c in repo.issue_comments.values() if c.user == bot]
    parts: Counter[tuple[int, str, int]] = Counter()
    replies: dict[tuple[int, str], list[str]] = defaultdict(list)
    for comment in ours:
        marked = marker_of(comment.body)
        found.check(marked is not None, f"a comment on #{comment.issue_number} has no key: {comment.body[:80]!r}")
        if marked is not None:
            parts[(comment.issue_number, *marked)] += 1
            replies[(comment.issue_number, marked[0])].append(comment.body)
    for (number, key, part), count in parts.items():
        found.check(count == 1, f"#{number}: {count} comments carry part {part} of {key!r}")
    runs_for: dict[str, list[Any]] = defaultdict(list)
    for check_run in repo.check_runs:
        runs_for[check_run.external_id or ""].append(check_run)
    found.check(not runs_for.get(""), f"{len(runs_for.get('', []))} check runs name no request")
    for sent in run.sent:
        if sent.comment_id is None:
            continue
        key = f"reply/comment-{sent.comment_id}"
        said = replies.get((sent.number, key), [])
        runs = runs_for.get(key, [])
        eyes = [r for r in repo.issue_comments[sent.comment_id].reactions if r.user == bot]
        where = f"{sent.kind} comment {sent.comment_id} on #{sent.number}"
        if sent.kind == "note":
            found.check(not said and not eyes, f"{where}: answered a comment that is no command")
            continue
        found.check(len(eyes) == 1 and eyes[0].content == "eyes", f"{where}: {len(eyes)} reactions, not one 👀")
        found.counts["commands"] += 1
        if any(GAVE_UP in text for text in said):
            found.counts["commands that gave up"] += 1
        if sent.kind == "plan":
            _check_plan_outcome(found, where, said, runs)
            continue
        # A create's reply links its pull request, whose plan is its check runs (named by the create, once each).
        planned = Counter(r.name for r in runs)
        found.check(len(said) == 1, f"{where}: {len(said)} replies")
        found.check(
            all(n == 1 for n in planned.values()) and (sent.kind == "create" or not runs), f"{where}: runs {planned}"
        )
        if said and not said[0].count(GAVE_UP):
            found.check(REPLY_SAYS[sent.kind] in said[0], f"{where}: the reply says {said[0][:200]!r}")
        if sent.kind == "create" and said:
            found.counts[f"create replies: {_create_outcome(said[0])}"] += 1
    for sent in run.sent:
        if sent.kind in ("opened", "sync"):
            # One run per project and commit: a delivery retried after a push plans the new head, and its run on
            # the old one was completed as interrupted (every run's completion is checked below).
            made = runs_for.get(sent.delivery_id, [])
            names = Counter((r.name, r.head_sha) for r in made)
            shown_runs = [(r.id, r.name, r.head_sha[:12], r.status, r.conclusion) for r in made]
            found.check(all(n == 1 for n in names.values()), f"{sent.kind} {sent.delivery_id}: check runs {shown_runs}")
    found.check(
        all(r.status == "completed" for r in repo.check_runs),
        f"{sum(r.status != 'completed' for r in repo.check_runs)} check runs were never completed",
    )
    found.counts["check runs"] = len(repo.check_runs)
    found.counts["bot comments"] = len(ours)


def _check_plan_outcome(found: Findings, where: str, said: list[str], runs: list[Any]) -> None:
    names = Counter(r.name for r in runs)
    if runs:
        found.check(not said, f"{where}: planned, and also answered {said[:1]!r}")
        found.check(all(n == 1 for n in names.values()), f"{where}: check runs {dict(names)}")
        found.counts["plan commands planned"] += 1
    else:
        found.check(len(said) == 1, f"{where}: no check run and {len(said)} replies")
        found.counts["plan commands answered"] += 1


def _create_outcome(text: str) -> str:
    if "Opened #" in text:
        return "opened"
    if "Nothing to change" in text:
        return "already proposed"
    return "refused"


def _check_pull_requests(found: Findings, run: ChaosRun, repo: Any, bot: str, mix: Mix) -> None:
    heads = Counter(p.head_ref for p in repo.pulls.values())
    found.check(
        all(n == 1 for n in heads.values()), f"branches with several PRs: {[h for h, n in heads.items() if n > 1]}"
    )
    opened_by_bot = [p for p in repo.pulls.values() if p.user == bot]
    valid = {b for b in mix.buckets if b.islower()}
    found.check(len(opened_by_bot) == len(valid), f"{len(opened_by_bot)} PRs opened for {len(valid)} requests")
    found.counts["PRs opened by the App"] = len(opened_by_bot)
    for number, pull in repo.pulls.items():
        change = change_id_of(REPO, number)
        plan_comments = [
            c for c in repo.comments(number) if c.user == bot and (marker_of(c.body) or ("", 0))[0] == change
        ]
        found.check(len(plan_comments) <= 1, f"#{number}: {len(plan_comments)} plan comments")
        if repo.issues[number].state != "open" or not plan_comments:
            continue
        body = plan_comments[0].body
        found.check(pull.head_sha[:12] in body, f"#{number}: its plan comment is not for its head {pull.head_sha[:12]}")
        found.check("Not scanned" in body, f"#{number}: the unscanned plan does not say so")
        if pull.user != bot:
            found.check("1 to add" in body, f"#{number}: its final plan did not succeed: {body[:300]!r}")
            found.counts["open PRs whose plan comment is for their head"] += 1


def _check_locks_and_pushes(found: Findings, run: ChaosRun, engine: sa.Engine, repo: Any) -> None:
    with engine.connect() as connection:
        locks = connection.execute(sa.select(t.locks)).all()
        pushes = Counter(connection.execute(sa.select(t.pushes.c.delivery_id)).scalars())
    places = Counter((lock.repo, lock.dir, lock.workspace) for lock in locks)
    found.check(all(n == 1 for n in places.values()), f"locks with several holders: {places}")
    for lock in locks:
        number = int(lock.holder.rpartition("#")[2])
        found.check(repo.issues[number].state == "open", f"{lock.dir} is locked by closed #{number}")
        pull = repo.pulls[number]
        own = f"stacks/s{pull.head_ref.removeprefix('stack-')}"
        expected = own if pull.head_ref.startswith("stack-") else AWS_PROJECT
        found.check(lock.dir == expected, f"#{number} holds the lock of {lock.dir}, not of its own project {expected}")
    found.counts["locks held at the end"] = len(locks)
    for sent in run.sent:
        if sent.kind in ("push", "opened", "sync"):
            found.check(
                pushes[sent.delivery_id] == 1,
                f"{sent.kind} {sent.delivery_id}: {pushes[sent.delivery_id]} push records",
            )
    found.check(
        all(CHECK_PREFIX in r.name or r.name.startswith(POLICY_CHECK_PREFIX) for r in repo.check_runs),
        "a check run is not a plan's or a policy set's",
    )
