"""The one update path: new articles in the store become part of the archive.

:func:`update_archive` is what every writing command runs after storing articles. Work
per article is done for the new articles only (reuse sketch, extraction, event features);
then the archive-wide structures are updated in place: reuse links against the stored
index, event assignment against the stored events (:mod:`newsdesk.events.archive`), and
the claims, conflicts and brief of every event that changed. Each part writes in its own
transactions and is idempotent, so a killed update is completed by the next one.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from newsdesk.events.archive import EventArchive, EventUpdate, update_events
from newsdesk.events.cluster import EventOptions
from newsdesk.events.stage import reuse_copy_links
from newsdesk.extract.archive import ExtractReport, extract_new
from newsdesk.extract.step import ExtractOptions
from newsdesk.model import ClaimRecord
from newsdesk.pipeline import Runner
from newsdesk.store import Store

Ref = tuple[str, str]

# Bump when the stored brief of an event would come out differently.
BRIEF_CACHE_VERSION = "1"


@dataclass(slots=True)
class ArchiveOptions:
    """Options of an archive update (one per stage)."""

    events: EventOptions = field(default_factory=EventOptions)
    extract: ExtractOptions = field(default_factory=ExtractOptions)


@dataclass(slots=True)
class ArchiveUpdate:
    """What one update did."""

    indexed: int = 0  # articles added to the reuse index
    events: EventUpdate = field(default_factory=EventUpdate)
    extract: ExtractReport | None = None  # what extraction did for the new articles
    briefed: list[str] = field(default_factory=list)  # events whose claims were rebuilt
    failed: list[tuple[str, str]] = field(default_factory=list)  # (event id, reason)
    alerts: int = 0  # alerts the watches fired for the events this update touched
    watch_error: str | None = None  # why the watches could not be evaluated (update kept)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def update_archive(store: Store, options: ArchiveOptions | None = None, *,
                   progress: Callable[[], None] | None = None,
                   runner: Runner | None = None) -> ArchiveUpdate:
    """Bring reuse links, events, extraction and claims up to date with the store.

    The new articles' parses run on ``runner`` (default: a process pool, one worker
    per core, for 50+ articles needing a parse; see
    :func:`newsdesk.extract.archive.extract_new`); everything batch-wide (entity
    linking, the tables, reuse, events, claims) runs here, where the results meet."""
    from newsdesk.reuse.index import ReuseIndex

    opts = options or ArchiveOptions()
    out = ArchiveUpdate()
    out.indexed = ReuseIndex(store).update().indexed
    out.extract = extract_new(store, options=opts.extract,
                              on_article=(lambda _a: progress()) if progress else None,
                              runner=runner)
    out.events = update_events(store, opts.events, copy_of=reuse_copy_links(store),
                               progress=progress)
    ar = EventArchive(store)
    # events whose members were extracted again (a new extractor version) are briefed
    # again too, not only those that changed membership
    redo = list(out.events.changed)
    if out.extract is not None and out.extract.extracted:
        redo += [e for e in ar.events_of(out.extract.extracted) if e not in redo]
    for eid in redo:
        rec = ar.record(eid)
        if rec is None or rec.merged_into is not None:
            continue
        try:
            refresh_event(store, eid)
        except Exception as e:  # one event that cannot be briefed never stops the update
            out.failed.append((eid, f"{type(e).__name__}: {e}"))
            continue
        out.briefed.append(eid)
    _evaluate_watches(store, out)
    return out


def _evaluate_watches(store: Store, out: ArchiveUpdate) -> None:
    """Fire the watches' alerts for the events this update created or changed; a watch
    error is reported on the update and never undoes or stops it."""
    touched = list(dict.fromkeys([*out.events.created, *out.events.changed,
                                  *out.events.merged.values()]))
    if not touched:
        return
    try:
        from newsdesk.watches import evaluate_watches

        out.alerts = len(evaluate_watches(store, touched))
    except Exception as e:  # noqa: BLE001 - alerts are an extra; the update stands
        out.watch_error = f"{type(e).__name__}: {e}"


def event_brief(store: Store, event_id: str) -> dict[str, Any] | None:
    """The stored brief of an event (the ``newsdesk.brief/1`` event dict), if current."""
    row = store.db.execute("SELECT version, data FROM event_briefs WHERE event_id=?",
                           (event_id,)).fetchone()
    if row is None or row[0] != BRIEF_CACHE_VERSION:
        return None
    return dict(json.loads(zlib.decompress(row[1])))


def refresh_event(store: Store, event_id: str) -> dict[str, Any]:
    """Rebuild an event's brief, claims and independent-source count from the store."""
    from newsdesk.brief.build import BriefOptions, brief_events

    ar = EventArchive(store)
    members = ar.members(event_id)
    brief = brief_events(store, [event_id], BriefOptions(), use_cache=False)
    ev = brief[0]
    # the brief names an article by its key, or key@id where keys clash (reuse's rule)
    clashes = Counter(k for k, _ in members)
    name_to_rowid = {
        (r[1] if clashes[r[1]] == 1 else f"{r[1]}@{r[2]}"): int(r[0])
        for ref in members for r in store.db.execute(
            "SELECT rowid, key, id FROM articles WHERE key=? AND id=?", ref)}
    now = _now()
    with store.transaction() as tx:
        tx.execute("DELETE FROM claims WHERE event_id=?", (event_id,))
        for n, c in enumerate(ev["claims"]):
            cid = f"{event_id}/{c['id']}"
            tx.execute("INSERT INTO claims (claim_id, event_id, seq, text, status, "
                       "independent_sources, conflict) VALUES (?,?,?,?,?,?,?)",
                       (cid, event_id, n, c["text"], c["status"], c["independent_sources"],
                        json.dumps(c["conflict"]) if c.get("conflict") else None))
            tx.executemany(
                "INSERT OR IGNORE INTO claim_articles (claim_id, article_rowid, start, end) "
                "VALUES (?,?,?,?)",
                [(cid, name_to_rowid[x["article"]], x["start"], x["end"]) for x in c["cites"]
                 if x["article"] in name_to_rowid])
        tx.execute("UPDATE events SET independent_sources=?, place=coalesce(?, place) "
                   "WHERE event_id=?", (ev["independent_sources"], ev.get("place"), event_id))
        tx.execute("INSERT OR REPLACE INTO event_briefs (event_id, version, updated, data) "
                   "VALUES (?,?,?,?)", (event_id, BRIEF_CACHE_VERSION, now,
                                         zlib.compress(json.dumps(ev).encode(), 3)))
    return ev


def claims_of(store: Store, event_id: str) -> list[ClaimRecord]:
    """The stored claims of an event (tables ``claims``/``claim_articles``), in order."""
    out = []
    for r in store.db.execute("SELECT * FROM claims WHERE event_id=? ORDER BY seq",
                              (event_id,)).fetchall():
        cites = [(str(c[0]), int(c[1]), int(c[2])) for c in store.db.execute(
            "SELECT a.key, ca.start, ca.end FROM claim_articles ca JOIN articles a ON "
            "a.rowid = ca.article_rowid WHERE ca.claim_id=? ORDER BY a.key, ca.start",
            (r["claim_id"],))]
        out.append(ClaimRecord(
            claim_id=r["claim_id"], event_id=r["event_id"], seq=r["seq"], text=r["text"],
            status=r["status"], independent_sources=r["independent_sources"], cites=cites,
            conflict=json.loads(r["conflict"]) if r["conflict"] else None))
    return out


def event_refs(store: Store, refs: Iterable[Ref] | None) -> list[str]:
    """The live events holding these articles (all live events for None)."""
    ar = EventArchive(store)
    if refs is None:
        return [r.event_id for r in ar.records()]
    return ar.events_of(refs)
