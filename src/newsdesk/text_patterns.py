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
