"""Rules that take page furniture out of already-extracted article text.

Written by hand because no maintained library cleans *text* (trafilatura and jusText
work on the HTML tree, which text files, feed bodies and JSONL records no longer have).
Each rule removes whole lines that match a furniture pattern; body sentences are never
edited except to lift a trailing agency credit such as "(Agency)" into ``credits``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from dateutil import parser as dateparser

from newsdesk.clean.unwrap import SENTENCE_END, is_hard_wrapped, tex_quotes, unwrap_paragraphs
from newsdesk.text_patterns import (
    CAPS_DATELINE,
    DATE_TIME_LINE,
    DATELINE,
    MONTHS,
    STAMP_LINE,
    WEEKDAYS,
)

HEADER_DATE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*")
LONE_DATE = re.compile(
    rf"^(?:(?:{WEEKDAYS}),?\s+)?(?:(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|"
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\.?,?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
    r"(?:\s*[|,]?\s*\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?$",
    re.I,
)
READING_TIME = re.compile(r"^\d+\s*(?:min|mins|minutes?)\.?\s*read$", re.I)
ALSO_READ = re.compile(
    r"^(?:also\s*read|read\s*also|read\s*more|see\s*also|also\s*see|related|recommended|"
    r"must\s*read|watch|listen)\s*(?:[:\-–|]|$)", re.I
)
URL_LINE = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
CAPTION = re.compile(
    r"^[^.!?]{3,140}?\s?\((?:twitter|x|photo|photos|file|file photo|facebook|instagram|"
    r"youtube|getty images?|reuters|afp|ap|ians|pti|ani|screengrab|representational)\)$",
    re.I,
)
# Lines that open the related-links tail of a page: everything after them is furniture.
TAIL_MARKER = re.compile(
    r"^(?:previous\s*(?:story|article|post)|next\s*(?:story|article|post)|latest\s*from\b.*|"
    r"more\s*from\b.*|don'?t\s*miss|go\s*to\s*top|back\s*to\s*top|related\s*(?:stories|"
    r"articles|news|posts)|you\s*may\s*also\s*like|trending(?:\s*now)?|most\s*(?:read|popular)|"
    r"popular\s*(?:stories|posts)|recommended\s*for\s*you|leave\s*a\s*(?:reply|comment))\s*:?$",
    re.I,
)
SHARE_LINE = re.compile(
    r"^(?:share(?:\s*this(?:\s*(?:article|story))?)?|tweet|email|print|whatsapp|facebook|"
    r"twitter|linkedin|telegram|copy\s*link)(?:\s*[|/,]\s*\w+)*\s*:?$", re.I
)
# Promotion of the outlet itself: an imperative opener plus a subscription-like noun.
PROMO = re.compile(
    r"^(?:follow|listen|watch|subscribe|sign\s*up|get|download|join|like\s*us|click|tap|"
    r"for\s*more|stay\s*(?:up\s*to\s*date|informed|tuned))\b", re.I
)
PROMO_NOUN = re.compile(
    r"\b(?:newsletters?|coverage|updates|alerts|app|podcasts?|fm|online|channel|subscribe|"
    r"sign\s*up|whatsapp|telegram|twitter|facebook|instagram|youtube|notifications)\b", re.I
)
COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b)|all rights reserved\.?$", re.I)
# Generic page-furniture lines (CleanOptions.generic_lines), each narrow: a whole short line
# that is a label, a taxonomy, a timestamp, a reading time in another language, a
# newsletter/tip pitch or a photo credit. Kept or dropped as one group, leave-site-out
# (bench/bench_extraction.py --lso; BENCHMARKS.md).
GENERIC_LINES = [
    # "Filed under: Politics |", "Tags: budget, tax", "Posted in News"
    re.compile(r"^(?:filed\s+under|posted\s+in|tagged(?:\s+with)?|tags?|categor(?:y|ies)|"
               r"topics?)\s*:\s*[^.!?]{1,100}$", re.I),
    # A lone label over a box: "More:", "Also:", "Advertisement", "You may also like..."
    re.compile(r"^(?:more|also|related|advertisement|advertising|sponsored(?:\s+content)?|"
               r"comments?|you\s+may\s+also\s+like|most\s+read(?:\s+in\s+[\w ]{1,30})?|"
               r"recommended(?:\s+for\s+you)?)\s*(?::|\.\.\.|…)?$", re.I),
    # "Updated at 1:23 p.m.", "Last updated: 19 Nov 2019, 08:10"
    STAMP_LINE,
    # Reading time in the languages the extractor meets: "Tempo de leitura: 1 minuto"
    re.compile(r"^(?:reading\s+time|read\s+time|tempo\s+de\s+leitura|tiempo\s+de\s+lectura|"
               r"temps\s+de\s+lecture|lesezeit|leestijd)\s*:?\s*\d+\s*\w{0,10}\.?$", re.I),
    # Newsletter and tip pitches: "Thanks for signing up!", "Have a tip? ..."
    re.compile(r"^(?:thanks?\s+(?:you\s+)?for\s+(?:signing\s+up|subscribing)|have\s+a\s+"
               r"(?:news\s+)?tip\?|if\s+you\s+enjoyed\s+this\s+(?:article|story|post))", re.I),
    # Photo credits: "Photo: Jane Roe/Agency", "Image credit: ...", "Photos © Outlet, 2019"
    re.compile(r"^(?:photo|image|picture|credit)s?\s*(?:credits?)?\s*(?::|©)\s*[^.!?]{1,80}$",
               re.I),
]
STANDFIRST = re.compile(r"(?:…|\.\.\.)\s*reports?\s+(?P<name>[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,4})\s*$")
SIGNOFF = re.compile(r"^[-–—]{1,3}\s*([A-Z][A-Za-z]{1,20}(?:\s[A-Z][A-Za-z]+)?)\s*$")
EDITOR_INITIALS = re.compile(r"^[a-z]{2,4}(?:/[a-z]{2,4})*/?$")
TRAILING_CREDIT = re.compile(r"\s*\(((?i:agency|agencies)|[A-Z]{2,8}|Reuters|Xinhua|Kyodo)\)\s*$")
PLACE_DATE = re.compile(r"^(?P<place>[A-Z][A-Za-z.'\- ]{1,40}),\s+(?P<date>[^,]{0,12}\d[^()]{3,40})$")
REPORTS = re.compile(
    r"(?:\breports?|\breported\s+by|\baccording\s+to)\s+(?:the\s+)?"
    r"(?P<name>[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,4}?)(?:\s+news\s+agency)?\s*(?:[.,;]|$)"
)
NEWS_AGENCY = re.compile(r"\b(?P<name>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)\s+news\s+agency\b")
PAREN_AGENCY = re.compile(r"\((?P<name>[A-Z]{2,6}|Reuters|Xinhua|Kyodo|Yonhap|Bernama)\)")

# Agencies: canonical spelling by lower-case alias. An outlet credited with "reports X"
# that is not an agency is usually the site naming itself, and becomes the source.
AGENCIES = {
    "ians": "IANS", "xinhua": "Xinhua", "pti": "PTI", "ani": "ANI", "app": "APP",
    "afp": "AFP", "agence france-presse": "AFP", "ap": "AP", "associated press": "AP",
    "reuters": "Reuters", "tass": "TASS", "ria novosti": "RIA Novosti", "uni": "UNI",
    "anadolu": "Anadolu", "bernama": "Bernama", "kyodo": "Kyodo", "yonhap": "Yonhap",
    "efe": "EFE", "dpa": "dpa", "ansa": "ANSA", "agency": "Agency", "agencies": "Agency",
    "bss": "BSS", "irna": "IRNA", "wam": "WAM", "spa": "SPA", "qna": "QNA",
}


def canonical_agency(name: str) -> str:
    """Canonical agency spelling ("Xinhua news agency" -> "Xinhua")."""
    n = re.sub(r"\s+news\s+agency$", "", name.strip(), flags=re.I)
    return AGENCIES.get(n.lower(), n)


def is_agency(name: str) -> bool:
    """True for a known agency or an all-capitals short credit such as "PNA"."""
    n = canonical_agency(name)
    return n.lower() in AGENCIES or bool(re.fullmatch(r"[A-Z]{2,6}", n))


@dataclass(slots=True)
class Cleaned:
    """The result of cleaning one text: body paragraphs and what was lifted out of it."""

    paragraphs: list[str]
    title: str | None = None
    published: str | None = None
    dateline: str | None = None
    credits: list[str] = field(default_factory=list)
    self_credit: str | None = None
    removed: list[str] = field(default_factory=list)


def parse_lone_date(line: str) -> str | None:
    """ISO date for a line that is nothing but a date, else None."""
    s = line.strip()
    if len(s) > 60 or not LONE_DATE.match(s):
        return None
    try:
        d = dateparser.parse(s, fuzzy=True, default=None)  # type: ignore[arg-type]
    except (ValueError, OverflowError):
        return None
    return d.date().isoformat() if d else None


def _add(credits: list[str], name: str) -> None:
    c = canonical_agency(name)
    if c and c not in credits:
        credits.append(c)


def _line_groups(lines: list[str]) -> list[str]:
    """A block's lines grouped into paragraphs: a line that ends a sentence, or is followed
    by one that does not start in lower case, ends its paragraph.

    Text written one paragraph a line must read the same with or without a blank line
    somewhere in it: a wire copy that adds "--AFP" after a blank line keeps the
    original's paragraphs, so its passages match the original's (shared-passage evidence,
    the original's parses reused). Lines broken mid-sentence stay together."""
    out: list[str] = []
    cur: list[str] = []
    for i, line in enumerate(lines):
        cur.append(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if not nxt or SENTENCE_END.search(line) or not nxt[:1].islower():
            out.append("\n".join(cur))
            cur = []
    return out


def _blocks(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = tex_quotes(text)
    if re.search(r"\n\s*\n", text):
        # Hard-wrapped text (judged on all its lines) keeps each block whole, or its
        # wrapped paragraphs; other text may be one paragraph a line within a block.
        wrapped = is_hard_wrapped([ln for ln in text.split("\n") if ln.strip()])
        out: list[str] = []
        for b in re.split(r"\n\s*\n", text):
            b = b.strip()
            if not b:
                continue
            if "\n" not in b:
                out.append(b)
            elif wrapped:
                out.extend(unwrap_paragraphs(b) or [b])
            else:
                out.extend(_line_groups([ln.strip() for ln in b.split("\n") if ln.strip()]))
        return out
    # No blank lines: hard-wrapped text keeps its paragraphs, else a line is a paragraph.
    paras = unwrap_paragraphs(text)
    if paras is not None:
        return paras
    return [b.strip() for b in text.split("\n") if b.strip()]


def clean_text(text: str, *, detect_title: bool = True, drop_furniture: bool = True,
               truncate_tail: bool = True, generic_lines: bool = True) -> Cleaned:
    """Split a text into body paragraphs, lifting dates, title, dateline and credits out.

    ``truncate_tail`` cuts everything after a related-links marker ("Previous Story",
    "Latest from …"); it is off for HTML, whose extractor already dropped such blocks and
    where a marker may head an inline box in the middle of the body. ``generic_lines``
    adds the :data:`GENERIC_LINES` patterns to the furniture rules."""
    out = Cleaned(paragraphs=[])
    m = HEADER_DATE.match(text)
    if m:
        out.published = m.group(1)
        text = text[m.end():]
    lines: list[str] = []
    for block in _blocks(text):
        # A block may hold several physical lines: judge furniture line by line.
        if "\n" in block and drop_furniture and _any_furniture(block):
            lines.extend(ln.strip() for ln in block.split("\n") if ln.strip())
        else:
            lines.append(" ".join(ln.strip() for ln in block.split("\n")))
    # Leading furniture: lone date, reading time.
    while lines:
        d = parse_lone_date(lines[0])
        if d:
            out.published = out.published or d
        elif not (drop_furniture and READING_TIME.match(lines[0])):
            break
        out.removed.append(lines.pop(0))
    body: list[str] = []
    n = len(lines)
    for i, line in enumerate(lines):
        if truncate_tail and drop_furniture and TAIL_MARKER.match(line) and i >= max(1, n * 0.3):
            out.removed.extend(lines[i:])
            break
        if drop_furniture and (_is_furniture(line) or (generic_lines and is_generic_line(line))):
            out.removed.append(line)
            continue
        pd = PLACE_DATE.match(line)
        if pd and parse_lone_date(pd.group("date")):
            out.dateline = out.dateline or pd.group("place").strip().title()
            out.published = out.published or parse_lone_date(pd.group("date"))
            out.removed.append(line)
            continue
        sf = STANDFIRST.search(line)
        if drop_furniture and sf and i < 4:
            # "…reports Outlet": the site's teaser repeating the lead, naming itself.
            out.self_credit = out.self_credit or sf.group("name")
            out.removed.append(line)
            continue
        sig = SIGNOFF.match(line)
        if sig and i >= n - 4:
            _add(out.credits, sig.group(1))
            out.removed.append(line)
            continue
        if EDITOR_INITIALS.match(line) and i >= n - 3:
            out.removed.append(line)
            continue
        if drop_furniture and parse_lone_date(line) and i >= n - 4:
            out.removed.append(line)
            continue
        body.append(line)
    # A trailing "(Agency)" / "(IANS)" on the last paragraph is a credit, not body text.
    if body:
        tm = TRAILING_CREDIT.search(body[-1])
        if tm and tm.start() > 0:
            _add(out.credits, tm.group(1))
            body[-1] = body[-1][: tm.start()].rstrip()
    if detect_title and len(body) > 2 and _looks_like_title(body[0]):
        out.title = body.pop(0)
    elif (detect_title and len(body) > 3
          and (_STAMP.match(body[0]) or DATE_TIME_LINE.match(body[0]))
          and _looks_like_title(body[1])):
        # "updated 8:41 p.m. EST, Tue March 3, 2009" or "May 2, 2013, 1: 12 PM" above the
        # headline: the stamp stays in the text (its date tells events apart), the
        # headline is the title
        out.title = body.pop(1)
    _lift_credits(body, out)
    out.paragraphs = [b for b in body if b]
    return out


def _any_furniture(block: str) -> bool:
    return any(_is_furniture(ln.strip()) or parse_lone_date(ln) for ln in block.split("\n"))


def _is_furniture(line: str) -> bool:
    return bool(
        READING_TIME.match(line) or ALSO_READ.match(line) or URL_LINE.match(line)
        or (PROMO.match(line) and PROMO_NOUN.search(line) and len(line.split()) <= 30)
        or COPYRIGHT.match(line)
        or CAPTION.match(line) or SHARE_LINE.match(line) or TAIL_MARKER.match(line)
    )


# A year in a published/updated stamp ("Published: Thursday, May 2, 2013") keeps the line:
# it may be the only date the text gives, and events tell two happenings of one kind apart
# by it (ECB+ dev B-cubed F1 0.937 with such lines kept, 0.919 when they were dropped).
_STAMP = STAMP_LINE
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def is_generic_line(line: str) -> bool:
    """True for a short line matching one of the :data:`GENERIC_LINES` patterns (a
    published/updated stamp only when it names no year)."""
    if len(line.split()) > 25:
        return False
    return any(p.match(line) and not (p is _STAMP and _YEAR.search(line))
               for p in GENERIC_LINES)


def _looks_like_title(line: str) -> bool:
    words = line.split()
    return (2 <= len(words) <= 16 and not re.search(r"[.!?\"”:;,]$", line) and "\n" not in line
            and not _STAMP.match(line)  # a published/updated stamp is no headline
            and not DATE_TIME_LINE.match(line))  # nor is a bare date and time


def _lift_credits(body: list[str], out: Cleaned) -> None:
    """Datelines and agency credits from the first paragraphs (text itself is kept)."""
    for j, para in enumerate(body[:4]):
        dm = DATELINE.match(para)
        if dm:
            out.dateline = out.dateline or dm.group("place").strip().title()
            _add(out.credits, dm.group("agency"))
        elif j == 0:
            cm = CAPS_DATELINE.match(para)
            if cm and not cm.group("place").isdigit():
                out.dateline = out.dateline or cm.group("place").strip().title()
                if cm.group("agency"):
                    _add(out.credits, cm.group("agency"))
        for pm in PAREN_AGENCY.finditer(para[:200]):
            if pm.group("name").lower() in AGENCIES:
                _add(out.credits, pm.group("name"))
    for para in body:
        for rm in list(REPORTS.finditer(para)) + list(NEWS_AGENCY.finditer(para)):
            name = rm.group("name")
            full = rm.group(0).lower()
            if "news agency" in full or is_agency(name):
                _add(out.credits, name)
            elif full.startswith("report") and out.self_credit is None and len(name.split()) >= 2:
                out.self_credit = name


def iso_or_none(value: str | None) -> str | None:
    """Normalise a date string from metadata to ``YYYY-MM-DD`` (None when unreadable)."""
    if not value:
        return None
    v = str(value).strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}", v):
        return v[:10]
    try:
        d = dateparser.parse(v, fuzzy=True)
    except (ValueError, OverflowError):
        return None
    return d.date().isoformat() if isinstance(d.date(), date) else None
