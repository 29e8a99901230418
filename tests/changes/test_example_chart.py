"""The example chart Olympus ships passes `helm lint --strict`, renders valid, secure objects that Checkov passes, and
its values.schema.json and AppProject refuse what they should."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from helm_tools import helm_or_fail

from bot.adapters.helm import HelmCli
from bot.adapters.tool_paths import ToolMissing, locate_checkov, offline_env
from bot.changes.helm.example_chart import EXAMPLE_CHART_DIR, EXAMPLE_PROJECT_FILE, example_chart_files
from bot.errors import UserError

KUBE_VERSION = "1.29.0"
RENDERED_KINDS = {"Deployment", "Service", "ServiceAccount", "HorizontalPodAutoscaler"}
# Checkov has no severities offline (they come from Prisma Cloud's API), so no "no HIGH finding" can be asserted.
# Instead: these checks, the ones that keep a compromised or broken pod contained, must each run and pass.
ESSENTIAL_CHECKS = {
    "CKV_K8S_8": "liveness probe",
    "CKV_K8S_9": "readiness probe",
    "CKV_K8S_10": "CPU requests",
    "CKV_K8S_11": "CPU limits",
    "CKV_K8S_12": "memory requests",
    "CKV_K8S_13": "memory limits",
    "CKV_K8S_14": "image tag is fixed, not latest or blank",
    "CKV_K8S_16": "container is not privileged",
    "CKV_K8S_17": "no host PID namespace",
    "CKV_K8S_18": "no host IPC namespace",
    "CKV_K8S_19": "no host network",
    "CKV_K8S_20": "allowPrivilegeEscalation false",
    "CKV_K8S_21": "not in the default namespace",
    "CKV_K8S_22": "read-only root filesystem",
    "CKV_K8S_23": "root containers not admitted",
    "CKV_K8S_25": "no added capabilities",
    "CKV_K8S_27": "no Docker socket mounted",
    "CKV_K8S_28": "NET_RAW dropped",
    "CKV_K8S_29": "pod securityContext set",
    "CKV_K8S_30": "container securityContext set",
    "CKV_K8S_31": "seccomp RuntimeDefault",
    "CKV_K8S_37": "capabilities minimized (drop ALL)",
    "CKV_K8S_38": "service account token mounted only where needed",
    "CKV_K8S_40": "high UID",
}
# What the chart fails on purpose, and why; anything else failing fails the test.
ACCEPTED_FAILURES = {
    "CKV_K8S_15": "pullPolicy IfNotPresent: a pinned tag does not change, so nodes need not pull it on every start",
    "CKV_K8S_43": "image by tag, not digest: the tag is what reviewers read in a values change",
    "CKV2_K8S_6": "NetworkPolicy is the platform team's per namespace (the AppProject keeps it from the apps)",
}


@pytest.fixture(scope="module")
def chart_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the files example_chart_files() gives, as the scaffold would write them."""
    root = tmp_path_factory.mktemp("example-chart-repo")
    for rel, text in example_chart_files().items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.fixture(scope="module")
def helm() -> HelmCli:
    return HelmCli(helm_or_fail())


@pytest.fixture(scope="module")
def rendered(helm: HelmCli, chart_repo: Path) -> str:
    return helm.template(chart_repo / EXAMPLE_CHART_DIR, "orders", "data-dev-orders", kube_version=KUBE_VERSION)


def objects(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def by_kind(text: str) -> dict[str, dict[str, Any]]:
    return {obj["kind"]: obj for obj in objects(text)}


def test_the_scaffold_gets_every_file_of_the_chart_and_the_project():
    files = example_chart_files()
    expected = {
        f"{EXAMPLE_CHART_DIR}/{name}"
        for name in (
            "Chart.yaml",
            "values.yaml",
            "values.schema.json",
            "templates/_helpers.tpl",
            "templates/deployment.yaml",
            "templates/service.yaml",
            "templates/serviceaccount.yaml",
            "templates/hpa.yaml",
            "templates/NOTES.txt",
        )
    }
    assert set(files) == expected | {EXAMPLE_PROJECT_FILE}
    assert all(text.strip() for text in files.values())


def test_chart_yaml_is_valid_against_helms_chart_schema(fixtures_dir: Path):
    schema_path = fixtures_dir / "helm-chart-schema" / "schemastore" / "src" / "schemas" / "json" / "chart.json"
    schema = json.loads(schema_path.read_text())
    chart = yaml.safe_load(example_chart_files()[f"{EXAMPLE_CHART_DIR}/Chart.yaml"])
    assert list(jsonschema.Draft7Validator(schema).iter_errors(chart)) == []
    assert chart["apiVersion"] == "v2" and chart["name"] == "example-data-app"


def test_values_schema_is_draft_07_and_closed_at_the_top():
    schema = json.loads(example_chart_files()[f"{EXAMPLE_CHART_DIR}/values.schema.json"])
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#" and schema["additionalProperties"] is False
    defaults = yaml.safe_load(example_chart_files()[f"{EXAMPLE_CHART_DIR}/values.yaml"])
    assert list(jsonschema.Draft7Validator(schema).iter_errors(defaults)) == []


def test_the_chart_passes_helm_lint_strict_without_a_finding(helm: HelmCli, chart_repo: Path):
    result = helm.lint(chart_repo / EXAMPLE_CHART_DIR, strict=True)
    assert result.passed, result.messages
    assert result.messages == ()  # not even an INFO (icon is set)


def test_template_renders_the_four_objects_each_valid_for_kubernetes(rendered: str):
    found = objects(rendered)
    assert {obj["kind"] for obj in found} == RENDERED_KINDS and len(found) == len(RENDERED_KINDS)
    assert by_kind(rendered)["HorizontalPodAutoscaler"]["apiVersion"] == "autoscaling/v2"
    for obj in found:
        # strict: a field Kubernetes does not know is an error, as the API server's strict decoding makes it.
        kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)
        assert obj["metadata"]["namespace"] == "data-dev-orders"


def test_the_deployment_has_the_secure_defaults(rendered: str):
    objs = by_kind(rendered)
    pod = objs["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    context = container["securityContext"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] > 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert context["readOnlyRootFilesystem"] is True and context["allowPrivilegeEscalation"] is False
    assert context["capabilities"] == {"drop": ["ALL"]} and context["runAsNonRoot"] is True
    assert set(container["resources"]) == {"requests", "limits"}
    assert all(set(container["resources"][k]) == {"cpu", "memory"} for k in ("requests", "limits"))
    assert pod["automountServiceAccountToken"] is False
    assert objs["ServiceAccount"]["automountServiceAccountToken"] is False
    assert container["image"].endswith(":1.0.0") and container["imagePullPolicy"] == "IfNotPresent"
    assert "livenessProbe" in container and "readinessProbe" in container
    assert "hostNetwork" not in pod and all("hostPath" not in volume for volume in pod["volumes"])
    assert "replicas" not in objs["Deployment"]["spec"]  # the HPA owns it


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ('replicaCount: "three"\n', "replicaCount: Invalid type. Expected: integer, given: string"),
        ("replicas: 3\n", "Additional property replicas is not allowed"),
        ("image:\n  repository: ghcr.io/example-org/example-data-app\n  tag: latest\n", "image.tag"),
        ("securityContext:\n  runAsUser: 0\n", "securityContext.runAsUser"),
        ("service:\n  type: NodePort\n  port: 80\n", "service.type"),
    ],
    ids=["wrong-type", "unknown-top-level-key", "latest-tag", "root-user", "node-port"],
)
def test_helm_refuses_values_the_schema_forbids(
    helm: HelmCli, chart_repo: Path, tmp_path: Path, values: str, named: str
):
    override = tmp_path / "values-dev.yaml"
    override.write_text(values)
    with pytest.raises(UserError) as caught:
        helm.template(chart_repo / EXAMPLE_CHART_DIR, "orders", "data-dev-orders", [override])
    assert caught.value.reference == "helm-values-invalid" and named in caught.value.message


@pytest.mark.slow
def test_checkov_passes_every_essential_kubernetes_check_on_the_rendered_chart(rendered: str, tmp_path: Path):
    try:
        checkov = locate_checkov(provision=False)
    except ToolMissing as missing:
        pytest.fail(f"{missing.message}: run `olympus setup` to install Checkov", pytrace=False)
    manifest = tmp_path / "rendered.yaml"
    manifest.write_text(rendered)
    home = tmp_path / "home"
    home.mkdir()
    argv = [str(checkov), "--framework", "kubernetes", "--skip-download", "--output", "json", "--file", str(manifest)]
    done = subprocess.run(argv, cwd=home, env=offline_env(home), capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    report = json.loads(done.stdout)
    results = (report[0] if isinstance(report, list) else report)["results"]
    failed = {check["check_id"]: check["check_name"] for check in results["failed_checks"]}
    passed = {check["check_id"] for check in results["passed_checks"]}
    unexpected = {check_id: name for check_id, name in failed.items() if check_id not in ACCEPTED_FAILURES}
    assert not unexpected, f"the chart fails Checkov checks it should pass: {unexpected}"
    missing = {check_id: what for check_id, what in ESSENTIAL_CHECKS.items() if check_id not in passed}
    assert not missing, f"essential checks did not pass (or did not run): {missing}"


def test_the_app_project_is_valid_and_keeps_apps_out_of_the_clusters_own_namespaces(fixtures_dir: Path):
    schema_path = fixtures_dir / "argocd" / "datreeio-CRDs-catalog" / "argoproj.io" / "appproject_v1alpha1.json"
    schema = json.loads(schema_path.read_text())
    project = yaml.safe_load(example_chart_files()[EXAMPLE_PROJECT_FILE])
    assert list(jsonschema.Draft7Validator(schema).iter_errors(project)) == []
    spec = project["spec"]
    assert {d["server"] for d in spec["destinations"]} == {"https://kubernetes.default.svc"}
    # Argo CD 2.5+ deny entries first, then any other namespace (bot/changes/apps/destinations.py reads them so).
    assert [d["namespace"] for d in spec["destinations"]] == ["!kube-*", "!argocd", "!default", "*"]
    assert "*" not in spec["sourceRepos"] and spec["clusterResourceWhitelist"] == []
    # The schema closes spec, so a misspelt key in the project would be caught.
    misspelt = {**project, "spec": {**spec, "destination": spec["destinations"]}}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(misspelt))
