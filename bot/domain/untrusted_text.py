"""Text from issues and comments made safe to hand to a language model: what a reader cannot see is removed.

GitHub's own coding agent does the same before its model reads an issue: HTML comments (`<!-- ... -->`, invisible
in the rendered issue) and invisible or reordering characters (bidi controls, zero-width characters, tag
characters, variation-selector runs) can carry instructions a reviewer never saw. The model reads only what a person
reading the issue reads.
"""

from __future__ import annotations

import re
from typing import Final

from bot.domain.invisible import is_invisible

__all__ = ["MAX_REQUEST_CHARS", "visible_text"]

# A request is a sentence or a paragraph; a longer text is cut, and the cut said, before it costs tokens.
MAX_REQUEST_CHARS: Final = 4000
# An unclosed comment hides the rest of the text when GitHub renders it, so it is removed to the end.
_HTML_COMMENT: Final = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def visible_text(text: str, *, limit: int = MAX_REQUEST_CHARS) -> str:
    """text as a reader of the rendered issue sees it: no HTML comments, no invisible or control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = "".join(char for char in text if not is_invisible(char))
    # Comments last, so no removal above can join one; again until none is left, as removing one may join "<" and
    # "!--" around it into a new one.
    while (uncommented := _HTML_COMMENT.sub("", text)) != text:
        text = uncommented
    text = text.strip()
    if len(text) > limit:
        text = text[:limit] + f"\n[… {len(text) - limit:,} more characters left out]"
    return text
