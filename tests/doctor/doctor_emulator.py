"""The doctor tests' AWS: moto's IAM on loopback, roles made in it, and `olympus doctor` run as a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# Not moto's default account: moto keeps its state per process, and other tests use the default one.
ACCOUNT = "301234567890"
ISSUER = "token.actions.githubusercontent.com"
PROVIDER_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"


@dataclass
class Emulator:
    """A running moto server and the environment a subprocess needs to reach it and nothing else."""

    url: str
    env: dict[str, str]
    account: str = ACCOUNT

    def iam(self) -> Any:
        """An IAM client acting in `account` (moto takes the account from a header of its own)."""
        import boto3

        client = boto3.client(
            "iam",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - moto's dummy credentials
        )

        def in_account(request: Any, **_: Any) -> None:
            request.headers["x-moto-account-id"] = self.account

        client.meta.events.register("before-sign.iam.*", in_account)
        return client

    def create_role(
        self,
        kind: str,
        trust_policy: dict[str, Any],
        *,
        inline: dict[str, Any] | None = None,
        managed: dict[str, Any] | None = None,
    ) -> str:
        """A new role (a unique name per call, so tests share one server); returns its ARN."""
        iam = self.iam()
        name = f"olympus-{kind}-{uuid.uuid4().hex[:8]}"
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust_policy))["Role"]["Arn"]
        if inline is not None:
            iam.put_role_policy(RoleName=name, PolicyName=f"{name}-inline", PolicyDocument=json.dumps(inline))
        if managed is not None:
            policy = iam.create_policy(PolicyName=f"{name}-managed", PolicyDocument=json.dumps(managed))["Policy"]
            iam.attach_role_policy(RoleName=name, PolicyArn=policy["Arn"])
        return str(arn)

    def run_doctor(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.entrypoints.cli", "doctor", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
        )
