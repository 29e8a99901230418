"""Check a decoded GitHub Actions ID token's claims before it is exchanged for cloud credentials."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
AWS_AUDIENCE = "sts.amazonaws.com"
# Clocks on runners and on the issuer drift a little; STS itself allows a few minutes.
CLOCK_SKEW_SECONDS = 60

_PROVIDER = re.compile(r"projects/\d+/locations/global/workloadIdentityPools/[a-z0-9-]+/providers/[a-z0-9-]+")


@dataclass(frozen=True)
class ExpectedClaims:
    """What a token must say to be exchanged: who issued it, for whom, for which repository and which job."""

    repository: str
    audience: str
    subjects: tuple[str, ...]
    issuer: str = GITHUB_ISSUER


@dataclass(frozen=True)
class WrongClaim:
    """One claim that does not match, with the sentence that says so."""

    claim: str
    actual: str | None
    expected: str

    @property
    def sentence(self) -> str:
        if self.actual is None:
            return f"The ID token has no `{self.claim}` claim; expected {self.expected}."
        return f"The ID token's `{self.claim}` claim is {self.actual!r}; expected {self.expected}."


def pull_request_subject(repository: str) -> str:
    return f"repo:{repository}:pull_request"


def environment_subject(repository: str, environment: str) -> str:
    return f"repo:{repository}:environment:{environment}"


def branch_subject(repository: str, branch: str) -> str:
    return f"repo:{repository}:ref:refs/heads/{branch}"


def workload_identity_audience(provider: str) -> str:
    """The audience GCP expects for a provider `projects/N/locations/global/workloadIdentityPools/P/providers/X`.

    A provider without allowed audiences accepts its full canonical resource name, with or without `https:`:
    https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools.providers#oidc
    """
    name = provider.removeprefix("//iam.googleapis.com/").removeprefix("https://iam.googleapis.com/")
    if not _PROVIDER.fullmatch(name):
        raise ValueError(
            f"{provider!r} is not a workload identity provider name; expected "
            "projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER"
        )
    return f"//iam.googleapis.com/{name}"


def check_claims(claims: Mapping[str, object], expected: ExpectedClaims, now: datetime) -> list[WrongClaim]:
    """Every claim that is wrong, in a stable order (issuer, audience, repository, subject, then time)."""
    wrong: list[WrongClaim] = []
    issuer = _text(claims.get("iss"))
    if issuer != expected.issuer:
        wrong.append(WrongClaim("iss", issuer, f"{expected.issuer!r} (the issuer)"))
    audiences = _audiences(claims.get("aud"))
    if expected.audience not in audiences:
        actual = None if not audiences else audiences[0] if len(audiences) == 1 else ", ".join(audiences)
        wrong.append(WrongClaim("aud", actual, f"{expected.audience!r} (the audience this cloud accepts)"))
    repository = _text(claims.get("repository"))
    if repository != expected.repository:
        wrong.append(WrongClaim("repository", repository, f"{expected.repository!r} (this repository)"))
    subject = _text(claims.get("sub"))
    if subject not in expected.subjects:
        wrong.append(WrongClaim("sub", subject, _one_of(expected.subjects) + " (the subject the role trusts)"))
    wrong.extend(_time_claims(claims, now.timestamp()))
    return wrong


def _time_claims(claims: Mapping[str, object], now: float) -> list[WrongClaim]:
    wrong: list[WrongClaim] = []
    expires = _number(claims.get("exp"))
    if expires is None:
        wrong.append(WrongClaim("exp", _text(claims.get("exp")), "an expiry time in seconds since the epoch"))
    elif expires + CLOCK_SKEW_SECONDS <= now:
        wrong.append(WrongClaim("exp", str(int(expires)), f"a time after now ({int(now)}): the token has expired"))
    not_before = _number(claims.get("nbf"))
    if not_before is not None and not_before - CLOCK_SKEW_SECONDS > now:
        wrong.append(
            WrongClaim("nbf", str(int(not_before)), f"a time before now ({int(now)}): the token is not valid yet")
        )
    issued = _number(claims.get("iat"))
    if issued is not None and issued - CLOCK_SKEW_SECONDS > now:
        wrong.append(
            WrongClaim("iat", str(int(issued)), f"a time before now ({int(now)}): it was issued in the future")
        )
    return wrong


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else repr(value)


def _audiences(value: object) -> list[str]:
    # RFC 7519 §4.1.3: `aud` is one string or an array of strings.
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [item for item in value if isinstance(item, str)]
    return []


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _one_of(values: Sequence[str]) -> str:
    if len(values) == 1:
        return repr(values[0])
    if not values:
        return "a subject configured for this job (none is)"
    return "one of " + ", ".join(repr(v) for v in values)
