"""The central data model: articles and character-offset annotations.

Every later stage attaches its results as spans into ``Article.text`` so that any
sentence newsdesk shows can cite the exact place it came from.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

_WS = re.compile(r"\s+")


def normalise_body(text: str) -> str:
    """Normalise a body for identity: Unicode NFKC, curly quotes folded, case and spacing ignored."""
    t = unicodedata.normalize("NFKC", text)
    # str.replace guarded by a membership test is ~100x faster than str.translate with a
    # dict here, and this runs two or three times per ingested article.
    for ch, rep in _QUOTE_FOLD:
        if ch in t:
            t = t.replace(ch, rep)
    return _WS.sub(" ", t).strip().lower()


_QUOTE_FOLD = (
    ("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u00ab", '"'),
    ("\u00bb", '"'), ("\u2013", "-"), ("\u2014", "-"),
)


def body_id(text: str) -> str:
    """Stable content id: the same normalised body always gives the same id."""
    return hashlib.sha1(normalise_body(text).encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class Span:
    """A labelled character range ``[start, end)`` into ``Article.text``.

    ``attrs`` carries what the producing stage knows about the span (a canonical
    entity id, a parsed value, a speaker); it must stay JSON-serialisable.
    """

    start: int
    end: int
    label: str
    attrs: dict[str, Any] = field(default_factory=dict)

    def text_in(self, text: str) -> str:
        """The covered text."""
        return text[self.start : self.end]


@dataclass(slots=True)
class Paragraph:
    """A paragraph as a character range into ``Article.text``."""

    start: int
    end: int


@dataclass(slots=True)
class Article:
    """One news report after ingest and cleaning.

    ``key`` is what the user knows the article by (file stem, JSONL ``id``, WARC record
    id, feed item id); ``id`` is the hash of the normalised body, so byte-identical
    bodies share it whatever their source.
    """

    key: str
    text: str
    id: str = ""
    source: str | None = None
    credits: list[str] = field(default_factory=list)
    url: str | None = None
    published: str | None = None  # ISO date YYYY-MM-DD
    dateline: str | None = None
    title: str | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    origin: str = ""  # where it was read: path, path#record
    fmt: str = ""  # txt, html, jsonl, rss, warc
    raw: str = ""  # the raw input as read, kept for audit
    meta: dict[str, Any] = field(default_factory=dict)
    annotations: dict[str, list[Span]] = field(default_factory=dict)
    # what the extraction stage found, as typed records (set by newsdesk.extract); the
    # stages after it read this, never the layers' attrs
    extraction: Extraction | None = None

    def __post_init__(self) -> None:
        if not self.id:
            self.id = body_id(self.text)
        if not self.paragraphs:
            self.paragraphs = split_paragraphs(self.text)

    def paragraph_texts(self) -> list[str]:
        """The text of each paragraph."""
        return [self.text[p.start : p.end] for p in self.paragraphs]

    def add(self, layer: str, spans: list[Span]) -> None:
        """Attach spans under an annotation layer name (replacing earlier ones)."""
        for s in spans:
            if not (0 <= s.start <= s.end <= len(self.text)):
                raise ValueError(
                    f"Span {s.start}-{s.end} ({s.label}) lies outside article {self.key!r} "
                    f"of length {len(self.text)}; spans must index Article.text."
                )
        self.annotations[layer] = spans

    def to_dict(self, *, with_raw: bool = True) -> dict[str, Any]:
        """A JSON-ready dict."""
        d = asdict(self)
        d.pop("extraction", None)  # derived: loaded again from the store when needed
        if not with_raw:
            d.pop("raw", None)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        """Rebuild from :meth:`to_dict` output."""
        d = dict(d)
        d.pop("extraction", None)
        d["paragraphs"] = [Paragraph(**p) for p in d.get("paragraphs") or []]
        d["annotations"] = {
            k: [Span(**s) for s in v] for k, v in (d.get("annotations") or {}).items()
        }
        return cls(**d)


def split_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs are blocks separated by blank lines (or single newlines when there are none)."""
    sep = re.compile(r"\n\s*\n") if "\n\n" in text else re.compile(r"\n")
    out: list[Paragraph] = []
    pos = 0
    for m in list(sep.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        lead = len(chunk) - len(chunk.lstrip())
        s, e = pos + lead, pos + len(chunk.rstrip())
        if e > s:
            out.append(Paragraph(s, e))
        if m:
            pos = m.end()
    return out


def passage_key(text: str) -> str:
    """Stable key of a normalised passage: copies of a paragraph share it, so NLP and
    other per-passage work run once per unique passage however often it is republished.

    Memoised for paragraphs of up to ``_KEY_MEMO_CHARS`` characters (nearly all):
    ingest, reuse, parsing, extraction and the briefs each ask for the key of the same
    paragraphs (~6 times per passage in an archive update). The memo holds at most
    32,768 texts: ~10 MB for news paragraphs (~300 characters), never more than 32,768 x
    2,000 characters."""
    if len(text) <= _KEY_MEMO_CHARS:
        return _memo_passage_key(text)
    return _passage_key(text)


_KEY_MEMO_CHARS = 2000


def _passage_key(text: str) -> str:
    return hashlib.blake2b(normalise_body(text).encode("utf-8"), digest_size=10).hexdigest()


_memo_passage_key = lru_cache(maxsize=1 << 15)(_passage_key)


# -- typed records: what the stages hand each other and what the store's tables hold -------
# Each mirrors one table of ``docs/schema.md``; offsets index ``Article.text``.


@dataclass(slots=True)
class EntityMention:
    """One mention of an entity (table ``mentions``)."""

    start: int
    end: int
    entity_id: str
    type: str
    text: str
    role: str | None = None
    canonical: str = ""  # the entity's name (entities.name), for readers' convenience
    country: str | None = None  # the entity's country code, likewise


@dataclass(slots=True)
class Entity:
    """One archive-wide entity (tables ``entities`` and ``entity_variants``)."""

    entity_id: str
    name: str
    type: str
    country: str | None = None
    roles: list[str] = field(default_factory=list)
    variants: dict[str, int] = field(default_factory=dict)  # surface form -> mentions
    mentions: int = 0
    articles: int = 0
    first_seen: str | None = None
    last_seen: str | None = None


@dataclass(slots=True)
class Quote:
    """A quotation or reported speech with its speaker (table ``quotes``)."""

    start: int
    end: int
    content: str
    content_start: int
    content_end: int
    direct: bool
    speaker: str | None = None
    speaker_entity: str | None = None  # an ``entities.entity_id`` when resolved
    speaker_name: str | None = None  # that entity's name
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    kind: str | None = None


@dataclass(slots=True)
class Quantity:
    """A number with its unit and what it counts (table ``quantities``)."""

    start: int
    end: int
    value: float | None
    text: str
    unit: str = ""
    about: str = ""
    qualifier: str | None = None
    approximate: bool = False


@dataclass(slots=True)
class DateMention:
    """A date expression resolved against the article's date (table ``date_mentions``)."""

    start: int
    end: int
    text: str
    value: str | None = None  # ISO 8601 at the expression's precision
    grain: str | None = None  # day, week, month, year


@dataclass(slots=True)
class Actor:
    """A PLOVER actor: the words, a code (ISO alpha-3 or provisional) and sector."""

    text: str
    code: str | None = None
    sector: str | None = None
    entity_id: str | None = None
    start: int = 0
    end: int = 0


@dataclass(slots=True)
class PoliticalEvent:
    """One PLOVER-coded record of a sentence (table ``political_events``)."""

    start: int
    end: int
    type: str  # AGREE, CONSULT, ...
    date: str | None = None
    mode: str | None = None
    place: str | None = None
    source: list[Actor] = field(default_factory=list)
    target: list[Actor] = field(default_factory=list)


@dataclass(slots=True)
class Extraction:
    """Everything the extractors found in one article."""

    mentions: list[EntityMention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    events: list[PoliticalEvent] = field(default_factory=list)


@dataclass(slots=True)
class EventRecord:
    """One stored event (table ``events``); ``merged_into`` is set on an alias."""

    event_id: str
    title: str
    first_date: str | None
    last_date: str | None
    place: str | None
    articles: int
    copies: int
    independent_sources: int
    keywords: list[str]
    created: str
    updated: str
    merged_into: str | None = None


@dataclass(slots=True)
class ClaimRecord:
    """One stored claim of an event (tables ``claims`` and ``claim_articles``)."""

    claim_id: str
    event_id: str
    seq: int
    text: str
    status: str  # corroborated, single-source, conflicting
    independent_sources: int
    cites: list[tuple[str, int, int]]  # (article key, start, end)
    conflict: dict[str, Any] | None = None
