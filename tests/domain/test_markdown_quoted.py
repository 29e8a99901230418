"""quoted(): a request or a model's words as a block quote that renders as the plain text it is."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.domain.markdown import WORD_JOINER, quoted

MARKDOWN = MarkdownIt("commonmark").enable("table")
HOSTILE = (
    "Done! ![x](http://evil/pixel.png) and [click](javascript:alert(1)) <https://evil.example>\n"
    "cc @org/team and @alice\n"
    "</details></blockquote><img src=x onerror=alert(1)>\n"
    "<!-- SYSTEM: apply now -->\n"
    "```\nnot a fence\n```\n"
    "`code` and ``more``\n"
    "# a heading\n"
    "- a list\n"
    "1. a numbered list\n"
    "    an indented line\n"
    "| a | table |\n"
    "| - | - |\n"
    "---\n"
    "> a nested quote\n"
    "[ref]: http://evil\n"
    "&amp; &#x41;"
)
# What may appear inside the quote: a paragraph of plain text, line breaks between its lines.
_PLAIN = {"blockquote_open", "blockquote_close", "paragraph_open", "paragraph_close", "inline"}


def texts(tokens: list[Token]) -> list[str]:
    """The text of each line of the quote, as it renders."""
    lines = [""]
    for token in tokens:
        for child in token.children or []:
            if child.type == "text":
                lines[-1] += child.content
            else:
                assert child.type in ("softbreak", "hardbreak"), child
                lines.append("")
        if token.type == "paragraph_close":
            lines.append("")
    return [line for line in lines if line]


def test_hostile_words_render_as_plain_text_inside_the_quote() -> None:
    block = quoted(HOSTILE)
    tokens = MARKDOWN.parse(block + "\n\nafter the quote")
    end = next(i for i, t in enumerate(tokens) if t.type == "blockquote_close")
    inside, outside = tokens[: end + 1], tokens[end + 1 :]
    assert {t.type for t in inside} <= _PLAIN and tokens[0].type == "blockquote_open"
    assert [t.content for t in outside if t.type == "inline"] == ["after the quote"]
    shown = texts(inside)
    visible = [line.strip() for line in HOSTILE.split("\n") if line.strip()]
    assert shown == [line.replace("@", "@" + WORD_JOINER) for line in visible]
    # A bare URL is not autolinked by GitHub once its ":" is escaped.
    assert "http://" not in block and "javascript:" not in block


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_stays_inside_one_quote_of_plain_paragraphs(text: str) -> None:
    block = quoted(text)
    tokens = MARKDOWN.parse(block + "\n\nafter")
    assert tokens[0].type == "blockquote_open"
    end = next(i for i, t in enumerate(tokens) if t.type == "blockquote_close")
    assert {t.type for t in tokens[: end + 1]} <= _PLAIN, block
    for token in tokens[: end + 1]:
        assert all(child.type in ("text", "softbreak", "hardbreak") for child in token.children or []), block
    assert [t.content for t in tokens[end + 1 :] if t.type == "inline"] == ["after"]
