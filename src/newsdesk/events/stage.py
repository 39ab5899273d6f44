"""The events stage over articles and the store: features (cached), clustering, persistence.

Features are cached per article in ``events_features`` so a re-run never parses an
article twice; the clustering itself is cheap and is recomputed from the cached features,
which makes re-runs idempotent (same input, same event ids, same rows).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from newsdesk.events.cluster import (
    Assignment,
    Event,
    EventItem,
    EventOptions,
    OnlineClusterer,
)
from newsdesk.events.features import FEATURES_VERSION, EventFeatures, extract_features
from newsdesk.guard import guarded
from newsdesk.model import Article
from newsdesk.pipeline import BatchStep
from newsdesk.store import Store

Ref = tuple[str, str]

DDL = (
    "CREATE TABLE IF NOT EXISTS events_features (key TEXT NOT NULL, id TEXT NOT NULL, "
    "version INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (key, id))",
    "CREATE TABLE IF NOT EXISTS events_event (event_id TEXT PRIMARY KEY, title TEXT NOT NULL, "
    "first_date TEXT, last_date TEXT, place TEXT, size INTEGER NOT NULL, data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS events_member (key TEXT NOT NULL, id TEXT NOT NULL, "
    "event_id TEXT NOT NULL, copy_of TEXT, seq INTEGER NOT NULL, PRIMARY KEY (key, id))",
    "CREATE INDEX IF NOT EXISTS events_member_event ON events_member(event_id)",
)


@dataclass(slots=True)
class EventResult:
    """Events and the article-by-article assignments, in processing order."""

    events: list[Event] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)

    def event_of(self) -> dict[str, str]:
        """article key -> event id."""
        return {a.key: a.event_id for a in self.assignments}


def copy_of_from_meta(article: Article) -> str | None:
    """The original an article copies, as the reuse stage records it in ``meta`` (if run)."""
    reuse = article.meta.get("reuse")
    if isinstance(reuse, dict) and reuse.get("copy_of"):
        return str(reuse["copy_of"])
    value = article.meta.get("copy_of")
    return str(value) if value else None


def stream_order(articles: Iterable[Article]) -> list[Article]:
    """Undated articles first (in input order), then dated ones by date (stable)."""
    return sorted(articles, key=lambda a: (a.published is not None, a.published or ""))


def cluster_articles(
    articles: Iterable[Article],
    opts: EventOptions | None = None,
    *,
    copy_of: Mapping[str, str] | None = None,
    features: Mapping[Ref, EventFeatures] | None = None,
    on_article: Callable[[Article], None] | None = None,
) -> EventResult:
    """Group articles into events (parsing those whose features are not given).

    ``copy_of`` maps an article key to the key of the article it copies (the reuse
    stage's verdict); without it, ``meta['reuse']['copy_of']`` is read, and exact
    duplicates (same body hash) are always treated as copies.
    """
    clusterer = OnlineClusterer(opts)
    out: list[Assignment] = []
    for a in stream_order(articles):
        f = (features or {}).get((a.key, a.id))
        if f is None:
            # an article the features fail on is clustered with none (reported, not fatal)
            f = guarded("events.features", a, extract_features, a, default=EventFeatures())
        orig = (copy_of or {}).get(a.key) or copy_of_from_meta(a)
        out.extend(clusterer.add(EventItem(key=a.key, id=a.id, features=f,
                                           published=a.published, title=a.title, copy_of=orig)))
        if on_article is not None:
            on_article(a)
    out.extend(clusterer.flush())
    return EventResult(events=clusterer.events(), assignments=out)


class EventStep(BatchStep):
    """Pipeline step: writes each article's event id to ``meta['event']``."""

    name = "events"
    reads = ("text", "title", "published", "meta")
    adds = ("meta.event",)

    def __init__(self, opts: EventOptions | None = None) -> None:
        self.opts = opts or EventOptions()

    def process_batch(self, articles: list[Article]) -> list[Article]:
        result = cluster_articles(articles, self.opts)
        by_ref = {(a.key, a.id): a.event_id for a in result.assignments}
        for a in articles:
            a.meta["event"] = by_ref.get((a.key, a.id))
        return articles


# -- store -------------------------------------------------------------------------------
class EventStore:
    """The events stage's own tables in a newsdesk store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        for ddl in DDL:
            store.ensure_table(ddl)

    def cached_features(self) -> dict[Ref, EventFeatures]:
        """Every cached feature set of the current version."""
        rows = self.store.db.execute(
            "SELECT key, id, data FROM events_features WHERE version=?", (FEATURES_VERSION,))
        return {(r[0], r[1]): EventFeatures.from_dict(json.loads(r[2])) for r in rows}

    def put_features(self, items: list[tuple[Ref, EventFeatures]]) -> None:
        """Cache features (one transaction)."""
        if not items:
            return
        with self.store.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO events_features (key, id, version, data) "
                "VALUES (?,?,?,?)",
                [(k, i, FEATURES_VERSION, json.dumps(f.to_dict())) for (k, i), f in items],
            )

    def save(self, result: EventResult, replace_all: bool) -> None:
        """Store a clustering: all of it (``replace_all``) or over the articles it covers."""
        with self.store.transaction() as db:
            if replace_all:
                db.execute("DELETE FROM events_member")
                db.execute("DELETE FROM events_event")
            else:
                db.executemany("DELETE FROM events_member WHERE key=? AND id=?",
                               [(a.key, a.id) for a in result.assignments])
            db.executemany(
                "INSERT OR REPLACE INTO events_member (key, id, event_id, copy_of, seq) "
                "VALUES (?,?,?,?,?)",
                [(a.key, a.id, a.event_id, a.copy_of, n)
                 for n, a in enumerate(result.assignments)],
            )
            db.executemany(
                "INSERT OR REPLACE INTO events_event (event_id, title, first_date, last_date, "
                "place, size, data) VALUES (?,?,?,?,?,?,?)",
                [(e.id, e.title, e.first, e.last, e.place, len(e.articles),
                  json.dumps(e.to_dict() | {"refs": e.refs})) for e in result.events],
            )
            db.execute("DELETE FROM events_event WHERE event_id NOT IN "
                       "(SELECT DISTINCT event_id FROM events_member)")

    def covers_store(self) -> bool:
        """True when the stored clustering assigns exactly the store's articles."""
        db = self.store.db
        n_art = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        n_mem = db.execute(
            "SELECT count(*) FROM events_member m JOIN articles a ON a.key=m.key AND a.id=m.id"
        ).fetchone()[0]
        n_all = db.execute("SELECT count(*) FROM events_member").fetchone()[0]
        return bool(n_art > 0 and n_art == n_mem == n_all)

    def load(self, refs: Iterable[Ref] | None = None) -> EventResult:
        """The stored clustering (only the events holding ``refs`` when given)."""
        db = self.store.db
        rows = db.execute(
            "SELECT key, id, event_id, copy_of FROM events_member ORDER BY seq").fetchall()
        wanted = set(refs) if refs is not None else None
        assignments = [Assignment(r[0], r[1], r[2], r[3]) for r in rows
                       if wanted is None or (r[0], r[1]) in wanted]
        keep = {a.event_id for a in assignments}
        events: list[Event] = []
        members: dict[str, list[Ref]] = {}
        for r in rows:
            members.setdefault(r[2], []).append((r[0], r[1]))
        for r in db.execute("SELECT event_id, data FROM events_event"):
            if r[0] not in keep:
                continue
            d = json.loads(r[1])
            refs_ = members.get(r[0], [])
            events.append(Event(id=d["id"], title=d["title"], first=d["first"], last=d["last"],
                                place=d["place"], articles=[k for k, _ in refs_],
                                refs=refs_, keywords=d.get("keywords", []),
                                copies=d.get("copies", 0)))
        first_seq: dict[str, int] = {}
        for n, a in enumerate(assignments):
            first_seq.setdefault(a.event_id, n)
        events.sort(key=lambda e: first_seq.get(e.id, 0))
        return EventResult(events=events, assignments=assignments)


def reuse_copies(articles: list[Article]) -> dict[str, str]:
    """``copy_of`` links (article key -> original key) found by the reuse stage: wire
    copies, republished pages with other furniture, exact duplicates."""
    from newsdesk.reuse import analyse_reuse

    res = analyse_reuse(articles)
    key_of = {info.ref: info.key for info in res.articles}
    return {key_of[ref]: key_of[p.copy_of] for ref, p in res.provenance.items()
            if p.copy_of and key_of.get(p.copy_of)}


def run_events(store: Store, refs: list[Ref] | None = None, opts: EventOptions | None = None,
               *, progress: Callable[[], None] | None = None,
               copy_of: Mapping[str, str] | None = None, use_reuse: bool = True) -> EventResult:
    """Cluster the store's articles (or just ``refs``), cache features, save the result.

    ``progress`` is called once per article whose features had to be computed. Copies
    follow their original: ``copy_of`` when given, else the reuse stage's links
    (``use_reuse``), and exact duplicates always.
    """
    es = EventStore(store)
    cached = es.cached_features()
    articles = list(store.articles(refs))
    fresh: list[tuple[Ref, EventFeatures]] = []
    for a in articles:
        ref = (a.key, a.id)
        if ref not in cached:
            f = guarded("events.features", a, extract_features, a, default=None)
            if f is None:
                # reported by the guard; clustered with no features and not cached, so
                # the next run tries the article again
                cached[ref] = EventFeatures()
                if progress is not None:
                    progress()
                continue
            cached[ref] = f
            fresh.append((ref, f))
            if len(fresh) >= 200:
                es.put_features(fresh)
                fresh = []
            if progress is not None:
                progress()
    es.put_features(fresh)
    if copy_of is None and use_reuse and len(articles) > 1:
        copy_of = reuse_copies(articles)
    result = cluster_articles(articles, opts, features=cached, copy_of=copy_of)
    es.save(result, replace_all=refs is None)
    return result


def stored_or_run(store: Store, opts: EventOptions | None = None,
                  progress: Callable[[], None] | None = None) -> EventResult:
    """The stored clustering when it covers the store, else a fresh one over the store."""
    es = EventStore(store)
    if es.covers_store():
        return es.load()
    return run_events(store, None, opts, progress=progress)


def pending_features(store: Store, refs: list[Ref] | None = None) -> int:
    """How many articles still need parsing (for a progress bar's total)."""
    es = EventStore(store)
    cached = set(es.cached_features())
    if refs is None:
        rows = store.db.execute("SELECT key, id FROM articles").fetchall()
        return sum(1 for r in rows if (r[0], r[1]) not in cached)
    return sum(1 for r in set(refs) if r not in cached)


def dateline_place(arts: Sequence[Article]) -> str | None:
    """Where the reports were filed from, when most datelines agree: a better place for a
    visit than the country mentioned most (the visitor's)."""
    lines = Counter((a.dateline.title() if a.dateline.isupper() else a.dateline).strip()
                    for a in arts if a.dateline)
    if not lines:
        return None
    name, n = lines.most_common(1)[0]
    return name if n * 2 >= sum(lines.values()) else None
