"""The stages put together over one set of stored articles, and the main job's report.

:func:`gather` runs extraction, reuse and events once and hands back every article (named
as reuse names it), the reuse result and the events; :func:`overview` (``newsdesk run``)
and the brief (:func:`newsdesk.brief.build.build_brief`) both build on it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsdesk.archive import update_archive
from newsdesk.events import dateline_place
from newsdesk.events.archive import EventArchive
from newsdesk.extract.entities import CanonicalEntity, names_own_outlet
from newsdesk.extract.step import extract_stored
from newsdesk.guard import collect_failures
from newsdesk.model import Article, Extraction
from newsdesk.pipeline import Runner
from newsdesk.reuse import analyse_reuse
from newsdesk.reuse.analyse import canonical, refs_for
from newsdesk.reuse.index import ReuseIndex
from newsdesk.reuse.provenance import ReuseResult
from newsdesk.store import Store


@dataclass(slots=True)
class EventGroup:
    """One event: its id, title, dates, place and the names of its articles."""

    id: str
    title: str
    first: str | None
    last: str | None
    place: str | None
    keys: list[str]


@dataclass(slots=True)
class Gathered:
    """What the stages found for one set of articles."""

    articles: dict[str, Article]  # by name: the key, or key@id where keys clash
    reuse: ReuseResult
    copy_of: dict[str, str]  # copy name -> the article it copies
    events: list[EventGroup]
    entities: dict[str, CanonicalEntity]  # the batch's canonical entity table


def gather(store: Store, refs: list[tuple[str, str]] | None, *, as_one_event: bool = False,
           event_ids: list[str] | None = None, update: bool = True,
           on_article: Callable[[Article], None] | None = None,
           runner: Runner | None = None) -> Gathered:
    """The archive's view of some articles: the whole stored events holding ``refs`` (or
    the events named by ``event_ids``, or every event when both are None), with each
    member's extraction and the reuse among them. With ``as_one_event`` the articles of
    ``refs`` alone, as one event. The archive is brought up to date first unless
    ``update`` is False."""
    if as_one_event:
        return _gather_one(store, refs or [(a.key, a.id) for a in store.articles(None)],
                           on_article, runner)
    if update:
        update_archive(store, runner=runner)
    ar = EventArchive(store)
    if event_ids is not None:
        stored = ar.load(event_ids=event_ids)
    else:
        stored = ar.load(refs)
    member_refs = list(dict.fromkeys(r for e in stored.events for r in e.refs))
    run = extract_stored(store, member_refs, on_article=on_article, runner=runner)
    arts = canonical(run.articles)
    by_ref: dict[tuple[str, str], Article] = {}
    for a, name in zip(arts, refs_for(arts), strict=True):
        by_ref[(a.key, a.id)] = a
        a.key = name
    articles = {a.key: a for a in arts}
    reuse = ReuseIndex(store).result(member_refs) if member_refs else analyse_reuse([])
    copy_of = {k: p.copy_of for k, p in reuse.provenance.items() if p.copy_of}
    events: list[EventGroup] = []
    for ev in stored.events:
        keys = [by_ref[r].key for r in ev.refs if r in by_ref]
        if keys:
            events.append(EventGroup(
                ev.id, ev.title, ev.first, ev.last,
                dateline_place([articles[k] for k in keys]) or ev.place, keys))
    return Gathered(articles, reuse, copy_of, events, run.entities)


def _gather_one(store: Store, refs: list[tuple[str, str]],
                on_article: Callable[[Article], None] | None,
                runner: Runner | None = None) -> Gathered:
    """Every article of ``refs`` as one event (``--as-one-event``)."""
    run = extract_stored(store, refs, on_article=on_article, runner=runner)
    # Keys can clash (D1.txt in several folders): such articles go by key@id, as in the
    # reuse results, so that every article has a name of its own.
    arts = canonical(run.articles)
    for a, name in zip(arts, refs_for(arts), strict=True):
        a.key = name
    articles = {a.key: a for a in arts}
    reuse = analyse_reuse(arts)
    copy_of = {k: p.copy_of for k, p in reuse.provenance.items() if p.copy_of}
    events: list[EventGroup] = []
    keys = [a.key for a in arts]
    dates = sorted(a.published for a in arts if a.published)
    eid = "ev-" + hashlib.sha1("\n".join(sorted(keys)).encode()).hexdigest()[:12]
    if keys:
        events.append(EventGroup(eid, _best_title(arts, copy_of),
                                 dates[0] if dates else None,
                                 dates[-1] if dates else None, dateline_place(arts), keys))
    return Gathered(articles, reuse, copy_of, events, run.entities)


def _named(key: str, id: str) -> str:
    return f"{key}@{id}"


def _best_title(arts: Sequence[Article], copy_of: dict[str, str]) -> str:
    titled = [a for a in arts if a.title and a.key not in copy_of]
    if not titled:
        titled = [a for a in arts if a.title]
    if not titled:
        return arts[0].text[:80] if arts else ""
    return str(min(titled, key=lambda a: (a.published or "9999", len(a.title or ""))).title)


@dataclass(slots=True)
class EventOverview:
    """One event as the main job reports it; quotes cite ``key:start-end`` in the text."""

    id: str
    title: str
    first: str | None
    last: str | None
    place: str | None
    articles: list[str]
    copies: dict[str, str]  # copy key -> the article it copies
    independent_sources: int
    entities: list[tuple[str, int]]  # canonical name, mentions
    quotes: list[dict[str, Any]] = field(default_factory=list)
    # added field: stages that failed on this event's articles ({article, id, stage,
    # reason}); each such article is kept without that stage's results
    failures: list[dict[str, str]] = field(default_factory=list)


def overview(store: Store, refs: list[tuple[str, str]] | None,
             on_article: Callable[[Article], None] | None = None,
             runner: Runner | None = None) -> list[EventOverview]:
    """Run reuse, events and extraction over ``refs`` and report each event (the new
    articles' parses on ``runner``, see :func:`newsdesk.archive.update_archive`)."""
    with collect_failures() as failed:
        g = gather(store, refs, on_article=on_article, runner=runner)
    out = []
    for ev in g.events:
        members = ev.keys
        sub = g.reuse.restrict([k for k in members if k in g.reuse.provenance])
        names: Counter[str] = Counter()
        quotes: list[dict[str, Any]] = []
        for k in members:
            a = g.articles[k]
            x = a.extraction if a.extraction is not None else Extraction()
            for m in x.mentions:
                if m.type in ("PERSON", "ORG", "GPE") and not (
                        m.type == "ORG" and names_own_outlet(m.text, a)):
                    names[m.canonical or m.text] += 1
            for q in x.quotes:
                if q.direct and q.speaker_name:
                    quotes.append({
                        "speaker": q.speaker_name, "content": q.content,
                        "cite": f"{k}:{q.content_start}-{q.content_end}",
                    })
        seen: set[str] = set()
        unique = [q for q in quotes if not (q["content"] in seen or seen.add(q["content"]))]  # type: ignore[func-returns-value]
        out.append(EventOverview(
            id=ev.id, title=ev.title, first=ev.first, last=ev.last, place=ev.place,
            articles=members, copies={k: v for k, v in g.copy_of.items() if k in members},
            independent_sources=sub.independent_count, entities=names.most_common(6),
            quotes=unique[:4],
            failures=[f.to_dict() for f in failed.items
                      if f.key in members or _named(f.key, f.id) in members],
        ))
    return out
