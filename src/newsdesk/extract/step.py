"""The extraction stage: every extractor over a batch, NLP once per unique passage.

Each article is parsed once (:func:`newsdesk.nlp.parse_article`, cached per passage, so a
wire copy republished ten times is parsed once) and the parsed paragraphs go to every
extractor: entities first (canonical names are decided over the whole batch), then dates,
quantities, quotes (which resolve speakers to the entities) and PLOVER events (which use
entities and dates). Results are annotation layers on the articles; :func:`extract_articles`
also returns the JSON records ``newsdesk extract --format jsonl`` prints.

With a store, :func:`extract_stored` extracts the articles not extracted yet into the
archive's tables (:mod:`newsdesk.extract.archive`: once per article, parses once per unique
passage ever, entities linked archive-wide) and reads the layers back from them.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

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
from newsdesk.model import (
    Actor,
    Article,
    DateMention,
    EntityMention,
    Extraction,
    PoliticalEvent,
    Quantity,
    Quote,
    Span,
)
from newsdesk.nlp import DocBacking, DocCache, ParsedParagraph, parse_articles
from newsdesk.pipeline import BatchStep, Runner
from newsdesk.store import Store

if TYPE_CHECKING:
    from newsdesk.extract.archive import ExtractReport

LAYERS = ("entities", "quotes", "quantities", "dates", "events")
# Bump when an extractor's output changes, so stored annotations are recomputed.
# 4: PLOVER codebook classes, attribution cues fitted on PolNeAR train; 5: attribution
# patterns (issue 15, round 2); 6: PLOVER modes and recall classes; 7: attribution
# patterns (issue 15, round 3); 8: quotation marks closed in quote contents, attribution
# patterns (issue 15, round 4); 9: relative-clause reports, "asked about", nationality
# speakers (issue 15, round 5); 10: a PLOVER actor possessing a non-actor head is named
# alone ("Valmora's application ..." -> "Valmora"); 11: a dateline is no speaker and no
# part of a quote's content; 12: PLOVER "reach" and "pay" only through their object,
# a light verb's event noun is no target, business and dockworker sectors; 13: coordinated
# names are each their own PLOVER actor's words, a word capitalised only at sentence
# starts and also written in lower case is no entity; 14: a PLOVER actor phrase cut at the
# length limit is named by the linked name inside it; 15: a count that names only its unit
# is "about" what its verb says happened ("14 people were killed" -> "killed"); 16: PLOVER
# "recall" only of envoys, a dative preposition's object, no event noun as a target, long
# non-actor phrases named by their coded words; 17: capitals that are common words ("The
# Valley", "Malé") code no country; 18: a date inside a PLOVER actor's words does not date
# the event; 19: a name qualifying a speaker phrase is not the speaker ("Lindsay Lohan's
# attorney", "the Alaska Governor", "California prosecutors"), a "CITY, Region - "
# dateline is no part of a content, acronyms link one way across batches; 20: numbers that
# name (versions, codes, clock minutes) are no quantities; 21: an acronym goes with a name
# only where an article gives both, a slip in a name word keeps its first two letters and
# its last ("Foley" is not "Holley"), "Us" is no country code; 22: "add" takes no object
# to its right as content ("added six rebounds"); 23: both sides of a vote or score
# ("211-207") are figures; 24: across the archive a full name decides over its surname
# alone ("Ken Davies" is not "Gray Davis")
EXTRACT_VERSION = "24"


@dataclass(slots=True)
class ExtractOptions:
    """Options of the extraction stage."""

    force: bool = False  # recompute even for articles extracted before
    batch: int = 200  # articles per write transaction (and per entity-clustering batch;
    # the last one is cut in halves down to a quarter: extract.archive.TAIL_SHARE)
    # fewer articles needing a parse than this are parsed in this process, not on the
    # runner (see newsdesk.extract.archive.POOL_MIN_ARTICLES)
    pool_min: int = 50


def annotate(articles: list[Article],
             on_article: Callable[[Article], None] | None = None,
             timings: dict[str, float] | None = None, *,
             cache: DocCache | None = None,
             backing: DocBacking | None = None) -> EntityResult:
    """Run every extractor over a batch, adding the five layers to each article.

    ``on_article`` is called once per article when its layers are done (progress bars);
    ``timings``, when given, accumulates the seconds spent per stage (parse, entities,
    dates, quantities, quotes, events). ``cache``/``backing`` choose where parses are
    looked up before spaCy runs (:func:`newsdesk.nlp.parse_articles`)."""
    clock = _Clock(timings)
    # Each article runs under the stage guard: one that makes parsing or an extractor
    # raise is reported (newsdesk.guard) and keeps empty layers; the batch goes on.
    with clock("parse"):
        parsed_ok, kept = isolate("extract.parse", articles,
                                  lambda arts: parse_articles(arts, cache, backing))
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
        a.extraction = extraction_of(a)
        if on_article is not None:
            on_article(a)
    return result


def extraction_of(a: Article) -> Extraction:
    """The article's five layers as typed records (what the stages after extraction
    read: they never look into the layers' attrs)."""
    ann = a.annotations
    x = Extraction()
    for s in ann.get("entities", []):
        at = s.attrs
        x.mentions.append(EntityMention(
            s.start, s.end, str(at.get("entity_id") or at.get("canonical") or ""), s.label,
            a.text[s.start:s.end], at.get("role"), str(at.get("canonical") or ""),
            at.get("country")))
    for s in ann.get("quotes", []):
        at = s.attrs
        x.quotes.append(Quote(
            start=s.start, end=s.end, content=str(at.get("content") or ""),
            content_start=int(at.get("content_start") or s.start),
            content_end=int(at.get("content_end") or s.end), direct=bool(at.get("direct")),
            speaker=at.get("speaker"), speaker_entity=at.get("speaker_entity_id"),
            speaker_name=at.get("speaker_entity"), speaker_start=at.get("speaker_start"),
            speaker_end=at.get("speaker_end"), cue=at.get("cue"), cue_start=at.get("cue_start"),
            cue_end=at.get("cue_end"), kind=at.get("kind")))
    for s in ann.get("quantities", []):
        at = s.attrs
        x.quantities.append(Quantity(
            s.start, s.end, at.get("value"), a.text[s.start:s.end], str(at.get("unit") or ""),
            str(at.get("about") or ""), at.get("qualifier"), bool(at.get("approximate"))))
    for s in ann.get("dates", []):
        x.dates.append(DateMention(s.start, s.end, a.text[s.start:s.end], s.attrs.get("value"),
                                   s.attrs.get("grain")))
    for s in ann.get("events", []):
        at = s.attrs

        def actors(side: str, at: dict[str, Any] = at) -> list[Actor]:
            return [Actor(text=str(d.get("text") or ""), code=d.get("code"),
                          sector=d.get("sector"), entity_id=d.get("entity_id"),
                          start=int(d.get("start") or 0), end=int(d.get("end") or 0))
                    for d in at.get(side) or []]

        x.events.append(PoliticalEvent(
            s.start, s.end, str(at.get("event") or s.label), at.get("date"), at.get("mode"),
            at.get("place"), actors("source"), actors("target")))
    return x


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
             "start": s.start, "end": s.end, "mode": s.attrs.get("mode")} for s in spans]


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


@dataclass(slots=True)
class ExtractRun:
    """What :func:`extract_stored` did: the articles with their five layers (from the
    store's tables), the archive entities they mention, and what was extracted now."""

    articles: list[Article]
    batch: str  # a short digest of the refs, for messages
    reused: bool  # nothing needed extracting: every article was done before
    entities: dict[str, CanonicalEntity] = field(default_factory=dict)
    report: ExtractReport | None = None
    # articles an extractor raised on (kept with that layer empty; see newsdesk.guard)
    failures: list[StageFailure] = field(default_factory=list)


def extract_stored(store: Store, refs: Iterable[tuple[str, str]] | None = None,
                   options: ExtractOptions | None = None,
                   on_article: Callable[[Article], None] | None = None,
                   runner: Runner | None = None) -> ExtractRun:
    """Extract the stored articles (``refs`` or all) that are not extracted yet
    (:func:`newsdesk.extract.archive.extract_new`; all of them with ``options.force``) and
    return them with their layers and the archive entities they mention. Parses run on
    ``runner`` (see :func:`~newsdesk.extract.archive.extract_new`)."""
    from newsdesk.extract.archive import (
        attach_layers,
        canonical_table,
        extract_new,
        load_entities,
    )

    refs = list(refs) if refs is not None else None
    with collect_failures() as failed:
        report = extract_new(store, refs, options, on_article, runner)
    articles = attach_layers(store, store.articles(refs))
    for a in articles:
        a.extraction = extraction_of(a)
    if on_article is not None:
        done_before = set(report.already)
        for a in articles:
            if (a.key, a.id) in done_before:
                on_article(a)
    ids = {str(s.attrs["entity_id"]) for a in articles
           for s in a.annotations.get("entities", []) if s.attrs.get("entity_id")}
    h = hashlib.sha1(EXTRACT_VERSION.encode())
    for k, i in sorted((a.key, a.id) for a in articles):
        h.update(f"\n{k}\t{i}".encode())
    return ExtractRun(articles, h.hexdigest()[:16], not report.extracted,
                      canonical_table(load_entities(store, ids)), report, list(failed.items))
