"""Checkov and Trivy over rendered Kubernetes objects (their Kubernetes frameworks), offline, one object a file."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from bot.adapters.checkov import json_documents
from bot.adapters.tool_paths import ScannerError, locate_checkov, locate_trivy, offline_env, run_tool, show_command
from bot.domain.app_plans import ObjectFinding
from bot.domain.findings import CHECKOV, TRIVY, avd_link, checkov_severity, parse_severity
from bot.domain.manifests import ManifestObject
from bot.domain.manifests.canonical import canonical_yaml

__all__ = ["CheckovManifests", "TrivyManifests", "manifest_scanners_named"]

CHECKOV_KUBERNETES_INDEX: Final = "https://www.checkov.io/5.Policy%20Index/kubernetes.html"
_SCAN_TIMEOUT: Final = 600.0


@contextmanager
def _objects_in_scratch(prefix: str, objects: Sequence[ManifestObject]) -> Iterator[tuple[Path, Path, dict[str, int]]]:
    """A scratch home (removed afterwards) whose objects/ folder holds each object in a file of its own, so a
    finding's file says which object it is about: (home, folder, file name → index)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        home = Path(scratch)
        folder = home / "objects"
        folder.mkdir()
        names: dict[str, int] = {}
        for index, item in enumerate(objects):
            name = f"object-{index:05d}.yaml"
            (folder / name).write_text(canonical_yaml(dict(item.body)), encoding="utf-8")
            names[name] = index
        yield home, folder, names


class CheckovManifests:
    """`checkov --framework kubernetes` over the objects, their files passed one by one with --file.

    --file, not --directory: Checkov reads a .checkov.yaml from a scanned directory; these files are ours, but the
    scan keeps the same rule as the Terraform one. Checkov gives no severity offline, so its findings are MEDIUM
    unless the same problem's Trivy check says more (bot.domain.findings.checkov_severity).
    """

    name = CHECKOV

    def __init__(self, binary: Path | None = None, *, timeout: float = _SCAN_TIMEOUT) -> None:
        self._binary = binary
        self.timeout = timeout

    def scan_objects(self, objects: Sequence[ManifestObject]) -> list[ObjectFinding]:
        if not objects:
            return []
        binary = self._binary or locate_checkov()
        with _objects_in_scratch("olympus-checkov-k8s-", objects) as (home, folder, names):
            argv = [str(binary), "--framework", "kubernetes", "--skip-download", "--output", "json"]
            for name in names:
                argv += ["--file", str(folder / name)]
            run = run_tool("checkov", argv, cwd=home, env=offline_env(home), timeout=self.timeout, ok_codes=(0, 1))
        try:
            documents = list(json_documents(run.stdout))
        except ValueError as exc:
            raise ScannerError(f"checkov wrote output that is not JSON ({exc}): {show_command(argv)}") from None
        found: list[ObjectFinding] = []
        for report in _reports(documents):
            for check in (report.get("results") or {}).get("failed_checks") or []:
                index = names.get(Path(str(check.get("file_abs_path") or check.get("file_path") or "")).name)
                if index is None:
                    continue
                check_id = str(check.get("check_id") or "")
                found.append(
                    ObjectFinding(
                        index=index,
                        rule_id=check_id,
                        severity=checkov_severity(check_id, check.get("severity")),
                        title=str(check.get("check_name") or check_id),
                        link=str(check.get("guideline") or CHECKOV_KUBERNETES_INDEX),
                        tool=CHECKOV,
                    )
                )
        return found


class TrivyManifests:
    """`trivy config --misconfig-scanners kubernetes` over a folder of the objects, with its built-in checks only."""

    name = TRIVY

    def __init__(self, binary: Path | None = None, *, timeout: float = _SCAN_TIMEOUT) -> None:
        self._binary = binary
        self.timeout = timeout

    def scan_objects(self, objects: Sequence[ManifestObject]) -> list[ObjectFinding]:
        if not objects:
            return []
        binary = self._binary or locate_trivy()
        with _objects_in_scratch("olympus-trivy-k8s-", objects) as (home, folder, names):
            argv = [
                str(binary),
                "config",
                "--skip-check-update",  # the checks built into the binary; never fetch a newer bundle
                "--cache-dir",
                str(home / "cache"),
                "--misconfig-scanners",
                "kubernetes",
                "--timeout",
                f"{max(1, int(self.timeout))}s",
                "--format",
                "json",
                str(folder),
            ]
            # Run from the scratch folder: Trivy reads trivy.yaml and .trivyignore from its working directory.
            run = run_tool("trivy", argv, cwd=home, env=offline_env(home), timeout=self.timeout + 30, ok_codes=(0,))
        try:
            document = json.loads(run.stdout)
        except ValueError as exc:
            raise ScannerError(f"trivy wrote output that is not JSON ({exc}): {show_command(argv)}") from None
        if not isinstance(document, dict):
            raise ScannerError(f"trivy wrote a JSON {type(document).__name__} where its report object belongs")
        found: list[ObjectFinding] = []
        for result in document.get("Results") or []:
            index = names.get(Path(str(result.get("Target") or "")).name)
            if index is None:
                continue
            for misconf in result.get("Misconfigurations") or []:
                if misconf.get("Status", "FAIL") != "FAIL":
                    continue
                rule_id = str(misconf.get("AVDID") or misconf.get("ID") or "")
                found.append(
                    ObjectFinding(
                        index=index,
                        rule_id=rule_id,
                        severity=parse_severity(misconf.get("Severity")),
                        title=str(misconf.get("Title") or misconf.get("Message") or rule_id),
                        link=str(misconf.get("PrimaryURL") or avd_link(rule_id)),
                        tool=TRIVY,
                    )
                )
        return found


def manifest_scanners_named(names: Sequence[str]) -> list[CheckovManifests | TrivyManifests]:
    """The manifest scanners of the same names as the Terraform ones (OLYMPUS_SCANNERS), in that order."""
    known: dict[str, type[CheckovManifests] | type[TrivyManifests]] = {CHECKOV: CheckovManifests, TRIVY: TrivyManifests}
    return [known[name]() for name in names if name in known]


def _reports(documents: Sequence[Any]) -> list[dict[str, Any]]:
    reports: list[dict[str, Any]] = []
    for document in documents:
        for report in document if isinstance(document, list) else [document]:
            if isinstance(report, dict) and "results" in report:
                reports.append(report)
    return reports
