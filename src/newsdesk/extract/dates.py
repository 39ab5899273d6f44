"""Dates: spaCy's DATE expressions resolved against the article's own date.

The reference date is ``Article.published``; when it is missing, a full date in the
dateline at the head of the text ("ISLAMABAD, April 8, 2021 (IANS)") is used. Values are
ISO 8601 at the precision of the expression: ``YYYY-MM-DD`` for a day, ``YYYY-MM`` for a
month, ``YYYY`` for a year, ``YYYY-Www`` for a week; ``None`` when the expression cannot
be placed (no reference date for "on Tuesday", or vague: "coming years"). ``grain`` says
which precision was used.

Rules for relative expressions (news is mostly written about the past):

* "today", "earlier today", "this morning" -> the reference date; "yesterday",
  "last night" -> the day before; "tomorrow" -> the day after; "three days ago",
  "two years ago" -> counted back at that grain.
* A bare weekday ("on Tuesday") is the most recent such day on or before the reference
  date — the same day when the article's own weekday is named ("on Wednesday" in a
  Wednesday article is that Wednesday) — unless its verb is in the future ("will meet on
  Friday", "is expected to ... on Friday"), when it is the next such day on or after it.
  "last Tuesday" is strictly before, "next Tuesday" strictly after.
* "this/last/next week|month|year|spring...", with "earlier", "later", "early", "late", "mid" or
  "end of" in front, resolve to that week, month or year.
* Month and day names without a year ("April 8", "in June") take the year that puts them
  closest to the reference date (so "December 30" in a 2 January article is last year's).
* Absolute expressions ("8 April 2021", "June 2019", "2012") are parsed with dateparser
  (English only, no network: dateparser reads only its bundled data).
* Durations ("two-day", "almost a decade", "five years") are not dates; they are left to
  :mod:`newsdesk.extract.quantities` (unit "day", "year").
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from newsdesk.model import Article, Span
from newsdesk.nlp import ParsedParagraph, parse_article
from newsdesk.text_patterns import DATELINE_FULL_DATE, MONTH_WORD, MONTHS

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

LAYER = "dates"

WEEKDAYS = {d: i for i, d in enumerate(
    "monday tuesday wednesday thursday friday saturday sunday".split())}
_MONTH = rf"(?:{MONTHS})\.?"
_HAS_MONTH = MONTH_WORD
_HAS_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_NUMERIC_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")
_NUM = (r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
        r"fifteen|twenty|thirty|several|few|a few|many|couple of|a couple of)")
_UNIT = r"(?:day|week|month|year|decade|hour|minute|century|centuries|fortnight)s?"
_DURATION = re.compile(
    rf"^(?:about|almost|nearly|over|more than|less than|some|around|at least|up to|"
    rf"another|the first|the last|the past|the next|the)?\s*{_NUM}[\s-]+(?:\w+[\s-]+)?"
    rf"{_UNIT}(?:[\s-]+(?:long|old))?$", re.I)
_AGO = re.compile(rf"^(?:about |almost |nearly |some )?({_NUM})\s+({_UNIT})\s+ago$", re.I)
_PERIOD = re.compile(
    r"^(?:(earlier|later|early|late|mid|the end of|end of|the beginning of|beginning of|"
    r"the start of|start of|the middle of|middle of|the rest of|rest of)\s*-?\s*)?(this|last|next|the previous|the past|the coming|"
    r"the following)\s+(week|month|year)$", re.I)
_SEASON = re.compile(r"^(?:(?:early|late|mid|the)\s*-?\s*)?(this|last|next|the past|the coming)"
                     r"\s+(spring|summer|autumn|fall|winter)$", re.I)
_QUALIFIER = re.compile(r"^(?:the\s+)?(?:early|mid|late|end of|beginning of|start of|"
                        r"the end of|the beginning of|the start of)\s*-?\s*", re.I)
_WEEKDAY = re.compile(
    r"^(?:(last|next|this|this past|this coming|coming|past)\s+)?"
    r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"(?:\s+(morning|afternoon|evening|night))?$", re.I)
_SMALL = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
          "fifteen": 15, "twenty": 20, "thirty": 30, "couple of": 2, "a couple of": 2}
_DAY_WORDS = {
    "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0,
    "earlier today": 0, "later today": 0, "earlier in the day": 0, "later in the day": 0,
    "yesterday": -1, "last night": -1, "yesterday morning": -1, "yesterday afternoon": -1,
    "yesterday evening": -1, "the day before yesterday": -2, "tomorrow": 1,
    "tomorrow morning": 1, "the day after tomorrow": 2,
}
_DATELINE = DATELINE_FULL_DATE


def reference_date(article: Article) -> date | None:
    """The date relative expressions are resolved against: ``published``, else a full date
    in the dateline at the head of the text."""
    if article.published:
        try:
            return date.fromisoformat(article.published[:10])
        except ValueError:
            pass
    m = _DATELINE.match(article.text[:200])
    if m:
        parsed = _dateparse(m.group("date"), None)
        if parsed is not None:
            return parsed[0]
    return None


@lru_cache(maxsize=4096)
def _dateparse(text: str, base: date | None) -> tuple[date, str] | None:
    """dateparser on an absolute expression: (date, period) or None."""
    settings: dict[str, Any] = {"PREFER_DAY_OF_MONTH": "first", "RETURN_TIME_AS_PERIOD": True}
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day)
    parser = _parser(tuple(sorted((k, str(v)) for k, v in settings.items())), settings)
    data = parser.get_date_data(text)
    if data.date_obj is None:
        return None
    return data.date_obj.date(), str(data.period or "day")


_PARSERS: dict[tuple[tuple[str, str], ...], Any] = {}


def _parser(key: tuple[tuple[str, str], ...], settings: dict[str, Any]) -> Any:
    from dateparser.date import DateDataParser

    if key not in _PARSERS:
        if len(_PARSERS) > 64:
            _PARSERS.clear()
        _PARSERS[key] = DateDataParser(languages=["en"], settings=settings)
    return _PARSERS[key]


def _fmt(d: date, grain: str) -> str:
    if grain == "year":
        return f"{d.year:04d}"
    if grain == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if grain == "week":
        y, w, _ = d.isocalendar()
        return f"{y:04d}-W{w:02d}"
    return d.isoformat()


def _shift_months(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(y, m + 1, 1)


_QUANT_WORD = re.compile(
    r"\b(?:\d[\d,.]*|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"\w+teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|"
    r"several|few|many|couple|some|half)\b", re.I)
_ENDS_IN_UNIT = re.compile(
    r"(?:^|[\s-])(?:day|week|month|year|decade|hour|minute|century|centuries|fortnight)s?"
    r"(?:'s|\u2019s)?(?:[\s-]+(?:long|old))?$", re.I)
_ANCHORED = re.compile(r"\b(?:ago|last|next|this|previous|coming|past|early|late|mid|end|"
                       r"beginning|start)\b", re.I)
_BARE_PLURAL = re.compile(r"^(?:for\s+)?(?:days|weeks|months|years|decades|centuries)$", re.I)


def is_duration(text: str) -> bool:
    """"two-day", "almost a decade", "forty years old", "decades": a length of time, not a
    date ("three days ago" and "last year" are dates)."""
    t = text.strip()
    if _BARE_PLURAL.match(t):
        return True
    return bool(_ENDS_IN_UNIT.search(t)) and bool(_QUANT_WORD.search(t)) and \
        not _ANCHORED.search(t)


def resolve(text: str, ref: date | None, future: bool = False) -> tuple[str | None, str | None]:
    """Resolve one date expression: (ISO value at its precision, grain) or (None, None)."""
    t = re.sub(r"\s+", " ", text.strip().lower())
    t = re.sub(r"^(?:on|in|since|by|until|from|during|of) ", "", t)
    t = re.sub(r"^the (?=\w+day\b)", "", t)
    if t in _DAY_WORDS:
        return (None, None) if ref is None else (_fmt(ref + timedelta(_DAY_WORDS[t]), "day"),
                                                 "day")
    m = _WEEKDAY.match(t)
    if m:
        return _weekday(ref, WEEKDAYS[m.group(2)], (m.group(1) or "").lower(), future)
    m = _AGO.match(t)
    if m:
        return _ago(ref, m.group(1), m.group(2))
    t = re.sub(r"^((?:the )?(?:end|beginning|start|middle|rest) of) the (week|month|year)$",
               r"\1 this \2", t)
    m = _PERIOD.match(t)
    if m:
        return _period(ref, m.group(2).lower(), m.group(3).lower())
    m = _SEASON.match(t)
    if m:
        # "since last spring": the season's year (seasons have no ISO form of their own)
        return _period(ref, m.group(1).lower(), "year")
    if _HAS_MONTH.search(t) or _HAS_YEAR.search(t) or _NUMERIC_DATE.search(t):
        return _absolute(t, ref)
    return None, None


def _weekday(ref: date | None, wd: int, mod: str, future: bool) -> tuple[str | None, str]:
    if ref is None:
        return None, "day"
    back = (ref.weekday() - wd) % 7
    ahead = (wd - ref.weekday()) % 7
    if mod in ("last", "past", "this past"):
        d = ref - timedelta(back or 7)
    elif mod in ("next", "coming", "this coming"):
        d = ref + timedelta(ahead or 7)
    elif future:
        d = ref + timedelta(ahead)
    else:
        d = ref - timedelta(back)
    return _fmt(d, "day"), "day"


def _ago(ref: date | None, num: str, unit: str) -> tuple[str | None, str | None]:
    n = int(num) if num.isdigit() else _SMALL.get(num.lower())
    if ref is None or n is None:
        return None, None
    unit = unit.lower().rstrip("s")
    if unit == "day":
        return _fmt(ref - timedelta(n), "day"), "day"
    if unit == "week":
        return _fmt(ref - timedelta(7 * n), "week"), "week"
    if unit == "fortnight":
        return _fmt(ref - timedelta(14 * n), "week"), "week"
    if unit == "month":
        return _fmt(_shift_months(ref, -n), "month"), "month"
    if unit == "year":
        return f"{ref.year - n:04d}", "year"
    if unit == "decade":
        return f"{ref.year - 10 * n:04d}", "year"
    return None, None


def _period(ref: date | None, which: str, unit: str) -> tuple[str | None, str]:
    if ref is None:
        return None, unit
    step = {"this": 0, "last": -1, "the previous": -1, "the past": -1, "next": 1,
            "the coming": 1, "the following": 1}[which]
    if unit == "week":
        return _fmt(ref + timedelta(7 * step), "week"), "week"
    if unit == "month":
        return _fmt(_shift_months(ref, step), "month"), "month"
    return f"{ref.year + step:04d}", "year"


_MONTHS = {m: i for i, names in enumerate(
    [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
     ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
     ("october", "oct"), ("november", "nov"), ("december", "dec")], start=1) for m in names}
_M = r"([a-z]+)\.?"
_D = r"(\d{1,2})(?:st|nd|rd|th)?"
_SIMPLE = [
    (re.compile(rf"^{_M} {_D}(?:,? (\d{{4}}))?$"), ("m", "d", "y")),
    (re.compile(rf"^{_D} (?:of )?{_M}(?:,? (\d{{4}}))?$"), ("d", "m", "y")),
    (re.compile(rf"^{_M},? (\d{{4}})$"), ("m", "y")),
    (re.compile(rf"^{_M}$"), ("m",)),
    (re.compile(r"^(\d{4})$"), ("y",)),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), ("y", "m", "d")),
]


def _simple_absolute(core: str) -> tuple[date, str, bool] | None:
    """The common written forms ("April 8", "8 April 2021", "June 2019", "2012") parsed
    directly: (date, grain, whether a year was written). dateparser takes the rest."""
    for rx, fields in _SIMPLE:
        m = rx.match(core)
        if not m:
            continue
        got = dict(zip(fields, m.groups(), strict=True))
        month_txt = got.get("m")
        if month_txt is not None and not month_txt.isdigit():
            month = _MONTHS.get(month_txt)
            if month is None:
                return None
        else:
            month = int(month_txt) if month_txt else 1
        year_txt = got.get("y")
        year = int(year_txt) if year_txt else 2000
        day = int(got["d"]) if got.get("d") else 1
        try:
            d = date(year, month, day)
        except ValueError:
            return None
        grain = "day" if "d" in got else "month" if "m" in got else "year"
        return d, grain, year_txt is not None
    return None


def _absolute(t: str, ref: date | None) -> tuple[str | None, str | None]:
    qualified = bool(_QUALIFIER.match(t))
    core = _QUALIFIER.sub("", t)
    core = re.sub(r"^the ", "", core)
    simple = _simple_absolute(core)
    if simple is not None:
        d, grain, has_year = simple
    else:
        has_year = bool(_HAS_YEAR.search(core)) or bool(_NUMERIC_DATE.search(core))
        # a fixed base keeps dateparser's results cacheable; a missing year is set below
        parsed = _dateparse(core, None if has_year else _FIXED_BASE)
        if parsed is None:
            return None, None
        d, period = parsed
        grain = {"day": "day", "week": "week", "month": "month", "year": "year"}.get(period,
                                                                                       "day")
    if not has_year and ref is None:
        return None, None
    if qualified and grain == "day" and not re.search(r"\d", core):
        grain = "month"
    if not has_year and ref is not None:
        # "April 8", "in June": the year that puts it closest to the reference date
        best = min((ref.year - 1, ref.year, ref.year + 1),
                   key=lambda y: abs((_replace_year(d, y) - ref).days))
        d = _replace_year(d, best)
    return _fmt(d, grain), grain


_FIXED_BASE = date(2000, 7, 1)


def _replace_year(d: date, year: int) -> date:
    try:
        return d.replace(year=year)
    except ValueError:  # 29 February
        return d.replace(year=year, day=28)


_FUTURE_HEADS = frozenset({"expect", "schedule", "due", "plan", "set", "slate", "intend",
                           "hope", "aim"})


# a day named as what a warning or forecast is about is still to come, whatever the
# tense of the verb ("has issued a warning for more rain on Friday")
_FORECAST_NOUNS = frozenset({"warning", "alert", "forecast", "rain", "rainfall", "storm",
                             "snow", "downpour", "shower", "showers", "outlook"})


def _is_future(ent: SpacySpan) -> bool:
    """Whether the verb a date expression hangs from speaks of the future: "will", "is
    expected to", "is due", or a plain present ("tickets go on sale on Monday", "is
    meeting on Friday"), which in news copy announces what is scheduled."""
    t = ent.root
    prep = t.head.lower_ if t.head.dep_ == "prep" else ""
    for _ in range(5):
        if t.pos_ in ("VERB", "AUX") or t.head is t:
            break
        t = t.head
        if t.pos_ == "NOUN" and t.lemma_.lower() in _FORECAST_NOUNS:
            return True  # "an amber warning for more heavy rain on Friday"
    if t.pos_ not in ("VERB", "AUX"):
        return False
    for _ in range(3):
        if t.lemma_ in _FUTURE_HEADS or t.lemma_ in ("forecast", "predict"):
            return True  # "more rain was expected on Friday"
        auxes = [c for c in t.children if c.dep_ in ("aux", "auxpass")]
        if any(c.lower_ in ("will", "shall", "'ll", "wo") for c in auxes):
            return True
        if any(c.lower_ == "to" for c in auxes) and t.head.lemma_ in _FUTURE_HEADS:
            return True
        if t.lemma_ == "be" and any(c.lower_ == "due" for c in t.children):
            return True
        if (t.tag_ == "VBN" and prep not in ("since", "from", "until", "till")
                and any(c.lower_ in ("has", "have") for c in auxes)
                and not any(c.lower_ in ("been", "had") for c in auxes)):
            # a present perfect takes no definite past day ("has issued a warning for
            # rain on Friday"): the day named is still to come
            return True
        if t.tag_ == "VBD" or any(c.tag_ == "VBD" or c.lower_ in ("has", "have", "had")
                                  for c in auxes):
            return False
        if t.tag_ in ("VBZ", "VBP") or (t.tag_ == "VB" and not auxes) or (
                t.tag_ == "VBG" and any(
                c.lower_ in ("is", "are", "am") for c in auxes)):
            return True
        if t.head is t or t.dep_ not in ("xcomp", "conj", "advcl"):
            break
        t = t.head
    return False


def _not_a_date(ent: SpacySpan) -> bool:
    """What the small model tags DATE but is not one: "Kastler quarter", a bare "46"."""
    first = ent[0]
    if first.pos_ == "PROPN" and first.lower_ not in WEEKDAYS and not _HAS_MONTH.fullmatch(
            first.text):
        return True
    return all(t.like_num or t.is_punct for t in ent)


_DAYREF = re.compile(r"\b(today|tonight|yesterday|tomorrow|this morning|this afternoon|"
                     r"this evening|last night)\b", re.I)


_USER_DATA_KEY = "newsdesk.extract.dates"


def _doc_candidates(doc: Doc) -> list[tuple[int, str, bool, bool]]:
    """Date expressions of one parsed passage: (offset in the passage, text, future tense,
    junk unless resolved). Cached on the doc, so a passage repeated across wire copies is
    read once."""
    cached: list[tuple[int, str, bool, bool]] | None = doc.user_data.get(_USER_DATA_KEY)
    if cached is not None:
        return cached
    out: list[tuple[int, str, bool, bool]] = []
    for ent in doc.ents:
        if ent.label_ == "TIME" and not (_DAYREF.search(ent.text) or any(
                t.lower_ in WEEKDAYS for t in ent)):
            continue
        if ent.label_ not in ("DATE", "TIME"):
            continue
        if ent.start > 0 and doc[ent.start - 1].lower_ in ("this", "last", "next") and \
                ent[0].lower_ in ("week", "month", "year", "weekend"):
            ent = doc[ent.start - 1:ent.end]  # "this week's floods": the model drops "this"
        lead = 0
        if ent[0].lower_ == "the" and len(ent) > 1 and not _PERIOD.match(ent.text.lower()):
            lead = 1
        span_text = ent[lead:].text
        if span_text.endswith(("'s", "\u2019s")):
            span_text = span_text[:-2]
        if is_duration(span_text):
            continue
        out.append((ent[lead].idx, span_text, _is_future(ent), _not_a_date(ent[lead:])))
    # weekdays and day words the model did not tag
    covered = {t.i for e in doc.ents for t in e}
    for t in doc:
        if t.i in covered:
            continue
        low = t.lower_
        if (low in WEEKDAYS and t.text[0].isupper()) or low in ("yesterday", "today",
                                                                "tomorrow"):
            out.append((t.idx, t.text, _is_future(doc[t.i:t.i + 1]), False))
    doc.user_data[_USER_DATA_KEY] = out
    return out


def passage_memo(doc: Doc) -> list[tuple[int, str, bool, bool]]:
    """This extractor's per-passage result as plain data (computed where the passage is
    parsed; :mod:`newsdesk.extract.memos`)."""
    return _doc_candidates(doc)


def restore_passage_memo(doc: Doc, memo: list[tuple[int, str, bool, bool]]) -> None:
    """Keep a :func:`passage_memo` computed elsewhere on the (rebuilt) doc."""
    doc.user_data[_USER_DATA_KEY] = memo


def find_dates(article: Article, paras: list[ParsedParagraph] | None = None) -> list[Span]:
    """Date expressions of one article as ``DATE`` spans with resolved ``value``."""
    paras = paras if paras is not None else parse_article(article)
    ref = reference_date(article)
    spans: list[Span] = []
    for pp in paras:
        for offset, text, future, junk in _doc_candidates(pp.doc):
            value, grain = resolve(text, ref, future)
            if value is None and junk:
                continue
            start = pp.start + offset
            spans.append(Span(start, start + len(text), "DATE",
                              {"value": value, "grain": grain}))
    spans.sort(key=lambda s: s.start)
    return spans


def date_records(spans: list[Span], text: str) -> list[dict[str, object]]:
    """The ``dates`` list of a ``newsdesk extract`` JSONL line."""
    return [{"text": text[s.start:s.end], "start": s.start, "end": s.end,
             "value": s.attrs.get("value")} for s in spans]
