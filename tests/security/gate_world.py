"""A pull request on the GitHub double, played by people, and the gate's decision as the App and the Action see it."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.adapters.github import GitHubApp, GitHubCodeHost, PrivateKey, Retrying
from bot.adapters.github.plan_records import GitHubPlanRecords
from bot.adapters.sqlstore import SqlStore
from bot.domain.authorship import Push
from bot.domain.gate import Allowed, Blocked, GateInput, PlannedProject, decide
from bot.domain.models import FileChange
from bot.domain.permissions import Refused, may_run
from bot.domain.plan_evidence import PlanRun, record_text, reviewed_plans_of
from bot.domain.webhooks import Job
from bot.services.github_checkout import change_id_of
from bot.services.github_events import record_push
from bot.services.pull_request_review import read_pull_request_review
from bot.services.pull_requests import requesters_of

REPO = "octo-org/infra"
PROJECT = "infra/aws/envs/dev"
BRANCH = "infra/create-bucket-logs-dev"
WORKFLOW = ".github/workflows/olympus.yml"
PLAN_SHA = "a" * 64
MAIN_TF = 'resource "terraform_data" "base" {}\n'
EXAMPLES = "github-webhooks/payload-examples/api.github.com"
PEOPLE = {"bob": "maintain", "alice": "write", "eve": "write", "carol": "write", "dana": "write", "frank": "write"}


@dataclass
class LoopOfStore:
    """The part of the App's Loop the push records and requesters need: its store."""

    store: SqlStore
    actor: str = "bob"


@dataclass
class GateWorld:
    """bob asks the App for a bucket; the App opens the PR; then people push, review, and change settings."""

    fake: Any
    fixtures_dir: Path
    tmp_path: Path
    number: int = 0
    host: GitHubCodeHost = field(init=False)
    store: SqlStore = field(init=False)

    def __post_init__(self) -> None:
        self.fake.add_repo(REPO, files={f"{PROJECT}/main.tf": MAIN_TF, "README.md": "# infra\n"})
        self.fake.set_branch_protection(REPO, "main", required_approving_review_count=1)
        for person, role in PEOPLE.items():
            self.fake.set_permission(REPO, person, role)
        app = GitHubApp(
            self.fake.app_id,
            PrivateKey(self.fake.private_key_pem),
            self.fake.base_url,
            retrying=Retrying(sleep=lambda seconds: None),
        )
        self.host = app.codehost(self.fake.installation_id)
        self.store = SqlStore.open(f"sqlite:///{self.tmp_path / 'gate.db'}")

    # --- what people and the App do ---------------------------------------------------------------------------

    def app_opens_the_pull_request(self, requester: str = "bob") -> int:
        """As propose_from_issue does: one commit by the App (GitHub signs it), the PR, and the propose run."""
        pr = self.host.open_change(
            REPO,
            "main",
            BRANCH,
            [FileChange(f"{PROJECT}/s3_bucket_logs.tf", 'resource "terraform_data" "logs" {}\n')],
            f"Create bucket logs\n\nRequested-by: {requester}\n",
            title="Create bucket logs",
            body="Closes #1",
        )
        self.number = pr.number
        run = self.store.start_run(self.change_id, "propose", requester, pr.head_sha)
        self.store.finish_run(run, "ok", {})
        self._pull_request_event("opened", self.fake.bot_login)
        return pr.number

    def person_opens_the_pull_request(self, author: str, files: dict[str, str] | None = None) -> int:
        self.number = self.fake.open_pull_request(
            REPO,
            head=BRANCH,
            base="main",
            title="Change",
            author=author,
            files=files or {f"{PROJECT}/extra.tf": 'resource "terraform_data" "extra" {}\n'},
        )
        self._pull_request_event("opened", author)
        return self.number

    def push(self, pusher: str, *, author: str | None = None, event: bool = True, **options: Any) -> str:
        """pusher pushes a commit (written as `author`, default the pusher) to the PR's branch."""
        name = f"{PROJECT}/{uuid.uuid4().hex[:8]}.tf"
        sha: str = self.fake.push(
            REPO,
            BRANCH,
            {name: 'resource "terraform_data" "more" {}\n'},
            message=options.pop("message", "more"),
            author=author or pusher,
            pusher=pusher,
            **options,
        )
        if event and self.number:
            self._pull_request_event("synchronize", pusher)
        return sha

    def push_branch_before_the_pull_request(self, pusher: str, **options: Any) -> str:
        """A push to the branch before any PR exists: GitHub sends `push`, and no pull_request event."""
        sha = self.push(pusher, event=False, **options)
        payload = self._example("push/payload.json", pusher)
        payload.update(ref=f"refs/heads/{BRANCH}", after=sha, created=True, deleted=False)
        self._record(Job(0, "push", "pushed", str(uuid.uuid4()), self.fake.installation_id, REPO, payload, 1))
        return sha

    def review(self, user: str, state: str = "APPROVED", commit: str | None = None) -> None:
        self.fake.add_review(REPO, self.number, user, state, commit or self.head)

    def retarget(self, base: str, *, protected: bool = True) -> None:
        repo = self.fake.repo(REPO)
        if repo.ref_sha(base) is None:
            repo.move_ref(f"refs/heads/{base}", repo.ref_sha("main"), "octo-org")
        if protected:
            self.fake.set_branch_protection(REPO, base, required_approving_review_count=1)
        repo.pulls[self.number].base_ref = base
        repo.sync_pull_heads()

    @property
    def head(self) -> str:
        head: str = self.fake.repo(REPO).pulls[self.number].head_sha
        return head

    @property
    def change_id(self) -> str:
        return change_id_of(REPO, self.number)

    # --- the gate, as each door assembles it ------------------------------------------------------------------

    def app_decides(self, asker: str = "bob") -> Allowed | Blocked:
        """The App's apply: pushes from its webhook records, requesters from its propose runs; the asker's permission
        is what the App's command handler checks before it applies."""
        pr = self.host.pull_request(REPO, self.number)
        pushes = [p for p in self.store.pushes_for(REPO, pr.head_branch, self.change_id)]
        refusal = may_run("apply", self.host.permission_of(REPO, asker))
        review = read_pull_request_review(
            self.host,
            REPO,
            pr,
            pushes=[Push(p.pusher, p.head) for p in pushes],
            changed_files=self.host.changed_files(REPO, self.number),
            asker_refusal=refusal.reason if isinstance(refusal, Refused) else "",
        )
        requesters = requesters_of(LoopOfStore(self.store), self.change_id, asker)  # type: ignore[arg-type]
        project = PlannedProject(PROJECT, pr.head_sha, PLAN_SHA, PLAN_SHA, self.change_id, plan_base="main")
        gate = GateInput(
            self.change_id, pr.head_sha, requesters, review.approvals, [project], review.facts, review.contributors
        )
        return decide(gate)

    def action_decides(self, asker: str = "bob") -> Allowed | Blocked:
        """The Action's apply job: pushes from the PR's pull_request runs, the reviewed plan from the run's record."""
        pr = self.host.pull_request(REPO, self.number)
        refusal = may_run("apply", self.host.permission_of(REPO, asker))
        review = read_pull_request_review(
            self.host,
            REPO,
            pr,
            pushes=GitHubPlanRecords(self.host).pushes_to(REPO, pr.head_branch),
            changed_files=self.host.changed_files(REPO, self.number),
            asker_refusal=refusal.reason if isinstance(refusal, Refused) else "",
        )
        record = record_text(REPO, self.number, pr.head_sha, "https://run", {PROJECT: (PLAN_SHA, ())}, base="main")
        run = PlanRun(1, WORKFLOW, "pull_request", pr.head_sha, "completed", "2026-12-01T00:00:00Z")
        (reviewed,) = reviewed_plans_of(
            record,
            run,
            repository=REPO,
            pull_request=self.number,
            head=pr.head_sha,
            projects=[PROJECT],
            workflow_path=WORKFLOW,
            base=pr.base_branch,
        ).values()
        project = PlannedProject(
            PROJECT, pr.head_sha, reviewed.sha256, PLAN_SHA, self.change_id, record_problem=reviewed.problem
        )
        gate = GateInput(
            self.change_id, pr.head_sha, (asker,), review.approvals, [project], review.facts, review.contributors
        )
        return decide(gate)

    # --- plumbing ---------------------------------------------------------------------------------------------

    def _pull_request_event(self, action: str, sender: str) -> None:
        """What GitHub does on opened/synchronize: the App's webhook records the sender, a workflow run starts."""
        payload = self._example(f"pull_request/{action}.payload.json", sender)
        payload["number"] = payload["pull_request"]["number"] = self.number
        payload["pull_request"]["head"].update(ref=BRANCH, sha=self.head)
        self._record(Job(0, "pull_request", action, str(uuid.uuid4()), self.fake.installation_id, REPO, payload, 1))
        self.fake.add_workflow_run(REPO, path=WORKFLOW, head_sha=self.head, head_branch=BRANCH, actor=sender)

    def _record(self, job: Job) -> None:
        loop = LoopOfStore(self.store)
        if job.event == "push":
            record_push(loop, job, branch=BRANCH)  # type: ignore[arg-type]
        else:
            record_push(loop, job, branch=BRANCH, number=self.number)  # type: ignore[arg-type]

    def _example(self, name: str, sender: str) -> dict[str, Any]:
        payload: dict[str, Any] = copy.deepcopy(json.loads((self.fixtures_dir / EXAMPLES / name).read_text()))
        payload["repository"].update(full_name=REPO)
        payload["sender"].update(login=sender, type="Bot" if sender.endswith("[bot]") else "User")
        return payload
