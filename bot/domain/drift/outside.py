"""Resources the code declares that exist in the cloud but not in the state: found by asking Terraform to import them.

No plan refreshes an object the state does not hold, so a bucket made by hand with the name the code gives it
shows only as "will be created" (and its apply fails: the name is taken). Terraform's `import` blocks ask the
provider whether such an object exists: a plan with one per planned create whose import id the plan already knows
either imports it (it exists outside Terraform) or fails with "Cannot import non-existent remote object" (it does
not). The same blocks are the *adopt* way out: committed, they bring the object under the code that declares it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

# Resource types whose import id is one attribute of the planned object, known before apply (a name the code
# sets). Types whose id the cloud assigns (an instance's i-…, a KMS key's id) cannot be probed this way.
IMPORT_ID_ATTRIBUTE: Final[Mapping[str, str]] = {
    "aws_s3_bucket": "bucket",
    "aws_lambda_function": "function_name",
    "aws_iam_role": "name",
    "aws_dynamodb_table": "name",
    "aws_cloudwatch_log_group": "name",
    "aws_ecr_repository": "name",
    "google_storage_bucket": "name",
}
# The file the probe writes beside the project's code in the sweep's scratch worktree, and the one an adopt commits.
PROBE_FILE: Final = "olympus_drift_probe.tf"
IMPORTS_FILE: Final = "olympus_imports.tf"
# Terraform's summary when the provider finds no object with the given id (internal/terraform/node_resource_plan).
_NOT_FOUND: Final = "Cannot import non-existent remote object"
_QUOTED_ADDRESS: Final = re.compile(r'"((?:module\.[^".]+\.)*[a-z0-9_]+\.[^"\s]+)"')
# An import id is written into HCL: only the characters names of these types may hold get through.
_SAFE_ID: Final = re.compile(r"[A-Za-z0-9._:/@+=,-]{1,255}\Z")
_SAFE_ADDRESS: Final = re.compile(
    r'(?:module\.[A-Za-z_][A-Za-z0-9_-]*(?:\[(?:\d+|"[A-Za-z0-9_.-]+")\])?\.)*'
    r'[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*(?:\[(?:\d+|"[A-Za-z0-9_.-]+")\])?\Z'
)


@dataclass(frozen=True, order=True)
class ImportTarget:
    """One planned create that may already exist: its address and the id Terraform would import it by."""

    address: str
    id: str


def import_candidates(plan: Mapping[str, Any]) -> list[ImportTarget]:
    """The planned creates of a normal plan (`show -json`) whose import id the plan knows, in address order."""
    found: set[ImportTarget] = set()
    for entry in plan.get("resource_changes") or []:
        if not isinstance(entry, dict) or entry.get("mode") != "managed":
            continue
        change = entry.get("change") or {}
        attribute = IMPORT_ID_ATTRIBUTE.get(str(entry.get("type")))
        if attribute is None or change.get("actions") != ["create"]:
            continue
        after = change.get("after") or {}
        value, address = after.get(attribute), str(entry.get("address", ""))
        if isinstance(value, str) and _SAFE_ID.match(value) and _SAFE_ADDRESS.match(address):
            found.add(ImportTarget(address, value))
    return sorted(found)


def import_blocks(targets: Iterable[ImportTarget]) -> str:
    """The `import` blocks of targets, as a .tf file (ids and addresses checked by import_candidates)."""
    blocks = [f"import {{\n  to = {target.address}\n  id = {json.dumps(target.id)}\n}}\n" for target in sorted(targets)]
    header = "# Resources the code declares that already existed outside Terraform: imported, not created.\n"
    return header + "\n".join(blocks)


def not_found(plan_json_lines: str) -> set[str]:
    """The addresses a `terraform plan -json` run could not import because no such object exists."""
    missing: set[str] = set()
    for diagnostic in _diagnostics(plan_json_lines):
        if diagnostic.get("summary") != _NOT_FOUND:
            continue
        address = diagnostic.get("address")
        if isinstance(address, str) and address:
            missing.add(address)
            continue
        missing.update(_QUOTED_ADDRESS.findall(str(diagnostic.get("detail", ""))))
    return missing


def probe_failed_otherwise(plan_json_lines: str) -> bool:
    """Whether the probe's plan has an error other than "no such object": then it says nothing about imports."""
    return any(d.get("severity") == "error" and d.get("summary") != _NOT_FOUND for d in _diagnostics(plan_json_lines))


def _diagnostics(plan_json_lines: str) -> Iterator[dict[str, Any]]:
    """The diagnostics of Terraform's machine-readable output, one JSON message per line."""
    for line in plan_json_lines.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        diagnostic = message.get("diagnostic") if isinstance(message, dict) else None
        if isinstance(diagnostic, dict):
            yield diagnostic
