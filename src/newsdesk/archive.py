"""The one update path: new articles in the store become part of the archive.

:func:`update_archive` is what every writing command runs after storing articles. Work
per article is done for the new articles only (reuse sketch, extraction, event features);
then the archive-wide structures are updated in place: reuse links against the stored
index, event assignment against the stored events (:mod:`newsdesk.events.archive`), and
the claims, conflicts and brief of every event that changed. Each part writes in its own
transactions and is idempotent, so a killed update is completed by the next one.
"""

from __future__ import annotations

import copy
import json
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
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
BRIEF_CACHE_VERSION = "20"  # 3: a sentence naming two days is timed by its main verb;
# 4: political events carry the day they were first reported; 5: a number whose "about"
# says less than another's of the same amount joins its row; 6: a reported content with
# no verb, or in a headline-style line, or cut short on "and", "of" ..., is not listed
# under quotes (7: the cut-short rule added); 8: number abouts compared singular or plural;
# 9: a sum converted in brackets ("$US1 million ($1.52 million)") is no conflict; 10: counts
# of a plain unit in different claims, and clock times, are no conflict; 11: nor in one claim;
# 12: a quotation interrupted by its cue is listed piece by piece, indirect questions and
# speakers that name nobody ("which", "some") are not listed, long speaker phrases cut;
# 13: a quotation over lines of one-sentence-a-line text is one claim, one amount named
# by different nouns is one number row; 14: a number with neither unit nor about is not
# listed; 15: only claims stating a disputed value are marked conflicting; 16: a reported
# content ending on an auxiliary nothing completes ("Instead it was") is not listed; 17: a
# long speaker phrase with a name in apposition shows the name; 18: an outlet reporting
# ("the Anchorage Daily News reported") is not listed as a speaker of reported speech;
# 19: nor a content opening on a verb without subject, or ending on "because"; 20: a
# participle after a noun does not keep a number row apart ("... recorded in 2024")


# Fewer events to brief than this are briefed in this process: a pool's start (forking
# the workers, which never open the store) costs ~0.3-0.5 s, ~8 average events' briefs.
REFRESH_POOL_MIN = 16
# Events a pool keeps in flight per worker while this process reads the next ones' inputs
# and writes the finished ones (briefs take 10 ms to seconds: a deep window evens them out)
REFRESH_AHEAD = 8


@dataclass(slots=True)
class ArchiveOptions:
    """Options of an archive update (one per stage)."""

    events: EventOptions = field(default_factory=EventOptions)
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    # events to re-brief from which a process pool computes their briefs (the writes
    # stay here); see _refresh_events
    refresh_pool_min: int = REFRESH_POOL_MIN


@dataclass(slots=True)
class ArchiveUpdate:
    """What one update did."""

    indexed: int = 0  # articles added to the reuse index
    events: EventUpdate = field(default_factory=EventUpdate)
    extract: ExtractReport | None = None  # what extraction did for the new articles
    briefed: list[str] = field(default_factory=list)  # events whose claims were rebuilt
    worker_briefed: int = 0  # of those, briefs a pool's workers made (the rest: here)
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
    def index_reuse() -> None:
        out.indexed = ReuseIndex(store).update().indexed

    # reuse does not depend on extraction: it is indexed while the workers parse
    out.extract = extract_new(store, options=opts.extract,
                              on_article=(lambda _a: progress()) if progress else None,
                              runner=runner, alongside=index_reuse)
    out.events = update_events(store, opts.events, copy_of=reuse_copy_links(store),
                               progress=progress)
    ar = EventArchive(store)
    # events whose members were extracted again (a new extractor version) are briefed
    # again too, not only those that changed membership
    redo = dict.fromkeys(out.events.changed)  # ordered, each event once
    if out.extract is not None and out.extract.extracted:
        redo.update(dict.fromkeys(ar.events_of(out.extract.extracted)))
    # and those whose stored brief an older release made (BRIEF_CACHE_VERSION bumped)
    redo.update(dict.fromkeys(r[0] for r in store.db.execute(
        "SELECT event_id FROM event_briefs WHERE version != ?", (BRIEF_CACHE_VERSION,))))
    live = []
    for eid in redo:
        rec = ar.record(eid)
        if rec is not None and rec.merged_into is None:
            live.append(eid)
    _refresh_events(store, live, runner, opts.refresh_pool_min, out)
    _evaluate_watches(store, out)
    return out


def _refresh_events(store: Store, event_ids: list[str], runner: Runner | None,
                    pool_min: int, out: ArchiveUpdate) -> None:
    """Rebuild the claims and stored brief of each event, in order.

    Each event's brief depends only on its own articles, extraction and reuse links.
    With a process pool (the default runner, or a :class:`PoolRunner` given) and
    ``pool_min`` events or more, this process reads each event's inputs from the store
    (:func:`newsdesk.brief.build.brief_tasks`), the workers build the briefs (the
    cross-check and summary, the costly part) and this process writes them as they
    come back, in order; workers never touch the store (they are forked copies of this
    process, and an SQLite connection must not cross a fork). An event a worker could
    not brief (or a lost pool) is briefed here; one that cannot be briefed at all is
    reported in ``out.failed`` and never stops the update. With Ray the briefs are made
    here, where the store is."""
    from newsdesk.guard import replay_failures
    from newsdesk.pipeline import PoolRunner

    pool: PoolRunner | None = None  # Ray, or the local runner: the briefs are made here
    if isinstance(runner, PoolRunner):
        pool = runner
    elif runner is None:  # the default runner is a pool
        pool = PoolRunner()
    results: Iterator[tuple[str, Any]] | None = None
    order = list(event_ids)
    if (pool is not None and pool.workers > 1 and len(event_ids) >= max(1, pool_min)
            and _fork_is_default()):
        # the largest events first, so that no worker starts a long brief at the end
        # while the other waits (the writes are per event: their order does not matter)
        size = {eid: n for eid, n in store.db.execute(
            "SELECT event_id, count(*) FROM event_articles GROUP BY event_id")}
        order.sort(key=lambda e: -size.get(e, 0))
        pool = copy.copy(pool)
        pool.ahead = max(pool.ahead, REFRESH_AHEAD)
        results = pool.map_local(_brief_in_worker, _tasks_of(store, order))
    for eid in order:
        rows: _BriefRows | None = None
        if results is not None:
            try:
                got_id, result = next(results)
                if got_id == eid and result[0] == "ok":
                    rows = result[1]
                    replay_failures(result[2])
                    out.worker_briefed += 1
            except Exception:  # noqa: BLE001 - a lost pool: the rest is briefed here
                results = None
        try:
            if rows is None:
                rows = _BriefRows.of(event_brief_of(store, eid))
            _store_brief(store, eid, rows)
        except Exception as e:  # one event that cannot be briefed never stops the update
            out.failed.append((eid, f"{type(e).__name__}: {e}"))
            continue
        out.briefed.append(eid)
    rank = {e: i for i, e in enumerate(event_ids)}
    out.briefed.sort(key=lambda e: rank[e])


def _tasks_of(store: Store, event_ids: list[str]) -> Iterator[tuple[str, Any]]:
    """(event id, its :class:`~newsdesk.brief.build.BriefTask` or None), one event read
    at a time (as :func:`refresh_event` reads it), as the pool asks for more."""
    from newsdesk.brief.build import brief_tasks

    for eid in event_ids:
        try:
            tasks = brief_tasks(store, [eid])
        except Exception:  # noqa: BLE001 - briefed (and reported) by the caller
            tasks = []
        yield eid, (tasks[0] if tasks else None)


def _fork_is_default() -> bool:
    """Pool workers start as copies of this process, sharing its loaded model and parse
    cache (a pool that spawned fresh processes would load and parse everything again)."""
    import multiprocessing

    # allow_none: asking must not fix the start method for the rest of the program
    method = multiprocessing.get_start_method(allow_none=True)
    return (method or multiprocessing.get_all_start_methods()[0]) == "fork"


def _brief_in_worker(item: tuple[str, Any]) -> tuple[str, tuple[Any, ...]]:
    """A pool worker's part of :func:`_refresh_events`: one event's brief from its
    task, with the stage failures it met (plain data)."""
    from newsdesk.guard import collect_failures

    eid, task = item
    if task is None:
        return eid, ("error", "not read")
    try:
        with collect_failures() as failed:
            rows = _BriefRows.of(task.run())
        return eid, ("ok", rows, [f.to_dict() for f in failed.items])
    except Exception as e:  # noqa: BLE001 - the parent briefs it again and reports it
        return eid, ("error", f"{type(e).__name__}: {e}")


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
    ev = event_brief_of(store, event_id)
    _store_brief(store, event_id, _BriefRows.of(ev))
    return ev


def event_brief_of(store: Store, event_id: str) -> dict[str, Any]:
    """An event's brief (the ``newsdesk.brief/1`` event dict) built from the store's
    articles, extraction and reuse links, with the default options (what is stored)."""
    from newsdesk.brief.build import BriefOptions, brief_events

    return brief_events(store, [event_id], BriefOptions(), use_cache=False)[0]


@dataclass(slots=True)
class _BriefRows:
    """What :func:`_store_brief` writes of an event's brief: its claims, counts and the
    compressed JSON (made where the brief was made: a pool worker sends these, not the
    whole brief with every article's text, ~10x the bytes)."""

    claims: list[dict[str, Any]]
    independent_sources: int
    place: str | None
    data: bytes

    @classmethod
    def of(cls, ev: dict[str, Any]) -> _BriefRows:
        return cls([{k: c[k] for k in ("id", "text", "status", "independent_sources",
                                        "conflict", "cites")} for c in ev["claims"]],
                   ev["independent_sources"], ev.get("place"),
                   zlib.compress(json.dumps(ev).encode(), 3))


def _store_brief(store: Store, event_id: str, rows: _BriefRows) -> None:
    """Write an event's claims, independent-source count, place and stored brief."""
    members = EventArchive(store).members(event_id)
    # the brief names an article by its key, or key@id where keys clash (reuse's rule)
    clashes = Counter(k for k, _ in members)
    name_to_rowid = {
        (r[1] if clashes[r[1]] == 1 else f"{r[1]}@{r[2]}"): int(r[0])
        for ref in members for r in store.db.execute(
            "SELECT rowid, key, id FROM articles WHERE key=? AND id=?", ref)}
    now = _now()
    with store.transaction() as tx:
        tx.execute("DELETE FROM claims WHERE event_id=?", (event_id,))
        for n, c in enumerate(rows.claims):
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
                   "WHERE event_id=?", (rows.independent_sources, rows.place, event_id))
        tx.execute("INSERT OR REPLACE INTO event_briefs (event_id, version, updated, data) "
                   "VALUES (?,?,?,?)", (event_id, BRIEF_CACHE_VERSION, now, rows.data))


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
