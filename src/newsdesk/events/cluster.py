"""Online event clustering: articles arrive in date order and join an open event or open one.

How it decides (and why):

* **Similarity** of two articles is ``(1 - w) * cos(content words) + w * cos(who/where/
  figures/years)``, each block TF-IDF weighted. Two earthquakes share the vocabulary of
  earthquakes; they differ in places, names, magnitudes, tolls and years, so the named
  block gets an equal say.
* **Local scale.** Clusters of news differ a lot in density: a wire story copied twenty
  times makes its reports near-identical, while a thinly covered arrest has reports that
  share a few names. A single similarity cut either splits the thin story or merges two
  dense ones of the same kind. So each article's similarities are read relative to its
  *local scale* ``sigma`` (the mean similarity to its ``k`` closest articles, floored), as
  in self-tuning spectral clustering (Zelnik-Manor & Perona, 2004): two articles belong
  together when ``sim / sqrt(sigma_a * sigma_b)`` reaches ``threshold`` (0.55: a little
  more than half as close as each is to its own nearest neighbours). A raw-similarity
  floor keeps two articles that each have no close neighbour from joining on noise.
* **Average link.** The articles of one day are clustered together with the open events
  by average-link agglomeration (open events never merge with each other), so the order
  of articles within a day never matters. Averages over an event use its most recent
  ``member_vectors`` reports, kept as sparse vectors: memory grows with open events only.
* **Time.** An event goes dormant when nothing joined it for ``quiet_days`` (by published
  dates, or the dateline found in the text) and is then forgotten by the clusterer. Two
  groups whose known dates lie further apart than that never join.
* **Facts that contradict** (off by default, ``EventOptions.year_clash``, ``figure_clash``,
  ``name_clash``, ``year_gate``): two reports that both give years (figures, names) and
  none in common lose part of their similarity; two groups whose most mentioned years lie
  two or more apart never join. Checked leave-topic-out on ECB+ dev
  (``bench/cv_events.py``), none beat the defaults out of fold, so none is on.
* **Copies** (exact duplicates by body hash, or ``copy_of`` links from the reuse stage)
  follow their original and add no weight of their own.
* **IDF** is the "max" variant, ``log((1 + max_df) / (1 + df))``, with ``max_df`` the document
  frequency of the most common feature instead of the number of articles: an
  article sharing no feature with the others then changes nobody's weights (it can never
  pull two events together), while small and large inputs are weighted alike.

Batch and streaming give the same result for the same order, because both feed the same
day-by-day procedure (:func:`cluster_items` is a loop over :meth:`OnlineClusterer.add`).
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy import sparse

from newsdesk.events.features import EventFeatures
from newsdesk.text_patterns import DANGLING_WORDS, DATE_TIME_LINE, STAMP_LINE, dateline_end


@dataclass(slots=True)
class EventOptions:
    """Settings of the events stage. The defaults are the benchmarked ones."""

    quiet_days: int = 14
    """An event with no new report for this many days goes dormant."""
    threshold: float = 0.55
    """Join when the average locally scaled similarity reaches this (a bit over half of
    what each article shares with its own nearest neighbours)."""
    min_similarity: float = 0.18
    """...and the average raw similarity reaches this (where plain average link does best:
    articles with no close neighbours are judged as it would judge them)."""
    neighbours: int = 5
    """k: the local scale of an article is its mean similarity to its k closest articles."""
    scale_floor: float = 0.2
    """Lowest local scale (articles with no close neighbour are judged on raw similarity)."""
    entity_weight: float = 0.5
    """Share of the named block (entities, figures, years) in the similarity."""
    member_vectors: int = 20
    """Reports per open event kept as vectors for average link."""
    max_open_events: int = 50_000
    """Open events beyond this are closed, least recently updated first."""
    max_batch: int = 5000
    """A day with more articles is clustered in canonical-order chunks of this size."""
    vocab_floor: int = 30_000
    """Features (and their document frequencies) are only forgotten once more than this
    many are known and at least 4x what the open events use: small inputs never are.
    With it the vocabulary, the IDF table and the archive's checkpoints follow the open
    events, not the archive's age (was 200,000: on a 50,000-article synthetic stream the
    generator's events come out the same, B-cubed 1.0 either way, 40% faster)."""
    min_pair: float = 0.05
    """Pairs less similar than this count as 0 (keeps the work sparse on long streams)."""
    year_clash: float = 0.0
    """Share of a pair's similarity taken away when both articles mention years and none
    in common (0: off). Off by default: no setting beat 0 leave-topic-out on ECB+ dev
    (BENCHMARKS.md, "Events: what tells two happenings of one kind apart")."""
    figure_clash: float = 0.0
    """The same for figures (a toll, a magnitude, an amount): both give some, none shared."""
    name_clash: float = 0.0
    """The same for names: both name at least ``name_clash_min`` who/where, none shared."""
    name_clash_min: int = 3
    """Fewest names each article of a pair must give for ``name_clash`` to judge it."""
    year_gate: int = 0
    """Two groups each with at least this many reports mentioning years, whose most
    mentioned years lie ``YEAR_GAP`` or more apart and which rarely mention each other's
    year, never join (0: off, the default; see ``year_clash``)."""


# A sentence ends at ".", "!" or "?" (a closing quote may follow) before a capital or an
# opening quote; not after an abbreviation ("U.S.", "Mr.", "Sept.").
_SENT_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019]?\s+(?=[\"'\u201c\u2018(]?[A-Z])")
_ABBREV = re.compile(r"(?:\b[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|St|"
                     r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|No|Co|Inc|Corp|Jr|Sr)\.)$")
# "MUNICH, Germany (AP) _ ": a wire dateline with a region, which DATELINE_HEAD leaves
_WIRE_HEAD = re.compile(r"^[A-Z][A-Za-z.'\- ]{1,40}(?:, [A-Z][A-Za-z.'\- ]{1,30})?\s*"
                        r"\([A-Za-z .]{2,20}\)\s*[_\u2013\u2014:-]{1,2}\s+")
LEAD_TITLE_WORDS = 14
# besides a stamp line: "Originally published 05/03/2013 ...", a byline "By Jane Doe"
_BYLINE = re.compile(r"(?:originally\s+(?:published|posted)|by)\b", re.I)
# how much of an article's text a lead-sentence title is read from (both paths read as much)
LEAD_CHARS = 2000
_OPENERS = frozenset("in on at after before during sometime when while since although as "
                     "earlier later last this under despite according for with amid".split())
_LEAD_MARK = "\x00lead\x00"  # marks a lead-sentence title among an event's headlines
_TRAILING = DANGLING_WORDS | frozenset(
    "onto into as that her this these those who which about after before over under "
    "through outside near between against during since".split())


def lead_title(text: str, words: int = LEAD_TITLE_WORDS) -> str | None:
    """A headline for a report that came without one: its first sentence, after any
    dateline, cut to ``words`` words (at a comma when one leaves six or more, then "…").
    Better than a list of names ("Salim, Bavarian, Munich") as an event's title."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", text[:LEAD_CHARS].strip()) if p.strip()]
    # a first line that only stamps the page ("UPDATED 05/03/2013 at 11: 00 AM EDT",
    # "Originally published ...", "By Jane Doe") is no lead
    while len(paras) > 1 and (STAMP_LINE.match(paras[0]) or _BYLINE.match(paras[0])
                              or DATE_TIME_LINE.match(paras[0]) or len(paras[0].split()) <= 3):
        paras.pop(0)
    para = paras[0] if paras else ""
    para = " ".join(para[dateline_end(para, 0, len(para)):].split())
    wire = _WIRE_HEAD.match(para)
    if wire is not None and len(para) - wire.end() > 20:
        para = para[wire.end():]
    if not para:
        return None
    sentence = para
    for m in _SENT_END.finditer(para):
        if not _ABBREV.search(para[:m.start()]):
            sentence = para[:m.start()]
            break
    sentence = sentence.strip().rstrip(".")
    ws = sentence.split()
    # an opening phrase ("Sometime in the summer of 1997, ...") is no headline
    intro = next((k for k, w in enumerate(ws[:10]) if w.endswith(",")), None)
    if intro is not None and ws[0].lower() in _OPENERS and len(ws) - intro - 1 >= 6:
        ws = ws[intro + 1:]
        ws[0] = ws[0][:1].upper() + ws[0][1:]
        sentence = " ".join(ws)
    if len(ws) <= words:
        return sentence or None
    kept = ws[:words]
    cut = " ".join(kept)
    comma = cut.rfind(", ")
    if comma > 0 and len(cut[:comma].split()) >= 8:
        kept = cut[:comma].split()
    while len(kept) > 6 and kept[-1].lower().strip(",;:") in _TRAILING:
        kept.pop()  # end on a word that says something: not "... the arrest in London of…"
    return " ".join(kept).rstrip(",;:") + "\u2026"


@dataclass(slots=True)
class EventItem:
    """One article as the clusterer sees it."""

    key: str
    id: str
    features: EventFeatures
    published: str | None = None
    title: str | None = None
    copy_of: str | None = None
    """Key of the article this one copies (from the reuse stage), if any."""
    lead: str | None = None
    """A headline made from the lead sentence (:func:`lead_title`) for a report without a
    title: the event's title when none of its reports has one."""

    @property
    def ref(self) -> tuple[str, str]:
        """(key, id): what identifies the article in the store."""
        return (self.key, self.id)


@dataclass(slots=True)
class Assignment:
    """Which event an article joined; ``copy_of`` names the article it followed, if any."""

    key: str
    id: str
    event_id: str
    copy_of: str | None = None


@dataclass(slots=True)
class Event:
    """One real-world happening and the reports of it."""

    id: str
    title: str
    first: str | None
    last: str | None
    place: str | None
    articles: list[str]
    refs: list[tuple[str, str]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    copies: int = 0

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {"id": self.id, "title": self.title, "first": self.first, "last": self.last,
                "place": self.place, "size": len(self.articles), "copies": self.copies,
                "keywords": self.keywords, "articles": self.articles}


def event_id_for(key: str, article_id: str) -> str:
    """Stable event id: a hash of the event's first article (same input, same ids)."""
    h = hashlib.blake2b(f"{key}\x00{article_id}".encode(), digest_size=6).hexdigest()
    return f"ev-{h}"


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass(slots=True)
class _Member:
    ref: tuple[str, str]
    cols: np.ndarray
    vals: np.ndarray
    sigma: float


@dataclass(slots=True)
class _OpenEvent:
    id: str
    first_ref: tuple[str, str]
    first_title: str | None
    members: list[_Member]  # most recent reports, as vectors
    refs: list[tuple[str, str]]
    copies: int = 0
    lo: date | None = None  # known dates (published, else dateline in the text): shown
    hi: date | None = None
    pub_lo: date | None = None  # published dates only: these decide dormancy and joins
    pub_hi: date | None = None
    touched: int = 0  # batch number of the last join
    places: Counter[str] = field(default_factory=Counter)
    years: Counter[int] = field(default_factory=Counter)  # reports mentioning each year
    dated: int = 0  # reports mentioning any year
    titles: dict[tuple[str, str], str] = field(default_factory=dict)
    centroid: dict[int, float] = field(default_factory=dict)


class _Node:
    """A cluster during one day's agglomeration."""

    __slots__ = ("event", "items", "size", "lo", "hi", "order", "alive", "version", "years",
                 "dated")

    def __init__(self, order: tuple[object, ...], size: int, lo: date | None, hi: date | None,
                 event: _OpenEvent | None = None, items: list[int] | None = None) -> None:
        self.order = order
        self.size = size
        self.lo, self.hi = lo, hi
        self.event = event
        self.items = items or []
        self.alive = True
        self.version = 0
        self.years: Counter[int] = Counter()  # reports mentioning each year
        self.dated = 0  # reports mentioning any year


class OnlineClusterer:
    """Streaming event clusterer. Feed items in date order with :meth:`add`; call
    :meth:`flush` at the end. Each call returns the assignments it settled (a day's
    articles are settled together, when the next day starts)."""

    def __init__(self, opts: EventOptions | None = None) -> None:
        self.opts = opts or EventOptions()
        self.df: Counter[str] = Counter()
        self.max_df = 1
        self.vocab: dict[str, int] = {}
        self.names: list[str] = []  # column -> feature key
        self._kept_vocab = 0  # features kept by the last _compact
        self.open: dict[str, _OpenEvent] = {}
        self.event_of: dict[tuple[str, str], str] = {}
        self.key_ref: dict[str, tuple[str, str]] = {}
        self.body_event: dict[str, tuple[str, str]] = {}
        self.closed: list[Event] = []
        self._batch: list[EventItem] = []
        self._batch_day: date | None = None
        self._batches = 0
        self._keep_closed = True

    # -- public ------------------------------------------------------------------------
    def add(self, item: EventItem) -> list[Assignment]:
        """Queue one article; returns the assignments of the day it closed, if any."""
        day = _day(item.published)
        out: list[Assignment] = []
        if self._batch and day is not None and (self._batch_day is None or day > self._batch_day):
            out = self._settle()
        if not self._batch:
            self._batch_day = day
        self._batch.append(item)
        return out

    def flush(self) -> list[Assignment]:
        """Settle the queued day."""
        return self._settle() if self._batch else []

    def events(self) -> list[Event]:
        """Every event so far: dormant ones (if kept) and open ones, by id order of arrival."""
        return self.closed + [self._summary(e) for e in self.open.values()]

    def events_among(self, ids: set[str]) -> list[Event]:
        """The events with these ids (dormant ones if kept, then open ones)."""
        return [e for e in self.closed if e.id in ids] + [
            self._summary(e) for e in self.open.values() if e.id in ids]

    def drain_closed(self) -> list[Event]:
        """Hand over the dormant events and forget them (keeps memory flat on long streams)."""
        out, self.closed = self.closed, []
        return out

    # -- state -------------------------------------------------------------------------
    def state(self) -> dict[str, object]:
        """The clusterer between two days (no queued day, no dormant events) as plain data:
        dicts, lists, strings, numbers and numpy arrays (the archive packs it, see
        :func:`newsdesk.events.archive.pack_state`). A later day replays from it."""
        if self._batch:
            raise ValueError("state() is only taken between days: call flush() first")
        return {
            "names": list(self.names),
            "df": np.fromiter(map(self.df.__getitem__, self.names), dtype=np.int64,
                              count=len(self.names)),
            "df_extra": {k: n for k, n in self.df.items() if k not in self.vocab},
            "max_df": self.max_df,
            "kept_vocab": self._kept_vocab,
            "batches": self._batches,
            "open": [_event_state(e) for e in self.open.values()],
            "event_of": [[r[0], r[1], eid] for r, eid in self.event_of.items()],
            "key_ref": [[k, r[0], r[1]] for k, r in self.key_ref.items()],
            "body_event": [[b, r[0], r[1]] for b, r in self.body_event.items()],
        }

    @classmethod
    def from_state(cls, state: dict[str, object], opts: EventOptions | None = None
                   ) -> OnlineClusterer:
        """A clusterer that goes on exactly where :meth:`state` was taken."""
        c = cls(opts)
        names = [str(n) for n in state["names"]]  # type: ignore[attr-defined]
        c.names = names
        c.vocab = {n: i for i, n in enumerate(names)}
        c.df = Counter({n: v for n, v in zip(names, np.asarray(state["df"]).tolist(),
                                             strict=True) if v})
        c.df.update({str(k): int(v) for k, v in state["df_extra"].items()})  # type: ignore[attr-defined]
        c.max_df = int(state["max_df"])  # type: ignore[call-overload]
        c._kept_vocab = int(state["kept_vocab"])  # type: ignore[call-overload]
        c._batches = int(state["batches"])  # type: ignore[call-overload]
        for d in state["open"]:  # type: ignore[attr-defined]
            e = _event_from_state(d)
            c.open[e.id] = e
        c.event_of = {(k, i): eid for k, i, eid in state["event_of"]}  # type: ignore[attr-defined]
        c.key_ref = {k: (rk, ri) for k, rk, ri in state["key_ref"]}  # type: ignore[attr-defined]
        c.body_event = {b: (rk, ri) for b, rk, ri in state["body_event"]}  # type: ignore[attr-defined]
        return c

    # -- one day -----------------------------------------------------------------------
    def _settle(self) -> list[Assignment]:
        batch, day = self._batch, self._batch_day
        self._batch, self._batch_day = [], None
        self._batches += 1
        if day is not None:
            self._expire(day)
        batch.sort(key=lambda it: (it.key, it.id))
        out: list[Assignment] = []
        for start in range(0, len(batch), self.opts.max_batch):
            out.extend(self._settle_chunk(batch[start : start + self.opts.max_batch]))
        self._cap_open()
        if len(self.df) > max(self.opts.vocab_floor, 4 * self._kept_vocab):
            self._compact()
        return out

    def _compact(self) -> None:
        """Forget the features no open event uses: their columns and document frequencies.

        Without this the vocabulary and the IDF table grow with every new name and word
        the stream brings, and memory with them; with it both are bounded by what the open
        events hold (a feature seen again later starts counting afresh, as if new). Column
        numbers are renumbered in their old order, so every similarity and every tie-break
        comes out as before. Runs between days, when it has more than ``4x`` to drop."""
        used: set[int] = set()
        for ev in self.open.values():
            used.update(ev.centroid)
            for m in ev.members:
                used.update(m.cols.tolist())
        keep = np.asarray(sorted(used), dtype=np.int64)
        remap = np.full(len(self.names), -1, dtype=np.int64)
        remap[keep] = np.arange(len(keep))
        for ev in self.open.values():
            ev.centroid = {int(remap[c]): w for c, w in ev.centroid.items()}
            for m in ev.members:
                m.cols = remap[m.cols].astype(np.int32)
        self.names = [self.names[c] for c in keep.tolist()]
        self.vocab = {name: i for i, name in enumerate(self.names)}
        self.df = Counter({k: n for k, n in self.df.items() if k in self.vocab})
        self._kept_vocab = len(self.vocab)

    def _settle_chunk(self, batch: list[EventItem]) -> list[Assignment]:
        o = self.opts
        # 1. Copies follow their original; exact duplicates of a known body likewise.
        out: list[Assignment] = []
        reps: list[EventItem] = []
        followers: dict[int, list[tuple[EventItem, str]]] = {}
        in_batch: dict[str, int] = {}
        body_rep: dict[str, int] = {}
        pending: list[tuple[EventItem, str]] = []
        for it in batch:
            orig = it.copy_of if it.copy_of and it.copy_of != it.key else None
            if orig is not None:
                pending.append((it, orig))
                continue
            ref = self.body_event.get(it.id)
            if ref is not None and ref in self.event_of:
                out.append(self._join_copy(it, ref, ref[0]))
                continue
            if it.id in body_rep:
                followers.setdefault(body_rep[it.id], []).append((it, reps[body_rep[it.id]].key))
                continue
            body_rep[it.id] = len(reps)
            in_batch[it.key] = len(reps)
            reps.append(it)
        # Copies of copies: resolve links until nothing changes (canonical order throughout).
        progress = True
        while pending and progress:
            progress = False
            waiting: list[tuple[EventItem, str]] = []
            for it, orig in pending:
                known = self.key_ref.get(orig)
                if known is not None and known in self.event_of:
                    out.append(self._join_copy(it, known, orig))
                elif orig in in_batch:
                    followers.setdefault(in_batch[orig], []).append((it, orig))
                    in_batch.setdefault(it.key, in_batch[orig])
                else:
                    waiting.append((it, orig))
                    continue
                progress = True
            pending = waiting
        for it, _orig in pending:
            # The original is unknown or long gone: judge the copy on its own text.
            idx = body_rep.get(it.id)
            if idx is not None:
                followers.setdefault(idx, []).append((it, reps[idx].key))
            else:
                body_rep[it.id] = len(reps)
                in_batch[it.key] = len(reps)
                reps.append(it)
        if not reps:
            return out

        # A copy and its original form one group: must-linked, but each report still
        # counts in the averages (a story carried by many outlets is a dense one).
        groups: list[list[tuple[EventItem, str | None]]] = [[(it, None)] for it in reps]
        for idx, fol in followers.items():
            groups[idx].extend((cp, orig) for cp, orig in fol)
        flat = [(g, it, orig) for g, grp in enumerate(groups) for it, orig in grp]
        n_groups, n = len(groups), len(flat)

        # 2. Document frequencies, then vectors under the updated IDF.
        for _, it, _ in flat:
            for key in self._feature_keys(it.features):
                n_df = self.df[key] = self.df[key] + 1
                if n_df > self.max_df:
                    self.max_df = n_df
        vecs = [self._vector(it.features) for _, it, _ in flat]
        members: list[_Member] = []
        owner: list[_OpenEvent] = []
        for ev in self.open.values():
            for m in ev.members:
                members.append(m)
                owner.append(ev)
        width = len(self.vocab)
        new_mat = _csr([v[0] for v in vecs], [v[1] for v in vecs], width)
        if members:
            mem_mat = _csr([m.cols for m in members], [m.vals for m in members], width)
            window = sparse.vstack([new_mat, mem_mat], format="csr")
        else:
            window = new_mat
        sims = (new_mat @ window.T).tocsr()
        if o.year_clash > 0 or o.figure_clash > 0 or o.name_clash > 0:
            # Contradicting facts lower a pair's similarity before anything reads it (the
            # local scale included: an article's neighbours are the compatible ones).
            sims.data *= self._clashes(sims, new_mat, window)

        # 3. Local scale of each new article: the mean of its k best similarities (itself
        #    excluded; pairs under min_pair count as 0), floored.
        sims.data[sims.data < o.min_pair] = 0.0
        sims.eliminate_zeros()
        rows = np.repeat(np.arange(n), np.diff(sims.indptr))
        cols, vals = sims.indices.astype(np.int64), sims.data
        keep = cols != rows
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
        order = np.lexsort((cols, -vals, rows))
        r_sorted, v_sorted = rows[order], vals[order]
        rank = np.arange(len(r_sorted)) - np.searchsorted(r_sorted, np.arange(n))[r_sorted]
        top = rank < o.neighbours
        sigma = np.maximum(
            np.bincount(r_sorted[top], weights=v_sorted[top], minlength=n) / o.neighbours,
            o.scale_floor)
        all_sigma = np.concatenate([sigma, np.array([m.sigma for m in members])])

        # 4. Sums of raw and scaled similarity between the groups of the day and every node
        #    (the other groups, and each open event over its kept reports), then
        #    average-link agglomeration.
        events = list({id(e): e for e in owner}.values())
        ev_index = {id(e): j for j, e in enumerate(events)}
        group_of = np.array([g for g, _, _ in flat], dtype=np.int64)
        col_node = np.concatenate([group_of, n_groups + np.array(
            [ev_index[id(e)] for e in owner], dtype=np.int64)])
        row_node, node_cols = group_of[rows], col_node[cols]
        # Each pair of nodes once (a group's own reports are already together).
        pick = node_cols > row_node
        row_node, node_cols = row_node[pick], node_cols[pick]
        rows, cols, vals = rows[pick], cols[pick], vals[pick]
        scaled_vals = vals / np.sqrt(sigma[rows] * all_sigma[cols])
        shape = (n_groups, n_groups + len(events))
        raw_sum = sparse.coo_matrix((vals, (row_node, node_cols)), shape=shape).tocsr()
        scaled_sum = sparse.coo_matrix((scaled_vals, (row_node, node_cols)), shape=shape).tocsr()
        assigned = self._agglomerate(groups, events, raw_sum, scaled_sum)

        # 5. Apply: join events or open new ones; copies go with their original.
        pos_of = {id(it): p for p, (_, it, _) in enumerate(flat)}
        for node_event, idxs in assigned:
            idxs.sort()
            target = node_event
            if target is None:
                first = groups[idxs[0]][0][0]
                target = _OpenEvent(id=event_id_for(first.key, first.id), first_ref=first.ref,
                                    first_title=first.title, members=[], refs=[])
                self.open[target.id] = target
            target.touched = self._batches
            for g in idxs:
                for it, orig in groups[g]:
                    p = pos_of[id(it)]
                    self._join(target, it, vecs[p], float(sigma[p]))
                    out.append(Assignment(it.key, it.id, target.id, copy_of=orig))
                    if orig is not None:
                        target.copies += 1
        return out

    def _agglomerate(self, groups: list[list[tuple[EventItem, str | None]]],
                     events: list[_OpenEvent], raw_sum: sparse.csr_matrix,
                     scaled_sum: sparse.csr_matrix) -> list[tuple[_OpenEvent | None, list[int]]]:
        o = self.opts
        n = len(groups)
        nodes: list[_Node] = []
        for g, grp in enumerate(groups):
            first = grp[0][0]
            days = [d for d in (_day(it.published) for it, _ in grp) if d is not None]
            nodes.append(_Node((1, first.key, first.id), len(grp), min(days, default=None),
                               max(days, default=None), items=[g]))
            if o.year_gate > 0:
                for it, _ in grp:
                    ys = _years(it.features)
                    nodes[-1].years.update(ys)
                    nodes[-1].dated += bool(ys)
        for ev in events:
            nodes.append(_Node((0, ev.id), len(ev.members), ev.pub_lo, ev.pub_hi, event=ev))
            if o.year_gate > 0:
                nodes[-1].years.update(ev.years)
                nodes[-1].dated = ev.dated
        # Pair sums of scaled and raw similarity, both directions.
        scaled: dict[int, dict[int, float]] = {}
        raw: dict[int, dict[int, float]] = {}
        for i in range(n):
            lo, hi = scaled_sum.indptr[i], scaled_sum.indptr[i + 1]
            for j, sv, rv in zip(scaled_sum.indices[lo:hi].tolist(),
                                 scaled_sum.data[lo:hi].tolist(),
                                 raw_sum.data[lo:hi].tolist(), strict=True):
                scaled.setdefault(i, {})[j] = sv
                scaled.setdefault(j, {})[i] = sv
                raw.setdefault(i, {})[j] = rv
                raw.setdefault(j, {})[i] = rv
        del n

        heap: list[tuple[float, tuple[object, ...], tuple[object, ...], int, int, int, int]] = []

        def push(a: int, b: int) -> None:
            na, nb = nodes[a], nodes[b]
            if na.event is not None and nb.event is not None:
                return
            denom = na.size * nb.size
            avg = scaled[a][b] / denom
            if avg < o.threshold or raw[a][b] / denom < o.min_similarity:
                return
            x, y = (a, b) if na.order < nb.order else (b, a)
            heapq.heappush(heap, (-avg, nodes[x].order, nodes[y].order, a, b,
                                  na.version, nb.version))

        for a, nbrs in scaled.items():
            for b in nbrs:
                if a < b:
                    push(a, b)
        while heap:
            _, _, _, a, b, va, vb = heapq.heappop(heap)
            na, nb = nodes[a], nodes[b]
            if not (na.alive and nb.alive) or na.version != va or nb.version != vb:
                continue
            if not _compatible(na, nb, self.opts.quiet_days):
                continue
            if years_clash(na.years, na.dated, nb.years, nb.dated, o.year_gate):
                continue
            # Merge b into a (keep the open event's node, if any, as the survivor).
            if nb.event is not None:
                a, b, na, nb = b, a, nb, na
            na.size += nb.size
            na.items.extend(nb.items)
            na.event = na.event or nb.event
            na.lo = _min_date(na.lo, nb.lo)
            na.hi = _max_date(na.hi, nb.hi)
            na.years.update(nb.years)
            na.dated += nb.dated
            na.order = min(na.order, nb.order)
            na.version += 1
            nb.alive = False
            for c, s in list(scaled.get(b, {}).items()):
                if c == a:
                    continue
                r = raw[b][c]
                scaled[a][c] = scaled[a].get(c, 0.0) + s
                scaled[c][a] = scaled[a][c]
                raw[a][c] = raw[a].get(c, 0.0) + r
                raw[c][a] = raw[a][c]
                del scaled[c][b]
                del raw[c][b]
            scaled.pop(b, None)
            raw.pop(b, None)
            scaled[a].pop(b, None)
            raw[a].pop(b, None)
            for c in scaled.get(a, {}):
                if nodes[c].alive:
                    push(a, c)
        return [(nd.event, nd.items) for nd in nodes if nd.alive and nd.items]

    def _clash_classes(self) -> list[tuple[np.ndarray, int, float]]:
        """(columns, fewest of them an article must have, penalty) per kind of fact."""
        o = self.opts
        kinds = np.zeros(len(self.names), dtype=np.int8)  # 1 year, 2 figure, 3 name
        for i, name in enumerate(self.names):
            if name.startswith("e:"):
                kinds[i] = (1 if name.startswith("e:year:") else
                            2 if name.startswith("e:num:") else 3)
        out = []
        for kind, need, pen in ((1, 1, o.year_clash), (2, 1, o.figure_clash),
                                (3, o.name_clash_min, o.name_clash)):
            if pen > 0:
                out.append((np.flatnonzero(kinds == kind), need, pen))
        return out

    def _clashes(self, sims: sparse.csr_matrix, new_mat: sparse.csr_matrix,
                 window: sparse.csr_matrix) -> np.ndarray:
        """Factors (aligned with ``sims.data``) cutting the similarity of pairs whose
        specific facts contradict: both mention years (figures, names), none in common."""
        n = sims.shape[0]
        rows = np.repeat(np.arange(n), np.diff(sims.indptr))
        cols = sims.indices
        factor = np.ones(len(cols))
        for cls_cols, need, pen in self._clash_classes():
            a = new_mat[:, cls_cols]
            b = window[:, cls_cols]
            a.data[:] = 1.0
            b.data[:] = 1.0
            has_a = np.diff(a.tocsr().indptr) >= need
            has_b = np.diff(b.tocsr().indptr) >= need
            shared = (a @ b.T).tocsr()
            both = has_a[rows] & has_b[cols]
            if not both.any():
                continue
            common = np.asarray(shared[rows[both], cols[both]]).ravel()
            factor[np.flatnonzero(both)[common == 0]] *= 1.0 - pen
        return factor

    # -- events --------------------------------------------------------------------------
    def _join(self, ev: _OpenEvent, it: EventItem, vec: tuple[np.ndarray, np.ndarray],
              sigma: float) -> None:
        ev.members.append(_Member(it.ref, vec[0], vec[1], sigma))
        if len(ev.members) > self.opts.member_vectors:
            del ev.members[0]
        ev.refs.append(it.ref)
        self.event_of[it.ref] = ev.id
        self.key_ref[it.key] = it.ref
        self.body_event.setdefault(it.id, it.ref)
        self._dates(ev, it)
        ys = _years(it.features)
        ev.years.update(ys)
        ev.dated += bool(ys)
        for p in it.features.places[:3]:
            ev.places[p] += 1
        if it.title:
            ev.titles[it.ref] = it.title
        elif it.lead:  # marked: a real headline is preferred to any lead (_best_title)
            ev.titles[it.ref] = _LEAD_MARK + it.lead
        for c, v in zip(vec[0].tolist(), vec[1].tolist(), strict=True):
            ev.centroid[c] = ev.centroid.get(c, 0.0) + v
        if len(ev.centroid) > 4 * 256:
            # Keep the summary vector small: its strongest features are enough for a title.
            top = sorted(ev.centroid.items(), key=lambda kv: (-kv[1], kv[0]))[:256]
            ev.centroid = dict(top)

    def _join_copy(self, it: EventItem, orig_ref: tuple[str, str], orig_key: str) -> Assignment:
        ev = self.open[self.event_of[orig_ref]]
        ev.refs.append(it.ref)
        ev.copies += 1
        self.event_of[it.ref] = ev.id
        self.key_ref[it.key] = it.ref
        self._dates(ev, it)
        return Assignment(it.key, it.id, ev.id, copy_of=orig_key)

    @staticmethod
    def _dates(ev: _OpenEvent, it: EventItem) -> None:
        d = _when(it)
        ev.lo, ev.hi = _min_date(ev.lo, d), _max_date(ev.hi, d)
        p = _day(it.published)
        ev.pub_lo, ev.pub_hi = _min_date(ev.pub_lo, p), _max_date(ev.pub_hi, p)

    def _expire(self, day: date) -> None:
        q = self.opts.quiet_days
        gone = [e for e in self.open.values()
                if e.pub_hi is not None and (day - e.pub_hi).days > q]
        for e in gone:
            self._close(e)

    def _cap_open(self) -> None:
        extra = len(self.open) - self.opts.max_open_events
        if extra > 0:
            oldest = sorted(self.open.values(), key=lambda e: (e.touched, e.id))[:extra]
            for e in oldest:
                self._close(e)

    def _close(self, e: _OpenEvent) -> None:
        del self.open[e.id]
        for ref in e.refs:
            self.event_of.pop(ref, None)
            if self.key_ref.get(ref[0]) == ref:
                del self.key_ref[ref[0]]
            if self.body_event.get(ref[1]) == ref:
                del self.body_event[ref[1]]
        if self._keep_closed:
            self.closed.append(self._summary(e))

    def _summary(self, e: _OpenEvent) -> Event:
        inv = self.names
        top = sorted(e.centroid.items(), key=lambda kv: (-kv[1], kv[0]))
        keywords = [inv[c][2:] for c, _ in top if inv[c].startswith("e:")
                    and not inv[c].startswith(("e:num:", "e:year:"))][:5]
        title = self._best_title(e, top) or ", ".join(w.title() for w in keywords[:3]) or e.id
        place = None
        if e.places:
            place = sorted(e.places.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        return Event(id=e.id, title=title, first=e.lo.isoformat() if e.lo else None,
                     last=e.hi.isoformat() if e.hi else None, place=place,
                     articles=[r[0] for r in e.refs], refs=list(e.refs), keywords=keywords,
                     copies=e.copies)

    def _best_title(self, e: _OpenEvent, top: list[tuple[int, float]]) -> str | None:
        """The headline of the report closest to the event's centre (best headline); when
        no report has a headline, the lead-sentence title of the one closest."""
        cands = {r: t for r, t in e.titles.items() if not t.startswith(_LEAD_MARK)}
        if e.first_title:
            cands.setdefault(e.first_ref, e.first_title)
        if not cands:
            cands = {r: t[len(_LEAD_MARK):] for r, t in e.titles.items()}
        if not cands:
            return None
        centre = dict(top)
        vec = {m.ref: m for m in e.members}
        best: tuple[float, int, str] | None = None
        for pos, ref in enumerate(e.refs):
            t = cands.get(ref)
            if not t:
                continue
            m = vec.get(ref)
            score = 0.0
            if m is not None:
                score = sum(centre.get(c, 0.0) * v
                            for c, v in zip(m.cols.tolist(), m.vals.tolist(), strict=True))
            cand = (-score, pos, t)
            if best is None or cand < best:
                best = cand
        return best[2] if best else None

    # -- vectors ---------------------------------------------------------------------------
    def _blocks(self, f: EventFeatures) -> list[tuple[str, dict[str, float], float]]:
        """The feature blocks of an article: (column prefix, key -> count, share)."""
        ew = self.opts.entity_weight
        return [("t:", f.terms, 1.0 - ew), ("e:", f.entities, ew)]

    def _feature_keys(self, f: EventFeatures) -> Iterator[str]:
        for prefix, block, _share in self._blocks(f):
            for k in block:
                yield prefix + k

    def _vector(self, f: EventFeatures) -> tuple[np.ndarray, np.ndarray]:
        cols: list[int] = []
        vals: list[float] = []
        for prefix, block, share in self._blocks(f):
            if not block or share <= 0:
                continue
            ws: list[float] = []
            cs: list[int] = []
            for name, count in block.items():
                if count <= 0:
                    continue
                key = prefix + name
                idf = math.log((1 + self.max_df) / (1 + self.df.get(key, 0))) + IDF_FLOOR
                ws.append((1.0 + math.log(count)) * idf if count >= 1 else count * idf)
                col = self.vocab.get(key)
                if col is None:
                    col = self.vocab[key] = len(self.vocab)
                    self.names.append(key)
                cs.append(col)
            norm = math.sqrt(sum(w * w for w in ws))
            if norm == 0:
                continue
            scale = math.sqrt(share) / norm
            cols.extend(cs)
            vals.extend(w * scale for w in ws)
        order = np.argsort(np.asarray(cols, dtype=np.int64), kind="stable")
        return (np.asarray(cols, dtype=np.int32)[order],
                np.asarray(vals, dtype=np.float64)[order])


def _iso_or_none(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _event_state(e: _OpenEvent) -> dict[str, object]:
    return {
        "id": e.id, "first_ref": list(e.first_ref), "first_title": e.first_title,
        "members": {
            "keys": [m.ref[0] for m in e.members], "ids": [m.ref[1] for m in e.members],
            "sigma": np.asarray([m.sigma for m in e.members], dtype=np.float64),
            "lens": np.asarray([len(m.cols) for m in e.members], dtype=np.int64),
            "cols": (np.concatenate([m.cols for m in e.members]).astype(np.int32)
                     if e.members else np.zeros(0, dtype=np.int32)),
            "vals": (np.concatenate([m.vals for m in e.members]).astype(np.float64)
                     if e.members else np.zeros(0, dtype=np.float64)),
        },
        "refs": [list(r) for r in e.refs], "copies": e.copies,
        "dates": [_iso_or_none(x) for x in (e.lo, e.hi, e.pub_lo, e.pub_hi)],
        "touched": e.touched, "places": dict(e.places),
        "years": {str(y): n for y, n in e.years.items()}, "dated": e.dated,
        "titles": [[r[0], r[1], t] for r, t in e.titles.items()],
        "centroid": [np.fromiter(e.centroid.keys(), dtype=np.int64, count=len(e.centroid)),
                     np.fromiter(e.centroid.values(), dtype=np.float64,
                                 count=len(e.centroid))],
    }


def _members_from_state(m: dict[str, object]) -> list[_Member]:
    cols = np.asarray(m["cols"], dtype=np.int32)
    vals = np.asarray(m["vals"], dtype=np.float64)
    ends = np.cumsum(np.asarray(m["lens"], dtype=np.int64)).tolist()
    out: list[_Member] = []
    lo = 0
    for k, i, sigma, hi in zip(m["keys"], m["ids"], np.asarray(m["sigma"]).tolist(),  # type: ignore[call-overload]
                               ends, strict=True):
        out.append(_Member((k, i), cols[lo:hi].copy(), vals[lo:hi].copy(), float(sigma)))
        lo = hi
    return out


def _event_from_state(d: dict[str, object]) -> _OpenEvent:
    lo, hi, pub_lo, pub_hi = (_day(x) for x in d["dates"])  # type: ignore[attr-defined]
    fr = d["first_ref"]
    e = _OpenEvent(
        id=str(d["id"]), first_ref=(fr[0], fr[1]),  # type: ignore[index]
        first_title=d["first_title"],  # type: ignore[arg-type]
        members=_members_from_state(d["members"]),  # type: ignore[arg-type]
        refs=[(r[0], r[1]) for r in d["refs"]],  # type: ignore[attr-defined]
        copies=int(d["copies"]),  # type: ignore[call-overload]
        lo=lo, hi=hi, pub_lo=pub_lo, pub_hi=pub_hi,
        touched=int(d["touched"]),  # type: ignore[call-overload]
        places=Counter(d["places"]),  # type: ignore[call-overload]
        years=Counter({int(y): int(n) for y, n in dict(d.get("years") or {}).items()}),  # type: ignore[call-overload]
        dated=int(d.get("dated") or 0),  # type: ignore[call-overload]
        titles={(k, i): t for k, i, t in d["titles"]},  # type: ignore[attr-defined]
        centroid=dict(zip(np.asarray(d["centroid"][0]).tolist(),  # type: ignore[index]
                          np.asarray(d["centroid"][1]).tolist(), strict=True)),  # type: ignore[index]
    )
    return e


IDF_FLOOR = 1.0  # as scikit-learn's smooth IDF: a feature every article has still counts


def _csr(cols: list[np.ndarray], vals: list[np.ndarray], width: int) -> sparse.csr_matrix:
    indptr = np.zeros(len(cols) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(c) for c in cols])
    data = np.concatenate(vals) if vals else np.zeros(0)
    idx = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int32)
    return sparse.csr_matrix((data, idx, indptr), shape=(len(cols), max(width, 1)))


def _when(it: EventItem) -> date | None:
    return _day(it.published) or _day(it.features.anchor)


def _min_date(a: date | None, b: date | None) -> date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _max_date(a: date | None, b: date | None) -> date | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _compatible(a: _Node, b: _Node, quiet_days: int) -> bool:
    """Groups whose known dates are further apart than the quiet window never join."""
    if a.lo is None or b.lo is None or a.hi is None or b.hi is None:
        return True
    gap = (max(a.lo, b.lo) - min(a.hi, b.hi)).days
    return gap <= quiet_days


# The year gate (``EventOptions.year_gate``): two groups are different happenings when
# their most mentioned years lie YEAR_GAP or more apart (adjacent years are often one
# story: a quake in late December, reported into January) and fewer than YEAR_SHARE of
# either group's dated reports mention the other's year (a flashback is not a clash).
YEAR_GAP = 2
YEAR_SHARE = 0.2


def _years(f: EventFeatures) -> set[int]:
    """The years an article mentions (its ``year:`` features)."""
    return {int(k[5:]) for k in f.entities if k.startswith("year:") and k[5:].isdigit()}


def _dominant_year(years: Counter[int]) -> int:
    """The year most reports of a group mention (ties: the latest)."""
    return max(years.items(), key=lambda kv: (kv[1], kv[0]))[0]


def years_clash(years_a: Counter[int], dated_a: int, years_b: Counter[int], dated_b: int,
                need: int) -> bool:
    """Whether two groups report happenings of different years.

    ``years_x`` counts the group's reports mentioning each year, ``dated_x`` its reports
    mentioning any. Judged only when both groups have at least ``need`` dated reports."""
    if need <= 0 or dated_a < need or dated_b < need:
        return False
    ya, yb = _dominant_year(years_a), _dominant_year(years_b)
    return (abs(ya - yb) >= YEAR_GAP and years_b[ya] < YEAR_SHARE * dated_b
            and years_a[yb] < YEAR_SHARE * dated_a)


def cluster_items(items: Iterable[EventItem], opts: EventOptions | None = None
                  ) -> tuple[list[Assignment], list[Event]]:
    """Cluster a whole list (the batch form of :class:`OnlineClusterer`, same results)."""
    c = OnlineClusterer(opts)
    out: list[Assignment] = []
    for it in items:
        out.extend(c.add(it))
    out.extend(c.flush())
    return out, c.events()
