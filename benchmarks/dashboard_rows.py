"""The dashboard benchmark's store: realistic rows for every table the pages read, over 30 days, bulk-inserted.

Each row's `repo` is what the store writes (bot/domain/record_repos.py: that of its change, place or params, else the
repository the App's job wrote it for), so the App's reads scoped to a reader's repositories are measured too.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.adapters import sqlschema as t
from bot.domain.record_repos import repo_of_params, repo_of_text

DAYS = 30
REPOS = ("acme/infra", "acme/platform", "acme/data-lake", "acme/edge")
# Two repositories busy only long ago (1 % of the oldest audit entries and runs): a reader of just these makes a
# `repo IN (...)` page walk the whole log's primary key past everyone else's rows (sql_dashboard.newest_first).
OLD_REPOS = ("acme/legacy", "acme/attic")
# People, the first ones far busier than the last (as in any team); the bot's own login acts too.
ACTORS = (
    "olympus[bot]",
    "alice",
    "bob",
    "carol",
    "dmitri",
    "erin",
    "farah",
    "gustavo",
    "hana",
    "ivan",
    "jules",
    "kenji",
    "lena",
    "mateo",
    "nadia",
    "omar",
    "priya",
    "quinn",
    "rosa",
    "sven",
)
# Audited actions and how often each happens.
ACTIONS = {
    "plan": 30,
    "propose": 10,
    "interpret": 10,
    "approve": 8,
    "apply": 8,
    "release-locks": 8,
    "merge": 5,
    "drift": 6,
    "argocd-sync": 4,
    "plan-apps": 4,
    "approve_policies": 2,
    "unlock": 2,
    "action-plan": 2,
    "fix-drift": 1,
}
# What actions end with: mostly ok, a few refusals and failures (the audit page's "failed" filter is the rarer one).
AUDIT_RESULTS = {
    "ok": 920,
    "refused: the plan is older than the head commit": 25,
    "failed: the plan of envs-prod failed": 25,
    "lock held by acme/infra#41": 15,
    "RuntimeError: terraform init timed out after 600 s": 10,
    "failed": 5,
}
RUN_COMMANDS = {"plan": 55, "plan-checks": 20, "propose": 12, "plan-apps": 8, "apply": 5}
RUN_RESULTS = {"ok": 800, "completed": 70, "unchanged": 40, "failed: envs-prod": 70, "interrupted": 20}
PROJECTS = ("envs-dev", "envs-staging", "envs-prod", "network", "iam", "dns", "eks", "rds", "s3-logs", "monitoring")
FAILURE_CLASSES = {
    "bucket-name-taken": 30,
    "invalid-instance-type": 20,
    "missing-iam-permission": 20,
    "quota-exceeded": 10,
    "provider-version-conflict": 10,
    "state-lock-timeout": 10,
}


@dataclass(frozen=True)
class Sizes:
    """How many rows of each table the seeding writes."""

    audit: int = 100_000
    runs: int = 10_000
    plans: int = 2_000
    interactions: int = 2_000
    fix_attempts: int = 1_000
    locks: int = 40
    jobs: int = 5_000

    @classmethod
    def scaled(cls, audit: int, runs: int) -> Sizes:
        """The other tables in the same proportion to the audit log as at full size (at least a few rows each)."""
        share = audit / cls.audit
        plans, interactions, fixes, jobs = (
            max(3, round(n * share)) for n in (cls.plans, cls.interactions, cls.fix_attempts, cls.jobs)
        )
        return cls(audit, runs, plans, interactions, fixes, cls.locks, max(JOBS_WAITING + 3, jobs))


def _weighted(rng: random.Random, weights: dict[str, int], count: int) -> list[str]:
    return rng.choices(list(weights), list(weights.values()), k=count)


def _times(rng: random.Random, now: datetime, count: int) -> list[datetime]:
    """count instants over the last DAYS days, oldest first (ids then grow with time, as the store's do)."""
    span = DAYS * 86_400
    return sorted(now - timedelta(seconds=rng.uniform(60, span)) for _ in range(count))


def _actors(rng: random.Random, count: int) -> list[str]:
    return rng.choices(ACTORS, [1 / (rank + 1) for rank in range(len(ACTORS))], k=count)


def _sha(rng: random.Random) -> str:
    return f"{rng.getrandbits(160):040x}"


def _params(rng: random.Random, action: str, repo: str) -> dict[str, Any]:
    change = f"{repo}#{rng.randint(1, 900)}"
    if action in {"plan", "apply", "merge", "plan-apps"}:
        return {"change": change, "commit": _sha(rng)[:12]}
    if action in {"propose", "interpret"}:
        command = f"/infra create bucket logs-{rng.randint(1, 99)}"
        return {"repo": repo, "issue": rng.randint(1, 900), "command": command}
    if action == "release-locks":
        return {"change": change, "why": "pull request closed"}
    if action == "drift":
        return {"commit": _sha(rng)[:12]}
    return {"branch": change, "project": rng.choice(PROJECTS)}


def _insert(connection: sa.Connection, table: sa.Table, rows: Iterator[dict[str, Any]], chunk: int = 5_000) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == chunk:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)


def seed(engine: sa.Engine, sizes: Sizes, now: datetime, seed_value: int = 13) -> None:
    """Fill the store's tables (already migrated, empty) with realistic rows over the last DAYS days."""
    rng = random.Random(seed_value)
    with engine.begin() as connection:
        _insert(connection, t.audit_log, _audit_rows(rng, sizes.audit, now))
        _insert(connection, t.runs, _run_rows(rng, sizes.runs, now))
        _insert(connection, t.plans, _plan_rows(rng, sizes.plans, now))
        _insert(connection, t.model_interactions, _interaction_rows(rng, sizes.interactions, now))
        _insert(connection, t.fix_attempts, _fix_rows(rng, sizes.fix_attempts, now))
        _insert(connection, t.locks, _lock_rows(rng, sizes.locks, now))
        _insert(connection, t.drift_checks, _drift_rows(rng, now))
        _insert(connection, t.jobs, _job_rows(rng, sizes.jobs, now))


def _repo_of_row(rng: random.Random, n: int, count: int) -> str:
    """The repository of the n-th oldest of count rows: one of OLD_REPOS for 1 % of the oldest, else any of REPOS."""
    return OLD_REPOS[n % 2] if n < count // 100 else rng.choice(REPOS)


def _audit_rows(rng: random.Random, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    actions = _weighted(rng, ACTIONS, count)
    results = _weighted(rng, AUDIT_RESULTS, count)
    rows = zip(_times(rng, now, count), _actors(rng, count), actions, results, strict=True)
    for n, (started, actor, action, result) in enumerate(rows):
        repo = _repo_of_row(rng, n, count)  # the repository whose job acted (the App's store.for_repo(repo))
        params = _params(rng, action, repo)
        yield {
            "actor": actor,
            "action": action,
            "params": params,
            "started_at": started,
            "ended_at": started + timedelta(seconds=rng.uniform(0.05, 90)),
            "result": result,
            "repo": repo_of_params(params) or repo,
        }


def _run_rows(rng: random.Random, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    commands = _weighted(rng, RUN_COMMANDS, count)
    results = _weighted(rng, RUN_RESULTS, count)
    for n, (started, actor) in enumerate(zip(_times(rng, now, count), _actors(rng, count), strict=True)):
        command = commands[n]
        running = n >= count - 3  # the newest few are still going
        steps = {"init": round(rng.uniform(1, 8), 2), "plan": round(rng.uniform(5, 120), 2)}
        steps["show"] = round(rng.uniform(0.5, 4), 2)
        projects = rng.sample(PROJECTS, rng.randint(1, 3))
        detail = {"projects": projects, "steps": steps} if command == "plan" else {"projects": projects}
        change = f"{_repo_of_row(rng, n, count)}#{rng.randint(1, 900)}"
        yield {
            "change_id": change,
            "repo": repo_of_text(change),
            "command": command,
            "actor": actor,
            "commit_sha": _sha(rng),
            "started_at": started,
            "ended_at": None if running else started + timedelta(seconds=sum(steps.values()) + rng.uniform(0.5, 5)),
            "result": None if running else results[n],
            "detail": None if running else detail,
        }


def _plan_rows(rng: random.Random, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    for created in _times(rng, now, count):
        change = f"{rng.choice(REPOS)}#{rng.randint(1, 900)}"
        project = rng.choice(PROJECTS)
        failures = [{"policy_set": "cost", "message": "instance too large"}] if rng.random() < 0.05 else []
        yield {
            "change_id": change,
            "repo": repo_of_text(change),
            "project": project,
            "workspace": "default",
            "commit_sha": _sha(rng),
            "plan_path": f"/var/lib/olympus/plans/{project}.tfplan",
            "plan_json_path": f"/var/lib/olympus/plans/{project}.json",
            "sha256": f"{rng.getrandbits(256):064x}",
            "counts": {"add": rng.randint(0, 12), "change": rng.randint(0, 5), "destroy": rng.randint(0, 2)},
            "created_at": created,
            "base_ref": "main",
            "policy_failures": failures,
            "seal": None,
        }


def _interaction_rows(rng: random.Random, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    for at, who in zip(_times(rng, now, count), _actors(rng, count), strict=True):
        name = f"logs-{rng.randint(1, 999)}"
        ok = rng.random() > 0.1
        place = f"{rng.choice(REPOS)}#{rng.randint(1, 900)}"  # the issue or pull request asked in
        yield {
            "at": at,
            "door": rng.choice(("cli", "github")),
            "who": who,
            "place": place,
            "repo": repo_of_text(place),
            "request": f"create a private bucket named {name} in eu-west-1 with versioning",
            "backend": "api",
            "model": "claude-sonnet-4-5",
            "system_prompt_sha256": "0" * 64,
            "outcome": "proposed" if ok else "declined",
            "reply": "" if ok else "I can only create buckets and queues.",
            "commands": [f"/infra create bucket {name} region=eu-west-1"] if ok else [],
            "calls": [{"name": "aws_s3_bucket", "arguments": {"name": name}, "ok": ok, "error": None}],
            "usage": {"input_tokens": rng.randint(900, 3000), "output_tokens": rng.randint(80, 600)},
            "seconds": rng.uniform(1, 8),
            "model_seconds": rng.uniform(0.8, 6),
            "cost_usd": rng.uniform(0.002, 0.03),
        }


def _fix_rows(rng: random.Random, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    for created in _times(rng, now, count):
        verification = rng.choices(("passed", "failed", "refused", "not_run"), (60, 25, 5, 10))[0]
        passed = verification == "passed"
        yield {
            "repo": rng.choice(REPOS),
            "change_id": f"{rng.choice(REPOS)}#{rng.randint(1, 900)}",
            "project": rng.choice(PROJECTS),
            "step": rng.choice(("plan", "apply")),
            "failure_class": _weighted(rng, FAILURE_CLASSES, 1)[0],
            "root_cause": "the bucket name is already taken in another account",
            "kind": "none" if verification == "not_run" else "patch",
            "verification": verification,
            "verification_detail": "" if passed else "terraform validate: 1 error",
            "patch": '--- a/main.tf\n+++ b/main.tf\n@@ -1 +1 @@\n-  bucket = "logs"\n+  bucket = "logs-acme"\n',
            "tool_calls": [],
            "tools_used": ["read_file", "terraform_validate"],
            "tokens_in": rng.randint(2000, 12000),
            "tokens_out": rng.randint(200, 1500),
            "try_number": rng.randint(1, 3),
            "offered": passed,
            "accepted": (rng.random() < 0.7) if passed else None,
            "next_apply_ok": (rng.random() < 0.9) if passed else None,
            "extra": {},
            "created_at": created,
        }


def _lock_rows(rng: random.Random, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    places = sorted({(repo, f"{project}", ws) for repo in REPOS for project in PROJECTS for ws in ("default", "blue")})
    for repo, project, workspace in rng.sample(places, min(count, len(places))):
        yield {
            "repo": repo,
            "dir": f"infra/{project}",
            "workspace": workspace,
            "holder": f"{repo}#{rng.randint(1, 900)}",
            "acquired_at": now - timedelta(minutes=rng.randint(1, 3000)),
        }


def _drift_rows(rng: random.Random, now: datetime) -> Iterator[dict[str, Any]]:
    for repo in REPOS:
        for project in PROJECTS:
            status = rng.choices(("clean", "drifted", "unapplied", "error"), (70, 15, 10, 5))[0]
            drifted = status == "drifted"
            yield {
                "repo": repo,
                "project": project,
                "checked_at": now - timedelta(hours=rng.randint(1, 24)),
                "status": status,
                "detail": {"changed": rng.randint(1, 4), "deleted": rng.randint(0, 1)} if drifted else {},
                "since": now - timedelta(days=rng.randint(1, 9)) if drifted else None,
                "issue_number": rng.randint(100, 400) if drifted and rng.random() < 0.5 else None,
            }


# The queue's newest jobs still waiting (and one running), as a live queue has; the rest are done or failed for good.
JOBS_WAITING = 4
JOB_EVENTS = {("issue_comment", "created"): 60, ("pull_request", "synchronize"): 25, ("push", ""): 15}


def _job_rows(rng: random.Random, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    """Webhook deliveries as JobQueue stores them (payloads small here: the queue page never reads them)."""
    events = rng.choices(list(JOB_EVENTS), list(JOB_EVENTS.values()), k=count)
    for n, (created, (event, action)) in enumerate(zip(_times(rng, now, count), events, strict=True)):
        repo = rng.choice(REPOS)
        attempts = rng.choices((1, 2, 3), (90, 8, 2))[0]
        run_after = created + timedelta(seconds=30 * (attempts - 1))
        waiting, running = n >= count - JOBS_WAITING, n == count - JOBS_WAITING - 1
        failed = not (waiting or running) and n % 25 == 7  # 4 % fail for good
        status = "queued" if waiting else "running" if running else "failed" if failed else "done"
        yield {
            "delivery_id": f"{rng.getrandbits(128):032x}",
            "event": event,
            "action": action,
            "installation_id": 4_242,
            "repo": repo,
            "payload": {"repository": {"full_name": repo}, "action": action},
            "status": status,
            "attempts": 0 if waiting else attempts,
            "run_after": run_after,
            "locked_by": "worker-1" if running else None,
            "locked_until": now + timedelta(minutes=5) if running else None,
            "created_at": created,
            "finished_at": None if waiting or running else run_after + timedelta(seconds=rng.uniform(0.2, 40)),
            "last_error": "RuntimeError: GitHub answered 502 three times" if failed else None,
        }
