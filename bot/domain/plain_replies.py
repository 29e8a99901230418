"""What the App answers a request in plain words: the commands read from it, a question, a refusal, or "not set up".

The model's words are never markdown of their own: they are shown in a block quote of plain text (quoted()), so
a link, an image, a mention or a closing tag in them renders as the characters it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.commands import help_text
from bot.domain.markdown import code, escape_text, quoted

__all__ = ["declined_reply", "interpreted_heading", "question_reply", "unavailable_reply"]

_WHAT_OLYMPUS_DOES = (
    "Olympus proposes changes as pull requests (a bucket, an instance or a function, created or destroyed); plans "
    "and applies happen in the pull request, after review. `/infra help` lists the commands."
)


def interpreted_heading(model: str, commands: Sequence[str]) -> str:
    """ "Interpreted by MODEL as:" and each command, as a person could have typed it."""
    listed = "\n".join(f"- {code(command, limit=1000)}" for command in commands)
    return f"Interpreted by {escape_text(model or 'the model')} as:\n\n{listed}"


def question_reply(question: str, mention: str) -> str:
    """The model's one question, and how to answer it (a comment to Olympus within a day continues the request)."""
    return (
        "Olympus needs to know more before it proposes anything:\n\n"
        f"{quoted(question)}\n\n"
        f"Answer in a new comment, `@{mention} ...` or `/infra ask ...`, within a day: it continues this request."
    )


def declined_reply(reason: str) -> str:
    """Why the model will not propose this, in its words, and what Olympus does."""
    return f"Olympus will not propose this:\n\n{quoted(reason)}\n\n{_WHAT_OLYMPUS_DOES}"


def unavailable_reply(hint: str, reason: str = "") -> str:
    """No model is set up (no reason) or it could not be reached (the reason): how to turn it on, and the grammar,
    since a typed command works either way."""
    if reason:
        lines = ["Olympus could not read this request in plain words just now:", "", quoted(reason), ""]
        lines.append(f"Try again later. If it keeps failing, check the App's Claude settings: {hint}.")
    else:
        lines = [
            "Requests in plain words are read by Claude, and this App has no Claude backend set up. "
            f"To turn them on, whoever runs the App can {hint}."
        ]
    return "\n".join([*lines, "", "Meanwhile, type the command:", "", help_text("app").rstrip("\n")])
