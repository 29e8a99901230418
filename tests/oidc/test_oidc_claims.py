"""check_claims names every wrong claim of an ID token, what it is and what was expected."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain.oidc_claims import (
    AWS_AUDIENCE,
    GITHUB_ISSUER,
    ExpectedClaims,
    WrongClaim,
    branch_subject,
    check_claims,
    environment_subject,
    pull_request_subject,
    workload_identity_audience,
)

REPO = "octo-org/infra"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())
PLAN = ExpectedClaims(REPO, AWS_AUDIENCE, (pull_request_subject(REPO),))
APPLY = ExpectedClaims(REPO, AWS_AUDIENCE, (environment_subject(REPO, "production"),))


def good(**overrides: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": GITHUB_ISSUER,
        "aud": AWS_AUDIENCE,
        "sub": pull_request_subject(REPO),
        "repository": REPO,
        "repository_owner": "octo-org",
        "event_name": "pull_request",
        "iat": T - 10,
        "nbf": T - 15,
        "exp": T + 290,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def test_a_pull_request_token_passes_the_plan_check() -> None:
    assert check_claims(good(), PLAN, NOW) == []


def test_an_environment_token_passes_the_apply_check_and_a_list_audience_counts() -> None:
    claims = good(sub=environment_subject(REPO, "production"), aud=["other", AWS_AUDIENCE])
    assert check_claims(claims, APPLY, NOW) == []


def test_several_accepted_subjects() -> None:
    expected = ExpectedClaims(REPO, AWS_AUDIENCE, (pull_request_subject(REPO), branch_subject(REPO, "main")))
    assert check_claims(good(sub=f"repo:{REPO}:ref:refs/heads/main"), expected, NOW) == []


WRONG = [
    # (case, claims, expected, claim named, actual shown, expected shown)
    ("issuer-elsewhere", good(iss="https://evil.example"), PLAN, "iss", "'https://evil.example'", GITHUB_ISSUER),
    ("issuer-missing", good(iss=None), PLAN, "iss", "no `iss` claim", GITHUB_ISSUER),
    ("issuer-trailing-slash", good(iss=GITHUB_ISSUER + "/"), PLAN, "iss", GITHUB_ISSUER + "/'", GITHUB_ISSUER),
    ("audience-default-owner", good(aud="octo-org"), PLAN, "aud", "'octo-org'", AWS_AUDIENCE),
    ("audience-gcp-for-aws", good(aud="//iam.googleapis.com/x"), PLAN, "aud", "//iam.googleapis.com/x", AWS_AUDIENCE),
    ("audience-missing", good(aud=None), PLAN, "aud", "no `aud` claim", AWS_AUDIENCE),
    ("audience-list-without", good(aud=["a", "b"]), PLAN, "aud", "'a, b'", AWS_AUDIENCE),
    ("repository-other", good(repository="octo-org/other"), PLAN, "repository", "'octo-org/other'", REPO),
    ("repository-fork", good(repository="mallory/infra"), PLAN, "repository", "'mallory/infra'", REPO),
    ("repository-missing", good(repository=None), PLAN, "repository", "no `repository` claim", REPO),
    ("repository-case", good(repository="Octo-Org/Infra"), PLAN, "repository", "'Octo-Org/Infra'", REPO),
    (
        "subject-branch-for-plan",
        good(sub=f"repo:{REPO}:ref:refs/heads/feature"),
        PLAN,
        "sub",
        "refs/heads/feature",
        pull_request_subject(REPO),
    ),
    ("subject-pr-for-apply", good(), APPLY, "sub", pull_request_subject(REPO), environment_subject(REPO, "production")),
    (
        "subject-other-environment",
        good(sub=environment_subject(REPO, "staging")),
        APPLY,
        "sub",
        "environment:staging",
        "environment:production",
    ),
    (
        "subject-other-repo",
        good(sub="repo:mallory/infra:pull_request"),
        PLAN,
        "sub",
        "mallory/infra",
        pull_request_subject(REPO),
    ),
    ("subject-missing", good(sub=None), PLAN, "sub", "no `sub` claim", pull_request_subject(REPO)),
    ("subject-not-text", good(sub=42), PLAN, "sub", "'42'", pull_request_subject(REPO)),
    ("expired", good(exp=T - 61), PLAN, "exp", str(T - 61), "the token has expired"),
    ("expiry-missing", good(exp=None), PLAN, "exp", "no `exp` claim", "an expiry time"),
    ("expiry-not-a-number", good(exp="tomorrow"), PLAN, "exp", "'tomorrow'", "an expiry time"),
    ("not-yet-valid", good(nbf=T + 600), PLAN, "nbf", str(T + 600), "not valid yet"),
    ("issued-in-the-future", good(iat=T + 600), PLAN, "iat", str(T + 600), "issued in the future"),
]


@pytest.mark.parametrize(
    ("claims", "expected", "claim", "actual", "wanted"), [c[1:] for c in WRONG], ids=[c[0] for c in WRONG]
)
def test_each_wrong_claim_is_named_with_what_it_is_and_what_was_expected(
    claims: dict[str, Any], expected: ExpectedClaims, claim: str, actual: str, wanted: str
) -> None:
    wrong = check_claims(claims, expected, NOW)
    assert [w.claim for w in wrong] == [claim]
    sentence = wrong[0].sentence
    assert f"`{claim}`" in sentence
    assert actual in sentence
    assert wanted in sentence
    assert sentence.startswith("The ID token") and sentence.endswith(".")


def test_every_wrong_claim_is_reported_not_only_the_first() -> None:
    claims = good(
        iss="https://evil.example", aud="x", repository="mallory/infra", sub="repo:mallory/infra:x", exp=T - 3600
    )
    assert [w.claim for w in check_claims(claims, PLAN, NOW)] == ["iss", "aud", "repository", "sub", "exp"]


def test_a_little_clock_skew_is_tolerated() -> None:
    assert check_claims(good(exp=T - 30, iat=T + 30, nbf=T + 30), PLAN, NOW) == []


def test_the_sentences_read_as_english() -> None:
    assert WrongClaim("aud", "octo-org", "'sts.amazonaws.com'").sentence == (
        "The ID token's `aud` claim is 'octo-org'; expected 'sts.amazonaws.com'."
    )
    assert WrongClaim("sub", None, "'x'").sentence == "The ID token has no `sub` claim; expected 'x'."


def test_no_accepted_subject_refuses_every_token() -> None:
    wrong = check_claims(good(), ExpectedClaims(REPO, AWS_AUDIENCE, ()), NOW)
    assert [w.claim for w in wrong] == ["sub"] and "none is" in wrong[0].sentence


@pytest.mark.parametrize(
    "provider",
    [
        "projects/123456/locations/global/workloadIdentityPools/github/providers/olympus",
        "//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/github/providers/olympus",
        "https://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/github/providers/olympus",
    ],
)
def test_the_gcp_audience_is_the_providers_canonical_name(provider: str) -> None:
    assert workload_identity_audience(provider) == (
        "//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/github/providers/olympus"
    )


@pytest.mark.parametrize(
    "provider",
    [
        "",
        "projects/my-project/locations/global/workloadIdentityPools/p/providers/x",
        "projects/1/locations/europe-west1/workloadIdentityPools/p/providers/x",
        "projects/1/locations/global/workloadIdentityPools/p",
    ],
)
def test_a_malformed_provider_name_is_refused(provider: str) -> None:
    with pytest.raises(ValueError, match="not a workload identity provider"):
        workload_identity_audience(provider)
