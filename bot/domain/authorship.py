"""Who wrote a change: the people its commits, trailers and pushes name, none of whom may approve it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from bot.domain.identities import canonical, is_app, logins_in

__all__ = ["Authorship", "CommitFacts", "Excluded", "Push", "authorship_of", "co_authors_in", "excluded_people"]

_CO_AUTHOR: Final = re.compile(r"^co-authored-by:\s*(.*?)\s*<([^>]*)>\s*$", re.IGNORECASE | re.MULTILINE)
# What GitHub's web interface and API commit as: GitHub itself, not a person.
# https://docs.github.com/en/authentication/managing-commit-signature-verification/about-commit-signature-verification
NOT_PEOPLE: Final = frozenset({"web-flow", "github", ""})


@dataclass(frozen=True)
class CommitFacts:
    """One commit of the change, as the code host (or, locally, git) reports it."""

    sha: str
    # On GitHub the logins it links to the commit ("" when it links none); locally git's free-text names.
    author: str = ""
    committer: str = ""
    author_email: str = ""
    committer_email: str = ""
    co_authors: tuple[str, ...] = ()  # logins named by Co-authored-by trailers
    claims_app: bool = False  # its author or committer says it is an app's (`…[bot]`)
    # The claim is proven: GitHub verified the signature of an app's own API commit, or, locally, Olympus's seal.
    made_by_app: bool = False
    pusher: str = ""  # who pushed it, when that is known


@dataclass(frozen=True)
class Push:
    """Someone moved the change's branch to `head` (a push, a force-push, the pull request's opening)."""

    who: str
    head: str


@dataclass(frozen=True)
class Excluded:
    """A person who may not approve the change, and every reason why."""

    who: str
    why: tuple[str, ...]


@dataclass(frozen=True)
class Authorship:
    """Who wrote or pushed the change; `problems` block every approval (a commit no one can be held to)."""

    excluded: tuple[Excluded, ...] = ()
    problems: tuple[str, ...] = field(default=())


def co_authors_in(message: str) -> tuple[str, ...]:
    """The logins Co-authored-by trailers of a commit message may stand for."""
    found: list[str] = []
    for name, email in _CO_AUTHOR.findall(message):
        found.extend(login for login in logins_in(name, email) if login not in found)
    return tuple(found)


def authorship_of(commits: Sequence[CommitFacts], pushes: Sequence[Push], *, fallback_pusher: str = "") -> Authorship:
    """Everyone who authored, committed, co-authored or pushed a commit of the change.

    A commit that claims to be an app's counts as the app's only when that is proven; otherwise whoever pushed it
    answers for it, else its committer when that is a person, else the pull request's author (`fallback_pusher`:
    it was pushed before anyone was watching). A commit nobody can answer for blocks every approval.
    """
    reasons: dict[str, list[str]] = {}
    problems: list[str] = []
    brought_by = _first_pushers([c.sha for c in commits], pushes)

    def blame(who: str, why: str) -> None:
        person = canonical(who)
        if not _is_person(person):
            return
        if why not in reasons.setdefault(person, []):
            reasons[person].append(why)

    for commit in commits:
        short = commit.sha[:12]
        if commit.claims_app and commit.made_by_app:
            continue
        pusher = commit.pusher or brought_by.get(commit.sha, "")
        answerable = next((p for p in (pusher, commit.committer, fallback_pusher) if _is_person(p)), "")
        if commit.claims_app:
            if not answerable:
                problems.append(
                    f"commit {short} claims to be an app's but is not proven to be, and no person is known to have "
                    "pushed it, so nobody can approve the change: recommit it under your own name"
                )
            else:
                blame(answerable, f"answers for commit {short}, which claims to be an app's but is not proven to be")
        for who in logins_in(commit.author, commit.author_email):
            blame(who, f"authored commit {short}")
        if not commit.author and not commit.claims_app and answerable:
            blame(answerable, f"answers for commit {short}, whose author is not a known account")
        authors = logins_in(commit.author, commit.author_email)
        for who in logins_in(commit.committer, commit.committer_email):
            if who not in authors:
                blame(who, f"committed {short}")
        for who in commit.co_authors:
            blame(who, f"co-authored commit {short}")
    for push in pushes:
        blame(push.who, f"pushed {push.head[:12]} to the change")
    excluded = tuple(Excluded(who, tuple(why)) for who, why in reasons.items())
    return Authorship(excluded, tuple(problems))


def _first_pushers(shas: Sequence[str], pushes: Sequence[Push]) -> dict[str, str]:
    """Who first brought each commit (listed oldest first) into the change: the earliest push of it or of a later
    commit, since a push of a commit brings every commit before it."""
    position = {sha: index for index, sha in enumerate(shas)}
    found: dict[str, str] = {}
    for push in pushes:  # oldest first
        last = position.get(push.head)
        if last is None:
            continue
        for sha in shas[: last + 1]:
            found.setdefault(sha, push.who)
    return found


def _is_person(who: str) -> bool:
    return canonical(who) not in NOT_PEOPLE and not is_app(who)


def excluded_people(
    requesters: Iterable[str], pr_author: str | None, contributors: Authorship
) -> dict[str, tuple[str, ...]]:
    """Everyone the gate leaves out, by canonical login: who asked, who opened the PR, who wrote or pushed it."""
    people: dict[str, list[str]] = {}
    for who in requesters:
        people.setdefault(canonical(who), []).append("asked for this change or its apply")
    if pr_author:
        people.setdefault(canonical(pr_author), []).append("opened the pull request")
    for entry in contributors.excluded:
        people.setdefault(canonical(entry.who), []).extend(entry.why)
    return {who: tuple(dict.fromkeys(why)) for who, why in people.items() if who}
