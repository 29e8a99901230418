"""The doctor's AWS: moto's IAM over HTTP on loopback, reached through AWS_ENDPOINT_URL with dummy credentials."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from doctor_emulator import ISSUER, ROOT, Emulator


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    # Only what the command needs: no real AWS profile, no GitHub token leaks in from the developer's shell.
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "PYTHONPATH": str(ROOT),
    }
    emulator = Emulator(url, env)
    iam = emulator.iam()
    # The subprocess signs with an access key of a user in ACCOUNT, which is how moto knows its account.
    iam.create_user(UserName="olympus-doctor")
    key = iam.create_access_key(UserName="olympus-doctor")["AccessKey"]
    env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = key["AccessKeyId"], key["SecretAccessKey"]
    iam.create_open_id_connect_provider(
        Url=f"https://{ISSUER}", ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40]
    )
    try:
        yield emulator
    finally:
        server.stop()
