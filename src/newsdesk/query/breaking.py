"""Breaking score: how fast an event is growing now, against its own and the archive's pace.

Arrival time is when the archive placed an article (``event_articles.added``, UTC): what a
live desk sees, whatever date the article carries. With ``now`` the latest arrival in the
archive (or a given time) and a window of :data:`WINDOW_HOURS`:

* recent rate = (articles that arrived in the window + ``SOURCE_WEIGHT`` x independent
  outlets new to the event in the window) per hour;
* the event's own baseline = its articles before the window per hour of its life before
  the window;
* the archive's baseline = articles per hour per active event over the week before the
  window;
* score = recent rate / max(own baseline, archive baseline, :data:`FLOOR_PER_HOUR`).

0 means nothing new in the window; 1 means growing at the usual pace; higher is faster.
The floor (one article a day) keeps a quiet archive from making every trickle "breaking".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

WINDOW_HOURS = 6.0
BASELINE_DAYS = 7
SOURCE_WEIGHT = 2.0  # a new independent outlet counts as much as two more articles
FLOOR_PER_HOUR = 1 / 24


def _ts(s: str) -> datetime:
    return datetime.fromisoformat(s)


def _fmt(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def archive_now(db: sqlite3.Connection) -> str | None:
    """The latest arrival time in the archive."""
    r = db.execute("SELECT max(added) FROM event_articles").fetchone()
    return str(r[0]) if r and r[0] else None


def archive_baseline(db: sqlite3.Connection, now: str) -> float:
    """Articles per hour per active event in the week before the window."""
    end = _ts(now) - timedelta(hours=WINDOW_HOURS)
    start = end - timedelta(days=BASELINE_DAYS)
    n, events = db.execute(
        "SELECT count(*), count(DISTINCT event_id) FROM event_articles WHERE added > ? AND "
        "added <= ?", (_fmt(start), _fmt(end))).fetchone()
    if not events:
        return 0.0
    return float(n) / (BASELINE_DAYS * 24.0) / float(events)


def breaking_scores(db: sqlite3.Connection, event_ids: Sequence[str],
                    now: str | None = None) -> dict[str, dict[str, Any]]:
    """The breaking score (and its parts) of each of these events."""
    now = now or archive_now(db)
    if now is None or not event_ids:
        return {e: _empty(e) for e in event_ids}
    t_now = _ts(now)
    w_start = _fmt(t_now - timedelta(hours=WINDOW_HOURS))
    arch = archive_baseline(db, now)
    out: dict[str, dict[str, Any]] = {}
    for eid in event_ids:
        rows = db.execute(
            "SELECT m.added, m.copy_of IS NULL, coalesce(a.source, a.key) FROM event_articles "
            "m JOIN articles a ON a.rowid = m.article_rowid WHERE m.event_id = ? AND "
            "m.added <= ? ORDER BY m.added", (eid, now)).fetchall()
        before = [r for r in rows if r[0] <= w_start]
        recent = [r for r in rows if r[0] > w_start]
        old_sources = {r[2] for r in before if r[1]}
        new_sources = {r[2] for r in recent if r[1]} - old_sources
        own = 0.0
        if before:
            life = (_ts(w_start) - _ts(before[0][0])).total_seconds() / 3600
            own = len(before) / max(life, WINDOW_HOURS)
        rate = (len(recent) + SOURCE_WEIGHT * len(new_sources)) / WINDOW_HOURS
        base = max(own, arch, FLOOR_PER_HOUR)
        out[eid] = {"event_id": eid, "score": round(rate / base, 3),
                    "recent_articles": len(recent), "recent_sources": len(new_sources),
                    "rate_per_hour": round(rate, 4), "own_baseline": round(own, 4),
                    "archive_baseline": round(arch, 4), "window_hours": WINDOW_HOURS,
                    "now": now}
    return out


def _empty(eid: str) -> dict[str, Any]:
    return {"event_id": eid, "score": 0.0, "recent_articles": 0, "recent_sources": 0,
            "rate_per_hour": 0.0, "own_baseline": 0.0, "archive_baseline": 0.0,
            "window_hours": WINDOW_HOURS, "now": None}


def breaking_score(db: sqlite3.Connection, event_id: str,
                   now: str | None = None) -> dict[str, Any]:
    """One event's breaking score and its parts (see the module docstring)."""
    return breaking_scores(db, [event_id], now)[event_id]


def by_breaking(db: sqlite3.Connection, items: list[dict[str, Any]],
                now: str | None = None) -> list[dict[str, Any]]:
    """Event list items (``id`` keys) with a ``breaking`` field, fastest-growing first
    (stable: equal scores keep their order)."""
    scores = breaking_scores(db, [str(i["id"]) for i in items], now)
    out = [dict(i, breaking=scores[str(i["id"])]["score"]) for i in items]
    return sorted(out, key=lambda i: -float(i["breaking"]))
