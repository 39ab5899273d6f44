"""Sentences of an event as summary candidates, and the concepts (word bigrams) they carry.

A sentence is cut by spaCy's parser (parses are cached per paragraph by
:mod:`newsdesk.nlp`); its words are lower-cased lemmas split into letters-and-digits
pieces, so "talks" and "talk", "Sen's" and "Sen" meet. A concept is a pair of
neighbouring words of which at least one is not a stop word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from newsdesk.clean.dateline import dateline_end
from newsdesk.model import Article

if TYPE_CHECKING:
    from spacy.tokens import Span as SpacySpan

    from newsdesk.nlp import ParsedParagraph

_PIECE = re.compile(r"[a-z0-9]+")
_QUOTE_CHARS = "\"\u201c\u201d\u00ab\u00bb"
# Words that refer back to something the reader of a summary has not seen.
_DANGLING = re.compile(
    r"^(?:[\"\u201c\u2018']?\s*)(?:he|she|they|it|but|and|or|however|meanwhile)\b", re.I
)


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    # Letters left by splitting contractions and possessives count as stop words too.
    return frozenset(STOP_WORDS) | frozenset("abcdefghijklmnopqrstuvwxyz") | {"nt", "ll", "ve"}


_SUBJECTS = {"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"}
_CUT_PUNCT = {",", ";", "--", "_", "\u2014", "\u2013"}
_CORE = _SUBJECTS | {"dobj", "ccomp", "xcomp", "attr", "acomp", "dative", "oprd", "agent",
                     "prt", "neg"}
# Verbs of saying: "..., officials said." carries the news before the comma.
_SAY = {"say", "tell", "report", "announce", "add", "state", "claim", "confirm", "insist",
        "warn", "note", "declare", "explain", "estimate", "predict", "allege"}


@dataclass(slots=True)
class Unit:
    """One candidate: a sentence, or a shortened form of it (a contiguous part)."""

    article: int  # index into the articles given
    account: str  # independent-account key
    position: int  # sentence number in its article, from 0
    start: int  # offsets into Article.text
    end: int
    words: int  # whitespace-separated words (what a word budget counts)
    terms: list[str] = field(default_factory=list)  # normalised words
    concepts: set[tuple[str, str]] = field(default_factory=set)
    quoted: bool = False  # holds a direct quotation
    dangling: bool = False  # opens by pointing back (pronoun, conjunction)
    full: bool = True  # the whole sentence (False: a shortened form)
    fragment: bool = False  # a whole "sentence" opening in lower case: a mis-split piece


def sentence_terms(sent: SpacySpan) -> list[tuple[str, int]]:
    """Normalised words of a sentence with the index of the token each comes from:
    lower-cased lemmas, cut into letter/digit pieces."""
    out: list[tuple[str, int]] = []
    for tok in sent:
        if tok.is_punct or tok.is_space:
            continue
        low = tok.lower_
        pieces = _PIECE.findall(low)
        if len(pieces) == 1 and pieces[0] == low:
            lemma = tok.lemma_.lower()
            out.append((lemma if lemma and _PIECE.fullmatch(lemma) else low, tok.i))
        else:
            out.extend((p, tok.i) for p in pieces)
    return out


def bigram_concepts(terms: list[str], stop: frozenset[str]) -> set[tuple[str, str]]:
    """Neighbouring word pairs with at least one content word."""
    return {(a, b) for a, b in zip(terms, terms[1:], strict=False)
            if not (a in stop and b in stop)}


def shortenings(sent: SpacySpan) -> list[tuple[int, int]]:
    """Contiguous shorter forms of a sentence as token ranges ``[i, j)`` (document
    indices): a leading phrase before the subject dropped ("On Monday, ..."), a reporting
    frame dropped ("..., officials said." / "Officials said that ..."), or trailing
    comma-separated material dropped. The whole sentence is not included."""
    root = sent.root
    first, last = sent.start, sent.end
    while last > first and (sent.doc[last - 1].is_punct or sent.doc[last - 1].is_space):
        last -= 1
    if last - first < 6:
        return []
    subj = next((c for c in root.children if c.dep_ in _SUBJECTS), None)
    starts = {first}
    ends = {sent.end}
    said_starts: set[int] = set()  # reporting frame dropped: the reported clause alone
    said_ends: set[int] = set()
    doc = sent.doc
    if subj is not None and subj.i < root.i:
        commas = [t.i for t in doc[first:subj.left_edge.i] if t.text == ","]
        if commas and not any(t.text in _QUOTE_CHARS or t.text in ("``", "''")
                              for t in doc[first:commas[-1]]):
            starts.add(commas[-1] + 1)
    if root.lemma_.lower() in _SAY:
        for c in root.children:
            if c.dep_ != "ccomp":
                continue
            if c.i < root.i and c.left_edge.i == first:
                e = c.right_edge.i + 1
                if e < last and doc[e].text == ",":
                    said_ends.add(e)
            elif c.i > root.i and subj is not None and subj.i < root.i:
                s = c.left_edge.i
                if doc[s].dep_ == "mark" and doc[s].lower_ == "that":
                    s += 1
                if s < last:
                    said_starts.add(s)
    # Trailing material goes only after everything the main verb needs (its subject,
    # object, complement): "X did Y, bringing ..." -> "X did Y".
    core_end = max([c.right_edge.i for c in root.children if c.dep_ in _CORE] + [root.i])
    for t in doc[core_end + 1:last]:
        if t.text in _CUT_PUNCT:
            ends.add(t.i)
    # "X did Y and Z did W": the first clause alone.
    for c in root.children:
        if c.dep_ == "conj" and c.i > core_end and any(g.dep_ in _SUBJECTS for g in c.children):
            k = c.left_edge.i
            while k > root.i and (doc[k - 1].dep_ == "cc" or doc[k - 1].text in _CUT_PUNCT):
                k -= 1
            if k > root.i:
                ends.add(k)
    # A cut must not split a phrase: kept words never hang on dropped ones.
    starts = {s for s in starts if s == first
              or all(doc[k].head.i >= s for k in range(s, last))}
    ends = {e for e in ends if e == sent.end
            or all(doc[k].head.i < e for k in range(first, e) if doc[k].head.i != k)}
    starts |= said_starts
    ends |= said_ends
    if any(t.text in _QUOTE_CHARS or t.text in ("``", "''") for t in sent):
        # In or after a quotation a shorter start would lose who speaks.
        starts = {first}
    out = []
    for s in sorted(starts):
        for e in sorted(ends):
            if (s, e) != (first, sent.end) and e - s >= 5:
                out.append((s, e))
    return out


def article_units(index: int, account: str, article: Article,
                  parsed: list[ParsedParagraph], stop: frozenset[str],
                  shorten_before: int = 0) -> list[Unit]:
    """Every sentence of one article as a :class:`Unit` (offsets into ``article.text``),
    the first ``shorten_before`` sentences each followed by their shortened forms."""
    units: list[Unit] = []
    text = article.text
    position = 0
    for para in parsed:
        doc = para.doc
        for sent in doc.sents:
            spans = [(sent.start, sent.end)]
            if position < shorten_before:
                spans += shortenings(sent)
            tagged = sentence_terms(sent)
            # "X also did Y" ("..., the statement said") adds to something the reader of a
            # summary has not seen.
            also = any(t.lower_ == "also" and (t.head == sent.root or (
                t.head.dep_ == "ccomp" and t.head.head == sent.root)) for t in sent)
            made = False
            for k, (ti, tj) in enumerate(spans):
                s = para.start + doc[ti].idx
                e = para.start + doc[tj - 1].idx + len(doc[tj - 1].text)
                while s < e and text[s].isspace():
                    s += 1
                while e > s and text[e - 1].isspace():
                    e -= 1
                s = dateline_end(text, s, e)  # "ISLAMABAD – ", "Saldena, March 4 (PNA) "
                if e <= s:
                    continue
                body = text[s:e]
                terms = [t for t, i in tagged
                         if ti <= i < tj and para.start + doc[i].idx >= s]
                units.append(Unit(
                    article=index, account=account, position=position, start=s, end=e,
                    words=len(body.split()), terms=terms,
                    concepts=bigram_concepts(terms, stop),
                    quoted=any(c in body for c in _QUOTE_CHARS),
                    dangling=bool(_DANGLING.match(body)) or also, full=k == 0,
                    fragment=k == 0 and body.lstrip(_QUOTE_CHARS + "'`( ")[:1].islower(),
                ))
                made = True
            if made:
                position += 1
    return units
