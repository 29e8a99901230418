"""Invisible code points (bidi controls, zero-width, fillers, tags) show as escapes wherever untrusted text goes."""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.adapters.github.checks import annotation, output
from bot.domain.findings import SkippedCheck
from bot.domain.invisible import is_invisible, is_selector, show_invisible
from bot.domain.markdown import WORD_JOINER, code, escape_html, escape_text, fence, one_line
from bot.domain.models import Finding, Severity
from bot.domain.plans import summarize
from bot.domain.render import CommentReport, ProjectReport, render_comment, render_summary_markdown
from bot.domain.sarif import to_sarif
from bot.entrypoints.action_workflow import annotation_for, workflow_command

MARKDOWN = MarkdownIt("commonmark").enable("table")

BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
ZERO_WIDTH = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]
FILLERS = [0x115F, 0x1160, 0x3164, 0xFFA0, 0x180E, 0x034F, 0x17B4, 0x17B5]
TAGS = [0xE0001, 0xE0020, 0xE0041, 0xE007F]
OTHER_FORMAT = [0x00AD, 0x2061, 0x2064, 0x206F, 0xFFF9, 0xFFFB, 0x0600, 0x110BD, 0x1D173, 0x13430, 0x2028, 0x2029]
EVERY_LISTED = BIDI + ZERO_WIDTH + FILLERS + TAGS + OTHER_FORMAT


def escape_of(code_point: int) -> str:
    return f"\\u{code_point:04x}" if code_point <= 0xFFFF else f"\\U{code_point:08x}"


def _inline_text(markdown: str) -> str:
    """What a paragraph shows, as text: text and code spans, in order."""
    (paragraph,) = [t for t in MARKDOWN.parse(markdown) if t.type == "inline"]
    return "".join(c.content for c in paragraph.children or [] if c.type in ("text", "code_inline"))


def _shown_by_escape_text(text: str) -> str:
    return _inline_text("x " + escape_text(text))[2:]


def _shown_by_code(text: str) -> str:
    (span,) = [c for t in MARKDOWN.parse("x " + code(text)) for c in t.children or [] if c.type == "code_inline"]
    return span.content


def _shown_by_escape_html(text: str) -> str:
    rendered = MARKDOWN.render(f"<details><summary>{escape_html(text)}</summary>\n\nbody\n\n</details>")
    return html.unescape(rendered.split("<summary>", 1)[1].split("</summary>", 1)[0])


def _shown_by_fence(text: str) -> str:
    (block,) = [t for t in MARKDOWN.parse("\n".join(fence(text))) if t.type == "fence"]
    return block.content


# What a reader sees of each function's output once GitHub's markdown renders it.
SHOWN: dict[str, Callable[[str], str]] = {
    "one_line": one_line,
    "escape_text": _shown_by_escape_text,
    "escape_html": _shown_by_escape_html,
    "code": _shown_by_code,
    "fence": _shown_by_fence,
}
RAW: dict[str, Callable[[str], str]] = {
    "one_line": one_line,
    "escape_text": escape_text,
    "escape_html": escape_html,
    "code": code,
    "fence": lambda text: "\n".join(fence(text)),
}


@pytest.mark.parametrize("function", SHOWN)
@pytest.mark.parametrize("code_point", EVERY_LISTED, ids=lambda c: f"U+{c:04X}")
def test_every_invisible_character_is_shown_as_its_escape(function: str, code_point: int) -> None:
    char = chr(code_point)
    text = f"aws_s3_bucket.a{char}b"

    raw = RAW[function](text)
    shown = SHOWN[function](text)

    assert char not in raw
    assert f"a{escape_of(code_point)}b" in shown


@pytest.mark.parametrize("function", SHOWN)
def test_a_lone_surrogate_is_shown_not_sent(function: str) -> None:
    raw = RAW[function]("x\ud800y")
    assert "\ud800" not in raw
    raw.encode("utf-8")  # GitHub's API takes UTF-8: a lone surrogate could not even be sent
    assert "x\\ud800y" in SHOWN[function]("x\ud800y")


def test_every_format_character_in_unicode_is_escaped() -> None:
    # Python's own table names every Cf code point: none may pass one_line or fence.
    format_chars = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    text = "".join(format_chars)

    assert len(format_chars) > 150
    assert not any(unicodedata.category(c) == "Cf" for c in one_line(text))
    assert not any(unicodedata.category(c) == "Cf" for c in "\n".join(fence(text, limit=10_000)))
    assert one_line(text) == "".join(escape_of(ord(c)) for c in format_chars)


@pytest.mark.parametrize(
    "text",
    [
        "café-naïve",
        "東京-ログ",
        "Ж-бакет",
        "مرحبا",  # right-to-left letters are text, not controls
        "e\u0301",  # a combining accent
        "⚠️ warning",  # U+26A0 U+FE0F: one variation selector after a visible character
        "👍🏽 🇫🇷 1️⃣",  # skin tone, regional indicators, a keycap
        "葛\U000e0100",  # an ideographic variation sequence
    ],
)
def test_legitimate_non_ascii_text_is_left_alone(text: str) -> None:
    assert show_invisible(text) == text
    assert one_line(text) == text
    assert _shown_by_code(text) == text


def test_joiners_inside_emoji_sequences_are_escaped_by_choice() -> None:
    # A family emoji shows as its parts; a hidden joiner elsewhere could disguise text, and both look the same.
    assert one_line("👨\u200d👩\u200d👧") == "👨\\u200d👩\\u200d👧"
    assert one_line("🏴\U000e0067\U000e0062\U000e007f") == "🏴\\U000e0067\\U000e0062\\U000e007f"


def test_a_run_of_variation_selectors_is_shown() -> None:
    # "Emoji smuggling" hides bytes in selectors after one visible character; only the first is presentation.
    smuggled = "😀\ufe01\ufe02\U000e0150"
    assert show_invisible(smuggled) == "😀\ufe01\\ufe02\\U000e0150"
    assert show_invisible("\ufe0f") == "\\ufe0f"
    assert show_invisible(" \ufe0f") == " \\ufe0f"


def test_the_word_joiner_after_at_is_ours_and_an_incoming_one_is_shown() -> None:
    escaped = escape_text("@octocat and \u2060@team")
    assert "@" + WORD_JOINER + "octocat" in escaped
    assert escaped.count(WORD_JOINER) == 2
    assert "\\\\u2060@" + WORD_JOINER + "team" in escaped
    assert _shown_by_escape_text("a\u2060b") == "a\\u2060b"
    assert escape_html("@x\u2060") == "@" + WORD_JOINER + "x\\u2060"


def test_a_variation_selector_after_at_is_shown_once_the_joiner_parts_them() -> None:
    # Found by the property below: "@" + U+FE0F kept the selector, then the joiner put it after nothing visible.
    assert escape_html("@\ufe0f") == "@" + WORD_JOINER + "\\ufe0f"
    assert escape_text("@\U000e0101x") == "@" + WORD_JOINER + "\\U000e0101x"
    assert escape_text("⚠\ufe0f @é") == "⚠\ufe0f @" + WORD_JOINER + "é"


def _strange_text() -> st.SearchStrategy[str]:
    invisible = st.sampled_from([chr(c) for c in EVERY_LISTED] + ["\ufe0f", "\U000e0101", "\ud800", "@", "`", "\n"])
    return st.lists(invisible | st.characters(), max_size=60).map("".join)


def _hidden_left(function: str, text: str) -> list[str]:
    """Invisible characters a function's output keeps that are not allowed there."""
    out = RAW[function](text)
    left: list[str] = []
    for i, char in enumerate(out):
        if not is_invisible(char):
            continue
        if char == WORD_JOINER and function in ("escape_text", "escape_html") and out[i - 1 : i] == "@":
            continue  # ours: it keeps "@name" from notifying anyone
        previous = out[i - 1 : i]
        if is_selector(char) and previous and not previous.isspace() and not is_invisible(previous):
            continue  # presentation of the character before it
        left.append(f"U+{ord(char):04X} at {i}")
    return left


@settings(max_examples=300, deadline=None)
@given(_strange_text(), st.sampled_from(sorted(RAW)))
def test_no_output_holds_a_hidden_character(text: str, function: str) -> None:
    assert _hidden_left(function, text) == []
    out = RAW[function](text)
    assert not any(unicodedata.category(c) in ("Cf", "Zl", "Zp", "Cs") for c in out.replace("@" + WORD_JOINER, "@"))


# --- through the comment, SARIF, check runs and the job's annotations -------------------------------------------

RLO = "\u202e"
DISGUISED = f"aws_s3_bucket.logs{RLO}txt.exe"


def _disguised_plan_report() -> CommentReport:
    change = {
        "address": DISGUISED,
        "mode": "managed",
        "type": "aws_s3_bucket",
        "change": {
            "actions": ["update"],
            "before": {"bucket": "logs", "policy": "allow"},
            "after": {"bucket": f"logs{RLO}gpj.exe", "policy": f"deny{RLO}"},
        },
    }
    summary = summarize({"resource_changes": [change], "planned_values": {}})
    finding = Finding("CKV_AWS_1", Severity.HIGH, f"Bucket {RLO}public", DISGUISED, f"main{RLO}.tf", 3)
    skip = SkippedCheck("CKV_AWS_2", "checkov", f"main{RLO}.tf", 4, DISGUISED, f"because{RLO} reasons")
    project = ProjectReport(f"app{RLO}", f"infra/app{RLO}", "default", summary, f"Error: {RLO}boom")
    return CommentReport("change-1", "0" * 40, [project], [finding], scanners=("checkov",), skipped=[skip])


def test_a_plan_with_a_bidi_override_in_address_and_values_shows_the_escape() -> None:
    report = _disguised_plan_report()
    (comment,) = render_comment(report)

    assert RLO not in comment
    spans = {c.content for t in MARKDOWN.parse(comment) for c in t.children or [] if c.type == "code_inline"}
    assert "aws_s3_bucket.logs\\u202etxt.exe" in spans
    assert {'"logs\\u202egpj.exe"', '"deny\\u202e"', "infra/app\\u202e"} <= spans
    (error,) = [t.content for t in MARKDOWN.parse(comment) if t.type == "fence"]
    assert error == "Error: \\u202eboom\n"
    assert "Bucket \\u202epublic" in "".join(
        c.content for t in MARKDOWN.parse(comment) for c in t.children or [] if c.type == "text"
    )
    summary = report.projects[0].summary
    assert summary is not None
    markdown = render_summary_markdown(summary)
    assert RLO not in markdown and "aws_s3_bucket.logs\\u202etxt.exe" in markdown


def test_sarif_messages_show_the_escape_and_keep_their_identity() -> None:
    report = _disguised_plan_report()
    sarif = to_sarif(report.findings, skipped=report.skipped)
    texts = [r["message"]["text"] for r in sarif["runs"][0]["results"]] + [
        rule["shortDescription"]["text"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]
    ]

    assert all(RLO not in text for text in texts)
    assert "Bucket \\u202epublic on aws_s3_bucket.logs\\u202etxt.exe" in texts
    suppressed = sarif["runs"][0]["results"][1]["suppressions"][0]
    assert suppressed["justification"] == "because\\u202e reasons"


def test_check_runs_and_workflow_annotations_show_the_escape() -> None:
    (finding,) = _disguised_plan_report().findings
    note = annotation(finding)
    body = output(f"Locked by x{RLO}", f"summary {RLO}", f"text {RLO}", [note])
    line = annotation_for(finding)

    assert RLO not in note["title"] + note["message"] and "\\u202epublic" in note["message"]
    assert note["path"] == finding.file  # the path GitHub must find stays as the scanner gave it
    assert [body["title"], body["summary"], body["text"]] == ["Locked by x\\u202e", "summary \\u202e", "text \\u202e"]
    assert "\\u202epublic" in line and f"file=main{RLO}.tf" in line
    assert workflow_command("warning", f"a{RLO}", title=f"t{RLO}") == "::warning title=t\\u202e::a\\u202e"
