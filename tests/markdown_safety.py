"""What every comment Olympus posts must be, as a markdown parser sees it: closed fences, balanced details, no HTML."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

MARKDOWN = MarkdownIt("commonmark").enable("table")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_OUR_HTML = re.compile(
    r"(<!-- olympus:comment key=\S+ part=\d+/\d+ -->|<details><summary>[^<>]*</summary>|</details>)\n?"
)


def tokens(text: str) -> list[Token]:
    """Every token of the markdown, inline ones included."""
    flat: list[Token] = []
    for token in MARKDOWN.parse(text):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def assert_renders_safely(part: str, *, inert: bool = False) -> None:
    """Fences closed, <details> balanced, no HTML but ours; `inert` also: no link, image or mention in text."""
    fence = ""
    for line in part.split("\n"):
        if fence:
            stripped = line.strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                fence = ""
        elif opened := _FENCE.match(line):
            fence = opened.group(1)
    assert not fence, "a code fence is left open"
    depth = 0
    for token in tokens(part):
        assert token.type != "html_inline", token.content
        if inert:
            # GitHub mentions only in text: "@name" in a code span or block is shown, and notifies no one.
            assert token.type != "text" or not re.search(r"@\w", token.content), token.content
            assert token.type not in ("link_open", "image"), token.content
        if token.type == "html_block":
            assert _OUR_HTML.fullmatch(token.content), token.content
            depth += token.content.count("<details>") - token.content.count("</details>")
            assert depth >= 0
    assert depth == 0, "a <details> is left open"
