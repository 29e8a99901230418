"""The charts' dark rendering, made from the light one, is pygal's own dark rendering; the same figures draw once."""

from __future__ import annotations

import re

import pygal
import pytest

from bot.entrypoints.dashboard import charts

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
LABELS = ("12-01", "12-02", "12-03")
SERIES = (("runs", (3.0, 4.0, 0.0)), ("failed", (1.0, None, 0.0)))


def _drawn(svg: str) -> str:
    """What is drawn and how it is styled: one name for the chart's id, without its config script (not loaded)."""
    return UUID.sub("ID", re.sub(r"<script.*?</script>", "", svg, flags=re.S))


@pytest.mark.parametrize("kind", [pygal.Bar, pygal.Line])
def test_the_dark_rendering_is_pygals_own_with_a_chart_id_of_its_own(kind: type[pygal.Bar]) -> None:
    series = (("latest", (5.0, 6.0, 7.0)), *SERIES)  # three series: a third colour swapped too
    light, dark = charts._rendered(kind, LABELS, series)
    assert _drawn(dark) == _drawn(charts._render(kind, charts._DARK, LABELS, series))
    assert _drawn(light) == _drawn(charts._render(kind, charts._LIGHT, LABELS, series))
    light_id, dark_id = (set(UUID.findall(svg)) for svg in (light, dark))
    assert len(light_id) == len(dark_id) == 1 and light_id != dark_id  # both are on the page; each styles its own
    assert "#58a6ff" in dark and "#0969da" not in dark.split("</style>")[0]


def test_the_same_figures_are_drawn_once() -> None:
    first = charts.bar_chart("Runs", list(LABELS), [(name, list(values)) for name, values in SERIES])
    again = charts.bar_chart("Runs", list(LABELS), [(name, list(values)) for name, values in SERIES])
    other = charts.bar_chart("Runs", list(LABELS), [("runs", [3.0, 4.0, 1.0]), SERIES[1]])
    assert (again.light, again.dark) == (first.light, first.dark)
    assert other.light != first.light and other.dark != first.dark
