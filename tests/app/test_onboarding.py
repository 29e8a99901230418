"""Installing the App opens the onboarding pull request with the copy-ready workflow, once per repository."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from app_driver import App

from bot.domain.plain_requests import REQUEST_LABEL
from bot.domain.repo_config import parse_repo_config
from bot.services.onboarding import (
    ISSUE_FORM_PATH,
    ONBOARDING_BRANCH,
    PLACEHOLDER_BACKEND,
    WORKFLOW_PATH,
    issue_form_text,
    workflow_text,
)

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


# GitHub's issue-forms syntax, as its docs state it (syntax-for-issue-forms, common-validation-errors-when-creating-
# issue-forms): the top-level keys it permits, the element types and the keys each may have.
_TOP_LEVEL = {"name", "description", "body", "assignees", "labels", "title", "projects", "type"}
_ELEMENT_KEYS = {"markdown": {"type", "attributes"}}
_FIELD_KEYS = {"type", "id", "attributes", "validations"}
_ATTRIBUTES = {
    "markdown": ({"value"}, {"value"}),
    "textarea": ({"label"}, {"label", "description", "placeholder", "value", "render"}),
    "input": ({"label"}, {"label", "description", "placeholder", "value"}),
    "dropdown": ({"label", "options"}, {"label", "description", "multiple", "options", "default"}),
    "checkboxes": ({"label", "options"}, {"label", "description", "options"}),
}


def issue_form_problems(form: Any) -> list[str]:
    """What GitHub would refuse in an issue form (top-level keys, body elements, ids, labels, dropdown options)."""
    problems: list[str] = []

    def text(value: Any) -> bool:
        return isinstance(value, str) and bool(value.strip())

    if not isinstance(form, dict):
        return ["the form is not a mapping"]
    problems += [f"{key!r} is not a permitted top-level key" for key in form if key not in _TOP_LEVEL]
    problems += [
        f"required top level key {key!r} is missing" for key in ("name", "description", "body") if key not in form
    ]
    problems += [
        f"{key!r} must be a non-empty string"
        for key in ("name", "description", "title")
        if key in form and not text(form[key])
    ]
    labels = form.get("labels", [])
    if not isinstance(labels, list) or not all(text(label) for label in labels) or len(set(labels)) != len(labels):
        problems.append("labels must be a list of distinct non-empty strings")
    body = form.get("body")
    if not isinstance(body, list) or not body:
        return [*problems, "body must be a non-empty list"]
    ids: list[str] = []
    field_labels: list[str] = []
    for index, element in enumerate(body):
        kind = element.get("type") if isinstance(element, dict) else None
        if kind not in _ATTRIBUTES:
            problems.append(f"body[{index}]: type {kind!r} is not one of {sorted(_ATTRIBUTES)}")
            continue
        allowed = _ELEMENT_KEYS.get(kind, _FIELD_KEYS)
        problems += [f"body[{index}]: {key!r} is not permitted for {kind}" for key in element if key not in allowed]
        attributes = element.get("attributes")
        if not isinstance(attributes, dict):
            problems.append(f"body[{index}]: attributes are missing")
            continue
        required, permitted = _ATTRIBUTES[kind]
        problems += [f"body[{index}]: attributes.{key} is missing" for key in required if key not in attributes]
        problems += [f"body[{index}]: attributes.{key} is not permitted" for key in attributes if key not in permitted]
        problems += [
            f"body[{index}]: attributes.{key} must be a non-empty string"
            for key in ("label", "value")
            if key in attributes and not text(attributes[key])
        ]
        if "id" in element:
            if not isinstance(element["id"], str) or not re.fullmatch(r"[A-Za-z0-9_-]+", element["id"]):
                problems.append(f"body[{index}]: id may only use letters, digits, - and _")
            ids.append(str(element["id"]))
        if kind != "markdown":
            field_labels.append(str(attributes.get("label")))
        if kind == "dropdown":
            options = attributes.get("options")
            if not isinstance(options, list) or not options or not all(text(option) for option in options):
                problems.append(f"body[{index}]: options must be a non-empty list of strings")
            elif len(set(options)) != len(options) or any(option.strip().lower() == "none" for option in options):
                problems.append(f"body[{index}]: options must be distinct, and None is reserved")
        validations = element.get("validations", {})
        if not isinstance(validations, dict) or set(validations) - {"required"}:
            problems.append(f"body[{index}]: validations may only say required")
        elif not isinstance(validations.get("required", False), bool):
            problems.append(f"body[{index}]: validations.required must be true or false")
    if not field_labels:
        problems.append("body must contain at least one non-markdown field")
    if len(set(ids)) != len(ids):
        problems.append("body ids must be unique")
    if len(set(field_labels)) != len(field_labels):
        problems.append("body labels must be unique")
    return problems


def test_the_issue_form_follows_githubs_issue_forms_syntax() -> None:
    form = yaml.safe_load(issue_form_text())
    assert issue_form_problems(form) == []
    assert form["labels"] == [REQUEST_LABEL]
    request, environment, cloud = [element for element in form["body"] if element["type"] != "markdown"]
    assert (request["type"], request["attributes"]["label"], request["validations"]) == (
        "textarea",
        "What do you need?",
        {"required": True},
    )
    assert (environment["type"], environment["attributes"]["options"]) == ("dropdown", ["dev", "staging", "prod"])
    assert (cloud["type"], cloud["attributes"]["options"]) == ("dropdown", ["aws", "gcp"])


def test_the_issue_form_check_sees_what_github_refuses() -> None:
    """The check above is only as good as what it catches: each broken rule is named."""
    form = yaml.safe_load(issue_form_text())
    broken = copy.deepcopy(form)
    del broken["name"]
    broken["hello"] = "world"
    broken["body"][2]["attributes"]["options"] = ["dev", "dev", "None"]
    broken["body"][3]["id"] = "request"
    broken["body"][1]["validations"] = {"required": "yes"}
    broken["body"][0]["validations"] = {"required": True}
    assert issue_form_problems(broken) == [
        "'hello' is not a permitted top-level key",
        "required top level key 'name' is missing",
        "body[0]: 'validations' is not permitted for markdown",
        "body[1]: validations.required must be true or false",
        "body[2]: options must be distinct, and None is reserved",
        "body ids must be unique",
    ]
    # Unquoted yes/no/on/off are YAML booleans, not options.
    assert issue_form_problems(
        {**form, "body": [{"type": "dropdown", "attributes": {"label": "x", "options": [True]}}]}
    )


@pytest.mark.slow
def test_installing_the_app_opens_one_onboarding_pull_request_per_repository(
    fixtures_dir: Path, fake_github: Any, tmp_path: Path
) -> None:
    fake = fake_github
    env_backend = 'terraform {\n  backend "s3" {}\n}\n'
    fake.add_repo("octo-org/infra", files={"main.tf": "# infra\n", "infra/aws/envs/dev/backend.tf": env_backend})
    fake.add_repo("octo-org/onboarded", files={WORKFLOW_PATH: "# ours already\n"})
    fake.add_repo("octo-org/later", files={"README.md": "# later\n", ISSUE_FORM_PATH: "# the team's own form\n"})
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
    assert proposed[ISSUE_FORM_PATH] == issue_form_text()
    # Where state lives, as `olympus init` writes it: the settings once, and the env's partial-backend file.
    assert parse_repo_config(proposed[".olympus.yaml"]).backend == PLACEHOLDER_BACKEND  # type: ignore[union-attr]
    backend_hcl = proposed["infra/aws/envs/dev/backend.hcl"]
    assert f'bucket  = "{PLACEHOLDER_BACKEND.bucket}"' in backend_hcl
    assert 'key     = "infra/aws/envs/dev/terraform.tfstate"' in backend_hcl
    assert "backend.hcl" not in proposed  # the root module has no backend block to fill
    body = fake.repo("octo-org/infra").issues[pull.number].body
    assert "olympus doctor --print-trust-policy --repo octo-org/infra" in body
    assert PLACEHOLDER_BACKEND.bucket in body and "backend.hcl" in body
    assert ISSUE_FORM_PATH in body and f"`{REQUEST_LABEL}`" in body
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
    (later,) = fake.repo("octo-org/later").pulls.values()
    assert fake.repo("octo-org/later").git.files_at(later.head_sha)[ISSUE_FORM_PATH] == "# the team's own form\n"
    assert fake.violations == []
