"""Extraction into the archive: once per new article, parse once per unique passage ever.

:func:`extract_new` runs the extractors (:func:`newsdesk.extract.step.annotate`) over the
stored articles that have no ``extract_done`` row of the current ``EXTRACT_VERSION`` and
writes what they found to the typed tables of schema v2 (``mentions``, ``quotes``,
``quantities``, ``date_mentions``, ``political_events``; see ``docs/schema.md``).

- **Parses** go through the in-memory :class:`newsdesk.nlp.DocCache` and, behind it, the
  store's ``passage_docs`` (:class:`StoredDocs`, spaCy ``Doc.to_bytes`` without tensor and
  user data, zlib): a paragraph republished next month is loaded, not parsed.
- **Entities** of each write batch are clustered by the batch extractor, then linked to
  the archive's ``entities`` by the same name matching (:class:`EntityIndex`): same type
  and compatible names (person names by surname and given names with transliteration
  folding, organisations by folded names and initials, countries and demonyms by ISO
  code). An id, once stored, never changes; a batch entity that matches nothing gets a
  new one.
- **Writes** happen per batch of articles, each batch in one transaction with its
  ``extract_done`` rows, so a run killed at any moment leaves a consistent store and the
  next run does exactly the batches that are missing; re-running adds nothing.

Readers: :func:`load_extractions` (typed records), :func:`load_entities` and
:func:`attach_layers`, which puts today's annotation layers (``Span`` with the same attrs
as :func:`~newsdesk.extract.step.annotate` gives) on articles for the stages and the
``newsdesk extract`` JSONL output.
"""

from __future__ import annotations

import copy
import itertools
import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from newsdesk.extract import memos
from newsdesk.extract.entities import (
    ACRONYM,
    CanonicalEntity,
    EntityResult,
    _org_key,
    _persons_match,
    _same_word,
    _skeleton,
    _slug,
)
from newsdesk.extract.lexicon import fold, resolve_place
from newsdesk.guard import collect_failures
from newsdesk.model import (
    Actor,
    Article,
    DateMention,
    Entity,
    EntityMention,
    Extraction,
    Paragraph,
    PoliticalEvent,
    Quantity,
    Quote,
    Span,
    passage_key,
)
from newsdesk.nlp import (  # StoredDocs: importable from here as before
    PARSES,
    DocCache,
    ParseStep,
    StoredDocs,
    default_cache,
    doc_of_blob,
    load_nlp,
    title_passage,
)
from newsdesk.pipeline import (
    TAIL_SHARE,
    LocalRunner,
    PoolRunner,
    RayRunner,
    Runner,
    halve_last,
)
from newsdesk.store import Store

if TYPE_CHECKING:
    from newsdesk.extract.step import ExtractOptions

Ref = tuple[str, str]
TABLES = ("mentions", "quotes", "quantities", "date_mentions", "political_events")
# the columns each row tuple of :func:`_write_batch` fills, in order (named, so a later
# migration that adds a column does not shift them)
_COLUMNS = {
    "mentions": ("article_rowid", "start", "end", "entity_id", "type", "text", "role"),
    "quotes": ("article_rowid", "start", "end", "speaker", "speaker_entity", "speaker_start",
               "speaker_end", "cue", "cue_start", "cue_end", "content", "content_start",
               "content_end", "direct", "kind"),
    "quantities": ("article_rowid", "start", "end", "value", "unit", "about", "qualifier",
                   "approximate", "text"),
    "date_mentions": ("article_rowid", "start", "end", "value", "grain", "text"),
    "political_events": ("article_rowid", "start", "end", "date", "type", "mode",
                         "source_code", "source_entity", "source_text", "target_code",
                         "target_entity", "target_text", "place", "actors"),
}
DEFAULT_BATCH = 200  # articles per write transaction
# The last batch is extracted after its parses, when the workers have nothing left: it is
# cut in halves down to a quarter of a batch (pipeline.TAIL_SHARE: 200 -> 100, 50, 50),
# so the cores idle for the extraction of 50 articles (~0.35 s), not of 200 (~1.3 s).
# Every runner cuts the same way, so the rows do not depend on the runner.
# Fewer articles than this needing a parse stay in this process: starting a pool costs
# ~1.5-3 s on 2 cores (forking, each worker's first spaCy call warming up, the docs'
# bytes sent back and read again, ~1.3 ms a passage), about what parsing 50 articles
# of ~6 new paragraphs (21 ms each) on one core costs; below that a pool saves nothing.
POOL_MIN_ARTICLES = 50
# The unique passages to parse go to the workers in tasks of this many, each one
# ``nlp.pipe`` stream (per-article streams of ~6 paragraphs cost 17% more CPU here):
# ~1 s of parsing a task, so two workers finish together.
PASSAGES_PER_TASK = 48
# Batches whose articles planning keeps for extraction (more are read again: planning
# can run far ahead when most passages are stored, and must not hold the archive)
KEEP_PLANNED_BATCHES = 4
EXTRACT_CHUNK = 1  # tasks (of PASSAGES_PER_TASK passages) a runner sends a worker at once
# Tasks a pool keeps in flight per worker. The pool refills its window when this process
# takes a result, which it does not while it extracts and writes a batch (~1.3 s for 200
# articles on one core); with 3 a task (~0.3 s each), the workers ran dry for ~0.4 s at
# every batch. 10 tasks a worker is ~3 s of parsing, ~3 MB of results waiting.
TASKS_AHEAD = 10


def extraction_runner(kind: str = "pool", workers: int = 0, address: str | None = None
                      ) -> Runner:
    """The runner that parses for extraction, by name (what ``--runner`` takes):
    ``local`` (this process), ``pool`` (one worker per core, or ``workers``; one worker
    means this process, as ``--workers 1`` does for reading) or ``ray`` (a local Ray on
    127.0.0.1 with ``workers`` CPUs, or the cluster at ``address``)."""
    import os

    from newsdesk.errors import NewsdeskError

    if kind == "local" or (kind == "pool" and (workers or os.cpu_count() or 1) <= 1):
        return LocalRunner()
    if kind == "pool":
        return PoolRunner(workers, chunk_size=EXTRACT_CHUNK, ahead=TASKS_AHEAD)
    if kind == "ray":
        return RayRunner(num_cpus=workers or None, address=address, workers=workers or None,
                         chunk_size=EXTRACT_CHUNK)
    raise NewsdeskError(f"unknown runner {kind!r}: choose local, pool or ray")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- the passage cache in the store --------------------------------------------------------


# -- archive-wide entity linking -----------------------------------------------------------


@dataclass(slots=True)
class _Stored:
    entity_id: str
    name: str
    type: str
    mentions: int
    variants: set[str] = field(default_factory=set)


def _key(k: tuple[str, str, str]) -> str:
    return "|".join(k)


def entity_keys(etype: str, variant: str) -> list[str]:
    """The ``entity_keys`` rows of one variant: its exact blocking keys (type and folded
    name, organisation key, acronyms, ISO code; the cross-type keys), and for a person the
    surname skeleton forwards (``sur|``) and reversed (``rsur|``) for fuzzy look-up by the
    first or last two letters."""
    keys = [_key(k) for k in _variant_keys(etype, variant) + _loose_keys(etype, variant)]
    if etype == "PERSON" and variant.split():
        sk = _skeleton(variant.split()[-1])
        if sk:
            keys += [f"sur|{sk}", f"rsur|{sk[::-1]}"]
    return keys


class EntityIndex:
    """The stored entities, found through the batch extractor's name matching.

    Candidates come from the ``entity_keys`` table (one indexed look-up per key, and two
    short range scans per surname for the fuzzy match), so linking a batch costs the same
    in an archive of a thousand articles or of fifty thousand. Entities read are kept
    for the rest of the call."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db
        self.ents: dict[str, _Stored] = {}
        self._backfill()

    def _backfill(self) -> None:
        """Keys of entities stored without them: those of a store upgraded from 0.1.

        Their counts were 0.1's, over articles that have no ``mentions`` rows yet (0.1
        kept no typed tables, so every one of them is extracted again): the counts start
        from zero and grow as those articles are extracted, so nothing is counted twice.
        Ids, names, variants and roles stay."""
        rows = self.db.execute(
            "SELECT e.entity_id, e.type, v.variant FROM entities e JOIN entity_variants v "
            "USING (entity_id) WHERE NOT EXISTS (SELECT 1 FROM entity_keys k "
            "WHERE k.entity_id = e.entity_id) AND NOT EXISTS (SELECT 1 FROM mentions m "
            "WHERE m.entity_id = e.entity_id)").fetchall()
        if rows:
            ids = sorted({r[0] for r in rows})
            with self.store.transaction():
                self.db.executemany(
                    "INSERT OR IGNORE INTO entity_keys (key, entity_id) VALUES (?,?)",
                    [(k, r[0]) for r in rows for k in entity_keys(r[1], r[2])])
                self.db.executemany("UPDATE entities SET mentions=0, articles=0 "
                                    "WHERE entity_id=?", [(i,) for i in ids])
                self.db.executemany("UPDATE entity_variants SET count=0 WHERE entity_id=?",
                                    [(i,) for i in ids])

    def _load(self, ids: Iterable[str]) -> None:
        want = sorted(set(ids) - set(self.ents))
        for i in range(0, len(want), 500):
            chunk = want[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for eid, name, etype, mentions in self.db.execute(
                    f"SELECT entity_id, name, type, mentions FROM entities "
                    f"WHERE entity_id IN ({marks})", chunk):
                self.ents[eid] = _Stored(eid, name, etype, int(mentions))
            for eid, variant in self.db.execute(
                    f"SELECT entity_id, variant FROM entity_variants "
                    f"WHERE entity_id IN ({marks})", chunk):
                if eid in self.ents:
                    self.ents[eid].variants.add(variant)

    def _ids(self, keys: Iterable[str]) -> set[str]:
        keys = sorted(set(keys))
        out: set[str] = set()
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ",".join("?" * len(chunk))
            out |= {r[0] for r in self.db.execute(
                f"SELECT entity_id FROM entity_keys WHERE key IN ({marks})", chunk)}
        return out

    def forget(self, ids: Iterable[str]) -> None:
        """Drop cached entities (their rows changed)."""
        for eid in ids:
            self.ents.pop(eid, None)

    def exists(self, eid: str) -> bool:
        """An entity of that id is stored."""
        return self.db.execute("SELECT 1 FROM entities WHERE entity_id=?",
                               (eid,)).fetchone() is not None

    def new_id(self, etype: str, name: str, taken: set[str]) -> str:
        """A fresh id ``<type>:<slug>`` (``+`` appended while taken)."""
        eid = f"{etype.lower()}:{_slug(name)}"
        while eid in taken or self.exists(eid):
            eid += "+"
        return eid

    def _similar_surnames(self, sk: str) -> set[str]:
        found: set[str] = set()
        for prefix, rev in (("sur|", False), ("rsur|", True)):
            lo = prefix + (sk[::-1] if rev else sk)[:2]
            for (key,) in self.db.execute(
                    "SELECT DISTINCT key FROM entity_keys WHERE key >= ? AND key < ?",
                    (lo, lo + "\U0010ffff")):
                cand = key[len(prefix):]
                cand = cand[::-1] if rev else cand
                if abs(len(cand) - len(sk)) <= 2 and _same_word(cand, sk):
                    found.add(cand)
        return found

    def match(self, ent: CanonicalEntity) -> str | None:
        """The stored entity a batch entity is, or None: same type and a compatible name
        (the rules of :mod:`newsdesk.extract.entities`); the most mentioned wins."""
        strict = {_key(k) for v in ent.variants for k in _variant_keys(ent.type, v)}
        cands = self._ids(strict)
        if ent.type == "PERSON":
            cands |= self._person_candidates(ent)
        self._load(cands)
        cands = {c for c in cands if c in self.ents and self.ents[c].type == ent.type}
        if not cands:
            # The type vote of one batch can be wrong where the batch had little evidence
            # ("Tomas Halvard" tagged ORG in three reports, "Valmora" a PERSON in one):
            # the same full name, or a place's name among the place types, is the same
            # entity whatever type it was given; a one-word name is when the archive has
            # seen it at least as often as this batch.
            loose = [k for v in ent.variants for k in _loose_keys(ent.type, v)]
            strong = self._ids(_key(k) for k in loose if k[1] != "word")
            weak = self._ids(_key(k) for k in loose if k[1] == "word") - strong
            self._load(strong | weak)
            cands = {h for h in strong if h in self.ents} | {
                h for h in weak if h in self.ents and self.ents[h].mentions >= ent.mentions}
        if not cands:
            return None
        return max(sorted(cands), key=lambda c: self.ents[c].mentions)

    def _person_candidates(self, ent: CanonicalEntity) -> set[str]:
        full = [v.split() for v in ent.variants if len(v.split()) >= 2]
        short = [v.split() for v in ent.variants if len(v.split()) == 1]
        out: set[str] = set()
        # a full name decides alone: "Ken Davies" is not "Gray Davis" because its surname
        # alone ("Davies") is a spelling of "Davis"
        for words in full or short:
            sk = _skeleton(words[-1])
            near = self._similar_surnames(sk) if len(sk) >= 5 else {sk}
            ids = self._ids(f"sur|{s}" for s in near)
            self._load(ids)
            for eid in ids:
                e = self.ents.get(eid)
                if e is None or e.type != "PERSON":
                    continue
                stored = [x.split() for x in e.variants]
                stored_full = [w for w in stored if len(w) >= 2]
                if len(words) >= 2 and stored_full:
                    if any(_persons_match(words, w) for w in stored_full):
                        out.add(eid)
                elif any(_same_word(words[-1], w[-1]) for w in stored if w):
                    # a surname alone (here or there) links to the person it names
                    if len(words) == 1 or not stored_full:
                        out.add(eid)
        return out


def _variant_keys(etype: str, variant: str) -> list[tuple[str, str, str]]:
    """Exact blocking keys of one surface form (see :class:`EntityIndex`). No key links
    an acronym to a full name by its initials: an acronym goes with a name where one
    article gives both (the batch's linking, :mod:`newsdesk.extract.entities`), and is
    then found here as that entity's variant. By initials alone "Bible Church" was
    linked to "Boston Celtics" and "CIS" to "Cameron Indoor Stadium" on ECB+ dev."""
    keys = [(etype, "fold", fold(variant))]
    if etype != "PERSON":
        keys.append((etype, "org", _org_key(variant)))
    place = resolve_place(variant)
    if place is not None and place.code and place.kind in ("country", "demonym"):
        keys.append((etype, place.kind, place.code))
    return keys


_GEO_TYPES = frozenset({"GPE", "LOC", "FAC"})


def _loose_keys(etype: str, variant: str) -> list[tuple[str, str, str]]:
    """Keys that link across types: a full (multi-word) name, a one-word name (checked
    against the mentions, see :meth:`EntityIndex.match`), and a place's name among the
    place types."""
    keys = []
    if len(variant.split()) >= 2:
        keys.append(("*", "full", fold(variant)))
    elif not ACRONYM.match(variant):
        keys.append(("*", "word", fold(variant)))
    if etype in _GEO_TYPES:
        keys.append(("GEO", "fold", fold(variant)))
    return keys


# -- the report ----------------------------------------------------------------------------


@dataclass(slots=True)
class ExtractReport:
    """What :func:`extract_new` did: which articles it extracted and which were done
    already, the entity ids it created or changed, and the passage cache's counts."""

    extracted: list[Ref] = field(default_factory=list)
    already: list[Ref] = field(default_factory=list)
    missing: list[Ref] = field(default_factory=list)  # refs not in the store
    failed: list[tuple[Ref, str]] = field(default_factory=list)  # an extractor raised
    created: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)  # existing entities with new mentions
    passages: int = 0  # paragraphs looked up
    memory_hits: int = 0
    store_hits: int = 0
    parsed: int = 0  # passages spaCy parsed
    docs_stored: int = 0
    load_seconds: float = 0.0  # time spent deserialising stored parses
    seconds: float = 0.0
    runner: str = "local"  # where the parses ran: local, pool or ray
    worker_parsed: int = 0  # of ``parsed``, passages a runner's workers parsed


# -- extraction ----------------------------------------------------------------------------


def _rowids(db: sqlite3.Connection, refs: Iterable[Ref] | None
            ) -> tuple[list[tuple[int, str, str]], list[Ref]]:
    if refs is None:
        rows = db.execute("SELECT rowid, key, id FROM articles "
                          "ORDER BY published, key, rowid").fetchall()
        return [(int(r[0]), r[1], r[2]) for r in rows], []
    found: list[tuple[str, str, int, str]] = []
    missing: list[Ref] = []
    seen: set[Ref] = set()
    for key, aid in refs:
        if (key, aid) in seen:
            continue
        seen.add((key, aid))
        r = db.execute("SELECT rowid, published FROM articles WHERE key=? AND id=?",
                       (key, aid)).fetchone()
        if r is None:
            missing.append((key, aid))
        else:
            found.append((r[1] or "", key, int(r[0]), aid))
    # publication order, as for the whole store: which articles share a write batch (and
    # so an entity clustering) does not depend on the order the refs came in
    found.sort()
    return [(rid, key, aid) for _, key, rid, aid in found], missing


def _done(db: sqlite3.Connection, rowids: Sequence[int], version: str) -> set[int]:
    done: set[int] = set()
    for i in range(0, len(rowids), 500):
        chunk = list(rowids[i:i + 500])
        marks = ",".join("?" * len(chunk))
        done |= {int(r[0]) for r in db.execute(
            f"SELECT article_rowid FROM extract_done WHERE version=? AND article_rowid "
            f"IN ({marks})", (version, *chunk))}
    return done


def extract_new(store: Store, refs: Iterable[Ref] | None = None,
                options: ExtractOptions | None = None,
                on_article: Callable[[Article], None] | None = None,
                runner: Runner | None = None,
                alongside: Callable[[], None] | None = None) -> ExtractReport:
    """Extract the stored articles (``refs`` or all) that lack a current ``extract_done``
    row (all of them with ``options.force``) and write the typed tables, one transaction
    per batch of ``options.batch`` articles. Returns what was done.

    Parsing, the costly part, runs on ``runner`` (default: a process pool, one worker
    per core, see :class:`_ParseFeeder`) when at least ``options.pool_min`` articles
    need a parse, else in this process; the extractors, entity linking and the writes
    run here, batch by batch, while the workers parse the next batches. Every runner
    gives the same rows (a parse is the same wherever it ran).

    An article an extractor fails on is listed in ``failed`` (with the error) and left
    without ``extract_done``, so a later run tries it again; the rest of its batch is
    extracted article by article.

    ``alongside`` is other work for this process that does not depend on extraction (the
    archive update passes its reuse indexing): it is called once, while the workers parse
    the first batches (or first, when nothing is parsed on workers), so the cores do not
    idle while this process does it."""
    import time

    from newsdesk.extract.step import EXTRACT_VERSION, ExtractOptions, annotate

    t0 = time.perf_counter()
    options = options or ExtractOptions()
    db = store.db
    report = ExtractReport()
    rows, report.missing = _rowids(db, refs)
    done = set() if options.force else _done(db, [r[0] for r in rows], EXTRACT_VERSION)
    report.already = [(k, i) for rid, k, i in rows if rid in done]
    todo = [r for r in rows if r[0] not in done]
    if not todo:
        if alongside is not None:
            alongside()
        report.seconds = time.perf_counter() - t0
        return report
    cache: DocCache = default_cache()
    h0, m0 = cache.hits, cache.misses
    backing = StoredDocs(db)
    index = EntityIndex(store)
    size = max(1, int(getattr(options, "batch", DEFAULT_BATCH) or DEFAULT_BATCH))
    batches = _batches(todo, size)
    if runner is None:
        runner = extraction_runner()
    feeder: _ParseFeeder | None = None
    if not isinstance(runner, LocalRunner):
        feeder = _ParseFeeder(store, batches, cache, backing, runner,
                              getattr(options, "pool_min", POOL_MIN_ARTICLES))
        if not feeder.start():
            feeder = None  # too few articles need a parse: they are parsed here
        else:
            report.runner = "ray" if isinstance(runner, RayRunner) else "pool"
    if alongside is not None:
        try:
            alongside()
        except BaseException:
            if feeder is not None:
                feeder.close()
            raise
    for bi, chunk in enumerate(batches):
        rowid_of = {(k, i): rid for rid, k, i in chunk}
        planned = feeder.articles.pop(bi, None) if feeder is not None else None
        articles = planned if planned is not None else list(store.articles(list(rowid_of)))
        if feeder is not None:
            feeder.take(bi)  # the batch's worker parses into the cache and the backing
        # titles are parsed (or found parsed by the workers) and kept like paragraphs:
        # the event features read them next, from the cache or from passage_docs
        cache.parse_many([t for a in articles for t in title_passage(a)], backing=backing)
        try:
            # the stage guard (newsdesk.guard) reports an article an extractor raised on
            # and empties that layer: such an article is not written as done
            with collect_failures() as failed:
                result = annotate(articles, on_article, cache=cache, backing=backing)
            bad = failed.refs()
            for f in failed.items:
                report.failed.append(((f.key, f.id), f"{f.stage}: {f.reason}"))
            groups = [(articles, result)]
        except Exception:  # an extractor bug on one article must not stop the batch
            bad = set()
            groups = []
            for a in store.articles(list(rowid_of)):
                try:
                    groups.append(([a], annotate([a], on_article, cache=cache,
                                                 backing=backing)))
                except Exception as e:
                    report.failed.append(((a.key, a.id), f"{type(e).__name__}: {e}"))
        for arts, result in groups:
            report.passages += sum(len(a.paragraphs) for a in arts)
            # an article a stage failed on keeps what the other extractors found, but is
            # not marked done: the next run extracts it again (its rows are replaced)
            _write_batch(store, arts, rowid_of, result, index, backing, EXTRACT_VERSION,
                         report, not_done=bad)
            report.extracted.extend((a.key, a.id) for a in arts if (a.key, a.id) not in bad)
    if feeder is not None:
        feeder.close()
        report.worker_parsed = feeder.parsed
        if feeder.error:
            report.runner += f" (then local: {feeder.error})"
    report.memory_hits = max(0, cache.hits - h0 - report.worker_parsed)
    report.parsed = cache.misses - m0 + report.worker_parsed
    report.store_hits = backing.loaded
    report.docs_stored = backing.stored
    report.load_seconds = backing.load_seconds
    report.changed -= report.created
    report.seconds = time.perf_counter() - t0
    return report


def _batches(todo: list[Any], size: int) -> list[list[Any]]:
    """``todo`` in write batches of ``size``, the last one cut in halves down to
    ``size // TAIL_SHARE`` (:func:`newsdesk.pipeline.halve_last`)."""
    starts = halve_last(list(range(0, len(todo), size)), len(todo), size // TAIL_SHARE)
    return [todo[a:b] for a, b in itertools.pairwise([*starts, len(todo)])]


_END = "\0newsdesk-batch-end"  # the key of the marker that closes a batch's work


class _ParseFeeder:
    """Parses for :func:`extract_new` on a runner, a batch ahead of the extractors.

    Each write batch's articles are planned in order: the paragraphs whose passage key
    is neither in memory, nor in ``passage_docs``, nor planned for an earlier article
    (the first text of a key is the one parsed, as :class:`~newsdesk.nlp.DocCache`
    does in one process). Those passages go to :class:`ParseStep` on the runner in
    tasks of ``PASSAGES_PER_TASK`` (each an :class:`Article` whose paragraphs are the
    passages, named after the articles they come from), then a marker article closes
    the batch. :meth:`take`
    reads the results up to a batch's marker: each doc's bytes are queued for
    ``passage_docs`` (written by this process only, in the batch's transaction) and the
    doc, rebuilt, is put in the in-memory cache, where the extractors find it. The
    runner reads the plan lazily (a :class:`PoolRunner` keeps a few tasks in flight),
    so workers parse the next batches while this process extracts and writes one.

    Whatever the runner did not parse (a worker died, a doc of another text variant)
    is parsed here by the extractors' own cache lookup, so results never depend on it.
    """

    def __init__(self, store: Store, batches: list[list[tuple[int, str, str]]],
                 cache: DocCache, backing: StoredDocs, runner: Runner, min_articles: int
                 ) -> None:
        self.store, self.batches, self.cache, self.backing = store, batches, cache, backing
        self.runner, self.min_articles = runner, min_articles
        self.planned: set[str] = set()
        self.plans: list[list[Article]] = []
        # each batch's articles as planning read them, until extraction takes them
        # (read once from the store, not once to plan and again to extract)
        self.articles: dict[int, list[Article]] = {}
        self.results: Iterator[Article] | None = None
        self.parsed = 0
        self.error: str | None = None

    def _plan(self, bi: int) -> tuple[list[Article], int]:
        """Batch ``bi``'s passages to parse, grouped in tasks, and how many of its
        articles need a parse."""
        chunk = self.batches[bi]
        todo: list[tuple[str, str]] = []  # (article key, passage text)
        n_articles = 0
        arts = list(self.store.articles([(k, i) for _, k, i in chunk]))
        if len(self.articles) < KEEP_PLANNED_BATCHES:
            self.articles[bi] = arts
        # the title is parsed as a passage too (the event features read it)
        texts = [a.paragraph_texts() + title_passage(a) for a in arts]
        keys = [[passage_key(t) for t in ts] for ts in texts]
        fresh = {k for ks in keys for k in ks
                 if k not in self.planned and k not in self.cache.docs}
        fresh -= self.backing.known(sorted(fresh))
        for a, ts, ks in zip(arts, texts, keys, strict=True):
            before = len(todo)
            for t, k in zip(ts, ks, strict=True):
                if k in fresh and k not in self.planned:
                    self.planned.add(k)
                    todo.append((a.key, t))
            n_articles += len(todo) > before
        work = []
        for j in range(0, len(todo), PASSAGES_PER_TASK):
            group = todo[j:j + PASSAGES_PER_TASK]
            text, paras, at = "", [], 0
            for _, t in group:
                paras.append(Paragraph(at, at + len(t)))
                text += t + "\n\n"
                at += len(t) + 2
            owners = list(dict.fromkeys(k for k, _ in group))
            work.append(Article(
                key=f"passages of {owners[0]}" + (f" (+{len(owners) - 1})" if owners[1:]
                                                  else ""),
                text=text, id=f"parse:{bi}:{j}", paragraphs=paras,
                origin=", ".join(owners[:5]) + (", ..." if owners[5:] else "")))
        return work, n_articles

    def start(self) -> bool:
        """Plan batches until ``min_articles`` articles need a parse; False (and nothing
        started) when the whole run has fewer, else start the runner."""
        n = 0
        while len(self.plans) < len(self.batches) and n < max(1, self.min_articles):
            work, n_articles = self._plan(len(self.plans))
            self.plans.append(work)
            n += n_articles
        if n == 0 or n < self.min_articles:
            self.articles.clear()
            return False
        load_nlp()  # the vocabulary the docs are rebuilt with (and, forked, the workers')
        runner = self.runner
        if getattr(runner, "chunk_size", EXTRACT_CHUNK) != EXTRACT_CHUNK or \
                getattr(runner, "ahead", TASKS_AHEAD) < TASKS_AHEAD:
            # a task is already PASSAGES_PER_TASK passages: a runner made for ingest
            # (64 articles a task, 3 tasks ahead) would put a whole run in one or two
            # tasks, and let the workers run dry while a batch is extracted
            runner = copy.copy(runner)
            runner.chunk_size = EXTRACT_CHUNK  # type: ignore[attr-defined]
            if isinstance(runner, PoolRunner):
                runner.ahead = max(runner.ahead, TASKS_AHEAD)
        # the workers also read off each parse what the extractors need of it alone
        # (newsdesk.extract.memos), so this process only does the batch-wide work
        try:  # a pool starts at the call (its first window submitted)
            self.results = iter(runner.run([ParseStep(memos=memos.compute)], self._stream()))
        except Exception as e:  # noqa: BLE001 - no pool: every parse is made here
            self.error = f"{type(e).__name__}: {e}"
            self.articles.clear()
            return False
        return True

    def _stream(self) -> Iterator[Article]:
        for bi in range(len(self.batches)):
            yield from (self.plans[bi] if bi < len(self.plans) else self._plan(bi)[0])
            yield Article(key=_END, text="", id=_END, meta={"batch": bi})

    def take(self, bi: int) -> None:
        """Put the worker parses of batch ``bi`` in the cache and the backing."""
        if self.results is None:
            return
        try:
            for a in self.results:
                if a.key == _END:
                    if a.meta.get("batch") == bi:
                        return
                    continue
                for s in a.annotations.get(PARSES, []):
                    key, blob = str(s.attrs["key"]), s.attrs["doc"]
                    self.backing.put_blob(key, blob)
                    doc = doc_of_blob(blob)
                    if s.attrs.get("memos"):
                        memos.install(doc, s.attrs["memos"])
                    self.cache.put(key, doc)
                    self.parsed += 1
        except Exception as e:  # noqa: BLE001 - a lost worker: the rest is parsed here
            self.error = f"{type(e).__name__}: {e}"
            self.close()

    def close(self) -> None:
        """Stop the runner (its pool or actors end)."""
        results, self.results = self.results, None
        close = getattr(results, "close", None)
        if close is not None:
            close()


def _link(result: EntityResult, index: EntityIndex) -> dict[str, str]:
    """Batch entity id -> archive entity id (a new id where nothing stored matches).

    Only entities stored before the batch are candidates: what the batch extractor kept
    apart stays apart, so a store fed day by day agrees with one fed in one batch."""
    out: dict[str, str] = {}
    fresh: list[CanonicalEntity] = []
    for ent in sorted(result.entities.values(), key=lambda e: (-e.mentions, e.id)):
        hit = index.match(ent)
        if hit is None:
            fresh.append(ent)
        else:
            out[ent.id] = hit
    taken: set[str] = set()
    for ent in sorted(fresh, key=lambda e: e.id):
        eid = index.new_id(ent.type, ent.canonical, taken)
        taken.add(eid)
        out[ent.id] = eid
    return out


def _write_batch(store: Store, articles: list[Article], rowid_of: dict[Ref, int],
                 result: EntityResult, index: EntityIndex, backing: StoredDocs,
                 version: str, report: ExtractReport,
                 not_done: set[Ref] | frozenset[Ref] = frozenset()) -> None:
    """One transaction: the batch's rows, its entities' updates, parses and done marks.

    The batch's entities are linked to the archive's inside the transaction, holding the
    write lock: two processes extracting into one store at once then link to each
    other's new entities instead of both creating the same id (linked before the lock,
    the second one's insert failed on ``entities.entity_id``)."""
    with store.transaction() as db:
        touched = _write_batch_locked(db, articles, rowid_of, result, index, backing,
                                      version, report, not_done)
    index.forget(touched)


def _write_batch_locked(db: sqlite3.Connection, articles: list[Article],
                        rowid_of: dict[Ref, int], result: EntityResult, index: EntityIndex,
                        backing: StoredDocs, version: str, report: ExtractReport,
                        not_done: set[Ref] | frozenset[Ref]) -> set[str]:
    """:func:`_write_batch` inside its transaction; returns the entity ids it changed."""
    link = _link(result, index)
    known = {eid for eid in set(link.values()) if index.exists(eid)}
    batch_table = result.entities
    now = _now()
    mention_rows: list[tuple[Any, ...]] = []
    quote_rows: list[tuple[Any, ...]] = []
    qty_rows: list[tuple[Any, ...]] = []
    date_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
    # per archive entity: variant counts, mentions, articles, first/last seen
    variants: dict[str, Counter[str]] = defaultdict(Counter)
    arts: dict[str, set[int]] = defaultdict(set)
    seen: dict[str, list[str]] = defaultdict(list)
    for a in articles:
        rid = rowid_of[(a.key, a.id)]
        ents = a.annotations.get("entities", [])
        by_canonical: dict[str, str] = {}
        for s in ents:
            eid = link.get(str(s.attrs.get("entity_id")), str(s.attrs.get("entity_id")))
            by_canonical.setdefault(str(s.attrs.get("canonical")), eid)
            text = a.text[s.start:s.end]
            mention_rows.append((rid, s.start, s.end, eid, s.label, text, s.attrs.get("role")))
            variants[eid][text] += 1
            arts[eid].add(rid)
            if a.published:
                seen[eid].append(a.published)

        def entity_of(name: Any, start: int | None = None, end: int | None = None,
                      ents: list[Span] = ents, by_canonical: dict[str, str] = by_canonical
                      ) -> str | None:
            if start is not None and end is not None:
                for s in ents:
                    if s.start < end and start < s.end and s.attrs.get("canonical") == name:
                        return link.get(str(s.attrs.get("entity_id")))
            if not name:
                return None
            if name in by_canonical:
                return by_canonical[name]
            hits = [e for e in batch_table.values() if e.canonical == name]
            return link.get(max(hits, key=lambda e: e.mentions).id) if hits else None

        for q in a.annotations.get("quotes", []):
            at = q.attrs
            quote_rows.append((
                rid, q.start, q.end, at.get("speaker"),
                entity_of(at.get("speaker_entity"), at.get("speaker_start"),
                          at.get("speaker_end")),
                at.get("speaker_start"), at.get("speaker_end"), at.get("cue"),
                at.get("cue_start"), at.get("cue_end"), at.get("content") or "",
                at.get("content_start"), at.get("content_end"), int(bool(at.get("direct"))),
                at.get("kind")))
        for s in a.annotations.get("quantities", []):
            at = s.attrs
            qty_rows.append((rid, s.start, s.end, at.get("value"), at.get("unit") or "",
                             at.get("about") or "", at.get("qualifier"),
                             int(bool(at.get("approximate"))), a.text[s.start:s.end]))
        for s in a.annotations.get("dates", []):
            date_rows.append((rid, s.start, s.end, s.attrs.get("value"), s.attrs.get("grain"),
                              a.text[s.start:s.end]))
        for s in a.annotations.get("events", []):
            at = s.attrs
            actors: dict[str, Any] = {}
            for side in ("source", "target"):
                actors[side] = [
                    {**x, "entity_id": entity_of(x.get("entity"), x.get("start"),
                                                 x.get("end"))}
                    for x in at.get(side) or []]
            actors["trigger"] = at.get("trigger")
            actors["rule"] = at.get("rule")
            src = actors["source"][0] if actors["source"] else {}
            tgt = actors["target"][0] if actors["target"] else {}
            event_rows.append((
                rid, s.start, s.end, at.get("date"), str(at.get("event") or s.label),
                at.get("mode"), src.get("code"), src.get("entity_id"), src.get("text"),
                tgt.get("code"), tgt.get("entity_id"), tgt.get("text"), at.get("place"),
                json.dumps(actors, ensure_ascii=False)))
    rids = [rowid_of[(a.key, a.id)] for a in articles]
    old = _forget(db, rids)  # only with --force: earlier rows of these articles
    for t, rows in (("mentions", mention_rows), ("quotes", quote_rows),
                    ("quantities", qty_rows), ("date_mentions", date_rows),
                    ("political_events", event_rows)):
        if rows:
            cols = _COLUMNS[t]
            marks = ",".join("?" * len(cols))
            # OR IGNORE: two findings on one key (same offsets) keep the first
            db.executemany(f"INSERT OR IGNORE INTO {t} ({', '.join(cols)}) "
                           f"VALUES ({marks})", rows)
    batch_by_archive: dict[str, CanonicalEntity] = {}
    for bid, eid in link.items():
        ent = batch_table[bid]
        prev = batch_by_archive.get(eid)
        if prev is None or ent.mentions > prev.mentions:
            batch_by_archive[eid] = ent
    roles: dict[str, set[str]] = defaultdict(set)
    for bid, eid in link.items():
        roles[eid] |= batch_table[bid].roles
    for eid in sorted(set(variants) | set(old)):
        best = batch_by_archive.get(eid)
        _update_entity(db, eid, best, eid not in known, variants.get(eid, Counter()),
                       len(arts.get(eid, ())), seen.get(eid, []), roles.get(eid, set()),
                       old.get(eid))
        if eid not in known and best is not None:
            report.created.add(eid)
        else:
            report.changed.add(eid)
    key_rows = []
    for eid, vs in variants.items():
        row = db.execute("SELECT type FROM entities WHERE entity_id=?", (eid,)).fetchone()
        if row is not None:
            key_rows += [(k, eid) for v in vs for k in entity_keys(row[0], v)]
    db.executemany("INSERT OR IGNORE INTO entity_keys (key, entity_id) VALUES (?,?)",
                   key_rows)
    backing.flush(db)
    skip = {rowid_of[ref] for ref in not_done if ref in rowid_of}
    db.executemany("INSERT OR REPLACE INTO extract_done (article_rowid, version, at) "
                   "VALUES (?,?,?)", [(r, version, now) for r in rids if r not in skip])
    return set(variants) | set(old)


def _forget(db: sqlite3.Connection, rids: list[int]) -> dict[str, tuple[Counter[str], int]]:
    """Delete the extraction rows of articles about to be re-extracted; returns each
    entity's lost (variant counts, articles) so its totals can be corrected."""
    lost: dict[str, tuple[Counter[str], int]] = {}
    marks = ",".join("?" * len(rids))
    rows = db.execute(f"SELECT entity_id, text, article_rowid FROM mentions "
                      f"WHERE article_rowid IN ({marks})", rids).fetchall()
    per: dict[str, tuple[Counter[str], set[int]]] = {}
    for eid, text, rid in rows:
        c, s = per.setdefault(eid, (Counter(), set()))
        c[text] += 1
        s.add(rid)
    lost = {eid: (c, len(s)) for eid, (c, s) in per.items()}
    for t in TABLES:
        db.execute(f"DELETE FROM {t} WHERE article_rowid IN ({marks})", rids)
    return lost


def _update_entity(db: sqlite3.Connection, eid: str, ent: CanonicalEntity | None, new: bool,
                   variants: Counter[str], n_articles: int, dates: list[str],
                   roles: set[str], lost: tuple[Counter[str], int] | None) -> None:
    """Insert a new entity or add a batch's counts to a stored one (name and id stay)."""
    n = sum(variants.values())
    first = min(dates) if dates else None
    last = max(dates) if dates else None
    if new and ent is not None:
        db.execute(
            "INSERT INTO entities (entity_id, name, type, country, roles, mentions, articles, "
            "first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?)",
            (eid, ent.canonical, ent.type, ent.country, json.dumps(sorted(roles)), n,
             n_articles, first, last))
    else:
        row = db.execute("SELECT roles, country, first_seen, last_seen FROM entities "
                         "WHERE entity_id=?", (eid,)).fetchone()
        if row is None:
            return
        lost_c, lost_a = lost or (Counter(), 0)
        all_roles = sorted(set(json.loads(row[0])) | roles)
        country = row[1] or (ent.country if ent else None)
        f = min(x for x in (row[2], first) if x) if (row[2] or first) else None
        la = max(x for x in (row[3], last) if x) if (row[3] or last) else None
        db.execute(
            "UPDATE entities SET roles=?, country=?, mentions=mentions+?, "
            "articles=articles+?, first_seen=?, last_seen=? WHERE entity_id=?",
            (json.dumps(all_roles), country, n - sum(lost_c.values()), n_articles - lost_a,
             f, la, eid))
        for v, c in lost_c.items():
            db.execute("UPDATE entity_variants SET count=count-? WHERE entity_id=? AND "
                       "variant=?", (c, eid, v))
        db.execute("DELETE FROM entity_variants WHERE entity_id=? AND count<=0", (eid,))
    db.executemany(
        "INSERT INTO entity_variants (entity_id, variant, count) VALUES (?,?,?) "
        "ON CONFLICT (entity_id, variant) DO UPDATE SET count=count+excluded.count",
        [(eid, v, c) for v, c in sorted(variants.items())])
    if not new:
        _revise(db, eid)


def _revise(db: sqlite3.Connection, eid: str) -> None:
    """The name follows the archive's evidence (id and type stay as created: a batch's
    type applies to all its mentions however weak its vote, so counting them would let
    three reports that tag "Tomas Halvard" ORG outvote the titles that make him a
    person): for people and organisations, the name the batch extractor would choose
    from all the variant counts (a full name before a surname alone, a long form before
    an acronym, then the most frequent)."""
    row = db.execute("SELECT name, type FROM entities WHERE entity_id=?", (eid,)).fetchone()
    if row is None:
        return
    name, etype = row[0], row[1]
    if etype in ("PERSON", "ORG"):
        vs = dict(db.execute("SELECT variant, count FROM entity_variants WHERE entity_id=?",
                             (eid,)).fetchall())
        if name in vs:
            names = list(vs)
            if etype == "PERSON":
                names = [x for x in names if len(x.split()) >= 2] or names
            else:
                names = [x for x in names if not ACRONYM.match(x)] or names
            name = sorted(names, key=lambda x: (-vs[x], -len(x.split()), x))[0]
    if name != row[0]:
        db.execute("UPDATE entities SET name=? WHERE entity_id=?", (name, eid))


# -- readers -------------------------------------------------------------------------------


def load_entities(store: Store, ids: Iterable[str] | None = None) -> dict[str, Entity]:
    """Archive entities (all, or those ``ids``) with their variants and counts."""
    db = store.db
    if ids is None:
        rows = db.execute("SELECT * FROM entities ORDER BY entity_id").fetchall()
        vrows = db.execute("SELECT entity_id, variant, count FROM entity_variants "
                           "ORDER BY entity_id, variant").fetchall()
    else:
        want = sorted(set(ids))
        rows, vrows = [], []
        for i in range(0, len(want), 500):
            chunk = want[i:i + 500]
            marks = ",".join("?" * len(chunk))
            rows += db.execute(f"SELECT * FROM entities WHERE entity_id IN ({marks}) "
                               "ORDER BY entity_id", chunk).fetchall()
            vrows += db.execute(f"SELECT entity_id, variant, count FROM entity_variants "
                                f"WHERE entity_id IN ({marks}) ORDER BY entity_id, variant",
                                chunk).fetchall()
    out = {r["entity_id"]: Entity(
        entity_id=r["entity_id"], name=r["name"], type=r["type"], country=r["country"],
        roles=json.loads(r["roles"]), mentions=int(r["mentions"]),
        articles=int(r["articles"]), first_seen=r["first_seen"], last_seen=r["last_seen"])
        for r in rows}
    for eid, v, c in vrows:
        if eid in out:
            out[eid].variants[v] = int(c)
    return out


def _refs_rowids(db: sqlite3.Connection, refs: Iterable[Ref]) -> dict[int, Ref]:
    out: dict[int, Ref] = {}
    for key, aid in refs:
        r = db.execute("SELECT rowid FROM articles WHERE key=? AND id=?", (key, aid)).fetchone()
        if r is not None:
            out[int(r[0])] = (key, aid)
    return out


def _rows(db: sqlite3.Connection, table: str, rid: int) -> list[sqlite3.Row]:
    return db.execute(f"SELECT * FROM {table} WHERE article_rowid=? ORDER BY rowid",
                      (rid,)).fetchall()


def _value(v: Any) -> Any:
    """A REAL column gives back 50000.0 for the extractor's 50000: whole numbers are
    returned as int, as the extractor gave them."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 2 ** 53:
        return int(v)
    return v


def _actor(d: dict[str, Any]) -> Actor:
    return Actor(text=str(d.get("text") or ""), code=d.get("code"), sector=d.get("sector"),
                 entity_id=d.get("entity_id"), start=int(d.get("start") or 0),
                 end=int(d.get("end") or 0))


def load_extractions(store: Store, refs: Iterable[Ref]) -> dict[Ref, Extraction]:
    """The typed extraction records of stored articles, from the tables (articles not
    extracted yet give an empty :class:`~newsdesk.model.Extraction`)."""
    db = store.db
    out: dict[Ref, Extraction] = {}
    for rid, ref in _refs_rowids(db, refs).items():
        x = Extraction()
        x.mentions = [EntityMention(r["start"], r["end"], r["entity_id"], r["type"], r["text"],
                                    r["role"]) for r in _rows(db, "mentions", rid)]
        x.quotes = [Quote(
            start=r["start"], end=r["end"], content=r["content"],
            content_start=r["content_start"], content_end=r["content_end"],
            direct=bool(r["direct"]), speaker=r["speaker"], speaker_entity=r["speaker_entity"],
            speaker_start=r["speaker_start"], speaker_end=r["speaker_end"], cue=r["cue"],
            cue_start=r["cue_start"], cue_end=r["cue_end"], kind=r["kind"])
            for r in _rows(db, "quotes", rid)]
        x.quantities = [Quantity(r["start"], r["end"], _value(r["value"]), r["text"], r["unit"],
                                 r["about"], r["qualifier"], bool(r["approximate"]))
                        for r in _rows(db, "quantities", rid)]
        x.dates = [DateMention(r["start"], r["end"], r["text"], r["value"], r["grain"])
                   for r in _rows(db, "date_mentions", rid)]
        for r in _rows(db, "political_events", rid):
            actors = json.loads(r["actors"])
            x.events.append(PoliticalEvent(
                r["start"], r["end"], r["type"], r["date"], r["mode"], r["place"],
                [_actor(d) for d in actors.get("source", [])],
                [_actor(d) for d in actors.get("target", [])]))
        out[ref] = x
    return out


def _content_parts(text: str, content: str, cs: int, ce: int) -> list[list[int]]:
    """The quotation's parts (one, or two around the cue) from its joined ``content``:
    the extractor joins the parts with one space, so the first split that gives the
    content back is the one it made."""
    if text[cs:ce] == content:
        return [[cs, ce]]
    for cut in range(1, len(content)):
        if content[cut] != " ":
            continue
        head, tail = content[:cut], content[cut + 1:]
        if text[cs:cs + cut] == head and text[ce - len(tail):ce] == tail:
            return [[cs, cs + cut], [ce - len(tail), ce]]
    return [[cs, ce]]


def attach_layers(store: Store, articles: Iterable[Article]) -> list[Article]:
    """Put the five annotation layers (``entities``, ``quotes``, ``quantities``,
    ``dates``, ``events``) on articles from the tables, as ``Span`` with the attrs
    :func:`~newsdesk.extract.step.annotate` gives (entity ids and canonical names are
    the archive's; ``speaker_entity`` stays the speaker's canonical name, its id is in
    ``speaker_entity_id``). Articles not extracted yet get no layers."""
    db = store.db
    arts = list(articles)
    rids = _refs_rowids(db, [(a.key, a.id) for a in arts])
    by_ref = {ref: rid for rid, ref in rids.items()}
    ids: set[str] = set()
    cached: dict[int, dict[str, list[sqlite3.Row]]] = {}
    for rid in rids:
        # an article not done has no rows, or the rows of an extraction a stage failed
        # on (the other extractors' findings): either way its layers are what is stored
        cached[rid] = {t: _rows(db, t, rid) for t in TABLES}
        ids |= {r["entity_id"] for r in cached[rid]["mentions"]}
        ids |= {r["speaker_entity"] for r in cached[rid]["quotes"] if r["speaker_entity"]}
    table = load_entities(store, ids)

    def name(eid: str | None, fallback: Any = None) -> Any:
        e = table.get(eid) if eid else None
        return e.name if e is not None else fallback

    for a in arts:
        arid = by_ref.get((a.key, a.id))
        if arid is None or arid not in cached:
            continue
        rows = cached[arid]
        ents = []
        for r in rows["mentions"]:
            e = table.get(r["entity_id"])
            ents.append(Span(r["start"], r["end"], e.type if e else r["type"], {
                "canonical": e.name if e else r["text"], "entity_id": r["entity_id"],
                "country": e.country if e else None, "role": r["role"]}))
        quotes = []
        for r in rows["quotes"]:
            attrs = {
                "speaker": r["speaker"], "speaker_start": r["speaker_start"],
                "speaker_end": r["speaker_end"], "cue": r["cue"], "cue_start": r["cue_start"],
                "cue_end": r["cue_end"], "content": r["content"],
                "content_start": r["content_start"], "content_end": r["content_end"],
                "content_parts": _content_parts(a.text, r["content"], r["content_start"],
                                                r["content_end"]),
                "direct": bool(r["direct"]), "speaker_entity": name(r["speaker_entity"]),
                "kind": r["kind"], "speaker_entity_id": r["speaker_entity"]}
            quotes.append(Span(r["start"], r["end"], "QUOTE", attrs))
        qtys = []
        for r in rows["quantities"]:
            qa: dict[str, Any] = {"value": _value(r["value"]), "unit": r["unit"],
                                  "about": r["about"]}
            if r["qualifier"]:
                qa["qualifier"] = r["qualifier"]
                qa["approximate"] = bool(r["approximate"])
            qtys.append(Span(r["start"], r["end"], "QUANTITY", qa))
        dates = [Span(r["start"], r["end"], "DATE", {"value": r["value"], "grain": r["grain"]})
                 for r in rows["date_mentions"]]
        events = []
        for r in rows["political_events"]:
            actors = json.loads(r["actors"])
            sides = {side: [{**{k: v for k, v in x.items() if k != "entity_id"},
                             "entity": name(x.get("entity_id"), x.get("entity")),
                             "entity_id": x.get("entity_id")}
                            for x in actors.get(side, [])] for side in ("source", "target")}
            events.append(Span(r["start"], r["end"], r["type"], {
                "event": r["type"], "source": sides["source"], "target": sides["target"],
                "date": r["date"], "place": r["place"], "trigger": actors.get("trigger"),
                "rule": actors.get("rule"), "mode": r["mode"]}))
        a.annotations.update({"entities": ents, "quotes": quotes, "quantities": qtys,
                              "dates": dates, "events": events})
    return arts


def _version() -> str:
    from newsdesk.extract.step import EXTRACT_VERSION

    return EXTRACT_VERSION


def canonical_table(entities: dict[str, Entity]) -> dict[str, CanonicalEntity]:
    """Archive entities in the batch extractor's :class:`CanonicalEntity` form (what
    ``ExtractRun.entities`` and the brief read)."""
    return {eid: CanonicalEntity(eid, e.name, e.type, set(e.variants), e.country,
                                 set(e.roles), e.mentions) for eid, e in entities.items()}
