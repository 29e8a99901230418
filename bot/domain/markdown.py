"""GitHub markdown from untrusted text: escaping, quotes, code spans, fences, and splitting to a size limit.

Every function here shows invisible code points (bidi controls, zero-width characters, fillers, tags) as their
`\\u202e` escapes (bot/domain/invisible.py) before anything else, so an address or a value cannot disguise itself.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import quote

from bot.domain.invisible import show_invisible

# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones that can start
# markup inline or at the start of a line. "<", ">" and "&" become entities instead, so no HTML can form.
_MARKDOWN_SPECIAL: Final = re.compile(r"([\\`*_{}\[\]()#+\-.!|~=:$])")
# C0 controls, DEL and the C1 range: shown, never passed through (a bare CR or NUL can confuse renderers).
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BACKTICKS: Final = re.compile(r"`+")
_FENCE: Final = re.compile(r" {0,3}(`{3,}|~{3,})")
_TABLE_SEPARATOR: Final = re.compile(r"\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*\Z")
_URL_SAFE: Final = "/:?#[]@!$&'*+,;=%-._~"
# Inserted after "@" by escape_text and escape_html; the only invisible character their output may hold, since
# one in the incoming text is shown as `\\u2060` first.
WORD_JOINER: Final = "\u2060"
_AFTER_JOINER: Final = re.compile("@\u2060([^\x00-\x7f])")


def _visible_controls(text: str) -> str:
    return show_invisible(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text))


def one_line(text: str) -> str:
    """text on one line: line breaks become a visible ⏎, other control characters their \\xNN escape and invisible
    characters their \\uNNNN escape."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", " ⏎ ").replace("\t", " ")
    return _visible_controls(text)


def clip(text: str, limit: int) -> str:
    """text cut to at most limit characters, the cut marked with "…"."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def escape_text(text: str, *, limit: int = 300) -> str:
    """Plain inline text that renders as itself: no markup, no HTML, no @mentions, no line breaks."""
    text = html.escape(clip(one_line(text), limit), quote=False)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _without_mentions(text)


def bullet_list(sentences: Sequence[str], *, limit: int = 2000) -> str:
    """Sentences as a markdown list of plain text: names they quote (project dirs, files, logins) never become a
    link, a mention or markup, and each stays on its line."""
    return "\n".join(f"- {escape_text(sentence, limit=limit)}" for sentence in sentences)


def quoted(text: str, *, limit: int = 4000) -> str:
    """Untrusted text (a request, a model's words) as a block quote of plain text, line for line.

    Each line is escape_text's: no link, image, mention, HTML, heading or list can form, and no line can end the
    quote or open a block of its own (leading spaces would make an indented code block, so they are dropped).
    """
    text = clip(text.replace("\r\n", "\n").replace("\r", "\n").strip("\n"), limit)
    lines = [escape_text(line.strip(), limit=limit) for line in text.split("\n")]
    return "\n".join(f"> {line}" if line else ">" for line in lines)


def escape_html(text: str, *, limit: int = 300) -> str:
    """Text for inside an HTML element such as <summary>, where markdown is not parsed."""
    return _without_mentions(html.escape(clip(one_line(text), limit), quote=True))


def _without_mentions(text: str) -> str:
    # A word joiner after "@" keeps "@org/team" in a rule title or an error from notifying anyone. A variation
    # selector show_invisible kept after "@" no longer follows a visible character once the joiner is in between,
    # so it is shown as its escape too.
    joined = text.replace("@", "@" + WORD_JOINER)
    if text.isascii():
        return joined
    return _AFTER_JOINER.sub(lambda m: "@" + WORD_JOINER + show_invisible(m.group(1)), joined)


def code(text: str, *, in_table: bool = False, limit: int = 300) -> str:
    """An inline code span that shows text verbatim, whatever backticks or pipes it holds."""
    text = clip(one_line(text), limit)
    if not text.strip():
        return "`(empty)`"
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    # CommonMark strips one space from each end of a span that has one at both ends. Pad when the text
    # starts or ends with a backtick (it would merge with the fence) or with a space (it would be stripped).
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    if in_table:
        # GFM splits table cells on "|" before it parses code spans; "\|" is its documented escape there.
        text = text.replace("|", "\\|")
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fence(text: str, *, info: str = "text", limit: int = 4000) -> list[str]:
    """A fenced code block (as lines) that nothing in text can close early."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > limit:
        half = limit // 2
        text = f"{text[:half]}\n… ({len(text) - limit:,} characters left out) …\n{text[-half:]}"
    text = _visible_controls(text.replace("\t", "    "))
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return [f"{ticks}{info}", *text.split("\n"), ticks]


def link(url: str, label: str = "link") -> str:
    """A markdown link to an http(s) URL, or "" when url is anything else (javascript:, data:, relative)."""
    url = url.strip()
    if not re.match(r"https?://[^\s/]+", url, re.IGNORECASE) or _CONTROL.search(url):
        return ""
    # quote() leaves "|" and spaces encoded too, so the link can sit in a table cell.
    safe = quote(url, safe=_URL_SAFE).replace("(", "%28").replace(")", "%29")
    return f"[{escape_text(label)}]({safe})"


# --- splitting ------------------------------------------------------------------------------------


@dataclass
class _Open:
    """What is open at a point of the text: the blocks a cut must close and the next part must reopen."""

    details: list[str] = field(default_factory=list)  # the opening lines, outermost first
    fence: str = ""  # the opening line of an open code fence
    fence_ticks: str = ""
    table: tuple[str, ...] = ()  # header and separator rows of the table being written
    previous: str = ""

    def step(self, line: str) -> None:
        if self.fence:
            stripped = line.strip()
            if (
                stripped
                and stripped[0] == self.fence_ticks[0]
                and set(stripped) == {stripped[0]}
                and len(stripped) >= len(self.fence_ticks)
            ):
                self.fence = self.fence_ticks = ""
        else:
            opened = _FENCE.match(line)
            if opened:
                self.fence, self.fence_ticks = line, opened.group(1)
                self.table = ()
            elif line.lstrip().startswith("<details"):
                self.details.append(line.strip())
                self.table = ()
            elif line.strip() == "</details>":
                if self.details:
                    self.details.pop()
                self.table = ()
            elif line.startswith("|"):
                if not self.table and self.previous.startswith("|") and _TABLE_SEPARATOR.match(line):
                    self.table = (self.previous, line)
            else:
                self.table = ()
        self.previous = line

    def closing(self) -> list[str]:
        lines = [self.fence_ticks] if self.fence else []
        for _ in self.details:
            lines += ["", "</details>"]
        return lines

    def reopening(self) -> list[str]:
        lines: list[str] = []
        for opener in self.details:
            lines += [_continued(opener), ""]
        if self.fence:
            lines.append(self.fence)
        elif self.table:
            lines += list(self.table)
        return lines

    def copy(self) -> _Open:
        return _Open(list(self.details), self.fence, self.fence_ticks, self.table, self.previous)


def _continued(opener: str) -> str:
    if opener.endswith("</summary>") and "(continued)" not in opener:
        return opener[: -len("</summary>")] + " (continued)</summary>"
    return opener


def _size(lines: Sequence[str]) -> int:
    return sum(len(line) for line in lines) + max(len(lines) - 1, 0)


def split_lines(lines: Sequence[str], budget: int) -> list[list[str]]:
    """Lines grouped into parts of at most budget characters (joined with newlines).

    A cut never leaves a code fence or a <details> open: the part closes them and the next part reopens them
    (a table gets its header again), so every part renders on its own. Parts fill in order, so whatever comes
    first (the summary) is in the first part. A line too long for any part is cut: inside a fence into pieces,
    elsewhere short with "…" (callers keep their lines short).
    """
    if budget < 512:
        raise ValueError(f"a part budget of {budget} characters is too small to hold a split comment")
    parts: list[list[str]] = []
    part: list[str] = []
    used = -1  # characters in part, counting a newline before every line
    state = _Open()
    fresh = True  # part holds only reopened blocks, nothing new
    for line in lines:
        after = state.copy()
        after.step(line)
        if used + 1 + len(line) + 1 + _size(after.closing()) > budget and not fresh:
            part += state.closing()
            parts.append(part)
            part = state.reopening()
            used = _size(part) if part else -1
            fresh = True
        room = budget - used - 1 - 1 - _size(after.closing())
        if len(line) > room:
            if state.fence:
                # Inside a fence a long line can be broken anywhere: it is shown verbatim either way.
                for piece in _pieces(line, max(room, 1)):
                    if not fresh and used + 1 + len(piece) + 1 + _size(after.closing()) > budget:
                        part += state.closing()
                        parts.append(part)
                        part = state.reopening()
                        used = _size(part) if part else -1
                    part.append(piece)
                    used += 1 + len(piece)
                    fresh = False
                state = after
                continue
            line = clip(line, max(room, 1))
        part.append(line)
        used += 1 + len(line)
        fresh = False
        state = after
    if part and not fresh:
        part += state.closing()
        parts.append(part)
    elif not parts:
        parts.append(part)
    return parts


def _pieces(line: str, size: int) -> list[str]:
    return [line[i : i + size] for i in range(0, len(line), size)] or [""]
