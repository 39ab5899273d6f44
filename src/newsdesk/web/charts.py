"""SVG charts drawn on the server, readable without JavaScript.

Hand-written on purpose: the pages need three small shapes (a bar chart over dates, the
same stacked by type, and a node-link diagram of who copied whom), and an SVG string is
all they need — a plotting library (matplotlib, plotly) would add a heavy dependency or a
script for what is a few rectangles. Only presentation attributes are used (no inline
``style``), so the strict Content-Security-Policy holds. Every label is escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

# colour-blind-safe palette (Okabe–Ito)
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _ticks(top: int) -> list[int]:
    """Evenly spaced axis values from 0 to at least ``top`` (so the tallest bar stays
    inside the plot), at most six of them."""
    if top <= 0:
        return [0]
    step = max(1, 10 ** int(math.log10(top)) if top >= 10 else 1)
    while top / step > 5:
        step *= 2
    return list(range(0, top + step, step)) if top % step else list(range(0, top + 1, step))


def _y_grid(ticks: Sequence[int], vmax: int, left: float, right: float, top_pad: float,
            plot_h: float) -> list[str]:
    """Horizontal grid lines with their value labels, one per tick."""
    out = []
    for t in ticks:
        y = top_pad + plot_h - plot_h * t / vmax
        out.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" '
                   'stroke="#8884" stroke-width="1"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
                   f'fill="currentColor">{t}</text>')
    return out


def stacked_bars(rows: Sequence[tuple[str, Mapping[str, int]]], title: str,
                 width: int = 640, height: int = 220) -> Markup:
    """Bars per label (dates), each stacked by series; a legend when there are several
    series. ``rows``: [(label, {series: count})] in display order."""
    series: list[str] = []
    for _, counts in rows:
        for s in counts:
            if s not in series:
                series.append(s)
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(series)}
    left, right, top_pad, bottom = 36, 8, 22, 44
    legend_h = 18 if len(series) > 1 else 0
    h = height + legend_h
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = max((sum(c.values()) for _, c in rows), default=0)
    ticks = _ticks(top)
    vmax = max(ticks[-1], 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
           f'viewBox="0 0 {width} {h}" width="{width}" height="{h}" '
           f'aria-label="{_e(title)}"><title>{_e(title)}</title>']
    out += _y_grid(ticks, vmax, left, width - right, top_pad, plot_h)
    n = max(len(rows), 1)
    slot = plot_w / n
    bar = max(2.0, min(40.0, slot * 0.8))
    every = max(1, math.ceil(n / 10))  # at most ~10 axis labels
    for i, (label, counts) in enumerate(rows):
        x = left + slot * i + (slot - bar) / 2
        y = float(top_pad + plot_h)
        tip = ", ".join(f"{s} {c}" for s, c in counts.items())
        for s in series:
            c = counts.get(s, 0)
            if not c:
                continue
            bh = plot_h * c / vmax
            y -= bh
            out.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                       f'height="{bh:.1f}" fill="{colour[s]}"><title>{_e(label)}: '
                       f'{_e(tip)}</title></rect>')
        if i % every == 0:
            cx = x + bar / 2
            out.append(f'<text x="{cx:.1f}" y="{top_pad + plot_h + 14}" font-size="10" '
                       f'text-anchor="middle" fill="currentColor">{_e(label)}</text>')
    if not rows:
        out.append(f'<text x="{width / 2}" y="{top_pad + plot_h / 2}" text-anchor="middle" '
                   'font-size="13" fill="currentColor">no data</text>')
    if len(series) > 1:
        x = left
        ly = height + 4
        for s in series:
            out.append(f'<rect x="{x}" y="{ly}" width="10" height="10" fill="{colour[s]}"/>')
            out.append(f'<text x="{x + 14}" y="{ly + 9}" font-size="11" '
                       f'fill="currentColor">{_e(s)}</text>')
            x += 24 + 7 * len(s)
    out.append("</svg>")
    return Markup("".join(out))


def bars(rows: Sequence[tuple[str, int]], title: str, series: str = "count",
         width: int = 640, height: int = 200) -> Markup:
    """One bar per label."""
    return stacked_bars([(label, {series: n}) for label, n in rows], title, width, height)


def reuse_map(articles: Sequence[Mapping[str, Any]], reuse: Sequence[Mapping[str, Any]],
              numbers: Mapping[str, int], title: str = "Reuse map",
              min_similarity: float = 0.05) -> Markup:
    """Who copied or paraphrased whom: articles on a circle (earliest at the top), a solid
    arrow from an original to its copy, a dashed one from the earlier to the later of two
    articles sharing passages (line width grows with similarity; pairs below
    ``min_similarity`` are left to the list under the diagram, so it stays readable)."""
    keys = [str(a.get("key")) for a in articles]
    if not keys:
        return Markup("")
    when = {str(a.get("key")): str(a.get("published") or "") for a in articles}
    outlet = {str(a.get("key")): str(a.get("source") or a.get("key")) for a in articles}
    n = len(keys)
    size = 420 if n <= 8 else 560
    pad = 130  # room for outlet names left and right of the circle
    cx, cy = size / 2 + pad, size / 2
    radius = size / 2 - 50
    pos = {}
    for i, k in enumerate(keys):
        ang = -math.pi / 2 + 2 * math.pi * i / n
        pos[k] = (cx + radius * math.cos(ang), cy + radius * math.sin(ang))
    width = size + 2 * pad
    marker = ('<marker id="{id}" viewBox="0 0 10 10" refX="23" refY="5" markerWidth="10" '
              'markerHeight="10" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
              '<path d="M0,0 L10,5 L0,10 z" fill="{fill}"/></marker>')
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart reuse" role="img" '
           f'viewBox="0 0 {width} {size}" width="{width}" height="{size}" '
           f'aria-label="{_e(title)}"><title>{_e(title)}</title>',
           "<defs>" + marker.format(id="arrow", fill="#D55E00")
           + marker.format(id="arrow2", fill="#0072B2") + "</defs>"]
    drawn: set[tuple[str, str]] = set()
    for r in reuse:
        a = str(r.get("article"))
        if a not in pos:
            continue
        src = r.get("copy_of")
        if src and str(src) in pos:
            (x1, y1), (x2, y2) = pos[str(src)], pos[a]
            out.append(f'<line class="copy" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
                       f'y2="{y2:.1f}" stroke="#D55E00" stroke-width="2.5" '
                       f'marker-end="url(#arrow)"><title>{_e(outlet[a])} copies '
                       f'{_e(outlet[str(src)])}</title></line>')
        for s in r.get("shares") or []:
            b = str(s.get("article"))
            sim = s.get("similarity")
            if b not in pos or (a, b) in drawn or (b, a) in drawn or (
                    isinstance(sim, int | float) and sim < min_similarity):
                continue
            drawn.add((a, b))
            first, later = sorted((a, b), key=lambda k: (when[k], numbers.get(k, 0)))
            (x1, y1), (x2, y2) = pos[first], pos[later]
            w = 1 + 4 * float(sim) if isinstance(sim, int | float) else 1
            out.append(f'<line class="shares" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
                       f'y2="{y2:.1f}" stroke="#0072B2" stroke-width="{w:.1f}" '
                       f'stroke-dasharray="5 4" marker-end="url(#arrow2)"><title>'
                       f'{_e(outlet[later])} shares passages with {_e(outlet[first])} '
                       f'(similarity {_e(sim)})</title></line>')
    for k in keys:
        x, y = pos[k]
        label = outlet[k] if len(outlet[k]) <= 26 else outlet[k][:25] + "…"
        anchor = "middle" if abs(x - cx) < 30 else ("start" if x > cx else "end")
        dx = 0 if anchor == "middle" else (16 if anchor == "start" else -16)
        dy = -18 if y < cy - radius * 0.7 else (26 if y > cy + radius * 0.7 else 4)
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="13" fill="#fff" stroke="#333" '
                   f'stroke-width="1.5"><title>{_e(outlet[k])} ({_e(k)}, '
                   f'{_e(when[k] or "undated")})</title></circle>')
        out.append(f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="11" '
                   f'fill="#000">{numbers.get(k, "?")}</text>')
        out.append(f'<text x="{x + dx:.1f}" y="{y + dy:.1f}" text-anchor="{anchor}" '
                   f'font-size="11" fill="currentColor">{_e(label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
