"""The plan comment: no sensitive value, destroys above the fold, escaping that holds, and splitting that balances."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.token import Token
from markdown_safety import MARKDOWN, assert_renders_safely, tokens

from bot.domain.invisible import show_invisible
from bot.domain.markdown import (
    WORD_JOINER,
    clip,
    code,
    escape_html,
    escape_text,
    fence,
    link,
    one_line,
    split_lines,
)
from bot.domain.models import Finding, Project, Severity
from bot.domain.plan_documents import load_plan_documents
from bot.domain.plans import PlanSummary, summarize
from bot.domain.render import (
    GITHUB_COMMENT_LIMIT,
    MAX_DESTRUCTIVE_LISTED,
    MAX_PART_CHARS,
    MAX_RESOURCES_LISTED,
    CommentReport,
    ProjectReport,
    counts_json,
    marker,
    marker_of,
    render_comment,
    render_summary_markdown,
)

BASIC = "borchero-terraform-plan-comment/basic"
SHA = "0123456789abcdef0123456789abcdef01234567"
# CommonMark with GFM tables: GitHub's parser is cmark-gfm, this one follows the same spec for what we check.


def load(fixtures_dir: Path, relative: str) -> list[dict[str, Any]]:
    return load_plan_documents((fixtures_dir / "terraform-plans" / relative).read_text(encoding="utf-8"))


def summary_of(fixtures_dir: Path, relative: str) -> PlanSummary:
    (document,) = load(fixtures_dir, relative)
    return summarize(document)


def report(*projects: ProjectReport, **fields: Any) -> CommentReport:
    return CommentReport(key="change-42", head_sha=SHA, projects=projects, **fields)


def project(summary: PlanSummary | None, name: str = "app", error: str = "") -> ProjectReport:
    return ProjectReport(name, f"infra/{name}", "default", summary, error)


def code_spans(text: str) -> set[str]:
    return {t.content for t in tokens(text) if t.type == "code_inline"}


def plain(inline: Token) -> str:
    """What an inline token shows, as text (code spans as their content)."""
    return "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))


def table_rows(text: str) -> list[list[str]]:
    """Every table row as the text of its cells (a parser drops cells beyond the header's, so compare text)."""
    rows: list[list[str]] = []
    for token in MARKDOWN.parse(text):
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows and token.level >= 3:
            rows[-1].append(plain(token))
    return rows


# --- sensitive values ---------------------------------------------------------------------------


def _leaves(value: object, mask: object, hidden: bool, into: tuple[set[str], set[str]]) -> None:
    hidden = hidden or mask is True
    if isinstance(value, dict):
        for key, item in value.items():
            _leaves(item, mask.get(key) if isinstance(mask, dict) else None, hidden, into)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _leaves(item, mask[i] if isinstance(mask, list) and i < len(mask) else None, hidden, into)
    elif isinstance(value, str) and len(value) >= 4:
        into[0 if hidden else 1].add(value)


def sensitive_strings(document: dict[str, Any]) -> set[str]:
    """Strings the plan marks sensitive, less any that also appear unmarked (those are not secrets)."""
    found: tuple[set[str], set[str]] = (set(), set())
    changes = [e.get("change", {}) for e in document.get("resource_changes", []) + document.get("resource_drift", [])]
    changes += list(document.get("output_changes", {}).values())
    for change in changes:
        for side in ("before", "after"):
            _leaves(change.get(side), change.get(f"{side}_sensitive"), False, found)
    secret, plain = found
    return secret - plain


def test_sensitive_values_never_reach_the_comment(fixtures_dir: Path) -> None:
    projects: list[ProjectReport] = []
    secrets: set[str] = set()
    rendered: list[str] = []
    for i, path in enumerate(sorted((fixtures_dir / "terraform-plans").rglob("*.json"))):
        for document in load_plan_documents(path.read_text(encoding="utf-8")):
            secrets |= sensitive_strings(document)
            summary = summarize(document)
            projects.append(project(summary, name=f"p{i}"))
            rendered.append(render_summary_markdown(summary))
    # The fixtures' own secrets: a file content, a random_bytes value, a variable-fed attribute and output.
    assert {"foo-42", "foobar-42", "hxk5iA==", "87193988", "boop"} <= secrets
    rendered += render_comment(report(*projects))
    text = "\n".join(rendered)
    assert "(sensitive value)" in text
    leaked = sorted(s for s in secrets if s in text)
    assert leaked == []


# --- layout -------------------------------------------------------------------------------------


def test_destroys_and_replacements_come_before_the_first_details(fixtures_dir: Path) -> None:
    deleting = summary_of(fixtures_dir, f"{BASIC}/2-delete/plan.json")
    replacing = summary_of(fixtures_dir, f"{BASIC}/1-modify/plan.json")
    (comment,) = render_comment(report(project(deleting, "del"), project(replacing, "mod")))
    fold = comment.index("<details>")
    warning = comment.index("⚠️ Destroys and replacements")
    assert warning < fold
    for resource in [*deleting.destroys, *replacing.replacements]:
        assert f"`{resource.address}`" in comment[warning:fold]
    assert "removed from the configuration" in comment[warning:fold]
    assert "cannot be updated in place; forced by `content`" in comment[warning:fold]


def test_a_plan_without_destroys_has_no_warning(fixtures_dir: Path) -> None:
    (comment,) = render_comment(report(project(summary_of(fixtures_dir, f"{BASIC}/0-create/plan.json"))))
    assert "⚠️" not in comment and "✅ ready to apply" in comment


def test_a_plan_held_by_a_blocking_policy_set_is_not_ready_to_apply(fixtures_dir: Path) -> None:
    summary = summary_of(fixtures_dir, f"{BASIC}/0-create/plan.json")
    held = dataclasses.replace(project(summary), held_by_policies=("tags",))
    (comment,) = render_comment(report(held))
    assert "⛔ held by policy" in comment and "ready to apply" not in comment


def test_drift_is_shown_above_the_fold(fixtures_dir: Path) -> None:
    drift = summary_of(fixtures_dir, "opentofu/internal/command/testdata/show-json/drift/output.json")
    (comment,) = render_comment(report(project(drift)))
    section = comment[comment.index("🔀 Changed outside Terraform") : comment.index("<details>")]
    assert "`test_instance.should_refresh` was updated outside Terraform" in section
    assert '`"refresh-me"` → `"refreshed"`' in section


def test_an_errored_plan_is_shown(fixtures_dir: Path) -> None:
    errored = summary_of(fixtures_dir, "opentofu/internal/command/testdata/show-json/plan-error/output.json")
    (comment,) = render_comment(report(project(errored)))
    assert "❌ plan errored" in comment
    assert "cannot be applied" in comment[comment.index("❌ Errors") :]


def test_failed_checks_are_shown_above_the_fold() -> None:
    check = {
        "address": {"to_display": "check.health", "kind": "check"},
        "status": "fail",
        "instances": [{"status": "fail", "problems": [{"message": "status was 503 <b>"}]}],
    }
    create = {"address": "a.b", "mode": "managed", "change": {"actions": ["create"]}}
    summary = summarize({"planned_values": {}, "checks": [check], "resource_changes": [create]})
    (comment,) = render_comment(report(project(summary)))
    assert "❗ checks failed" in comment
    assert "- `check.health` fail: status was 503 &lt;b&gt;" in comment[: comment.index("<details>")]
    assert "❗ Failed checks" in render_summary_markdown(summary)


def test_a_replacement_that_keeps_the_old_object_says_so() -> None:
    summary = summarize({"resource_changes": [{"address": "a.b", "change": {"actions": ["create", "forget"]}}]})
    (comment,) = render_comment(report(project(summary)))
    assert "♻️ **replace** `a.b` (the old object is left in place, not destroyed)" in comment


def test_a_project_error_is_fenced_verbatim() -> None:
    error = "Error: boom\n````\n</details>\n<script>alert(1)</script>\n| a | b |\n@octocat `x`"
    (comment,) = render_comment(report(project(None, "broken", error)))
    assert_renders_safely(comment)
    (block,) = [t for t in tokens(comment) if t.type == "fence"]
    assert block.content == error + "\n"
    assert "❌ failed" in comment


def test_the_300_resource_fixture(fixtures_dir: Path) -> None:
    summary = summary_of(fixtures_dir, f"{BASIC}/7-create-hundreds/plan.json")
    addresses = [r.address for r in summary.changes]
    assert len(addresses) == 300
    (whole,) = render_comment(report(project(summary)))
    assert len(whole) <= MAX_PART_CHARS and code_spans(whole) >= set(addresses)
    parts = render_comment(report(project(summary)), limit=4_000)
    assert len(parts) > 2
    for number, part in enumerate(parts, 1):
        assert len(part) <= 4_000
        assert marker_of(part) == ("change-42", number)
        assert_renders_safely(part)
    assert "| `app` | `infra/app` | `default` | 300 |" in parts[0]
    assert code_spans("\n".join(parts)) >= set(addresses)
    assert "(continued)</summary>" in parts[1]


def test_long_lists_are_capped_and_say_so() -> None:
    changes = [{"address": f"aws_instance.gone[{i}]", "change": {"actions": ["delete"]}} for i in range(80)]
    changes += [{"address": f"aws_instance.new[{i}]", "change": {"actions": ["create"]}} for i in range(1_200)]
    summary = summarize({"resource_changes": changes})
    parts = render_comment(report(project(summary)))
    text = "\n".join(parts)
    fold = text.index("<details>")
    assert text[:fold].count("🗑️ **destroy**") == MAX_DESTRUCTIVE_LISTED
    assert "… and 30 more destroyed or replaced resources" in text[:fold]
    assert f"… and {80 + 1_200 - MAX_RESOURCES_LISTED:,} more resources not listed here" in text
    assert "| 1,200 | 0 | 80 |" in parts[0]
    assert all(len(p) <= MAX_PART_CHARS < GITHUB_COMMENT_LIMIT for p in parts)


def test_findings_are_sorted_by_severity_and_escaped() -> None:
    findings = [
        Finding("CKV_AWS_18", Severity.LOW, "Ensure | logging <b>on</b> @octocat", "aws_s3_bucket.a", "m.tf", 3),
        Finding(
            "AVD-AWS-0086",
            Severity.CRITICAL,
            "Public `ACL`",
            "aws_s3_bucket.b",
            "m.tf",
            9,
            "https://x.io/a(b)",
        ),
        Finding(
            "CKV_AWS_1",
            Severity.HIGH,
            "Bad",
            "aws_iam.c|d",
            "m.tf",
            1,
            "javascript:alert(1)",
            aliases=("A|B",),
        ),
    ]
    (comment,) = render_comment(report(findings=findings, scanners=("checkov", "trivy")))
    assert_renders_safely(comment)
    header, *rows = table_rows(comment)
    assert header == ["Severity", "Rule", "Resource", "Location", "Link"]
    assert [row[0] for row in rows] == ["🟥 CRITICAL", "🟧 HIGH", "🟦 LOW"]
    assert rows[2][1] == f"CKV_AWS_18 Ensure | logging <b>on</b> @{WORD_JOINER}octocat"
    assert rows[1][1:4] == ["CKV_AWS_1 Bad (also A|B)", "aws_iam.c|d", "m.tf:1"]
    assert "javascript" not in comment and "(https://x.io/a%28b%29)" in comment
    assert "@octocat" not in comment  # a word joiner keeps it from notifying anyone
    assert "1 critical, 1 high, 1 low" in comment


def test_no_findings_from_scanners_that_ran_is_said() -> None:
    (comment,) = render_comment(report(scanners=("Checkov", "Trivy")))
    assert "Checkov and Trivy found nothing to report." in comment


def test_next_commands_close_the_comment(fixtures_dir: Path) -> None:
    summary = summary_of(fixtures_dir, f"{BASIC}/0-create/plan.json")
    (comment,) = render_comment(report(project(summary), next_commands=("/infra apply -p app",)))
    assert comment.rstrip().endswith("- `/infra apply -p app`")


def test_project_report_of_a_project() -> None:
    entry = ProjectReport.of(Project("net", "infra/net", "prod"), error="locked")
    assert (entry.name, entry.dir, entry.workspace, entry.error) == ("net", "infra/net", "prod", "locked")


def test_marker_round_trip() -> None:
    key = "change/42 --> <x>"
    parts = render_comment(report(), limit=MAX_PART_CHARS)
    assert marker_of(parts[0]) == ("change-42", 1)
    assert marker_of(marker(key, 2, 3) + "\nbody") == (key, 2)
    assert "-->" not in marker(key, 1, 1)[: -len("-->")]
    assert marker_of("a comment quoting us: <!-- olympus:comment key=x part=1/1 -->") is None
    assert marker_of("plain text") is None


def test_counts_json_has_exactly_the_documented_keys(fixtures_dir: Path) -> None:
    summary = summary_of(fixtures_dir, "hashicorp-terraform-json/testdata/identity/plan.json")
    assert counts_json(summary) == {
        "add": 0, "change": 1, "destroy": 0, "replace": 0, "import": 1, "move": 0, "forget": 0,
    }  # fmt: skip


def test_summary_markdown_lists_everything(fixtures_dir: Path) -> None:
    hundreds = summary_of(fixtures_dir, f"{BASIC}/7-create-hundreds/plan.json")
    text = render_summary_markdown(hundreds)
    assert text.startswith("### Plan: 300 to add, 0 to change, 0 to destroy.")
    assert code_spans(text) >= {r.address for r in hundreds.changes}
    identity = render_summary_markdown(summary_of(fixtures_dir, "hashicorp-terraform-json/testdata/identity/plan.json"))
    assert identity.startswith("### Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.")
    empty = render_summary_markdown(summary_of(fixtures_dir, f"{BASIC}/4-empty/plan.json"))
    assert empty.startswith("### No changes.")
    errored = summary_of(fixtures_dir, "opentofu/internal/command/testdata/show-json/plan-error/output.json")
    assert "errored: true" in render_summary_markdown(errored)


# --- hostile text and splitting, as properties --------------------------------------------------

_nasty = (
    st.lists(
        st.sampled_from([*"ab|`*_<>/&@#[]()!\\~-= \n\r\t\x00", "</details>", "```", "<!--", "-->", "<b>"]),
        min_size=1,
        max_size=12,
    )
    .map("".join)
    .filter(lambda s: one_line(s).strip() != "")
)


def _plan(addresses: list[str], actions: list[str]) -> dict[str, Any]:
    shapes = {
        "create": ["create"],
        "delete": ["delete"],
        "replace": ["delete", "create"],
        "update": ["update"],
    }
    return {
        "resource_changes": [
            {
                "address": address,
                "mode": "managed",
                "change": {
                    "actions": shapes[action],
                    "before": {"v": address},
                    "after": {"v": address + "!"},
                },
            }
            for address, action in zip(addresses, actions, strict=False)
        ]
    }


@st.composite
def reports(draw: st.DrawFn) -> CommentReport:
    projects: list[ProjectReport] = []
    for number in range(draw(st.integers(1, 4))):
        name = draw(_nasty)
        if draw(st.integers(0, 5)) == 0:
            projects.append(ProjectReport(name, f"d{number}", "default", None, draw(st.text(max_size=300))))
            continue
        count = draw(st.integers(0, 60))
        addresses = draw(st.lists(_nasty | st.text(min_size=1, max_size=60), min_size=count, max_size=count))
        addresses = [a if one_line(a).strip() else "x" for a in addresses]
        actions = draw(st.lists(st.sampled_from(["create", "delete", "replace", "update"]), min_size=count))
        projects.append(ProjectReport(name, f"d{number}", "ws", summarize(_plan(addresses, actions))))
    findings = [
        Finding(draw(_nasty), draw(st.sampled_from(list(Severity))), draw(_nasty), draw(_nasty), "m.tf", 1)
        for _ in range(draw(st.integers(0, 5)))
    ]
    return CommentReport(key=draw(_nasty), head_sha=SHA, projects=projects, findings=findings)


@settings(max_examples=60, deadline=None)
@given(reports(), st.integers(3_000, 20_000))
def test_every_part_is_bounded_balanced_and_complete(comment: CommentReport, limit: int) -> None:
    parts = render_comment(comment, limit=limit)
    for number, part in enumerate(parts, 1):
        assert len(part) <= limit
        assert marker_of(part) == (comment.key, number)
        assert_renders_safely(part)
    # The summary table is whole in part 1: one row per project, the counts in their own columns.
    header, *rows = table_rows(parts[0])[: len(comment.projects) + 1]
    assert header[:4] == ["Project", "Directory", "Workspace", "Add"]
    assert [row[0] for row in rows] == [clip(one_line(p.name), 300) for p in comment.projects]
    for row, entry in zip(rows, comment.projects, strict=True):
        expected = entry.summary.counts.as_dict().values() if entry.summary else ["–"] * 7
        assert row[3:10] == [f"{n:,}" if isinstance(n, int) else n for n in expected]
    spans = code_spans("\n".join(parts))
    for entry in comment.projects:
        if entry.summary is not None:
            assert spans >= {clip(one_line(r.address), 300) for r in entry.summary.changes}


_words = st.text(alphabet="abc xyz|`*", min_size=1, max_size=120)


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["text", "fence", "table"] + (["details"] if depth < 3 else [])))
        if kind == "text":
            lines += [f"- {w}" for w in draw(st.lists(_words, max_size=8))] + [""]
        elif kind == "fence":
            ticks = "`" * draw(st.integers(3, 5))
            lines += [
                ticks + "text",
                *draw(st.lists(_words.map(lambda w: w.replace("`", "'")), max_size=8)),
                ticks,
            ]
        elif kind == "table":
            rows = draw(st.lists(_words.map(lambda w: f"| {w.replace('|', '/')} | x |"), max_size=10))
            lines += ["| h1 | h2 |", "| :-- | :-- |", *rows, ""]
        else:
            lines += [f"<details><summary>{draw(st.integers())}</summary>", ""]
            lines += draw(documents(depth + 1)) + ["", "</details>", ""]
    return lines


@settings(max_examples=100, deadline=None)
@given(documents(), st.integers(600, 4_000))
def test_the_splitter_keeps_every_line_and_every_part_renders_alone(lines: list[str], budget: int) -> None:
    parts = split_lines(lines, budget)
    for part in parts:
        text = "\n".join(part)
        assert len(text) <= budget
        assert_renders_safely(text)
    # Every line is kept, in order; what the splitter adds is closers, reopeners and repeated headers.
    joined = [line for part in parts for line in part]
    position = 0
    for line in lines:
        position = joined.index(line, position) + 1


def test_a_fence_line_longer_than_a_part_is_cut_into_pieces() -> None:
    long = "x" * 5_000
    parts = split_lines(["```text", long, "```"], 1_000)
    assert len(parts) >= 5
    assert "".join(line for part in parts for line in part if line.startswith("x")) == long
    for part in parts:
        assert_renders_safely("\n".join(part))
        assert len("\n".join(part)) <= 1_000


def test_a_budget_too_small_to_split_is_refused() -> None:
    with pytest.raises(ValueError, match="too small"):
        split_lines(["a"], 100)


_any_text = st.text(max_size=80) | _nasty


@settings(max_examples=300, deadline=None)
@given(_any_text)
def test_escaped_text_renders_as_itself(text: str) -> None:
    shown = clip(one_line(text), 300).replace("@", "@" + WORD_JOINER)
    (paragraph,) = [t for t in MARKDOWN.parse("x " + escape_text(text)) if t.type == "inline"]
    assert [c.type for c in paragraph.children or []] == ["text"] or not shown.strip()
    assert plain(paragraph).strip() == ("x " + shown).strip()


@settings(max_examples=300, deadline=None)
@given(_any_text.filter(lambda s: one_line(s).strip() != ""))
def test_a_code_span_shows_its_text_verbatim_in_prose_and_in_tables(text: str) -> None:
    shown = clip(one_line(text), 300)
    assert code_spans("x " + code(text)) == {shown}
    table = f"| a | b |\n| -- | -- |\n| {code(text, in_table=True)} | end |"
    assert table_rows(table)[1] == [shown, "end"]


@settings(max_examples=200, deadline=None)
@given(_any_text)
def test_html_escaped_text_stays_inside_its_summary(text: str) -> None:
    block = f"<details><summary>{escape_html(text)}</summary>\n\nbody\n\n</details>"
    assert_renders_safely(block)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_a_fence_holds_any_text(text: str) -> None:
    (block,) = [t for t in MARKDOWN.parse("\n".join(fence(text))) if t.type == "fence"]
    assert block.content.rstrip("\n") == one_line_controls(text).rstrip("\n")


def one_line_controls(text: str) -> str:
    """What fence() shows for text: line breaks kept, tabs as spaces, other controls as \\xNN, invisible
    characters as \\uNNNN."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return show_invisible(re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", lambda m: f"\\x{ord(m.group()):02x}", text))


def test_links_only_to_http() -> None:
    assert link("javascript:alert(1)") == "" and link("data:text/html,x") == "" and link("/relative") == ""
    assert link("https://example.com/a b)|") == "[link](https://example.com/a%20b%29%7C)"
    assert link("HTTP://x.io/?q=1&r=[2]#f", "docs") == "[docs](HTTP://x.io/?q=1&r=[2]#f)"


def test_skipped_checks_are_listed_with_their_reasons_and_escaped() -> None:
    from bot.domain.findings import SkippedCheck

    skips = (
        SkippedCheck(
            "CKV_AWS_144",
            "checkov",
            "infra/aws/modules/s3_bucket/main.tf",
            3,
            "aws_s3_bucket.this",
            "Cross-region replication is a per-team DR decision",
            aliases=("AVD-AWS-0089",),
        ),
        SkippedCheck("CKV_AWS_18", "checkov", "main.tf", 9, "aws_s3_bucket.x", "</details> | `boom` <b>x</b>"),
        SkippedCheck("AVD-AWS-0132", "trivy", "main.tf", 9, "aws_s3_bucket.x"),
    )
    [part] = render_comment(CommentReport(key="k", head_sha="a" * 40, skipped=skips))
    assert "3 checks skipped inline" in part
    assert "is a per" in part and "DR decision" in part
    assert "no reason given" in part
    assert part.count("</details>") == part.count("<details>") == 1
    assert "<b>" not in part


def test_a_lock_holder_links_a_pull_request_and_escapes_anything_else() -> None:
    from bot.domain.render import holder

    assert holder("octo-org/infra#12") == "octo-org/infra#12"
    assert holder("infra/create-bucket-x-dev") == "`infra/create-bucket-x-dev`"
    assert holder("x#1<img src=x>") == "`x#1<img src=x>`"  # a code span: GitHub shows it, never renders it
    locked = ProjectReport("aws-dev", "infra/aws/envs/dev", locked_by="octo-org/infra#12")
    [part] = render_comment(CommentReport(key="k", head_sha="a" * 40, projects=[locked]))
    assert "🔒 locked by octo-org/infra#12" in part
