"""`module` blocks and root-module blocks in Terraform files, found by a linear scanner (no full HCL parser).

How `module` blocks are found (no full HCL parser): a scanner walks each file skipping `#`, `//` and `/* */`
comments, quoted strings (with `${ ... }` interpolations nested to any depth) and heredocs (`<<EOT`, `<<-EOT`),
counting braces, and takes `module "name" {` (or an unquoted label) at the top level, then its
`source = "..."` at depth one. Terraform insists that `source` is a literal string, so reading the literal is
exact. Files without heredocs or block comments take a shortcut (regexes from each line-initial `module`
head), which property tests check against the full scan.

Limits: a `source` built from an interpolation is ignored (Terraform rejects it too); only local sources
(`./`, `../`) are followed, registry/git/http sources are not in this repository; a source that leaves the
repository is ignored; malformed or hostile files are scanned on a best-effort basis, in linear time, and
never raise (interpolations nested more than 50 deep end the scan of that file).
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

__all__ = [
    "ModuleCall",
    "configures_root",
    "json_configures_root",
    "json_module_sources",
    "module_calls",
    "module_sources",
]


class ModuleCall(NamedTuple):
    """One `module "name" { source = "..." }` block (a tuple: discovery makes one per block of a large monorepo)."""

    name: str
    source: str


# One search finds the next thing that matters; plain strings and line comments are consumed whole by the
# regex itself, so Python handles only braces, the two keywords, and the rare string, comment or heredoc that
# needs a closer look.
_EVENT = re.compile(
    r"""(?=[#/<"{}ms])(?:
       (?:\#|//)[^\n]*
      |"[^"\\\n$%]*"
      |(?P<quote>")
      |(?P<open>\{)
      |(?P<close>\})
      |(?P<block_comment>/\*)
      |(?P<heredoc><<-?)
      |(?P<word>module|source)(?![\w-])
    )""",
    re.VERBOSE,
)
_MODULE_HEAD = re.compile(r'module[ \t]+(?:"[^"\\\n]*"|[A-Za-z_][\w-]*)[ \t]*\{')
_SOURCE_ATTR = re.compile(r'source[ \t]*=[ \t]*"([^"\\\n$%]*)"')
# A module body with at most one level of nested braces and strings whose interpolations hold no braces or
# quotes, matched in one go (possessive, so no backtracking), capturing `source` at depth one. Bodies it does
# not fit (deeper nesting, `${ lookup(m, "k") }`) fall back to the event scan.
_PLAIN_STRING = r'"(?:[^"\\\n$%]++|\\.|[$%](?!\{)|[$%]\{[^{}"\n]*+\})*+"'
_COMMENT = r"(?:\#|//)[^\n]*+"
_INNER = rf'(?:[^{{}}"#/<]++|{_PLAIN_STRING}|{_COMMENT}|/(?![/*])|<(?!<))'
_SIMPLE_BODY = re.compile(
    rf"""(?:(?<![\w.-])source[ \t]*=[ \t]*"(?P<source>[^"\\\n$%]*)"
      |[^{{}}"#/<s]++|s|{_PLAIN_STRING}|{_COMMENT}|/(?![/*])|<(?!<)|\{{{_INNER}*+\}})*+\}}""",
    re.VERBOSE,
)
_HIDING_MARKER = re.compile(r"/\*|<<")
_HEREDOC_TAG = re.compile(r'[ \t]*"?([A-Za-z_][\w-]*)"?[ \t]*\r?\n')
_STRING_CHUNK = re.compile(r'(?:[^"\\$%\n]++|\$\$\{|%%\{|\\.|[$%](?!\{))*+')
# Interpolations nest strings nest interpolations; past this depth the rest of the file is treated as one
# string, so a hostile file cannot exhaust the stack.
_MAX_NESTING = 50


def module_sources(text: str) -> list[str]:
    """The literal `source` of every top-level `module` block in one HCL file, in order."""
    return _module_blocks(text, None)


def module_calls(text: str) -> list[ModuleCall]:
    """Every top-level `module` block with a literal `source` in one HCL file, in order."""
    labels: list[str] = []
    sources = _module_blocks(text, labels)
    return [ModuleCall(label, source) for label, source in zip(labels, sources, strict=True)]


def _module_blocks(text: str, labels: list[str] | None) -> list[str]:
    """The sources of the module blocks; their labels appended to labels when asked (discovery needs none)."""
    if "module" not in text:
        return []
    if _may_hide_blocks(text):
        return _scan_file(text, labels)
    # Without heredocs and block comments, a line opening with `module "x" {` can only be a real top-level
    # block (quoted strings end at the line and Terraform has no nested `module` block), so only the module
    # bodies need scanning. The property tests check this shortcut against the full scan.
    sources = []
    pos = 0
    for head in _MODULE_HEAD.finditer(text):
        if head.start() < pos or not _starts_line(text, head.start()):
            continue  # inside the previous module's body, or not the first thing on its line
        body = _SIMPLE_BODY.match(text, head.end())
        if body is not None:
            source, pos = body.group("source"), body.end()
        else:
            source, pos = _module_body(text, head.end())
        if source is not None:
            sources.append(source)
            if labels is not None:
                labels.append(_label(head))
    return sources


def _label(head: re.Match[str]) -> str:
    """The label of a `module "name" {` (or `module name {`) head."""
    return head.group(0)[len("module") :].strip(" \t{").strip('"')


def _starts_line(text: str, start: int) -> bool:
    """Whether only indentation (or a byte-order mark) comes before start on its line."""
    at = start - 1
    while at >= 0 and text[at] in " \t\ufeff":
        at -= 1
    return at < 0 or text[at] == "\n"


def _may_hide_blocks(text: str) -> bool:
    """Whether text has a heredoc or block comment, which could hide a `module` line; not one inside a string.

    `/*` is common inside strings (`"arn:aws:s3:::bucket/*"`) and would send most files to the slow scan. A
    quoted string never spans lines, so an odd number of quotes before the marker on its line means the
    marker is inside a string (quotes nested in `${}` come in pairs and keep the parity).
    """
    if "/*" not in text and "<<" not in text:
        return False
    for line in text.split("\n"):
        if "/*" not in line and "<<" not in line:
            continue
        quotes, seen = 0, 0
        for marker in _HIDING_MARKER.finditer(line):
            between = line[seen : marker.start()]
            quotes += between.count('"') - between.count('\\"')
            seen = marker.start()
            if quotes % 2 == 0:
                return True
    return False


def _scan_file(text: str, labels: list[str] | None = None) -> list[str]:
    """_module_blocks by a full scan that tracks nesting through strings, comments and heredocs."""
    sources = []
    depth = 0
    pos = 0
    while (event := _EVENT.search(text, pos)) is not None:
        pos = event.end()
        kind = event.lastgroup
        if kind is None:
            continue
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "word":
            if depth == 0 and event.group("word") == "module" and _starts_word(text, event.start()):
                head = _MODULE_HEAD.match(text, event.start())
                if head is not None:
                    source, pos = _module_body(text, head.end())
                    if source is not None:
                        sources.append(source)
                        if labels is not None:
                            labels.append(_label(head))
        else:
            pos = _skip(kind, text, pos)
    return sources


def _module_body(text: str, pos: int) -> tuple[str | None, int]:
    """(the literal `source` at depth one, the index after the closing brace) of a block opened before pos."""
    depth = 1
    source = None
    while (event := _EVENT.search(text, pos)) is not None:
        pos = event.end()
        kind = event.lastgroup
        if kind is None:
            continue
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth == 0:
                return source, pos
        elif kind == "word":
            if depth == 1 and source is None and event.group("word") == "source":
                attr = _SOURCE_ATTR.match(text, event.start()) if _starts_word(text, event.start()) else None
                if attr is not None:
                    source, pos = attr.group(1), attr.end()
        else:
            pos = _skip(kind, text, pos)
    return source, len(text)


def _starts_word(text: str, start: int) -> bool:
    """Whether a keyword at start is a whole identifier, not the tail of `x.module` or `my-source`."""
    if start == 0:
        return True
    before = text[start - 1]
    return not (before.isalnum() or before in "_.-")


def _skip(kind: str, text: str, pos: int, nesting: int = 0) -> int:
    if kind == "quote":
        return _skip_string(text, pos, nesting)
    if kind == "block_comment":
        return _skip_block_comment(text, pos)
    return _skip_heredoc(text, pos)


def _skip_string(text: str, pos: int, nesting: int = 0) -> int:
    """The index after the string whose opening quote is just before pos."""
    if nesting > _MAX_NESTING:
        return len(text)
    while True:
        chunk = _STRING_CHUNK.match(text, pos)
        pos = chunk.end() if chunk is not None else pos
        if pos >= len(text):
            return pos
        char = text[pos]
        if char == '"':
            return pos + 1
        if char == "\n":
            return pos  # HCL strings end at the line; an unclosed one should not swallow the file
        if char == "\\":
            pos += 1  # a backslash before the end of the line: nothing to escape
            continue
        pos = _skip_expression(text, pos + 2, nesting + 1)  # `${` or `%{`


def _skip_expression(text: str, pos: int, nesting: int) -> int:
    """The index after the `}` closing an interpolation that opened just before pos."""
    depth = 0
    while (event := _EVENT.search(text, pos)) is not None:
        pos = event.end()
        kind = event.lastgroup
        if kind is None or kind == "word":
            continue
        if kind == "open":
            depth += 1
        elif kind == "close":
            if depth == 0:
                return pos
            depth -= 1
        else:
            pos = _skip(kind, text, pos, nesting)
    return len(text)


def _skip_block_comment(text: str, pos: int) -> int:
    end = text.find("*/", pos)
    return len(text) if end < 0 else end + 2


def _skip_heredoc(text: str, pos: int) -> int:
    """The index after a heredoc whose `<<` or `<<-` ends just before pos (pos itself when it is not one)."""
    tag = _HEREDOC_TAG.match(text, pos)
    if tag is None:
        return pos
    closing = re.compile(r"^[ \t]*" + re.escape(tag.group(1)) + r"[ \t]*\r?$", re.MULTILINE)
    end = closing.search(text, tag.end())
    return len(text) if end is None else end.end()


def json_module_sources(text: str) -> list[str]:
    """The `source` of every module in a `.tf.json` file (`{"module": {"name": {"source": ...}}}`)."""
    blocks = _json_document(text).get("module")
    sources = []
    for block in blocks if isinstance(blocks, list) else [blocks]:
        if not isinstance(block, dict):
            continue
        for body in block.values():
            for item in body if isinstance(body, list) else [body]:
                if isinstance(item, dict) and isinstance(item.get("source"), str):
                    sources.append(item["source"])
    return sources


def _json_document(text: str) -> dict[str, object]:
    try:
        document = json.loads(text)
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


# A provider block is top-level and a backend or cloud block sits in `terraform {}`; both are written at the start
# of their line. `required_providers` and `provider = aws.west` (a module's or resource's argument) do not match.
_ROOT_BLOCK = re.compile(
    r'^[ \t]*(?:(?:provider|backend)[ \t]+(?:"[^"\\\n]*"|[A-Za-z_][\w-]*)|cloud)[ \t]*\{', re.MULTILINE
)


def configures_root(text: str) -> bool:
    """Whether an HCL file configures a provider or a backend, which only a root module should."""
    if "provider" not in text and "backend" not in text and "cloud" not in text:
        return False
    return _ROOT_BLOCK.search(text) is not None


def json_configures_root(text: str) -> bool:
    """Whether a `.tf.json` file configures a provider (`"provider"`) or a backend (`"terraform": {"backend"}`)."""
    document = _json_document(text)
    if document.get("provider"):
        return True
    blocks = document.get("terraform")
    return any(
        isinstance(block, dict) and (block.get("backend") or block.get("cloud"))
        for block in (blocks if isinstance(blocks, list) else [blocks])
    )
