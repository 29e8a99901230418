"""The `/infra` grammar: a comment → Command | Reply | NotForMe, after Atlantis's comment parser; never raises."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.commands.apps import parse_create_app, parse_helm, parse_sync
from bot.domain.commands.ask import parse_ask
from bot.domain.commands.changes import parse_change
from bot.domain.commands.comment import LINE_BREAKS, first_line, trimmed, words_of
from bot.domain.commands.diagnose import parse_diagnose
from bot.domain.commands.drift_fix import parse_fix
from bot.domain.commands.help import TOPICS
from bot.domain.commands.policies import parse_approve_policies
from bot.domain.commands.rendering import quote_word, render_command
from bot.domain.commands.run_flags import RUN_VERBS, parse_run
from bot.domain.commands.types import PREFIX, VERBS, Ask, Command, Help, NotForMe, Reply, Status, Unlock
from bot.domain.commands.wording import closest, distance, listing, shown

__all__ = ["UNREADABLE", "VERBS", "parse", "parse_request"]

UNREADABLE = "Olympus could not read that command. `/infra help` lists the commands it understands."
# What people type when they mean Olympus (Atlantis answers `terraform ...` with "did you mean atlantis").
# `atlantis ...` is left alone: a repository moving from Atlantis may run both for a while.
_OTHER_TOOLS = ("terraform", "/terraform")
_HELP_FLAGS = ("-h", "--help")


def parse(text: str) -> Command | Reply | NotForMe:
    """Interpret a comment: a command only when it is the whole comment, as Atlantis reads it; never raises."""
    try:
        return _parse(text)
    except Exception:  # a bug here must become an answer, not a crashed webhook
        return Reply(UNREADABLE)


def parse_request(text: str) -> Command | Reply | NotForMe:
    """An issue's body: its first line is the request, what follows is a description (an issue is not a reply).

    `/infra ask` is the exception: the whole body is its request, as in a comment.
    """
    try:
        asked = parse_ask(text)
    except Exception:  # as in parse(): an answer, never a crashed webhook
        return Reply(UNREADABLE)
    return asked if asked is not None else parse(first_line(trimmed(text)))


def _parse(text: str) -> Command | Reply | NotForMe:
    comment = trimmed(text)
    head = comment.split(maxsplit=1)
    if not head:
        return NotForMe()
    first = head[0].lower()
    alone = not any(char in LINE_BREAKS for char in comment)
    if first == PREFIX:
        asked = parse_ask(text)
        if asked is not None:
            return asked
        return _parse_line(comment) if alone else _not_alone(comment)
    if alone and (first in _OTHER_TOOLS or (first.startswith("/") and 0 < distance(first, PREFIX) < 3)):
        return _did_you_mean(comment[len(head[0]) :], first)
    return NotForMe()


def _not_alone(comment: str) -> Reply:
    # Atlantis ignores such a comment silently; a reply says why nothing happened, and it is the only one.
    parsed = _parse_line(first_line(comment).strip())
    command = f"`{render_command(parsed)}`" if isinstance(parsed, Command) else "the command"
    return Reply(
        "Olympus did not run this comment: a command runs only when it is the whole comment, and this one has "
        "more text after its first line (so that `/infra apply` followed by “not yet” can never apply). "
        f"To run it, comment {command} on its own."
    )


def _did_you_mean(rest: str, first: str) -> Reply | NotForMe:
    """`terraform plan` or `/infar plan`: the `/infra` command meant, when it is a valid one; else silence."""
    words = words_of(PREFIX + rest)
    if isinstance(words, Reply):
        return NotForMe()
    parsed = _dispatch(words[1:])
    misspelled = first not in _OTHER_TOOLS
    if not isinstance(parsed, Command) or (misspelled and isinstance(parsed, Help)):
        return NotForMe()  # "/info help" may be another bot's command
    line = " ".join([PREFIX, *map(quote_word, words[1:])])
    return Reply(f"Olympus's commands start with `{PREFIX}`, not `{shown(first)}`: did you mean `{line}`?")


def _parse_line(line: str) -> Command | Reply:
    words = words_of(line)
    if isinstance(words, Reply):
        return words
    return _dispatch(words[1:])


def _dispatch(words: Sequence[str]) -> Command | Reply:
    """The words after `/infra`; the verb in any case (`/Infra PLAN`), as Atlantis lowercases it."""
    if not words:
        return Help()
    verb, rest = words[0].lower(), list(words[1:])
    if verb in ("help", *_HELP_FLAGS):
        # As Atlantis: `help` with anything else after it is still help; a known command gets its own page.
        topic = rest[0].lower() if verb == "help" and rest else None
        return Help(topic if topic in TOPICS else None)
    if verb in RUN_VERBS:
        return parse_run(verb, rest)
    if any(word in _HELP_FLAGS for word in rest) and verb in VERBS:
        return Help(verb)
    if verb == "create" and rest and rest[0].lower() == "app":
        return parse_create_app(rest[1:])
    if verb in ("create", "update", "destroy"):
        return parse_change(verb, rest)
    if verb == "helm":
        return parse_helm(rest)
    if verb == "sync":
        return parse_sync(rest)
    if verb == "ask":
        # Reached only for a suggestion ("did you mean"); a comment's own `/infra ask` is read by parse_ask.
        return Ask(" ".join(rest)) if rest else Reply(f"`{PREFIX} ask` needs a request in plain words after it.")
    if verb == "approve_policies":
        return parse_approve_policies(rest)
    if verb == "fix":
        return parse_fix(rest)
    if verb == "diagnose":
        return parse_diagnose(rest)
    if verb in ("unlock", "status"):
        if rest:
            return Reply(f"`{PREFIX} {verb}` takes no arguments; unexpected `{shown(rest[0])}`.")
        return Unlock() if verb == "unlock" else Status()
    return _unknown_verb(words[0], rest)


def _unknown_verb(verb: str, rest: Sequence[str]) -> Reply:
    match = closest(verb.lower(), VERBS)
    if match and isinstance(_dispatch([match, *rest]), Command):
        nearest = " ".join([PREFIX, match, *map(quote_word, rest)])
        return Reply(f"unknown verb `{shown(verb)}`; did you mean `{nearest}`?")
    if match:
        return Reply(
            f"unknown verb `{shown(verb)}` (the nearest is `{match}`); `{PREFIX} help {match}` shows its form."
        )
    return Reply(f"unknown verb `{shown(verb)}`; Olympus knows {listing(VERBS)}. `{PREFIX} help` shows them all.")
