"""A manifest diff as pull-request markdown: counts per kind first, removals above the fold, each diff folded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from bot.domain.manifests.diff import ManifestDiff, ObjectChange, Status
from bot.domain.manifests.objects import RenderProblem
from bot.domain.markdown import code, escape_html, escape_text, fence
from bot.domain.render import MAX_PART_CHARS, render_reply

# What one comment shows at most; the counts are always complete.
MAX_DIFF_LINES: Final = 300  # per object
MAX_DIFF_CHARS: Final = 20_000  # per object, for lines no line count can bound
MAX_DIFFS_CHARS: Final = 100_000  # all diffs together: about two comment parts; later objects are named only
MAX_NAMES_LISTED: Final = 200  # per section, for objects shown without their diff

_SECTIONS: Final = (
    (Status.REMOVED, "🗑️", "Removed"),
    (Status.CHANGED, "🔧", "Changed"),
    (Status.ADDED, "➕", "Added"),
)


def manifest_diff_lines(result: ManifestDiff | RenderProblem, *, title: str = "Rendered manifests") -> list[str]:
    """The markdown lines of a diff (or of the render that failed), with no Secret value in any of them."""
    if isinstance(result, RenderProblem):
        return [
            f"### ❌ {escape_text(title)}",
            "",
            f"The {escape_text(result.side or 'chart')} render could not be read, so nothing is compared: "
            f"{code(result.source)}: {escape_text(result.reason)}",
        ]
    hide = result.sensitive.redact
    lines = [f"### 📦 {escape_text(title)}: {_counts_sentence(result)}", ""]
    if not result.changes:
        return lines[:-1]
    lines += _kind_table(result) + [""]
    removed = result.of_status(Status.REMOVED)
    if removed:
        lines += [f"#### 🗑️ Removed ({len(removed):,})", ""]
        lines += _names(removed, hide) + [""]
    budget = MAX_DIFFS_CHARS
    for status, icon, heading in _SECTIONS[1:]:
        members = result.of_status(status)
        if not members:
            continue
        lines += [f"#### {icon} {heading} ({len(members):,})", ""]
        named: list[ObjectChange] = []
        for change in members:
            shown = _change_lines(change, icon, hide) if budget > 0 else []
            if not shown or (change.diff and not _fits(shown, budget)):
                named.append(change)
                continue
            budget -= sum(len(line) + 1 for line in shown)
            lines += shown
        if named:
            lines += [
                f"Shown by name only, to keep the comment readable ({len(named):,}): "
                "`helm template` at both commits shows them in full.",
                "",
            ]
            lines += _names(tuple(named), hide) + [""]
    while lines and not lines[-1]:
        lines.pop()
    # Each untrusted piece was hidden before it was escaped; this catches a secret that our own words complete.
    return [hide(line) for line in lines]


def render_manifest_comment(
    result: ManifestDiff | RenderProblem,
    *,
    key: str,
    title: str = "Rendered manifests",
    limit: int = MAX_PART_CHARS,
) -> list[str]:
    """The diff's comment as parts of at most limit characters, each under `key`'s hidden marker."""
    return render_reply(key, "\n".join(manifest_diff_lines(result, title=title)), limit=limit)


def _counts_sentence(diff: ManifestDiff) -> str:
    added, changed, removed = (len(diff.of_status(s)) for s in (Status.ADDED, Status.CHANGED, Status.REMOVED))
    unchanged = f"{len(diff.unchanged):,} unchanged"
    if not diff.changes:
        return f"no changes ({unchanged})."
    return f"{added:,} to add, {changed:,} to change, {removed:,} to remove ({unchanged})."


def _kind_table(diff: ManifestDiff) -> list[str]:
    lines = ["| Kind | Add | Change | Remove |", "| :-- | --: | --: | --: |"]
    for counts in diff.by_kind():
        kind = code(diff.sensitive.redact(counts.kind), in_table=True)
        lines.append(f"| {kind} | {counts.added:,} | {counts.changed:,} | {counts.removed:,} |")
    return lines


def _names(changes: tuple[ObjectChange, ...], hide: Callable[[str], str]) -> list[str]:
    lines = [_name_line(change, hide) for change in changes[:MAX_NAMES_LISTED]]
    if len(changes) > MAX_NAMES_LISTED:
        lines.append(f"- … and {len(changes) - MAX_NAMES_LISTED:,} more")
    return lines


def _name_line(change: ObjectChange, hide: Callable[[str], str]) -> str:
    line = f"- {code(hide(change.key.label))}"
    if change.source:
        line += f" (from {code(hide(change.source))})"
    if change.redacted_keys:
        line += f": {_redacted_note(change, hide)}"
    return line


def _redacted_note(change: ObjectChange, hide: Callable[[str], str]) -> str:
    keys = ", ".join(code(hide(key)) for key in change.redacted_keys[:20])
    more = len(change.redacted_keys) - 20
    return "changed (values redacted): " + keys + (f" and {more:,} more" if more > 0 else "")


def _change_lines(change: ObjectChange, icon: str, hide: Callable[[str], str]) -> list[str]:
    if change.only_redacted:
        return [_name_line(change, hide), ""]
    summary = f"{icon} {escape_html(hide(change.key.label))}"
    if change.source:
        summary += f" · from {escape_html(hide(change.source))}"
    lines = [f"<details><summary>{summary}</summary>", ""]
    if change.redacted_keys:
        lines += [f"Also {_redacted_note(change, hide)}", ""]
    diff = change.diff.split("\n")
    cut = diff[:MAX_DIFF_LINES]
    lines += fence(hide("\n".join(cut)), info="diff", limit=MAX_DIFF_CHARS)
    if len(diff) > len(cut):
        lines += ["", f"_This object's diff is cut to its first {len(cut):,} of {len(diff):,} lines._"]
    return lines + ["", "</details>", ""]


def _fits(lines: list[str], budget: int) -> bool:
    return sum(len(line) + 1 for line in lines) <= budget
