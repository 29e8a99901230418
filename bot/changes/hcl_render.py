"""Rendering Terraform from Jinja2 templates: every interpolated value goes through the `hcl` filter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import jinja2

__all__ = ["Reference", "hcl_string", "hcl_value", "render"]


@dataclass(frozen=True)
class Reference:
    """An HCL expression written as is (`var.region`, `module.s3_bucket_logs.bucket_id`), never user text."""

    expression: str

    def __post_init__(self) -> None:
        allowed = set("abcdefghijklmnopqrstuvwxyz0123456789_.")
        if not self.expression or not set(self.expression) <= allowed or self.expression[0] not in "mv":
            raise ValueError(f"{self.expression!r} is not a plain var./module. reference")


def hcl_string(text: str) -> str:
    """A quoted HCL string whose value is exactly `text`: quotes, backslashes, control characters and the
    template sequences `${` and `%{` are escaped, so no input can end the string or start an expression."""
    out: list[str] = ['"']
    i = 0
    while i < len(text):
        char = text[i]
        if char in "$%" and text.startswith(char + "{", i):
            out.append(char * 2 + "{")  # `$${` is a literal `${` in HCL templates
            i += 2
            continue
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F or 0x80 <= ord(char) < 0xA0 or char in "\u2028\u2029":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
        i += 1
    out.append('"')
    return "".join(out)


def hcl_value(value: object) -> str:
    """The `hcl` filter: strings are escaped and quoted, booleans and integers are literals, references verbatim."""
    if isinstance(value, Reference):
        return value.expression
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return hcl_string(value)
    if isinstance(value, Sequence):
        return "[" + ", ".join(hcl_value(item) for item in value) + "]"
    raise TypeError(f"no HCL form for {type(value).__name__}")


def _hcl_filter(value: object) -> str:
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises here, naming the missing value, instead of rendering anything
    return hcl_value(value)


def _aligned(arguments: Sequence[tuple[str, object]], indent: int = 2) -> str:
    """`name = value` lines with the `=` aligned as `terraform fmt` aligns consecutive attributes."""
    width = max((len(name) for name, _value in arguments), default=0)
    pad = " " * indent
    return "\n".join(f"{pad}{name.ljust(width)} = {_hcl_filter(value)}" for name, value in arguments)


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("bot.changes", "templates"),
        # Terraform is not HTML; escaping is the `hcl` filter's job, applied to every interpolated value.
        autoescape=False,  # noqa: S701
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["hcl"] = _hcl_filter
    environment.filters["aligned"] = _aligned
    return environment


def render(template: str, context: Mapping[str, object]) -> str:
    """Render one template (a path under bot/changes/templates) with the given values."""
    return _environment().get_template(template).render(**context)
