"""Every case of the failure corpus through the fix loop, for real: its failing step run on the emulator, the loop
given what a door has (a failed apply's or policy check's recorded output; an init or plan failure it finds again
itself), Claude's answers replayed from tests/cassettes/claude/fix_corpus_<case>.yaml (constructed: see
construct_fix_corpus.py), each proposed fix verified by the loop's own scanners, init, validate, plan, policies
and, for a failed apply, its check of what the plan changes; then `olympus eval fixes` over the store.

A verified fix of a failed apply is then applied for real on the emulator (with the case's checks on), which is the
proof the loop itself cannot give: its verification stops at the plan.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from claude_replay import Replay
from failure_corpus import (
    CASES,
    CORPUS,
    SETUPS,
    STEPS,
    Case,
    copy_case,
    corpus_loop,
    corpus_terraform_env,
    nothing_first,
    prepare_run,
    run_until_failure,
    state_key,
)
from local_repos import commit_files, empty_repo

from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.adapters.sqlstore import SqlStore
from bot.adapters.terraform import TerraformCli
from bot.domain.fixes.attempts import FixAttempt, FixKind, Verification
from bot.domain.fixes.failure_classes import FAILURE_CLASSES
from bot.domain.interpretation import ModelLimits
from bot.domain.models import Project
from bot.entrypoints.local_eval_fixes import report_fixes
from bot.services.checkout import Checkout
from bot.services.fix_evidence import RECORDED_STEPS, RecordedFailure, reproduce_failure
from bot.services.fix_loop import FixOutcome
from bot.services.fix_requests import baseline_findings, diagnose_failure
from bot.tools.filesystem_repo import FileSystemRepo

pytestmark = pytest.mark.slow

LIMITS = ModelLimits("claude-sonnet-4-6", max_tokens=4096, max_tool_calls=8, token_budget=200_000)
HEAD = "c0" * 20
# Checkov runs for this case only (a first try adds a finding); it takes seconds a scan, so the others go unscanned.
SCANNED = "unsupported-argument"
PASSED, FAILED, REFUSED, NOT_RUN = Verification.PASSED, Verification.FAILED, Verification.REFUSED, Verification.NOT_RUN


@dataclass(frozen=True)
class Expected:
    """Where a case's loop must end, its attempts' verifications in order, and words their details hold."""

    outcome: str
    tries: tuple[Verification, ...]
    details: tuple[str, ...]  # one per try: in its verification_detail


EXPECTED: dict[str, Expected] = {
    "access-denied": Expected("no_safe_fix", (NOT_RUN,), ("the identity Terraform runs as",)),
    "bucket-name-taken": Expected(
        "offered",
        (FAILED, PASSED),
        (
            "apply-check: the plan passes, but aws_s3_bucket.site_assets is still planned with bucket 'corpus-assets'",
            "aws_s3_bucket.assets's bucket changes from 'corpus-assets' to 'acme-corpus-assets-eu-west-1'",
        ),
    ),
    "deprecated-lambda-runtime": Expected("offered", (PASSED,), ("plan: 2 to add",)),
    "invalid-ami": Expected("offered", (PASSED,), ("aws_instance.web's ami 'ami-0000000000deadbee' → 'ami-",)),
    "invalid-instance-type": Expected(
        "offered", (PASSED,), ("aws_instance.web's instance_type 't9.mega' → 't3.micro'",)
    ),
    "invalid-variable": Expected("offered", (PASSED,), ("plan: 1 to add",)),
    "missing-argument": Expected("offered", (PASSED,), ("plan: 1 to add",)),
    "policy-provisioner": Expected(
        "offered", (REFUSED, PASSED), ("adds a provisioner (remote-exec)", "plan: 1 to add")
    ),
    "provider-constraint": Expected(
        "offered", (FAILED, PASSED), ("init: Error: Failed to query available provider packages", "plan: 1 to add")
    ),
    "role-exists-outside": Expected("offered", (PASSED,), ("aws_iam_role.ci is imported (id corpus-ci)",)),
    "state-locked": Expected("no_safe_fix", (NOT_RUN,), ("terraform force-unlock LOCK_ID",)),
    "undeclared-reference": Expected("offered", (PASSED,), ("plan: 2 to add",)),
    "undeclared-variable": Expected(
        "offered",
        (FAILED, PASSED),
        ("validate: Error: Reference to undeclared input variable", "plan: 1 to add"),
    ),
    "unsupported-argument": Expected(
        "offered", (FAILED, PASSED), ("scanners: the fix adds 1 finding(s): CKV_AWS_20", "plan: 1 to add")
    ),
}
# What the model must have been shown of a recorded failure: the cloud's own words, from the door's output.
RECORDED_WORDS = {
    "bucket-name-taken": "BucketAlreadyExists",
    "invalid-ami": "InvalidAMIID",
    "invalid-instance-type": "InvalidInstanceType",
    "role-exists-outside": "EntityAlreadyExists",
    "policy-provisioner": "policy set olympus fails: aws_s3_bucket.site has a local-exec provisioner",
}


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus-loop-cache")


@pytest.fixture(scope="module")
def terraform_env(aws: LocalAws, cache: Path) -> dict[str, str]:
    return corpus_terraform_env(aws, cache)


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('corpus-loop-store') / 'olympus.db'}"


@pytest.fixture(scope="module")
def store(store_url: str) -> Iterator[SqlStore]:
    with SqlStore.open(store_url) as opened:
        yield opened


def test_the_expectations_cover_the_corpus() -> None:
    assert set(EXPECTED) == set(CASES) and len(CASES) >= 12
    fixable = {c.code for c in FAILURE_CLASSES if c.fixable_by_code}
    for name, expected in EXPECTED.items():
        assert (expected.outcome == "offered") == (Case.load(name).failure_class in fixable), name
        assert len(expected.tries) == len(expected.details), name


class NotAsked:
    """The model for a class no code can fix: the loop must not ask it."""

    backend = "anthropic"

    def reply(self, **_: Any) -> Any:
        raise AssertionError("the model was asked about a failure no code change can fix")


@pytest.mark.parametrize("name", CASES)
def test_each_case_through_the_fix_loop(
    name: str,
    aws: LocalAws,
    cache: Path,
    terraform_env: dict[str, str],
    store: SqlStore,
    claude_cassette: Callable[[str], AbstractContextManager[Replay]],
    tmp_path: Path,
) -> None:
    case, expected = Case.load(name), EXPECTED[name]
    setup = SETUPS.get(name, nothing_first)
    with setup(aws, state_key(name)) as extra:
        # The failing step, for real: what the door saw.
        door = run_until_failure(case.step, prepare_run(name, aws, tmp_path / "run"), {**terraform_env, **extra})
    assert door.step == case.step

    # The repository as the door hands it to the loop: the case's project under infra/, its policies at the root.
    repo = tmp_path / "repo"
    project = Project(f"infra/{name}", f"infra/{name}")
    copy_case(name, repo / project.dir)
    if (CORPUS / name / ".olympus.yaml").is_file():
        shutil.copy(CORPUS / name / ".olympus.yaml", repo / ".olympus.yaml")
    reader = FileSystemRepo(repo)
    workdir = tmp_path / "checkout"
    shutil.copytree(repo, workdir)
    checkout = Checkout(f"corpus/{name}", HEAD, reader, tuple(reader.list_files()), workdir, base_reader=reader)
    loop = corpus_loop(store, aws, cache, tmp_path / "state", scanned=name == SCANNED)
    baseline = baseline_findings(loop, repo, [project.dir])
    recorded = RecordedFailure(door.step, door.output) if door.step in RECORDED_STEPS else None
    failed = reproduce_failure(loop, workdir, project, recorded=recorded)
    assert failed is not None and failed.step == case.step, failed

    def diagnose(model: Any) -> tuple[str, FixOutcome]:
        failure, outcome = diagnose_failure(
            loop, model, LIMITS, checkout, project, [], failed,
            diff="", baseline=baseline, scratch=lambda: scratch_copy(repo, tmp_path / "scratch"), tries=3,
        )  # fmt: skip
        return failure.code, outcome

    if expected.outcome == "no_safe_fix":
        code, outcome = diagnose(NotAsked())
        sent: list[dict[str, Any]] = []
    else:
        with claude_cassette(f"fix_corpus_{name}") as replay:
            code, outcome = diagnose(replay.model)
        sent = replay.sent
    assert code == case.failure_class
    assert outcome.outcome == expected.outcome, outcome

    attempts = [a for a in reversed(store.fix_attempts()) if a.change_id == checkout.change_id]
    assert [a.verification for a in attempts] == list(expected.tries)
    assert list(outcome.attempt_ids) == [a.id for a in attempts]
    for attempt, words in zip(attempts, expected.details, strict=True):
        assert (attempt.failure_class, attempt.step, attempt.project) == (case.failure_class, case.step, project.dir)
        assert attempt.root_cause and words in attempt.verification_detail, attempt.verification_detail
        assert attempt.offered == (attempt.verification is PASSED)
    if expected.outcome == "no_safe_fix":
        (attempt,) = attempts
        assert attempt.kind is FixKind.NONE and outcome.what_to_check == attempt.verification_detail
        assert not sent
        return

    assert all(a.kind is FixKind.PATCH and a.patch.startswith(f"--- a/{project.dir}/main.tf") for a in attempts)
    assert all(a.tokens_in > 0 and a.tokens_out > 0 for a in attempts)
    assert sum(a.tokens_in for a in attempts) == outcome.usage.input_tokens  # every turn's tokens counted once
    if name == "invalid-ami":
        assert attempts[0].tools_used == ("read_file",)
    evidence = sent[0]["messages"][0]["content"]
    assert (
        f"`{project.dir}`" in evidence
        and ("breaks a blocking Olympus policy" if case.step == "policy" else "failed") in evidence
    )
    assert RECORDED_WORDS.get(name, "Error:") in evidence, evidence[:800]
    for retry, attempt in zip(sent[1:], attempts, strict=False):
        said = retry["messages"][-1]["content"][-1]
        if attempt.verification is not PASSED and said.get("type") == "tool_result":
            assert said["is_error"] and ("verification failed" in said["content"] or "refused" in said["content"])
    assert outcome.verdict is not None and outcome.verdict.ok
    if case.step == "apply":
        # The proof the loop cannot give: the fix, applied for real on the emulator with the case's checks on.
        held = apply_fixed(name, aws, outcome, terraform_env, tmp_path / "run")
        assert held.returncode == 0, held.stdout + held.stderr
        store.mark_fix_outcome(attempts[-1].id or 0, accepted=True, next_apply_ok=True)


def test_olympus_eval_fixes_reports_every_class(
    store: SqlStore, store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    attempts = store.fix_attempts()
    ran = {a.change_id.removeprefix("corpus/") for a in attempts}
    assert ran == set(CASES), f"the corpus's cases run first, in this module: {sorted(set(CASES) - ran)} did not"
    repo = empty_repo(tmp_path / "any-repo")
    commit_files(repo, {"README.md": "infrastructure\n"})
    monkeypatch.setenv("OLYMPUS_DATABASE_URL", store_url)

    assert report_fixes(repo, as_json=True) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["attempts"] == sum(len(e.tries) for e in EXPECTED.values()) == len(attempts)
    rows = {row["failure_class"]: row for row in report["classes"]}
    assert rows == expected_rates(attempts)
    assert rows["name-taken"] == {
        "failure_class": "name-taken", "attempts": 2, "verified": 1, "accepted": 1, "applied": 1, "success_rate": 0.5,
        "decided": 1, "acceptance_rate": 1.0, "applies": 1, "next_apply_rate": 1.0,
    }  # fmt: skip
    assert rows["state-locked"]["verified"] == 0 and rows["access-denied"]["success_rate"] == 0

    assert report_fixes(repo, as_json=False) == 0
    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["undeclared-reference", "3", "2", "0", "0", "67%", "-", "-"] in lines  # a plan's fix: nobody decided
    assert ["exists-outside", "1", "1", "1", "1", "100%", "100%", "100%"] in lines


def expected_rates(attempts: list[FixAttempt]) -> dict[str, dict[str, object]]:
    """Each class's row as the corpus's expectations make it (attempts and verified from EXPECTED; accepted and
    applied: the verified fixes of failed applies, which the test applied)."""
    rows: dict[str, dict[str, Any]] = {}
    for name, expected in EXPECTED.items():
        case = Case.load(name)
        row = rows.setdefault(
            case.failure_class,
            {"failure_class": case.failure_class, "attempts": 0, "verified": 0, "accepted": 0, "applied": 0},
        )
        row["attempts"] += len(expected.tries)
        verified = expected.tries.count(PASSED)
        row["verified"] += verified
        if case.step == "apply":
            row["accepted"] += verified
            row["applied"] += verified
    for row in rows.values():
        row["success_rate"] = round(row["verified"] / row["attempts"], 4)
        # Every accepted fix was decided on and applied, and each such apply held.
        row["decided"] = row["applies"] = row["accepted"]
        row["acceptance_rate"] = row["next_apply_rate"] = 1.0 if row["accepted"] else None
    assert sum(r["attempts"] for r in rows.values()) == len(attempts)
    return rows


@contextmanager
def scratch_copy(repo: Path, under: Path) -> Iterator[Path]:
    """A fresh copy of the repository, removed afterwards (as the App's door makes one)."""
    under.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=under) as folder:
        tree = Path(folder) / "tree"
        shutil.copytree(repo, tree)
        yield tree


def apply_fixed(name: str, aws: LocalAws, outcome: FixOutcome, env: dict[str, str], run: Path) -> Any:
    """The fix written into the copy whose apply failed (initialised already), planned and applied on the emulator
    with the case's checks on."""
    for edit in outcome.edits:
        (run / edit.path.removeprefix(f"infra/{name}/")).write_text(edit.after or "")
    terraform = TerraformCli.locate()
    with SETUPS.get(name, nothing_first)(aws, state_key(name)) as extra:
        terraform.check(STEPS["plan"], run, env={**env, **extra})
        return terraform.run(STEPS["apply"], run, env={**env, **extra})


def test_a_recorded_apply_whose_plan_fails_now_is_diagnosed_as_the_plans_failure(
    aws: LocalAws, cache: Path, store: SqlStore, tmp_path: Path
) -> None:
    name = "undeclared-variable"
    project = Project(f"infra/{name}", f"infra/{name}")
    copy_case(name, tmp_path / "repo" / project.dir)
    loop = corpus_loop(store, aws, cache, tmp_path / "state", scanned=False)
    recorded = RecordedFailure("apply", "Error: creating S3 Bucket (corpus-exports): BucketAlreadyExists")
    failed = reproduce_failure(loop, tmp_path / "repo", project, recorded=recorded)
    # A fix must get the plan through before the apply can be tried again: the plan's failure comes first.
    assert failed is not None and failed.step == "plan" and not failed.planned
    assert "Reference to undeclared input variable" in failed.error and "BucketAlreadyExists" not in failed.error
