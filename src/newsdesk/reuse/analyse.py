"""Batch reuse analysis of a set of articles, and the pipeline step that attaches it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

import numpy as np

from newsdesk.errors import NewsdeskError
from newsdesk.guard import isolate
from newsdesk.model import Article, Span
from newsdesk.pipeline import BatchStep
from newsdesk.reuse.lsh import anchor_pairs, band_pairs, unpack, verify
from newsdesk.reuse.minhash import Sketches, sketch_texts
from newsdesk.reuse.options import ReuseOptions
from newsdesk.reuse.provenance import ArticleInfo, ReuseLink, ReuseResult, build_result, make_link


def canonical(articles: Iterable[Article]) -> list[Article]:
    """Distinct articles in (key, id) order: the order every result is computed in."""
    seen: dict[tuple[str, str], Article] = {}
    for a in articles:
        seen.setdefault((a.key, a.id), a)
    return [seen[k] for k in sorted(seen)]


def refs_for(articles: list[Article]) -> list[str]:
    """The name each article goes by in results: its key, or key@id when keys clash."""
    count: dict[str, int] = {}
    for a in articles:
        count[a.key] = count.get(a.key, 0) + 1
    return [a.key if count[a.key] == 1 else f"{a.key}@{a.id}" for a in articles]


def candidate_pairs(sk: Sketches, opts: ReuseOptions) -> np.ndarray:
    """Packed pairs worth verifying: a shared LSH band, or (with passages on) at least
    ``min_anchors`` shared anchors."""
    pairs = band_pairs(sk.bands, sk.n_shingles > 0, opts.max_bucket)
    if opts.passages:
        pairs = np.union1d(pairs, anchor_pairs(sk, opts.min_anchors, opts.max_anchor_df))
    return pairs


def analyse_reuse(articles: Iterable[Article], opts: ReuseOptions | None = None) -> ReuseResult:
    """Duplicates, copies, shared passages, provenance and independent accounts of a set.

    The input order does not matter: articles are handled in (key, id) order.
    """
    opts = opts or ReuseOptions()
    opts.validate()
    arts = canonical(articles)
    refs = refs_for(arts)
    sk = _sketches(arts, opts)
    i, j = unpack(candidate_pairs(sk, opts))
    ov = verify(sk, i, j)
    links: list[ReuseLink] = []
    for n in range(len(ov)):
        a, b = int(ov.i[n]), int(ov.j[n])
        link = make_link(arts[a], arts[b], refs[a], refs[b], int(ov.shared[n]),
                         float(ov.jaccard[n]), float(ov.contain_i[n]), float(ov.contain_j[n]),
                         opts)
        if link is not None:
            links.append(link)
    infos = [ArticleInfo.of(a, r, int(sk.n_shingles[n]))
             for n, (a, r) in enumerate(zip(arts, refs, strict=True))]
    return build_result(infos, links, opts)


def _sketches(arts: list[Article], opts: ReuseOptions) -> Sketches:
    """Sketch every text; an article whose text makes sketching raise is reported (stage
    guard) and sketched as empty, so it shares nothing and the batch goes on."""
    texts = [a.text for a in arts]
    try:
        return sketch_texts(texts, opts.sketch_params(), workers=opts.workers)
    except NewsdeskError:
        raise
    except Exception:  # noqa: BLE001 - narrowed to the articles below
        _, kept = isolate("reuse.sketch", arts, lambda xs: sketch_texts(
            [a.text for a in xs], opts.sketch_params(), workers=1))
        texts = [t if k else "" for t, k in zip(texts, kept, strict=True)]
        return sketch_texts(texts, opts.sketch_params(), workers=opts.workers)


class ReuseStep(BatchStep):
    """Attach reuse facts to each article of the batch.

    ``article.meta["reuse"]`` gets the article's provenance (copy_of, links with overlap
    figures, account, and the batch's independent-source count); the ``passages`` layer
    gets one span per shared passage with ``{other_key, other_id, other_start,
    other_end, similarity, quoted, passage_key}``.
    """

    name: ClassVar[str] = "reuse"
    reads: ClassVar[tuple[str, ...]] = ("text", "paragraphs", "credits", "published")
    adds: ClassVar[tuple[str, ...]] = ("meta.reuse", "passages")

    def __init__(self, opts: ReuseOptions | None = None) -> None:
        self.opts = opts or ReuseOptions()
        self.result: ReuseResult | None = None

    def process_batch(self, articles: list[Article]) -> list[Article]:
        """Analyse the batch and annotate every article in place (order kept)."""
        res = analyse_reuse(articles, self.opts)
        self.result = res
        by_ref = {(i.key, i.id): i.ref for i in res.articles}
        ref_to_art = {i.ref: (i.key, i.id) for i in res.articles}
        for a in articles:
            ref = by_ref[(a.key, a.id)]
            prov = res.provenance[ref]
            d = prov.to_dict()
            d["independent_sources_in_batch"] = res.independent_count
            a.meta["reuse"] = d
            spans = []
            for p in prov.passages:
                okey, oid = ref_to_art[p["other"]]
                spans.append(Span(p["start"], p["end"], "shared", {
                    "other_key": okey, "other_id": oid, "other_start": p["other_start"],
                    "other_end": p["other_end"], "similarity": p["similarity"],
                    "quoted": p["quoted"], "passage_key": p["passage_key"]}))
            a.add("passages", spans)
        return articles
