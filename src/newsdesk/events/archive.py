"""Events that grow with the archive: new articles join the stored events, ids stay stable.

How an update works (and why it gives the one-batch answer):

* The online clusterer works day by day (:mod:`newsdesk.events.cluster`), so its state
  at the start of a day says everything earlier days decided. The archive keeps that
  state for the most recent days (``events_checkpoints``, JSON).
* New articles dated on or after a kept day are clustered by restoring the checkpoint of
  the latest day not after the earliest new article and replaying the stored articles
  from that day on together with the new ones (features come from the ``events_features``
  cache, so nothing is parsed again). The work grows with the days replayed, not with the
  archive. Since a whole day is always re-clustered together, the answer is the one a
  single batch fed in publication order gives — feeding by publication date is how the
  online clusterer stays order-independent.
* An article older than every kept day, or an undated one (undated articles come first
  in the stream), replays the whole archive from an empty clusterer: the same answer
  again, at a cost that grows with the archive. Back-filling old news is rare; that is
  the trade.
* Ids: the clusterer names an event after its first article. The archive keeps the id an
  event had when articles join it; when an update joins articles of two stored events,
  the older event's id survives and the other becomes an alias (``merged_into``) that
  still resolves.

Everything an update writes goes in one transaction: a killed update leaves the archive
as it was, and the next one redoes the work.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import numpy as np

from newsdesk.events.cluster import (
    LEAD_CHARS,
    Assignment,
    Event,
    EventItem,
    EventOptions,
    OnlineClusterer,
    lead_title,
)
from newsdesk.events.features import FEATURES_VERSION, EventFeatures, extract_features
from newsdesk.guard import guarded
from newsdesk.model import Article, EventRecord
from newsdesk.nlp import StoredDocs
from newsdesk.store import Store

Ref = tuple[str, str]

CHECKPOINT_VERSION = 2
KEEP_CHECKPOINTS = 30  # days of clusterer state kept (later days replay from these)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# Options added after release 0.1 that are off by default: left out of the key while off,
# so archives built before they existed keep their checkpoints (same clustering).
_OFF_WHEN_ZERO = ("year_clash", "figure_clash", "name_clash", "year_gate")


def options_key(opts: EventOptions) -> str:
    """What a checkpoint depends on: the options, the features and the state format."""
    d = asdict(opts)
    for name in _OFF_WHEN_ZERO:
        if not d[name]:
            del d[name]
    if "name_clash" not in d:
        del d["name_clash_min"]  # only read when name_clash is on
    raw = json.dumps([d, FEATURES_VERSION, CHECKPOINT_VERSION], sort_keys=True)
    return hashlib.sha1(raw.encode()).hexdigest()[:12]


def stream_key(published: str | None) -> tuple[bool, str]:
    """The order the clusterer reads the archive in: undated first, then by date."""
    return (published is not None, published or "")


@dataclass(slots=True)
class EventResult:
    """Events and the article-by-article assignments, in processing order."""

    events: list[Event] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)

    def event_of(self) -> dict[str, str]:
        """article key -> event id."""
        return {a.key: a.event_id for a in self.assignments}


@dataclass(slots=True)
class EventUpdate:
    """What one archive update did to the events."""

    added: list[Ref] = field(default_factory=list)  # articles that joined events now
    changed: list[str] = field(default_factory=list)  # ids of events created or changed
    created: list[str] = field(default_factory=list)  # ids of events new in this update
    merged: dict[str, str] = field(default_factory=dict)  # alias id -> surviving id
    replayed: int = 0  # articles clustered (new ones and the stored ones replayed)
    full: bool = False  # replayed the whole archive from an empty clusterer


def _lead_titles(db: sqlite3.Connection, rowids: list[int]) -> dict[int, str]:
    """rowid -> a headline from the lead sentence, for the articles stored without a title
    (read in chunks: only the text's start is needed)."""
    out: dict[int, str] = {}
    for pos in range(0, len(rowids), 500):
        part = rowids[pos:pos + 500]
        marks = ",".join("?" * len(part))
        for rid, head in db.execute(
                f"SELECT rowid, substr(text, 1, {LEAD_CHARS}) FROM articles "
                f"WHERE rowid IN ({marks})",
                part):
            t = lead_title(head or "")
            if t:
                out[int(rid)] = t
    return out


@dataclass(slots=True)
class _Row:
    rowid: int
    key: str
    id: str
    published: str | None
    title: str | None

    @property
    def ref(self) -> Ref:
        return (self.key, self.id)


class EventArchive:
    """The events tables of a store: features cache, checkpoints, events, members."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    # -- features ---------------------------------------------------------------------
    def features(self, refs: Iterable[Ref]) -> dict[Ref, EventFeatures]:
        """Cached features of these articles (current version only)."""
        out: dict[Ref, EventFeatures] = {}
        for k, i in refs:
            row = self.db.execute("SELECT data FROM events_features WHERE key=? AND id=? AND "
                                  "version=?", (k, i, FEATURES_VERSION)).fetchone()
            if row is not None:
                out[(k, i)] = EventFeatures.from_dict(json.loads(row[0]))
        return out

    def put_features(self, items: Sequence[tuple[Ref, EventFeatures]]) -> None:
        """Cache features (one transaction)."""
        if not items:
            return
        with self.store.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO events_features (key, id, version, data) "
                "VALUES (?,?,?,?)",
                [(k, i, FEATURES_VERSION, json.dumps(f.to_dict())) for (k, i), f in items])

    def pending(self) -> int:
        """Articles not in any event yet whose features still need parsing."""
        return int(self.db.execute(
            "SELECT count(*) FROM articles a LEFT JOIN event_articles e "
            "ON e.article_rowid = a.rowid LEFT JOIN events_features f ON f.key = a.key AND "
            "f.id = a.id AND f.version = ? WHERE e.article_rowid IS NULL AND f.key IS NULL",
            (FEATURES_VERSION,)).fetchone()[0])

    # -- reading ----------------------------------------------------------------------
    def resolve(self, event_id: str) -> str | None:
        """The surviving id of an event id or alias; None when unknown."""
        seen: set[str] = set()
        cur: str | None = event_id
        while cur is not None and cur not in seen:
            seen.add(cur)
            row = self.db.execute("SELECT merged_into FROM events WHERE event_id=?",
                                  (cur,)).fetchone()
            if row is None:
                return None
            if row[0] is None:
                return cur
            cur = str(row[0])
        return None

    def record(self, event_id: str) -> EventRecord | None:
        """One stored event (alias rows too)."""
        r = self.db.execute("SELECT * FROM events WHERE event_id=?", (event_id,)).fetchone()
        return _record(r) if r is not None else None

    def records(self) -> list[EventRecord]:
        """Every live event (aliases left out), oldest first."""
        return [_record(r) for r in self.db.execute(
            "SELECT e.* FROM events e WHERE merged_into IS NULL ORDER BY "
            "(SELECT min(seq) FROM event_articles m WHERE m.event_id = e.event_id), event_id")]

    def events_of(self, refs: Iterable[Ref]) -> list[str]:
        """The live events holding these articles, in archive order."""
        ids: list[str] = []
        for k, i in refs:
            row = self.db.execute(
                "SELECT m.event_id FROM event_articles m JOIN articles a ON a.rowid = "
                "m.article_rowid WHERE a.key=? AND a.id=?", (k, i)).fetchone()
            if row is not None and row[0] not in ids:
                ids.append(str(row[0]))
        return ids

    def members(self, event_id: str) -> list[Ref]:
        """The (key, id) of an event's articles, in archive order."""
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT a.key, a.id FROM event_articles m JOIN articles a ON a.rowid = "
            "m.article_rowid WHERE m.event_id = ? ORDER BY m.seq", (event_id,))]

    def load(self, refs: Iterable[Ref] | None = None,
             event_ids: Iterable[str] | None = None) -> EventResult:
        """The stored events: all, those holding ``refs``, or those named (with every
        member, earlier ones included)."""
        if event_ids is not None:
            wanted: list[str] | None = [x for x in (self.resolve(e) for e in event_ids) if x]
        elif refs is not None:
            wanted = self.events_of(refs)
        else:
            wanted = None
        if wanted is None:
            recs = self.records()
        else:
            recs = [r for r in (self.record(e) for e in dict.fromkeys(wanted)) if r]
        events: list[Event] = []
        assignments: list[Assignment] = []
        for rec in recs:
            rows = self.db.execute(
                "SELECT a.key, a.id, c.key FROM event_articles m JOIN articles a ON a.rowid = "
                "m.article_rowid LEFT JOIN articles c ON c.rowid = m.copy_of "
                "WHERE m.event_id = ? ORDER BY m.seq", (rec.event_id,)).fetchall()
            refs_ = [(r[0], r[1]) for r in rows]
            events.append(Event(id=rec.event_id, title=rec.title, first=rec.first_date,
                                last=rec.last_date, place=rec.place,
                                articles=[k for k, _ in refs_], refs=refs_,
                                keywords=rec.keywords, copies=rec.copies))
            assignments.extend(Assignment(r[0], r[1], rec.event_id, r[2]) for r in rows)
        return EventResult(events=events, assignments=assignments)

    def covers_store(self) -> bool:
        """True when every stored article is in an event."""
        n_art = self.db.execute("SELECT count(*) FROM articles").fetchone()[0]
        n_mem = self.db.execute("SELECT count(*) FROM event_articles").fetchone()[0]
        return bool(n_art > 0 and n_art == n_mem)

    # -- checkpoints ------------------------------------------------------------------
    def checkpoint(self, before: str, key: str) -> tuple[str, dict[str, object]] | None:
        """The latest kept state at the start of a day not after ``before``."""
        row = self.db.execute(
            "SELECT day, state FROM events_checkpoints WHERE day <= ? AND version = ? "
            "ORDER BY day DESC LIMIT 1", (before, CHECKPOINT_VERSION)).fetchone()
        if row is None:
            return None
        state = unpack_state(row[1])
        if state.pop("options", None) != key:
            return None
        return str(row[0]), state

    def stored_options(self) -> str | None:
        """The options key the stored clustering was made with, if any."""
        row = self.db.execute("SELECT value FROM archive_meta WHERE name='events.options'"
                              ).fetchone()
        return str(row[0]) if row is not None else None


# where a clusterer state holds numpy arrays (see OnlineClusterer.state)
_ARRAY_KEYS = frozenset({"df", "open", "members", "sigma", "lens", "cols", "vals", "centroid"})


def pack_state(state: dict[str, object]) -> bytes:
    """A clusterer state as bytes: a JSON header, with the large parts (the vocabulary,
    document frequencies, member vectors, centroids) as raw numpy buffers beside it. Why
    not JSON alone: encoding a 200,000-feature vocabulary and its vectors as JSON text
    took seconds; raw buffers take milliseconds. Why not pickle: a store may come from
    elsewhere, and unpickling runs code."""
    blobs: list[bytes] = []

    def blob(x: np.ndarray) -> dict[str, object]:
        blobs.append(np.ascontiguousarray(x).tobytes())
        return {"__nd__": len(blobs) - 1, "dtype": x.dtype.str}

    def enc(x: object) -> object:
        # only the known places of arrays are visited: the rest is JSON as it is
        if isinstance(x, np.ndarray):
            return blob(x)
        if isinstance(x, dict):
            return {k: enc(v) if k in _ARRAY_KEYS else v for k, v in x.items()}
        if isinstance(x, list):
            return [enc(v) for v in x]
        return x

    body = dict(state)
    names = body.pop("names")
    blobs.append("\x00".join(names).encode("utf-8"))  # type: ignore[arg-type]
    body = {k: enc(v) if k in _ARRAY_KEYS else v for k, v in body.items()}
    header = json.dumps(body, separators=(",", ":")).encode("utf-8")
    parts = [len(header).to_bytes(8, "little"), header]
    for b in blobs:
        parts += [len(b).to_bytes(8, "little"), b]
    # not compressed: the arrays hardly shrink, and zlib was a fifth of an update's time
    return b"".join(parts)


def unpack_state(data: bytes) -> dict[str, object]:
    """The inverse of :func:`pack_state`."""
    raw = bytes(data)
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    pos = 8 + n
    blobs: list[bytes] = []
    while pos < len(raw):
        m = int.from_bytes(raw[pos:pos + 8], "little")
        blobs.append(raw[pos + 8:pos + 8 + m])
        pos += 8 + m

    def dec(x: object) -> object:
        if isinstance(x, dict):
            if "__nd__" in x:
                return np.frombuffer(blobs[int(x["__nd__"])], dtype=np.dtype(x["dtype"]))
            return {k: dec(v) if k in _ARRAY_KEYS else v for k, v in x.items()}
        if isinstance(x, list):
            return [dec(v) for v in x]
        return x

    out = {k: dec(v) if k in _ARRAY_KEYS else v for k, v in header.items()}
    names = blobs[0].decode("utf-8")
    out["names"] = names.split("\x00") if names else []
    return out


def _record(r: object) -> EventRecord:
    row = r  # sqlite3.Row
    return EventRecord(
        event_id=row["event_id"], title=row["title"], first_date=row["first_date"],  # type: ignore[index]
        last_date=row["last_date"], place=row["place"], articles=row["articles"],  # type: ignore[index]
        copies=row["copies"], independent_sources=row["independent_sources"],  # type: ignore[index]
        keywords=json.loads(row["keywords"]), created=row["created"],  # type: ignore[index]
        updated=row["updated"], merged_into=row["merged_into"])  # type: ignore[index]


def _unassigned(db: sqlite3.Connection) -> list[_Row]:
    # the anti-join reads rowids from an index (a scan of the articles table would read
    # every article's text pages: 3x slower at 50k); then the few rows it finds
    rowids = [int(r[0]) for r in db.execute(
        "SELECT a.rowid FROM articles a LEFT JOIN event_articles e ON e.article_rowid = "
        "a.rowid WHERE e.article_rowid IS NULL")]
    rowids.sort()
    out: list[_Row] = []
    for n in range(0, len(rowids), 500):
        some = rowids[n:n + 500]
        out += [_Row(int(r[0]), r[1], r[2], r[3], r[4]) for r in db.execute(
            "SELECT rowid, key, id, published, title FROM articles WHERE rowid IN "
            f"({','.join('?' * len(some))}) ORDER BY rowid", some)]
    return out


def _stored_features(store: Store) -> Callable[[Article], EventFeatures]:
    """:func:`extract_features` reading the parses extraction stored (``passage_docs``)
    instead of parsing again: a process that did not extract the articles itself (an
    update after ``newsdesk extract``, or after a killed run) re-parsed every one of them
    here (1,000 articles: 70 s). The backing (and so the model) is made at the first call."""
    backing: list[StoredDocs] = []

    def features(article: Article) -> EventFeatures:
        if not backing:
            backing.append(StoredDocs(store.db, keep_fresh=False))
        return extract_features(article, backing=backing[0])
    return features


def update_events(
    store: Store, opts: EventOptions | None = None, *,
    copy_of: Callable[[Sequence[Ref], Sequence[Ref]], Mapping[str, str]] | None = None,
    progress: Callable[[], None] | None = None,
    features_of: Callable[[Article], EventFeatures] | None = None,
) -> EventUpdate:
    """Put every article of the store that is in no event yet into the stored events.

    ``copy_of(replayed_refs, new_refs)`` gives the reuse stage's verdicts (article key ->
    key of the article it copies) for the articles clustered; without it only exact
    duplicates follow their original. ``progress`` is called once per article whose
    features had to be computed."""
    opts = opts or EventOptions()
    if features_of is None:
        features_of = _stored_features(store)
    ar = EventArchive(store)
    db = store.db
    key = options_key(opts)
    new = _unassigned(db)
    stored = ar.stored_options()
    rebuild = stored is not None and stored != key
    if not new and not rebuild:
        return EventUpdate()

    # 1. features of the new articles (cached as they are computed: a killed run keeps them)
    have = ar.features(r.ref for r in new)
    fresh: list[tuple[Ref, EventFeatures]] = []
    todo = [r for r in new if r.ref not in have]
    for pos in range(0, len(todo), 200):
        part = todo[pos:pos + 200]
        arts = {(a.key, a.id): a for a in store.articles([x.ref for x in part])}
        for r in part:
            # one article the features stage raises on is reported (newsdesk.guard) and
            # clustered with no features, not cached, so the next update tries it again
            f = guarded("events.features", arts[r.ref], features_of, arts[r.ref],
                        default=None)
            if progress is not None:
                progress()
            if f is None:
                have[r.ref] = EventFeatures()
                continue
            have[r.ref] = f
            fresh.append((r.ref, f))
        ar.put_features(fresh)
        fresh = []

    # 2. where to replay from
    first_new = min((stream_key(r.published) for r in new), default=(True, "9999"))
    start: tuple[str, dict[str, object]] | None = None
    if not rebuild and first_new[0]:
        start = ar.checkpoint(first_new[1][:10], key)
    full = start is None
    if full:
        replay = [_Row(int(r[0]), r[1], r[2], r[3], r[4]) for r in db.execute(
            "SELECT a.rowid, a.key, a.id, a.published, a.title FROM articles a")]
    else:
        assert start is not None
        old = [_Row(int(r[0]), r[1], r[2], r[3], r[4]) for r in db.execute(
            "SELECT a.rowid, a.key, a.id, a.published, a.title FROM articles a JOIN "
            "event_articles e ON e.article_rowid = a.rowid WHERE a.published >= ?",
            (start[0],))]
        replay = old + new
    replay.sort(key=lambda r: (stream_key(r.published), r.key, r.id))
    feats = dict(have)
    feats.update(ar.features(r.ref for r in replay if r.ref not in feats))
    missing = [r for r in replay if r.ref not in feats]
    if missing:
        arts = {(a.key, a.id): a for a in store.articles([r.ref for r in missing])}
        extra = [(r.ref, guarded("events.features", arts[r.ref], features_of, arts[r.ref],
                                 default=None)) for r in missing]
        ar.put_features([(ref, f) for ref, f in extra if f is not None])
        feats.update((ref, f if f is not None else EventFeatures()) for ref, f in extra)
    new_refs = [r.ref for r in new]
    copies = dict(copy_of([r.ref for r in replay], new_refs)) if copy_of else {}

    # 3. cluster, keeping the state at the start of each day
    if start is None:
        clusterer = OnlineClusterer(opts)
        base_day = None
    else:
        clusterer = OnlineClusterer.from_state(start[1], opts)
        base_day = start[0]
    snapshots: list[tuple[str, dict[str, object]]] = []
    assignments: list[Assignment] = []
    day: str | None = None
    days = sorted({r.published[:10] for r in replay if r.published})
    keep_days = set(days[-KEEP_CHECKPOINTS:])  # only the latest days' states are kept
    leads = _lead_titles(db, [r.rowid for r in replay if not r.title])
    for r in replay:
        d = (r.published or "")[:10] if r.published else None
        if d is not None and (day is None or d > day):
            assignments.extend(clusterer.flush())
            if d != base_day and d in keep_days:
                snapshots.append((d, clusterer.state()))
            day = d
        assignments.extend(clusterer.add(EventItem(
            key=r.key, id=r.id, features=feats[r.ref], published=r.published, title=r.title,
            copy_of=copies.get(r.key), lead=leads.get(r.rowid))))
    assignments.extend(clusterer.flush())
    replayed = {(a.key, a.id) for a in assignments}
    touched_ids = {a.event_id for a in assignments}
    summaries = clusterer.events_among(touched_ids)

    # 4. stable ids
    rowid_of = {r.ref: r.rowid for r in replay}
    member_refs = sorted({ref for e in summaries for ref in e.refs})
    stored_of: dict[Ref, tuple[str, int]] = {}
    for k, i in member_refs:
        row = db.execute(
            "SELECT m.event_id, m.seq FROM event_articles m JOIN articles a ON a.rowid = "
            "m.article_rowid WHERE a.key=? AND a.id=?", (k, i)).fetchone()
        if row is not None:
            stored_of[(k, i)] = (str(row[0]), int(row[1]))
    # (only the events this update touches are read: the archive's other events never)
    sids = sorted({sid for sid, _ in stored_of.values()})
    created_of: dict[str, str] = {}
    for n in range(0, len(sids), 500):
        some_ids = sids[n:n + 500]
        created_of.update((str(r[0]), str(r[1])) for r in db.execute(
            f"SELECT event_id, created FROM events WHERE event_id IN "
            f"({','.join('?' * len(some_ids))})", some_ids))
    # an old event's home is the new cluster that holds its earliest member
    home: dict[str, tuple[int, str]] = {}  # old id -> (seq of earliest member, cluster id)
    for e in summaries:
        for ref in e.refs:
            if ref in stored_of:
                sid, seq = stored_of[ref]
                if sid not in home or seq < home[sid][0]:
                    home[sid] = (seq, e.id)
    homes: dict[str, list[str]] = {}
    for sid, (_, cid) in home.items():
        homes.setdefault(cid, []).append(sid)
    rename: dict[str, str] = {}
    merged: dict[str, str] = {}
    taken: set[str] = set()

    def is_taken(eid: str) -> bool:
        return eid in taken or db.execute("SELECT 1 FROM events WHERE event_id=?",
                                          (eid,)).fetchone() is not None

    for e in summaries:
        olds = sorted(homes.get(e.id, []), key=lambda s: (created_of.get(s, ""), home[s][0]))
        if olds:
            rename[e.id] = olds[0]
            taken.add(olds[0])
            for other in olds[1:]:
                merged[other] = olds[0]
        else:
            nid, n = e.id, 1
            while is_taken(nid):
                n += 1
                nid = f"{e.id}-{n}"
            rename[e.id] = nid
            taken.add(nid)
    for e in summaries:
        e.id = rename[e.id]
    for a in assignments:
        a.event_id = rename[a.event_id]

    # 5. write it all at once
    now = _now()
    # where the replayed articles were before (only they move: read by rowid, not by a
    # scan of the archive), and how many stored articles come before the replayed days
    ref_of = {r.rowid: r.ref for r in replay}
    replay_rowids = sorted(ref_of)
    before: dict[str, tuple[str, str]] = {}
    for n in range(0, len(replay_rowids), 500):
        some_rowids = replay_rowids[n:n + 500]
        for r in db.execute(f"SELECT article_rowid, event_id, added FROM event_articles "
                            f"WHERE article_rowid IN ({','.join('?' * len(some_rowids))})",
                            some_rowids):
            k, i = ref_of[int(r[0])]
            before[f"{k}\x00{i}"] = (str(r[1]), str(r[2]))
    base = 0 if full else int(db.execute(
        "SELECT count(*) FROM event_articles").fetchone()[0]) - len(before)
    key_rowid: dict[str, int] = {}
    for r in replay:
        key_rowid.setdefault(r.key, r.rowid)
    report = EventUpdate(added=new_refs, merged=merged, replayed=len(replay), full=full)
    changed: set[str] = set()
    with store.transaction() as tx:
        existing = {e.id for e in summaries if tx.execute(
            "SELECT 1 FROM events WHERE event_id=?", (e.id,)).fetchone() is not None}
        tx.executemany("INSERT INTO events (event_id, title, created, updated) VALUES (?,?,?,?)",
                       [(e.id, e.title, now, now) for e in summaries if e.id not in existing])
        if full:
            tx.execute("DELETE FROM event_articles")
        else:
            tx.executemany("DELETE FROM event_articles WHERE article_rowid=?",
                           [(rowid_of[ref],) for ref in replayed if ref in rowid_of])
        rows = []
        for n, a in enumerate(assignments):
            ref = (a.key, a.id)
            prev = before.get(f"{a.key}\x00{a.id}")
            if prev is None or prev[0] != a.event_id:
                changed.add(a.event_id)
                if prev is not None:
                    changed.add(str(prev[0]))
            cp = None
            if a.copy_of:
                cp = key_rowid.get(a.copy_of)
                if cp is None:
                    row = tx.execute("SELECT min(rowid) FROM articles WHERE key=?",
                                     (a.copy_of,)).fetchone()
                    cp = row[0] if row else None
            rows.append((rowid_of[ref], a.event_id, cp, base + n,
                         prev[1] if prev is not None else now))
        tx.executemany("INSERT OR REPLACE INTO event_articles (article_rowid, event_id, copy_of, "
                       "seq, added) VALUES (?,?,?,?,?)", rows)
        for e in summaries:
            n_art = tx.execute("SELECT count(*) FROM event_articles WHERE event_id=?",
                               (e.id,)).fetchone()[0]
            old = tx.execute("SELECT title, first_date, last_date, place, articles, copies, "
                             "keywords, created FROM events WHERE event_id=?",
                             (e.id,)).fetchone()
            # the place is the clusterer's until the event's brief sets it from the
            # datelines (newsdesk.archive.refresh_event): it is not compared here
            place = e.place if e.id not in existing or old[3] is None else old[3]
            vals = (e.title, e.first, e.last, place, n_art, e.copies, json.dumps(e.keywords))
            if e.id not in existing:
                report.created.append(e.id)
                changed.add(e.id)
            if e.id not in existing or tuple(old[:3]) + tuple(old[4:7]) != \
                    vals[:3] + vals[4:] or e.id in changed:
                tx.execute("UPDATE events SET title=?, first_date=?, last_date=?, place=?, "
                           "articles=?, copies=?, keywords=?, updated=?, merged_into=NULL "
                           "WHERE event_id=?", (*vals, now, e.id))
                changed.add(e.id)
        for alias, survivor in merged.items():
            tx.execute("UPDATE events SET merged_into=?, articles=0, updated=? WHERE event_id=?",
                       (survivor, now, alias))
            tx.execute("UPDATE events SET merged_into=? WHERE merged_into=?", (survivor, alias))
            changed.discard(alias)
        # an old event left with no member and no home (cannot happen by construction;
        # kept consistent anyway): it points to where most of its articles went
        # (only events that had replayed members can be left empty, unless all moved)
        lost = sorted({v[0] for v in before.values()})
        empty_sql = ("SELECT event_id FROM events e WHERE merged_into IS NULL AND NOT EXISTS "
                     "(SELECT 1 FROM event_articles m WHERE m.event_id = e.event_id)")
        empties = tx.execute(empty_sql).fetchall() if full else [
            r for n in range(0, len(lost), 500) for r in tx.execute(
                f"{empty_sql} AND e.event_id IN ({','.join('?' * len(lost[n:n + 500]))})",
                lost[n:n + 500]).fetchall()]
        for (eid,) in empties:
            went = Counter(a.event_id for a in assignments
                           if before.get(f"{a.key}\x00{a.id}", (None,))[0] == eid)
            target = went.most_common(1)[0][0] if went else None
            if target and target != eid:
                tx.execute("UPDATE events SET merged_into=?, articles=0, updated=? "
                           "WHERE event_id=?", (target, now, eid))
                report.merged[eid] = target
            else:
                tx.execute("DELETE FROM events WHERE event_id=?", (eid,))
        # checkpoints: those from the replayed days on are replaced
        if full:
            tx.execute("DELETE FROM events_checkpoints")
        elif base_day is not None:
            tx.execute("DELETE FROM events_checkpoints WHERE day > ?", (base_day,))
        tx.executemany(
            "INSERT OR REPLACE INTO events_checkpoints (day, version, state, at) "
            "VALUES (?,?,?,?)",
            [(d, CHECKPOINT_VERSION, pack_state({**st, "options": key}), now)
             for d, st in snapshots[-KEEP_CHECKPOINTS:]])
        tx.execute("INSERT OR REPLACE INTO archive_meta (name, value) VALUES "
                   "('events.options', ?)", (key,))
        tx.execute("DELETE FROM events_checkpoints WHERE day NOT IN (SELECT day FROM "
                   "events_checkpoints ORDER BY day DESC LIMIT ?)", (KEEP_CHECKPOINTS,))
    report.changed = sorted(changed)
    return report
