"""Charts as server-rendered SVG (pygal): no JavaScript, no network, one light and one dark rendering each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
    return Chart(label, *(_render(pygal.Bar, style, x_labels, series) for style in (_LIGHT, _DARK)))


def line_chart(label: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]) -> Chart:
    """Lines: one per series over the x labels (a missing value leaves a gap)."""
    return Chart(label, *(_render(pygal.Line, style, x_labels, series) for style in (_LIGHT, _DARK)))


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
