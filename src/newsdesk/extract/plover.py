"""PLOVER-coded political events (issue 5): who did what to whom, when and where.

Each sentence that reports a political event becomes a record: the PLOVER event type, the
source and target actors (with an ISO alpha-3 country code, ``IGO`` for international
organisations, and a sector such as GOV, MIL, REB), the date and the place, with the
sentence's character span in ``Article.text``.

Why by hand: we found no maintained Python PLOVER coder that runs offline with a model it
ships, so this is a rule coder on spaCy's dependency parse with lexicons written for
newsdesk (``data/plover_*.tsv``):

1. the predicate: the sentence root, or, under a verb of saying, the reported clause
   ("X said Y would ...", "..., the ministry said");
2. frames on the way down: a promise or offer over a cooperative event is AGREE, over a
   hostile one THREATEN ("vowed to strike"); "threaten" is THREATEN, "refuse/decline/fail
   to" REJECT, "demand/urge/call for" DEMAND; "try/begin/continue to" are transparent;
   a light verb takes its object's type ("held talks" CONSULT, "imposed a curfew" COERCE);
3. modality on the event verb itself: "will/would" turns a cooperative event into AGREE and
   a hostile one into THREATEN, "must/should" makes DEMAND, "will not" over a cooperative
   event REJECT;
4. actors from the parse: the subject is the source (a passive's "by" agent too; a
   pronoun takes the reporting subject), the object or the object of a preposition such
   as against/with/to/on the target ("demanded that the US ..." -> the US); each actor is
   coded by the first country, demonym, capital or known organisation in its phrase and
   its sector by its head noun and modifiers;
5. a fallback for the benchmark: when no rule fires, keyword voting over the sentence's
   verb and noun lemmas, then the most common type.

Event types are those of the PLOVER gold-standard records (AGREE, CONSULT, SUPPORT,
CONCEDE, COOPERATE, AID, RETREAT, INVESTIGATE, DEMAND, DISAPPROVE, REJECT, THREATEN,
PROTEST, MOBILIZE, SANCTION, COERCE, ASSAULT, FIGHT); older PLOVER drafts call DEMAND
"REQUEST" and DISAPPROVE "ACCUSE" (see :data:`ALIASES`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from newsdesk.extract.lexicon import actor_lookup, country_code
from newsdesk.extract.quotes import _fallback_entities
from newsdesk.model import Article, Span
from newsdesk.nlp import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

    from newsdesk.nlp import ParsedParagraph

__all__ = [
    "ALIASES",
    "COOPERATIVE",
    "EVENT_TYPES",
    "HOSTILE",
    "Actor",
    "CodedEvent",
    "code_events",
    "code_sentence",
    "code_actor",
    "country_code",
]

EVENT_TYPES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT",
               "INVESTIGATE", "DEMAND", "DISAPPROVE", "REJECT", "THREATEN", "PROTEST",
               "MOBILIZE", "SANCTION", "COERCE", "ASSAULT", "FIGHT")
ALIASES = {"REQUEST": "DEMAND", "ACCUSE": "DISAPPROVE"}
COOPERATIVE = frozenset({"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID",
                         "RETREAT", "INVESTIGATE"})
HOSTILE = frozenset({"DISAPPROVE", "REJECT", "THREATEN", "PROTEST", "MOBILIZE", "SANCTION",
                     "COERCE", "ASSAULT", "FIGHT", "DEMAND"})
# The most frequent type in news event data; the last resort of the benchmark fallback.
DEFAULT_EVENT = "AGREE"

_FRAMES = ("REPORT", "INTENT", "THREAT", "REFUSE", "ASK", "TRY", "PREPARE")

# --------------------------------------------------------------------------- lexicons


def _data_lines(name: str) -> Iterable[list[str]]:
    text = resources.files("newsdesk.extract").joinpath("data", name).read_text("utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n").split("\t")


@lru_cache(maxsize=1)
def _verbs() -> dict[tuple[str, str | None], list[str]]:
    out: dict[tuple[str, str | None], list[str]] = {}
    for cols in _data_lines("plover_verbs.tsv"):
        words = cols[0].split()
        key = (words[0], " ".join(words[1:]) or None)
        out.setdefault(key, []).append(cols[1])
    return out


@lru_cache(maxsize=1)
def _nouns() -> dict[str, str]:
    return {cols[0]: cols[1] for cols in _data_lines("plover_nouns.tsv")}


@lru_cache(maxsize=1)
def _classes() -> dict[tuple[str, str, str | None], str]:
    """The codebook classes (``data/plover_classes.tsv``): (pos, lemma, particle) -> type.

    Nouns are keyed with their words joined by spaces ("hunger strike") and particle None;
    a verb written "call_for" is (call, for). The first type listing a word keeps it."""
    out: dict[tuple[str, str, str | None], str] = {}
    for cols in _data_lines("plover_classes.tsv"):
        if len(cols) < 3:
            continue
        ev, pos = cols[0], cols[1]
        for word in cols[2].split():
            parts = word.split("_")
            if pos == "verb":
                key = ("verb", parts[0], " ".join(parts[1:]) or None)
            else:
                key = (pos, " ".join(parts), None)
            out.setdefault(key, ALIASES.get(ev, ev))
    return out


@lru_cache(maxsize=1)
def _sectors() -> dict[str, str]:
    return {cols[0]: cols[1] for cols in _data_lines("plover_sectors.tsv")}


@lru_cache(maxsize=1)
def _modes() -> dict[str, list[tuple[str, list[tuple[str, ...]]]]]:
    """The mode cues (``data/plover_modes.tsv``, written from the codebook's mode tables):
    type -> [(mode, cues)] in priority order; a cue is a tuple of words, the last of which
    may end in "*" (a prefix)."""
    out: dict[str, list[tuple[str, list[tuple[str, ...]]]]] = {}
    for cols in _data_lines("plover_modes.tsv"):
        if len(cols) < 3:
            continue
        cues = [tuple(w for w in re.split(r"[_-]", c.lower()) if w) for c in cols[2].split()]
        for ev in cols[0].split(","):
            out.setdefault(ALIASES.get(ev, ev), []).append((cols[1], [c for c in cues if c]))
    return out


def _cue_at(words: Sequence[tuple[str, str]], i: int, cue: tuple[str, ...]) -> bool:
    """Does ``cue`` start at word ``i``? Each word is (lemma, lower form)."""
    if i + len(cue) > len(words):
        return False
    for (lemma, low), w in zip(words[i:i + len(cue)], cue, strict=False):
        if w.endswith("*"):
            if not (lemma.startswith(w[:-1]) or low.startswith(w[:-1])):
                return False
        elif w not in (lemma, low):
            return False
    return True


@cache
def _mode_index(event: str) -> tuple[tuple[str, dict[str, tuple[tuple[str, ...], ...]],
                                           tuple[tuple[str, ...], ...]], ...]:
    """``event``'s modes in priority order, each with its cues keyed by their first word
    (when that is a whole word) and the cues whose first word is a prefix: a cue can only
    start at a word equal to its first, so :func:`_mode_in` tries just those (it tried
    every cue at every word before: a third of PLOVER coding's time)."""
    out = []
    for mode, cues in _modes().get(event, []):
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for c in cues:
            if not c[0].endswith("*"):
                by_first.setdefault(c[0], []).append(c)
        out.append((mode, {w: tuple(cs) for w, cs in by_first.items()},
                    tuple(c for c in cues if c[0].endswith("*"))))
    return tuple(out)


def _mode_in(event: str, toks: Iterable[Token]) -> str | None:
    """The first mode (in the codebook table's priority order) with a cue among ``toks``."""
    words = [(_verb_lemma(t) if t.pos_ == "VERB" else t.lemma_.lower(), t.lower_)
             for t in sorted(toks, key=lambda t: t.i) if t.text != "-"]
    present = {w for pair in words for w in pair}
    for mode, by_first, prefixed in _mode_index(event):
        if not prefixed and by_first.keys().isdisjoint(present):
            continue  # no cue of this mode can start at any word (most modes, most calls)
        for i, (lemma, low) in enumerate(words):
            cues = by_first.get(lemma, ())
            if low != lemma:
                cues += by_first.get(low, ())
            if any(_cue_at(words, i, c) for c in cues) or \
                    any(_cue_at(words, i, c) for c in prefixed):
                return mode
    return None


# Types whose mode is what is done or threatened, never who does it.
_MODE_OF_WHAT_IS_DONE = frozenset({"MOBILIZE", "THREATEN", "SANCTION", "DEMAND", "REJECT"})


def _mode_of(event: str, pred: Token, sent: SpacySpan) -> str | None:
    """PLOVER mode of a coded event: cue words of the codebook's mode definitions, looked
    for in the event's clause first (the predicate and its dependents; for a threat, the
    clause of what is threatened), then in the rest of the sentence; None when no cue
    fires, as the codebook asks. Types without modes in the codebook get None."""
    if event not in _modes():
        return None
    clause = list(pred.subtree)
    if event in _MODE_OF_WHAT_IS_DONE:
        # the actor is not the mode: "the army deployed tanks" mobilises weapons (the
        # manual: weapons, ships or vehicles are "weapons" unless troops are mentioned
        # separately), "the military threatened to arrest ..." threatens arrests
        subj = {t.i for c in pred.children if c.dep_ in ("nsubj", "nsubjpass", "agent")
                for t in c.subtree}
        clause = [t for t in clause if t.i not in subj]
    head = pred.head if pred.head is not pred else None
    mode = _mode_in(event, clause)
    if mode is None and head is not None and pred.dep_ in ("xcomp", "ccomp", "conj"):
        # "threatened to impose sanctions": the frame verb and its other arguments
        mode = _mode_in(event, [t for t in head.subtree
                                if t.dep_ not in ("nsubj", "nsubjpass") or t.head is not head])
    return mode or _mode_in(event, sent)


def _lookup(name: str) -> tuple[str, str | None] | None:
    """(code, sector) of an actor name (:func:`newsdesk.extract.lexicon.actor_lookup`)."""
    return actor_lookup(name)


# --------------------------------------------------------------------------- records


@dataclass(slots=True)
class Actor:
    """One coded actor: the words as written, country code and sector."""

    text: str
    code: str | None
    sector: str | None
    start: int = 0
    end: int = 0
    entity: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for the ``events`` layer."""
        return {"text": self.text, "code": self.code, "sector": self.sector,
                "entity": self.entity, "start": self.start, "end": self.end}


@dataclass(slots=True)
class CodedEvent:
    """A PLOVER record for one sentence; offsets index the coded text."""

    event: str
    source: list[Actor] = field(default_factory=list)
    target: list[Actor] = field(default_factory=list)
    place: str | None = None
    trigger: tuple[int, int] | None = None
    start: int = 0
    end: int = 0
    rule: str = ""  # how the type was decided: "verb", "frame:INTENT", "vote", "default"
    mode: str | None = None  # the PLOVER mode ("visit", "arrest", "explosives"), or None


# --------------------------------------------------------------------------- actors

_PRONOUNS = {"it", "they", "he", "she", "we", "its", "their", "them", "him", "her", "who",
             "which", "that", "i", "you"}
_GENERIC_HEADS = {"leader", "leadership", "official", "spokesman", "spokeswoman",
                  "spokesperson", "member", "representative", "group", "side", "source",
                  "movement", "delegation", "people"}


def _np_tokens(tok: Token) -> list[Token]:
    """The tokens of an actor phrase: the subtree, without relative clauses and
    parentheses, and at most a dozen tokens."""
    drop = {t.i for c in tok.children if c.dep_ in ("relcl", "punct") and c.i > tok.i
            for t in c.subtree}
    toks = [t for t in tok.subtree if t.i not in drop]
    # stop at a comma after the head ("Pakistan, a key U.S. ally, ...")
    out = []
    for t in toks:
        if t.i > tok.i and t.text in (",", "(", ";", "\u2014", "--"):
            break
        out.append(t)
    return out[:_MAX_ACTOR_TOKENS]


_MAX_ACTOR_TOKENS = 14
# A phrase this long whose head is no actor reads as a clause, not a name: its coded words
# name the actor instead ("the commitment to promote bilateral cooperation with Pakistan
# in diverse fields including economy" -> "Pakistan")
_LONG_PHRASE = 8


def _code_tokens(toks: Sequence[Token]) -> list[tuple[str, str | None, int, int]]:
    """Codes found in a token run, greedily longest first: (code, sector hint, i, j)."""
    found = []
    i = 0
    n = len(toks)
    # Doc.text is rebuilt from every token on each read: read it once per call.
    text_of_doc = doc_text(toks[0].doc) if toks else ""
    starts = [t.idx for t in toks]
    ends = [t.idx + len(t) for t in toks]
    while i < n:
        hit = None
        if toks[i].is_punct:
            i += 1
            continue
        s = starts[i]
        for j in range(min(n, i + 7), i, -1):
            h = _lookup(text_of_doc[s:ends[j - 1]])
            if h is None and j - i == 1 and toks[i].lemma_ != toks[i].text:
                h = _lookup(toks[i].lemma_) if toks[i].pos_ in ("PROPN", "ADJ") else None
            if h:
                hit = (h[0], h[1], i, j)
                break
        if hit:
            found.append(hit)
            i = hit[3]
        else:
            i += 1
    return found


def _sector_of(toks: Sequence[Token], head: Token, hint: str | None) -> str | None:
    """Sector from the head noun, overridden by a telling modifier ("rebel leaders")."""
    sec = _sectors()
    head_sector = sec.get(head.lemma_.lower()) or sec.get(head.lower_)
    mods = []
    for t in toks:
        if t.i == head.i or t.i > head.i:
            continue
        s = sec.get(t.lemma_.lower()) or sec.get(t.lower_)
        if s:
            mods.append(s)
    # two-word sector names ("security forces", "air force")
    words = " ".join(t.lower_ for t in toks)
    for phrase in ("security forces", "air force", "foreign ministry"):
        if phrase in words:
            return sec[phrase]
    if mods and (head_sector in (None, "GOV", "CVL") or head.lemma_.lower() in _GENERIC_HEADS):
        non_gov = [m for m in mods if m != "GOV"]
        if non_gov and (head_sector in (None, "GOV") or head.lemma_.lower() in _GENERIC_HEADS):
            return non_gov[0]
        return head_sector or mods[0]
    if head_sector:
        return head_sector
    if hint:
        return hint
    if head.ent_type_ == "PERSON" or any(t.ent_type_ == "PERSON" for t in toks):
        titles = {"president", "minister", "premier", "king", "secretary", "chancellor",
                  "emir", "governor", "ambassador"}
        if any(t.lower_ in titles for t in toks):
            return "GOV"
    return None


_DESCRIBING_DEPS = {"amod", "compound", "poss", "nmod", "nummod", "det", "case", "appos",
                    "conj", "cc", "flat", "pobj", "quantmod", "npadvmod", "punct"}
_DESCRIBING_PREPS = {"of", "in", "from", "throughout", "near", "at", "inside", "within",
                     "across", "based"}


def _describing(tok: Token) -> set[int]:
    """Token ids of the words that describe an actor phrase's head (see code_actor)."""
    out = {tok.i}
    stack = [tok]
    while stack:
        cur = stack.pop()
        for c in cur.children:
            if c.dep_ in _DESCRIBING_DEPS or (c.dep_ == "prep" and c.lower_ in
                                               _DESCRIBING_PREPS):
                if c.i not in out:
                    out.add(c.i)
                    stack.append(c)
    return out


def code_actor(tok: Token, entities: Sequence[Span] = (), base: int = 0) -> list[Actor]:
    """Code the actor phrase headed by ``tok`` (one actor per coordinated country:
    "Hungarian and Romanian officials" gives two)."""
    toks = _np_tokens(tok)
    if tok.pos_ == "PROPN" and any(c.dep_ == "conj" and c.pos_ in ("PROPN", "NOUN")
                                   for c in tok.children):
        # "Kestria and Valmora": the second name is an actor of its own (_actors_of),
        # so the first one's words stop before the conjunction, when they carry a code
        # by themselves ("President Kagame and his Rwandan Patriotic Front" stays whole)
        cut = min(c.i for c in tok.children if c.dep_ in ("cc", "conj") and c.i > tok.i)
        head_only = [t for t in toks if t.i < cut]
        if head_only:
            hs = base + head_only[0].idx
            he = base + head_only[-1].idx + len(head_only[-1])
            if _code_tokens(head_only) or any(
                    x.start < he and hs < x.end and x.attrs.get("country") for x in entities):
                toks = head_only
    if not toks:
        return []
    doc = tok.doc
    s = toks[0].idx
    e = toks[-1].idx + len(toks[-1])
    text = doc_text(doc)[s:e]
    codes = _code_tokens(toks)
    # Only words that describe the actor itself count: "thousands of Iraqi Kurds",
    # "security forces in Guinea", but not "plans to sell weapons to Taiwan" or
    # "restrictions on the movement of Palestinian workers".
    near = _describing(tok)
    codes = [c for c in codes if all(toks[k].i in near for k in range(c[2], c[3]))]
    ent_country = None
    ent_span: Span | None = None
    canonical = None
    for x in entities:
        if x.start < base + e and base + s < x.end:
            canonical = canonical or x.attrs.get("canonical")
            if ent_country is None and x.attrs.get("country"):
                ent_country, ent_span = x.attrs.get("country"), x
    hint = next((h for _c, h, _i, _j in codes if h), None)
    sector = _sector_of(toks, tok, hint)
    distinct: list[str] = []
    for c, _h, _i, _j in codes:
        if c not in distinct:
            distinct.append(c)
    if not distinct and ent_country:
        distinct = [str(ent_country)]
    if not distinct and sector is None:
        return []
    coordinated = any(t.dep_ == "cc" for t in toks) and len(distinct) > 1
    # "Valmora's application for full membership" is no actor; "Valmora" is
    head_is_actor = _names_an_actor(tok)
    named = {} if head_is_actor else _code_words(tok, toks, codes)
    if not codes and distinct and ent_span is not None and not head_is_actor:
        # the code came from a linked name possessing the head ("Valmora's resolve")
        ws, we = ent_span.start - base, ent_span.end - base
        # (a possessor of the head, or a name deeper in a phrase the limit cut short:
        # "its decision to supply wheat to Valmora's drought-")
        if s <= ws < we <= e and (any(t.dep_ == "poss" and t.head.i == tok.i for t in toks
                                      if ws <= t.idx < we) or len(toks) >= _MAX_ACTOR_TOKENS):
            named[distinct[0]] = (doc_text(doc)[ws:we], ws, we)
    if codes and not head_is_actor and len(toks) >= _LONG_PHRASE:
        # a long phrase headed by no actor ("the commitment to promote bilateral
        # cooperation with Pakistan in diverse fields including economy"): the coded words
        # name it
        for c, _h, i, j in codes:
            if c in named:
                continue
            while j > i + 1 and toks[j - 1].tag_ == "POS":
                j -= 1
            # up to the actor noun the coded word describes ("the Russian government",
            # "the Palestinian security forces"), not beyond it to the cut phrase's head
            first, last = toks[i], toks[j - 1]
            while last.dep_ in ("amod", "compound", "nmod") and last.head.i > last.i \
                    and ((last.head.pos_ == "NOUN" and _names_an_actor(last.head))
                         or (last.head.pos_ == "PROPN"  # "Algerian President Ben Bella",
                             # not "Pakistan-Russia relations"
                             and last.head.ent_type_ not in ("GPE", "LOC", "FAC", "NORP"))):
                last = last.head
                first = min(first, last.left_edge, key=lambda t: t.i)
            while first.i < last.i and first.pos_ == "DET":
                first = doc[first.i + 1]
            ws, we = first.idx, last.idx + len(last)
            if text[ws - s:we - s].lower().endswith(("'s", "\u2019s")):
                we -= 2
            if we > ws:
                named[c] = (doc_text(doc)[ws:we], ws, we)

    if coordinated:
        # "Kestria and Valmora": each conjunct that is itself the coded name is its own
        # actor's words; "Hungarian and Romanian officials" keeps the phrase for both
        for c, _h, i, j in codes:
            if c not in named and any(t.i == tok.i or (t.dep_ == "conj" and t.head.i == tok.i)
                                      for t in toks[i:j]):
                ws, we = toks[i].idx, toks[j - 1].idx + len(toks[j - 1])
                named[c] = (doc_text(doc)[ws:we], ws, we)

    def actor(code: str | None) -> Actor:
        if code not in named:
            return Actor(text, code, sector, base + s, base + e, canonical)
        words, ws, we = named[code]
        ent = next((x.attrs.get("canonical") for x in entities
                    if x.start < base + we and base + ws < x.end), None)
        return Actor(words, code, sector, base + ws, base + we, ent)

    if coordinated:
        return [actor(c) for c in distinct]
    return [actor(distinct[0] if distinct else None)]


def _names_an_actor(head: Token) -> bool:
    """Whether a phrase's head is itself an actor: a name, a pronoun, or a noun with a
    sector ("officials", "rebels", "the ministry"); "application", "visit", "decision"
    are not, and the actor is the name that modifies them."""
    if head.pos_ in ("PROPN", "PRON") or head.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
        return True
    sec = _sectors()
    return bool(sec.get(head.lemma_.lower()) or sec.get(head.lower_))


def _code_words(head: Token, toks: Sequence[Token],
                codes: Sequence[tuple[str, str | None, int, int]]
                ) -> dict[str, tuple[str, int, int]]:
    """code -> (words, start, end) of the possessor that gave the code, without its
    possessive ending ("Valmora's application" -> "Valmora"). Only possessors: in "a group
    of Moroccan diplomats" or "Palestinian lorries" the phrase is the actor."""
    out: dict[str, tuple[str, int, int]] = {}
    text = doc_text(toks[0].doc) if toks else ""
    for c, _h, i, j in codes:
        if not any(t.dep_ == "poss" and t.head.i == head.i for t in toks[i:j]):
            continue
        while j > i + 1 and toks[j - 1].tag_ == "POS":
            j -= 1
        ws, we = toks[i].idx, toks[j - 1].idx + len(toks[j - 1])
        if text[ws:we].lower().endswith(("'s", "\u2019s")):
            we -= 2  # a possessive the tokenizer kept on the name
        if c not in out and we > ws:
            out[c] = (text[ws:we], ws, we)
    return out


def _actors_of(tok: Token, entities: Sequence[Span], base: int) -> list[Actor]:
    """Actors of a phrase and of the phrases coordinated with it ("the US and Jordan")."""
    out = code_actor(tok, entities, base)
    for c in tok.children:
        if c.dep_ == "conj" and c.pos_ in ("PROPN", "NOUN", "PRON"):
            out += code_actor(c, entities, base)
    seen: set[tuple[str | None, str | None]] = set()
    uniq = []
    for a in out:
        key = (a.code, None) if a.code else (None, str(a.start))
        if key not in seen:
            seen.add(key)
            uniq.append(a)
    return uniq


# --------------------------------------------------------------------------- events


@lru_cache(maxsize=1)
def _irregular() -> dict[str, str]:
    """spaCy's own table of irregular verb forms ("took" -> "take")."""
    from newsdesk.nlp import load_nlp

    try:
        lemmatizer: Any = load_nlp().get_pipe("lemmatizer")
        table = lemmatizer.lookups.get_table("lemma_exc")
        return {k: v[0] for k, v in table.get("verb", {}).items() if v}
    except (KeyError, AttributeError, ValueError):
        return {}


def _verb_lemma(tok: Token) -> str:
    """The verb's lemma; a prefixed irregular form spaCy leaves alone ("retook") is
    lemmatised through its stem ("took" -> "retake")."""
    lemma = tok.lemma_.lower()
    if lemma == tok.lower_ and tok.pos_ == "VERB":
        for prefix in ("re", "over", "out", "under", "with"):
            stem = lemma[len(prefix):]
            if lemma.startswith(prefix) and stem in _irregular():
                return prefix + _irregular()[stem]
    if tok.lower_.endswith(("ed", "ing")) and lemma not in _known_verbs():
        # spaCy's "staged" -> "stag", "extolled" -> "extoll": the lexicons know "stage"
        # and "extol"
        if lemma + "e" in _known_verbs():
            return lemma + "e"
        if len(lemma) > 3 and lemma[-1] == lemma[-2] and lemma[:-1] in _known_verbs():
            return lemma[:-1]
    return lemma


@lru_cache(maxsize=1)
def _known_verbs() -> frozenset[str]:
    """Every verb lemma the lexicons and the codebook classes know."""
    return frozenset({k[0] for k in _verbs()} | {k[1] for k in _classes() if k[0] == "verb"})


def _actions(tok: Token) -> tuple[list[str], Token | None]:
    """Lexicon actions of a verb (with its particle or preposition) and that particle."""
    verbs = _verbs()
    lemma = _verb_lemma(tok)
    kids = sorted(tok.children, key=lambda c: (c.dep_ != "prt", abs(c.i - tok.i)))
    for ch in kids:
        if ch.dep_ in ("prt", "prep") or (ch.dep_ == "dobj" and ch.i == tok.i + 1):
            acts = verbs.get((lemma, ch.lower_))
            if acts:
                return acts, ch
    acts = verbs.get((lemma, None), [])
    if acts or tok.pos_ not in ("VERB", "AUX"):
        return acts, None
    # a verb the hand-written lexicon lacks: its codebook class, if any
    classes = _classes()
    for ch in kids:
        if ch.dep_ in ("prt", "prep"):
            ev = classes.get(("verb", lemma, ch.lower_))
            if ev:
                return [ev], ch
    ev = classes.get(("verb", lemma, None))
    return ([ev] if ev else []), None


def _noun_event(tok: Token) -> str | None:
    """PLOVER type of an event noun (with a compound before it: "hunger strike")."""
    nouns = _nouns()
    lemma = tok.lemma_.lower()
    for c in tok.children:
        if c.dep_ in ("compound", "amod") and c.i == tok.i - 1:
            two = f"{c.lemma_.lower()} {lemma}"
            if two in nouns:
                return nouns[two]
            two = f"{c.lower_} {tok.lower_}"
            if two in nouns:
                return nouns[two]
    ev = nouns.get(lemma) or nouns.get(tok.lower_)
    if ev is None and tok.pos_ in ("NOUN", "PROPN"):
        ev = _class_noun(tok)
    if ev is None and lemma in _GENERIC_EVENT_NOUNS | _MEASURE_NOUNS:
        # "a mediation effort", "10 days of war games", "a series of raids"
        for c in tok.children:
            if c.dep_ in ("compound", "amod") and c.i < tok.i:
                ev = ev or nouns.get(c.lemma_.lower())
            if c.dep_ == "prep" and c.lower_ == "of":
                for g in c.children:
                    if g.dep_ == "pobj":
                        ev = ev or _noun_event(g)
    return ev


_SPEECH_ACT_NOUNS = {"demand", "appeal", "threat", "warning", "ultimatum", "complaint",
                     "protest", "accusation", "condemnation", "criticism"}
_GENERIC_EVENT_NOUNS = {"effort", "campaign", "program", "programme", "plan", "process",
                        "operation", "mission", "initiative", "round", "series", "wave",
                        "bid", "move", "attempt", "action", "measure"}
_MEASURE_NOUNS = {"day", "week", "month", "hour", "year", "number", "part", "state"}


def _objects(tok: Token) -> list[Token]:
    return [c for c in tok.children if c.dep_ in ("dobj", "attr", "oprd", "nsubjpass")]


def _modality(tok: Token) -> tuple[bool, bool, bool, bool]:
    """(future, obligation, negated, conditional) marked on a verb."""
    fut = obl = neg = cond = False
    for c in tok.children:
        w = c.lower_
        if c.dep_ == "aux" and w in ("will", "would", "'ll", "shall", "wo"):
            fut = True
        if c.dep_ == "aux" and w in ("must", "should", "ought"):
            obl = True
        if c.dep_ == "neg":
            neg = True
        if c.dep_ == "advcl" and any(g.lower_ == "unless" for g in c.children):
            cond = True
        if c.dep_ == "prep" and c.lower_ in ("unless",):
            cond = True
    # "has to", "needs to": the verb is an xcomp of have/need
    if tok.dep_ == "xcomp" and tok.head.lemma_ in ("have", "need") and tok.head is not tok:
        obl = True
    return fut, obl, neg, cond


@dataclass(slots=True)
class _Found:
    event: str
    pred: Token  # the token whose arguments give the actors
    rule: str
    target_from: Token | None = None  # where to look for the target, if not pred
    target_is_subject: bool = False  # the target is target_from's subject ("X must ...")


def _complement(tok: Token) -> Token | None:
    for dep in ("xcomp", "ccomp"):
        for c in tok.children:
            if c.dep_ == dep:
                return c
    for c in tok.children:
        if c.dep_ == "advcl" and any(g.lower_ == "that" and g.dep_ == "mark"
                                     for g in c.children):
            return c
    return None


def _resolve(tok: Token, depth: int = 0) -> _Found | None:
    """The event a verb (or adjective such as "willing") stands for, with frames applied."""
    if depth > 5:
        return None
    lemma = tok.lemma_.lower()
    # "is willing/ready/prepared/committed to ...": an intention
    if lemma == "be" or tok.pos_ == "ADJ":
        adj = tok if tok.pos_ == "ADJ" else next(
            (c for c in tok.children if c.dep_ == "acomp"), None)
        if adj is not None and adj.lower_ in ("willing", "ready", "prepared", "determined",
                                              "committed", "keen", "eager"):
            comp = _complement(adj) or _complement(tok)
            if comp is None:
                for p in adj.children:
                    if p.dep_ == "prep":
                        comp = next((g for g in p.children if g.dep_ == "pcomp"), None)
            base = _resolve(comp, depth + 1) if comp is not None else None
            if base and base.event in HOSTILE and base.event != "DEMAND":
                return _Found("THREATEN", base.pred, "frame:INTENT")
            return _Found("AGREE", base.pred if base else tok, "frame:INTENT")
        if lemma == "be":
            return None
    acts, _prt = _actions(tok)
    fut, obl, neg, cond = _modality(tok)
    if obl and depth > 0 and tok.pos_ in ("VERB", "AUX"):
        # "X said Y must ...": whatever Y is to do, X demands it
        return _Found("DEMAND", tok, "must", tok, True)
    if not acts:
        nominal = _nominal_subject(tok)
        return _apply_modality(nominal, fut, obl, neg, cond) if nominal else None
    comp = _complement(tok)
    for act in acts:
        kind, _, default = act.partition(":")
        if kind == "REPORT":
            # "reiterated its demand that Israel ...": a speech act named as the object
            for o in _objects(tok):
                ev = _nouns().get(o.lemma_.lower())
                if ev and o.lemma_.lower() in _SPEECH_ACT_NOUNS:
                    if comp is None:  # "its demand that Israel ...": clause on the noun
                        comp = next((c for c in o.children if c.dep_ in (
                            "acl", "ccomp", "relcl")), None)
                    return _Found(ev, tok, "noun", comp, comp is not None)
            if comp is not None:
                inner = _resolve(comp, depth + 1)
                if inner:
                    return inner
            # "announced a suspension of air links", "reiterated its demand that ..."
            for o in _objects(tok):
                ev = _noun_event(o)
                if ev:
                    return _apply_modality(_Found(ev, tok, "noun", o), fut, obl, neg, cond)
            continue
        if kind == "UNDO":
            objs = _objects(tok) + [g for p in tok.children if p.dep_ in ("prep", "prt")
                                    for g in p.children if g.dep_ == "pobj"]
            undone = [n for n in (_noun_event(o) for o in objs) if n]
            if undone:
                ev = "CONCEDE" if undone[0] in HOSTILE else "SANCTION"
            else:
                ev = default
            return _apply_modality(_Found(ev, tok, "undo"), fut, obl, neg, cond)
        if kind == "INTENT":
            base = _resolve(comp, depth + 1) if comp is not None else None
            if base is None:
                # "agreed on a truce", "promised aid": the object may tell
                named = [_noun_event(o) for o in _objects(tok)]
                named += [_noun_event(g) for p in tok.children if p.dep_ == "prep"
                          for g in p.children if g.dep_ == "pobj"]
                ev = next((n for n in named if n), None)
                base = _Found(ev, tok, "noun") if ev else None
            if neg:
                return _Found("REJECT", tok, "frame:INTENT-neg")
            if base and base.event in HOSTILE and base.event not in ("DEMAND", "REJECT"):
                return _Found("THREATEN", base.pred, "frame:INTENT", tok)
            return _Found("AGREE", base.pred if base else tok, "frame:INTENT")
        if kind == "THREAT":
            base = _resolve(comp, depth + 1) if comp is not None else None
            return _Found("THREATEN", base.pred if base else tok, "frame:THREAT")
        if kind == "REFUSE":
            base = _resolve(comp, depth + 1) if comp is not None else None
            return _Found("REJECT", base.pred if base else tok, "frame:REFUSE")
        if kind == "ASK":
            if _prt is not None and _prt.lower_ == "on" and comp is None and not any(
                    c.dep_ in ("xcomp", "advcl") for p in tok.children for c in p.subtree
                    if p.dep_ == "prep"):
                continue  # "called on the Prime Minister": a courtesy visit, not a demand
            if comp is not None and comp.dep_ in ("ccomp", "advcl"):
                return _Found("DEMAND", tok, "frame:ASK", comp, True)
            return _Found("DEMAND", tok, "frame:ASK")
        if kind == "TRY":
            if comp is not None:
                inner = _resolve(comp, depth + 1)
                if inner:
                    return inner
            # "continued their hunger strike", "began talks": the object is the event
            ev = next((n for n in (_noun_event(o) for o in _objects(tok)) if n), None)
            if ev:
                return _apply_modality(_Found(ev, tok, "light"), fut, obl, neg, cond)
            nominal = _nominal_subject(tok, aspectual=True)
            if nominal:  # "riots are continuing", "talks resumed"
                return _apply_modality(nominal, fut, obl, neg, cond)
            continue
        if kind == "PREPARE":
            base = _resolve(comp, depth + 1) if comp is not None else None
            return _Found("MOBILIZE", base.pred if base else tok, "frame:PREPARE")
        if kind == "LIGHT":
            objs = _objects(tok) + [g for p in tok.children if p.dep_ == "prep"
                                    for g in p.children if g.dep_ == "pobj"]
            ev = next((n for n in (_noun_event(o) for o in objs) if n), None)
            if ev is None:
                # "took steps to ease ...", "made a move to expel ...": the clause on a
                # generic noun is the event
                for o in objs:
                    if o.lemma_.lower() in _GENERIC_EVENT_NOUNS | {"step"}:
                        clause = next((c for c in o.children if c.dep_ in ("acl", "relcl")
                                       and c.pos_ == "VERB"), None)
                        done = _resolve(clause, depth + 1) if clause is not None else None
                        if done:
                            return done
            if ev is None:
                # "holding civilians as human shields": an actor as object means the
                # verb's own (non-light) sense, when it has one
                other = [a for a in acts if not a.startswith("LIGHT") and a not in _FRAMES]
                if other and any(code_actor(o) for o in objs):
                    ev = other[0]
            ev = ev or default or None
            if ev is None:
                continue
            return _apply_modality(_Found(ev, tok, "light"), fut, obl, neg, cond)
        if kind in EVENT_TYPES:
            ev = kind
            if ev == "CONSULT" and _verb_lemma(tok) in _HOSTING_VERBS and _object_is_thing(tok):
                continue  # "welcomed the agreement" (SUPPORT), "receives more rain"
            if _verb_lemma(tok) == "recall" and not any(
                    o.lemma_.lower() in _WITHDRAWN_PEOPLE | {"troop", "force", "soldier"}
                    for o in _objects(tok)):
                continue  # "recalled his meeting with ..." remembers; recalling envoys sanctions
            if ev == "RETREAT" and any(o.lemma_.lower() in _WITHDRAWN_PEOPLE
                                       for o in _objects(tok)):
                ev = "SANCTION"  # withdrawing envoys, inspectors or aid reduces relations
            return _apply_modality(_Found(ev, tok, "verb"), fut, obl, neg, cond)
    nominal = _nominal_subject(tok)
    return _apply_modality(nominal, fut, obl, neg, cond) if nominal else None


# Verbs that say an event happens, goes on or starts, so that their subject is the event:
# "clashes erupted", "talks resumed", "the signing took place", "protests spread".
# Written by hand (general English aspect and occurrence verbs, not from any benchmark).
_OCCURRENCE_VERBS = frozenset({
    "continue", "resume", "begin", "start", "erupt", "occur", "happen", "take", "go",
    "intensify", "escalate", "spread", "flare", "rage", "proceed", "open", "unfold",
    "break", "last", "drag", "persist", "get", "come", "follow", "enter", "conclude",
    "end", "close", "finish", "run", "mark", "see", "be", "remain"})
_OCCURRENCE_PARTICLES = {"take": "place", "break": "out", "go": "on", "get": "underway",
                         "drag": "on", "get_": "under"}


def _nominal_subject(tok: Token, aspectual: bool = False) -> _Found | None:
    """An event named by the subject of a verb of occurrence ("Palestinian riots are
    continuing", "talks between Iran and Iraq resumed", "the signing of the accord took
    place"): the noun's type, its phrase the place to find actors. ``aspectual``: the verb
    is already known as one of beginning or going on (the TRY frame)."""
    if tok.pos_ not in ("VERB", "AUX"):
        return None
    lemma = _verb_lemma(tok)
    if not aspectual and lemma not in _OCCURRENCE_VERBS:
        return None
    need = _OCCURRENCE_PARTICLES.get(lemma)
    if need and not aspectual and not any(c.lower_ == need for c in tok.children):
        return None
    subj = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is None or subj.pos_ not in ("NOUN", "PROPN"):
        return None
    ev = _noun_event(subj)
    if ev is None or ev in ("AGREE",) and lemma == "be":
        return None
    if subj.lemma_.lower() == "protest":
        ev = "PROTEST"  # protests that go on, spread or erupt are in the street
    if lemma == "be" and not any(c.dep_ in ("advmod", "prep", "acomp") for c in tok.children):
        return None
    return _Found(ev, tok, "nominal", subj)


def _between(noun: Token, entities: Sequence[Span], base: int) -> list[Actor]:
    """The parties of "talks between X and Y", "clashes between X and Y": all sources."""
    for p in noun.children:
        if p.dep_ == "prep" and p.lower_ == "between":
            for g in p.children:
                if g.dep_ == "pobj":
                    return [a for a in _actors_of(g, entities, base) if a.code]
    for p in noun.children:  # "the signing of an accord between X and Y"
        if p.dep_ == "prep" and p.lower_ == "of":
            for g in p.children:
                if g.dep_ == "pobj" and g.pos_ == "NOUN":
                    return _between(g, entities, base)
    return []


# Verbs that are a meeting only when someone is welcomed, received or hosted.
_HOSTING_VERBS = frozenset({"welcome", "receive", "host", "greet"})
_ACTOR_ENTS = ("PERSON", "ORG", "GPE", "NORP")


def _object_is_thing(tok: Token) -> bool:
    """The verb's direct object is neither an actor (a person, organisation, country or a
    coded or sectored phrase) nor a meeting ("hosted talks"): "welcomed the decision",
    "welcomed the agreement"; or the verb has no object and is not passive."""
    objs = [c for c in tok.children if c.dep_ == "dobj"]
    if not objs:
        # "was received by the Prime Minister" is a meeting, "the area receives" is not
        return not any(c.dep_ in ("nsubjpass", "agent") for c in tok.children)
    o = objs[0]
    named = _noun_event(o)
    if named:  # "hosted talks" is a meeting, "welcomed the agreement" is not
        return named != "CONSULT"
    if o.ent_type_ in _ACTOR_ENTS or o.lower_ in _PRONOUNS:
        return False
    if any(t.ent_type_ in ("PERSON", "NORP", "GPE") for t in o.subtree if t.i < o.i) and (
            o.lemma_.lower() in _sectors()):
        return False
    return not code_actor(o) or not any(a.code or a.sector for a in code_actor(o))


_WITHDRAWN_PEOPLE = {"ambassador", "envoy", "diplomat", "inspector", "worker", "aid",
                     "observer", "monitor", "staff", "mission", "support"}


def _apply_modality(f: _Found, fut: bool, obl: bool, neg: bool, cond: bool) -> _Found:
    """Modality on the event verb: "must" demands, "will not" over cooperation rejects,
    "will ... unless" threatens, "will" promises cooperation and threatens hostility."""
    if obl:
        return _Found("DEMAND", f.pred, f.rule + "+must", f.target_from)
    if neg and fut and f.event in COOPERATIVE:
        return _Found("REJECT", f.pred, f.rule + "+will-not", f.target_from)
    if fut and cond:
        return _Found("THREATEN", f.pred, f.rule + "+unless", f.target_from)
    if fut:
        if f.event in HOSTILE and f.event not in ("DEMAND", "DISAPPROVE"):
            return _Found("THREATEN", f.pred, f.rule + "+will", f.target_from)
        if f.event in COOPERATIVE:
            return _Found("AGREE", f.pred, f.rule + "+will", f.target_from)
    return f


def _class_noun(tok: Token) -> str | None:
    """Codebook class of a noun, two-word compounds first ("hunger strike")."""
    classes = _classes()
    lemma = tok.lemma_.lower()
    if tok.i > 0:
        prev = tok.doc[tok.i - 1]
        ev = classes.get(("noun", f"{prev.lemma_.lower()} {lemma}", None))
        if ev:
            return ev
    return classes.get(("noun", lemma, None)) or classes.get(("noun", tok.lower_, None))


# Vote weights by where a word sits: the main verb tells most, then verbs of the main
# clause, then other verbs, nouns that are the main verb's arguments, other nouns.
_W_ROOT, _W_CLAUSE, _W_VERB, _W_ARG, _W_NOUN = 4.0, 3.0, 2.0, 2.0, 1.0
_CLAUSE_DEPS = ("conj", "xcomp", "ccomp", "advcl", "parataxis")


def _word_type(t: Token) -> str | None:
    """The type a single word stands for, by the verb lexicon, the event nouns or the
    codebook classes; frames count as their default type where they have one."""
    if t.pos_ in ("VERB", "AUX"):
        acts, _prt = _actions(t)
        for act in acts:
            kind, _, default = act.partition(":")
            ev = default or kind
            if ev in EVENT_TYPES:
                return ev
            if kind in ("THREAT",):
                return "THREATEN"
            if kind in ("REFUSE",):
                return "REJECT"
            if kind == "ASK":
                return "DEMAND"
            if kind == "INTENT":
                return "AGREE"
            if kind == "PREPARE":
                return "MOBILIZE"
        return None
    if t.pos_ in ("NOUN", "PROPN"):
        return _noun_event(t)
    if t.pos_ == "ADJ":
        return _classes().get(("adj", t.lemma_.lower(), None))
    return None


def _vote(sent: SpacySpan) -> tuple[str, Token] | None:
    """When no rule fires: every verb, noun and adjective votes for its type, weighted by
    its place (the main verb most); the winner, with the token that weighed most for it.
    Verbs of saying and light verbs without a telling object cast no vote."""
    votes: dict[str, float] = {}
    best: dict[str, tuple[float, Token]] = {}
    roots = [t for t in sent if t.dep_ == "ROOT"]
    clause = {c.i for r in roots for c in r.children if c.dep_ in _CLAUSE_DEPS}
    args = {c.i for r in roots for c in r.children
            if c.dep_ in ("dobj", "nsubjpass", "attr", "oprd")}
    args |= {g.i for r in roots for p in r.children if p.dep_ == "prep"
             for g in p.children if g.dep_ == "pobj"}
    for t in sent:
        ev = _word_type(t)
        if ev is None:
            continue
        if t.pos_ in ("VERB", "AUX"):
            w = _W_ROOT if t.dep_ == "ROOT" else _W_CLAUSE if t.i in clause else _W_VERB
        else:
            w = _W_ARG if t.i in args else _W_NOUN
        votes[ev] = votes.get(ev, 0.0) + w
        if ev not in best or w > best[ev][0]:
            best[ev] = (w, t)
    if not votes:
        return None
    # ties go to the type whose strongest word sits higher (then to the earlier word)
    ev = max(votes, key=lambda e: (votes[e], best[e][0], -best[e][1].i))
    return ev, best[ev][1]


def _source_of(pred: Token, entities: Sequence[Span], base: int,
               skip_own: bool = False) -> list[Actor]:
    """Source actors: the subject (or passive agent) of the predicate, climbing through
    the frames above it; a pronoun, or a subject with no country ("their forces"), takes
    the subject of the verb above when that one has a code."""
    cur: Token | None = pred
    uncoded: list[Actor] = []
    for step in range(6):
        if cur is None:
            break
        if not (skip_own and step == 0):
            agent = next((c for c in cur.children if c.dep_ == "agent"), None)
            if agent is not None:
                obj = next((g for g in agent.children if g.dep_ == "pobj"), None)
                if obj is not None:
                    acts = _actors_of(obj, entities, base)
                    if acts:
                        return acts
            subj = next((c for c in cur.children if c.dep_ in ("nsubj",)), None)
            if subj is not None and subj.lower_ not in _PRONOUNS:
                acts = _actors_of(subj, entities, base)
                if not any(a.code for a in acts):
                    # "Israeli army bulldozers", "Red Cross officials": a coded modifier
                    for c in subj.children:
                        if c.dep_ in ("compound", "amod", "nmod", "poss"):
                            inner = code_actor(c, entities, base)
                            if any(a.code for a in inner):
                                acts = inner
                                break
                if any(a.code for a in acts):
                    return acts
                uncoded = uncoded or acts
                if not any(c.dep_ == "poss" and c.lower_ in _PRONOUNS
                           for c in subj.children):
                    return uncoded
        if cur.head is cur:
            break
        cur = cur.head
    return uncoded


_TARGET_PREPS = ("against", "with", "to", "on", "from", "into", "at", "in", "of", "for",
                 "between", "upon", "over", "toward", "towards")


def _target_of(pred: Token, exclude: set[int], entities: Sequence[Span],
               base: int) -> list[Actor]:
    """Target actors: the object, or the object of a preposition on the verb or on its
    object ("imposed sanctions on the Taliban")."""
    cands: list[Token] = []
    objs = [c for c in pred.children if c.dep_ in ("dobj", "dative", "nsubjpass", "ccomp")]
    for o in objs:
        if o.dep_ == "ccomp":
            subj = next((c for c in o.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is not None:
                cands.append(subj)
            continue
        if o.pos_ == "ADP":  # "provided vaccine to Pakistan" parsed with "to" as dative
            cands += [g for g in o.children if g.dep_ == "pobj"]
            continue
        cands.append(o)
    preps = [c for c in pred.children if c.dep_ in ("prep", "prt")
             and c.lower_ in _TARGET_PREPS]
    for o in objs:
        preps += [c for c in o.children if c.dep_ == "prep" and c.lower_ in _TARGET_PREPS]
    for p in sorted(preps, key=lambda p: _TARGET_PREPS.index(p.lower_)
                    if p.lower_ in _TARGET_PREPS else 99):
        cands += [g for g in p.children if g.dep_ == "pobj"]
    for o in objs:  # "the Russian diplomats", "Palestinian detainees": a coded modifier
        cands += [c for c in o.children if c.dep_ in ("amod", "compound", "poss", "nmod")]
    xcomp = next((c for c in pred.children if c.dep_ in ("xcomp",)), None)
    if xcomp is not None:
        cands += [c for c in xcomp.children if c.dep_ == "dobj"]
    uncoded: list[Actor] = []
    light = any(k.startswith("LIGHT") for k in _verbs().get((_verb_lemma(pred), None), ()))
    for c in cands:
        if c.i in exclude or c.lower_ in _PRONOUNS:
            continue
        if not c.ent_type_ and c.lemma_.lower() in _nouns() and (
                (c.dep_ == "dobj" and c.head.i == pred.i and light)
                or (c.dep_ == "pobj" and c.head.head.i == pred.i)):
            # the event noun of a light verb is no actor: "paid a state visit to Valmora"
            # is aimed at Valmora (its "to"), not at "a state visit to Valmora"; and
            # "arrived on a two-day visit" is aimed at no visit
            continue
        acts = _actors_of(c, entities, base)
        if any(a.code for a in acts):
            return [a for a in acts if a.code]
        if not uncoded and c.dep_ in ("dobj", "nsubj", "nsubjpass", "pobj") and (
                c.ent_type_ == "PERSON" or any(a.sector for a in acts)):
            uncoded = acts
    return uncoded


def _place_of(sent: SpacySpan, used: set[int]) -> str | None:
    for ent in sent.ents:
        if ent.label_ in ("GPE", "LOC", "FAC") and not any(t.i in used for t in ent):
            head = ent.root.head
            if head.dep_ == "prep" and head.lower_ in ("in", "at", "near", "outside",
                                                       "inside"):
                return ent.text
    return None


_REGULAR_FORCES = {"army", "troop", "soldier", "military", "tank", "helicopter", "jet",
                   "navy", "warship", "aircraft", "drone", "predator", "artillery",
                   "marine", "paratrooper", "force", "airforce", "gunship", "warplane"}
_MILITARY_KILLING = {"kill", "shoot", "wound", "attack", "hit", "bomb", "fire", "strike"}


def _by_actors(event: str, pred: Token, source: list[Actor]) -> str:
    """Refinements that depend on who acts: killing by an army is FIGHT (conventional
    force), by anyone else ASSAULT; exercises by two countries together are COOPERATE;
    peacekeepers arriving or deployed are AID."""
    subj_words = {t.lemma_.lower() for c in pred.children if c.dep_ in ("nsubj", "nsubjpass")
                  for t in c.subtree}
    if event == "ASSAULT" and pred.lemma_.lower() in _MILITARY_KILLING and (
            subj_words & _REGULAR_FORCES):
        return "FIGHT"
    if event == "MOBILIZE" and len({a.code for a in source if a.code}) > 1:
        return "COOPERATE"
    if event in ("CONSULT", "MOBILIZE") and any(w.startswith("peacekeep") for w in subj_words):
        return "AID"
    return event


def _fill_codes(sent: SpacySpan, actors: list[Actor]) -> None:
    """An actor with no country ("President Omar El Bashir", "the rebels") in a sentence
    that names exactly one country gets that country: news about one country's politics
    names it once."""
    if all(a.code for a in actors):
        return
    found = {c for c, _h, _i, _j in _code_tokens(list(sent)) if c != "IGO"}
    if len(found) == 1:
        code = found.pop()
        for a in actors:
            if a.code is None:
                a.code = code


def _code_span(sent: SpacySpan, base: int, entities: Sequence[Span],
               fallback: bool, fill: bool = True) -> CodedEvent | None:
    """Code one parsed sentence; offsets are shifted by ``base``."""
    found = _find(sent, fallback)
    if found is None:
        return None
    return _code_found(sent, base, entities, found, fill)


def _find(sent: SpacySpan, fallback: bool) -> _Found | None:
    """The event a sentence's verbs (or nouns) name, its predicate and rule: what the
    parse alone decides, before any actor is read (None when nothing fires and not
    ``fallback``)."""
    found: _Found | None = None
    roots = [t for t in sent if t.dep_ == "ROOT"]
    # the main clause first, then clauses coordinated with or attached to it; verbs in
    # modifiers ("the occupied territory", "a negotiated settlement") only as a last resort
    order = roots + [c for r in roots for c in r.children
                     if c.dep_ in ("conj", "advcl", "ccomp", "parataxis") and c.pos_ == "VERB"]
    if fallback:
        order += [t for t in sent if t.pos_ in ("VERB", "AUX") and t not in order]
    for tok in order:
        found = _resolve(tok)
        if found is not None:
            break
    if found is None:
        # events in subordinate clauses ("..., who attacked ...", "after X had agreed to
        # ..."), then a sentence that is a noun phrase ("Talks between X and Y in Oslo")
        later = [t for t in sent if t.pos_ == "VERB" and t not in order and t.dep_ in (
            "relcl", "advcl", "ccomp", "xcomp", "conj", "pcomp", "parataxis")]
        for tok in later:
            found = _resolve(tok)
            if found is not None:
                break
    if found is None:
        for r in roots:
            if r.pos_ in ("NOUN", "PROPN"):
                ev = _noun_event(r)
                if ev:
                    found = _Found(ev, r, "nominal", r)
                    break
    if found is None:
        # a noun phrase as the event ("the bombing of ..."), then keyword voting
        if not fallback:
            return None
        voted = _vote(sent)
        root = roots[0] if roots else sent[0]
        if voted is None:
            found = _Found(DEFAULT_EVENT, root, "default")
        else:
            ev, tok = voted
            # modality of the verb that carries the event ("would cut", "must leave")
            carrier = tok if tok.pos_ in ("VERB", "AUX") else tok.head
            fut, obl, neg, cond = _modality(carrier)
            found = _apply_modality(_Found(ev, root, "vote"), fut, obl, neg, cond)
    return found


def _code_found(sent: SpacySpan, base: int, entities: Sequence[Span], found: _Found,
                fill: bool) -> CodedEvent:
    """The coded event of a sentence whose event :func:`_find` found: its actors (from
    the entities), place and mode."""
    pred = found.pred
    between: list[Actor] = []
    if found.rule.startswith("nominal") and found.target_from is not None:
        between = _between(found.target_from, entities, base)
    if between:
        source = between
    elif found.target_is_subject and found.target_from is pred:
        # "Russia said Sudan must return ...": Sudan is the target, Russia the source
        source = _source_of(pred, entities, base, skip_own=True)
    else:
        source = _source_of(pred, entities, base)
        if not source and found.rule.startswith("nominal") and found.target_from is not None:
            source = code_actor(found.target_from, entities, base)
    src_ids: set[int] = set()
    for a in source:
        src_ids |= {t.i for t in sent if base + t.idx >= a.start and base + t.idx < a.end}
    target: list[Actor] = []
    if found.target_is_subject and found.target_from is not None:
        subj = next((c for c in found.target_from.children
                     if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None and subj.lower_ not in _PRONOUNS:
            target = [a for a in _actors_of(subj, entities, base) if a.code]
    # a purpose clause last ("staged demonstrations to demand reforms by the government")
    purpose = next((c for c in pred.children if c.dep_ in ("advcl", "xcomp") and any(
        g.dep_ == "aux" and g.lower_ == "to" for g in c.children)), None)
    for where in (found.target_from, pred, pred.head if pred.head is not pred else None,
                  purpose):
        if target:
            break
        if where is None:
            continue
        target = _target_of(where, src_ids, entities, base)
        if target:
            break
    if between:  # the parties are all actors; none of them is also the recipient
        target = [a for a in target if a.code not in {s.code for s in source}]
    used = set(src_ids) | {t.i for t in sent for a in target
                           if a.start <= base + t.idx < a.end}
    if fill:
        _fill_codes(sent, source + target)
    event = _by_actors(found.event, pred, source)
    return CodedEvent(
        event=event, source=source, target=target, place=_place_of(sent, used),
        trigger=(base + pred.idx, base + pred.idx + len(pred)),
        start=base + sent.start_char, end=base + sent.end_char, rule=found.rule,
        mode=_mode_of(event, pred, sent))


def code_sentence(text: str, *, fallback: bool = True) -> CodedEvent | None:
    """Code one sentence (or short text: its first sentence with an event).

    With ``fallback`` (the benchmark's setting, every sentence there reports an event)
    a sentence no rule fires on still gets the type its words vote for.
    """
    from newsdesk.nlp import load_nlp

    doc = load_nlp()(text)
    best: CodedEvent | None = None
    for sent in doc.sents:
        ev = _code_span(sent, 0, (), fallback=False)
        if ev is not None:
            return ev
    for sent in doc.sents if fallback else ():
        ev = _code_span(sent, 0, (), fallback=True)
        if ev is not None and ev.rule not in ("vote", "default"):
            return ev
    if fallback:
        sents = list(doc.sents)
        if sents:
            best = _code_span(max(sents, key=len), 0, (), fallback=True)
    return best


def code_events(article: Article, paras: list[ParsedParagraph], entities: list[Span],
                dates: list[Span]) -> list[Span]:
    """PLOVER events of an article as ``events``-layer spans (one per sentence at most).

    A sentence is coded when a verb rule fires and at least one actor has a country or
    organisation code. ``attrs``: ``event``, ``source``/``target`` (lists of
    ``{text, code, sector, entity, start, end}``), ``date`` (the value of the first date
    span in the sentence outside the actors' words, else None), ``place``, ``trigger``
    (the verb's offsets), ``rule`` and ``mode`` (the PLOVER mode, None when no cue of the
    codebook's mode tables fires).
    """
    out: list[Span] = []
    ents = _with_countries(entities, paras)
    for pp in paras:
        for ev in _paragraph_events(pp, ents):
            date = None
            # a date inside an actor's words describes the actor ("Lavrov, the first
            # foreign minister to visit since 2012"), not when the event happened
            inside = [(a.start, a.end) for a in ev.source + ev.target if a.end > a.start]
            for d in dates:
                if ev.start <= d.start < ev.end and d.attrs.get("value") and not any(
                        s <= d.start < e for s, e in inside):
                    date = d.attrs["value"]
                    break
            out.append(Span(ev.start, ev.end, ev.event, {
                "event": ev.event,
                "source": [a.as_dict() for a in ev.source],
                "target": [a.as_dict() for a in ev.target],
                "date": date,
                "place": ev.place,
                "trigger": list(ev.trigger) if ev.trigger else None,
                "rule": ev.rule,
                "mode": ev.mode,
            }))
    return out


def _paragraph_events(pp: ParsedParagraph, ents: Sequence[Span]) -> list[CodedEvent]:
    """Coded sentences of one paragraph, offsets into the article text.

    Coding depends only on the parse and on the entities inside the paragraph, so the
    result is kept on the (cached, shared) doc under the paragraph's entity signature: a
    wire paragraph republished ten times is coded once."""
    doc: Doc = pp.doc
    end = pp.start + len(doc_text(doc))
    local = [Span(x.start - pp.start, x.end - pp.start, x.label, x.attrs) for x in ents
             if pp.start <= x.start and x.end <= end]
    sig = tuple((x.start, x.end, x.label, x.attrs.get("canonical"), x.attrs.get("country"),
                 x.attrs.get("role")) for x in local)
    memo: dict[Any, list[CodedEvent]] = doc.user_data.setdefault("newsdesk.extract.plover", {})
    found = memo.get(sig)
    if found is None:
        found = []
        for s0, s1, f in passage_memo(doc):
            if f is None:
                continue
            event, pred, rule, target_from, target_is_subject = f
            ev = _code_found(doc[s0:s1], 0, local, _Found(
                event, doc[pred], rule, None if target_from is None else doc[target_from],
                target_is_subject), fill=False)
            if any(a.code for a in ev.source + ev.target):
                found.append(ev)
        memo[sig] = found
    return [_shifted(ev, pp.start) for ev in found]


_FINDS_KEY = "newsdesk.extract.plover:finds"
_PlainFind = tuple[str, int, str, int | None, bool]


def passage_memo(doc: Doc) -> list[tuple[int, int, _PlainFind | None]]:
    """Per sentence of a passage outside quotations, (first token, end token, what
    :func:`_find` gives as plain data: event, predicate index, rule, target index,
    target-is-subject), kept on the doc: the part of coding that does not depend on the
    entities, computed where the passage is parsed (:mod:`newsdesk.extract.memos`)."""
    cached: list[tuple[int, int, _PlainFind | None]] | None = doc.user_data.get(_FINDS_KEY)
    if cached is None:
        cached = []
        for sent in doc.sents:
            if _in_quote(doc, sent):
                continue
            f = _find(sent, fallback=False)
            cached.append((sent.start, sent.end, None if f is None else (
                f.event, f.pred.i, f.rule, None if f.target_from is None else f.target_from.i,
                f.target_is_subject)))
        doc.user_data[_FINDS_KEY] = cached
    return cached


def restore_passage_memo(doc: Doc, memo: list[tuple[int, int, _PlainFind | None]]) -> None:
    """Keep a :func:`passage_memo` computed elsewhere on the (rebuilt) doc."""
    doc.user_data[_FINDS_KEY] = memo


def _shifted(ev: CodedEvent, base: int) -> CodedEvent:
    def actor(a: Actor) -> Actor:
        return Actor(a.text, a.code, a.sector, a.start + base, a.end + base, a.entity)

    return CodedEvent(ev.event, [actor(a) for a in ev.source], [actor(a) for a in ev.target],
                      ev.place, (ev.trigger[0] + base, ev.trigger[1] + base)
                      if ev.trigger else None, ev.start + base, ev.end + base, ev.rule,
                      ev.mode)


def _with_countries(entities: list[Span], paras: Sequence[ParsedParagraph]) -> list[Span]:
    """Entity spans with a country wherever the article tells it: a name's own ``country``
    attribute, or a nationality in any of its roles ("Russian Foreign Minister"), shared
    by every mention of the same canonical entity ("Lavrov said ...")."""
    if not entities:
        entities = _fallback_entities(paras)
    local = _provisional_countries(entities)

    def code_of(word: str) -> str | None:
        return country_code(word) or local.get(word.lower())

    known: dict[str, str] = {}
    for x in entities:
        c = str(x.attrs.get("canonical") or "")
        if x.attrs.get("country"):
            known.setdefault(c, str(x.attrs["country"]))
        elif c.lower() in local and x.label in ("GPE", "NORP"):
            known.setdefault(c, local[c.lower()])
        elif x.attrs.get("role"):
            for w in re.split(r"[\s\u2019']+", str(x.attrs["role"])):
                code = code_of(w) if w[:1].isupper() else None
                if code and code != "IGO":
                    known.setdefault(c, code)
                    break
    out = []
    for x in entities:
        c = str(x.attrs.get("canonical") or "")
        if x.label in ("PERSON", "GPE", "NORP") and not x.attrs.get("country") and c in known:
            x = Span(x.start, x.end, x.label, {**x.attrs, "country": known[c]})
        out.append(x)
    return out


def _provisional_countries(entities: list[Span]) -> dict[str, str]:
    """Countries the gazetteer does not know, recognised by the text itself: a place
    (GPE) whose demonym also occurs ("Valmora" beside "Valmoran", "Kestria" beside
    "Kestrian"). They get a provisional code, the first three letters of the name, so
    events between them are still coded. Cities rarely come with such a demonym."""
    gpes = {str(x.attrs.get("canonical") or "") for x in entities
            if x.label == "GPE" and not x.attrs.get("country")}
    norps = {str(x.attrs.get("canonical") or "") for x in entities if x.label == "NORP"}
    out: dict[str, str] = {}
    for g in gpes:
        if len(g) < 4 or " " in g or country_code(g):
            continue
        stem = g[:-1] if g[-1] in "aeiouy" else g
        for n in norps:
            if n != g and n.startswith(stem) and len(n) - len(g) <= 3 and not country_code(n):
                code = g[:3].upper()
                out[g.lower()] = out[n.lower()] = code
    return out


def _in_quote(doc: Doc, sent: SpacySpan) -> bool:
    """A sentence wholly inside a quotation is someone's words, not a reported event."""
    first = sent.text.lstrip()[:1]
    return first in ("\u201c", '"', "\u2018", "\u00ab")
