"""Claims: sentences of an event's articles aligned across articles, with their support.

A claim is a group of sentences from different articles that say the same thing. Two
sentences are linked when they share a *rare anchor* of the event (a content-word bigram
such as "gas pipeline", or a named entity that few of the event's sentences mention,
such as "Afghanistan" in a visit about trade) and enough of their weighted content words
overlap; groups are the connected components of those links. Word weights are inverse
sentence frequencies inside the event, so what every article repeats (the visitor's name,
"Foreign Minister") does not make two sentences the same claim, and paraphrases that keep
the specific terms ("agreed to conduct more joint military exercises" ~ "agreed to further
conduct military exercises and drills") are linked.

Support is counted in *origins*, not articles: copies of one story (one reuse account)
count once, and so do sentences that reuse one written text nearly verbatim outside
quotation marks (two outlets pasting a press-release sentence). Two reporters quoting the
same speaker's words stay independent.

Hand-written rather than a library: a sentence-embedding model (the packaged int8
all-MiniLM-L6-v2, tried for event similarity: BENCHMARKS.md, issue 15) embeds ~134
sentences/s on two cores, an order of magnitude slower than the parse itself, and a
generic clustering library would still need these event-local weights and the rare-anchor
rule, which are the point.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

from newsdesk.clean.dateline import dateline_end
from newsdesk.guard import guarded
from newsdesk.model import Article, EntityMention, Extraction, Quantity
from newsdesk.nlp import ParsedParagraph, doc_text, parse_articles
from newsdesk.unionfind import UnionFind

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"})
# light verbs and reporting verbs say nothing about *what* was claimed
_LIGHT = frozenset({
    "say", "tell", "add", "state", "be", "have", "do", "make", "also", "further", "however",
    "now", "here", "today", "yesterday", "said", "according", "statement", "report",
    "mr", "ms", "mrs",
})
_TERMINAL = re.compile(r"[.!?:;\"'\u201d\u2019\u00bb)]\s*$")
_WORD = re.compile(r"\w+", re.UNICODE)
_QUOTED = re.compile(r"[\"\u201c\u00ab\u2018][^\"\u201d\u00bb\u2019]{0,600}[\"\u201d\u00bb\u2019]")


@dataclass(slots=True)
class CrosscheckOptions:
    """How sentences become claims and when values conflict."""

    min_words: int = 6  # shorter sentences (headlines, "He said.") are not claims
    max_sentences_per_article: int = 80  # cap for very long articles (the lead matters most)
    link_overlap: float = 0.25  # weighted share of the shorter sentence's content in common
    strong_overlap: float = 0.55
    # ... and of the longer one: a long sentence with its own news ("planted a sapling ...,
    # followed by the delegation-level talks") is not the short one it mentions in passing
    min_cover: float = 0.22  # linked on overlap alone, no rare anchor needed
    anchor_max_share: float = 0.12  # an anchor is in at most this share of the sentences
    anchor_min_df: int = 2  # ... and in at least two sentences
    # candidate pairs come from features in at most this many sentences: bounds the work
    # on very large events (a feature in 1,000 sentences would pair half a million)
    max_pair_df: int = 100
    # same written text: word trigrams outside quotes shared, as a share of the longer
    # sentence's, and at least verbatim_min of them (so a shared phrase is not a copy)
    merge_on_places: bool = True  # sentences naming a rare place are one claim (see align)
    verbatim_share: float = 0.4
    verbatim_min: int = 5
    conflict_max_ratio: float = 2.0  # values further apart are different measures, not a dispute


@dataclass(slots=True)
class ClaimSentence:
    """One sentence of one article, as a claim candidate (``text == article.text[start:end]``)."""

    article: str
    account: str
    start: int
    end: int
    text: str
    position: int  # sentence index in its article
    features: frozenset[str] = frozenset()
    anchors: frozenset[str] = frozenset()
    quantities: list[Quantity] = field(default_factory=list)


@dataclass(slots=True)
class Claim:
    """Sentences that say the same thing, with how many independent origins carry it."""

    id: str
    text: str  # the representative sentence
    sentences: list[ClaimSentence]
    articles: list[str]
    origins: int  # independent sources: accounts and verbatim reuse collapsed
    status: str = "single-source"  # corroborated | single-source | conflicting
    conflict: Conflict | None = None

    @property
    def cites(self) -> list[tuple[str, int, int]]:
        """``(article key, start, end)`` of every supporting sentence."""
        return [(s.article, s.start, s.end) for s in self.sentences]


@dataclass(slots=True)
class ConflictValue:
    """One of the disagreeing values, with who reports it."""

    value: float
    unit: str | None
    text: str
    articles: list[str]
    origins: int
    cites: list[tuple[str, int, int]]


@dataclass(slots=True)
class Conflict:
    """The same quantity reported with different values by different sources."""

    about: str
    values: list[ConflictValue]


def sentence_candidates(article: Article, paras: list[ParsedParagraph], account: str,
                        options: CrosscheckOptions) -> list[ClaimSentence]:
    """The article's sentences with their content features (entities by canonical name)."""
    x = article.extraction if article.extraction is not None else Extraction()
    ents = x.mentions
    quants = x.quantities
    ent_at: dict[int, EntityMention] = {}
    for span in ents:
        for i in range(span.start, span.end):
            ent_at[i] = span
    out: list[ClaimSentence] = []
    for unit in _claim_units(article.text, paras):
        if len(out) >= options.max_sentences_per_article:
            return out
        s = unit[0][0]
        e = unit[-1][0] + len(unit[-1][1].text)
        # the claim starts after "ISLAMABAD – ", "Saldena, March 4 (PNA) "
        s = dateline_end(article.text, s, e)
        text = article.text[s:e]
        if (sum(1 for _, t in unit if t.is_alpha) < options.min_words
                or not _TERMINAL.search(text)):
            continue  # too short, or a headline/subheading (no closing punctuation)
        seq: list[str] = []
        feats: set[str] = set()
        seen_ents: set[int] = set()
        for pos, tok in unit:
            ent = ent_at.get(pos)
            if ent is not None:
                if id(ent) in seen_ents:
                    continue
                seen_ents.add(id(ent))
                name = ent.country or ent.canonical
                if name:
                    place = ent.type in ("GPE", "LOC") or bool(ent.country)
                    f = f"{'P' if place else 'E'}:{str(name).lower()}"
                    feats.add(f)
                    seq.append(f)
                    if ent.type not in ("PERSON", "GPE", "NORP"):
                        # "the Pakistan Stream Gas Pipeline project" and "Stream Gas
                        # Pipeline" are different entity names: their words still match
                        for w in _WORD.findall(ent.text.lower()):
                            if w not in _LIGHT and not w.isdigit():
                                feats.add(w)
                                seq.append(w)
                    continue
            if tok.is_stop or tok.is_punct or tok.is_space or tok.pos_ not in _CONTENT_POS:
                continue
            lemma = tok.lemma_.lower()
            if lemma in _LIGHT or not any(c.isalnum() for c in lemma):
                continue
            if tok.like_num:
                lemma = "#num"
            feats.add(lemma)
            seq.append(lemma)
        bigrams = {f"{a}_{b}" for a, b in zip(seq, seq[1:], strict=False)
                   if a != b and "#num" not in (a, b)}
        qs = [q for q in quants if s <= q.start and q.end <= e]
        out.append(ClaimSentence(article.key, account, s, e, text, len(out),
                                 frozenset(feats), frozenset(bigrams), qs))
    return out


def _claim_units(text: str, paras: list[ParsedParagraph], most: int = 4
                 ) -> Iterator[list[tuple[int, Token]]]:
    """The sentences a claim can be, as (article offset, token) lists: each paragraph's
    sentences with a quotation over several kept whole (:func:`_whole_quotations`), and
    a quotation left open at a paragraph's end joined with the next paragraph when that
    one does not reopen it — the same quotation in text written one sentence a line
    ('“It's hard to say at this point.' / 'Everything is speculation,” he said.'),
    where each line is a paragraph. A paragraph that opens with its own mark (a long
    quotation over paragraphs, as newspapers print it) stands alone. At most ``most``
    sentences are joined."""
    pending: list[tuple[int, Token]] = []
    joined = 0
    for pp in paras:
        ptext = doc_text(pp.doc)
        for k, group in enumerate(_whole_quotations(pp.doc, most)):
            unit = [(pp.start + t.idx, t) for t in group]
            if pending and k == 0 and joined < most and not _OPENS.match(ptext):
                pending += unit
                joined += 1
            else:
                if pending:
                    yield pending
                pending, joined = unit, 1
            if not _open_quote(text[pending[0][0]:pending[-1][0] + len(pending[-1][1].text)]):
                yield pending
                pending, joined = [], 0
    if pending:
        yield pending


# a paragraph that opens with a quotation mark
_OPENS = re.compile("\\s*[\"\u201c\u00ab\u2018]")


# a closing single quote, not an apostrophe inside a word ("Valmora\u2019s")
_CLOSING_SINGLE = re.compile(r"(?<![A-Za-z])\u2019|\u2019(?![A-Za-z])")


def _open_quote(text: str) -> bool:
    """True when a quotation opened in ``text`` (double, single or guillemets) is still
    open at its end."""
    return (text.count("\u201c") > text.count("\u201d") or text.count('"') % 2 == 1
            or text.count("\u00ab") > text.count("\u00bb")
            or text.count("\u2018") > len(_CLOSING_SINGLE.findall(text)))


def _whole_quotations(doc: Doc, most: int = 4) -> Iterator[list[Token]]:
    """The doc's sentences, with a quotation that runs over several sentences kept as one
    ("Valmora and Kestria share a sea. Our task is ...," she said): a claim holds the
    whole quotation, never half of it. At most ``most`` sentences are joined."""
    group: list[Token] = []
    n = 0
    for sent in doc.sents:
        group.extend(sent)
        n += 1
        if n < most and _open_quote(doc_text(doc)[group[0].idx:sent.end_char]):
            continue
        yield group
        group, n = [], 0
    if group:
        yield group


def _unquoted(text: str) -> str:
    """The text outside quotation marks; a sentence cut inside a quotation (its opening
    or closing mark in a neighbouring sentence) loses the quoted part too."""
    t = _QUOTED.sub(" | ", text)
    opening = [t.find(c) for c in "\u201c\u00ab" if c in t]
    if opening:
        t = t[:min(opening)]
    closing = [t.rfind(c) for c in "\u201d\u00bb" if c in t]
    if closing:
        t = t[max(closing) + 1:]
    if t.count('"') % 2:
        # one straight mark left: after a space (or first) it opens the quotation, else
        # it closes one begun in an earlier sentence
        i = t.index('"')
        t = t[:i] if i == 0 or t[i - 1].isspace() else t[i + 1:]
    return t


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(_unquoted(text).lower())
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def verbatim(a: ClaimSentence, b: ClaimSentence, options: CrosscheckOptions) -> bool:
    """Whether two sentences reuse one written text (outside quotation marks)."""
    ta, tb = _trigrams(a.text), _trigrams(b.text)
    shared = len(ta & tb)
    return (shared >= options.verbatim_min
            and shared / max(len(ta), len(tb)) >= options.verbatim_share)


def align(sentences: Sequence[ClaimSentence], options: CrosscheckOptions | None = None
          ) -> list[list[int]]:
    """Groups of sentence indices that make one claim (order-independent: the groups are
    connected components of a symmetric link relation, sorted by their first member)."""
    opts = options or CrosscheckOptions()
    n = len(sentences)
    # Frequencies over distinct sentences of distinct accounts: a wire sentence carried by
    # ten copies is one sentence here, so copies do not make its words look common.
    distinct = {(s.account, s.features, s.anchors) for s in sentences}
    df: dict[str, int] = defaultdict(int)
    for _, feats, anchors in distinct:
        for f in feats | anchors:
            df[f] += 1
    n_distinct = len(distinct)
    idf = {f: math.log((n_distinct + 1) / (d + 0.5)) for f, d in df.items()}
    weight = [math.fsum(idf[f] for f in s.features) for s in sentences]
    max_df = max(opts.anchor_min_df, int(opts.anchor_max_share * n_distinct))

    def is_anchor(f: str) -> bool:
        d = df[f]
        return opts.anchor_min_df <= d <= max_df and (f[:2] in ("E:", "P:") or "_" in f)

    # candidate pairs: sentences sharing a rare feature (anchors or rare words)
    postings: dict[str, list[int]] = defaultdict(list)
    pair_df = min(max_df, opts.max_pair_df)
    for i, s in enumerate(sentences):
        for f in s.features | s.anchors:
            if df[f] <= pair_df:
                postings[f].append(i)
    pairs: set[tuple[int, int]] = set()
    for ids in postings.values():
        if len(ids) > 1:
            pairs.update(combinations(ids, 2))
    scored: list[tuple[float, tuple[str, int], tuple[str, int], int, int]] = []
    # A wire sentence carried by many copies meets the same sentences again and again:
    # each pair of distinct (features, anchors) is scored once (overlap, or None when
    # the pair does not link).
    sig_of: dict[tuple[frozenset[str], frozenset[str]], int] = {}
    sig = [sig_of.setdefault((s.features, s.anchors), len(sig_of)) for s in sentences]
    memo: dict[tuple[int, int], float | None] = {}
    for i, j in pairs:
        a, b = sentences[i], sentences[j]
        if a.article == b.article:
            continue
        key = (sig[i], sig[j]) if sig[i] <= sig[j] else (sig[j], sig[i])
        if key in memo:
            overlap_or_none = memo[key]
        else:
            overlap_or_none = None
            shared = a.features & b.features
            if shared:
                w = math.fsum(idf[f] for f in shared)  # exact: any order, one value
                overlap = w / max(1e-9, min(weight[i], weight[j]))
                cover = w / max(1e-9, max(weight[i], weight[j]))  # of the longer one too
                if cover >= opts.min_cover and (overlap >= opts.strong_overlap or (
                        overlap >= opts.link_overlap
                        and any(is_anchor(f) for f in (a.anchors & b.anchors) | shared))):
                    overlap_or_none = overlap
            memo[key] = overlap_or_none
        if overlap_or_none is not None:
            ka, kb = sorted([(a.article, a.start), (b.article, b.start)])
            scored.append((-overlap_or_none, ka, kb, i, j))
    # Best links first; a claim never holds two sentences of one article, which stops
    # single-link chains from growing one claim into the whole event's topic. Ties are
    # broken by (article key, offset), not input position: the result is order-independent.
    scored.sort()
    uf = UnionFind(range(n))
    arts: dict[int, set[str]] = {i: {s.article} for i, s in enumerate(sentences)}
    for _, _, _, i, j in scored:
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj or arts[ri] & arts[rj]:
            continue
        uf.union(ri, rj)
        root = uf.find(ri)
        arts[root] = arts[ri] | arts[rj]
    if opts.merge_on_places:
        # Second pass: a place few sentences mention ("Afghanistan" in a report on a
        # bilateral visit) is one topic however each outlet words it; the sentences of
        # different accounts that name it form one claim.
        by_place: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(sentences):
            for f in s.features:
                if f.startswith("P:") and is_anchor(f):
                    by_place[f].append(i)
        for f in sorted(by_place):
            ids = sorted(by_place[f], key=lambda i: (sentences[i].article, sentences[i].start))
            if len({sentences[i].account for i in ids}) < 2:
                continue
            for i in ids[1:]:
                ri, rj = uf.find(ids[0]), uf.find(i)
                if ri != rj and not arts[ri] & arts[rj]:  # still one sentence per article
                    uf.union(ri, rj)
                    arts[uf.find(ri)] = arts[ri] | arts[rj]
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[uf.find(i)].append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def count_origins(members: Sequence[ClaimSentence], options: CrosscheckOptions) -> int:
    """Independent origins among supporting sentences: one per reuse account, merged
    again where two accounts carry the same sentence nearly verbatim."""
    accounts = sorted({m.account for m in members})
    index = {a: i for i, a in enumerate(accounts)}
    uf = UnionFind(range(len(accounts)))
    for a, b in combinations(members, 2):
        if a.account != b.account and verbatim(a, b, options):
            uf.union(index[a.account], index[b.account])
    return len({uf.find(i) for i in range(len(accounts))})


def build_claims(articles: Sequence[Article], accounts: Mapping[str, str],
                 options: CrosscheckOptions | None = None,
                 parsed: Sequence[list[ParsedParagraph]] | None = None) -> list[Claim]:
    """Claims of one event's articles, most supported first.

    ``accounts`` maps each article key to its reuse account (copies share one)."""
    opts = options or CrosscheckOptions()
    parsed = parsed if parsed is not None else parse_articles(list(articles))
    sentences: list[ClaimSentence] = []
    for a, paras in zip(articles, parsed, strict=True):
        # stage guard: an article whose sentences cannot be read adds none (reported)
        sentences.extend(guarded("crosscheck", a, sentence_candidates, a, paras,
                                 accounts.get(a.key, a.key), opts, default=[]))
    claims: list[Claim] = []
    for group in align(sentences, opts):
        members = [sentences[i] for i in group]
        arts = sorted({m.article for m in members})
        origins = count_origins(members, opts)
        claims.append(Claim("", _representative(members), members, arts, origins,
                            "corroborated" if origins >= 2 else "single-source"))
    order = {a.key: i for i, a in enumerate(articles)}
    claims.sort(key=lambda c: (-c.origins, -len(c.articles),
                               min((order.get(s.article, 0), s.position) for s in c.sentences)))
    for i, c in enumerate(claims, 1):
        c.id = f"c{i}"
    return claims


def _representative(members: Sequence[ClaimSentence]) -> str:
    """The sentence that shares most with the others, preferring 10-40 words."""
    if len(members) == 1:
        return members[0].text

    def score(m: ClaimSentence) -> tuple[float, int]:
        shared = sum(len(m.features & o.features) for o in members if o is not m)
        n = len(m.text.split())
        fit = 1.0 if 10 <= n <= 40 else 0.6
        return (shared * fit, -m.position)

    return max(members, key=score).text
