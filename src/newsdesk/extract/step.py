"""The extraction stage: every extractor over a batch, NLP once per unique passage.

Each article is parsed once (:func:`newsdesk.nlp.parse_article`, cached per passage, so a
wire copy republished ten times is parsed once) and the parsed paragraphs go to every
extractor: entities first (canonical names are decided over the whole batch), then dates,
quantities, quotes (which resolve speakers to the entities) and PLOVER events (which use
entities and dates). Results are annotation layers on the articles; :func:`extract_articles`
also returns the JSON records ``newsdesk extract --format jsonl`` prints.

With a store, :func:`extract_stored` saves the layers with ``Store.put_annotations`` and
the batch's canonical entity table in ``extract_entities``; a re-run over the same batch
with the same extractor version reuses them without running spaCy.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from newsdesk.extract.dates import date_records, find_dates
from newsdesk.extract.entities import (
    CanonicalEntity,
    EntityResult,
    entity_records,
    extract_entities,
)
from newsdesk.extract.plover import code_events
from newsdesk.extract.quantities import find_quantities, quantity_records
from newsdesk.extract.quotes import find_quotes
from newsdesk.guard import StageFailure, collect_failures, guarded, isolate
from newsdesk.model import Article, Span
from newsdesk.nlp import ParsedParagraph, parse_articles
from newsdesk.pipeline import BatchStep
from newsdesk.store import Store

LAYERS = ("entities", "quotes", "quantities", "dates", "events")
# Bump when an extractor's output changes, so stored annotations are recomputed.
EXTRACT_VERSION = "3"


@dataclass(slots=True)
class ExtractOptions:
    """Options of the extraction stage."""

    force: bool = False  # recompute even when stored annotations of this batch exist


def annotate(articles: list[Article],
             on_article: Callable[[Article], None] | None = None,
             timings: dict[str, float] | None = None) -> EntityResult:
    """Run every extractor over a batch, adding the five layers to each article.

    ``on_article`` is called once per article when its layers are done (progress bars);
    ``timings``, when given, accumulates the seconds spent per stage (parse, entities,
    dates, quantities, quotes, events)."""
    clock = _Clock(timings)
    # Each article runs under the stage guard: one that makes parsing or an extractor
    # raise is reported (newsdesk.guard) and keeps empty layers; the batch goes on.
    with clock("parse"):
        parsed_ok, kept = isolate("extract.parse", articles, parse_articles)
        good = iter(parsed_ok)
        parsed = [next(good) if k else [] for k in kept]
    with clock("entities"):
        result, kept = isolate("extract.entities", articles,
                               lambda arts: extract_entities(arts, _parses_of(arts, articles,
                                                                              parsed)))
        for a, k in zip(articles, kept, strict=True):
            if not k:
                a.add("entities", [])
    for a, paras in zip(articles, parsed, strict=True):
        ents = a.annotations.get("entities", [])
        with clock("dates"):
            dates = _layer(a, "dates", find_dates, a, paras)
        with clock("quantities"):
            _layer(a, "quantities", find_quantities, a, paras)
        with clock("quotes"):
            _layer(a, "quotes", find_quotes, a, paras, ents)
        with clock("events"):
            _layer(a, "events", code_events, a, paras, ents, dates)
        if on_article is not None:
            on_article(a)
    return result


def _layer(a: Article, layer: str, fn: Callable[..., list[Span]], *args: Any) -> list[Span]:
    """Run one extractor on one article under the guard and attach its layer (empty
    when the extractor, or the check of its spans, raised)."""
    done: list[bool] = []

    def run() -> list[Span]:
        spans = fn(*args)
        a.add(layer, spans)
        done.append(True)
        return spans

    spans: list[Span] = guarded(f"extract.{layer}", a, run, default=[])
    if not done:
        a.add(layer, [])  # not a stale layer loaded from an earlier run
    return spans


def _parses_of(subset: list[Article], articles: list[Article],
               parsed: list[list[ParsedParagraph]]) -> list[list[ParsedParagraph]]:
    """The parses of ``subset`` (articles of the batch, by identity)."""
    index = {id(a): i for i, a in enumerate(articles)}
    return [parsed[index[id(a)]] for a in subset]


class _Clock:
    """``with clock("stage"):`` adds the block's wall time to ``timings[stage]``."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.stage = ""
        self.t0 = 0.0

    def __call__(self, stage: str) -> _Clock:
        self.stage = stage
        return self

    def __enter__(self) -> None:
        self.t0 = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        if self.timings is not None:
            self.timings[self.stage] = self.timings.get(self.stage, 0.0) + (
                time.perf_counter() - self.t0)


def quote_records(spans: Iterable[Span]) -> list[dict[str, Any]]:
    """The ``quotes`` list of a ``newsdesk extract`` JSONL line."""
    keys = ("speaker", "speaker_start", "speaker_end", "cue", "content", "content_start",
            "content_end", "direct")
    return [{k: s.attrs.get(k) for k in keys} for s in spans]


def event_records(spans: Iterable[Span]) -> list[dict[str, Any]]:
    """The ``events`` list of a ``newsdesk extract`` JSONL line."""
    return [{"event": s.attrs.get("event"), "source": s.attrs.get("source") or [],
             "target": s.attrs.get("target") or [], "date": s.attrs.get("date"),
             "start": s.start, "end": s.end} for s in spans]


def article_record(a: Article) -> dict[str, Any]:
    """One ``newsdesk extract --format jsonl`` line (offsets index ``a.text``)."""
    ann = a.annotations
    return {
        "key": a.key,
        "entities": entity_records(ann.get("entities", []), a.text),
        "quotes": quote_records(ann.get("quotes", [])),
        "quantities": quantity_records(ann.get("quantities", []), a.text),
        "dates": date_records(ann.get("dates", []), a.text),
        "events": event_records(ann.get("events", [])),
    }


def extract_articles(articles: list[Article]) -> list[dict[str, Any]]:
    """Annotate a batch and return one JSON record per article, in order."""
    annotate(articles)
    return [article_record(a) for a in articles]


class ExtractStep(BatchStep):
    """Pipeline step: entities, quotes, quantities, dates and events for a batch."""

    name: ClassVar[str] = "extract"
    reads: ClassVar[tuple[str, ...]] = ("text", "paragraphs", "published", "dateline")
    adds: ClassVar[tuple[str, ...]] = LAYERS

    def __init__(self, options: ExtractOptions | None = None) -> None:
        self.options = options or ExtractOptions()
        self.entities: EntityResult | None = None

    def process_batch(self, articles: list[Article]) -> list[Article]:
        """Annotate the whole batch (entity names are canonicalised across it)."""
        self.entities = annotate(articles)
        return articles


# -- the store ------------------------------------------------------------------------------

_STATE_DDL = """CREATE TABLE IF NOT EXISTS extract_state (
    key TEXT NOT NULL, id TEXT NOT NULL, batch TEXT NOT NULL, version TEXT NOT NULL,
    at TEXT NOT NULL, PRIMARY KEY (key, id))"""
_ENTITIES_DDL = """CREATE TABLE IF NOT EXISTS extract_entities (
    batch TEXT NOT NULL, entity_id TEXT NOT NULL, canonical TEXT NOT NULL, type TEXT NOT NULL,
    country TEXT, variants TEXT NOT NULL, roles TEXT NOT NULL, mentions INTEGER NOT NULL,
    PRIMARY KEY (batch, entity_id))"""


def batch_id(articles: Sequence[Article]) -> str:
    """Stable id of a batch: canonical names depend on which articles were seen together."""
    h = hashlib.sha1(EXTRACT_VERSION.encode())
    for k, i in sorted((a.key, a.id) for a in articles):
        h.update(f"\n{k}\t{i}".encode())
    return h.hexdigest()[:16]


@dataclass(slots=True)
class ExtractRun:
    """What :func:`extract_stored` did."""

    articles: list[Article]
    batch: str
    reused: bool
    entities: dict[str, CanonicalEntity] = field(default_factory=dict)
    # articles an extractor raised on (kept with that layer empty; see newsdesk.guard)
    failures: list[StageFailure] = field(default_factory=list)


def _stored_state(store: Store, articles: Sequence[Article], batch: str) -> bool:
    if not articles:
        return False
    for a in articles:
        row = store.db.execute("SELECT batch, version FROM extract_state WHERE key=? AND id=?",
                               (a.key, a.id)).fetchone()
        if row is None or row[0] != batch or row[1] != EXTRACT_VERSION:
            return False
        if any(layer not in a.annotations for layer in LAYERS):
            return False
    return True


def load_entity_table(store: Store, batch: str) -> dict[str, CanonicalEntity]:
    """The canonical entity table saved for a batch."""
    store.ensure_table(_ENTITIES_DDL)
    out = {}
    for r in store.db.execute("SELECT * FROM extract_entities WHERE batch=?", (batch,)):
        out[r["entity_id"]] = CanonicalEntity(
            r["entity_id"], r["canonical"], r["type"], set(json.loads(r["variants"])),
            r["country"], set(json.loads(r["roles"])), r["mentions"])
    return out


def extract_stored(store: Store, refs: Iterable[tuple[str, str]] | None = None,
                   options: ExtractOptions | None = None,
                   on_article: Callable[[Article], None] | None = None) -> ExtractRun:
    """Extract over stored articles (``refs`` or all), saving the layers; reuse a saved run
    of the same batch unless ``options.force``."""
    options = options or ExtractOptions()
    store.ensure_table(_STATE_DDL)
    store.ensure_table(_ENTITIES_DDL)
    articles = list(store.articles(refs, with_annotations=True))
    batch = batch_id(articles)
    if not options.force and _stored_state(store, articles, batch):
        return ExtractRun(articles, batch, True, load_entity_table(store, batch))
    with collect_failures() as failed:
        result = annotate(articles, on_article)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for a in articles:
        for layer in LAYERS:
            store.put_annotations(a, layer, a.annotations.get(layer, []))
    # An article an extractor failed on gets no state row, so the next run tries again.
    bad = failed.refs()
    with store.transaction() as db:
        db.executemany(
            "INSERT OR REPLACE INTO extract_state (key, id, batch, version, at) "
            "VALUES (?,?,?,?,?)",
            [(a.key, a.id, batch, EXTRACT_VERSION, now) for a in articles
             if (a.key, a.id) not in bad])
        db.execute("DELETE FROM extract_entities WHERE batch=?", (batch,))
        db.executemany(
            "INSERT INTO extract_entities (batch, entity_id, canonical, type, country, "
            "variants, roles, mentions) VALUES (?,?,?,?,?,?,?,?)",
            [(batch, e.id, e.canonical, e.type, e.country, json.dumps(sorted(e.variants)),
              json.dumps(sorted(e.roles)), e.mentions) for e in result.entities.values()])
    return ExtractRun(articles, batch, False, result.entities, list(failed.items))
