"""Charts as server-rendered SVG (pygal): no JavaScript, no network, one light and one dark rendering each."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pygal
from pygal.style import Style

# Transparent backgrounds so the page's colours show through; colours chosen for contrast on white and on near-black.
_LIGHT = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2328",
    foreground_strong="#1f2328",
    foreground_subtle="#8c959f",
    colors=("#0969da", "#cf222e", "#1a7f37", "#8250df"),
    font_family="system-ui, sans-serif",
)
_DARK = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#e6edf3",
    foreground_strong="#e6edf3",
    foreground_subtle="#484f58",
    colors=("#58a6ff", "#ff7b72", "#3fb950", "#d2a8ff"),
    font_family="system-ui, sans-serif",
)


@dataclass(frozen=True)
class Chart:
    """One chart: what it shows in words (its accessible name), and its SVG for light and for dark pages."""

    label: str
    light: str
    dark: str


def bar_chart(label: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]) -> Chart:
    """Grouped bars: one per series at each x label."""
    return Chart(label, *_rendered(pygal.Bar, tuple(x_labels), _frozen(series)))


def line_chart(label: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]) -> Chart:
    """Lines: one per series over the x labels (a missing value leaves a gap)."""
    return Chart(label, *_rendered(pygal.Line, tuple(x_labels), _frozen(series)))


_Series = tuple[tuple[str, tuple[float | None, ...]], ...]


def _frozen(series: Sequence[tuple[str, Sequence[float | None]]]) -> _Series:
    return tuple((name, tuple(values)) for name, values in series)


# pygal takes ~15 ms a rendering; the overview draws three charts on every load and every live update, mostly of
# figures that did not change since the last one. The same figures make the same SVG, so the last few renderings
# are kept (a few dozen kB each), and the dark one is made from the light one rather than drawn again.
@lru_cache(maxsize=32)
def _rendered(kind: type[pygal.Bar] | type[pygal.Line], x_labels: tuple[str, ...], series: _Series) -> tuple[str, str]:
    """The light and the dark rendering."""
    light = _render(kind, _LIGHT, x_labels, series)
    return light, _as_dark(light)


# Each light colour and its dark counterpart.
_TO_DARK = {
    getattr(_LIGHT, name): getattr(_DARK, name) for name in ("foreground", "foreground_strong", "foreground_subtle")
} | dict(zip(_LIGHT.colors, _DARK.colors, strict=True))
_LIGHT_COLOUR = re.compile("|".join(re.escape(colour) for colour in _TO_DARK))
_CHART_ID = re.compile(r'<svg[^>]* id="chart-([0-9a-f-]{36})"')


def _as_dark(light: str) -> str:
    """The dark rendering of a light one: pygal writes a chart's colours only in its <style> (what its scripts would
    read is not loaded), so they are swapped there; and a new chart id, which the style's selectors name, because
    both renderings are on the page (tests/dashboard/test_dashboard_charts.py holds it to pygal's own dark one)."""
    found = _CHART_ID.search(light)
    start, end = light.find("<style"), light.find("</style>")
    if found is None or not 0 <= start < end:
        raise ValueError("pygal's SVG no longer has the chart id and style the dark rendering swaps")
    style = _LIGHT_COLOUR.sub(lambda colour: _TO_DARK[colour.group(0)], light[start:end])
    return (light[:start] + style + light[end:]).replace(found.group(1), str(uuid.uuid4()))


def _render(
    kind: type[pygal.Bar] | type[pygal.Line],
    style: Style,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
) -> str:
    chart = kind(
        style=style,
        js=[],  # pygal's tooltips load a script from a CDN; the dashboard works offline
        disable_xml_declaration=True,
        width=720,
        height=280,
        explicit_size=False,
        legend_at_bottom=True,
        x_label_rotation=30 if len(x_labels) > 8 else 0,
        show_minor_x_labels=True,
        margin=8,
    )
    chart.x_labels = list(x_labels)
    for name, values in series:
        chart.add(name, list(values))
    return str(chart.render(is_unicode=True))
