"""A policy set's answer read the conftest way, and what the gate keeps of it."""

from __future__ import annotations

from bot.domain.policies.config import PolicySet
from bot.domain.policies.evaluation import EvaluationResult
from bot.domain.policies.outcomes import outcome_of
from bot.domain.policies.results import PolicyFailure

BLOCKING = PolicySet("security", ("policy",), owners=("alice",))
ADVISORY = PolicySet("costs", ("policy",), blocking=False)
ADDRESSES = ["aws_s3_bucket.logs", "aws_s3_bucket.logs_archive"]


def result(**rules: object) -> EvaluationResult:
    return EvaluationResult(documents={"main": rules})


def test_deny_violation_and_warn_rules_in_conftest_form() -> None:
    outcome = outcome_of(
        BLOCKING,
        "dev",
        result(
            deny=["aws_s3_bucket.logs_archive: public ACL"],
            violation_tags=[{"msg": "no owner tag", "address": "aws_s3_bucket.logs"}],
            warn=["consider versioning"],
            helper_rule=["not a policy result"],
        ),
        ADDRESSES,
    )
    assert [(v.kind, v.address, v.message) for v in outcome.failures] == [
        ("violation", "aws_s3_bucket.logs", "no owner tag"),
        ("deny", "aws_s3_bucket.logs_archive", "aws_s3_bucket.logs_archive: public ACL"),  # the longest address
    ]
    assert [v.message for v in outcome.warnings] == ["consider versioning"]
    assert outcome.failed and outcome.gate_failures() == (
        PolicyFailure("security", "aws_s3_bucket.logs: no owner tag"),
        PolicyFailure("security", "aws_s3_bucket.logs_archive: public ACL"),
    )


def test_an_advisory_set_holds_nothing_at_the_gate() -> None:
    outcome = outcome_of(ADVISORY, "dev", result(deny=["too big"]), ADDRESSES)
    assert outcome.failed and outcome.gate_failures() == ()


def test_a_set_that_could_not_be_evaluated_is_a_failure_never_a_pass() -> None:
    outcome = outcome_of(BLOCKING, "dev", EvaluationResult(error="p.rego:3:1: unexpected token"), ADDRESSES)
    assert outcome.failed and outcome.violations == ()
    assert outcome.gate_failures() == (
        PolicyFailure("security", "could not be evaluated: p.rego:3:1: unexpected token"),
    )


def test_rego_v0_partial_sets_are_refused_with_the_v1_form() -> None:
    outcome = outcome_of(BLOCKING, "dev", result(deny={"old style": True}), ADDRESSES)
    assert "deny contains msg if" in outcome.error


def test_a_passing_set_and_a_package_without_rules() -> None:
    assert not outcome_of(BLOCKING, "dev", result(deny=[], warn=[]), ADDRESSES).failed
    assert not outcome_of(BLOCKING, "dev", EvaluationResult(documents={"main": {}}), ADDRESSES).failed
