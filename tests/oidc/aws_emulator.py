"""The local AWS emulator for the OIDC tests: its own moto account, the GitHub OIDC provider, plan and apply roles."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import boto3
import pytest

from bot.domain.oidc_claims import AWS_AUDIENCE, environment_subject
from oidc.issuer import REPOSITORY

# Not moto's default account: moto keeps its state per process, and other tests use that one.
ACCOUNT = "402345678901"
PROVIDER_HOST = "token.actions.githubusercontent.com"
DUMMY = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


def in_our_account(request: Any, **_: object) -> None:
    # moto picks the account from this header of its own.
    request.headers["x-moto-account-id"] = ACCOUNT


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    iam = boto3.client("iam", endpoint_url=url, **DUMMY)
    iam.meta.events.register("before-sign.iam.*", in_our_account)
    provider = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{PROVIDER_HOST}"
    if provider not in {p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]}:
        iam.create_open_id_connect_provider(
            Url=f"https://{PROVIDER_HOST}", ClientIDList=[AWS_AUDIENCE], ThumbprintList=["a" * 40]
        )
    for name, subject in [
        ("olympus-plan", f"repo:{REPOSITORY}:pull_request"),
        ("olympus-apply", environment_subject(REPOSITORY, "production")),
    ]:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {f"{PROVIDER_HOST}:aud": AWS_AUDIENCE, f"{PROVIDER_HOST}:sub": subject}
                    },
                }
            ],
        }
        with suppress(iam.exceptions.EntityAlreadyExistsException):
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    yield url
    server.stop()


@pytest.fixture
def aws_env(emulator: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """boto3's standard configuration, pointed at the emulator, with no long-lived keys anywhere."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    return emulator


def role(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"
