"""What a project's sensitive variables are known to hold before a plan, and how Terraform's output is redacted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bot.adapters.terraform import TerraformCli, TerraformError
from bot.domain.sensitive import PLACEHOLDER, SensitiveValues
from bot.services.context import Loop
from bot.services.sensitive_inputs import configured_secrets, saved_plan_secrets
from bot.services.terraform_steps import run_step

VARIABLES_TF = """
variable "db_password" {
  type      = string
  sensitive = true
}

variable "api_keys" {
  type      = list(string)
  sensitive = true
  default   = ["default-key-1"]
}

variable "tls_key" {
  sensitive = true
}

variable "from_env" {
  sensitive = true
}

variable "region" {
  default = "eu-west-1"
}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "variables.tf").write_text(VARIABLES_TF)
    (tmp_path / "terraform.tfvars").write_text('db_password = "from-tfvars"\nregion = "eu-central-1"\n')
    (tmp_path / "prod.auto.tfvars").write_text("tls_key = <<-EOT\n  -----BEGIN KEY-----\n  MIIEowIBAAK\n  EOT\n")
    (tmp_path / "keys.auto.tfvars.json").write_text(json.dumps({"api_keys": ["json-key-2"]}))
    (tmp_path / "unread.tfvars").write_text('db_password = "only-with-var-file"\n')  # not loaded by itself
    return tmp_path


def test_values_of_sensitive_variables_from_every_source_terraform_reads(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TF_VAR_from_env", "from-our-environment")
    sensitive = configured_secrets(project, {"TF_VAR_api_keys": '["env-key-3"]'})
    text = (
        "from-tfvars default-key-1 json-key-2 env-key-3 from-our-environment MIIEowIBAAK "
        "only-with-var-file eu-central-1"
    )
    assert sensitive.redact(text) == " ".join([PLACEHOLDER] * 6) + " only-with-var-file eu-central-1"


def test_a_project_without_sensitive_variables_knows_no_secrets(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "region" {\n  default = "eu-west-1"\n}\n')
    (tmp_path / "terraform.tfvars").write_text('region = "eu-west-1"\n')
    assert not configured_secrets(tmp_path)


def test_files_terraform_would_refuse_are_skipped(project: Path) -> None:
    (project / "broken.tf").write_text('variable "x" {\n  sensitive = true\n')
    (project / "bad.auto.tfvars").write_text("db_password = \n")
    (project / "bad.auto.tfvars.json").write_text("{")
    assert configured_secrets(project).redact("from-tfvars") == PLACEHOLDER


def test_a_saved_plan_json_gives_its_marked_values(tmp_path: Path) -> None:
    plan = {
        "format_version": "1.2",
        "planned_values": {"outputs": {"token": {"sensitive": True, "value": "plan-token-value"}}},
        "resource_changes": [],
    }
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    assert saved_plan_secrets(tmp_path / "plan.json").redact("plan-token-value") == PLACEHOLDER
    assert not saved_plan_secrets(tmp_path / "missing.json")


# A stand-in for terraform: prints a secret on both streams, then fails.
_LOUD = "import sys\nprint('plan says s3cr3t-value')\nprint('error: s3cr3t-value', file=sys.stderr)\nsys.exit(1)\n"


def test_run_step_redacts_progress_and_errors_and_never_echoes_when_told(tmp_path: Path) -> None:
    lines: list[str] = []
    script = tmp_path / "loud.py"
    script.write_text(_LOUD)
    loop = Loop(
        store=None,
        terraform=TerraformCli((sys.executable, str(script)), "loud"),
        scanners=[],
        actor="a",
        cache_dir=tmp_path,
        state_dir=tmp_path,
        repo_id="r",
        progress=lines.append,
    )
    secret = SensitiveValues.of("s3cr3t-value")
    with pytest.raises(TerraformError) as raised:
        run_step(loop, tmp_path, {}, ["plan"], secret)
    assert sorted(lines) == [f"error: {PLACEHOLDER}", f"plan says {PLACEHOLDER}"]
    assert "s3cr3t" not in str(raised.value) and f"plan says {PLACEHOLDER}" in str(raised.value)

    lines.clear()
    with pytest.raises(TerraformError) as raised:
        run_step(loop, tmp_path, {}, ["show"], secret, echo=False)
    assert lines == []
    assert "plan says" not in str(raised.value)  # `show -json`'s output is never quoted, even redacted
    assert f"error: {PLACEHOLDER}" in str(raised.value)
