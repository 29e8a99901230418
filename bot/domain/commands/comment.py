"""A comment read as Atlantis reads one: trimmed of spaces and backticks, the command alone, split into words.

Atlantis (server/events/comment_parser.go) trims the comment (`strings.TrimSpace`, then `strings.Trim(..., "`")`)
and ignores it when what is left spans lines (`multiLineRegex`, `.*\\r?\\n[^\\r\\n]+`): a command runs only when it
is the whole comment. Once trimmed, any line break left has text after it, so "spans lines" is "holds a break".
Words are then split shell-style (google/shlex): quotes group words, `"dir with space"` is one word.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.commands.types import Reply
from bot.domain.commands.wording import and_, problems_reply, shown
from bot.domain.naming import invisible_problems

__all__ = ["LINE_BREAKS", "MAX_LINE", "MAX_TOKEN", "first_line", "split_words", "trimmed", "words_of"]

MAX_LINE = 1000
MAX_TOKEN = 255
# What ends a line in some viewer: Atlantis checks `\n` only; a lone `\r` or U+2028 splits lines for people too.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
# Quotes group words (`-d "dir with space"`); these are refused wherever they are.
_SHELL_CHARACTERS: Mapping[str, str] = {
    ";": "a semicolon",
    "|": "a pipe",
    "&": "an ampersand",
    "$": "a dollar sign",
    "`": "a backtick",
    "<": "a less-than sign",
    ">": "a greater-than sign",
    "(": "a parenthesis",
    ")": "a parenthesis",
    "{": "a brace",
    "}": "a brace",
    "\\": "a backslash",
}


def trimmed(text: str) -> str:
    """The comment without surrounding whitespace and backticks (`` `/infra plan` `` and a fenced block)."""
    return text.strip().strip("`").strip()


def first_line(text: str) -> str:
    """The text up to its first line break."""
    for index, char in enumerate(text):
        if char in LINE_BREAKS:
            return text[:index]
    return text


def words_of(line: str) -> list[str] | Reply:
    """The words of a one-line command, or why Olympus will not read it (length, invisible or shell characters)."""
    if len(line) > MAX_LINE:
        return Reply(
            f"That command is {len(line)} characters long; Olympus reads commands of at most {MAX_LINE}. "
            "Shorten it, or split it into several commands."
        )
    invisible = invisible_problems(line.replace("\t", " "), "the command")
    if invisible:
        return problems_reply(invisible, "")
    shell = list(dict.fromkeys(_SHELL_CHARACTERS[char] for char in line if char in _SHELL_CHARACTERS))
    if shell:
        return Reply(
            f"The command contains {and_(shell)}. Olympus never runs commands through a shell, but it refuses "
            "shell metacharacters so that a request can never be mistaken for one: remove them "
            "(no quotes are needed around names)."
        )
    words = split_words(line)
    if words is None:
        return Reply("The command has a quote that is never closed; close it, or remove it (names need no quotes).")
    long_words = [word for word in words if len(word) > MAX_TOKEN]
    if long_words:
        return Reply(
            f"A word of the command is {len(long_words[0])} characters long; "
            f"Olympus reads words of at most {MAX_TOKEN}. Shorten `{shown(long_words[0][:40])}...`."
        )
    return words


def split_words(line: str) -> list[str] | None:
    """Words split at whitespace outside quotes, shell-style (`'...'` and `"..."` group); None if a quote is open.

    No backslash escapes: a backslash is refused before splitting, so quoting is all there is.
    """
    words: list[str] = []
    current: list[str] = []
    in_word = False
    quote = ""
    for char in line:
        if quote:
            if char == quote:
                quote = ""
            else:
                current.append(char)
        elif char in "'\"":
            quote, in_word = char, True
        elif char.isspace():
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        else:
            current.append(char)
            in_word = True
    if quote:
        return None
    if in_word:
        words.append("".join(current))
    return words
