"""LocalAws: the local AWS emulator (moto's HTTP server on loopback) and Terraform's remote state on it."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE_BUCKET = "olympus-tfstate"
LOCK_TABLE = "olympus-tflock"
REGION = "us-east-1"
# The emulator accepts any key; these are not secrets.
ACCESS_KEY = "olympus-sandbox"
SECRET_KEY = "olympus-sandbox"  # noqa: S105


class EmulatorError(Exception):
    """The local AWS emulator could not be started or reached."""


@dataclass(frozen=True)
class LocalAws:
    """An emulator endpoint: every AWS service answers at one loopback URL."""

    url: str
    # Which run of the emulator this is: its state (buckets, Terraform state) lives and dies with that run.
    instance: str = ""

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def ensure_state_backend(self) -> None:
        """Create the state bucket and lock table that Terraform's s3 backend expects, once."""
        s3 = self.client("s3")
        if STATE_BUCKET not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
            s3.create_bucket(Bucket=STATE_BUCKET)
            s3.put_bucket_versioning(Bucket=STATE_BUCKET, VersioningConfiguration={"Status": "Enabled"})
        dynamodb = self.client("dynamodb")
        if LOCK_TABLE not in dynamodb.list_tables().get("TableNames", []):
            dynamodb.create_table(
                TableName=LOCK_TABLE,
                KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )

    def bucket_names(self) -> list[str]:
        return sorted(b["Name"] for b in self.client("s3").list_buckets().get("Buckets", []))

    def is_alive(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=2):  # noqa: S310 - loopback URL we made
                return True
        except OSError:
            return False

    @property
    def env(self) -> dict[str, str]:
        """Environment for Terraform and boto3 so that nothing reaches real AWS."""
        return {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
        }


def _prepare_moto() -> None:
    # moto's server logs every request through werkzeug; the story and the tests do not want that noise.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # Generated code attaches AWS managed policies (AmazonSSMManagedInstanceCore, ...); moto knows them only when asked.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")


class InProcessEmulator:
    """A moto server on a thread of this process, for the demo and tests."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        _prepare_moto()

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)

    def __enter__(self) -> LocalAws:
        self._server.start()
        host, port = self._server.get_host_and_port()
        aws = LocalAws(f"http://{host}:{port}")
        # moto keeps one cloud per process, whichever server thread serves it: a new emulator starts from an empty
        # one, so nothing an earlier emulator of this process made (a bucket, a state file) shows up in its plans.
        reset = urllib.request.Request(f"{aws.url}/moto-api/reset", method="POST")  # noqa: S310 - loopback
        with urllib.request.urlopen(reset, timeout=10):  # noqa: S310 - the loopback URL just started
            pass
        aws.ensure_state_backend()
        return aws

    def __exit__(self, *exc: object) -> None:
        self._server.stop()


def ensure_background_emulator(state_file: Path) -> LocalAws:
    """Reuse the emulator recorded in state_file if it still answers, else start a detached one."""
    if state_file.is_file():
        recorded = json.loads(state_file.read_text())
        aws = LocalAws(recorded["url"], str(recorded.get("instance", "")))
        if aws.is_alive():
            return aws
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.unlink(missing_ok=True)
    log = open(state_file.with_suffix(".log"), "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.adapters.local_aws", str(state_file)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        start_new_session=True,  # outlives this command, like a local service
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if state_file.is_file():
            recorded = json.loads(state_file.read_text())
            aws = LocalAws(recorded["url"], str(recorded.get("instance", "")))
            aws.ensure_state_backend()
            return aws
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise EmulatorError(f"the local AWS emulator did not start; see {state_file.with_suffix('.log')}")


def stop_background_emulator(state_file: Path) -> bool:
    """Stop the detached emulator recorded in state_file; False when none was running."""
    if not state_file.is_file():
        return False
    pid = json.loads(state_file.read_text()).get("pid")
    state_file.unlink(missing_ok=True)
    if not pid:
        return False
    try:
        os.kill(int(pid), signal.SIGTERM)
    except ProcessLookupError:
        return False
    return True


def _serve_forever(state_file: Path) -> None:
    from moto.server import ThreadedMotoServer

    _prepare_moto()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    tmp = state_file.with_suffix(".tmp")
    instance = uuid.uuid4().hex
    tmp.write_text(json.dumps({"url": f"http://{host}:{port}", "pid": os.getpid(), "instance": instance}))
    tmp.replace(state_file)  # atomic: readers never see a half-written file

    def stop(*_: object) -> None:
        server.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    _serve_forever(Path(sys.argv[1]))
