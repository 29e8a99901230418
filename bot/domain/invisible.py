"""Code points that show as nothing or reorder the text around them, and the visible escape each is shown as."""

from __future__ import annotations

import unicodedata
from typing import Final

__all__ = ["is_invisible", "is_selector", "show_invisible"]

# Cf: format characters, among them the bidi controls U+202A–U+202E, U+2066–U+2069, U+200E/U+200F and U+061C
# (Trojan Source, https://trojansource.codes/), zero-width U+200B–U+200D, U+2060, U+FEFF, the soft hyphen and
# the tag characters U+E0001, U+E0020–U+E007F. Zl/Zp: line and paragraph separators, which some viewers break
# lines at. Cs: a lone surrogate, which cannot even be encoded to send.
_CATEGORIES: Final = frozenset({"Cf", "Zl", "Zp", "Cs"})
# The rest of Unicode's Default_Ignorable_Code_Point that is not Cf: characters drawn as nothing (U+034F, the
# Hangul fillers, U+17B4/U+17B5, the variation selectors) and the unassigned code points reserved for more of them.
# https://www.unicode.org/Public/UCD/latest/ucd/DerivedCoreProperties.txt
_IGNORABLE: Final = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2065, 0x2065),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0xE0000, 0xE0FFF),
)
# A variation selector picks the glyph of the character before it ("⚠" + U+FE0F is the emoji ⚠️). One after a
# visible character is how emoji and CJK variants are written; a run of them or one after nothing carries data
# nobody sees ("emoji smuggling"), so only the first after a visible character is kept.
_SELECTORS: Final = ((0x180B, 0x180D), (0x180F, 0x180F), (0xFE00, 0xFE0F), (0xE0100, 0xE01EF))


def _within(code_point: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= code_point <= high for low, high in ranges)


def is_invisible(char: str) -> bool:
    """True for a code point that renders as nothing or changes how the text around it is ordered or drawn."""
    return unicodedata.category(char) in _CATEGORIES or _within(ord(char), _IGNORABLE)


def is_selector(char: str) -> bool:
    """True for a variation selector (U+FE00–U+FE0F, U+E0100–U+E01EF, the Mongolian free variation selectors)."""
    return _within(ord(char), _SELECTORS)


def show_invisible(text: str) -> str:
    """text with every invisible code point as its escape (`\\u202e`, `\\U000e0041`); one variation selector right
    after a visible character stays, so emoji such as ⚠️ keep their look. Joiners inside emoji sequences
    (U+200D) and tag characters in subdivision flags are escaped too: a family emoji shows as its parts."""
    if text.isascii():
        return text
    shown: list[str] = []
    previous = ""  # the last character kept as it is, "" after an escape
    for char in text:
        if is_invisible(char) and not (is_selector(char) and _carries_selector(previous)):
            shown.append(_escape(char))
            previous = ""
        else:
            shown.append(char)
            previous = char
    return "".join(shown)


def _carries_selector(previous: str) -> bool:
    return bool(previous) and not previous.isspace() and not is_invisible(previous)


def _escape(char: str) -> str:
    code_point = ord(char)
    return f"\\u{code_point:04x}" if code_point <= 0xFFFF else f"\\U{code_point:08x}"
