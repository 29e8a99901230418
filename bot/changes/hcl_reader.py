"""A small, tolerant reader of Terraform's HCL: blocks, attributes, literal values and line numbers.

It reads only what the generators need to know about a repository (which blocks exist, where, and the
literal values of their attributes); it is not an evaluator. Expressions that are not plain literals
keep their source text and are marked as such.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from bot.changes.hcl_literals import NOT_LITERAL, HclValue, NotLiteral, decode_string, literal_value

__all__ = [
    "NOT_LITERAL",
    "Attribute",
    "Block",
    "HclSyntaxError",
    "HclValue",
    "NotLiteral",
    "decode_string",
    "literal_value",
    "parse",
    "top_level_attributes",
]

_IDENT_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENT_CHARS = _IDENT_START | set("0123456789-")
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = set(_OPENERS.values())


class HclSyntaxError(Exception):
    """A file the reader could not make sense of, with the line where it gave up."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Attribute:
    """`name = expression`: its source text and, when it is a plain literal, its value."""

    name: str
    line: int
    expr: str
    value: HclValue | NotLiteral = NOT_LITERAL

    @property
    def is_literal(self) -> bool:
        return not isinstance(self.value, NotLiteral)

    def string(self) -> str | None:
        """The value when it is a literal string, else None."""
        return self.value if isinstance(self.value, str) else None


@dataclass(frozen=True)
class Block:
    """`type "label" ... { body }` with its attributes and nested blocks."""

    type: str
    labels: tuple[str, ...]
    line: int
    attributes: Mapping[str, Attribute] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()

    def child_blocks(self, type_: str) -> Iterator[Block]:
        return (block for block in self.blocks if block.type == type_)

    def expressions(self) -> Iterator[str]:
        """The source text of every attribute expression in this block and its nested blocks."""
        for attribute in self.attributes.values():
            yield attribute.expr
        for block in self.blocks:
            yield from block.expressions()


def parse(text: str) -> tuple[Block, ...]:
    """The top-level blocks of one HCL file (top-level attributes, as in .tfvars, are ignored)."""
    reader = _Reader(text.replace("\r\n", "\n"))
    _attributes, blocks = reader.body(closing=False)
    return blocks


def top_level_attributes(text: str) -> dict[str, Attribute]:
    """The attributes at the top of one HCL file: a .tfvars file's variable values."""
    attributes, _blocks = _Reader(text.replace("\r\n", "\n")).body(closing=False)
    return attributes


class _Reader:
    """A cursor over one file's text that reads bodies, blocks and expressions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    # -- low-level cursor ------------------------------------------------------------------------

    def _peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def _advance(self, count: int = 1) -> str:
        chunk = self.text[self.pos : self.pos + count]
        self.line += chunk.count("\n")
        self.pos += len(chunk)
        return chunk

    def _at_end(self) -> bool:
        return self.pos >= len(self.text)

    def _skip_comment(self) -> bool:
        """Skip one comment at the cursor; a line comment stops before its newline."""
        if self._peek() == "#" or (self._peek() == "/" and self._peek(1) == "/"):
            end = self.text.find("\n", self.pos)
            self._advance((len(self.text) if end < 0 else end) - self.pos)
            return True
        if self._peek() == "/" and self._peek(1) == "*":
            end = self.text.find("*/", self.pos + 2)
            if end < 0:
                raise HclSyntaxError("unterminated /* comment", self.line)
            self._advance(end + 2 - self.pos)
            return True
        return False

    def _skip_blank(self, newlines: bool) -> None:
        while not self._at_end():
            char = self._peek()
            if char in " \t" or (newlines and char == "\n"):
                self._advance()
            elif not self._skip_comment():
                return

    def _identifier(self) -> str:
        start = self.pos
        if self._peek() not in _IDENT_START:
            raise HclSyntaxError(f"expected a name, found {self._peek()!r}", self.line)
        while self._peek() and self._peek() in _IDENT_CHARS:
            self._advance()
        return self.text[start : self.pos]

    # -- structure -------------------------------------------------------------------------------

    def body(self, closing: bool) -> tuple[dict[str, Attribute], tuple[Block, ...]]:
        attributes: dict[str, Attribute] = {}
        blocks: list[Block] = []
        while True:
            self._skip_blank(newlines=True)
            if self._at_end():
                if closing:
                    raise HclSyntaxError("a block is missing its closing }", self.line)
                return attributes, tuple(blocks)
            if self._peek() == "}":
                if not closing:
                    raise HclSyntaxError("unexpected }", self.line)
                self._advance()
                return attributes, tuple(blocks)
            line = self.line
            name = self._identifier()
            self._skip_blank(newlines=False)
            if self._peek() == "=" and self._peek(1) != "=":
                self._advance()
                expr = self._expression()
                attributes[name] = Attribute(name=name, line=line, expr=expr, value=literal_value(expr))
                continue
            labels: list[str] = []
            while self._peek() != "{":
                if self._peek() == '"':
                    raw = self._string()
                    decoded = decode_string(raw[1:-1])
                    labels.append(decoded if isinstance(decoded, str) else raw[1:-1])
                elif self._peek() in _IDENT_START:
                    labels.append(self._identifier())
                else:
                    raise HclSyntaxError(f"expected a label or {{ after {name!r}", self.line)
                self._skip_blank(newlines=False)
            self._advance()
            inner_attributes, inner_blocks = self.body(closing=True)
            blocks.append(Block(name, tuple(labels), line, inner_attributes, inner_blocks))

    # -- expressions -----------------------------------------------------------------------------

    def _expression(self) -> str:
        """Source text of one attribute's expression: up to a newline or `}` outside any brackets."""
        start = self.pos
        depth: list[str] = []
        while not self._at_end():
            char = self._peek()
            if char == '"':
                self._string()
            elif char == "<" and self._peek(1) == "<" and (self._peek(2) in _IDENT_START or self._peek(2) == "-"):
                self._heredoc()
            elif char == "#" or (char == "/" and self._peek(1) in "/*"):
                # A line comment ends the expression unless brackets are still open.
                if not depth and self._peek(1) != "*":
                    break
                self._skip_comment()
            elif char in _OPENERS:
                depth.append(_OPENERS[char])
                self._advance()
            elif char in _CLOSERS:
                if not depth:
                    if char == "}":
                        break
                    raise HclSyntaxError(f"unbalanced {char!r}", self.line)
                if depth.pop() != char:
                    raise HclSyntaxError(f"mismatched {char!r}", self.line)
                self._advance()
            elif char == "\n" and not depth:
                break
            else:
                self._advance()
        if depth:
            raise HclSyntaxError("an expression is missing a closing bracket", self.line)
        return self.text[start : self.pos].strip()

    def _string(self) -> str:
        """A quoted template, including nested `${ ... }` sequences; returns its source text."""
        start = self.pos
        self._advance()
        while True:
            if self._at_end() or self._peek() == "\n":
                raise HclSyntaxError("unterminated string", self.line)
            char = self._peek()
            if char == "\\":
                self._advance(2)
            elif char == '"':
                self._advance()
                return self.text[start : self.pos]
            elif char in "$%" and self._peek(1) == char and self._peek(2) == "{":
                self._advance(3)
            elif char in "$%" and self._peek(1) == "{":
                self._advance(2)
                self._template_interpolation()
            else:
                self._advance()

    def _template_interpolation(self) -> None:
        depth = 1
        while depth:
            if self._at_end():
                raise HclSyntaxError("unterminated ${ in a string", self.line)
            char = self._peek()
            if char == '"':
                self._string()
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            self._advance()

    def _heredoc(self) -> None:
        self._advance(2)
        if self._peek() == "-":
            self._advance()
        marker = self._identifier()
        end = self.text.find("\n", self.pos)
        if end < 0:
            raise HclSyntaxError("unterminated heredoc", self.line)
        self._advance(end + 1 - self.pos)
        while not self._at_end():
            end = self.text.find("\n", self.pos)
            line_text = self.text[self.pos : len(self.text) if end < 0 else end]
            if line_text.strip() == marker:
                self._advance(len(line_text))
                return
            self._advance(len(line_text) + (0 if end < 0 else 1))
        raise HclSyntaxError(f"heredoc {marker} has no closing line", self.line)
