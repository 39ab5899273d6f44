"""Per-passage extraction work, done where the passage is parsed.

Every extractor keeps what it reads off one parsed passage alone on the doc
(``doc.user_data``): entity mention candidates, date expressions, quantities,
attributions, main-clause subjects and each sentence's PLOVER event and predicate. So a wire paragraph republished ten times is read
once. When a runner's workers parse (:class:`newsdesk.nlp.ParseStep` with
``memos=compute``), they compute those results too and send them back as plain data
beside the doc's bytes; the parent puts them on the doc it rebuilds (:func:`install`).
What is left to the one process where the results meet is what needs the whole batch
(canonical entity names, speakers, PLOVER actors), the archive links and the writes: the
serial share that capped a pool of two at 1.4-1.6x one process (BENCHMARKS.md, issue 12).

A memo is a pure function of the parse, so computing it in a worker or here gives the
same rows (tests/test_extract_runners.py compares the tables).
"""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any

from newsdesk.extract import dates, entities, plover, quantities, quotes

if TYPE_CHECKING:
    from spacy.tokens import Doc

# (name, module): each module has passage_memo(doc) and restore_passage_memo(doc, memo)
_EXTRACTORS: tuple[tuple[str, Any], ...] = (
    ("entities", entities), ("dates", dates), ("quantities", quantities),
    ("quotes", quotes), ("plover", plover))


def compute(doc: Doc) -> bytes:
    """The per-passage memos of a freshly parsed doc, pickled (plain data only: offsets,
    token indices, strings and numbers)."""
    return pickle.dumps({name: mod.passage_memo(doc) for name, mod in _EXTRACTORS},
                        protocol=pickle.HIGHEST_PROTOCOL)


def install(doc: Doc, blob: bytes) -> None:
    """Put memos from :func:`compute` (in this or another process) on ``doc``, a parse
    of the same passage: the extractors then find them instead of computing them."""
    memos = pickle.loads(blob)  # noqa: S301 - bytes our own workers made
    for name, mod in _EXTRACTORS:
        if name in memos:
            mod.restore_passage_memo(doc, memos[name])
