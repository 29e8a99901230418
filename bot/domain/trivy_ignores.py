"""Trivy's inline ignores (`#trivy:ignore:AVD-…`, tfsec's too) as skipped checks, with their expiry and workspace."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.domain.findings import TRIVY, SkippedCheck
from bot.domain.terraform_blocks import Block, block_at, terraform_blocks

__all__ = ["trivy_ignores"]

_IGNORE_PREFIXES = ("trivy:", "tfsec:")


def trivy_ignores(file: str, text: str, *, today: date, workspace: str = "default") -> list[SkippedCheck]:
    """The checks Trivy skips in one file because of `#trivy:ignore:ID` (or legacy `#tfsec:ignore:ID`) comments.

    Mirrors Trivy's rules (pkg/iac/ignore): a comment applies to the block or attribute that starts on its line
    or the next one; comments on consecutive lines all apply to what follows the last of them; an `exp:YYYY-MM-DD`
    in the past or a `ws:` naming another workspace makes Trivy ignore nothing. Trivy has no syntax for a reason,
    so the words after the rule on the same line are taken as one: `#trivy:ignore:AVD-AWS-0089 logs go elsewhere`.
    """
    blocks = terraform_blocks(text)
    found: list[tuple[int, str, str]] = []  # (line, rule id, reason)
    for number, line in enumerate(text.splitlines(), start=1):
        words = [w.lstrip("#/*") for w in line.split()]
        rules = [w for w in words if w.startswith(_IGNORE_PREFIXES)]
        if not rules:
            continue
        reason = " ".join(w for w in words[words.index(rules[-1]) + 1 :] if w).strip(" -–—:")
        for rule in rules:
            rule_id = _ignored_rule(rule.split(":", 1)[1], today=today, workspace=workspace)
            if rule_id:
                found.append((number, rule_id, reason))
    # Consecutive comment lines apply to what follows the last of them (Trivy's Rules.shift).
    effective: dict[int, int] = {}
    lines_with_rules = sorted({n for n, _, _ in found}, reverse=True)
    for n in lines_with_rules:
        effective[n] = effective.get(n + 1, n)
    skipped: list[SkippedCheck] = []
    for number, rule_id, reason in found:
        target = effective[number]
        block = _block_starting(blocks, target + 1) or _block_starting(blocks, target)
        block = block or block_at(blocks, target + 1) or block_at(blocks, target)
        if block is None:
            continue
        skipped.append(SkippedCheck(rule_id, TRIVY, file, block.start, block.address, reason))
    return skipped


def _block_starting(blocks: Sequence[Block], line: int) -> Block | None:
    return next((b for b in blocks if b.start == line), None)


def _ignored_rule(sections: str, *, today: date, workspace: str) -> str:
    """The rule id of `ignore:ID[params]:exp:DATE:ws:NAME`, or "" when Trivy would not apply it."""
    parts = sections.split(":")
    rule_id = ""
    for key, value in zip(parts[0::2], parts[1::2], strict=False):
        if key == "ignore":
            rule_id = value.split("[", 1)[0]
        elif key == "exp":
            try:
                if date.fromisoformat(value) <= today:
                    return ""
            except ValueError:
                return ""  # Trivy treats an unreadable date as already expired
        elif key == "ws" and value not in ("*", workspace):
            return ""
    return rule_id
