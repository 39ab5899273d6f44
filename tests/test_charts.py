"""The server-drawn SVG charts: axis ticks cover the data, bars stay inside the plot,
labels are escaped."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.web.charts import _ticks, stacked_bars
from newsdesk.web.linechart import lines


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6))
def test_ticks_start_at_zero_cover_the_top_and_are_evenly_spaced(top: int) -> None:
    t = _ticks(top)
    assert t[0] == 0 and t[-1] >= top and len(t) <= 7
    if len(t) > 1:
        steps = {b - a for a, b in zip(t, t[1:], strict=False)}
        assert len(steps) == 1 and t[-1] - top < steps.pop()


def test_the_tallest_bar_stays_inside_the_plot() -> None:
    # 7 with ticks 0, 2, 4, 6 once drew the tallest bar above the top grid line
    svg = str(stacked_bars([("2025-03-04", {"a": 7}), ("2025-03-05", {"a": 3})], "t"))
    ys = [float(y) for y in re.findall(r'<rect class="bar" x="[\d.]+" y="([\d.]+)"', svg)]
    grid = [float(y) for y in re.findall(r'<line x1="\d+" x2="\d+" y1="([\d.]+)"', svg)]
    assert ys and min(ys) >= min(grid)
    assert ">8</text>" in svg  # the top tick is above 7


def test_line_chart_points_stay_inside_and_labels_are_escaped() -> None:
    svg = str(lines(["<b>Mon</b>", "Tue"], {"x<script>": [3, 7]}, "t & u"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "t &amp; u" in svg
    grid = [float(y) for y in re.findall(r'<line x1="\d+" x2="\d+" y1="([\d.]+)"', svg)]
    cys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert cys and min(cys) >= min(grid)
