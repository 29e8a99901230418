"""Fixtures for the OIDC tests: a test signing key and a local issuer on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.domain.oidc_claims import AWS_AUDIENCE, ExpectedClaims, pull_request_subject
from oidc.aws_emulator import aws_env, emulator  # noqa: F401 - fixtures for the AWS tests
from oidc.issuer import REPOSITORY, LocalIssuer, new_key


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture(scope="session")
def impostor_key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture
def issuer(signing_key: rsa.RSAPrivateKey) -> Iterator[LocalIssuer]:
    with LocalIssuer(signing_key) as running:
        yield running


@pytest.fixture
def expected_for_aws(issuer: LocalIssuer) -> ExpectedClaims:
    """What a plan job on a pull request expects of its token for AWS."""
    return ExpectedClaims(REPOSITORY, AWS_AUDIENCE, (pull_request_subject(REPOSITORY),), issuer=issuer.url)
