"""Quantities: value, unit and what is counted, numbers in words included.

Spans are found by scanning spaCy tokens for number expressions (digits, "2.4bn", "forty
six", "one hundred and fifty thousand", "3 lakh"); number-parser turns words into values.
The unit comes from the words around the number (percent, currency symbols and names,
units of measure and time, otherwise the counted noun from the dependency parse), and
``about`` is the noun phrase of what is counted or measured ("doses of anti Covid
vaccine", "increase in bilateral trade"). A bare number ("one hundred and fifty thousand
more") takes its unit from the previous count in the same sentence or paragraph.

Why by hand: number-parser only converts words to numbers and quantulum3 does not work with
current scikit-learn; no maintained library finds quantities with units in parsed English.
Calendar years inside dates ("since 2012") are quantities with unit "year" as well; spans of
dates proper (days, months) are left to :mod:`newsdesk.extract.dates`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from number_parser import parse_number

from newsdesk.model import Article, Span
from newsdesk.nlp import ParsedParagraph, parse_article
from newsdesk.text_patterns import MONTHS, TIME_ZONES

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

LAYER = "quantities"

_UNITS_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
          "trillion": 1_000_000_000_000, "lakh": 100_000, "lakhs": 100_000,
          "crore": 10_000_000, "crores": 10_000_000, "mn": 1_000_000, "bn": 1_000_000_000,
          "tn": 1_000_000_000_000, "dozen": 12}
NUMBER_WORDS = frozenset(_UNITS_WORDS + _TENS_WORDS) | frozenset(SCALES) - {"mn", "bn", "tn"}
_DIGITS = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_DIGITS_SCALE = re.compile(r"^((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(k|m|mn|bn|b|tn|trn)\.?$",
                           re.I)
_SUFFIX_SCALE = {"k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9, "tn": 1e12, "trn": 1e12}

CURRENCY_SYMBOLS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR",
                    "rs": "PKR", "rs.": "PKR", "usd": "USD", "eur": "EUR", "gbp": "GBP",
                    "pkr": "PKR", "inr": "INR", "cny": "CNY", "rub": "RUB", "jpy": "JPY",
                    "₽": "RUB", "chf": "CHF"}
CURRENCY_WORDS = {"dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR",
                  "rupee": "rupee", "rupees": "rupee", "yuan": "CNY", "renminbi": "CNY",
                  "rouble": "RUB", "roubles": "RUB", "ruble": "RUB", "rubles": "RUB",
                  "yen": "JPY", "pound": "GBP", "pounds": "GBP", "riyal": "SAR",
                  "riyals": "SAR", "dirham": "AED", "dirhams": "AED", "francs": "CHF"}
TIME_UNITS = {"second": "second", "seconds": "second", "minute": "minute",
              "minutes": "minute", "hour": "hour", "hours": "hour", "day": "day", "days": "day",
              "week": "week", "weeks": "week", "month": "month", "months": "month",
              "year": "year", "years": "year", "decade": "decade", "decades": "decade",
              "century": "century", "centuries": "century"}
MEASURE_UNITS = {
    "km": "km", "kilometre": "km", "kilometres": "km", "kilometer": "km", "kilometers": "km",
    "mile": "mile", "miles": "mile", "metre": "metre", "metres": "metre", "meter": "metre",
    "meters": "metre", "cm": "cm", "mm": "mm", "kg": "kg", "kilogram": "kg",
    "kilograms": "kg", "kilo": "kg", "kilos": "kg", "gram": "gram", "grams": "gram",
    "tonne": "tonnes", "tonnes": "tonnes", "ton": "tonnes", "tons": "tonnes",
    "barrel": "barrels", "barrels": "barrels", "bpd": "barrels per day", "litre": "litres",
    "litres": "litres", "liter": "litres", "liters": "litres", "gallon": "gallons",
    "gallons": "gallons", "hectare": "hectares", "hectares": "hectares", "acre": "acres",
    "acres": "acres", "mw": "MW", "megawatt": "MW", "megawatts": "MW", "gw": "GW",
    "gigawatt": "GW", "gigawatts": "GW", "kwh": "kWh", "degrees": "degrees",
    "celsius": "degrees Celsius", "mph": "mph", "kph": "km/h",
}
SKIP_ENTS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT",
                       "LAW", "WORK_OF_ART", "LANGUAGE", "ORDINAL", "TIME"})
_YEAR = re.compile(r"^(1[5-9]\d\d|20\d\d|2100)$")
_PREPS_OF_NP = frozenset({"of", "in", "on", "for", "from", "against", "to"})


@dataclass(slots=True)
class _Quantity:
    i: int  # first token of the span
    j: int  # one past its last token
    value: float | int
    unit: str
    about: str
    kind: str  # count, percent, money, measure, time, year, bare
    qualifier: str | None = None  # "about", "more than", "at least"


def _is_number_word(t: Token) -> bool:
    return t.lower_ in NUMBER_WORDS


def _token_value(t: Token) -> float | None:
    text = t.text
    if _DIGITS.match(text):
        return float(text.replace(",", ""))
    m = _DIGITS_SCALE.match(text)
    if m:
        return float(m.group(1).replace(",", "")) * _SUFFIX_SCALE[m.group(2).lower()]
    return None


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else round(v, 6)


def _number_runs(doc: Doc) -> list[tuple[int, int, float]]:
    """(first token, end token, value) of each number expression."""
    runs: list[tuple[int, int, float]] = []
    n = len(doc)
    k = 0
    while k < n:
        t = doc[k]
        start = k
        if _token_value(t) is not None and not _is_ordinal_context(doc, k):
            value = _token_value(t)
            assert value is not None
            k += 1
            while k < n and doc[k].lower_ in SCALES and doc[k].lower_ != "dozen":
                value *= SCALES[doc[k].lower_]
                k += 1
            if k == start + 1 and k < n and not t.whitespace_ and \
                    doc[k].lower_.rstrip(".") in _SUFFIX_SCALE:
                value *= _SUFFIX_SCALE[doc[k].lower_.rstrip(".")]  # "€40m." split in two
                k += 1
            runs.append((start, k, value))
            continue
        starts_with_scale = t.lower_ in SCALES and t.lower_ not in ("dozen",)
        if (_is_number_word(t) and not starts_with_scale) or (
                t.lower_ in ("a", "an") and k + 1 < n and doc[k + 1].lower_ in SCALES):
            words = []
            while k < n:
                w = doc[k].lower_
                if _is_number_word(doc[k]):
                    words.append(w)
                elif w in ("a", "an") and not words and k + 1 < n and \
                        doc[k + 1].lower_ in SCALES:
                    words.append("one")
                elif w in ("and", "-") and words and k + 1 < n and _is_number_word(doc[k + 1]):
                    if w == "and":
                        words.append(w)
                else:
                    break
                k += 1
            words_value = _words_value(words)
            if words_value is not None:
                runs.append((start, k, words_value))
            continue
        k += 1
    return runs


def _words_value(words: list[str]) -> float | None:
    if not words:
        return None
    if words == ["one", "dozen"]:
        return 12.0
    if words[-1] == "dozen":
        inner = _words_value(words[:-1])
        return None if inner is None else inner * 12
    if words[-1] in ("lakh", "lakhs", "crore", "crores"):
        inner = _words_value(words[:-1]) if len(words) > 1 else 1.0
        return None if inner is None else inner * SCALES[words[-1]]
    return _parse_words(" ".join(words))


@lru_cache(maxsize=4096)
def _parse_words(words: str) -> float | None:
    """number-parser, cached: it rebuilds its accent-stripped tables on every call, and
    the same few number phrases come back in every article."""
    v = parse_number(words)
    return float(v) if v is not None else None


def _is_ordinal_context(doc: Doc, k: int) -> bool:
    prev = doc[k - 1].lower_ if k else ""
    return prev in ("no", "no.", "#", "number")


def _np_text(doc: Doc, noun: Token, after: int) -> tuple[int, int]:
    """Token range of the noun phrase of ``noun``: its modifiers after token ``after`` and
    one prepositional phrase ("increase in bilateral trade", "doses of anti Covid vaccine")."""
    start = noun.i
    for c in noun.lefts:
        if c.i >= after and c.dep_ in ("amod", "compound", "nmod", "advmod"):
            start = min(start, c.left_edge.i if c.left_edge.i >= after else c.i)
    end = noun.i + 1
    for c in noun.rights:
        if c.dep_ == "prep" and c.lower_ in _PREPS_OF_NP and c.i == end:
            sub_end = c.right_edge.i + 1
            for x in range(c.i, sub_end):
                if doc[x].is_punct and doc[x].text not in ("-",):
                    sub_end = x
                    break
            end = sub_end
            break
    return start, end


def _about_noun(doc: Doc, noun: Token, after: int) -> str:
    s, e = _np_text(doc, noun, after)
    while s < e and doc[s].pos_ in ("DET", "PRON") and s < noun.i:
        s += 1
    text = doc[s:e].text
    if doc[s].is_sent_start and doc[s].pos_ != "PROPN":
        text = text[:1].lower() + text[1:]
    return text


_COPULAS = frozenset({"be", "remain", "stay"})
# verbs of saying: a count as their subject ("2,800 people ..., the council said", parsed
# with "said" as the count's verb) says who spoke, not what happened
_SAYING = frozenset({"say", "tell", "report", "add", "announce", "state", "claim",
                     "confirm", "note", "estimate", "reckon"})


def _predicate_of(noun: Token) -> str:
    """What a counted subject underwent or is, when the count names nothing more than its
    unit: "14 people were killed" -> "killed", "15 people died" -> "died", "six people
    remain missing" -> "missing", "are still listed as missing" -> "listed as missing".
    Empty for an active verb with an object ("200 fishermen staged a protest"): there
    the people are who acts, not what is counted."""
    verb = noun.head
    if noun.dep_ not in ("nsubj", "nsubjpass") or verb.pos_ not in ("VERB", "AUX") \
            or verb.lemma_ in _SAYING or verb.i < noun.i:
        return ""
    kids = list(verb.children)
    if sum(c.dep_ in ("nsubj", "nsubjpass") for c in kids) > 1:
        return ""  # two subjects: a parse that lost the count's own verb
    if noun.dep_ == "nsubj":
        if verb.lemma_ in _COPULAS:
            comp = next((c for c in kids if c.dep_ in ("acomp", "oprd")), None)
            if comp is None or not (comp.pos_ == "ADJ" or comp.tag_ in ("VBG", "VBN")):
                return ""
            # "unable to return", not "unable"
            then = next((c for c in comp.children if c.dep_ == "xcomp" and c.i > comp.i), None)
            to = next((c for c in then.children if c.lower_ == "to"), None) if then else None
            return f"{comp.lower_} to {then.lower_}" if then and to else comp.lower_
        if any(c.dep_ in ("dobj", "ccomp", "xcomp", "attr") for c in kids):
            return ""
    elif not verb.tag_ == "VBN":
        return ""
    as_ = next((c for c in kids if c.dep_ == "prep" and c.lower_ == "as"), None)
    if as_ is not None:
        what = next((g for g in as_.children if g.dep_ in ("pobj", "pcomp", "amod", "acomp")),
                    None)
        if what is not None and what.i == as_.i + 1:
            return f"{verb.lower_} as {what.lower_}"
    return verb.lower_


def _about_from_context(doc: Doc, head: Token, i: int, j: int) -> str:
    """What a percentage, sum or measure is of, when it is not followed by its noun."""
    if j < len(doc) and doc[j].lower_ == "of" and j + 1 < len(doc):
        objs = [c for c in doc[j].children if c.dep_ == "pobj"]
        if objs:
            return _about_noun(doc, objs[0], j + 1)
    if head.i >= j and head.pos_ in ("NOUN", "PROPN") and head.i - j <= 4:
        return _about_noun(doc, head, j)
    if i > 0 and doc[i - 1].lower_ == "worth":
        # "agreements worth $2.4 billion", "the agreements were worth $2.4 billion"
        w = doc[i - 1].head
        if w.pos_ in ("NOUN", "PROPN") and w.i < i:
            return _about_noun(doc, w, w.left_edge.i)
        head = doc[i - 1]
    # "Exports rose by 7.5 per cent", "Trade reached $2.4 billion": the verb's subject.
    t = head
    via_prep = False
    for _ in range(4):
        if t.pos_ in ("VERB", "AUX") or t.head is t:
            break
        if t.dep_ == "pobj" and t.head.lower_ not in ("by", "to", "from", "at", "of", "worth"):
            return ""
        if t.dep_ not in ("dobj", "attr", "pobj", "prep", "npadvmod", "advmod", "nummod",
                          "compound", "quantmod", "nsubjpass", "oprd", "acomp"):
            return ""
        via_prep = via_prep or t.dep_ == "pobj"
        t = t.head
    if t.pos_ in ("VERB", "AUX"):
        objs = [c for c in t.children if c.dep_ == "dobj" and c.pos_ in ("NOUN", "PROPN")
                and not c.i <= i < c.right_edge.i + 1]
        if via_prep and objs:
            # "put the value of the agreements at $2.1 billion"
            return _about_noun(doc, objs[0], objs[0].left_edge.i)
        subj = [c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")]
        # a common noun subject is what is counted ("Trade reached $2.4 billion"); a name
        # is who acts ("Kestria will invest $2.4 billion"), not what the sum is of
        if subj and subj[0].pos_ == "NOUN" and subj[0].i < i:
            return _about_noun(doc, subj[0], subj[0].left_edge.i)
    return ""


def _span_head(doc: Doc, i: int, j: int) -> Token:
    """The syntactic head of tokens i..j (the token whose head lies outside)."""
    for k in range(i, j):
        h = doc[k].head
        if not (i <= h.i < j) or h.i == k:
            return doc[k]
    return doc[j - 1]


def _in_date(t: Token) -> bool:
    return t.ent_type_ in ("DATE",)


_USER_DATA_KEY = "newsdesk.extract.quantities"


def _doc_quantities(doc: Doc) -> list[_Quantity]:
    """Quantities of one parsed passage, cached on the doc (wire copies share passages)."""
    cached: list[_Quantity] | None = doc.user_data.get(_USER_DATA_KEY)
    if cached is None:
        cached = doc.user_data[_USER_DATA_KEY] = _find_in_doc(doc)
    return cached


def passage_memo(doc: Doc) -> list[_Quantity]:
    """This extractor's per-passage result as plain data (computed where the passage is
    parsed; :mod:`newsdesk.extract.memos`)."""
    return _doc_quantities(doc)


def restore_passage_memo(doc: Doc, memo: list[_Quantity]) -> None:
    """Keep a :func:`passage_memo` computed elsewhere on the (rebuilt) doc."""
    doc.user_data[_USER_DATA_KEY] = memo


def _find_in_doc(doc: Doc) -> list[_Quantity]:
    out: list[_Quantity] = []
    for i, j, value in _number_runs(doc):
        first = doc[i]
        if any(doc[k].ent_type_ in SKIP_ENTS for k in range(i, j)):
            continue
        if _identifier(doc, i, j):
            continue
        if j - i == 1 and first.lower_ == "one" and first.dep_ != "nummod":
            continue  # "an important one", "one of them"
        if j - i == 1 and first.lower_ in ("a", "an"):
            continue
        q = _classify(doc, i, j, value)
        if q is not None:
            _qualify(doc, q)
            out.append(q)
    _inherit_units(doc, out)
    return out


# what a figure cannot be the unit of: a month or a time zone ("17 September", "31 GMT")
_NOT_A_UNIT = re.compile(rf"^(?:{MONTHS}|{TIME_ZONES})\.?$", re.I)


# nouns whose number names one of them rather than counting them
_NUMBERED = frozenset("version versions model release build number no no. flight route "
                      "chapter article section room gate platform channel episode season "
                      "level phase stage category grade class".split())


def _identifier(doc: Doc, i: int, j: int) -> bool:
    """Whether the number at ``i:j`` names something rather than counts it: a version or
    model number after a name ("Internet Explorer 7", "IE 5.01", "Windows 2000"), a code
    with a leading zero or glued to a mark ("MS08-078", "008"), a clock time's minutes
    ("12: 31 GMT"), a day before its month. Such numbers are no figure of the story."""
    t = doc[i]
    if not t.text[:1].isdigit():
        return False  # number words count ("seven people")
    if j - i == 1 and len(t.text) > 1 and t.text[0] == "0" and t.text[1].isdigit():
        return True
    prev = doc[i - 1] if i > 0 else None
    if prev is not None and prev.text in (":", "-", "/"):
        after_number = i > 1 and doc[i - 2].like_num
        if prev.text == ":" and (after_number or not prev.whitespace_):
            return True  # "12:31", "12: 31 GMT"
        if prev.text != ":" and not prev.whitespace_ and not after_number:
            return True  # "MS08-078", "Covid-19"; not a vote or score ("211-207", "3-2")
    if prev is not None and prev.lower_ in _NUMBERED:
        return True  # "version 7 of Internet Explorer", "Flight 370", "Article 5"
    if prev is not None and prev.pos_ == "PROPN" and prev.text[:1].isupper() and (
            prev.lower_ not in CURRENCY_SYMBOLS and not prev.is_sent_start
            and prev.ent_type_ not in ("DATE", "TIME")):
        return True
    return j < len(doc) and bool(_NOT_A_UNIT.match(doc[j].text))


def _classify(doc: Doc, i: int, j: int, value: float) -> _Quantity | None:
    n = len(doc)
    nxt = doc[j] if j < n else None
    prev = doc[i - 1] if i > 0 else None
    # calendar years and other dates
    if _in_date(doc[i]):
        if j - i == 1 and _YEAR.match(doc[i].text):
            about = _date_about(doc, i)
            return _Quantity(i, j, _num(value), "year", "" if about == doc[i].text else about,
                             "year")
        k = j
        if k < n and doc[k].text == "-":
            k += 1
        if k < n and doc[k].lower_ in TIME_UNITS:
            return _time_quantity(doc, i, j, k, value)
        return None
    # currency before: "$2.4 billion", "Rs 5bn", "US$ 3m"
    if prev is not None and prev.lower_ in CURRENCY_SYMBOLS:
        start = i - 1
        if start > 0 and doc[start - 1].text in ("US", "U.S.") and prev.text == "$":
            start -= 1
        end = j
        head = _span_head(doc, start, end)
        return _Quantity(start, end, _num(value), CURRENCY_SYMBOLS[prev.lower_],
                         _about_from_context(doc, head, start, end), "money")
    if nxt is None:
        return _Quantity(i, j, _num(value), "", "", "bare")
    # percent
    low = nxt.lower_
    if low in ("%", "percent", "pc") or (low == "per" and j + 1 < n and doc[j + 1].lower_ == "cent"):
        end = j + (2 if low == "per" else 1)
        unit_tok = doc[end - 1]
        # "forty six percent increase in ...": the noun the percentage modifies
        target = unit_tok.head if unit_tok.head.i >= end else _span_head(doc, i, end)
        return _Quantity(i, end, _num(value), "percent",
                         _about_from_context(doc, target, i, end), "percent")
    if low == "percentage" and j + 1 < n and doc[j + 1].lower_ in ("point", "points"):
        end = j + 2
        return _Quantity(i, end, _num(value), "percentage point",
                         _about_from_context(doc, _span_head(doc, i, end), i, end), "percent")
    # currency after: "300 million dollars", "5 billion US dollars", "10 rupees"
    k = j
    if k < n and doc[k].text in ("US", "U.S.") and k + 1 < n and doc[k + 1].lower_ in (
            "dollar", "dollars"):
        k += 1
    if k < n and doc[k].lower_ in CURRENCY_WORDS:
        end = k + 1
        return _Quantity(i, end, _num(value), CURRENCY_WORDS[doc[k].lower_],
                         _about_from_context(doc, _span_head(doc, i, end), i, end), "money")
    # units of measure and of time: "1,200 tonnes", "two-day", "46-year-old"
    k = j
    if k < n and doc[k].text == "-":
        k += 1
    if k < n and doc[k].lower_ == "square" and k + 1 < n and doc[k + 1].lower_ in MEASURE_UNITS:
        unit = "square " + doc[k + 1].lower_
        end = k + 2
        return _Quantity(i, end, _num(value), unit,
                         _about_from_context(doc, _span_head(doc, i, end), i, end), "measure")
    if k < n and doc[k].lower_ in MEASURE_UNITS:
        end = k + 1
        return _Quantity(i, end, _num(value), doc[k].lower_,
                         _about_from_context(doc, _span_head(doc, i, end), i, end), "measure")
    if k < n and doc[k].lower_ in TIME_UNITS:
        return _time_quantity(doc, i, j, k, value)
    if k > j and k < n and doc[k].pos_ == "NOUN" and doc[k].lower_ not in _NOT_UNITS:
        # "a nine-member bloc": the unit is the hyphened noun, about what it describes
        end = k + 1
        about = ""
        for x in range(end, min(end + 5, n)):
            if doc[x].pos_ in ("NOUN", "PROPN"):
                # the head of the noun phrase, not its first word: "a nine-member regional
                # trade and customs bloc" is about the bloc
                t = doc[x]
                while t.dep_ in ("compound", "amod", "conj", "nmod") and \
                        t.i < t.head.i <= end + 8 and t.head.pos_ in ("NOUN", "PROPN"):
                    t = t.head
                about = _about_noun(doc, t, end)
                break
            if doc[x].pos_ not in ("ADJ", "CCONJ", "NOUN", "ADV"):
                break
        return _Quantity(i, end, _num(value), doc[k].lower_, about, "count")
    # a count: the noun the number modifies ("fifty thousand doses", "two countries")
    noun = _counted_noun(doc, i, j)
    if noun is not None:
        # the unit is the counted noun with its noun compounds ("crane operators")
        u = noun.i
        while u - 1 >= j and doc[u - 1].dep_ == "compound" and doc[u - 1].pos_ == "NOUN":
            u -= 1
        unit = doc[u:noun.i + 1].text.lower()
        about = _about_noun(doc, noun, j)
        if about.lower() == unit:  # "14 people" says only its unit: what happened to them
            about = _predicate_of(noun) or about
        return _Quantity(i, noun.i + 1, _num(value), unit, about, "count")
    if doc[j].lower_ in CASUALTY_WORDS:
        return _Quantity(i, j + 1, _num(value), doc[j].lower_, "", "count")  # "six dead"
    end = j
    if end < n and doc[end].lower_ in ("more", "others", "additional", "fewer", "less"):
        end += 1  # "one hundred and fifty thousand more", "nine others"
        return _Quantity(i, end, _num(value), "", "", "more")
    return _Quantity(i, end, _num(value), "", "", "bare")


def _time_quantity(doc: Doc, i: int, j: int, k: int, value: float) -> _Quantity:
    unit = doc[k].lower_  # as written: "years", "day" (of "two-day")
    end = k + 1
    n = len(doc)
    if end + 1 < n and doc[end].text == "-" and doc[end + 1].lower_ == "old":
        end += 2
    elif end < n and doc[end].lower_ == "old":
        end += 1  # "forty years old"
    # what lasts that long: the noun the expression modifies ("two-day visit")
    about = ""
    for x in range(end, min(end + 4, n)):
        t = doc[x]
        if t.pos_ in ("NOUN", "PROPN"):
            about = _about_noun(doc, t, end)
            break
        if t.pos_ not in ("ADJ", "ADV", "PUNCT") or t.text in (",", "."):
            break
    return _Quantity(i, end, _num(value), unit, about, "time")


def _date_about(doc: Doc, i: int) -> str:
    """The date expression a calendar year belongs to ("since 2012", "June 2019")."""
    for ent in doc.ents:
        if ent.start <= i < ent.end:
            return ent.text
    return doc[i].text


CASUALTY_WORDS = frozenset({"dead", "injured", "wounded", "missing", "hurt", "killed"})
_NOT_UNITS = frozenset({"more", "others", "other", "additional", "fewer", "less", "times",
                        "percent", "per"})


def _counted_noun(doc: Doc, i: int, j: int) -> Token | None:
    noun = _counted_noun_any(doc, i, j)
    return None if noun is None or noun.lower_ in _NOT_UNITS else noun


def _counted_noun_any(doc: Doc, i: int, j: int) -> Token | None:
    last = doc[j - 1]
    head = last.head
    if head.i >= j and head.pos_ in ("NOUN", "PROPN") and head.i - j <= 4 and \
            last.dep_ in ("nummod", "compound", "quantmod", "amod", "nmod"):
        if not any(doc[x].is_punct for x in range(j, head.i)):
            return head
    # fall back on the next noun within a short noun phrase ("2 new hospitals")
    for x in range(j, min(j + 4, len(doc))):
        t = doc[x]
        if t.pos_ == "NOUN" and not t.is_punct:
            return t
        if t.pos_ not in ("ADJ", "ADV") or t.lower_ in ("more", "less", "fewer"):
            break
    return None


APPROXIMATE = frozenset({"about", "around", "nearly", "almost", "some", "roughly",
                         "approximately", "approx.", "circa", "an estimated", "estimated"})
BOUNDS = ("more than", "less than", "fewer than", "at least", "at most", "up to", "over",
          "under", "just over", "just under", "well over", "as many as", "no fewer than")


def _qualify(doc: Doc, q: _Quantity) -> None:
    """Take "about", "more than", "at least" in front of a quantity into its span."""
    for words in sorted(APPROXIMATE | set(BOUNDS), key=lambda w: -len(w.split())):
        parts = words.split()
        s = q.i - len(parts)
        if s >= 0 and [t.lower_ for t in doc[s:q.i]] == parts:
            if len(parts) == 1 and not (q.i <= doc[s].head.i < q.j
                                        or doc[s].dep_ in ("quantmod", "advmod")):
                continue  # "satisfaction over forty six percent increase": a preposition
            q.i, q.qualifier = s, words
            return


_ARG_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "conj", "appos", "attr", "pobj"})


def _inherit_units(doc: Doc, qs: list[_Quantity]) -> None:
    """A number without a unit takes the unit of the previous count: "one hundred and fifty
    thousand more" from its sentence or paragraph, a bare "two" ("six people were killed
    and two remain missing") from its sentence only. Otherwise a bare number's ``about``
    is the subject of its verb ("the death toll rose to 19")."""
    for k, q in enumerate(qs):
        if q.kind not in ("bare", "more"):
            continue
        sent = doc[q.i].sent
        before = [p for p in qs[:k] if p.kind in ("count", "measure", "money", "inferred")]
        same = [p for p in before if doc[p.i].sent == sent]
        if q.kind == "bare":
            # "six people were killed and two remain missing": only a number in the same
            # role as the earlier count borrows its unit.
            role = _span_head(doc, q.i, q.j).dep_
            same = [p for p in same if role in _ARG_DEPS and
                    _span_head(doc, p.i, p.j).dep_ in _ARG_DEPS]
        pool = same or (before if q.kind == "more" else [])
        src = pool[-1] if pool else None
        if src is not None:
            # "14 people were killed and nine others remain missing": the unit is
            # borrowed, but what happened to them is the number's own when it says so
            own = _predicate_of(_span_head(doc, q.i, q.j))
            q.unit, q.about, q.kind = src.unit, own or src.about, "inferred"
        else:
            q.about = _about_from_context(doc, _span_head(doc, q.i, q.j), q.i, q.j)


def find_quantities(article: Article, paras: list[ParsedParagraph] | None = None) -> list[Span]:
    """Quantities of one article as ``QUANTITY`` spans with value, unit and about."""
    paras = paras if paras is not None else parse_article(article)
    spans: list[Span] = []
    for pp in paras:
        for q in _doc_quantities(pp.doc):
            s = pp.start + pp.doc[q.i].idx
            last = pp.doc[q.j - 1]
            e = pp.start + last.idx + len(last.text)
            if last.text.endswith(".") and last.lower_.rstrip(".") in _SUFFIX_SCALE:
                e -= 1  # "€40m." at the end of a sentence: the full stop is not the unit's
            attrs: dict[str, object] = {"value": q.value, "unit": q.unit, "about": q.about}
            if q.qualifier:
                attrs["qualifier"] = q.qualifier
                attrs["approximate"] = q.qualifier in APPROXIMATE
            spans.append(Span(s, e, "QUANTITY", attrs))
    return spans


def quantity_records(spans: list[Span], text: str) -> list[dict[str, object]]:
    """The ``quantities`` list of a ``newsdesk extract`` JSONL line."""
    return [{"text": text[s.start:s.end], "start": s.start, "end": s.end,
             "value": s.attrs.get("value"), "unit": s.attrs.get("unit"),
             "about": s.attrs.get("about")} for s in spans]
