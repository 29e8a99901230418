"""The fix loop's failure classes, over the error texts the corpus's real runs captured (tests/domain/failure_texts).

Each text is Terraform's stderr as it was: `*.color.txt` with its colours and box, the others with -no-color.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml

from bot.domain.fixes.failure_classes import (
    FAILURE_CLASSES,
    STEPS,
    FailureSite,
    classify,
    classify_policy,
    failure_site,
    normalized,
)
from bot.domain.gate import Blocked, GateInput, PlannedProject, decide
from bot.domain.policies.results import PolicyFailure

TEXTS = Path(__file__).parent / "failure_texts"
CORPUS = Path(__file__).parent.parent / "fixes" / "corpus"

# captured text -> (step, class, site)
EXPECTED: dict[str, tuple[str, str, FailureSite]] = {
    "access-denied": ("apply", "access-denied", FailureSite("aws_s3_bucket.audit", "main.tf", 12)),
    "access-denied-state-lock": ("plan", "access-denied", FailureSite()),
    "bucket-name-taken": ("apply", "name-taken", FailureSite("aws_s3_bucket.assets", "main.tf", 12)),
    "bucket-owned-by-you": ("apply", "exists-outside", FailureSite("aws_s3_bucket.assets", "main.tf", 12)),
    "deprecated-lambda-runtime": (
        "plan",
        "deprecated-runtime",
        FailureSite("aws_lambda_function.handler", "main.tf", 24),
    ),
    "invalid-ami": ("apply", "invalid-ami", FailureSite("aws_instance.web", "main.tf", 12)),
    "invalid-instance-type": ("apply", "invalid-instance-type", FailureSite("aws_instance.web", "main.tf", 12)),
    "invalid-variable": ("plan", "invalid-variable", FailureSite("var.environment", "main.tf", 12)),
    "missing-argument": ("plan", "missing-argument", FailureSite("aws_iam_role.deploy", "main.tf", 12)),
    "provider-constraint": ("init", "provider-constraint", FailureSite()),
    "role-exists-outside": ("apply", "exists-outside", FailureSite("aws_iam_role.ci", "main.tf", 12)),
    "state-locked": ("apply", "state-locked", FailureSite()),
    "undeclared-reference": (
        "plan",
        "undeclared-reference",
        FailureSite("aws_s3_bucket_public_access_block.backups", "main.tf", 17),
    ),
    "undeclared-variable": ("plan", "undeclared-reference", FailureSite("aws_s3_bucket.exports", "main.tf", 13)),
    "unsupported-argument": ("plan", "unsupported-argument", FailureSite("aws_s3_bucket.reports", "main.tf", 13)),
    # The first of three errors (an undeclared local value, then module, then an unsupported block) is the class.
    "validate-undeclared-local-module-block": ("plan", "undeclared-reference", FailureSite("", "main.tf", 2)),
    # Kinds bot/domain/terraform_failures.py knows, which a code change does not fix.
    "module-registry-unreachable": ("init", "module-unavailable", FailureSite("module.vpc", "main.tf", 1)),
    "unclosed-block": ("plan", "unknown", FailureSite("", "main.tf", 1)),
}


def text(name: str) -> str:
    return (TEXTS / f"{name}.txt").read_text()


def test_every_captured_text_is_expected() -> None:
    captured = {p.name.removesuffix(".color.txt").removesuffix(".txt") for p in TEXTS.glob("*.txt")}
    assert captured - {"policy-provisioner"} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_captured_failure_is_named_and_sited(name: str) -> None:
    step, code, site = EXPECTED[name]
    found = classify(step, text(name))
    assert (found.code, found.site) == (code, site)


@pytest.mark.parametrize("path", sorted(TEXTS.glob("*.color.txt")), ids=lambda p: p.name)
def test_colours_and_the_box_change_nothing(path: Path) -> None:
    name = path.name.removesuffix(".color.txt")
    step, code, site = EXPECTED[name]
    coloured = path.read_text()
    assert "\x1b[" in coloured and "│" in coloured  # the capture really is Terraform's terminal form
    found = classify(step, coloured)
    assert (found.code, found.site) == (code, site)
    plain = normalized(coloured)
    assert "\x1b[" not in plain and not any(line.startswith(("│", "╷", "╵")) for line in plain.splitlines())


@pytest.mark.parametrize("width", [24, 40, 60])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_wrapped_narrower_and_boxed_the_class_and_site_stay(name: str, width: int) -> None:
    """As a CI log shows it: Terraform's box, every line wrapped again (at spaces) to another width."""
    step, code, site = EXPECTED[name]
    lines: list[str] = []
    for line in text(name).splitlines():
        indent = re.match(r"\s*", line).group(0)  # type: ignore[union-attr]
        parts = textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False, initial_indent=indent)
        lines.extend(f"│ {part}" for part in parts or [""])
    found = classify(step, "\n".join(lines))
    assert (found.code, found.site) == (code, site)


def test_a_person_must_act_on_a_held_lock_and_on_missing_permissions() -> None:
    by_code = {c.code: c for c in FAILURE_CLASSES}
    assert not by_code["state-locked"].fixable_by_code
    assert not by_code["access-denied"].fixable_by_code
    assert "force-unlock" in by_code["state-locked"].what_to_check
    fixable = {c.code for c in FAILURE_CLASSES if c.fixable_by_code}
    assert fixable == set(by_code) - {"state-locked", "access-denied"}


def test_codes_are_stable_kebab_case_with_words_for_people() -> None:
    codes = [c.code for c in FAILURE_CLASSES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", code) for code in codes)
    assert all(c.summary and c.what_to_check and "\n" not in c.summary for c in FAILURE_CLASSES)


def test_a_lock_the_credentials_may_not_take_is_access_denied_not_a_held_lock() -> None:
    lock_text = text("access-denied-state-lock")
    assert "Error acquiring the state lock" in lock_text
    assert classify("apply", lock_text).code == "access-denied"


def test_terraform_failures_kinds_are_reused_and_left_to_a_person() -> None:
    found = classify("init", text("module-registry-unreachable"))
    assert found.code == "module-unavailable" and not found.fixable_by_code
    assert "local path" in found.what_to_check  # terraform_failures' own hint


def test_an_unrecognized_failure_names_its_step() -> None:
    found = classify("plan", text("unclosed-block"))
    assert found.code == "unknown" and found.fixable_by_code
    assert found.summary == "`terraform plan` failed in a way Olympus does not recognize"


def test_a_policy_failure_is_sited_at_the_resource_it_names() -> None:
    message = text("policy-provisioner").strip()
    found = classify_policy([PolicyFailure("olympus", message)])
    assert (found.code, found.site) == ("policy-failure", FailureSite("aws_s3_bucket.site"))


def test_the_gates_reason_for_a_policy_failure_is_a_policy_failure() -> None:
    failure = PolicyFailure("olympus", text("policy-provisioner").strip())
    project = PlannedProject("dev", "a" * 40, "c" * 64, "c" * 64, "infra/x", policy_failures=(failure,))
    gate = GateInput(change_id="infra/x", head_commit="a" * 40, requesters=("bob",), approvals=(), projects=(project,))
    decision = decide(gate)
    assert isinstance(decision, Blocked)
    reason = next(r for r in decision.reasons if "policy set" in r)
    found = classify("plan", reason)
    assert (found.code, found.site.address) == ("policy-failure", "aws_s3_bucket.site")


def test_a_site_is_read_from_the_with_line_before_the_block_it_is_in() -> None:
    assert failure_site(text("role-exists-outside")).address == "aws_iam_role.ci"
    assert failure_site("nothing named here") == FailureSite()


def test_the_corpus_covers_every_class_but_unknown_with_a_case_each_says_how_to_fix() -> None:
    cases = [yaml.safe_load(p.read_text()) for p in sorted(CORPUS.glob("*/case.yaml"))]
    assert len(cases) >= 12
    for case in cases:
        assert {"id", "step", "class", "description", "fix", "site"} <= set(case), case
        assert case["step"] in STEPS and (CORPUS / case["id"] / "main.tf").is_file()
    assert {c["class"] for c in cases} == {c.code for c in FAILURE_CLASSES} - {"unknown"}
