"""Shared passages between two articles: which stretches of A stand in B, where, how alike.

Alignment is seed-and-chain on word shingles (no library aligns two texts *out of order*
with character offsets on both sides; difflib only matches in order, so a reordered
paraphrase of a press release would be missed): every word shingle of A that also
occurs in B is a seed ``(i, j)``; seeds on (nearly) the same diagonal within one
paragraph on each side chain into a passage, bridging the gaps a changed or inserted
word leaves. Each passage gets character offsets on both sides, the word counts, and a
similarity figure (difflib's ratio over the two word sequences: ``2 * matched / total``).

Passages never cross a paragraph boundary, so a passage that covers a whole paragraph on
both sides carries that paragraph's :func:`newsdesk.model.passage_key` — the same key
the NLP cache uses, so a paragraph found in ten copies is parsed once.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from newsdesk.model import Article, passage_key
from newsdesk.reuse.minhash import fold_text

# a word, with an apostrophe joining its parts ("Pakistan's" is one word, so a passage
# never starts at a stray "s")
_TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_QUOTES = re.compile(r"[\"\u201c\u201d\u00ab\u00bb]")


@dataclass(slots=True)
class Tokens:
    """Words of an article with character offsets, paragraph and quotation flags."""

    starts: list[int]
    ends: list[int]
    words: list[str]  # folded (lower case, NFKC)
    para: list[int]  # paragraph index per word
    quoted: list[bool]  # inside quotation marks
    para_bounds: list[tuple[int, int]]  # word index range per paragraph
    para_keys: list[str]
    para_spans: list[tuple[int, int]]  # character range per paragraph
    text: str

    def __len__(self) -> int:
        return len(self.words)


@dataclass(slots=True)
class Passage:
    """One passage of A found in B (offsets into each article's text)."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    similarity: float
    a_words: int
    b_words: int
    quoted: bool  # mostly inside quotation marks on either side: a shared quote
    key: str | None = None  # passage_key when it is the same whole paragraph on both sides

    def to_list(self) -> list[object]:
        """Compact JSON form (stored with a link)."""
        return [self.a_start, self.a_end, self.b_start, self.b_end, round(self.similarity, 4),
                self.a_words, self.b_words, int(self.quoted), self.key]

    @classmethod
    def from_list(cls, v: list[object]) -> Passage:
        """Inverse of :meth:`to_list`."""
        return cls(int(v[0]), int(v[1]), int(v[2]), int(v[3]),  # type: ignore[call-overload]
                   float(v[4]), int(v[5]), int(v[6]), bool(v[7]),  # type: ignore[arg-type, call-overload]
                   v[8] if v[8] is None else str(v[8]))

    def swapped(self) -> Passage:
        """The same passage seen from B."""
        return Passage(self.b_start, self.b_end, self.a_start, self.a_end, self.similarity,
                       self.b_words, self.a_words, self.quoted, self.key)


def tokenize(article: Article) -> Tokens:
    """Words of the article's paragraphs with offsets and quotation flags."""
    text = article.text
    starts: list[int] = []
    ends: list[int] = []
    words: list[str] = []
    para: list[int] = []
    quoted: list[bool] = []
    bounds: list[tuple[int, int]] = []
    keys: list[str] = []
    spans: list[tuple[int, int]] = []
    for pi, p in enumerate(article.paragraphs):
        spans.append((p.start, p.end))
        ptext = text[p.start : p.end]
        keys.append(passage_key(ptext))
        first = len(words)
        ms = list(_TOKEN.finditer(ptext))
        ps = [m.start() for m in ms]
        starts.extend(p.start + x for x in ps)
        ends.extend(p.start + m.end() for m in ms)
        if ptext.isascii():
            words.extend(m.group().lower() for m in ms)
        else:
            words.extend(fold_text(m.group()) for m in ms)
        para.extend([pi] * len(ms))
        flags = [False] * len(ms)
        for qs, qe in _quote_spans(ptext):
            for n in range(bisect_left(ps, qs), bisect_left(ps, qe)):
                flags[n] = True
        quoted.extend(flags)
        bounds.append((first, len(words)))
    return Tokens(starts, ends, words, para, quoted, bounds, keys, spans, text)


def _quote_spans(ptext: str) -> list[tuple[int, int]]:
    """Quoted stretches of one paragraph: curly quotes open and close; straight quotes
    alternate; a quote left open runs to the end of the paragraph (news style for a
    quotation that continues in the next paragraph)."""
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    for m in _QUOTES.finditer(ptext):
        ch = m.group()
        if open_at is None:
            if ch in "\u201d\u00bb":
                continue  # a stray closing mark
            open_at = m.end()
        elif ch in "\u201c\u00ab":
            open_at = m.end()  # re-opened before closing: restart
        else:
            spans.append((open_at, m.start()))
            open_at = None
    if open_at is not None:
        spans.append((open_at, len(ptext)))
    return spans


def _shingle_index(tok: Tokens, k: int) -> dict[tuple[str, ...], list[int]]:
    """Positions of every k-word shingle that lies inside one paragraph."""
    idx: dict[tuple[str, ...], list[int]] = defaultdict(list)
    w = tok.words
    for a, b in tok.para_bounds:
        if b - a < k:
            continue
        cols = [w[a + j : b - k + 1 + j] for j in range(k)]
        for i, sh in enumerate(zip(*cols, strict=True), start=a):
            idx[sh].append(i)
    return idx


class _Prepared:
    """Tokens plus shingle index, cached per article body."""

    __slots__ = ("tok", "index")

    def __init__(self, tok: Tokens, k: int) -> None:
        self.tok = tok
        self.index = _shingle_index(tok, k)


@lru_cache(maxsize=4096)
def _prepared_cached(key: tuple[str, str], text: str, paras: tuple[tuple[int, int], ...],
                     k: int) -> _Prepared:
    from newsdesk.model import Paragraph

    art = Article(key=key[0], id=key[1], text=text,
                  paragraphs=[Paragraph(s, e) for s, e in paras])
    return _Prepared(tokenize(art), k)


def prepare(article: Article, k: int) -> _Prepared:
    """Tokens and shingle index of an article (cached by body and paragraphs)."""
    paras = tuple((p.start, p.end) for p in article.paragraphs)
    return _prepared_cached((article.key, article.id), article.text, paras, k)


def align(a: Article, b: Article, k: int = 4, min_words: int = 8,
          min_similarity: float = 0.5) -> list[Passage]:
    """Passages of ``a`` that stand, verbatim or lightly edited, in ``b``."""
    pa, pb = prepare(a, k), prepare(b, k)
    return align_prepared(pa, pb, k, min_words, min_similarity)


def align_prepared(pa: _Prepared, pb: _Prepared, k: int, min_words: int,
                   min_similarity: float) -> list[Passage]:
    """:func:`align` on prepared inputs."""
    ta, tb = pa.tok, pb.tok
    seeds: list[tuple[int, int]] = []
    small, large, flip = (pa, pb, False) if len(pa.index) <= len(pb.index) else (pb, pa, True)
    for sh, pos_s in small.index.items():
        pos_l = large.index.get(sh)
        if pos_l is None:
            continue
        for i in pos_s:
            for j in pos_l:
                seeds.append((j, i) if flip else (i, j))
    if not seeds:
        return []
    seeds.sort()
    gap = 2 * k + 2
    # chains grouped by (para of a, para of b): [i_first, j_first, i_last, j_last, n]
    chains: dict[tuple[int, int], list[list[int]]] = defaultdict(list)
    for i, j in seeds:
        cell = chains[(ta.para[i], tb.para[j])]
        best: list[int] | None = None
        best_skew = gap + 1
        for c in cell:
            di, dj = i - c[2], j - c[3]
            if 0 < di <= gap and 0 < dj <= gap:
                skew = abs(di - dj)
                if skew < best_skew:
                    best, best_skew = c, skew
        if best is None:
            cell.append([i, j, i, j, 1])
        else:
            best[2], best[3] = i, j
            best[4] += 1
    out: list[Passage] = []
    for (pi, pj), cell in chains.items():
        a_lo, a_hi = ta.para_bounds[pi]
        b_lo, b_hi = tb.para_bounds[pj]
        for i0, j0, i1, j1, _n in cell:
            ie, je = min(i1 + k, a_hi), min(j1 + k, b_hi)  # exclusive word ends
            na, nb = ie - i0, je - j0
            if min(na, nb) < min_words:
                continue
            sim = SequenceMatcher(None, ta.words[i0:ie], tb.words[j0:je],
                                  autojunk=False).ratio()
            if sim < min_similarity:
                continue
            q = (sum(ta.quoted[i0:ie]) * 2 >= na) or (sum(tb.quoted[j0:je]) * 2 >= nb)
            key = None
            whole = (i0, ie) == (a_lo, a_hi) and (j0, je) == (b_lo, b_hi)
            if whole:  # whole paragraphs on both sides: take them with their punctuation
                (a0, a1), (b0, b1) = ta.para_spans[pi], tb.para_spans[pj]
                if ta.para_keys[pi] == tb.para_keys[pj]:
                    key = ta.para_keys[pi]
            else:
                a0, a1 = ta.starts[i0], _end_with_stop(ta, ie - 1)
                b0, b1 = tb.starts[j0], _end_with_stop(tb, je - 1)
            out.append(Passage(a0, a1, b0, b1, sim, na, nb, q, key))
    out.sort(key=lambda p: (p.a_start, p.b_start))
    return out


_STOP = re.compile(r"[.!?]+[\"\u201d\u2019)]*")


def _end_with_stop(tok: Tokens, last: int) -> int:
    """End offset of word ``last``, taking a sentence stop right after it along."""
    end = tok.ends[last]
    m = _STOP.match(tok.text, end)
    return m.end() if m else end


def covered_words(tok: Tokens, spans: list[tuple[int, int]]) -> int:
    """How many words of ``tok`` start inside the union of character spans."""
    ranges = sorted((bisect_left(tok.starts, s), bisect_left(tok.starts, e)) for s, e in spans)
    n = 0
    hi = -1
    for lo, up in ranges:
        if up <= hi:
            continue
        n += up - max(lo, hi)
        hi = up
    return n
