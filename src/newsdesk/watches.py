"""Watches (saved queries) and the alerts an archive update fires for them.

A watch is an :class:`~newsdesk.query.events.EventFilter` under a name. After every archive
update, :func:`evaluate_watches` looks at the events that update created or changed, and
for each watch that matches one it compares the event with the state stored when the
watch last saw it (``watch_events``): a first match is ``new_event``; more articles is
``grew``; a second independent source for the first time is ``corroborated``; more
conflicting claims than before is ``conflict``. Alerts are recorded in ``alerts``. The
comparison is with the stored state, not with the update's lists, so re-ingesting a
report that is already in the archive fires nothing.

A watch may also ask for a minimum breaking score (``min_breaking``, see
:func:`newsdesk.query.breaking.breaking_score`): it then only fires for events growing at
least that fast.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

from newsdesk.errors import NewsdeskError
from newsdesk.query.events import (
    EXTRA_FILTER_FIELDS,
    FILTER_FIELDS,
    EventFilter,
    match_events,
)
from newsdesk.store import Store

KINDS = ("new_event", "grew", "corroborated", "conflict")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SAVED_FIELDS = FILTER_FIELDS + EXTRA_FILTER_FIELDS


class WatchError(NewsdeskError):
    """A watch that cannot be added, found or evaluated as asked."""


@dataclass(slots=True)
class Watch:
    """A saved query."""

    name: str
    filter: EventFilter
    created: str
    min_breaking: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The watch as JSON-ready data (filter as its query parameters)."""
        d: dict[str, Any] = {"name": self.name, "filter": self.filter.params(),
                             "created": self.created}
        if self.min_breaking is not None:
            d["min_breaking"] = self.min_breaking
        return d


@dataclass(slots=True)
class Alert:
    """One fired alert."""

    id: int
    watch: str
    event_id: str
    kind: str
    at: str
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The alert as JSON-ready data."""
        return asdict(self)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _encode(f: EventFilter, min_breaking: float | None) -> str:
    d: dict[str, Any] = {k: getattr(f, k) for k in SAVED_FIELDS if getattr(f, k) is not None}
    if min_breaking is not None:
        d["min_breaking"] = min_breaking
    return json.dumps(d, sort_keys=True, ensure_ascii=False)


def _decode(raw: str) -> tuple[EventFilter, float | None]:
    d = json.loads(raw)
    known = {f.name for f in fields(EventFilter)}
    mb = d.pop("min_breaking", None)
    return EventFilter(**{k: v for k, v in d.items() if k in known}), (
        float(mb) if mb is not None else None)


def _watch(row: sqlite3.Row | tuple[Any, ...]) -> Watch:
    f, mb = _decode(row[1])
    return Watch(str(row[0]), f, str(row[2]), mb)


def add_watch(store: Store, name: str, f: EventFilter, *, min_breaking: float | None = None,
              replace_existing: bool = False) -> Watch:
    """Save a watch. The events it matches now are recorded as seen (no alerts for them
    until they change), so a watch reports what happens from now on."""
    if not _NAME.match(name):
        raise WatchError(f"watch name {name!r} is not usable: use 1-64 letters, digits, '_', "
                         "'-' or '.', starting with a letter or digit (it is part of the "
                         "feed URL /watch/NAME.atom).")
    f = replace(f.checked(), cursor=None)
    ids = match_events(store.db, f)  # validates the filter (entity names resolve) first
    exists = store.db.execute("SELECT 1 FROM watches WHERE name=?", (name,)).fetchone()
    if exists and not replace_existing:
        raise WatchError(f"a watch named {name!r} exists: remove it first "
                         f"(`newsdesk watch remove {name}`) or pick another name.")
    now = _now()
    with store.transaction() as tx:
        tx.execute("DELETE FROM watch_events WHERE watch=?", (name,))
        tx.execute("INSERT OR REPLACE INTO watches (name, filter, created) VALUES (?,?,?)",
                   (name, _encode(f, min_breaking), now))
        for eid in ids:
            tx.execute("INSERT INTO watch_events (watch, event_id, articles, "
                       "independent_sources, conflicts, at) VALUES (?,?,?,?,?,?)",
                       (name, eid, *_state(store.db, eid), now))
    return Watch(name, f, now, min_breaking)


def list_watches(db: sqlite3.Connection) -> list[Watch]:
    """Every watch, by name."""
    return [_watch(r) for r in db.execute(
        "SELECT name, filter, created FROM watches ORDER BY name")]


def get_watch(db: sqlite3.Connection, name: str) -> Watch | None:
    """One watch by name."""
    r = db.execute("SELECT name, filter, created FROM watches WHERE name=?", (name,)).fetchone()
    return _watch(r) if r is not None else None


def remove_watch(store: Store, name: str) -> None:
    """Delete a watch with its state and alerts."""
    if get_watch(store.db, name) is None:
        raise WatchError(f"there is no watch {name!r}: `newsdesk watch list` shows them.")
    with store.transaction() as tx:
        tx.execute("DELETE FROM alerts WHERE watch=?", (name,))
        tx.execute("DELETE FROM watch_events WHERE watch=?", (name,))
        tx.execute("DELETE FROM watches WHERE name=?", (name,))


def _state(db: sqlite3.Connection, event_id: str) -> tuple[int, int, int]:
    r = db.execute("SELECT articles, independent_sources FROM events WHERE event_id=?",
                   (event_id,)).fetchone()
    conflicts = db.execute("SELECT count(*) FROM claims WHERE event_id=? AND "
                           "status='conflicting'", (event_id,)).fetchone()[0]
    return (int(r[0]), int(r[1]), int(conflicts)) if r else (0, 0, int(conflicts))


def _live(db: sqlite3.Connection, ids: Iterable[str]) -> list[str]:
    """The live events of these ids (merged aliases followed to their survivor)."""
    out: list[str] = []
    for eid in ids:
        cur: str | None = eid
        for _ in range(64):  # merge chains are short; the bound guards against a cycle
            r = db.execute("SELECT merged_into FROM events WHERE event_id=?",
                           (cur,)).fetchone()
            if r is None:
                cur = None
                break
            if r[0] is None:
                break
            cur = str(r[0])
        if cur is not None and cur not in out:
            out.append(cur)
    return out


def evaluate_watches(store: Store, event_ids: Iterable[str]) -> list[Alert]:
    """Record the alerts every watch fires for these (created or changed) events."""
    db = store.db
    ids = _live(db, event_ids)
    watches = list_watches(db)
    if not ids or not watches:
        return []
    fired: list[Alert] = []
    failed: list[str] = []
    now = _now()
    for w in watches:
        try:
            matched = match_events(db, replace(w.filter, event_ids=tuple(ids)))
        except NewsdeskError as e:  # one watch that cannot run never stops the others
            failed.append(f"{w.name}: {e}")
            continue
        if w.min_breaking is not None and matched:
            from newsdesk.query.breaking import breaking_score

            matched = [e for e in matched
                       if breaking_score(db, e)["score"] >= w.min_breaking]
        with store.transaction() as tx:
            for eid in matched:
                arts, srcs, conflicts = _state(db, eid)
                prev = tx.execute("SELECT articles, independent_sources, conflicts FROM "
                                  "watch_events WHERE watch=? AND event_id=?",
                                  (w.name, eid)).fetchone()
                title = tx.execute("SELECT title FROM events WHERE event_id=?",
                                   (eid,)).fetchone()
                base = {"title": title[0] if title else None, "articles": arts,
                        "independent_sources": srcs, "conflicts": conflicts}
                kinds: list[tuple[str, dict[str, Any]]] = []
                if prev is None:
                    kinds.append(("new_event", {}))
                    if srcs >= 2:
                        kinds.append(("corroborated", {"before": 0}))
                    if conflicts:
                        kinds.append(("conflict", {"before": 0}))
                else:
                    if arts > prev[0]:
                        kinds.append(("grew", {"before": prev[0]}))
                    if prev[1] < 2 <= srcs:
                        kinds.append(("corroborated", {"before": prev[1]}))
                    if conflicts > prev[2]:
                        kinds.append(("conflict", {"before": prev[2]}))
                for kind, extra in kinds:
                    detail = {**base, **extra}
                    cur = tx.execute("INSERT INTO alerts (watch, event_id, kind, at, detail) "
                                     "VALUES (?,?,?,?,?)",
                                     (w.name, eid, kind, now, json.dumps(detail)))
                    fired.append(Alert(int(cur.lastrowid or 0), w.name, eid, kind, now,
                                       detail))
                if prev is None or kinds or (arts, srcs, conflicts) != tuple(prev):
                    tx.execute("INSERT OR REPLACE INTO watch_events (watch, event_id, "
                               "articles, independent_sources, conflicts, at) "
                               "VALUES (?,?,?,?,?,?)", (w.name, eid, arts, srcs, conflicts,
                                                        now))
    if failed:
        raise WatchError(f"{len(failed)} watch(es) could not be evaluated ({'; '.join(failed)})"
                         f"; the other watches' {len(fired)} alert(s) were recorded. Fix or "
                         "remove them with `newsdesk watch add NAME --replace ...` / "
                         "`newsdesk watch remove NAME`.")
    return fired


def list_alerts(db: sqlite3.Connection, watch: str | None = None, since: str | None = None,
                limit: int = 1000) -> list[Alert]:
    """Alerts, newest first, optionally of one watch and at/after ``since`` (ISO date or
    timestamp, UTC)."""
    where, args = ["1"], []
    if watch is not None:
        where.append("watch = ?")
        args.append(watch)
    if since is not None:
        where.append("at >= ?")
        args.append(since)
    return [Alert(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), json.loads(r[5]))
            for r in db.execute(
                "SELECT id, watch, event_id, kind, at, detail FROM alerts WHERE "
                f"{' AND '.join(where)} ORDER BY at DESC, id DESC LIMIT ?", [*args, limit])]
