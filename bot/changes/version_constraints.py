"""Terraform's version constraint language (`~> 5.0`, `>= 4.2, < 6`): versions parsed, constraints checked."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A version component no release reaches: "the newest 3.x" is (3, UNBOUNDED, UNBOUNDED).
UNBOUNDED = 10**9
Version = tuple[int, int, int]
NEWEST: Version = (UNBOUNDED, UNBOUNDED, UNBOUNDED)

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
_TERM = re.compile(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*(\S+)\s*$")


class ConstraintError(ValueError):
    """A version or constraint string Terraform would not accept either."""


def parse_version(text: str) -> tuple[Version, int]:
    """A version and how many components it spelled out ("3.39" → ((3, 39, 0), 2))."""
    match = _VERSION.match(text.strip())
    if not match:
        raise ConstraintError(f"{text!r} is not a version")
    parts = [int(group) if group is not None else 0 for group in match.groups()]
    given = sum(group is not None for group in match.groups())
    return (parts[0], parts[1], parts[2]), given


def format_version(version: Version) -> str:
    """ "3.39.0"; "5.x" or "3.39.x" for the newest of a line; "any version" when nothing bounds it."""
    shown = [str(part) for part in version if part != UNBOUNDED]
    if len(shown) == 3:
        return ".".join(shown)
    if not shown:
        return "any version"
    return ".".join(shown) + ".x"


def _just_below(version: Version) -> Version:
    major, minor, patch = version
    if patch > 0:
        return (major, minor, patch - 1)
    if minor > 0:
        return (major, minor - 1, UNBOUNDED)
    if major > 0:
        return (major - 1, UNBOUNDED, UNBOUNDED)
    return (-1, 0, 0)  # below 0.0.0: nothing


@dataclass(frozen=True)
class Constraint:
    """A Terraform version constraint string ("~> 3.39", ">= 4.0, < 6", "3.39.0")."""

    text: str
    terms: tuple[tuple[str, Version, int], ...]

    @classmethod
    def parse(cls, text: str) -> Constraint:
        terms: list[tuple[str, Version, int]] = []
        for piece in text.split(","):
            match = _TERM.match(piece)
            if not match:
                raise ConstraintError(f"{text!r} is not a version constraint")
            operator, version_text = match.group(1) or "=", match.group(2)
            version, given = parse_version(version_text)
            terms.append((operator, version, given))
        return cls(text.strip(), tuple(terms))

    def allows(self, version: Version) -> bool:
        return all(_term_allows(term, version) for term in self.terms)

    def newest(self) -> Version:
        """The highest version the constraint allows, with UNBOUNDED where any release would do."""
        top = NEWEST
        for operator, version, given in self.terms:
            if operator == "=":
                top = min(top, version)
            elif operator == "<=":
                top = min(top, version)
            elif operator == "<":
                top = min(top, _just_below(version))
            elif operator == "~>":
                top = min(top, _just_below(_pessimistic_ceiling(version, given)))
        return top


def _pessimistic_ceiling(version: Version, given: int) -> Version:
    # "~> 1.2.3" allows < 1.3.0; "~> 1.2" and "~> 1" allow < 2.0.0.
    if given >= 3:
        return (version[0], version[1] + 1, 0)
    return (version[0] + 1, 0, 0)


def _term_allows(term: tuple[str, Version, int], candidate: Version) -> bool:
    operator, version, given = term
    if operator == "=":
        return candidate == version
    if operator == "!=":
        return candidate != version
    if operator == ">":
        return candidate > version
    if operator == ">=":
        return candidate >= version
    if operator == "<":
        return candidate < version
    if operator == "<=":
        return candidate <= version
    return version <= candidate < _pessimistic_ceiling(version, given)
