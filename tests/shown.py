"""What a person reads of GitHub markdown: rendered, tags dropped, entities decoded (escapes and markup gone)."""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark").enable("table")


def shown(markdown: str) -> str:
    """The text of markdown as it renders, with its lines kept."""
    return html.unescape(re.sub(r"<[^>]+>", "", _MARKDOWN.render(markdown)))
