"""The cluster modules' Jinja2 templates (bot/changes/clusters/templates), with the same `hcl` filter as Terraform's."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import jinja2

from bot.changes.hcl_render import hcl_value

__all__ = ["render"]


def _hcl_filter(value: object) -> str:
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises here, naming the missing value, instead of rendering anything
    return hcl_value(value)


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("bot.changes.clusters", "templates"),
        # Terraform is not HTML; escaping is the `hcl` filter's job, applied to every interpolated value.
        autoescape=False,  # noqa: S701
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["hcl"] = _hcl_filter
    return environment


def render(template: str, context: Mapping[str, object]) -> str:
    """Render one template (a path under bot/changes/clusters/templates) with the given values."""
    return _environment().get_template(template).render(**context)
