"""An entity's (or a pair's) coverage over time: ``newsdesk timeline``.

Per period (day, ISO week or month of publication): the articles and events mentioning
the entity (for a pair: mentioning both), their mentions of it (of either), and the PLOVER
records it takes part in by type (for a pair: between the two, each direction its own
column). Every period from the first to the last is a row, empty ones included, so a
chart of it shows gaps as gaps. Entities are named as ``newsdesk query`` takes them (any
variant or a near spelling).
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from newsdesk.query.events import QueryError, resolve_entity

GRAINS = ("day", "week", "month")


@dataclass(slots=True)
class Timeline:
    """Rows of counts per period; ``series`` are the interaction columns in order."""

    by: str
    entities: list[dict[str, Any]]
    series: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        """The CSV header."""
        return ["period", "start", "articles", "events", "mentions", *self.series]


def period_of(day: str, by: str) -> str:
    """The period label of a YYYY-MM-DD day: itself, ``YYYY-Www`` or ``YYYY-MM``."""
    if by == "month":
        return day[:7]
    if by == "week":
        y, w, _ = date.fromisoformat(day[:10]).isocalendar()
        return f"{y}-W{w:02d}"
    return day[:10]


def period_start(label: str, by: str) -> date:
    """The first day of a period label."""
    if by == "month":
        return date.fromisoformat(label + "-01")
    if by == "week":
        y, w = label.split("-W")
        return date.fromisocalendar(int(y), int(w), 1)
    return date.fromisoformat(label)


def _next(d: date, by: str) -> date:
    if by == "day":
        return d + timedelta(days=1)
    if by == "week":
        return d + timedelta(days=7)
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _resolve(db: sqlite3.Connection, name: str) -> dict[str, Any]:
    ids = resolve_entity(db, name)
    if not ids:
        raise QueryError("entity", f"no entity is named or spelt like {name!r}: check the "
                                   "spelling; the known names are in the entities table.")
    r = db.execute("SELECT name FROM entities WHERE entity_id = ?", (ids[0],)).fetchone()
    return {"query": name, "ids": ids, "name": str(r[0]) if r else ids[0]}


def _day(value: object) -> str | None:
    s = str(value or "")[:10]
    try:
        date.fromisoformat(s)
    except ValueError:
        return None
    return s


def timeline(db: sqlite3.Connection, entity: str, other: str | None = None,
             by: str = "day") -> Timeline:
    """The timeline of ``entity`` (with ``other``: of the pair)."""
    if by not in GRAINS:
        raise QueryError("by", f"--by {by!r} is not a period: use day, week or month.")
    ents = [_resolve(db, entity)] + ([_resolve(db, other)] if other else [])
    marks = [",".join("?" * len(e["ids"])) for e in ents]
    # articles mentioning the entity (every one of a pair), with their mention counts
    per_article: dict[int, list[int]] = {}
    for i, e in enumerate(ents):
        for rowid, n in db.execute(
                f"SELECT article_rowid, count(*) FROM mentions WHERE entity_id IN ({marks[i]}) "
                "GROUP BY article_rowid", e["ids"]):
            per_article.setdefault(int(rowid), [0] * len(ents))[i] += int(n)
    arts = {k: v for k, v in per_article.items() if all(v)}
    articles: Counter[str] = Counter()
    mentions: Counter[str] = Counter()
    events: dict[str, set[str]] = defaultdict(set)
    ids = list(arts)
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        for rowid, published, event_id in db.execute(
                "SELECT a.rowid, a.published, m.event_id FROM articles a LEFT JOIN "
                "event_articles m ON m.article_rowid = a.rowid WHERE a.rowid IN "
                f"({','.join('?' * len(part))})", part):
            d = _day(published)
            if d is None:
                continue
            p = period_of(d, by)
            articles[p] += 1
            mentions[p] += sum(arts[int(rowid)])
            if event_id:
                events[p].add(str(event_id))
    # PLOVER records: the entity on either side; a pair: between the two, by direction
    inter: dict[str, Counter[str]] = defaultdict(Counter)
    series: list[str] = []
    if other is None:
        sql = ("SELECT coalesce(p.date, a.published), p.type, 0 FROM political_events p JOIN "
               f"articles a ON a.rowid = p.article_rowid WHERE p.source_entity IN ({marks[0]}) "
               f"OR p.target_entity IN ({marks[0]})")
        args = ents[0]["ids"] * 2
    else:
        sql = ("SELECT coalesce(p.date, a.published), p.type, "
               f"p.source_entity IN ({marks[0]}) FROM political_events p JOIN articles a ON "
               f"a.rowid = p.article_rowid WHERE (p.source_entity IN ({marks[0]}) AND "
               f"p.target_entity IN ({marks[1]})) OR (p.source_entity IN ({marks[1]}) AND "
               f"p.target_entity IN ({marks[0]}))")
        args = ents[0]["ids"] + ents[0]["ids"] + ents[1]["ids"] + ents[1]["ids"] + ents[0]["ids"]
    for when, ptype, a_first in db.execute(sql, args):
        d = _day(when)
        if d is None:
            continue
        if other is None:
            col = str(ptype)
        else:
            a, b = (ents[0]["name"], ents[1]["name"]) if a_first else (ents[1]["name"],
                                                                        ents[0]["name"])
            col = f"{ptype} {a}>{b}"
        inter[period_of(d, by)][col] += 1
        if col not in series:
            series.append(col)
    series.sort()
    periods = set(articles) | set(inter)
    out = Timeline(by, [{"name": e["name"], "ids": e["ids"], "query": e["query"]}
                        for e in ents], series)
    if not periods:
        return out
    cur, last = period_start(min(periods), by), period_start(max(periods), by)
    while cur <= last:
        p = period_of(cur.isoformat(), by)
        row: dict[str, Any] = {"period": p, "start": cur.isoformat(), "articles": articles[p],
                               "events": len(events[p]), "mentions": mentions[p]}
        row.update({s: inter[p][s] for s in series})
        out.rows.append(row)
        cur = _next(cur, by)
    return out
