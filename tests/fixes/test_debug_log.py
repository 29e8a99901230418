"""Terraform's debug log in a failure's evidence: the lines around the error, with every credential cut out.

First the excerpt on planted lines in the shapes Terraform's S3 backend (aws-sdk-go-v2's structured fields) and
HashiCorp's AWS provider 3.39 (aws-sdk-go's request dumps) write; then for real: a plan that fails with HTTP 403 on
the emulator, whose debug log holds the identity's access key id in a SigV4 header.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from failure_corpus import corpus_loop, state_only_identity

from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.adapters.sqlstore import SqlStore
from bot.domain.fixes.debug_log import MAX_EXCERPT_CHARS, log_excerpt, redact_log_line
from bot.domain.fixes.evidence import evidence_text
from bot.domain.fixes.failure_classes import classify
from bot.domain.models import Project
from bot.services.fix_evidence import evidence_for, reproduce_failure
from bot.services.fix_requests import record_person_must_act
from bot.tools.filesystem_repo import FileSystemRepo

KEY_ID = "AKIAPLANTEDKEY123456"
SIGNATURE = "b6ab9c5c5ea15fb3f6223315e646566aa56bbb83eb80429326a65c7c6f258248"
TOKEN = "FwoGZXIvYXdzEPLANTEDSESSIONTOKEN0123456789"
PLANTED = [
    "2026-12-03T17:02:36.841Z [DEBUG] backend-s3: HTTP Request Sent: rpc.method=ListObjectsV2 "
    f'http.request.header.authorization="AWS4-HMAC-SHA256 Credential={KEY_ID}/20261203/us-east-1/s3/aws4_request, '
    f'SignedHeaders=host;x-amz-date, Signature={SIGNATURE}" http.request.header.x_amz_security_token="{TOKEN}" '
    "http.method=GET",
    f"Authorization: AWS4-HMAC-SHA256 Credential={KEY_ID}/20261203/eu-west-1/iam/aws4_request, "
    f"SignedHeaders=content-length;content-type;host;x-amz-date, Signature={SIGNATURE}",
    f"X-Amz-Security-Token: {TOKEN}",
    f"Cookie: session={TOKEN}",
    f"GET /bucket/key?X-Amz-Credential={KEY_ID}%2F20261203&X-Amz-Signature={SIGNATURE} HTTP/1.1",
]


@pytest.mark.parametrize("line", PLANTED)
def test_credentials_are_cut_from_every_line(line: str) -> None:
    redacted = redact_log_line(line)
    assert KEY_ID not in redacted and SIGNATURE not in redacted and TOKEN not in redacted, redacted
    assert "***" in redacted


def test_the_excerpt_is_the_lines_around_the_errors_redacted_and_bounded() -> None:
    noise = [f"2026-12-03T17:00:00Z [TRACE] step {n}" for n in range(500)]
    failing = [*PLANTED, "[DEBUG] response: <Code>AccessDenied</Code>", "Error: error reading IAM Role: 403"]
    after = [f"2026-12-03T17:00:09Z [TRACE] after {n}" for n in range(50)]
    log = "\n".join([*noise, *failing, *after])
    excerpt = log_excerpt(log)
    assert "<Code>AccessDenied</Code>" in excerpt and "Error: error reading IAM Role" in excerpt
    assert "[TRACE] step 0\n" not in excerpt and "after 40" not in excerpt and len(excerpt) <= MAX_EXCERPT_CHARS
    assert KEY_ID not in excerpt and SIGNATURE not in excerpt and TOKEN not in excerpt
    assert log_excerpt("\n".join(noise)) == ""  # nothing failed: nothing to show
    huge = "\n".join(f"[ERROR] failure {n} " + "x" * 300 for n in range(200))
    assert len(log_excerpt(huge)) <= MAX_EXCERPT_CHARS and "failure 199" in log_excerpt(huge)


MAIN = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "3.39.0" }
  }
  backend "s3" {}
}

provider "aws" {
  region = "eu-west-1"
}

data "aws_iam_role" "ci" {
  name = "corpus-ci"
}
"""


@dataclass(frozen=True)
class AsIdentity(LocalAws):
    """The emulator, with Terraform run as another identity (its keys in the environment)."""

    keys: tuple[tuple[str, str], ...] = ()

    @property
    def env(self) -> dict[str, str]:
        return {**super().env, **dict(self.keys)}


@pytest.fixture
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        yield emulator


@pytest.mark.slow
def test_a_plan_denied_by_the_cloud_gets_a_redacted_debug_log(aws: LocalAws, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "stacks/read").mkdir(parents=True)
    (repo / "stacks/read/main.tf").write_text(MAIN)
    project = Project("stacks/read", "stacks/read")
    with (
        SqlStore.open(f"sqlite:///{tmp_path / 'olympus.db'}") as store,
        state_only_identity(aws, "") as keys,  # may use the state, may not read IAM: the plan's read is a 403
    ):
        identity = AsIdentity(aws.url, keys=tuple(keys.items()))
        loop = corpus_loop(store, identity, tmp_path / "cache", tmp_path / "state", scanned=False)
        failed = reproduce_failure(loop, repo, project)
        assert failed is not None and failed.step == "plan"
        assert classify(failed.step, failed.error).code == "access-denied"
        # Terraform's error says only "status code: 403"; the log says what was denied, and to whom.
        assert "not authorized to perform" not in failed.error
        assert "not authorized to perform: iam:GetRole" in failed.log, failed.log
        assert keys["AWS_ACCESS_KEY_ID"] not in failed.log and keys["AWS_SECRET_ACCESS_KEY"] not in failed.log
        assert "Response iam/GetRole Details" in failed.log and "Authorization: ***" in failed.log  # its SigV4 header
        assert not list((repo / "stacks/read").glob("*.log"))

        evidence = evidence_for("acme/infra", "infra/read", project, [], failed, FileSystemRepo(repo), "")
        assert "## Terraform's log near the error" in evidence_text(evidence)
        failure = classify(failed.step, failed.error)
        attempt_id = record_person_must_act(loop, "infra/read", project, failed.step, failure, log=failed.log)
        (kept,) = [a for a in store.fix_attempts() if a.id == attempt_id]
        assert "iam:GetRole" in kept.extra["log_excerpt"] and keys["AWS_ACCESS_KEY_ID"] not in str(kept.extra)
