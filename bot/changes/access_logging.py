"""Server access logging between buckets: a log bucket receives the env's logs, other buckets send theirs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.changes.hcl_render import Reference
from bot.changes.layout import Layout
from bot.changes.locate import TfDir
from bot.domain.models import Cloud

# A bucket whose name says it holds logs receives the env's access logs (and does not log itself).
_LOG_WORDS = {"log", "logs", "logging", "accesslogs", "auditlogs"}
_LOG_OUTPUT = {Cloud.AWS: "bucket_id", Cloud.GCP: "bucket_name"}


@dataclass(frozen=True)
class AccessLogging:
    """The module arguments that wire a bucket's access logging, and a sentence for reviewers."""

    arguments: tuple[tuple[str, object], ...]
    note: str
    is_target: bool = False


def looks_like_log_bucket(name: str) -> bool:
    """ "logs-archive", "dev-access-logs", "audit.log": a name that says the bucket holds logs."""
    return bool(_LOG_WORDS & set(re.split(r"[-_.]", name)))


def access_logging(layout: Layout, env: TfDir) -> AccessLogging:
    """A log bucket receives the env's access logs; any other bucket logs to the env's log bucket, if it has one."""
    request = layout.request
    if looks_like_log_bucket(request.name):
        return AccessLogging(
            (("access_log_target", True),),
            f"Access logs: {request.name} is named as a log bucket, so it receives the server access logs of "
            f"the env's other buckets and does not log itself (logs of logs would loop). "
            + (
                "Log delivery writes only to SSE-S3 buckets, so it uses SSE-S3 instead of a KMS key. "
                if request.cloud is Cloud.AWS
                else ""
            )
            + "Existing buckets are not changed: set their module's access_log_bucket to start logging.",
            is_target=True,
        )
    log_buckets = sorted(
        block.labels[0]
        for _file, block in env.blocks("module")
        if block.labels
        and (source := block.attributes.get("source")) is not None
        and source.string() == layout.module_source
        and (flag := block.attributes.get("access_log_target")) is not None
        and flag.value is True
    )
    if log_buckets:
        reference = Reference(f"module.{log_buckets[0]}.{_LOG_OUTPUT[request.cloud]}")
        return AccessLogging(
            (("access_log_bucket", reference),),
            f"Access logs: written to the env's log bucket ({reference.expression}).",
        )
    return AccessLogging(
        (),
        f"Access logs: off — {request.env} has no log bucket yet. Ask for one (a bucket whose name contains "
        "`logs`) and later buckets log to it; the logging check is skipped inline with that reason.",
    )
