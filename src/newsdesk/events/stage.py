"""The events stage over articles and the store: features (cached), clustering, persistence.

Features are cached per article in ``events_features`` so a re-run never parses an
article twice; the clustering itself is cheap and is recomputed from the cached features,
which makes re-runs idempotent (same input, same event ids, same rows).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

from newsdesk.events.archive import EventArchive, EventResult, update_events
from newsdesk.events.cluster import (
    Assignment,
    EventItem,
    EventOptions,
    OnlineClusterer,
    lead_title,
)
from newsdesk.events.features import EventFeatures, extract_features
from newsdesk.guard import guarded
from newsdesk.model import Article
from newsdesk.pipeline import BatchStep
from newsdesk.store import Store

Ref = tuple[str, str]

EventStore = EventArchive  # the name of release 0.1


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
                                           published=a.published, title=a.title, copy_of=orig,
                                           lead=None if a.title else lead_title(a.text))))
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


def reuse_copies(articles: list[Article]) -> dict[str, str]:
    """``copy_of`` links (article key -> original key) found by the reuse stage: wire
    copies, republished pages with other furniture, exact duplicates."""
    from newsdesk.reuse import analyse_reuse

    res = analyse_reuse(articles)
    key_of = {info.ref: info.key for info in res.articles}
    return {key_of[ref]: key_of[p.copy_of] for ref, p in res.provenance.items()
            if p.copy_of and key_of.get(p.copy_of)}


def reuse_copy_links(store: Store) -> Callable[[Sequence[Ref], Sequence[Ref]], dict[str, str]]:
    """``copy_of`` verdicts for :func:`update_events` from the store's incremental reuse
    index: the new articles are indexed (once), then copies are read among the articles
    clustered and the stored articles the new ones are linked to."""
    from newsdesk.reuse.index import ReuseIndex

    def links(replayed: Sequence[Ref], new: Sequence[Ref]) -> dict[str, str]:
        index = ReuseIndex(store)
        index.update(new)
        want = dict.fromkeys(replayed)
        rowids = [r[0] for ref in new for r in store.db.execute(
            "SELECT rowid FROM articles WHERE key=? AND id=?", ref)]
        for n in range(0, len(rowids), 300):
            part = rowids[n:n + 300]
            q = ",".join("?" * len(part))
            for r in store.db.execute(
                    f"SELECT a.key, a.id FROM reuse_links l JOIN articles a ON a.rowid = "
                    f"CASE WHEN l.a IN ({q}) THEN l.b ELSE l.a END "
                    f"WHERE l.a IN ({q}) OR l.b IN ({q})", part * 3):
                want.setdefault((r[0], r[1]))
        if len(want) < 2:
            return {}
        res = index.result(list(want))
        key_of = {info.ref: info.key for info in res.articles}
        return {key_of[ref]: key_of[p.copy_of] for ref, p in res.provenance.items()
                if p.copy_of and key_of.get(p.copy_of) and "@" not in ref
                and "@" not in p.copy_of}

    return links


def run_events(store: Store, refs: list[Ref] | None = None, opts: EventOptions | None = None,
               *, progress: Callable[[], None] | None = None,
               copy_of: Mapping[str, str] | None = None, use_reuse: bool = True) -> EventResult:
    """Bring the archive's events up to date, then return the events holding ``refs``
    (whole, earlier members included) or all of them.

    Copies follow their original: ``copy_of`` when given, else the store's reuse index
    (``use_reuse``), and exact duplicates always. ``progress`` is called once per article
    whose features had to be computed."""
    links: Callable[[Sequence[Ref], Sequence[Ref]], Mapping[str, str]] | None = None
    if copy_of is not None:
        given = dict(copy_of)

        def links(_r: Sequence[Ref], _n: Sequence[Ref]) -> Mapping[str, str]:
            return given
    elif use_reuse:
        links = reuse_copy_links(store)
    update_events(store, opts, copy_of=links, progress=progress)
    return EventArchive(store).load(refs)


def stored_or_run(store: Store, opts: EventOptions | None = None,
                  progress: Callable[[], None] | None = None) -> EventResult:
    """The archive's events, brought up to date first."""
    return run_events(store, None, opts, progress=progress)


def pending_features(store: Store, refs: list[Ref] | None = None) -> int:
    """How many articles still need parsing for events (for a progress bar's total)."""
    return EventArchive(store).pending()


def dateline_place(arts: Sequence[Article]) -> str | None:
    """Where the reports were filed from, when most datelines agree: a better place for a
    visit than the country mentioned most (the visitor's)."""
    lines = Counter((a.dateline.title() if a.dateline.isupper() else a.dateline).strip()
                    for a in arts if a.dateline)
    if not lines:
        return None
    name, n = lines.most_common(1)[0]
    return name if n * 2 >= sum(lines.values()) else None
