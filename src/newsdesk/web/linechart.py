"""A line chart as SVG (the timeline's counts per period), in the style of web/charts.py.

Hand-written for the same reason as charts.py: a few polylines, axes and a legend are all
it needs, and no plotting library is in the environment. Every label is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup

from newsdesk.web.charts import PALETTE, _e, _ticks, _y_grid


def lines(labels: Sequence[str], series: Mapping[str, Sequence[int]], title: str,
          y_label: str = "count", width: int = 720, height: int = 260) -> Markup:
    """One polyline (with point markers) per series over the labels (x axis, in order),
    a y axis with ticks, a title and a legend."""
    left, right, top_pad, bottom = 48, 12, 28, 48
    names = list(series)
    legend_rows = (len(names) + 3) // 4
    h = height + 18 * legend_rows
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = max((max(v, default=0) for v in series.values()), default=0)
    ticks = _ticks(int(top))
    vmax = max(ticks[-1], 1)
    n = len(labels)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
           f'viewBox="0 0 {width} {h}" width="{width}" height="{h}" '
           f'aria-label="{_e(title)}"><title>{_e(title)}</title>',
           f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13" '
           f'fill="currentColor">{_e(title)}</text>',
           f'<text x="12" y="{top_pad + plot_h / 2}" font-size="11" fill="currentColor" '
           f'text-anchor="middle" transform="rotate(-90 12 {top_pad + plot_h / 2})">'
           f'{_e(y_label)}</text>']
    out += _y_grid(ticks, vmax, left, width - right, top_pad, plot_h)

    def x_of(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n if n else plot_w / 2)

    every = max(1, -(-n // 10))
    for i, label in enumerate(labels):
        if i % every == 0:
            out.append(f'<text x="{x_of(i):.1f}" y="{top_pad + plot_h + 16}" font-size="10" '
                       f'text-anchor="middle" fill="currentColor">{_e(label)}</text>')
    for k, name in enumerate(names):
        colour = PALETTE[k % len(PALETTE)]
        pts = [(x_of(i), top_pad + plot_h - plot_h * v / vmax)
               for i, v in enumerate(series[name])]
        out.append(f'<polyline class="series" data-series="{_e(name)}" fill="none" '
                   f'stroke="{colour}" stroke-width="2" points="'
                   + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
        for (x, y), label, v in zip(pts, labels, series[name], strict=False):
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                       f'<title>{_e(name)} {_e(label)}: {v}</title></circle>')
    if not n:
        out.append(f'<text x="{width / 2}" y="{top_pad + plot_h / 2}" text-anchor="middle" '
                   'font-size="13" fill="currentColor">no data</text>')
    for k, name in enumerate(names):
        x = left + (k % 4) * (plot_w / 4)
        y = height + 4 + 18 * (k // 4)
        out.append(f'<rect x="{x:.1f}" y="{y}" width="10" height="10" '
                   f'fill="{PALETTE[k % len(PALETTE)]}"/>')
        out.append(f'<text x="{x + 14:.1f}" y="{y + 9}" font-size="11" '
                   f'fill="currentColor">{_e(name)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
