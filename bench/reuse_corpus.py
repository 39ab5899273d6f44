"""Generated news-like corpus with known copies, for the reuse benchmark.

Originals are paragraphs of sentences drawn from a Zipf-distributed synthetic vocabulary,
with a few event-specific names mixed in (articles about the same event share names but
are written independently; one event per 50 articles). 30% of the articles are copies of an earlier article
(sometimes a copy of a copy) with controlled edits:

* unchanged (exact duplicates),
* site furniture added (5-25% of the words; each site reuses its own boilerplate lines,
  so unrelated articles of one site share them; one site per 100 articles),
* paragraphs dropped (10-40%, lead kept),
* words changed (1-4% replaced) and the lead sentence rewritten.

Hard negatives: 15% of the originals quote one paragraph verbatim from another article
(a press release everybody cites) — sharing a passage, not a copy.

Everything is generated in chunks from one seed, so a run is reproducible and memory is
bounded by a rolling pool of recent articles (copies are taken from it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

SYLLABLES = ("ka ri to me sa lo vu ne di pa ha mo ru te li ba go shi zu fe na po ye "
             "da ki tu re mi so la wa be no fi gu ra se ko ma yu ti").split()


@dataclass(slots=True)
class Chunk:
    """One generated chunk: texts and their truth."""

    start: int  # index of the first article
    texts: list[str]
    family: np.ndarray  # family id (index of the family's first original) per article
    source: np.ndarray  # index of the article it copies, or -1


def _vocab(rng: np.random.Generator, size: int) -> np.ndarray:
    words: set[str] = set()
    out: list[str] = []
    while len(out) < size:
        n = int(rng.integers(1, 5))
        w = "".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), n))
        if w not in words:
            words.add(w)
            out.append(w)
    out.sort(key=len)  # short words are the frequent ones, as in real text
    return np.array(out, dtype=object)


class CorpusGenerator:
    """Deterministic generator of ``n`` articles, 30% copies."""

    def __init__(self, n: int, seed: int = 7, copy_share: float = 0.3, pool: int = 20_000):
        self.n, self.copy_share, self.pool_size = n, copy_share, pool
        self.rng = np.random.default_rng(seed)
        self.vocab = _vocab(self.rng, 60_000)
        ranks = np.arange(1, len(self.vocab) + 1, dtype=np.float64)
        p = 1.0 / ranks**1.05
        self.cdf = np.cumsum(p / p.sum())
        # sites and events grow with the corpus, so that the density of shared furniture
        # and shared names is the same at every size (one site per 100 articles, one
        # event per 50: a site's boilerplate recurs on its own copies only)
        self.sites = [[self._sentence(int(self.rng.integers(8, 20))) for _ in range(6)]
                      for _ in range(max(50, n // 100))]
        self.vocab_cap = np.array([w.capitalize() for w in self.vocab], dtype=object)
        self.event_names = [self.vocab_cap[self.rng.integers(20_000, 60_000, 8)]
                            for _ in range(max(100, n // 50))]
        # rolling pool of recent articles: index -> paragraphs, family
        self.pool: dict[int, tuple[list[str], int]] = {}
        self.order: list[int] = []  # ring buffer of pool keys
        self.head = 0

    def _words(self, n: int) -> list[str]:
        ids = np.searchsorted(self.cdf, self.rng.random(n))
        return list(self.vocab[np.minimum(ids, len(self.vocab) - 1)])

    def _sentence(self, n: int) -> str:
        w = self._words(n)
        w[0] = w[0].capitalize()
        return " ".join(w) + "."

    def _original(self) -> list[str]:
        rng = self.rng
        names = self.event_names[int(rng.integers(0, len(self.event_names)))]
        n_sent = rng.integers(1, 5, int(rng.integers(4, 13)))  # sentences per paragraph
        lens = np.clip(rng.normal(19, 7, int(n_sent.sum())), 6, 40).astype(np.int64)
        ids = np.minimum(np.searchsorted(self.cdf, rng.random(int(lens.sum()))),
                         len(self.vocab) - 1)
        words = self.vocab[ids]
        is_name = rng.random(len(words)) < 0.12
        words[is_name] = names[rng.integers(0, len(names), int(is_name.sum()))]
        ends = np.cumsum(lens)
        starts = ends - lens
        words[starts] = self.vocab_cap[ids[starts]]
        words[ends - 1] = words[ends - 1] + "."
        para_end = ends[np.cumsum(n_sent) - 1]
        para_start = np.concatenate([[0], para_end[:-1]])
        return [" ".join(words[a:b]) for a, b in zip(para_start.tolist(), para_end.tolist(),
                                                      strict=True)]

    def _copy(self, src: list[str]) -> list[str]:
        rng = self.rng
        paras = list(src)
        kind = rng.random()
        if kind < 0.1:
            return paras  # exact duplicate
        if rng.random() < 0.5 and len(paras) > 3:  # drop paragraphs, keep the lead
            n_drop = int(round(len(paras) * rng.uniform(0.1, 0.4)))
            drop = set((rng.permutation(len(paras) - 1)[:n_drop] + 1).tolist())
            paras = [p for i, p in enumerate(paras) if i not in drop]
        if rng.random() < 0.6:  # change words
            rate = rng.uniform(0.01, 0.04)
            out = []
            for p in paras:
                w = p.split(" ")
                for j in np.flatnonzero(rng.random(len(w)) < rate):
                    w[j] = self._words(1)[0]
                out.append(" ".join(w))
            paras = out
        if rng.random() < 0.3:  # rewrite the lead sentence
            first, _, rest = paras[0].partition(". ")
            paras[0] = self._sentence(len(first.split())) + (" " + rest if rest else "")
        if rng.random() < 0.6:  # add site furniture, 5-25% of the words
            site = self.sites[int(rng.integers(0, len(self.sites)))]
            words = sum(len(p.split()) for p in paras)
            target = words * rng.uniform(0.05, 0.25)
            extra: list[str] = []
            while sum(len(x.split()) for x in extra) < target:
                extra.append(site[int(rng.integers(0, len(site)))])
            cut = int(rng.integers(0, len(extra) + 1))
            paras = extra[:cut] + paras + extra[cut:]
        return paras

    def chunks(self, size: int = 10_000) -> Iterator[Chunk]:
        """Yield the corpus in chunks of ``size`` articles."""
        rng = self.rng
        for start in range(0, self.n, size):
            texts: list[str] = []
            fam = np.empty(min(size, self.n - start), dtype=np.int64)
            src = np.full(len(fam), -1, dtype=np.int64)
            for j in range(len(fam)):
                i = start + j
                if self.order and rng.random() < self.copy_share:
                    s = self.order[int(rng.integers(0, len(self.order)))]
                    s_paras, s_fam = self.pool[s]
                    paras, family, src[j] = self._copy(s_paras), s_fam, s
                else:
                    paras, family = self._original(), i
                    if self.order and rng.random() < 0.15:  # quote one paragraph of another
                        q = self.pool[self.order[int(rng.integers(0, len(self.order)))]][0]
                        paras.insert(int(rng.integers(1, len(paras) + 1)),
                                     q[int(rng.integers(0, len(q)))])
                fam[j] = family
                texts.append("\n\n".join(paras))
                self.pool[i] = (paras, family)
                if len(self.order) < self.pool_size:
                    self.order.append(i)
                else:
                    del self.pool[self.order[self.head]]
                    self.order[self.head] = i
                    self.head = (self.head + 1) % self.pool_size
            yield Chunk(start, texts, fam, src)


if __name__ == "__main__":
    import time

    t = time.perf_counter()
    g = CorpusGenerator(20_000)
    n_words = 0
    for c in g.chunks(5_000):
        n_words += sum(len(x.split()) for x in c.texts)
    print(f"20000 articles, {n_words / 20000:.0f} words each, {time.perf_counter() - t:.1f} s")
    print(next(CorpusGenerator(3).chunks()).texts[0][:600])
