"""The gs:// plan store against gcp-storage-emulator on loopback: the real google-cloud-storage client over HTTP."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from gcp_storage_emulator.server import create_server
from google.cloud import storage
from test_plan_store import plan_files

from bot.adapters.plan_store import (
    PlanKey,
    PlanStoreError,
    open_plan_store,
)
from bot.adapters.plan_store_gcs import GcsPlanStore

BUCKET = "plans"
HEAD = "a" * 40
KEY = PlanKey("octo/infra", 7, HEAD, "gcp-dev")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    """gcp-storage-emulator as a real HTTP server on a free loopback port, with the bucket made; its URL."""
    port = free_port()
    server = create_server("127.0.0.1", port, in_memory=True, default_bucket=BUCKET)
    # Server.start() waits for its thread with no time limit, and a failed bind would leave it waiting for ever.
    starter = threading.Thread(target=server.start, daemon=True)
    starter.start()
    starter.join(timeout=15)
    url = f"http://127.0.0.1:{port}"
    try:
        if starter.is_alive():
            raise RuntimeError(f"gcp-storage-emulator did not start on 127.0.0.1:{port} within 15 s")
        with urllib.request.urlopen(f"{url}/storage/v1/b/{BUCKET}", timeout=10) as answer:
            if json.load(answer).get("name") != BUCKET:
                raise RuntimeError(f"gcp-storage-emulator at {url} does not serve the bucket {BUCKET}")
        yield url
    finally:
        server.stop()


@pytest.fixture
def gcs_env(emulator: str, monkeypatch: pytest.MonkeyPatch) -> str:
    # google-cloud-storage's standard configuration, as in a job: STORAGE_EMULATOR_HOST points the client at the
    # emulator, and the client then uses anonymous credentials by itself.
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator)
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CLOUD_PROJECT", "API_ENDPOINT_OVERRIDE"):
        monkeypatch.delenv(name, raising=False)
    return emulator


@pytest.fixture
def bucket(gcs_env: str) -> Any:
    """The bucket through a client of its own: someone other than the store, reading and changing objects."""
    return storage.Client().bucket(BUCKET)


def gcs_store(tmp_path: Path, spec: str | None = None) -> GcsPlanStore:
    store = open_plan_store(spec or f"gs://{BUCKET}/t/{tmp_path.name}", tmp_path / "default")
    assert isinstance(store, GcsPlanStore)
    return store


def object_name(tmp_path: Path, name: str) -> str:
    return f"t/{tmp_path.name}/{KEY.prefix}/{name}"


def test_a_stored_plan_comes_back_with_its_hash(tmp_path: Path, bucket: Any) -> None:
    plan, json_path, digest = plan_files(tmp_path)
    store = gcs_store(tmp_path)
    location = store.store(KEY, plan, json_path, digest)
    assert location == f"gs://{BUCKET}/t/{tmp_path.name}/{KEY.prefix}"

    # In the bucket: both files and the hash file in `sha256sum` format, the hash file written last.
    blobs = {blob.name.rsplit("/", 1)[1]: blob for blob in bucket.list_blobs(prefix=f"t/{tmp_path.name}/")}
    assert set(blobs) == {"plan.tfplan", "plan.json", "plan.sha256"}
    generation = {name: int(blob.generation) for name, blob in blobs.items()}  # a timestamp, as on GCS
    assert generation["plan.sha256"] > max(generation["plan.tfplan"], generation["plan.json"])
    json_digest = hashlib.sha256(json_path.read_bytes()).hexdigest()
    assert blobs["plan.sha256"].download_as_text() == f"{digest}  plan.tfplan\n{json_digest}  plan.json\n"
    assert blobs["plan.tfplan"].download_as_bytes() == plan.read_bytes()

    fetched = store.fetch(KEY, tmp_path / "fetched", expected_sha256=digest)
    assert fetched.sha256 == digest
    assert fetched.location == location
    assert fetched.plan_path == tmp_path / "fetched" / "plan.tfplan"
    assert fetched.plan_path.read_bytes() == plan.read_bytes()
    assert fetched.json_path.read_text() == json_path.read_text()


def test_a_missing_plan_is_refused(tmp_path: Path, bucket: Any) -> None:
    plan, json_path, digest = plan_files(tmp_path)
    store = gcs_store(tmp_path)
    store.store(KEY, plan, json_path, digest)
    bucket.blob(object_name(tmp_path, "plan.json")).delete()

    with pytest.raises(PlanStoreError) as refused:
        store.fetch(KEY, tmp_path / "fetched")
    assert refused.value.reference == "plan-file-missing"
    assert refused.value.message == f"no plan.json at gs://{BUCKET}/t/{tmp_path.name}/{KEY.prefix}"
    # Nothing half-fetched is left for the apply to pick up.
    assert not (tmp_path / "fetched" / "plan.tfplan").exists()
    assert not (tmp_path / "fetched" / "plan.json").exists()

    other_commit = PlanKey("octo/infra", 7, "b" * 40, "gcp-dev")
    with pytest.raises(PlanStoreError) as refused:
        store.fetch(other_commit, tmp_path / "fetched")
    assert refused.value.reference == "plan-file-missing"
    assert refused.value.message.startswith("no plan.sha256 at ")


def test_an_altered_plan_is_refused(tmp_path: Path, bucket: Any) -> None:
    plan, json_path, digest = plan_files(tmp_path)
    store = gcs_store(tmp_path)
    store.store(KEY, plan, json_path, digest)
    bucket.blob(object_name(tmp_path, "plan.tfplan")).upload_from_string(b"PK\x03\x04 another plan")

    with pytest.raises(PlanStoreError) as refused:
        store.fetch(KEY, tmp_path / "fetched")
    assert refused.value.reference == "plan-file-altered"
    assert "recorded beside it" in refused.value.message
    assert not (tmp_path / "fetched" / "plan.tfplan").exists()


def test_an_altered_hash_file_is_refused(tmp_path: Path, bucket: Any) -> None:
    plan, json_path, digest = plan_files(tmp_path)
    store = gcs_store(tmp_path)
    store.store(KEY, plan, json_path, digest)
    hash_file = bucket.blob(object_name(tmp_path, "plan.sha256"))
    json_digest = hashlib.sha256(json_path.read_bytes()).hexdigest()

    # Well-formed, but recording another plan file's hash: the stored plan no longer matches it.
    hash_file.upload_from_string(f"{'0' * 64}  plan.tfplan\n{json_digest}  plan.json\n")
    with pytest.raises(PlanStoreError) as refused:
        store.fetch(KEY, tmp_path / "fetched")
    assert refused.value.reference == "plan-file-altered"
    assert f"not the {'0' * 64} recorded beside it" in refused.value.message

    # Not a hash file at all.
    hash_file.upload_from_string("edited by hand\n")
    with pytest.raises(PlanStoreError) as refused:
        store.fetch(KEY, tmp_path / "fetched2")
    assert refused.value.reference == "plan-hash-unreadable"


def test_a_plan_that_is_not_the_reviewed_one_is_refused(tmp_path: Path, gcs_env: str) -> None:
    plan, json_path, digest = plan_files(tmp_path)
    store = gcs_store(tmp_path)
    store.store(KEY, plan, json_path, digest)
    with pytest.raises(PlanStoreError) as refused:
        store.fetch(KEY, tmp_path / "fetched", expected_sha256="0" * 64)
    assert refused.value.reference == "plan-file-altered"
    assert f"not the reviewed {'0' * 64}" in refused.value.message


def test_a_plan_changed_before_storing_is_not_stored(tmp_path: Path, bucket: Any) -> None:
    plan, json_path, digest = plan_files(tmp_path)
    plan.write_bytes(b"changed after the plan")
    with pytest.raises(PlanStoreError) as refused:
        gcs_store(tmp_path).store(KEY, plan, json_path, digest)
    assert refused.value.reference == "plan-file-altered"
    assert list(bucket.list_blobs(prefix=f"t/{tmp_path.name}/")) == []


def assert_unreachable(refused: pytest.ExceptionInfo[PlanStoreError], *words: str) -> None:
    assert refused.value.reference == "plan-store-unreachable"
    for word in words:
        assert word in refused.value.message or word in refused.value.hint, (word, str(refused.value))
    # Raised `from None`: the command shows the message and its fix, not the client library's traceback.
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


def test_a_bucket_that_does_not_exist_is_unreachable_not_missing(tmp_path: Path, gcs_env: str) -> None:
    plan, json_path, digest = plan_files(tmp_path)
    store = gcs_store(tmp_path, "gs://no-such-bucket/plans")
    with pytest.raises(PlanStoreError) as refused:
        store.fetch(KEY, tmp_path / "fetched")
    assert_unreachable(refused, "gs://no-such-bucket/plans/octo/infra", "does not exist", "plan-store setting")
    with pytest.raises(PlanStoreError) as refused:
        store.store(KEY, plan, json_path, digest)
    assert_unreachable(refused, "does not exist")


def test_an_emulator_that_is_not_running_is_unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    plan, json_path, digest = plan_files(tmp_path)
    store = gcs_store(tmp_path)
    store.retry_seconds = 1.0  # connection failures are retried; not for the default two minutes here
    with pytest.raises(PlanStoreError) as refused:
        store.fetch(KEY, tmp_path / "fetched")
    assert_unreachable(refused, "could not read", "Connection refused", "STORAGE_EMULATOR_HOST")
    with pytest.raises(PlanStoreError) as refused:
        store.store(KEY, plan, json_path, digest)
    assert_unreachable(refused, "could not write")


class _Forbidding(BaseHTTPRequestHandler):
    """Answers every request as GCS does to an identity without the permission."""

    def _forbid(self) -> None:
        body = json.dumps({"error": {"code": 403, "message": "anonymous caller does not have storage.objects.get"}})
        self.send_response(403)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST = do_PUT = _forbid

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_bucket_the_job_may_not_read_is_unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Forbidding)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{server.server_port}")
        with pytest.raises(PlanStoreError) as refused:
            gcs_store(tmp_path).fetch(KEY, tmp_path / "fetched")
    finally:
        server.shutdown()
        server.server_close()
    assert_unreachable(refused, "403", "may read objects")


def test_no_google_credentials_is_said_plainly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Application default credentials are looked up when the store first talks to the bucket; a credential file
    # that is not there fails at once, before any request.
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "no-such-credentials.json"))
    store = gcs_store(tmp_path)
    with pytest.raises(PlanStoreError) as refused:
        store.fetch(KEY, tmp_path / "fetched")
    assert_unreachable(refused, "no usable Google credentials", "GOOGLE_APPLICATION_CREDENTIALS")


def test_gs_plan_store_settings(tmp_path: Path) -> None:
    store = open_plan_store("gs://bucket/some/prefix/", tmp_path)
    assert isinstance(store, GcsPlanStore) and (store.bucket, store.prefix) == ("bucket", "some/prefix")
    bare = open_plan_store("gs://bucket", tmp_path)
    assert isinstance(bare, GcsPlanStore) and (bare.bucket, bare.prefix) == ("bucket", "")
    with pytest.raises(PlanStoreError) as refused:
        open_plan_store("gs://", tmp_path)
    assert refused.value.reference == "bad-plan-store"


def test_the_gcs_store_uses_the_jobs_exchanged_token(tmp_path: Path, bucket: Any) -> None:
    # The workload identity token the job exchanged, the one the google provider gets: no credential file.
    store = open_plan_store(
        f"gs://{BUCKET}/t/{tmp_path.name}", tmp_path, {"GOOGLE_OAUTH_ACCESS_TOKEN": "ya29.exchanged"}
    )
    assert isinstance(store, GcsPlanStore)
    assert store.client._credentials.token == "ya29.exchanged"
    plan, json_path, digest = plan_files(tmp_path)
    store.store(KEY, plan, json_path, digest)
    assert store.fetch(KEY, tmp_path / "fetched", expected_sha256=digest).sha256 == digest
