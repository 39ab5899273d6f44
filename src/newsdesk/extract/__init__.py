"""Extraction (issue 5): entities, quotes, quantities, dates and PLOVER events.

Every result is a :class:`~newsdesk.model.Span` into ``Article.text`` (the cleaned body that
``newsdesk articles`` prints; page furniture never reaches it). NLP runs once per unique
passage: :func:`newsdesk.extract.step.annotate` parses the batch once with
:func:`newsdesk.nlp.parse_articles` (one ``nlp.pipe`` stream, cached per passage) and hands
the same parsed paragraphs to every extractor; per-passage extractor results are cached on
the spaCy doc too (``doc.user_data["newsdesk.extract.*"]``), so wire copies cost little.

Interface between the extractors (agreed between the two engineers of issue 5)
------------------------------------------------------------------------------
Entities come first, over the whole batch (canonical names are a corpus-level decision)::

    extract_entities(articles: list[Article],
                     parsed: Sequence[list[ParsedParagraph]] | None = None) -> EntityResult

``parsed`` holds each article's parsed paragraphs in the order of ``articles`` (parsed here
when None).
Each article gets an ``entities`` layer of
``Span(start, end, label=TYPE, attrs={"canonical": str, "entity_id": str,
"country": ISO alpha-3 | None, "role": str | None})`` where TYPE is one of PERSON, ORG,
GPE, LOC, NORP, FAC, EVENT, PRODUCT, LAW, WORK_OF_ART, LANGUAGE after cross-document
majority type fixing. ``role`` is a title or office found next to the name ("Foreign
Minister", "Army chief", "Prime Minister"); it is never part of the canonical name.
``EntityResult.entities`` is the canonical table, ``entity_id -> CanonicalEntity`` with
fields ``id, canonical, type, variants (set of surface strings), country, roles,
mentions``; ``EntityResult.spans[key]`` are the spans of one article;
``EntityResult.by_role("Foreign Minister", "RUS")`` lists the people holding a role (most
mentioned first) for resolving "the visiting Foreign Minister". Entity ids are
``<type>:<slug of canonical>`` ("person:sergey-lavrov"), stable for the same batch; in a
store, :mod:`newsdesk.extract.archive` links each batch's entities to the archive-wide
``entities`` table, whose ids never change (a later "Sergei Lavrov" links to the stored
"Sergey Lavrov"), and the layers read back from the store carry those ids.
Countries without an ISO code (fictional, or found only through their demonym in the
batch) have ``country`` None.

Quotes (``newsdesk.extract.quotes``)::

    find_quotes(article: Article, paras: list[ParsedParagraph], entities: list[Span])
        -> list[Span]

layer ``quotes``; attrs ``speaker, speaker_start, speaker_end, cue, cue_start, cue_end,
content, content_start, content_end, direct, speaker_entity``.

PLOVER events (``newsdesk.extract.plover``)::

    code_events(article: Article, paras: list[ParsedParagraph], entities: list[Span],
                dates: list[Span]) -> list[Span]

layer ``events``; attrs ``event, source: [{text, code, sector}], target: [...], date``.

Dates (``newsdesk.extract.dates``)::

    find_dates(article: Article, paras: list[ParsedParagraph]) -> list[Span]

layer ``dates``: ``Span(start, end, "DATE", attrs={"value": str | None, "grain": "day" |
"month" | "year" | "week" | None})``; ``value`` is ISO 8601 at the expression's precision:
``YYYY-MM-DD`` for a day, ``YYYY-MM`` for "June 2019", ``YYYY`` for "last year",
``YYYY-Www`` for "last week"; None when unresolvable. Relative expressions are resolved
against ``Article.published`` or the dateline (see :mod:`newsdesk.extract.dates`).

Quantities (``newsdesk.extract.quantities``)::

    find_quantities(article: Article, paras: list[ParsedParagraph]) -> list[Span]

layer ``quantities``: ``Span(start, end, "QUANTITY", attrs={"value": float | int,
"unit": str, "about": str})`` plus ``qualifier`` ("about", "at least") and ``approximate``
when a qualifier is in the span. ``unit`` is "percent", an ISO currency code ("USD"), a
unit of measure or time as written ("tonnes", "years"), or the counted noun ("doses",
"crane operators"); "" for a bare number. ``about`` is what is counted or measured.

The batch driver is :func:`newsdesk.extract.step.annotate` (and :class:`ExtractStep`,
``extract_articles(articles) -> list[dict]`` for the ``newsdesk extract`` JSONL records).
Over a store: :func:`newsdesk.extract.archive.extract_new` (once per new article, into the
typed tables of ``docs/schema.md``) and :func:`newsdesk.extract.step.extract_stored`
(the same, returning articles with their layers).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ExtractStep",
    "extract_articles",
    "extract_entities",
    "find_dates",
    "find_quantities",
]


def __getattr__(name: str) -> Any:
    """Import lazily, so extractor modules may import each other without cycles."""
    if name in ("ExtractStep", "extract_articles", "ExtractOptions"):
        from newsdesk.extract import step

        return getattr(step, name)
    if name in ("extract_entities", "EntityResult", "CanonicalEntity"):
        from newsdesk.extract import entities

        return getattr(entities, name)
    if name == "find_dates":
        from newsdesk.extract.dates import find_dates

        return find_dates
    if name == "find_quantities":
        from newsdesk.extract.quantities import find_quantities

        return find_quantities
    raise AttributeError(f"module 'newsdesk.extract' has no attribute {name!r}")
