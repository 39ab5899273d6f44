"""Extractive multi-document summary: pick the sentences that cover what most sources say.

Interface used by the brief (``newsdesk brief``) and by ``bench/bench_duc2004.py``.

Method (concept coverage, after Gillick & Favre 2009, with a position prior):

1. Every sentence of every article is a unit (spaCy sentences, cached parses); its
   concepts are neighbouring word pairs (lower-cased lemmas) that are not both stop words.
2. A concept's weight counts the *independent accounts* that state it (copies of one
   story, as ``groups`` says, count once), each account weighing more when the concept
   comes early in it -- news puts what matters first. Concepts stated by fewer than
   ``min_accounts`` accounts are ignored (fewer suffice when almost nothing is shared).
3. Candidates are the early sentences of ordinary length that are not direct quotations
   and do not point back ("He said", "But", "X also did Y"), and their shortened forms: a
   leading phrase before the subject, a reporting frame ("..., officials said.") or
   trailing comma-separated material dropped -- always one contiguous, citable part of the
   sentence, and only where no kept word depends on a dropped one. Identical candidates
   count once.
4. An integer program chooses the candidates that cover the most concept weight within the
   word budget, at most one form of each sentence (HiGHS via scipy; a greedy cover as
   fallback), so a fact is paid for once.
5. The words left over are filled with the start of the best remaining sentence, cut at a
   clause or word boundary (``fill``), placed last.
6. Chosen sentences are put in reading order: by article date, then their place in their
   article (within a day, openings before details), then the order the articles were given.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from newsdesk.brief.summarize_ilp import greedy_select, ilp_select
from newsdesk.brief.summarize_units import Unit, _stop_words, article_units
from newsdesk.model import Article


@dataclass(slots=True)
class SummaryOptions:
    """How long the summary is and how sentences are chosen."""

    words: int = 100
    # Candidate sentences: ordinary length, not quotations, not opening with a back-reference.
    min_sentence_words: int = 8
    max_sentence_words: int = 50
    skip_quotes: bool = True
    skip_dangling: bool = True
    # Shortened forms of sentences compete with the whole ones (leading phrase, reporting
    # frame or trailing comma-separated material dropped; always a contiguous part).
    shorten: bool = True
    # Only the first sentences of each article are candidates (news leads with what
    # matters; bounds the work on big events); all sentences still weigh the concepts.
    max_position: int = 30
    max_candidates: int = 300
    # A concept counts when at least this many independent accounts state it (fewer when the
    # event has fewer accounts).
    min_accounts: int = 3
    # Who votes for a concept: "accounts" (an independent account once, however many
    # articles it has), "documents" (every article, Gillick & Favre's document frequency),
    # or "versions" (every article, except that a sentence repeating word for word one
    # already counted in the same account adds nothing: wire copies count once, an
    # agency's rewritten updates of its story count again).
    count_by: str = "accounts"
    min_concepts: int = 10  # ... lowered towards 1 while fewer concepts than this qualify
    # Position prior: an account's vote for a concept is 1 + position_weight / (1 + p / position_scale)
    # where p is the sentence number of its first mention in that account.
    position_weight: float = 2.0
    position_scale: float = 3.0
    # Summed votes are raised to this power: facts told by many accounts count more than
    # proportionally (1.5: ROUGE-2 +0.1 to +0.3 over 1.0 on DUC 2004 dev, flat 1.5-2).
    weight_power: float = 1.5
    # Fill the words left under the budget with the start of one more sentence.
    fill: bool = True
    min_fill_words: int = 5
    solver: str = "ilp"  # "ilp" (HiGHS, greedy fallback) or "greedy"
    time_limit: float = 10.0


@dataclass(slots=True)
class SummarySentence:
    """One chosen sentence: ``text`` is ``article.text[start:end]`` of article ``article``."""

    article: str  # Article.key
    start: int
    end: int
    text: str


def _vote(position: int, opts: SummaryOptions) -> float:
    return 1.0 + opts.position_weight / (1.0 + position / max(opts.position_scale, 1e-9))


def concept_weights(units: Sequence[Unit], opts: SummaryOptions) -> dict[tuple[str, str], float]:
    """Weight of each concept: per voter that states it (``count_by``: independent account
    or article), a position-discounted vote (first mention by that voter), summed; concepts
    of too few voters dropped."""
    first: dict[tuple[str, str], dict[str, int]] = {}
    by_account = opts.count_by not in ("documents", "versions")
    said: dict[tuple[str, tuple[str, ...]], int] = {}  # (account, sentence words) -> article
    for u in units:
        if not u.full:
            continue
        if opts.count_by == "versions":
            if said.setdefault((u.account, tuple(u.terms)), u.article) != u.article:
                continue  # a copy of a sentence this account already said
        who = u.account if by_account else str(u.article)
        for c in sorted(u.concepts):  # sorted: the same weights whatever the hash seed
            seen = first.setdefault(c, {})
            p = seen.get(who)
            if p is None or u.position < p:
                seen[who] = u.position
    n_accounts = len({u.account if by_account else str(u.article) for u in units})
    need = max(1, min(opts.min_accounts, n_accounts))
    # Accounts that share little: fewer accounts suffice until there is something to cover.
    while need > 1 and sum(len(b) >= need for b in first.values()) < opts.min_concepts:
        need -= 1
    return {c: sum(_vote(p, opts) for p in by_acc.values()) ** opts.weight_power
            for c, by_acc in first.items() if len(by_acc) >= need}


def _candidates(units: Sequence[Unit], weights: Mapping[tuple[str, str], float],
                opts: SummaryOptions) -> list[Unit]:
    seen: set[tuple[str, ...]] = set()
    out: list[Unit] = []
    for u in units:
        if not (opts.min_sentence_words <= u.words <= opts.max_sentence_words):
            continue
        if u.position >= opts.max_position or (opts.skip_quotes and u.quoted):
            continue
        if opts.skip_dangling and u.dangling:
            continue
        if u.fragment:
            continue
        key = tuple(u.terms)
        if key in seen or not any(c in weights for c in u.concepts):
            continue
        seen.add(key)
        out.append(u)
    if len(out) > opts.max_candidates:
        def score(u: Unit) -> float:
            return sum(weights.get(c, 0.0) for c in sorted(u.concepts)) / math.sqrt(u.words)
        out = sorted(out, key=score, reverse=True)[: opts.max_candidates]
    return out


def _select(cands: Sequence[Unit], weights: Mapping[tuple[str, str], float], budget: int,
            opts: SummaryOptions) -> list[int]:
    index: dict[tuple[str, str], int] = {}
    concepts: list[list[int]] = []
    for u in cands:
        # sorted: the solver sees the concepts in one order whatever the hash seed, so
        # ties between equal covers always break the same way (briefs are reproducible)
        concepts.append([index.setdefault(c, len(index)) for c in sorted(u.concepts)
                         if c in weights])
    w = [0.0] * len(index)
    for c, i in index.items():
        w[i] = weights[c]
    lengths = [u.words for u in cands]
    # A tiny preference for earlier sentences breaks ties between equal covers.
    bonus = [1e-3 / (1 + u.position) for u in cands]
    forms: dict[tuple[int, int], list[int]] = {}
    for j, u in enumerate(cands):
        forms.setdefault((u.article, u.position), []).append(j)
    exclusive = list(forms.values())
    chosen: list[int] | None = None
    if opts.solver == "ilp":
        chosen = ilp_select(concepts, lengths, w, budget, bonus, opts.time_limit, exclusive)
    if chosen is None:
        chosen = greedy_select(concepts, lengths, w, budget, bonus, exclusive)
    return chosen


def _cut(text: str, start: int, end: int, words: int) -> int:
    """End offset of the first ``words`` words of ``text[start:end]``, pulled back to the last
    comma or semicolon when that keeps at least two thirds of them."""
    pos = start
    count = 0
    last_break = -1
    last_break_words = 0
    while pos < end and count < words:
        while pos < end and text[pos].isspace():
            pos += 1
        w_end = pos
        while w_end < end and not text[w_end].isspace():
            w_end += 1
        if w_end == pos:
            break
        count += 1
        if text[w_end - 1] in ",;:":
            last_break, last_break_words = w_end - 1, count
        pos = w_end
    if last_break > 0 and last_break_words >= 2 * count / 3 and count == words:
        return last_break
    return pos


def _fill(units: Sequence[Unit], chosen: list[Unit], weights: Mapping[tuple[str, str], float],
          left: int, texts: Sequence[str], opts: SummaryOptions) -> Unit | None:
    """The start of one more sentence, covering the most new weight within ``left`` words."""
    covered = {c for u in chosen for c in u.concepts}
    taken = {(u.article, u.position) for u in chosen}
    best: Unit | None = None
    best_gain = 0.0
    for u in units:
        if (u.article, u.position) in taken or u.words <= left:
            continue
        text = texts[u.article]
        end = _cut(text, u.start, u.end, left)
        n = len(text[u.start:end].split())
        if n < opts.min_fill_words:
            continue
        part = set(zip(u.terms[:n], u.terms[1:n], strict=False))
        gain = sum(weights.get(c, 0.0) for c in sorted(part - covered))
        if gain > best_gain:
            best_gain = gain
            best = Unit(article=u.article, account=u.account, position=u.position,
                        start=u.start, end=end, words=n, terms=u.terms[:n], concepts=part)
    return best


def summary_units(
    articles: Sequence[Article],
    options: SummaryOptions | None = None,
    groups: Mapping[str, str] | None = None,
) -> tuple[list[Article], list[Unit]]:
    """The non-empty articles and every sentence of theirs (with shortened forms) as
    :class:`Unit` -- the parsing half of :func:`summarize_articles`, apart so that a
    benchmark can try selection settings without parsing again. Depends on ``options``
    only through ``shorten`` and ``max_position``."""
    from newsdesk.nlp import parse_articles

    opts = options or SummaryOptions()
    arts = [a for a in articles if a.text.strip()]
    if not arts:
        return [], []
    stop = _stop_words()
    groups = groups or {}
    units: list[Unit] = []
    for i, (a, parsed) in enumerate(zip(arts, parse_articles(arts), strict=True)):
        units.extend(article_units(i, groups.get(a.key, a.key), a, parsed, stop,
                                   opts.max_position if opts.shorten else 0))
    return arts, units


def summarize_units(arts: Sequence[Article], units: Sequence[Unit],
                    options: SummaryOptions | None = None) -> list[SummarySentence]:
    """The selecting half of :func:`summarize_articles` over :func:`summary_units`' output."""
    opts = options or SummaryOptions()
    if not arts or opts.words <= 0:
        return []
    weights = concept_weights(units, opts)
    cands = _candidates(units, weights, opts)
    chosen = [cands[j] for j in _select(cands, weights, opts.words, opts)]
    tail: Unit | None = None
    left = opts.words - sum(u.words for u in chosen)
    if opts.fill and left >= opts.min_fill_words:
        pool = [u for u in cands if not (opts.skip_dangling and u.dangling)]
        tail = _fill(pool, chosen, weights, left, [a.text for a in arts], opts)
    order = {id(a): i for i, a in enumerate(arts)}
    # Reading order: by date; within a day the lead-most sentences first (a story's opening
    # before another's detail), then the order the articles were given.
    chosen.sort(key=lambda u: (arts[u.article].published or "", u.position,
                               order[id(arts[u.article])]))
    if tail is not None:
        chosen.append(tail)
    return [SummarySentence(arts[u.article].key, u.start, u.end,
                            arts[u.article].text[u.start:u.end]) for u in chosen]


def summarize_articles(
    articles: Sequence[Article],
    options: SummaryOptions | None = None,
    groups: Mapping[str, str] | None = None,
) -> list[SummarySentence]:
    """Choose summary sentences from ``articles`` (one event), in reading order.

    ``groups`` maps an article key to its independent-account key (copies share one),
    so a story republished ten times does not weigh ten times."""
    opts = options or SummaryOptions()
    if opts.words <= 0:
        return []
    arts, units = summary_units(articles, opts, groups)
    return summarize_units(arts, units, opts)
