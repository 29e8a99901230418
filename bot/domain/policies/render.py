"""The policies' section of the plan comment and their check run text: failures first, each with who can approve it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bot.domain.markdown import code, escape_text
from bot.domain.policies.results import PolicyReport, SetOutcome, Violation

# The comment lists this many rows; the check run of each set has them all (up to its own limit).
MAX_ROWS: Final = 50


def approve_command(policy_set: str) -> str:
    return f"/infra approve_policies --policy-set {policy_set}"


def policy_lines(report: PolicyReport) -> list[str]:
    """The section: a verdict line, then blocking failures, evaluation errors and warnings, in that order."""
    if report.off or not report.outcomes:
        return []
    outcomes = report.outcomes
    lines = ["#### Policies", "", verdict(outcomes), ""]
    errors = [o for o in outcomes if o.error]
    for outcome in errors:
        lines.append(
            f"- ❌ policy set {code(outcome.policy_set)} could not be evaluated over {code(outcome.project)}: "
            f"{escape_text(outcome.error, limit=600)}{'' if outcome.blocking else ' (advisory)'}"
        )
    if errors:
        lines.append("")
    rows = [(o, v) for o in outcomes for v in o.failures] + [(o, v) for o in outcomes for v in o.warnings]
    if rows:
        lines += ["| | Project | Resource | Policy | Policy set | Approval |", "| :-: | :-- | :-- | :-- | :-- | :-- |"]
        lines += [_row(o, v) for o, v in rows[:MAX_ROWS]]
        if len(rows) > MAX_ROWS:
            lines.append(f"| | | | … and {len(rows) - MAX_ROWS} more: see the check runs | | |")
        lines.append("")
    passed = sorted({o.policy_set for o in outcomes} - {o.policy_set for o in outcomes if o.failed or o.warnings})
    if passed:
        lines += [f"Passed: {', '.join(code(name) for name in passed)}.", ""]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def verdict(outcomes: Sequence[SetOutcome]) -> str:
    """One line: how many blocking failures, advisory failures and warnings, over how many sets."""
    blocking = sum(len(o.failures) + bool(o.error) for o in outcomes if o.blocking)
    advisory = sum(len(o.failures) + bool(o.error) for o in outcomes if not o.blocking)
    warnings = sum(len(o.warnings) for o in outcomes)
    sets = len({o.policy_set for o in outcomes})
    parts = []
    if blocking:
        parts.append(f"❌ **{blocking} blocking failure{_s(blocking)}**: apply is held until fixed or approved")
    if advisory:
        parts.append(f"⚠️ {advisory} advisory failure{_s(advisory)}")
    if warnings:
        parts.append(f"⚠️ {warnings} warning{_s(warnings)}")
    if not parts:
        parts.append("✅ every policy passed")
    return " · ".join(parts) + f" ({sets} policy set{_s(sets)})"


def set_summary(outcomes: Sequence[SetOutcome]) -> str:
    """A check run's summary for one set over its projects."""
    return verdict(outcomes).replace("**", "")


def set_text(outcomes: Sequence[SetOutcome]) -> str:
    """A check run's text for one set: every failure, error and warning, one per line."""
    lines = []
    for outcome in outcomes:
        if outcome.error:
            lines.append(
                f"- ❌ {code(outcome.project)}: could not be evaluated: {escape_text(outcome.error, limit=600)}"
            )
        for violation in (*outcome.failures, *outcome.warnings):
            lines.append(
                f"- {_mark(outcome, violation)} {code(outcome.project)} {_resource(violation)}: "
                f"{escape_text(violation.message)}"
            )
    owners = next((o.owners for o in outcomes if o.owners), ())
    if any(o.failed and o.blocking for o in outcomes):
        who = ", ".join(code(owner) for owner in owners) if owners else "nobody: the set names no owners"
        lines += ["", f"Approval: {who} can comment {code(approve_command(outcomes[0].policy_set))}."]
    return "\n".join(lines) or "Every policy of the set passed."


def _row(outcome: SetOutcome, violation: Violation) -> str:
    return (
        f"| {_mark(outcome, violation)} | {code(outcome.project, in_table=True)}"
        f" | {_resource(violation, in_table=True)} | {escape_text(violation.message)}"
        f" | {code(outcome.policy_set, in_table=True)} | {_approval(outcome, violation)} |"
    )


def _mark(outcome: SetOutcome, violation: Violation) -> str:
    if not violation.blocks:
        return "⚠️"
    return "❌" if outcome.blocking else "⚠️"


def _resource(violation: Violation, *, in_table: bool = False) -> str:
    return code(violation.address, in_table=in_table) if violation.address else "—"


def _approval(outcome: SetOutcome, violation: Violation) -> str:
    if not violation.blocks:
        return "warning"
    if not outcome.blocking:
        return "advisory"
    if not outcome.owners:
        return "fix it (the set names no owners)"
    owners = ", ".join(code(o, in_table=True) for o in outcome.owners)
    return f"{owners}: {code(approve_command(outcome.policy_set), in_table=True)}"


def _s(count: int) -> str:
    return "" if count == 1 else "s"
