"""HCL's literal expressions (strings, numbers, bools, null, lists, objects) decoded; anything else marked."""

from __future__ import annotations

HclValue = str | int | float | bool | None | list["HclValue"] | dict[str, "HclValue"]
_IDENT_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_IDENT_CHARS = _IDENT_START | set("0123456789-")


class NotLiteral:
    """Marks an expression that is not a plain literal (a reference, a function call, a template)."""

    _instance: NotLiteral | None = None

    def __new__(cls) -> NotLiteral:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOT_LITERAL"


NOT_LITERAL = NotLiteral()


def decode_string(body: str) -> str | NotLiteral:
    """The value of a quoted string's inside, or NOT_LITERAL when it interpolates (`${...}`, `%{...}`)."""
    out: list[str] = []
    i = 0
    simple_escapes = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in simple_escapes:
                out.append(simple_escapes[nxt])
                i += 2
                continue
            if nxt in "uU":
                width = 4 if nxt == "u" else 8
                digits = body[i + 2 : i + 2 + width]
                if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                    code = int(digits, 16)
                    if code <= 0x10FFFF:
                        out.append(chr(code))
                        i += 2 + width
                        continue
            return NOT_LITERAL
        if char in "$%" and body.startswith(char * 2 + "{", i):
            out.append(char + "{")
            i += 3
            continue
        if char in "$%" and body.startswith(char + "{", i):
            return NOT_LITERAL
        out.append(char)
        i += 1
    return "".join(out)


def literal_value(expr: str) -> HclValue | NotLiteral:
    """The value of an expression that is a plain literal (string, number, bool, null, list, object)."""
    try:
        parser = _LiteralParser(expr)
        value = parser.value()
        parser.skip_space()
        if not parser.at_end():
            return NOT_LITERAL
        return value
    except _NotALiteral:
        return NOT_LITERAL


class _NotALiteral(Exception):
    pass


class _LiteralParser:
    """Decodes literal expressions; anything else (references, calls, operators) is not a literal."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def skip_space(self) -> None:
        while not self.at_end():
            if self.text[self.pos] in " \t\n\r":
                self.pos += 1
            elif self.text[self.pos] == "#" or self.text.startswith("//", self.pos):
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            elif self.text.startswith("/*", self.pos):
                end = self.text.find("*/", self.pos)
                if end < 0:
                    raise _NotALiteral
                self.pos = end + 2
            else:
                return

    def value(self) -> HclValue:
        self.skip_space()
        if self.at_end():
            raise _NotALiteral
        char = self.text[self.pos]
        if char == '"':
            return self.string()
        if char == "[":
            return self.sequence()
        if char == "{":
            return self.mapping()
        if char in "-0123456789":
            return self.number()
        word = self.word()
        if word == "true":
            return True
        if word == "false":
            return False
        if word == "null":
            return None
        raise _NotALiteral

    def word(self) -> str:
        start = self.pos
        while not self.at_end() and self.text[self.pos] in _IDENT_CHARS:
            self.pos += 1
        if start == self.pos:
            raise _NotALiteral
        if not self.at_end() and self.text[self.pos] in ".([":
            raise _NotALiteral  # a reference or a function call
        return self.text[start : self.pos]

    def string(self) -> str:
        self.pos += 1
        start = self.pos
        while not self.at_end():
            char = self.text[self.pos]
            if char == "\\":
                self.pos += 2
                continue
            if char in "$%" and self.text.startswith(char * 2 + "{", self.pos):
                self.pos += 3
                continue
            if char in "$%" and self.text.startswith(char + "{", self.pos):
                raise _NotALiteral
            if char == '"':
                decoded = decode_string(self.text[start : self.pos])
                self.pos += 1
                if isinstance(decoded, NotLiteral):
                    raise _NotALiteral
                return decoded
            self.pos += 1
        raise _NotALiteral

    def number(self) -> int | float:
        start = self.pos
        if self.text[self.pos] == "-":
            self.pos += 1
        while not self.at_end() and (self.text[self.pos].isdigit() or self.text[self.pos] in ".eE+-"):
            if self.text[self.pos] in "+-" and self.text[self.pos - 1] not in "eE":
                break
            self.pos += 1
        token = self.text[start : self.pos]
        try:
            return int(token)
        except ValueError:
            try:
                return float(token)
            except ValueError as error:
                raise _NotALiteral from error

    def sequence(self) -> list[HclValue]:
        self.pos += 1
        items: list[HclValue] = []
        while True:
            self.skip_space()
            if self.text.startswith("]", self.pos):
                self.pos += 1
                return items
            items.append(self.value())
            self.skip_space()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif not self.text.startswith("]", self.pos):
                raise _NotALiteral

    def mapping(self) -> dict[str, HclValue]:
        self.pos += 1
        items: dict[str, HclValue] = {}
        while True:
            self.skip_space()
            if self.text.startswith("}", self.pos):
                self.pos += 1
                return items
            key: str
            if self.text.startswith('"', self.pos):
                key = self.string()
            else:
                key = self.word()
            self.skip_space()
            if self.at_end() or self.text[self.pos] not in "=:":
                raise _NotALiteral
            self.pos += 1
            items[key] = self.value()
            self.skip_space()
            if self.text.startswith(",", self.pos):
                self.pos += 1
