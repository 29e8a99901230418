"""The plan store in an S3 bucket, through boto3 with the job's exchanged credentials or its standard configuration."""

from __future__ import annotations

from collections.abc import Mapping
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


class S3PlanStore:
    """An S3 bucket and prefix, through boto3's standard configuration (AWS_ENDPOINT_URL, AWS_REGION, ...)."""

    def __init__(
        self, bucket: str, prefix: str = "", *, client: Any = None, credentials: Mapping[str, str] | None = None
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._client = client
        self._credentials = dict(credentials or {})

    def __repr__(self) -> str:
        return f"S3PlanStore({self.bucket!r}, {self.prefix!r})"

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            # The job's exchanged role, when it has one: the same short-lived credentials Terraform gets.
            given = self._credentials
            options = {
                "aws_access_key_id": given.get("AWS_ACCESS_KEY_ID"),
                "aws_secret_access_key": given.get("AWS_SECRET_ACCESS_KEY"),
                "aws_session_token": given.get("AWS_SESSION_TOKEN"),
                "region_name": given.get("AWS_REGION"),
            }
            self._client = boto3.client("s3", **{k: v for k, v in options.items() if v})
        return self._client

    def _key(self, key: PlanKey, name: str) -> str:
        return "/".join(p for p in (self.prefix, key.prefix, name) if p)

    def _location(self, key: PlanKey) -> str:
        return f"s3://{self.bucket}/{self._key(key, '')}"

    def store(self, key: PlanKey, plan_file: Path, plan_json: Path, sha256: str) -> str:
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError

        json_sha256 = checked_source(plan_file, plan_json, sha256)
        try:
            for name, path in ((PLAN_FILE, plan_file), (PLAN_JSON, plan_json)):
                self.client.upload_file(str(path), self.bucket, self._key(key, name))
            # Written last: a hash file present means both files were written before it.
            self.client.put_object(
                Bucket=self.bucket, Key=self._key(key, HASH_FILE), Body=hash_lines(sha256, json_sha256).encode()
            )
        except (ClientError, BotoCoreError, S3UploadFailedError) as error:
            raise PlanStoreError(
                "plan-store-unreachable",
                f"could not write {self._location(key)}: {error}",
                "check the plan-store setting and that the job's role may write that bucket",
            ) from None
        return self._location(key)

    def fetch(self, key: PlanKey, into: Path, expected_sha256: str | None = None) -> StoredPlan:
        from botocore.exceptions import ClientError

        location = self._location(key)
        into.mkdir(parents=True, exist_ok=True)
        fetched = StoredPlan(into / PLAN_FILE, into / PLAN_JSON, "", location)
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key, HASH_FILE))["Body"].read()
            recorded = parse_hash_lines(body.decode("utf-8", "replace"), location)
            for name, path in ((PLAN_FILE, fetched.plan_path), (PLAN_JSON, fetched.json_path)):
                self.client.download_file(self.bucket, self._key(key, name), str(path))
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound"):
                raise missing_plan(location, "stored plan") from None
            raise PlanStoreError(
                "plan-store-unreachable",
                f"could not read {location}: {code or 'error'}",
                "check the plan-store setting and that the job's role may read that bucket",
            ) from None
        fetched = StoredPlan(fetched.plan_path, fetched.json_path, recorded[PLAN_FILE], location)
        return verify(fetched, recorded, expected_sha256)
