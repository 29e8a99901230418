"""The App's door for `/infra update`: a comment on an issue opens the PR that edits the module call in place."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_driver import REPO, App, seed_files
from fakes.memory_repo import MemoryRepo

from bot.adapters.local_aws import InProcessEmulator, LocalAws
from bot.changes.terraform import propose
from bot.domain.models import ChangeSet, Cloud, ResourceKind, ResourceRequest

pytestmark = pytest.mark.slow

CALL = "infra/aws/envs/dev/s3_bucket_logs_archive.tf"


@pytest.fixture
def aws() -> Iterator[LocalAws]:
    with InProcessEmulator() as emulator:
        yield emulator


def with_bucket() -> dict[str, str]:
    """The demo's repository with bucket logs-archive merged, as Olympus's create wrote it."""
    files = seed_files()
    created = propose(MemoryRepo(files), ResourceRequest("create", Cloud.AWS, ResourceKind.BUCKET, "logs-archive"))
    assert isinstance(created, ChangeSet), created
    return {**files, **{file.path: file.content for file in created.files}}


def test_an_update_comment_opens_a_pull_request_that_edits_the_call(
    fixtures_dir: Path, fake_github: Any, aws: LocalAws, tmp_path: Path
) -> None:
    fake = fake_github
    files = with_bucket()
    repo = fake.add_repo(REPO, files=files)
    fake.set_permission(REPO, "bob", "write")
    app = App(fixtures_dir, fake, aws, tmp_path)

    issue = fake.create_issue(REPO, "Stop versioning the archive", "", "bob")
    app.comment(issue, "/infra update bucket logs-archive versioning=off", "bob", on_pull_request=False)

    [pr] = repo.pulls.values()
    assert pr.head_ref == "infra/update-bucket-logs-archive-dev"
    after = repo.files_at(pr.head_ref)[CALL]
    assert after == re.sub(r"(\n  versioning +=) true\n", r"\1 false\n", files[CALL]).replace(
        'module "s3_bucket_logs_archive" {\n',
        "# AVD-AWS-0090: versioning=off was requested\n#trivy:ignore:AVD-AWS-0090\n"
        'module "s3_bucket_logs_archive" {\n  #checkov:skip=CKV_AWS_21:versioning=off was requested\n',
    )
    replies = [c.body for c in repo.comments(issue) if c.user == fake.bot_login]
    assert any(
        f"Opened #{pr.number} for `/infra update bucket logs-archive versioning=off cloud=aws env=dev`" in reply
        for reply in replies
    ), replies

    # A bucket that is not there is refused on the issue, with the create that would make it.
    app.comment(issue, "/infra update bucket team-data versioning=off", "bob", on_pull_request=False)
    assert "/infra create bucket team-data env=dev" in repo.comments(issue)[-1].body
    assert len(repo.pulls) == 1
