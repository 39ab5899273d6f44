"""Reuse and provenance: duplicates, wire copies, shared passages, independent accounts.

News is republished far more than it is written. This stage finds

* exact duplicates (same normalised body) and copies (MinHash + LSH over word shingles,
  verified by exact Jaccard *and* containment, so copies with furniture added or
  paragraphs dropped are found),
* shared passages (which stretches of A stand, verbatim or lightly edited, in B, with
  offsets on both sides and a similarity),
* per-article provenance (``copy_of``, ``paraphrases``, links, passages) and the number
  of independent accounts behind any set of articles: copies collapse, and so do outlets
  crediting the same agency for the same text; a rewrite of a common source (a press
  release) is reported as such but stays an account of its own unless
  ``ReuseOptions.merge_common_source`` is set (see :mod:`newsdesk.reuse.provenance`).

Copy detection uses newsdesk's own vectorised one-permutation MinHash rather than
datasketch: on the benchmark (``bench/bench_reuse.py``, BENCHMARKS.md) it is several
times faster at equal recall, because it hashes a whole batch with a few numpy passes
instead of a Python call per shingle and a permutation matrix per article.

Passage cache key: :func:`newsdesk.model.passage_key` of a paragraph's text is stored
for every indexed paragraph (``reuse_passage`` table) and carried by every shared
passage that is the same whole paragraph on both sides, so later stages run NLP once per
unique passage (``newsdesk.nlp`` caches parses under the same key).

Entry points: :func:`analyse_reuse` (a batch in memory), :class:`ReuseStep` (pipeline),
:class:`ReuseIndex` (incremental, in the store).
"""

from newsdesk.reuse.analyse import ReuseStep, analyse_reuse
from newsdesk.reuse.index import ReuseIndex
from newsdesk.reuse.options import ReuseOptions
from newsdesk.reuse.passages import Passage, align
from newsdesk.reuse.provenance import (
    Account,
    ArticleInfo,
    CopyGroup,
    Provenance,
    ReuseLink,
    ReuseResult,
)

__all__ = [
    "Account",
    "ArticleInfo",
    "CopyGroup",
    "Passage",
    "Provenance",
    "ReuseIndex",
    "ReuseLink",
    "ReuseOptions",
    "ReuseResult",
    "ReuseStep",
    "align",
    "analyse_reuse",
]
