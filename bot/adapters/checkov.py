"""CheckovScanner: Checkov over Terraform directories, offline, its JSON report turned into findings."""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from bot.adapters.tool_paths import (
    ScannerError,
    locate_checkov,
    offline_env,
    read_text,
    repo_relative,
    run_tool,
    scan_dirs,
    show_command,
    terraform_files,
)
from bot.domain.findings import (
    CHECKOV,
    ScanReport,
    SkippedCheck,
    checkov_link,
    checkov_severity,
    dedupe_skipped,
    merge_findings,
)
from bot.domain.models import Finding
from bot.domain.terraform_blocks import Block, block_at, terraform_blocks

# What Checkov writes as the reason of `#checkov:skip=ID` with none given.
NO_REASON = "No comment provided"


class CheckovScanner:
    """Runs Checkov once over every Terraform file directly in the given directories.

    Files are passed with --file rather than the directories with --directory: Checkov reads a .checkov.yaml
    from every --directory it scans, and a pull request must not configure its own scanner (that file can
    name external checks, which are Python Checkov would run). Local modules are scanned where they live, as
    the caller passes their directories too.
    """

    name = CHECKOV

    def __init__(self, binary: Path | None = None, *, timeout: float = 600.0) -> None:
        self._binary = binary
        self.timeout = timeout

    @property
    def binary(self) -> Path:
        return self.prepare()

    def prepare(self, say: Callable[[str], None] | None = None) -> Path:
        """Find Checkov, installing it into Olympus's cache on first use (`say` tells the user, once)."""
        if self._binary is None:
            self._binary = locate_checkov(say=say)
        return self._binary

    def scan(self, repo_root: Path, dirs: Iterable[str]) -> list[Finding]:
        return list(self.scan_report(repo_root, dirs).findings)

    def scan_report(self, repo_root: Path, dirs: Iterable[str], *, stop: threading.Event | None = None) -> ScanReport:
        """Findings, inline skips and unparsable files for the Terraform files of the given directories."""
        root = repo_root.resolve()
        files = terraform_files(root, scan_dirs(root, dirs))
        if not files:
            return ScanReport()
        argv = [str(self.binary), "--framework", "terraform", "--skip-download", "--output", "json"]
        for rel in files:
            argv += ["--file", str(root / rel)]
        with tempfile.TemporaryDirectory(prefix="olympus-checkov-") as scratch:
            # Exit code 1 means "some checks failed", not a fault; a crash is caught by the JSON not parsing.
            home = Path(scratch)
            run = run_tool(
                "checkov", argv, cwd=home, env=offline_env(home), timeout=self.timeout, ok_codes=(0, 1), stop=stop
            )
        try:
            documents = list(json_documents(run.stdout))
        except ValueError as exc:
            raise ScannerError(
                f"checkov wrote output that is not JSON ({exc}): {show_command(argv)}\n"
                f"stdout starts: {run.stdout[:300]!r}\nstderr ends: {run.stderr[-1500:]}"
            ) from None
        return report_from_checkov(documents, root, {rel: read_text(root, rel) for rel in files})


def json_documents(text: str) -> Iterator[Any]:
    """Each JSON document in text: Checkov prints one per framework and, with several --directory, several."""
    decoder = json.JSONDecoder()
    position = 0
    text = text.strip()
    if not text:
        raise ValueError("no output at all")
    while position < len(text):
        document, position = decoder.raw_decode(text, position)
        yield document
        while position < len(text) and text[position].isspace():
            position += 1


def report_from_checkov(documents: Iterable[Any], repo_root: Path, texts: dict[str, str]) -> ScanReport:
    """Checkov's JSON documents as normalized findings, skips and unparsable files."""
    findings: list[Finding] = []
    skipped: list[SkippedCheck] = []
    unparsed: set[str] = set()
    blocks: dict[str, list[Block]] = {}

    def place(check: dict[str, Any]) -> tuple[str, int, str] | None:
        rel = repo_relative(repo_root, str(check.get("file_abs_path") or ""))
        if rel is None:
            return None
        line = int((check.get("file_line_range") or [1])[0] or 1)
        if rel not in blocks:
            blocks[rel] = terraform_blocks(texts.get(rel, ""))
        block = block_at(blocks[rel], line)
        resource = block.address if block and block.start == line else _local_address(str(check.get("resource", "")))
        return rel, line, resource

    for report in _reports(documents):
        results = report.get("results") or {}
        for check in results.get("failed_checks") or []:
            where = place(check)
            if where is None:
                continue
            check_id = str(check["check_id"])
            findings.append(
                Finding(
                    rule_id=check_id,
                    severity=checkov_severity(check_id, check.get("severity")),
                    title=str(check.get("check_name") or check_id),
                    resource=where[2],
                    file=where[0],
                    line=where[1],
                    link=checkov_link(check_id, check.get("guideline")),
                    tools=(CHECKOV,),
                )
            )
        for check in results.get("skipped_checks") or []:
            where = place(check)
            if where is None:
                continue
            reason = str((check.get("check_result") or {}).get("suppress_comment") or "").strip()
            skipped.append(
                SkippedCheck(
                    rule_id=str(check["check_id"]),
                    tool=CHECKOV,
                    file=where[0],
                    line=where[1],
                    resource=where[2],
                    reason="" if reason == NO_REASON else reason,
                    title=str(check.get("check_name") or ""),
                )
            )
        for path in results.get("parsing_errors") or []:
            rel = repo_relative(repo_root, str(path))
            unparsed.add(f"{CHECKOV}: {rel or path}")
    return ScanReport(tuple(merge_findings(findings)), tuple(dedupe_skipped(skipped)), tuple(sorted(unparsed)))


def _reports(documents: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """The per-framework reports in Checkov's output; an empty scan is a bare summary, which has none."""
    for document in documents:
        for report in document if isinstance(document, list) else [document]:
            if not isinstance(report, dict):
                raise ScannerError(f"checkov wrote a JSON {type(report).__name__} where a report object belongs")
            if "results" in report:
                yield report
            elif not {"passed", "failed"} <= report.keys():
                raise ScannerError(f"checkov wrote a JSON object that is not a report nor a summary: {report!r:.200}")


def _local_address(resource: str) -> str:
    """A resource address without the module path Checkov puts in front when it follows a module call."""
    parts = resource.split(".")
    while len(parts) > 2 and parts[0] == "module":
        parts = parts[2:]
    return ".".join(parts)
