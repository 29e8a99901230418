"""Generated Terraform under the real tools: terraform fmt and validate, Checkov and Trivy (all slow)."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from fakes.memory_repo import MemoryRepo
from terraform_samples import ScanResult, aws_env_files

from bot.changes.hcl_render import hcl_string
from bot.changes.terraform import propose
from bot.domain.models import ChangeSet, Cloud, ResourceKind, ResourceRequest

pytestmark = pytest.mark.slow

Scanner = Callable[[Path], ScanResult]


def _request(cloud: Cloud, kind: ResourceKind, name: str, env: str = "dev", **options: str) -> ResourceRequest:
    return ResourceRequest("create", cloud, kind, name, env, options.pop("region", ""), tuple(sorted(options.items())))


AWS, GCP = Cloud.AWS, Cloud.GCP
BUCKET, INSTANCE, FUNCTION = ResourceKind.BUCKET, ResourceKind.INSTANCE, ResourceKind.FUNCTION

# Every kind and every variant of it (log bucket, logged bucket, versioning off, Graviton), per provider generation.
SCENARIOS: dict[str, tuple[dict[str, str], list[ResourceRequest]]] = {
    "aws-provider-3": (
        aws_env_files(),  # pinned and locked to 3.39.0, like the demo repository
        [
            _request(AWS, BUCKET, "logs-archive"),
            _request(AWS, BUCKET, "data", versioning="off"),
            _request(AWS, BUCKET, "assets"),
            _request(AWS, INSTANCE, "web-1", instance_type="t3.small"),
            _request(AWS, INSTANCE, "arm-1", instance_type="t4g.micro"),
            _request(AWS, FUNCTION, "resize", runtime="java11", memory_mb="512", timeout_s="60"),
            _request(AWS, BUCKET, "staging-assets", env="staging", region="eu-west-1"),
        ],
    ),
    "aws-provider-5": (
        {},  # nothing pinned anywhere: a new env on ~> 5.0
        [
            _request(AWS, BUCKET, "access-logs", region="eu-west-1"),
            _request(AWS, BUCKET, "data", versioning="off"),
            _request(AWS, BUCKET, "assets"),
            _request(AWS, INSTANCE, "web-1"),
            _request(AWS, FUNCTION, "resize"),
        ],
    ),
    "gcp": (
        {},
        [
            _request(GCP, BUCKET, "example-logs", region="EU"),
            _request(GCP, BUCKET, "example-data", versioning="off"),
            _request(GCP, BUCKET, "example-assets"),
        ],
    ),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each scenario's repository after all its requests, written to disk."""
    roots: dict[str, Path] = {}
    for scenario, (files, requests) in SCENARIOS.items():
        repo = MemoryRepo(files)
        for request in requests:
            result = propose(repo, request)
            assert isinstance(result, ChangeSet), (scenario, request, result)
            repo = repo.apply(result)
        roots[scenario] = repo.write_to(tmp_path_factory.mktemp(scenario))
    return roots


def _scan_dirs(root: Path) -> list[Path]:
    cloud_dir = next((root / "infra").iterdir())
    return [*sorted((cloud_dir / "envs").iterdir()), cloud_dir / "modules"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_generated_files_are_terraform_fmt_clean(scenario: str, generated: dict[str, Path], terraform_bin: str) -> None:
    completed = subprocess.run(
        [terraform_bin, "fmt", "-check", "-diff", "-recursive", str(generated[scenario] / "infra")],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout == ""


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_checkov_fails_no_check_and_every_skip_has_a_reason(
    scenario: str, generated: dict[str, Path], checkov: Scanner
) -> None:
    for directory in _scan_dirs(generated[scenario]):
        result = checkov(directory).data
        checks = result["results"]
        failed = [(c["check_id"], c["resource"], c["file_path"]) for c in checks["failed_checks"]]

        assert result["summary"]["parsing_errors"] == 0, directory
        assert failed == [], directory
        assert checks["passed_checks"], directory
        assert all(c["check_result"].get("suppress_comment", "").strip() for c in checks["skipped_checks"])
        if directory.parent.name == "envs":
            # The env holds only module calls: passing checks on module resources prove Checkov evaluated them.
            assert any(c["resource"].startswith("module.") for c in checks["passed_checks"]), directory


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_trivy_finds_nothing_high_or_critical(scenario: str, generated: dict[str, Path], trivy: Scanner) -> None:
    for directory in _scan_dirs(generated[scenario]):
        results = trivy(directory).data.get("Results") or []
        serious = [
            (m["AVDID"], m["Title"], r["Target"], m.get("CauseMetadata", {}).get("Resource"))
            for r in results
            for m in r.get("Misconfigurations") or []
            if m["Status"] == "FAIL" and m["Severity"] in ("HIGH", "CRITICAL")
        ]

        assert results, directory
        assert serious == [], directory


def test_inline_skips_are_what_keeps_the_scanners_quiet_and_module_calls_are_evaluated(
    generated: dict[str, Path], tmp_path: Path, checkov: Scanner, trivy: Scanner
) -> None:
    # Without the skips the versioning=off call carries, both scanners must report the bucket inside the module:
    # proof that they follow module calls, and that the skips (not luck) silence them.
    root = tmp_path / "repo"
    shutil.copytree(generated["aws-provider-3"], root)
    call = root / "infra/aws/envs/dev/s3_bucket_data.tf"
    text = call.read_text()
    assert "#checkov:skip=CKV_AWS_21:versioning=off was requested" in text
    kept = [line for line in text.splitlines() if "checkov:skip" not in line and "trivy:" not in line]
    call.write_text("\n".join(kept) + "\n")

    failed = {(c["check_id"], c["resource"]) for c in checkov(call.parent).data["results"]["failed_checks"]}
    findings = {
        (m["AVDID"], m["CauseMetadata"].get("Resource"))
        for r in trivy(call.parent).data["Results"]
        for m in r.get("Misconfigurations") or []
        if m["Status"] == "FAIL"
    }

    assert ("CKV_AWS_21", "module.s3_bucket_data.aws_s3_bucket.this") in failed
    assert ("AVD-AWS-0090", "module.s3_bucket_data") in findings


def test_terraform_validate_accepts_provider_3_code(
    generated: dict[str, Path], terraform_bin: str, terraform_env: dict[str, str], tmp_path: Path
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(generated["aws-provider-3"], root)
    for env_dir in sorted((root / "infra/aws/envs").iterdir()):
        init = subprocess.run(
            [terraform_bin, "init", "-backend=false", "-input=false", "-no-color"],
            cwd=env_dir,
            env=terraform_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert init.returncode == 0, init.stdout + init.stderr
        validate = subprocess.run(
            [terraform_bin, "validate", "-json", "-no-color"],
            cwd=env_dir,
            env=terraform_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        report = json.loads(validate.stdout)

        assert report["valid"] is True, (env_dir.name, report["diagnostics"])
        assert report["error_count"] == 0


def test_hcl_strings_round_trip_through_terraform(
    terraform_bin: str, terraform_env: dict[str, str], tmp_path: Path
) -> None:
    texts = ["$${", "${x}", "%{if}", "%%{", 'a"b', "back\\slash", "end\\", "new\nline", "tab\t", "\x00\x1f", "é\u2028"]
    expression = "base64encode(jsonencode([" + ", ".join(hcl_string(text) for text in texts) + "]))\n"

    console = subprocess.run(
        [terraform_bin, "console"],
        input=expression,
        cwd=tmp_path,
        env=terraform_env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert console.returncode == 0, console.stderr
    assert json.loads(base64.b64decode(json.loads(console.stdout.strip()))) == texts
