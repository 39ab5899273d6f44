"""Regular-expression pieces shared by the stages, written once.

``MONTHS`` is the alternation of English month names and their abbreviations (no group,
no flags: use it inside ``(?:...)`` with ``re.I``), used by the cleaning rules, dates and
event features.

Why by hand: dateparser and dateutil parse a date string but do not find one inside
running text, which is what these patterns do.
"""

from __future__ import annotations

import re

MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    "sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
# a month name or abbreviation as a word, with an optional full stop ("Sept.")
MONTH_WORD = re.compile(rf"\b(?:{MONTHS})\.?\b", re.I)

WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
# time zones written after a clock time ("12:31 GMT", "4:08 p.m. ET")
TIME_ZONES = "gmt|utc|bst|cet|[ecmp][sd]t|et"

# The datelines of wire copy, in one place for every stage that reads them.
# "Saldena, March 4 (PNA) ..." / "Drussel, 14 March (VNS)": place, day and month, agency.
DATELINE = re.compile(
    rf"^(?P<place>[A-Z][A-Za-z.'\- ]{{1,40}}?),\s+(?P<date>(?:{MONTHS})\.?\s+\d{{1,2}}|"
    rf"\d{{1,2}}\s+(?:{MONTHS}))\.?\s*\((?P<agency>[A-Za-z][A-Za-z ]{{1,25}})\)",
    re.I,
)
# "ISLAMABAD – ...", "PORT CAMINA: ...", "WASHINGTON (AP) ...": an upper-case place.
CAPS_DATELINE = re.compile(r"^(?P<place>[A-Z][A-Z.'\-]{2,}(?:\s[A-Z][A-Z.'\-]{2,}){0,3})"
                           r"\s*(?:[\u2013\u2014:]|-{1,2}|\((?P<agency>[A-Za-z]{2,12})\))\s+")
# "Saldena, March 4, 2025 ...": a place and a full date (the dates stage's reference).
DATELINE_FULL_DATE = re.compile(
    rf"^\s*[A-Z][A-Za-z .'-]{{1,40}},?\s+(?P<date>(?:{MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}|"
    rf"\d{{1,2}}\s+(?:{MONTHS})\.?,?\s+\d{{4}})", re.I)
# A dateline at the head of a lead sentence: an upper-case place with a dash or colon
# ("ISLAMABAD – ", "DRUSSEL: ", "WASILLA, Alaska - "), or a place and date with an agency
# in brackets ("Saldena, March 4 (PNA) ", "WASHINGTON (AP) — "): where a report was
# filed, which the stages that show sentences (claims, summaries) leave out.
DATELINE_HEAD = re.compile(
    r"(?:[A-Z][A-Z.'-]+(?: [A-Z][A-Z.'-]+){0,2}\s*(?:\([A-Za-z .]{2,20}\)\s*)?[\u2013\u2014:-]{1,2}\s+"
    r"|[A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2},\s+[A-Z][a-z]{2,8}\.? \d{1,2}\s*"
    r"\([A-Za-z .]{2,20}\)\s*[\u2013\u2014:-]?\s*"
    r"|[A-Z][A-Z.'-]+(?: [A-Z][A-Z.'-]+){0,2}\s*\([A-Za-z .]{2,20}\)\s*)"
    # "WASILLA, Alaska - ", "ANCHORAGE, Alaska (AP) _ ": an upper-case place, its region
    r"|[A-Z][A-Z.'-]+(?: [A-Z][A-Z.'-]+){0,2}, [A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+)?\s*"
    r"(?:\([A-Za-z .]{2,20}\)\s*)?[\u2013\u2014:_-]{1,2}\s+")



def dateline_end(text: str, start: int, end: int) -> int:
    """Where the body of ``text[start:end]`` starts: after its dateline when one heads it
    and more than 20 characters follow ("DRUSSEL \u2013 At least 14 ..."), else ``start``.
    The one rule for the stages that show or quote sentences (claims, summaries, quotes)."""
    head = DATELINE_HEAD.match(text, start, end)
    return head.end() if head is not None and end - head.end() > 20 else start


# A line that only stamps the page: "Updated at 1:23 p.m.", "Last updated: 19 Nov 2019,
# 08:10", "UPDATED 05/03/2013 at 11:00 AM EDT" (cleaning's furniture lines and titles,
# the events' lead-sentence titles)
STAMP_LINE = re.compile(r"^(?:last\s+)?(?:updated|published|posted)\s*(?:at|on)?\s*:?\s*"
                        r"[\w ,./:]{0,30}\d[\w ,./:]{0,20}$", re.I)

# A line that is only a date and time ("May 2, 2013, 1: 12 PM", "Thursday 14 March 2025
# | 08:10 GMT", "4 August 2013 Last updated at 19: 47 GMT"): a page stamp, never a
# headline or a lead (cleaning's titles, the events' lead-sentence titles; the line itself
# stays in the text, its year is evidence)
DATE_TIME_LINE = re.compile(
    rf"^(?=.*\d)(?:(?:{WEEKDAYS}|{MONTHS})\.?|\d{{1,4}}(?:st|nd|rd|th)?|[ap]\.?\s?m\.?|"
    rf"{TIME_ZONES}|at|on|last|updated|published|posted|[,/:|.\-\s])+$", re.I)

# A news outlet's name: ending on a newspaper, magazine or broadcaster word ("Anchorage Daily
# News", "Associated Press", "People Magazine"; not "Press secretary ..."), a web address
# ("TMZ.com"), "news agency", or a wire or broadcaster known by its short name. Written by
# hand: no library lists outlets, and the brief needs only to tell an outlet reporting from
# a party speaking.
NEWS_OUTLET = re.compile(
    r"\b(?:News|Times|Post|Daily|Journal|Herald|Tribune|Gazette|Magazine|Television|TV|Radio|"
    r"Press|Presse|Newspaper|Weekly|Chronicle|Telegraph|Wire)$|\.\s?com\b|(?i:\bnews agency\b)"
    r"|^(?:CNN|BBC|NBC|ABC|CBS|TMZ|NPR|PBS|MSNBC|CNBC|AFP|AP|UPI|Reuters|Xinhua|ITAR-TASS|TASS|"
    r"Interfax|Kyodo|Yonhap|Bernama|Anadolu|IANS|PTI|Al Jazeera)$")

# Words a phrase cannot end on: after them something must follow ("... in Tanzania and",
# "... the arrest of"). The brief drops a reported content cut there; a lead-sentence title
# is not cut there.
DANGLING_WORDS = frozenset("and or but of the a an to in on at for with by from whose his "
                           "their its our than because although unless whereas".split())

# Opening and closing quotation marks; a straight double quote opens and closes alike.
QUOTE_PAIRS = (("\u201c", "\u201d"), ("\u2018", "\u2019"), ("\u00ab", "\u00bb"), ('"', '"'))


def left_open(text: str, opening: str, closing: str) -> bool:
    """Whether ``text`` opens a pair of marks it does not close (for a mark that opens and
    closes alike: it appears an odd number of times). ``left_open(text, closing,
    opening)`` asks the other way: a pair closed that the text did not open."""
    if opening == closing:
        return text.count(opening) % 2 == 1
    return text.count(opening) > text.count(closing)
