"""Top-level Terraform blocks of a file and the lines each spans: where a scanner's finding or inline skip belongs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Block", "block_at", "terraform_blocks"]

_HEADER = re.compile(r'^\s*([A-Za-z_][\w-]*)((?:\s+(?:"[^"\n]*"|[A-Za-z_][\w-]*))*)\s*\{')
_LABEL = re.compile(r'"([^"\n]*)"|([A-Za-z_][\w-]*)')
_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*$")


@dataclass(frozen=True)
class Block:
    """A top-level Terraform block: its address and the lines it spans (1-based, inclusive)."""

    kind: str
    labels: tuple[str, ...]
    start: int
    end: int

    @property
    def address(self) -> str:
        if self.kind == "resource" and len(self.labels) >= 2:
            return f"{self.labels[0]}.{self.labels[1]}"
        if self.kind == "data" and len(self.labels) >= 2:
            return f"data.{self.labels[0]}.{self.labels[1]}"
        prefix = {"module": "module", "variable": "var", "output": "output", "provider": "provider"}
        if self.kind in prefix and self.labels:
            return f"{prefix[self.kind]}.{self.labels[0]}"
        return ".".join((self.kind, *self.labels))


def terraform_blocks(text: str) -> list[Block]:
    """The top-level blocks of one .tf file, found by counting braces outside strings, comments and heredocs.

    Not a full HCL parser: enough to tell which resource a line belongs to. Unbalanced text ends the scan.
    """
    blocks: list[Block] = []
    lines = text.splitlines()
    depth = 0
    start = 0
    stack: list[int] = []  # open string (-1) or interpolation (its brace count) contexts inside code
    i = 0
    while i < len(lines):
        line = lines[i]
        j = 0
        while j < len(line):
            ch = line[j]
            if stack and stack[-1] == -1:  # inside a quoted string
                if ch == "\\":
                    j += 2
                    continue
                if ch == '"':
                    stack.pop()
                elif ch in "$%" and line[j + 1 : j + 2] == "{":
                    stack.append(0)
                    j += 1
                j += 1
                continue
            two = line[j : j + 2]
            if ch == "#" or two == "//":
                break
            if two == "/*":
                end = line.find("*/", j + 2)
                while end < 0 and i + 1 < len(lines):
                    i += 1
                    line = lines[i]
                    end = line.find("*/")
                j = len(line) if end < 0 else end + 2
                continue
            if ch == '"':
                stack.append(-1)
            elif two == "<<" and (heredoc := _HEREDOC.match(line, j)):
                marker = heredoc.group(1)
                while i + 1 < len(lines) and lines[i + 1].strip() != marker:
                    i += 1
                i += 1
                line = ""
                break
            elif ch == "{":
                if stack:
                    stack[-1] += 1
                else:
                    if depth == 0:
                        start = i + 1
                    depth += 1
            elif ch == "}":
                if stack:
                    if stack[-1] == 0:
                        stack.pop()  # back inside the string the interpolation opened in
                    else:
                        stack[-1] -= 1
                else:
                    depth -= 1
                    if depth < 0:
                        return blocks
                    if depth == 0:
                        header = _HEADER.match(lines[start - 1])
                        if header:
                            labels = tuple(a or b for a, b in _LABEL.findall(header.group(2)))
                            blocks.append(Block(header.group(1), labels, start, i + 1))
            j += 1
        i += 1
    return blocks


def block_at(blocks: Sequence[Block], line: int) -> Block | None:
    """The top-level block that holds a line, if any."""
    for block in blocks:
        if block.start <= line <= block.end:
            return block
    return None
