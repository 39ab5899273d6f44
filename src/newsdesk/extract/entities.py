"""Named entities with canonical names across a batch of articles.

Three passes, each over spaCy's parse of the cleaned ``Article.text`` (never raw HTML, so
page furniture cannot produce an entity):

1. **Mentions per paragraph**: spaCy's NER spans, then rules that the small English model
   needs: a leading "the" and a trailing possessive are trimmed; titles in front of a name
   ("PM Khan", "Foreign Minister Sergey Lavrov", "Army chief Gen. Qamar Javed Bajwa") are
   moved out of the span into a ``role`` attribute (with the country they name, "Russian
   Foreign Minister" -> RUS); name fragments the model split ("Makhdoom Shah" + "Mahmood" +
   "Qureshi") are joined; an ORG ending in a head word ("Office", "Ministry") takes in the
   title words before it ("Prime Minister Office").
2. **Corpus gazetteer**: full person names seen anywhere in the batch split mentions that
   swallowed them ("Russian Federation Sergey Lavrov" -> "Russian Federation" +
   "Sergey Lavrov").
3. **Canonical entities**: mention strings are clustered by type-compatible matching —
   countries by ISO code (pycountry plus hand-written aliases), demonyms by country, person
   names by surname plus compatible given names (Sergey/Sergei by transliteration folding
   and edit distance), organisations by spelling-folded names (-ise/-ize) and acronyms
   ("SCO" <-> "Shanghai Cooperation Organisation" by initials). One-word mentions ("Khan",
   "Lavrov", the misspelt "Lavorv", "SCO") are linked per mention to a longer name of the
   same batch, preferring names in the same article. The type of each cluster is then fixed
   by a weighted majority over all its mentions across articles (a title in front of a
   name counts as strong PERSON evidence).

Why by hand: spaCy has no cross-document entity clustering and the small model's labels
on names it has not seen are noisy; the string matching uses rapidfuzz's edit distances.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz.distance import OSA

from newsdesk.extract.lexicon import (
    Place,
    entity_fixes,
    fold,
    resolve_place,
    role_words,
)
from newsdesk.model import Article, Span
from newsdesk.nlp import ParsedParagraph, parse_article
from newsdesk.unionfind import UnionFind

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

NAME_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART",
     "LANGUAGE"}
)
LAYER = "entities"

# Head words that make a capitalised phrase an organisation, and a few that make it an event.
ORG_HEADS = frozenset(
    """office ministry commission council committee organisation organization agency army
    navy force forces party bank university department court assembly parliament senate
    union association institute corporation company group fund authority board bureau
    service police front movement league secretariat cabinet government""".split()
)
EVENT_HEADS = frozenset("summit conference games war talks forum olympics".split())
FUNCTION_WORDS = frozenset("of the and for on in at to & de".split())
POSSESSIVE = frozenset({"'s", "\u2019s", "'", "\u2019"})
ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,7}$")

# Evidence weights for the cross-document type vote.
W_NER = 1.0
W_ROLE = 3.0  # a title in front of a name: strong PERSON evidence
W_PLACE = 5.0  # a country, capital or demonym from the lexicons
W_FIX = 10.0  # a forced type from data/entity_fixes.tsv
W_GEO = 2.0  # a geographic head word ("River", "Gulf of", "province")
# "the port of X", "the town of X": X is a place
_SETTLEMENT_NOUNS = frozenset({"port", "town", "city", "village", "district", "province",
                               "region", "island", "capital", "municipality", "county"})
_PLACE_PREPOSITIONS = frozenset({"from", "of", "in", "at", "near", "to"})


@dataclass(slots=True)
class CanonicalEntity:
    """One entity of the batch: canonical name, fixed type, the variants seen, roles."""

    id: str
    canonical: str
    type: str
    variants: set[str] = field(default_factory=set)
    country: str | None = None
    roles: set[str] = field(default_factory=set)
    mentions: int = 0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"id": self.id, "canonical": self.canonical, "type": self.type,
                "variants": sorted(self.variants), "country": self.country,
                "roles": sorted(self.roles), "mentions": self.mentions}


@dataclass(slots=True)
class EntityResult:
    """Canonical entity table plus the ``entities`` spans of each article (by key)."""

    entities: dict[str, CanonicalEntity]
    spans: dict[str, list[Span]]

    def by_role(self, role: str, country: str | None = None) -> list[CanonicalEntity]:
        """People holding a role ("Foreign Minister"), optionally of one country, most
        mentioned first — for resolving "the visiting Foreign Minister" to a name."""
        want = role.lower()
        found = [e for e in self.entities.values()
                 if e.type == "PERSON" and any(r.lower() == want for r in e.roles)
                 and (country is None or e.country == country)]
        return sorted(found, key=lambda e: (-e.mentions, e.canonical))

    def entity_of(self, span: Span) -> CanonicalEntity | None:
        """The canonical entity of an ``entities`` span."""
        return self.entities.get(str(span.attrs.get("entity_id")))


@dataclass(slots=True)
class Mention:
    """A name mention during extraction (token range within one parsed paragraph)."""

    article: int  # index into the batch
    para: int
    i: int  # first token
    j: int  # one past the last token
    label: str
    votes: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    role: str | None = None
    rank: str | None = None
    country: str | None = None  # from the title ("Russian Foreign Minister")
    place: Place | None = None
    text: str = ""
    start: int = 0
    end: int = 0
    cluster: int = -1
    entity: CanonicalEntity | None = None
    adjectival: bool = False  # directly before a common noun ("the Kallistan delegation")


# ---------------------------------------------------------------------------------------
# pass 1: mentions in one paragraph


def names_own_outlet(text: str, article: Article) -> bool:
    """Whether a mention names the outlet that published the article or the agency it
    credits ("told the Gazette" in the Lusca Gazette, "(PNA)" on a PNA wire): the
    reporter's own newsroom, not a party to the event, so the who's who leaves it out."""
    def norm(s: str) -> str:
        words = s.lower().replace("\u2019", "'").split()
        return " ".join(words[1:] if words[:1] == ["the"] else words)

    m = norm(text)
    if not m:
        return False
    for name in [article.source or "", *article.credits]:
        n = norm(name)
        if n and (m == n or n.endswith(" " + m)):
            return True
    return False


def _is_cap(t: Token) -> bool:
    return bool(t.text) and t.text[0].isupper()


def _role_kind(t: Token) -> str | None:
    rw = role_words().get(t.lower_)
    return rw.kind if rw else None


def _name_like(t: Token) -> bool:
    """A capitalised name word that is not a title word."""
    return (_is_cap(t) and t.pos_ in ("PROPN", "NOUN", "ADJ", "X") and _role_kind(t) is None
            and not t.like_num and t.text not in POSSESSIVE and t.is_alpha)


TITLE_HEADS = frozenset(
    """minister president pm fm cm premier chancellor secretary ambassador governor mayor
    senator king queen prince princess emir sultan chairman chairwoman chairperson director
    spokesman spokeswoman spokesperson leader chief commander envoy judge justice speaker
    pope""".split()
)


def _strong_title(t: Token) -> bool:
    """A word that makes the capitalised name after it a person ("PM", "Gen.", "Mr")."""
    kind = _role_kind(t)
    return kind in ("rank", "honorific") or (kind == "office" and t.lower_ in TITLE_HEADS)


# Nouns of creative works: a name right after one ("the film Long Harbour", "the national
# opera, The Salt Bride, ...") is the work's title, which the small model often tags as a
# person or a place; titles are not parties to an event.
WORK_NOUNS = frozenset(
    """opera film movie novel book album song play musical painting poem documentary
    symphony ballet sculpture memoir""".split())


def _names_a_work(doc: Doc, i: int, j: int) -> bool:
    """Whether ``doc[i:j]`` is the title of a work named just before it: "the film X", or
    "the opera, X," set off by commas on both sides (not "a novel, Ana Lind said")."""
    k = i - 1
    comma = k >= 0 and doc[k].text == ","
    if comma:
        k -= 1
    if k < 0 or doc[k].pos_ != "NOUN" or doc[k].lemma_.lower() not in WORK_NOUNS:
        return False
    return not comma or j >= len(doc) or doc[j].text in (",", ".", ";", ")")


def _doc_mentions(doc: Doc, art: int, para: int) -> list[Mention]:
    """spaCy's name entities of one paragraph, with boundaries and labels repaired."""
    fixes = entity_fixes()
    found: list[Mention] = []
    for ent in doc.ents:
        if ent.label_ not in NAME_LABELS:
            continue
        if _names_a_work(doc, ent.start, ent.end):
            continue
        i, j, label = ent.start, ent.end, ent.label_
        while i < j and (doc[i].lower_ == "the" or doc[i].is_punct):
            i += 1
        while j > i and (doc[j - 1].text in POSSESSIVE or doc[j - 1].is_punct):
            j -= 1
        if i >= j:
            continue
        text = doc[i:j].text
        if (i > 0 and doc[i - 1].text == "#") or text.startswith("#"):
            continue  # hashtags are not names
        if not any(c.isupper() for c in text):
            continue
        fix = fixes.get(fold(text))
        if fix == "DROP":
            continue
        if j - i == 1 and doc[i].pos_ == "NOUN" and not doc[i].is_upper and fix is None:
            continue  # a capitalised common noun ("Farmers said"), not a name
        m = Mention(art, para, i, j, label)
        last = doc[j - 1].lower_
        if last in ORG_HEADS and label in ("PERSON", "ORG", "GPE", "NORP", "FAC"):
            # "Prime Minister Office": the title words belong to the organisation's name.
            while m.i > 0 and _is_cap(doc[m.i - 1]) and not doc[m.i - 1].is_punct \
                    and doc[m.i - 1].pos_ != "DET":
                m.i -= 1
            m.label = "ORG"
        else:
            # Titles inside the span ("PM Khan", "President Putin") move out of it.
            k = i
            while k < j - 1 and _role_kind(doc[k]) is not None:
                k += 1
            if k > i and (label == "PERSON" or _strong_title(doc[k - 1])):
                m.i = k
                m.label = "PERSON"
            if last in EVENT_HEADS and m.label in ("ORG", "FAC"):
                m.label = "EVENT"
        if fix is not None:
            m.label = fix
        found.append(m)
    found.extend(_titled_names(doc, art, para, found))
    found.extend(_headed_orgs(doc, art, para, found))
    found = _join_fragments(doc, found)
    return found


def _headed_orgs(doc: Doc, art: int, para: int, found: list[Mention]) -> list[Mention]:
    """Organisations the model missed: "the Prime Minister's Office", "(PNA)"."""
    covered = {k for m in found for k in range(m.i, m.j)}
    covered |= {t.i for e in doc.ents for t in e}
    out = []
    headline = _title_case_tokens(doc)
    for t in doc:
        if t.i in covered or not _is_cap(t) or t.i in headline:
            continue
        if t.lower_ in ORG_HEADS:
            i = t.i
            while i > 0 and (i - 1) not in covered and (
                    (_is_cap(doc[i - 1]) and doc[i - 1].is_alpha) or (
                    doc[i - 1].text in POSSESSIVE and i > 1 and _is_cap(doc[i - 2]))):
                i -= 1
            if i < t.i:
                out.append(Mention(art, para, i, t.i + 1, "ORG"))
        elif ACRONYM.match(t.text) and 0 < t.i < len(doc) - 1 and doc[t.i - 1].text == "(" \
                and doc[t.i + 1].text == ")":
            out.append(Mention(art, para, t.i, t.i + 1, "ORG"))
    return out


_SMALL_WORDS = FUNCTION_WORDS | frozenset("a an or but by with from as is vs via".split())


def _title_case(sent: SpacySpan) -> bool:
    """A headline in Title Case ("PM Appreciates Russia's Efforts for Peace"): every word
    but the small ones is capitalised, so capitals say nothing about names."""
    n = 0
    for t in sent:  # stops at the first lower-case word, where almost every sentence ends
        if t.is_alpha and t.lower_ not in _SMALL_WORDS:
            if not _is_cap(t):
                return False
            n += 1
    return n >= 3


def _title_case_tokens(doc: Doc) -> set[int]:
    """Indices of the tokens in Title Case sentences of a doc."""
    out: set[int] = set()
    for sent in doc.sents:
        if _title_case(sent):
            out.update(range(sent.start, sent.end))
    return out


_USER_DATA_KEY = "newsdesk.extract.entities"


def _doc_mention_ranges(doc: Doc) -> list[tuple[int, int, str]]:
    """(first token, end token, label) of the mentions of one passage, cached on the doc so
    a passage repeated across wire copies is read once."""
    cached: list[tuple[int, int, str]] | None = doc.user_data.get(_USER_DATA_KEY)
    if cached is None:
        cached = [(m.i, m.j, m.label) for m in _doc_mentions(doc, 0, 0)]
        doc.user_data[_USER_DATA_KEY] = cached
    return cached


def passage_memo(doc: Doc) -> list[tuple[int, int, str]]:
    """This extractor's per-passage result as plain data (computed where the passage is
    parsed; :mod:`newsdesk.extract.memos`)."""
    return _doc_mention_ranges(doc)


def restore_passage_memo(doc: Doc, memo: list[tuple[int, int, str]]) -> None:
    """Keep a :func:`passage_memo` computed elsewhere on the (rebuilt) doc."""
    doc.user_data[_USER_DATA_KEY] = memo


def _titled_names(doc: Doc, art: int, para: int, found: list[Mention]) -> list[Mention]:
    """Names the model missed right after a title: "FM Dreivn said"."""
    covered = {k for m in found for k in range(m.i, m.j)}
    covered |= {t.i for e in doc.ents for t in e}
    out = []
    headline = _title_case_tokens(doc)
    k = 1
    while k < len(doc):
        if k not in covered and _strong_title(doc[k - 1]) and k not in headline \
                and _name_like(doc[k]) \
                and doc[k].pos_ == "PROPN" and doc[k].lower_ not in ORG_HEADS:
            j = k + 1
            while j < len(doc) and j not in covered and _name_like(doc[j]) \
                    and doc[j].pos_ == "PROPN" and doc[j].lower_ not in ORG_HEADS:
                j += 1
            out.append(Mention(art, para, k, j, "PERSON"))
            k = j
        k += 1
    return out


def _join_fragments(doc: Doc, ms: list[Mention]) -> list[Mention]:
    """Join a person's name split by the model ("Makhdoom Shah" + "Mahmood" + "Qureshi")."""
    ms.sort(key=lambda m: m.i)
    headline = _title_case_tokens(doc)
    for m in ms:
        if (m.label != "PERSON" and not _titled(doc, m.i)) or m.i in headline:
            continue
        while m.j < len(doc) and _name_like(doc[m.j]) and doc[m.j - 1].whitespace_ == " ":
            m.j += 1
        while m.i > 0 and _name_like(doc[m.i - 1]) and doc[m.i - 1].whitespace_ == " " \
                and doc[m.i - 1].ent_type_ in ("", "PERSON"):
            m.i -= 1
    out: list[Mention] = []
    for m in ms:
        if out and m.i <= out[-1].j:
            prev = out[-1]
            overlap = m.i < prev.j
            adjacent = m.i == prev.j and doc[prev.j - 1].whitespace_ == " "
            personal = "PERSON" in (prev.label, m.label) or _titled(doc, prev.i)
            if overlap or (adjacent and personal and _name_like(doc[m.i])
                           and resolve_place(doc[m.i:m.j].text) is None
                           and resolve_place(doc[prev.i:prev.j].text) is None):
                prev.j = max(prev.j, m.j)
                if personal:
                    prev.label = "PERSON"
                continue
        out.append(m)
    return out


def _titled(doc: Doc, i: int) -> bool:
    """An office or rank word right before token ``i``."""
    return i > 0 and _role_kind(doc[i - 1]) in ("office", "rank", "honorific")


def _title_before(doc: Doc, m: Mention, gpe_codes: dict[int, str]) -> set[int]:
    """Read the title in front of a mention ("Pakistan Army chief Gen.") into its attrs;
    returns the tokens the title covers."""
    if m.i > 0 and doc[m.i - 1].lower_ == "of":
        return set()  # "the mayor of Saldena": Saldena is where, not who
    k = m.i - 1
    words: list[Token] = []
    country: str | None = None
    sent_start = doc[m.i].sent.start
    while k >= sent_start:
        t = doc[k]
        kind = _role_kind(t)
        if kind is not None and not (kind == "office" and t.lower_ == "state" and not words):
            words.append(t)
            k -= 1
            continue
        if t.text in POSSESSIVE and k - 1 in gpe_codes:
            k -= 1
            continue
        if k in gpe_codes:
            country = country or gpe_codes[k]
            while k >= sent_start and k in gpe_codes:
                k -= 1
            continue
        break
    words.reverse()
    _set_role(m, words)
    if m.role or m.rank or (words and country):
        m.country = country
    if not (m.role or m.rank):
        _title_after(doc, m, gpe_codes)
        return set()
    return set(range(k + 1, m.i))


def _title_after(doc: Doc, m: Mention, gpe_codes: dict[int, str]) -> None:
    """An appositive title: "Sergey Lavrov, Russia's foreign minister, said"."""
    k = m.j
    if k >= len(doc) or doc[k].text != ",":
        return
    k += 1
    country = None
    words: list[Token] = []
    while k < len(doc) and doc[k].text not in (",", ".", ";", "(", ")"):
        t = doc[k]
        if k in gpe_codes:
            country = country or gpe_codes[k]
        elif _role_kind(t) is not None:
            words.append(t)
        elif t.lower_ in ("the", "a", "an") or t.text in POSSESSIVE:
            pass
        else:
            return
        k += 1
    _set_role(m, words)
    if m.role or m.rank:
        m.country = country


def _set_role(m: Mention, words: list[Token]) -> None:
    rw = role_words()
    office = [w for w in words if rw[w.lower_].kind == "office"]
    rank = [w for w in words if rw[w.lower_].kind == "rank"]
    if office:
        m.role = " ".join(rw[w.lower_].expansion or w.text for w in office)
        m.role = _tidy_role(m.role)
    if rank:
        m.rank = " ".join(rw[w.lower_].expansion or w.text for w in rank)
    if m.role or m.rank:
        m.votes["PERSON"] += W_ROLE


def _tidy_role(role: str) -> str:
    """Capitalise a role the way titles are written ("foreign minister" -> "Foreign
    Minister"), keeping a lower-case trailing "chief" as in "Army chief"."""
    parts = role.split()
    return " ".join(p if p.lower() == "chief" and i else p[:1].upper() + p[1:]
                    for i, p in enumerate(parts))


# ---------------------------------------------------------------------------------------
# pass 2: split mentions that swallowed a known full name


def _split_known_names(docs: list[list[Doc]], mentions: list[Mention]) -> list[Mention]:
    people: set[tuple[str, ...]] = set()
    for m in mentions:
        if m.label == "PERSON" and m.j - m.i >= 2:
            doc = docs[m.article][m.para]
            people.add(tuple(t.lower_ for t in doc[m.i:m.j]))
    out: list[Mention] = []
    for m in mentions:
        doc = docs[m.article][m.para]
        toks = tuple(t.lower_ for t in doc[m.i:m.j])
        cut = None
        if m.label != "PERSON" and len(toks) >= 3:
            for k in range(1, len(toks) - 1):
                if toks[k:] in people:
                    cut = m.i + k
                    break
        if cut is None:
            out.append(m)
            continue
        person = Mention(m.article, m.para, cut, m.j, "PERSON")
        end = cut
        while end > m.i and (_role_kind(doc[end - 1]) is not None or doc[end - 1].is_punct
                             or doc[end - 1].lower_ == "the"):
            end -= 1
        if end > m.i:
            out.append(Mention(m.article, m.para, m.i, end, m.label))
        out.append(person)
    return out


def _gazetteer_pass(docs: list[list[Doc]], mentions: list[Mention]) -> list[Mention]:
    """Find untagged occurrences of the batch's person names: "Pavel Oskarow" (given name
    known, surname within an edit of a known one) and a known surname alone ("Oskarov")."""
    given_to_surnames: dict[str, set[str]] = defaultdict(set)
    surnames: set[str] = set()
    for m in mentions:
        if m.label == "PERSON" and m.j - m.i >= 2:
            toks = docs[m.article][m.para][m.i:m.j]
            surnames.add(toks[-1].text)
            given_to_surnames[toks[0].text].add(toks[-1].text)
    if not surnames:
        return []
    covered: dict[tuple[int, int], set[int]] = defaultdict(set)
    for m in mentions:
        covered[(m.article, m.para)].update(range(m.i, m.j))
    out: list[Mention] = []
    for ai, ds in enumerate(docs):
        for pi, doc in enumerate(ds):
            cov = covered[(ai, pi)] | {t.i for e in doc.ents for t in e}
            headline: set[int] | None = None
            k = 0
            while k < len(doc):
                t = doc[k]
                if k in cov or t.pos_ != "PROPN" or not _name_like(t):
                    k += 1
                    continue
                if headline is None:
                    headline = _title_case_tokens(doc)
                if k in headline:
                    k += 1
                    continue
                nxt = doc[k + 1] if k + 1 < len(doc) else None
                if nxt is not None and k + 1 not in cov and _name_like(nxt) and any(
                        _same_word(nxt.text, sur) for sur in given_to_surnames.get(t.text, ())):
                    out.append(Mention(ai, pi, k, k + 2, "PERSON"))
                    k += 2
                    continue
                if t.text in surnames and len(t.text) >= 4 and not (
                        nxt is not None and _name_like(nxt)):
                    out.append(Mention(ai, pi, k, k + 1, "PERSON"))
                k += 1
    return out


# ---------------------------------------------------------------------------------------
# pass 3: clustering


_TRANSLIT = [(re.compile(p), r) for p, r in
             [(r"y", "i"), (r"kh", "h"), (r"ph", "f"), (r"ou", "u"), (r"ck", "k"), (r"(.)\1", r"\1"),
              (r"j", "i"), (r"w", "v")]]


@lru_cache(maxsize=1 << 15)  # ~250k calls per 1,000 articles on a few thousand words
def _skeleton(word: str) -> str:
    """Transliteration-tolerant form of a name word (Sergey/Sergei, Mohammed/Muhammad)."""
    s = fold(word)
    for p, r in _TRANSLIT:
        s = p.sub(r, s)
    return s


def _same_word(a: str, b: str) -> bool:
    """Two name words that are spellings of one another: the same transliteration
    skeleton, or a slip inside a long word (edit distance 1 from five letters, 2 from
    nine). A slip keeps the word's first two letters and its last one: "Jerymayne" is
    "Jermayne", "Kouyias" is "Kougias", but "Foley" is not "Holley", "Stewart" not
    "Steward", "Simmons" not "Timmons", "Clark" not "Clara" (on ECB+ dev every such
    pair named two people)."""
    if a == b:
        return True
    sa, sb = _skeleton(a), _skeleton(b)
    if min(len(sa), len(sb)) < 3:
        return fold(a) == fold(b)  # "Y." is not "II", "Wu" not "Vu"
    if sa == sb:
        return True
    if sa[:2] != sb[:2] or sa[-1:] != sb[-1:]:
        return False
    n = min(len(sa), len(sb))
    if n >= 5 and OSA.distance(sa, sb) <= 1:
        return True
    return n >= 9 and OSA.distance(sa, sb) <= 2


def _initial_of(a: str, b: str) -> bool:
    """"S." or "S" is an initial of "Sergey"."""
    a = a.rstrip(".")
    return len(a) == 1 and b[:1].lower() == a.lower()


def _given_compatible(short: list[str], long: list[str]) -> bool:
    """Every given name of the shorter form matches one of the longer, in order."""
    k = 0
    for g in short:
        while k < len(long) and not (_same_word(g, long[k]) or _initial_of(g, long[k])
                                     or _initial_of(long[k], g)):
            k += 1
        if k == len(long):
            return False
        k += 1
    return True


def _persons_match(a: list[str], b: list[str]) -> bool:
    if not _same_word(a[-1], b[-1]):
        return False
    ga, gb = a[:-1], b[:-1]
    if len(ga) > len(gb):
        ga, gb = gb, ga
    return _given_compatible(ga, gb)


def _org_key(text: str) -> str:
    """Spelling-folded organisation name: no "the", hyphens as spaces, -ise/-ize merged."""
    t = fold(text).replace("-", " ").replace("&", "and")
    t = re.sub(r"^the ", "", t)
    t = re.sub(r"is(ation|e|ed|es|ing)\b", r"iz\1", t)
    t = re.sub(r"ys(e|ed|es|ing)\b", r"yz\1", t)
    t = t.replace("defence", "defense").replace("centre", "center")
    return re.sub(r"[^\w ]", "", t).strip()


def _initials(text: str) -> set[str]:
    """Acronyms a multi-word name may go by: initials of content words, hyphenated parts
    counted separately or not ("Inter-Governmental Commission" -> IGC or IC)."""
    words = [w for w in re.split(r"\s+", text) if w]
    if len(words) < 2:
        return set()
    out = set()
    for split_hyphens in (True, False):
        letters: list[str] = []
        for w in words:
            if w.lower() in FUNCTION_WORDS:
                continue
            parts = [p for p in w.split("-") if p] if split_hyphens else [w]
            letters.extend(p[0].upper() for p in parts if p[0].isalpha())
        if len(letters) >= 2:
            out.add("".join(letters))
    return out


class _SimilarWords:
    """Blocking index for fuzzy name matching: a word is compared only with words sharing
    its first or last two letters and within two letters of its length (one or two edits
    leave one end intact), so matching stays near-linear on large batches."""

    def __init__(self, words: Iterable[str]) -> None:
        self.by_end: dict[str, set[str]] = defaultdict(set)
        for w in words:
            self.by_end["<" + w[:2]].add(w)
            self.by_end[">" + w[-2:]].add(w)

    def near(self, word: str) -> list[str]:
        """Indexed words that are spellings of ``word`` (itself excluded)."""
        pool = self.by_end.get("<" + word[:2], set()) | self.by_end.get(">" + word[-2:], set())
        return sorted(w for w in pool if w != word and abs(len(w) - len(word)) <= 2
                      and _same_word(w, word))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "x"


@dataclass(slots=True)
class _Node:
    """A distinct mention string with its votes and mentions."""

    key: str
    words: list[str]
    mentions: list[Mention] = field(default_factory=list)
    votes: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    place: Place | None = None
    preferred: bool = False  # the long form of a geographic name

    @property
    def prelim(self) -> str:
        return max(sorted(self.votes), key=lambda k: self.votes[k]) if self.votes else "ORG"


def _cluster(mentions: list[Mention]) -> tuple[dict[str, CanonicalEntity], list[Mention]]:
    nodes: dict[str, _Node] = {}
    for m in mentions:
        key = fold(m.text)
        n = nodes.get(key)
        if n is None:
            n = nodes[key] = _Node(key, m.text.split(), place=resolve_place(m.text))
        n.mentions.append(m)
        for k, v in m.votes.items():
            n.votes[k] += v
    _derive_places(nodes)
    fixes = entity_fixes()
    for n in nodes.values():
        fix = fixes.get(n.key)
        if fix and fix != "DROP":
            n.votes[fix] += W_FIX
        if n.place is not None:
            n.votes["NORP" if n.place.kind == "demonym" else "GPE"] += W_PLACE
        geo = _geo_type(n.words)
        if geo:
            n.votes[geo] += W_GEO * len(n.mentions)

    uf: UnionFind[str] = UnionFind()
    persons = [n for n in nodes.values()
               if n.place is None and n.prelim == "PERSON" and len(n.words) >= 2]
    by_surname: dict[str, list[_Node]] = defaultdict(list)
    for n in persons:
        by_surname[_skeleton(n.words[-1])].append(n)
        uf.find("n:" + n.key)
    similar = _SimilarWords(by_surname)
    for sa in sorted(by_surname):
        group = list(by_surname[sa])
        for sb in similar.near(sa):
            if sb > sa:
                group.extend(by_surname[sb])
        for x in range(len(group)):
            for y in range(x + 1, len(group)):
                if _persons_match(group[x].words, group[y].words):
                    uf.union("n:" + group[x].key, "n:" + group[y].key)

    orgs = [n for n in nodes.values() if n.place is None and n.prelim != "PERSON"
            and not (len(n.words) == 1 and ACRONYM.match(n.words[0]))]
    by_org_key: dict[str, str] = {}
    for n in orgs:
        k = _org_key(n.key)
        if k in by_org_key:
            uf.union("n:" + n.key, by_org_key[k])
        else:
            by_org_key[k] = "n:" + n.key
            uf.find("n:" + n.key)

    for n in nodes.values():
        if n.place is not None and n.place.kind == "country":
            uf.union("n:" + n.key, "place:" + (n.place.code or fold(n.place.name)))
        elif n.place is not None and n.place.kind == "demonym":
            uf.union("n:" + n.key, "norp:" + (n.place.code or fold(n.place.name)))
        else:
            uf.find("n:" + n.key)
    _link_geo_names(nodes, uf)

    # Short forms (one-word surnames, acronyms) link per mention to a longer name.
    surname_index: dict[str, list[_Node]] = defaultdict(list)
    for n in persons:
        surname_index[_skeleton(n.words[-1])].append(n)
    acronym_index: dict[str, list[_Node]] = defaultdict(list)
    for n in orgs:
        if len(n.words) >= 2:
            for ac in _initials(" ".join(n.words)):
                acronym_index[ac].append(n)

    roots: dict[str, int] = {}
    clusters: list[list[Mention]] = []

    def cluster_of(node_key: str) -> int:
        r = uf.find("n:" + node_key)
        if r not in roots:
            roots[r] = len(clusters)
            clusters.append([])
        return roots[r]

    # Where each cluster is mentioned in full, per article (for per-article preference).
    full_mentions: dict[int, set[int]] = defaultdict(set)
    for n in nodes.values():
        for m in n.mentions:
            full_mentions[cluster_of(n.key)].add(m.article)

    for n in nodes.values():
        cands: list[_Node] = []
        if len(n.words) == 1 and n.place is None:
            w = n.words[0]
            if ACRONYM.match(w):
                cands = acronym_index.get(w, [])
            elif n.key not in fixes:
                sk = _skeleton(w)
                cands = list(surname_index.get(sk, []))
                if not cands and len(sk) >= 5:
                    cands = [p for s in similar.near(sk) for p in surname_index[s]]
        cand_clusters = sorted({cluster_of(c.key) for c in cands})
        # An acronym goes, beyond the articles that spell it out, only with a name some
        # article gives beside it: "WBC" in a boxing report is not the "Wasilla Bible
        # Church" of other reports, whatever their number.
        beyond = None
        if len(n.words) == 1 and ACRONYM.match(n.words[0]):
            seen_in = {m.article for m in n.mentions}
            beyond = [c for c in cand_clusters if full_mentions[c] & seen_in]
        for m in n.mentions:
            picked = _pick(cand_clusters, m, full_mentions, clusters,
                           beyond) if cand_clusters else None
            m.cluster = cluster_of(n.key) if picked is None else picked
    for m in mentions:
        clusters[m.cluster].append(m)
    return _finalise(clusters, nodes), mentions


_DEMONYM_ENDINGS = (("n", ""), ("an", ""), ("ian", ""), ("ese", ""), ("i", ""), ("ish", ""),
                    ("an", "a"), ("ian", "ia"), ("an", "o"), ("ean", "e"))
_STATE_WORDS = ("republic", "federation", "kingdom", "state", "emirate", "commonwealth",
                "principality", "confederation", "union")
_LOC_WORDS = frozenset("""river lake mount mountain mountains gulf bay sea cape island islands
    valley desert strait ocean peninsula""".split())
_GPE_WORDS = frozenset("province district region county".split())


def _geo_type(words: list[str]) -> str | None:
    """LOC for "River Sorra", "Gulf of Orrin"; GPE for "Lusca province"."""
    if len(words) < 2:
        return None
    first, last = words[0].lower(), words[-1].lower()
    if first in _LOC_WORDS or last in _LOC_WORDS:
        return "LOC"
    if first in _GPE_WORDS or last in _GPE_WORDS:
        return "GPE"
    return None


_GEO_WORDS = frozenset("""river lake mount mountain mountains gulf bay sea cape island islands
    province district region county valley desert strait port""".split())


def _derive_places(nodes: dict[str, _Node]) -> None:
    """Places the lexicons do not know, found from their demonyms in the batch itself:
    "Valmoran" next to "Valmora" makes Valmora a country and Valmoran its demonym;
    "Republic of Valmora" and "Kestrian Federation" are then that country too."""
    derived: dict[str, Place] = {}
    for n in nodes.values():
        if n.place is not None or len(n.words) != 1 or not (
                n.prelim in ("NORP", "GPE") or any(m.adjectival for m in n.mentions)):
            continue
        word = n.words[0]
        for suffix, repl in _DEMONYM_ENDINGS:
            if not word.endswith(suffix) or len(word) - len(suffix) < 3:
                continue
            base = fold(word[: len(word) - len(suffix)] + repl)
            x = nodes.get(base)
            if x is not None and x is not n and len(x.words) == 1 and (
                    x.place is None or x.place.kind == "country"):
                country = x.place or Place("country", None, x.words[0])
                x.place = country
                n.place = Place("demonym", country.code, word)
                derived[fold(word)] = country
                derived[base] = country
                break
    if not derived:
        return
    for n in nodes.values():
        if n.place is not None or len(n.words) < 2:
            continue
        low = [w.lower() for w in n.words]
        state: Place | None = None
        if low[0] in _STATE_WORDS and low[1] == "of":
            state = derived.get(fold(" ".join(n.words[2:])))  # "Republic of Valmora"
        elif len(low) == 2 and low[1] in _STATE_WORDS:
            state = derived.get(fold(n.words[0]))  # "Kestrian Federation"
        if state is not None:
            n.place = state


def _link_geo_names(nodes: dict[str, _Node], uf: UnionFind[str]) -> None:
    """"River Vessa" and "the Vessa", "Lusca province" and "Lusca" are one place."""
    for n in nodes.values():
        if len(n.words) < 2 or n.place is not None:
            continue
        low = [w.lower() for w in n.words]
        rest: list[str] = []
        if low[0] in _GEO_WORDS:
            rest = n.words[2:] if len(low) > 2 and low[1] == "of" else n.words[1:]
        elif low[-1] in _GEO_WORDS:
            rest = n.words[:-1]
        if len(rest) == 1:
            short = nodes.get(fold(rest[0]))
            if short is not None and short.place is None:
                uf.union("n:" + n.key, "n:" + short.key)
                n.preferred = True  # "River Vessa" names the cluster, not "Vessa"


def _pick(cands: list[int], m: Mention, full: dict[int, set[int]],
          clusters: list[list[Mention]], beyond: list[int] | None = None) -> int | None:
    """Choose among candidate clusters for a short form: one named in the same article
    first, then (of ``beyond`` when given, else of all) the one mentioned in the most
    articles; None when there is none."""
    local = [c for c in cands if m.article in full[c]]
    pool = local or (cands if beyond is None else beyond)
    return max(pool, key=lambda c: (len(full[c]), -c)) if pool else None


def _finalise(clusters: list[list[Mention]], nodes: dict[str, _Node]
              ) -> dict[str, CanonicalEntity]:
    table: dict[str, CanonicalEntity] = {}
    fixes = entity_fixes()
    for idx, ms in enumerate(clusters):
        if not ms:
            continue
        votes: defaultdict[str, float] = defaultdict(float)
        places = []
        for m in ms:
            for k, v in m.votes.items():
                votes[k] += v
            n = nodes[fold(m.text)]
            if n.place is not None:
                places.append(n.place)
                votes["NORP" if n.place.kind == "demonym" else "GPE"] += W_PLACE
            fix = fixes.get(n.key)
            if fix and fix != "DROP":
                votes[fix] += W_FIX
            geo = _geo_type(n.words)
            if geo:
                votes[geo] += W_GEO
        etype = max(sorted(votes), key=lambda k: votes[k]) if votes else "ORG"
        preferred = sorted({m.text for m in ms if nodes[fold(m.text)].preferred})
        canonical = preferred[0] if preferred and etype != "PERSON" else \
            _canonical_name(ms, etype, places)
        country = _cluster_country(ms, places, etype)
        eid = f"{etype.lower()}:{_slug(canonical)}"
        while eid in table:
            eid += "+"
        ent = CanonicalEntity(eid, canonical, etype, {m.text for m in ms}, country,
                              {r for m in ms for r in (m.role, m.rank) if r}, len(ms))
        table[eid] = ent
        for m in ms:
            m.cluster = idx
            m.label = etype
            m.entity = ent
    return table


def _canonical_name(ms: list[Mention], etype: str, places: list[Place]) -> str:
    countries = [p for p in places if p.kind == "country"]
    if countries:
        return Counter(p.name for p in countries).most_common(1)[0][0]
    demonyms = [p for p in places if p.kind == "demonym"]
    if demonyms:
        return Counter(p.name for p in demonyms).most_common(1)[0][0]
    counts = Counter(m.text for m in ms)
    names = list(counts)
    if etype == "PERSON":
        multi = [x for x in names if len(x.split()) >= 2]
        names = multi or names
    else:
        long_forms = [x for x in names if not ACRONYM.match(x)]
        names = long_forms or names
    return sorted(names, key=lambda x: (-counts[x], -len(x.split()), x))[0]


def _cluster_country(ms: list[Mention], places: list[Place], etype: str) -> str | None:
    if places:
        return Counter(p.code for p in places).most_common(1)[0][0]
    titled = Counter(m.country for m in ms if m.country)
    if titled:
        return titled.most_common(1)[0][0]
    if etype in ("ORG", "FAC", "EVENT"):
        # "Russian Foreign Ministry", "Pakistan Army": the country the name contains.
        codes: Counter[str] = Counter()
        for m in ms:
            for w in m.text.replace("-", " ").split():
                p = resolve_place(w)
                if p is not None and p.code and p.kind in ("country", "demonym"):
                    codes[p.code] += 1
        if codes:
            return codes.most_common(1)[0][0]
    return None


# ---------------------------------------------------------------------------------------
# driver


def extract_entities(articles: list[Article],
                     parsed: Sequence[list[ParsedParagraph]] | None = None) -> EntityResult:
    """Find entities in every article and give each a canonical entity of the batch.

    ``parsed`` holds the parsed paragraphs of each article, in the order of ``articles``
    (from :func:`newsdesk.nlp.parse_article`); when None they are parsed here. Adds the
    ``entities`` layer to each article and returns the canonical table.
    """
    if parsed is not None and len(parsed) != len(articles):
        raise ValueError(f"extract_entities got {len(parsed)} parsed articles for "
                         f"{len(articles)} articles; pass one parse per article, in order.")
    paras: list[list[ParsedParagraph]] = (
        list(parsed) if parsed is not None else [parse_article(a) for a in articles])
    docs = [[pp.doc for pp in ps] for ps in paras]

    mentions: list[Mention] = []
    for ai, ps in enumerate(paras):
        for pi, pp in enumerate(ps):
            mentions.extend(Mention(ai, pi, i, j, label)
                            for i, j, label in _doc_mention_ranges(pp.doc))
    mentions = _split_known_names(docs, mentions)
    mentions.extend(_gazetteer_pass(docs, mentions))

    by_doc: dict[tuple[int, int], list[Mention]] = defaultdict(list)
    dropped: set[int] = set()
    article_words: dict[int, _ArticleWords] = {}
    for m in mentions:
        by_doc[(m.article, m.para)].append(m)
    for (ai, pi), ms in by_doc.items():
        doc = docs[ai][pi]
        pp = paras[ai][pi]
        ms.sort(key=lambda m: m.i)
        gpe_codes: dict[int, str] = {}
        for m in ms:
            m.text = doc[m.i:m.j].text
            m.start = pp.start + doc[m.i].idx
            m.end = m.start + len(m.text)
            m.votes[m.label] += W_NER
            m.adjectival = m.j < len(doc) and doc[m.j].pos_ == "NOUN" and doc[m.j].is_lower
            place = resolve_place(m.text)
            if place is not None and place.code:
                m.place = place
                for k in range(m.i, m.j):
                    gpe_codes[k] = place.code
            else:
                # "Pakistan Army chief Gen. ...": a country word inside an organisation's
                # name still says whose title it is.
                for k in range(m.i, m.j):
                    p = resolve_place(doc[k].text)
                    if p is not None and p.code and p.kind in ("country", "demonym"):
                        gpe_codes[k] = p.code
        in_titles: set[int] = set()
        for m in ms:
            if m.place is None and m.label not in ("ORG", "FAC", "EVENT", "PRODUCT", "LAW"):
                in_titles |= _title_before(doc, m, gpe_codes)
            m.place = None
            before = doc[m.i - 1].lower_ if m.i > 0 else ""
            if m.j + 1 < len(doc) and doc[m.j].text == "," and doc[m.j + 1].lower_ == "who" \
                    and before not in _PLACE_PREPOSITIONS:
                # "said Agnes Tamm, who helped ..." (but in "families from Vell, who
                # protested" the clause is the families')
                m.votes["PERSON"] += W_ROLE
            if before == "of" and m.i > 1 and doc[m.i - 2].lower_ in _SETTLEMENT_NOUNS:
                m.votes["GPE"] += W_ROLE  # "the port of Vell", "the town of Lirov"
            if m.j - m.i == 1 and m.i > 0 and doc[m.i - 1].lower_ == "the" \
                    and m.label == "PERSON" and not m.role:
                m.votes["PERSON"] -= W_NER
                m.votes["ORG"] += W_NER  # "told the Gazette": people take no article
        # a capitalised word swallowed by a title ("Culture Minister Ada Rainer") is no entity
        dropped |= {id(m) for m in ms if set(range(m.i, m.j)) <= in_titles}
        if ai not in article_words:
            article_words[ai] = _ArticleWords(articles[ai].text)
        dropped |= {id(m) for m in ms if _capitalised_by_place(doc, m, article_words[ai])}
    mentions = [m for m in mentions if id(m) not in dropped]

    table, mentions = _cluster(mentions)
    spans: dict[str, list[Span]] = {a.key: [] for a in articles}
    per_article: dict[int, list[Mention]] = defaultdict(list)
    for m in mentions:
        per_article[m.article].append(m)
    for ai, a in enumerate(articles):
        out: list[Span] = []
        last_end = -1
        for m in sorted(per_article[ai], key=lambda m: (m.start, -(m.end - m.start))):
            if m.start < last_end:
                continue  # overlapping mention: the longer, earlier one wins
            ent = m.entity
            assert ent is not None
            out.append(Span(m.start, m.end, ent.type, {
                "canonical": ent.canonical, "entity_id": ent.id, "country": ent.country,
                "role": m.role or m.rank}))
            last_end = m.end
        a.add(LAYER, out)
        spans[a.key] = out
    return EntityResult(table, spans)


_QUOTES_OPENING = frozenset("\"'\u2018\u201c\u00ab\u2039(")


def _capitalised_by_place(doc: Doc, m: Mention, words: _ArticleWords) -> bool:
    """A one-word name that is only a word capitalised by where it stands: it opens a
    sentence (or a quotation opening one) everywhere the article has it capitalised, and
    the article also has it in lower case ("'Customs union access is the real prize'"
    beside "a trade and customs bloc"). A name ("Drevin") is never written in lower case."""
    if m.j - m.i != 1:
        return False
    tok = doc[m.i]
    k = m.i
    while k > 0 and doc[k - 1].text in _QUOTES_OPENING:
        k -= 1
    if not (k == 0 or doc[k].is_sent_start) or not tok.text[:1].isupper() or tok.is_upper:
        return False
    return words.only_capitalised_by_place(tok.text)


class _ArticleWords:
    """What :func:`_capitalised_by_place` asks of one article's text, each answer worked
    out once (one pass for the lower-case words; a word's capitalised occurrences looked
    at by the character before each, so a long article costs linear time)."""

    _SKIP = "\"'\u2018\u201c\u00ab\u2039( "
    _OPENS = ".!?:\n\u201d\u2019\"'"

    def __init__(self, text: str) -> None:
        self.text = text
        self._lower: set[str] | None = None
        self._known: dict[str, bool] = {}

    def only_capitalised_by_place(self, word: str) -> bool:
        if word in self._known:
            return self._known[word]
        if self._lower is None:
            self._lower = set(re.findall(r"(?<![\w-])[a-z]+(?![\w-])", self.text))
        ok = word.lower() in self._lower
        if ok:
            text = self.text
            for hit in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text):
                j = hit.start() - 1
                while j >= 0 and text[j] in self._SKIP:
                    j -= 1
                if j >= 0 and text[j] not in self._OPENS:
                    ok = False  # capitalised inside a sentence somewhere: a name
                    break
        self._known[word] = ok
        return ok


def entity_records(spans: Iterable[Span], text: str) -> list[dict[str, object]]:
    """The ``entities`` list of a ``newsdesk extract`` JSONL line."""
    return [{"text": text[s.start:s.end], "start": s.start, "end": s.end, "type": s.label,
             "canonical": s.attrs.get("canonical")} for s in spans]
