"""The main job's result: every event with its sources, entities and cited quotes.

This is the stages put together (reuse → events → extract) over one set of stored
articles; the cited brief of a later issue builds on the same pieces.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from newsdesk.events import dateline_place, run_events
from newsdesk.extract.step import extract_stored
from newsdesk.model import Article
from newsdesk.reuse import analyse_reuse
from newsdesk.reuse.analyse import canonical, refs_for
from newsdesk.store import Store


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


def overview(store: Store, refs: list[tuple[str, str]],
             on_article: Callable[[Article], None] | None = None) -> list[EventOverview]:
    """Run reuse, events and extraction over ``refs`` and report each event."""
    arts = list(store.articles(refs))
    reuse = analyse_reuse(arts)
    copy_of = {a.key: p.copy_of for a in arts
               if (p := reuse.provenance.get(a.key)) is not None and p.copy_of}
    events = run_events(store, refs, copy_of=copy_of)
    # keys can clash (D1.txt in two folders): such articles go by key@id, as in reuse
    done = canonical(extract_stored(store, refs, on_article=on_article).articles)
    name_of = {(a.key, a.id): n for a, n in zip(done, refs_for(done), strict=True)}
    extracted = {name_of[(a.key, a.id)]: a for a in done}
    out = []
    for ev in events.events:
        members = [name_of[r] for r in ev.refs if r in name_of]
        sub = reuse.restrict([k for k in members if k in reuse.provenance])
        names: Counter[str] = Counter()
        quotes: list[dict[str, Any]] = []
        for k in members:
            a = extracted[k]
            for s in a.annotations.get("entities", []):
                if s.label in ("PERSON", "ORG", "GPE"):
                    names[str(s.attrs.get("canonical") or s.text_in(a.text))] += 1
            for q in a.annotations.get("quotes", []):
                if q.attrs.get("direct") and q.attrs.get("speaker_entity"):
                    quotes.append({
                        "speaker": q.attrs["speaker_entity"], "content": q.attrs["content"],
                        "cite": f"{k}:{q.attrs['content_start']}-{q.attrs['content_end']}",
                    })
        seen: set[str] = set()
        unique = [q for q in quotes if not (q["content"] in seen or seen.add(q["content"]))]  # type: ignore[func-returns-value]
        out.append(EventOverview(
            id=ev.id, title=ev.title, first=ev.first, last=ev.last,
            place=dateline_place([extracted[k] for k in members]) or ev.place,
            articles=members, copies={k: v for k, v in copy_of.items() if k in members},
            independent_sources=sub.independent_count, entities=names.most_common(6),
            quotes=unique[:4],
        ))
    return out
