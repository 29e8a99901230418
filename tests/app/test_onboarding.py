"""Installing the App opens the onboarding pull request with the copy-ready workflow, once per repository."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from test_app_end_to_end import App

from bot.services.onboarding import ONBOARDING_BRANCH, WORKFLOW_PATH, workflow_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = "github-webhooks/payload-examples/api.github.com"


def installation_payload(fixtures_dir: Path, name: str, key: str, installation_id: int, repos: list[str]) -> Any:
    payload = copy.deepcopy(json.loads((fixtures_dir / EXAMPLES / name).read_text()))
    payload["installation"]["id"] = installation_id
    template = payload[key][0]
    payload[key] = [{**template, "full_name": r, "name": r.split("/")[1]} for r in repos]
    return payload


def test_the_shipped_workflow_is_the_copy_ready_one() -> None:
    assert workflow_text() == (ROOT / "workflows/olympus.yml").read_text()


@pytest.mark.slow
def test_installing_the_app_opens_one_onboarding_pull_request_per_repository(
    fixtures_dir: Path, fake_github: Any, tmp_path: Path
) -> None:
    fake = fake_github
    fake.add_repo("octo-org/infra", files={"main.tf": "# infra\n"})
    fake.add_repo("octo-org/onboarded", files={WORKFLOW_PATH: "# ours already\n"})
    fake.add_repo("octo-org/later", files={"README.md": "# later\n"})
    app = App(fixtures_dir, fake, None, tmp_path)  # type: ignore[arg-type]

    created = installation_payload(
        fixtures_dir,
        "installation/created.payload.json",
        "repositories",
        fake.installation_id,
        ["octo-org/infra", "octo-org/onboarded"],
    )
    app.deliver("installation", created)
    (pull,) = fake.repo("octo-org/infra").pulls.values()
    assert pull.head_ref == ONBOARDING_BRANCH and pull.base_ref == "main"
    assert fake.repo("octo-org/infra").git.files_at(pull.head_sha)[WORKFLOW_PATH] == workflow_text()
    body = fake.repo("octo-org/infra").issues[pull.number].body
    assert "olympus doctor --print-trust-policy --repo octo-org/infra" in body
    assert not fake.repo("octo-org/onboarded").pulls  # it has the workflow: nothing to propose

    # Delivered again (GitHub redelivers), and a repository added later: still one PR each.
    app.deliver("installation", created)
    added = installation_payload(
        fixtures_dir,
        "installation_repositories/added.payload.json",
        "repositories_added",
        fake.installation_id,
        ["octo-org/later"],
    )
    app.deliver("installation_repositories", added)
    assert len(fake.repo("octo-org/infra").pulls) == 1
    assert len(fake.repo("octo-org/later").pulls) == 1
    assert fake.violations == []
