"""Installing the App opens the onboarding pull request with the copy-ready workflow, once per repository."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from test_app_end_to_end import App

from bot.domain.repo_config import parse_repo_config
from bot.services.onboarding import ONBOARDING_BRANCH, PLACEHOLDER_BACKEND, WORKFLOW_PATH, workflow_text

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
    env_backend = 'terraform {\n  backend "s3" {}\n}\n'
    fake.add_repo("octo-org/infra", files={"main.tf": "# infra\n", "infra/aws/envs/dev/backend.tf": env_backend})
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
    proposed = fake.repo("octo-org/infra").git.files_at(pull.head_sha)
    assert proposed[WORKFLOW_PATH] == workflow_text()
    # Where state lives, as `olympus init` writes it: the settings once, and the env's partial-backend file.
    assert parse_repo_config(proposed[".olympus.yaml"]).backend == PLACEHOLDER_BACKEND  # type: ignore[union-attr]
    backend_hcl = proposed["infra/aws/envs/dev/backend.hcl"]
    assert f'bucket  = "{PLACEHOLDER_BACKEND.bucket}"' in backend_hcl
    assert 'key     = "infra/aws/envs/dev/terraform.tfstate"' in backend_hcl
    assert "backend.hcl" not in proposed  # the root module has no backend block to fill
    body = fake.repo("octo-org/infra").issues[pull.number].body
    assert "olympus doctor --print-trust-policy --repo octo-org/infra" in body
    assert PLACEHOLDER_BACKEND.bucket in body and "backend.hcl" in body
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
