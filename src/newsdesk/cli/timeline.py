"""`newsdesk timeline`: an entity's or a pair's coverage and interactions per period."""

from __future__ import annotations

import csv
import io
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from newsdesk.cli.app import DEFAULT_DB_OPT, DbOpt, app, err, open_store, out
from newsdesk.query.events import QueryError
from newsdesk.query.timeline import Timeline, timeline


class By(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class TimelineFormat(StrEnum):
    table = "table"
    csv = "csv"
    svg = "svg"
    png = "png"


def timeline_csv(t: Timeline) -> str:
    """Header row, then one dated row per period."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(t.columns)
    for r in t.rows:
        w.writerow([r[c] for c in t.columns])
    return buf.getvalue()


def timeline_svg(t: Timeline) -> str:
    """A standalone SVG of two panels: coverage (a line each for articles, events and
    mentions) and, below, the PLOVER interactions per period stacked by type/direction
    (their counts are small beside mentions, so they get their own axis)."""
    from newsdesk.web.charts import stacked_bars
    from newsdesk.web.linechart import lines

    names = " and ".join(e["name"] for e in t.entities)
    labels = [r["period"] for r in t.rows]
    cover = lines(labels, {c: [int(r[c]) for r in t.rows]
                           for c in ("articles", "events", "mentions")},
                  f"{names}: coverage per {t.by}", width=720, height=260)
    inter = stacked_bars([(r["period"], {s: int(r[s]) for s in t.series}) for r in t.rows],
                         f"{names}: PLOVER interactions per {t.by}", width=720, height=220)
    h1 = 260 + 18  # the line chart's height with its legend row
    h2 = 220 + (18 if len(t.series) > 1 else 0) + 24
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="720" height="{h1 + h2}" '
            f'viewBox="0 0 720 {h1 + h2}">'
            f'<rect width="720" height="{h1 + h2}" fill="#ffffff"/>{cover}'
            f'<g transform="translate(0,{h1})"><text x="360" y="14" text-anchor="middle" '
            f'font-size="13">PLOVER interactions per {t.by} (by type'
            f'{", each direction" if len(t.entities) > 1 else ""})</text>'
            f'<g transform="translate(0,20)">{inter}</g></g></svg>\n')


def timeline_png(t: Timeline) -> bytes:
    """The same two panels as :func:`timeline_svg`, as a PNG (matplotlib, no display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = " and ".join(e["name"] for e in t.entities)
    labels = [r["period"] for r in t.rows]
    x = list(range(len(labels)))
    fig, (top, low) = plt.subplots(2, 1, figsize=(9, 6), dpi=100, sharex=True,
                                   height_ratios=(3, 2))
    for col in ("articles", "events", "mentions"):
        top.plot(x, [int(r[col]) for r in t.rows], marker="o", label=col)
    top.set_title(f"{names}: coverage per {t.by}")
    top.set_ylabel("count")
    top.legend(loc="upper left")
    bottom = [0] * len(labels)
    for series in t.series:
        vals = [int(r[series]) for r in t.rows]
        low.bar(x, vals, bottom=bottom, label=series)
        bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
    low.set_title(f"PLOVER interactions per {t.by}")
    low.set_ylabel("records")
    if t.series:
        low.legend(loc="upper left", fontsize="small")
    low.set_xticks(x, labels, rotation=45, ha="right", fontsize="small")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


@app.command("timeline")
def timeline_cmd(
    entity: Annotated[str, typer.Argument(help="An entity: any variant or a near spelling.")],
    entity2: Annotated[str | None, typer.Argument(help="A second entity: the pair's "
                                                       "timeline.")] = None,
    db: DbOpt = DEFAULT_DB_OPT,
    by: Annotated[By, typer.Option("--by", help="Period of a row.")] = By.day,
    fmt: Annotated[TimelineFormat, typer.Option("--format", "-f")] = TimelineFormat.table,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Per period: articles, events and mentions of ENTITY (with ENTITY2: of both), and
    its PLOVER interactions by type (for a pair: both directions)."""
    if fmt is TimelineFormat.png and output is None and sys.stdout.isatty():
        err.print("[red]error:[/red] PNG is binary: pass -o FILE.png or redirect standard "
                  "output (or use --format svg)", highlight=False)
        raise typer.Exit(2)
    with open_store(db) as store:
        try:
            t = timeline(store.db, entity, entity2, by.value)
        except QueryError as e:
            err.print(f"[red]error:[/red] {e.detail}", highlight=False)
            raise typer.Exit(2) from e
    names = ", ".join(f"{e['query']} → {e['name']}" for e in t.entities)
    err.print(f"timeline of {names}: {len(t.rows)} {by.value}(s)", highlight=False)
    if fmt is TimelineFormat.table:
        table = Table(*t.columns)
        for r in t.rows:
            table.add_row(*[str(r[c]) for c in t.columns])
        out.print(table)
        return
    if fmt is TimelineFormat.png:
        data = timeline_png(t)
        if output is not None:
            output.write_bytes(data)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        return
    text = timeline_csv(t) if fmt is TimelineFormat.csv else timeline_svg(t)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
