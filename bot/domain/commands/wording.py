"""How replies are worded: untrusted words quoted safely, lists, nearest matches, problems as one reply."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence

from bot.domain.commands.types import Reply

__all__ = ["and_", "closest", "distance", "listing", "problems_reply", "quote_word", "sentence", "shown"]


def shown(word: str) -> str:
    """Untrusted text quoted inside backticks: cut short, backticks removed so the quote cannot end early."""
    cleaned = word.replace("`", "'")
    return cleaned if len(cleaned) <= 60 else cleaned[:60] + "..."


def listing(items: Mapping[str, object] | Iterable[str]) -> str:
    return ", ".join(f"`{item}`" for item in items)


def and_(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice nearest to word (difflib's ratio of at least 0.6), or None."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def distance(a: str, b: str, limit: int = 3) -> int:
    """Levenshtein distance between a and b, counted no further than limit (Atlantis's misspelling measure)."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return min(previous[-1], limit)


def sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def problems_reply(problems: Sequence[str], usage: str) -> Reply:
    """One reply listing every problem (a sentence each), then the command's form when there is one."""
    if len(problems) == 1:
        lines = [f"Olympus cannot do that: {sentence(problems[0])}"]
    else:
        lines = ["Olympus cannot do that:"] + [f"- {sentence(problem)}" for problem in problems]
    if usage:
        lines.append(f"\nThe form is {usage}.")
    return Reply("\n".join(lines))


def quote_word(word: str) -> str:
    """A word as the tokenizer reads it back: bare when it can be, else in quotes (`"dir with space"`)."""
    if word and not any(char.isspace() or char in "'\"" for char in word):
        return word
    if '"' not in word:
        return f'"{word}"'
    if "'" not in word:
        return f"'{word}'"
    # Both quotes: adjacent quoted parts join into one word, as in a shell ('a"b' + "'" + 'c').
    return '"\'"'.join(f"'{part}'" for part in word.split("'"))
