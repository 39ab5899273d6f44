"""The dateline at the head of a lead sentence, as a pattern shared by the stages that
show sentences (claims, summaries): it says where a report was filed, not what happened."""

from __future__ import annotations

import re

# A dateline at the head of a lead sentence: an upper-case place with a dash or colon
# ("ISLAMABAD – ", "DRUSSEL: "), or a place and date with an agency in brackets
# ("Saldena, March 4 (PNA) ", "WASHINGTON (AP) — ").
DATELINE_HEAD = re.compile(
    r"(?:[A-Z][A-Z.'-]+(?: [A-Z][A-Z.'-]+){0,2}\s*(?:\([A-Za-z .]{2,20}\)\s*)?[\u2013\u2014:-]{1,2}\s+"
    r"|[A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2},\s+[A-Z][a-z]{2,8}\.? \d{1,2}\s*"
    r"\([A-Za-z .]{2,20}\)\s*[\u2013\u2014:-]?\s*"
    r"|[A-Z][A-Z.'-]+(?: [A-Z][A-Z.'-]+){0,2}\s*\([A-Za-z .]{2,20}\)\s*)")
