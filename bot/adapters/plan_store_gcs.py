"""The plan store in a Google Cloud Storage bucket, through google-cloud-storage (STORAGE_EMULATOR_HOST for tests)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.adapters.plan_store import (
    HASH_FILE,
    PLAN_FILE,
    PLAN_JSON,
    PlanKey,
    PlanStoreError,
    StoredPlan,
    checked_source,
    hash_lines,
    missing_plan,
    parse_hash_lines,
    verify,
)


class GcsPlanStore:
    """A Google Cloud Storage bucket and prefix, through google-cloud-storage's standard configuration.

    The default client is `storage.Client()`: application default credentials (in the Action, the workload
    identity federation credential file named by GOOGLE_APPLICATION_CREDENTIALS, which google-auth's identity_pool
    reads) and their project. With STORAGE_EMULATOR_HOST set, the client talks to that emulator instead, with
    anonymous credentials of its own accord, so local runs and tests need no Google account.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        client: Any = None,
        retry_seconds: float = 120.0,
        credentials: Mapping[str, str] | None = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._client = client
        self._token = (credentials or {}).get("GOOGLE_OAUTH_ACCESS_TOKEN", "")
        # How long connection failures, 429 and 5xx answers are retried (120 s is google-cloud-storage's default).
        self.retry_seconds = retry_seconds

    @property
    def client(self) -> Any:
        if self._client is None:
            from google.cloud import storage

            if self._token:
                # The job's exchanged workload identity token, the one the google provider gets; project=None
                # because a bucket's objects need none (and inferring one would look for other credentials).
                from google.oauth2.credentials import Credentials

                self._client = storage.Client(project=None, credentials=Credentials(self._token))  # type: ignore[no-untyped-call]
            else:
                self._client = storage.Client()
        return self._client

    @property
    def _retry(self) -> Any:
        from google.cloud.storage.retry import DEFAULT_RETRY

        return DEFAULT_RETRY.with_timeout(self.retry_seconds)

    def _key(self, key: PlanKey, name: str) -> str:
        return "/".join(p for p in (self.prefix, key.prefix, name) if p)

    def _location(self, key: PlanKey) -> str:
        return f"gs://{self.bucket}/{self._key(key, '')}"

    def store(self, key: PlanKey, plan_file: Path, plan_json: Path, sha256: str) -> str:
        from google.api_core.exceptions import NotFound

        json_sha256 = checked_source(plan_file, plan_json, sha256)
        location = self._location(key)
        with self._reaching(location, "write"):
            bucket = self.client.bucket(self.bucket)
            try:
                for name, path in ((PLAN_FILE, plan_file), (PLAN_JSON, plan_json)):
                    bucket.blob(self._key(key, name)).upload_from_filename(str(path), retry=self._retry)
                # Written last: a hash file present means both files were written before it.
                bucket.blob(self._key(key, HASH_FILE)).upload_from_string(
                    hash_lines(sha256, json_sha256), content_type="text/plain", retry=self._retry
                )
            except NotFound:
                raise self._no_bucket(location) from None
        return location

    def fetch(self, key: PlanKey, into: Path, expected_sha256: str | None = None) -> StoredPlan:
        from google.api_core.exceptions import Forbidden, NotFound

        location = self._location(key)
        into.mkdir(parents=True, exist_ok=True)
        fetched = StoredPlan(into / PLAN_FILE, into / PLAN_JSON, "", location)
        with self._reaching(location, "read"):
            bucket = self.client.bucket(self.bucket)
            reading = HASH_FILE
            try:
                body = bucket.blob(self._key(key, HASH_FILE)).download_as_bytes(retry=self._retry)
                recorded = parse_hash_lines(body.decode("utf-8", "replace"), location)
                for reading, path in ((PLAN_FILE, fetched.plan_path), (PLAN_JSON, fetched.json_path)):
                    bucket.blob(self._key(key, reading)).download_to_filename(str(path), retry=self._retry)
            except NotFound:
                fetched.plan_path.unlink(missing_ok=True)
                fetched.json_path.unlink(missing_ok=True)
                # A missing object and a missing bucket both answer 404; only the first means "plan again".
                try:
                    next(iter(bucket.list_blobs(max_results=1, retry=self._retry)), None)
                except NotFound:
                    raise self._no_bucket(location) from None
                except Forbidden:
                    pass  # may read objects but not list them: the object is what is missing
                raise missing_plan(location, reading) from None
        fetched = StoredPlan(fetched.plan_path, fetched.json_path, recorded[PLAN_FILE], location)
        return verify(fetched, recorded, expected_sha256)

    def _no_bucket(self, location: str) -> PlanStoreError:
        return PlanStoreError(
            "plan-store-unreachable",
            f"could not reach {location}: the bucket {self.bucket} does not exist",
            "check the plan-store setting (gs://BUCKET/PREFIX names an existing bucket)",
        )

    @contextmanager
    def _reaching(self, location: str, doing: str) -> Iterator[None]:
        """Credential, API and connection errors as plan-store-unreachable, with the fix; never a traceback."""
        from google.api_core.exceptions import GoogleAPIError
        from google.auth.exceptions import GoogleAuthError
        from google.cloud.storage.exceptions import DataCorruption
        from requests import RequestException

        try:
            yield
        except GoogleAuthError as error:
            raise PlanStoreError(
                "plan-store-unreachable",
                f"could not {doing} {location}: no usable Google credentials ({self._why(error)})",
                "give the job application default credentials: GOOGLE_APPLICATION_CREDENTIALS naming a workload "
                "identity federation credential file (or STORAGE_EMULATOR_HOST for a local emulator)",
            ) from None
        except (GoogleAPIError, RequestException, DataCorruption) as error:
            raise PlanStoreError(
                "plan-store-unreachable",
                f"could not {doing} {location}: {self._why(error)}",
                f"check the plan-store setting and that the job's Google identity may {doing} objects in that "
                "bucket (STORAGE_EMULATOR_HOST, when set, must name a running emulator)",
            ) from None

    def _why(self, error: Exception) -> str:
        """The reason in a line: after retries, the last error; for a connection, the system's word for it."""
        from google.api_core.exceptions import RetryError

        last = error.cause if isinstance(error, RetryError) else None
        gave_up = isinstance(last, Exception)
        text = str(last if gave_up else error)
        system = re.search(r"\[Errno -?\d+\][^'\")]*", text)  # "[Errno 111] Connection refused"
        lines = text.strip().splitlines()
        why = system.group(0) if system else lines[0][:300] if lines else type(error).__name__
        return f"{why} (retried for {self.retry_seconds:g} s)" if gave_up else why
