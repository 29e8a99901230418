"""The trust policy analyser: a table of good and bad GitHub OIDC trust policies, each finding with its fix."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from bot.domain.trust_analysis import analyse_trust_policy
from bot.domain.trust_policy import (
    expected_subject,
    parse_role_arn,
    trust_policy_for,
)
from bot.errors import UserError

ACCOUNT = "123456789012"
REPO = "octo-org/infra"
ISSUER = "token.actions.githubusercontent.com"
AUD = f"{ISSUER}:aud"
SUB = f"{ISSUER}:sub"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"
PLAN_SUB = "repo:octo-org/infra:pull_request"
APPLY_SUB = "repo:octo-org/infra:environment:production"


def policy(condition: dict[str, Any] | None, *, principal: Any = None, action: Any = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Federated": PROVIDER} if principal is None else principal,
        "Action": action or "sts:AssumeRoleWithWebIdentity",
    }
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def good(sub: str) -> dict[str, Any]:
    return policy({"StringEquals": {AUD: "sts.amazonaws.com", SUB: sub}})


def codes(document: dict[str, Any], role: str) -> list[str]:
    return sorted(f.code for f in analyse_trust_policy(document, owner_repo=REPO, role=role, account_id=ACCOUNT))


# --- policies without findings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "document"),
    [
        ("plan", good(PLAN_SUB)),
        ("apply", good(APPLY_SUB)),
        # Statement as a single object, and keys in another case (IAM condition keys are case-insensitive).
        ("apply", {**good(APPLY_SUB), "Statement": good(APPLY_SUB)["Statement"][0]}),
        ("plan", policy({"StringEquals": {AUD.upper(): ["sts.amazonaws.com"], SUB: [PLAN_SUB]}})),
        # A read-only plan role may also trust pushes to main, as long as it trusts pull requests.
        (
            "plan",
            policy(
                {"StringEquals": {AUD: "sts.amazonaws.com", SUB: [PLAN_SUB, "repo:octo-org/infra:ref:refs/heads/main"]}}
            ),
        ),
        # A separate exact condition bounds the statement even beside a looser one (all conditions must hold).
        (
            "apply",
            policy(
                {"StringEquals": {AUD: "sts.amazonaws.com", SUB: APPLY_SUB}, "StringLike": {SUB: "repo:octo-org/*"}}
            ),
        ),
        # Deny statements are never a finding.
        ("plan", {"Statement": [*good(PLAN_SUB)["Statement"], {"Effect": "Deny", "Principal": "*", "Action": "*"}]}),
    ],
    ids=["plan", "apply", "single-statement", "case-and-lists", "plan-and-main", "exact-beside-like", "deny"],
)
def test_correct_policies_have_no_findings(role: str, document: dict[str, Any]) -> None:
    assert analyse_trust_policy(document, owner_repo=REPO, role=role, account_id=ACCOUNT) == []


@pytest.mark.parametrize("role", ["plan", "apply"])
@pytest.mark.parametrize("environment", ["production", "prod-eu"])
def test_printed_policies_pass_the_analyser(role: str, environment: str) -> None:
    document = trust_policy_for(ACCOUNT, REPO, role=role, environment=environment)
    assert analyse_trust_policy(document, owner_repo=REPO, role=role, environment=environment, account_id=ACCOUNT) == []
    json.dumps(document)  # it is plain JSON, ready for `aws iam create-role --assume-role-policy-document`


def test_printed_policies_bind_the_right_subjects() -> None:
    plan = trust_policy_for(ACCOUNT, REPO, role="plan")["Statement"][0]
    apply = trust_policy_for(ACCOUNT, REPO, role="apply", environment="prod")["Statement"][0]
    assert plan["Principal"] == {"Federated": PROVIDER}
    assert plan["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert plan["Condition"] == {"StringEquals": {AUD: "sts.amazonaws.com", SUB: PLAN_SUB}}
    assert apply["Condition"] == {
        "StringEquals": {AUD: "sts.amazonaws.com", SUB: "repo:octo-org/infra:environment:prod"}
    }
    assert expected_subject(REPO, "apply", "prod") == "repo:octo-org/infra:environment:prod"
    drift = trust_policy_for(ACCOUNT, REPO, role="plan", drift_branch="main")["Statement"][0]
    assert drift["Condition"]["StringEquals"][SUB] == [PLAN_SUB, "repo:octo-org/infra:ref:refs/heads/main"]
    assert analyse_trust_policy({"Statement": [drift]}, owner_repo=REPO, role="plan", drift_branch="main") == []
    with pytest.raises(UserError, match="bad-branch|not a usable branch"):
        trust_policy_for(ACCOUNT, REPO, role="plan", drift_branch="ma*in")


def test_printed_policy_follows_the_partition_and_an_enterprise_issuer() -> None:
    issuer = "token.actions.githubusercontent.com/octo-enterprise"
    document = trust_policy_for(ACCOUNT, REPO, role="apply", issuer_host=issuer, partition="aws-us-gov")
    statement = document["Statement"][0]
    assert statement["Principal"]["Federated"] == f"arn:aws-us-gov:iam::{ACCOUNT}:oidc-provider/{issuer}"
    assert set(statement["Condition"]["StringEquals"]) == {f"{issuer}:aud", f"{issuer}:sub"}
    assert analyse_trust_policy(document, owner_repo=REPO, role="apply", issuer_host=issuer) == []


# --- policies with findings: (role, document, the codes expected, a phrase of the fix) --------------------------

BAD = [
    ("no-audience", "plan", policy({"StringEquals": {SUB: PLAN_SUB}}), ["no-audience"], '"sts.amazonaws.com"'),
    (
        "wrong-audience",
        "apply",
        policy({"StringEquals": {AUD: "https://github.com/octo-org", SUB: APPLY_SUB}}),
        ["wrong-audience"],
        f'{{"StringEquals": {{"{AUD}": "sts.amazonaws.com"}}}}',
    ),
    (
        "audience-wildcard",
        "plan",
        policy({"StringLike": {AUD: "sts.*"}, "StringEquals": {SUB: PLAN_SUB}}),
        ["wrong-audience"],
        '"sts.amazonaws.com"',
    ),
    ("no-conditions", "plan", policy(None), ["no-audience", "no-subject"], f'"{SUB}": "{PLAN_SUB}"'),
    (
        "audience-only",
        "apply",
        policy({"StringEquals": {AUD: "sts.amazonaws.com"}}),
        ["no-subject"],
        f'{{"StringEquals": {{"{SUB}": "{APPLY_SUB}"}}}}',
    ),
    (
        "sub-star",
        "plan",
        policy({"StringEquals": {AUD: "sts.amazonaws.com"}, "StringLike": {SUB: "*"}}),
        ["wildcard-subject"],
        f'"{SUB}": "{PLAN_SUB}"',
    ),
    (
        "sub-repo-star",
        "plan",
        policy({"StringEquals": {AUD: "sts.amazonaws.com"}, "StringLike": {SUB: "repo:*"}}),
        ["wildcard-subject"],
        f'"{SUB}": "{PLAN_SUB}"',
    ),
    (
        "sub-owner-star",
        "apply",
        policy({"StringEquals": {AUD: "sts.amazonaws.com"}, "StringLike": {SUB: "repo:octo-org/*"}}),
        ["apply-not-bound-to-environment", "wildcard-subject"],
        f'"{SUB}": "{APPLY_SUB}"',
    ),
    (
        "sub-repo-any-ref",
        "plan",
        policy({"StringEquals": {AUD: "sts.amazonaws.com"}, "StringLike": {SUB: "repo:octo-org/infra:*"}}),
        ["wildcard-subject"],
        f'"StringEquals": {{"{SUB}": "{PLAN_SUB}"}}',
    ),
    (
        "apply-on-pull-requests",
        "apply",
        good(PLAN_SUB),
        ["apply-not-bound-to-environment"],
        f'"{SUB}": "{APPLY_SUB}"',
    ),
    (
        "apply-on-main-branch",
        "apply",
        good("repo:octo-org/infra:ref:refs/heads/main"),
        ["apply-not-bound-to-environment"],
        APPLY_SUB,
    ),
    (
        "apply-on-another-environment",
        "apply",
        good("repo:octo-org/infra:environment:staging"),
        ["apply-not-bound-to-environment"],
        APPLY_SUB,
    ),
    (
        "apply-environment-and-pr",
        "apply",
        policy({"StringEquals": {AUD: "sts.amazonaws.com", SUB: [APPLY_SUB, PLAN_SUB]}}),
        ["apply-not-bound-to-environment"],
        APPLY_SUB,
    ),
    (
        "for-all-values",
        "apply",
        policy({"StringEquals": {AUD: "sts.amazonaws.com"}, "ForAllValues:StringEquals": {SUB: APPLY_SUB}}),
        ["for-all-values-subject"],
        "drop the ForAllValues: qualifier",
    ),
    (
        "for-all-values-like",
        "plan",
        policy({"StringEquals": {AUD: "sts.amazonaws.com"}, "ForAllValues:StringLike": {SUB: "repo:octo-org/*"}}),
        ["for-all-values-subject"],
        f'"{SUB}": "{PLAN_SUB}"',
    ),
    (
        "if-exists",
        "apply",
        policy({"StringEquals": {AUD: "sts.amazonaws.com"}, "StringEqualsIfExists": {SUB: APPLY_SUB}}),
        ["if-exists-subject"],
        "drop the IfExists suffix",
    ),
    (
        "other-repository",
        "plan",
        policy({"StringEquals": {AUD: "sts.amazonaws.com", SUB: [PLAN_SUB, "repo:someone/else:pull_request"]}}),
        ["foreign-subject"],
        PLAN_SUB,
    ),
    (
        "literal-star-under-equals",
        "plan",
        policy({"StringEquals": {AUD: "sts.amazonaws.com", SUB: "repo:octo-org/infra:*"}}),
        ["literal-wildcard-subject", "plan-without-pull-requests"],
        PLAN_SUB,
    ),
    (
        "aws-principal",
        "apply",
        policy(
            {"StringEquals": {AUD: "sts.amazonaws.com", SUB: APPLY_SUB}},
            principal={"Federated": PROVIDER, "AWS": "arn:aws:iam::999999999999:root"},
        ),
        ["foreign-principal"],
        f'"Principal": {{"Federated": "{PROVIDER}"}}',
    ),
    (
        "star-principal",
        "plan",
        policy({"StringEquals": {AUD: "sts.amazonaws.com", SUB: PLAN_SUB}}, principal="*", action="sts:AssumeRole"),
        ["foreign-principal", "no-github-trust"],
        PROVIDER,
    ),
    (
        "another-oidc-provider",
        "plan",
        policy(
            {"StringEquals": {AUD: "sts.amazonaws.com", SUB: PLAN_SUB}},
            principal={"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com"},
        ),
        ["foreign-principal", "no-github-trust"],
        PROVIDER,
    ),
    (
        "provider-in-another-account",
        "plan",
        policy(
            {"StringEquals": {AUD: "sts.amazonaws.com", SUB: PLAN_SUB}},
            principal={"Federated": f"arn:aws:iam::999999999999:oidc-provider/{ISSUER}"},
        ),
        ["foreign-principal"],
        PROVIDER,
    ),
    (
        "service-principal",
        "apply",
        policy(None, principal={"Service": "ec2.amazonaws.com"}, action="sts:AssumeRole"),
        ["foreign-principal", "no-github-trust"],
        PROVIDER,
    ),
    (
        "broad-action",
        "plan",
        policy({"StringEquals": {AUD: "sts.amazonaws.com", SUB: PLAN_SUB}}, action="sts:*"),
        ["broad-action"],
        '"Action": "sts:AssumeRoleWithWebIdentity"',
    ),
    (
        "second-statement-opens-the-door",
        "apply",
        {
            "Statement": [
                good(APPLY_SUB)["Statement"][0],
                policy({"StringEquals": {AUD: "sts.amazonaws.com"}})["Statement"][0],
            ]
        },
        ["no-subject"],
        APPLY_SUB,
    ),
    ("empty", "apply", {"Version": "2012-10-17", "Statement": []}, ["no-github-trust"], "--print-trust-policy"),
]


@pytest.mark.parametrize(("name", "role", "document", "expected", "fix"), BAD, ids=[row[0] for row in BAD])
def test_bad_policies_are_found_with_their_fix(
    name: str, role: str, document: dict[str, Any], expected: list[str], fix: str
) -> None:
    findings = analyse_trust_policy(document, owner_repo=REPO, role=role, account_id=ACCOUNT)
    errors = sorted(f.code for f in findings if f.severity == "error")
    assert errors == sorted(c for c in expected if c != "plan-without-pull-requests"), findings
    assert sorted(f.code for f in findings) == sorted(expected), findings
    assert any(fix in f.fix for f in findings), [f.fix for f in findings]
    for finding in findings:
        assert finding.problem and finding.fix and finding.where


def test_for_all_values_explains_why_it_passes_without_the_claim() -> None:
    document = policy({"StringEquals": {AUD: "sts.amazonaws.com"}, "ForAllValues:StringEquals": {SUB: APPLY_SUB}})
    (finding,) = analyse_trust_policy(document, owner_repo=REPO, role="apply")
    assert "absent" in finding.problem and "empty" in finding.problem
    assert finding.fix.endswith(f'{{"StringEquals": {{"{SUB}": "{APPLY_SUB}"}}}} in the statement\'s Condition')


@pytest.mark.parametrize(
    ("value", "scope"),
    [
        ("*", "any repository on GitHub"),
        ("repo:*", "any repository on GitHub"),
        ("repo:octo-org/*", "any repository of octo-org"),
        ("repo:octo-org/infra:*", "any branch, tag, pull request or environment of octo-org/infra"),
    ],
)
def test_wildcard_findings_say_who_gets_in(value: str, scope: str) -> None:
    document = policy({"StringEquals": {AUD: "sts.amazonaws.com"}, "StringLike": {SUB: value}})
    findings = analyse_trust_policy(document, owner_repo=REPO, role="plan")
    assert [f.code for f in findings] == ["wildcard-subject"]
    assert scope in findings[0].problem


def test_string_like_without_a_wildcard_is_only_a_note() -> None:
    document = policy({"StringEquals": {AUD: "sts.amazonaws.com"}, "StringLike": {SUB: APPLY_SUB}})
    findings = analyse_trust_policy(document, owner_repo=REPO, role="apply")
    assert [(f.code, f.severity) for f in findings] == [("string-like-without-wildcard", "note")]


def test_repository_case_does_not_matter() -> None:
    assert analyse_trust_policy(good("repo:Octo-Org/Infra:pull_request"), owner_repo=REPO, role="plan") == []


def test_environment_name_is_checked() -> None:
    findings = analyse_trust_policy(good(APPLY_SUB), owner_repo=REPO, role="apply", environment="prod")
    assert [f.code for f in findings] == ["apply-not-bound-to-environment"]
    assert "repo:octo-org/infra:environment:prod" in findings[0].fix


def test_the_analyser_does_not_change_its_input() -> None:
    document = policy({"StringLike": {SUB: "*"}})
    before = copy.deepcopy(document)
    analyse_trust_policy(document, owner_repo=REPO, role="plan")
    assert document == before


# --- bad input ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("repo", ["infra", "octo-org/", "/infra", "octo org/infra", "a/b/c", "repo:*"])
def test_a_repository_without_owner_is_a_user_error(repo: str) -> None:
    with pytest.raises(UserError) as raised:
        trust_policy_for(ACCOUNT, repo, role="plan")
    assert raised.value.reference == "bad-repository"
    assert "OWNER/REPO" in raised.value.hint


@pytest.mark.parametrize("environment", ["", "prod:*", "prod*", 'a"b'])
def test_an_unusable_environment_is_a_user_error(environment: str) -> None:
    with pytest.raises(UserError) as raised:
        trust_policy_for(ACCOUNT, REPO, role="apply", environment=environment)
    assert raised.value.reference == "bad-environment"


def test_a_bad_account_id_is_a_user_error() -> None:
    with pytest.raises(UserError, match="12 digits"):
        trust_policy_for("12345", REPO, role="plan")


def test_role_arns_are_parsed() -> None:
    arn = parse_role_arn("arn:aws:iam::123456789012:role/ci/olympus-plan", "--plan-role")
    assert (arn.partition, arn.account_id, arn.name) == ("aws", "123456789012", "olympus-plan")
    assert parse_role_arn("arn:aws-us-gov:iam::123456789012:role/x").partition == "aws-us-gov"


@pytest.mark.parametrize(
    "text",
    [
        "olympus-plan",
        "arn:aws:iam::12345:role/x",
        "arn:aws:iam::123456789012:user/x",
        "arn:aws:s3:::bucket",
        "arn:aws:iam::123456789012:role/",
    ],
)
def test_malformed_role_arns_are_user_errors(text: str) -> None:
    with pytest.raises(UserError) as raised:
        parse_role_arn(text, "--apply-role")
    assert raised.value.reference == "bad-role-arn"
    assert "--apply-role arn:aws:iam::" in raised.value.hint
