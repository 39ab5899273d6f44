"""A hand-built, fictional brief (schema ``newsdesk.brief/1``) for the renderer tests.

Everything here is made up: the town of Kellmoor, the river Dunrow, the outlets and the
people. Event 1 is a flood reported by two independent outlets plus a wire copy, with a
conflicting death toll (12 vs 15); one article carries ``<script>`` and ``<b>`` markup as
text, which every renderer must show and never run. Event 2 is a small one with empty
sections. Cites are found by phrase, so every ``text[start:end]`` is exactly the phrase.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsdesk.brief.render import CITED_SECTIONS

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = ROOT / "docs" / "schemas" / "newsdesk.brief-1.schema.json"

COURIER = (
    "KELLMOOR — Floodwater from the river Dunrow swept through the low town of Kellmoor "
    "on Thursday, killing 12 people, officials said.\n\n"
    'Mayor Elena Varga said: "We have never seen the water rise this fast." '
    "About 3,000 residents were moved to the school gymnasium overnight.\n\n"
    "The comment box under our live page printed <script>window.__pwned = 1</script> and "
    "<b>not bold</b> as plain text.\n\n"
    "The Dunrow Flood Authority opened its emergency centre on March 13."
)
WIRE = (
    "Kellmoor, March 14 (Northgate Wire) - At least 15 people died when the river Dunrow "
    "burst its banks in Kellmoor, the regional health office said on Friday.\n\n"
    '"We have never seen the water rise this fast," Mayor Elena Varga told reporters. '
    "Rescue teams from the Dunrow Flood Authority evacuated about 3,000 residents.\n\n"
    "The regional governor, Tomas Breck, promised 40 million crowns in aid."
)
BRIDGE = (
    "The Old Mill bridge in Northgate reopened on Monday after repairs costing "
    "2.5 million crowns & a week of closures_ the council said."
)

TEXTS = {"courier-1": COURIER, "wire-1": WIRE, "harbour-1": WIRE, "ledger-7": BRIDGE}


def cite(key: str, phrase: str) -> dict[str, Any]:
    """The cite of the first occurrence of ``phrase`` in article ``key``."""
    text = TEXTS[key]
    start = text.index(phrase)
    return {"article": key, "start": start, "end": start + len(phrase)}


SUMMARY_SENTENCES = [
    (
        "courier-1",
        "Floodwater from the river Dunrow swept through the low town of Kellmoor on "
        "Thursday, killing 12 people, officials said.",
    ),
    (
        "wire-1",
        "At least 15 people died when the river Dunrow burst its banks in Kellmoor, the "
        "regional health office said on Friday.",
    ),
    ("wire-1", "The regional governor, Tomas Breck, promised 40 million crowns in aid."),
]
BRIDGE_SUMMARY = (
    "The Old Mill bridge in Northgate reopened on Monday after repairs costing 2.5 million "
    "crowns & a week of closures_ the council said."
)


def _article(
    key: str,
    source: str,
    title: str,
    published: str,
    copy_of: str | None = None,
    account: str | None = None,
    credits: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "key": key,
        "source": source,
        "title": title,
        "published": published,
        "url": f"https://news.example.invalid/{key}",
        "copy_of": copy_of,
        "independent": copy_of is None,
        "account": account or key,
        "credits": credits or [],
        "text": TEXTS[key],
    }


def flood_brief() -> dict[str, Any]:
    """A fresh copy of the sample brief (tests may mutate it)."""
    flood = {
        "id": "ev-1",
        "title": "Floods kill at least 12 in Kellmoor",
        "dates": {"first": "2031-03-13", "last": "2031-03-14"},
        "place": "Kellmoor",
        "articles": [
            _article("courier-1", "Kellmoor Courier", "Dunrow floods Kellmoor", "2031-03-14"),
            _article(
                "wire-1",
                "Northgate Wire",
                "At least 15 dead as Dunrow bursts banks",
                "2031-03-14",
                credits=["Northgate Wire"],
            ),
            _article(
                "harbour-1",
                "Harbour Daily",
                "At least 15 dead as Dunrow bursts banks",
                "2031-03-14",
                copy_of="wire-1",
                account="wire-1",
                credits=["Northgate Wire"],
            ),
        ],
        "independent_sources": 2,
        "summary": [
            {"text": text, "articles": [key], "cites": [cite(key, text)]}
            for key, text in SUMMARY_SENTENCES
        ],
        "claims": [
            {
                "id": "c1",
                "text": "The river Dunrow flooded the town of Kellmoor.",
                "articles": ["courier-1", "wire-1", "harbour-1"],
                "independent_sources": 2,
                "status": "corroborated",
                "cites": [
                    cite(
                        "courier-1",
                        "Floodwater from the river Dunrow swept through the low town of Kellmoor",
                    ),
                    cite("wire-1", "the river Dunrow burst its banks in Kellmoor"),
                ],
                "conflict": None,
            },
            {
                "id": "c2",
                "text": "People were killed by the flood.",
                "articles": ["courier-1", "wire-1", "harbour-1"],
                "independent_sources": 2,
                "status": "conflicting",
                "cites": [
                    cite("courier-1", "killing 12 people"),
                    cite("wire-1", "At least 15 people died"),
                ],
                "conflict": {
                    "about": "people killed",
                    "values": [
                        {
                            "value": 12,
                            "unit": "people",
                            "text": "killing 12 people",
                            "articles": ["courier-1"],
                        },
                        {
                            "value": 15,
                            "unit": "people",
                            "text": "At least 15 people died",
                            "articles": ["wire-1", "harbour-1"],
                        },
                    ],
                },
            },
            {
                "id": "c3",
                "text": "About 3,000 residents were evacuated.",
                "articles": ["courier-1", "wire-1", "harbour-1"],
                "independent_sources": 2,
                "status": "corroborated",
                "cites": [
                    cite(
                        "courier-1",
                        "3,000 residents were moved to the school gymnasium overnight",
                    ),
                    cite("wire-1", "evacuated about 3,000 residents"),
                ],
                "conflict": None,
            },
            {
                "id": "c4",
                "text": "Governor Tomas Breck promised 40 million crowns in aid.",
                "articles": ["wire-1", "harbour-1"],
                "independent_sources": 1,
                "status": "single-source",
                "cites": [cite("wire-1", "promised 40 million crowns in aid")],
                "conflict": None,
            },
            {
                "id": "c5",
                "text": "Evacuees spent the night in the school gymnasium.",
                "articles": ["courier-1"],
                "independent_sources": 1,
                "status": "single-source",
                "cites": [cite("courier-1", "moved to the school gymnasium overnight")],
                "conflict": None,
            },
        ],
        "quantities": [
            {
                "value": 12,
                "unit": "people",
                "text": "12 people",
                "about": "people killed",
                "articles": ["courier-1"],
                "cites": [cite("courier-1", "12 people")],
            },
            {
                "value": 15,
                "unit": "people",
                "text": "At least 15 people",
                "about": "people killed",
                "articles": ["wire-1", "harbour-1"],
                "cites": [cite("wire-1", "At least 15 people")],
            },
            {
                "value": 3000,
                "unit": "residents",
                "text": "About 3,000 residents",
                "about": "residents evacuated",
                "articles": ["courier-1", "wire-1", "harbour-1"],
                "cites": [
                    # overlaps the c3 cite partly: the renderer merges the two
                    cite("courier-1", "About 3,000 residents were moved"),
                    cite("wire-1", "about 3,000 residents"),
                ],
            },
            {
                "value": 40000000,
                "unit": "crowns",
                "text": "40 million crowns",
                "about": "aid",
                "articles": ["wire-1", "harbour-1"],
                "cites": [cite("wire-1", "40 million crowns")],
            },
        ],
        "quotes": [
            {
                "speaker": "Elena Varga",
                "text": "We have never seen the water rise this fast.",
                "direct": True,
                "articles": ["courier-1", "wire-1", "harbour-1"],
                "cites": [
                    cite("courier-1", "We have never seen the water rise this fast."),
                    cite("wire-1", "We have never seen the water rise this fast,"),
                ],
            },
            {
                "speaker": "the regional health office",
                "text": "At least 15 people died when the river Dunrow burst its banks.",
                "direct": False,
                "articles": ["wire-1", "harbour-1"],
                "cites": [
                    cite(
                        "wire-1",
                        "At least 15 people died when the river Dunrow burst its banks in Kellmoor",
                    )
                ],
            },
        ],
        "entities": [
            {
                "name": "Elena Varga",
                "type": "PERSON",
                "variants": ["Mayor Elena Varga"],
                "roles": ["mayor of Kellmoor"],
                "code": None,
                "articles": ["courier-1", "wire-1", "harbour-1"],
            },
            {
                "name": "Tomas Breck",
                "type": "PERSON",
                "variants": ["The regional governor, Tomas Breck"],
                "roles": ["regional governor"],
                "code": "GOV",
                "articles": ["wire-1", "harbour-1"],
            },
            {
                "name": "Dunrow Flood Authority",
                "type": "ORG",
                "variants": [],
                "roles": [],
                "code": "GOV",
                "articles": ["courier-1", "wire-1", "harbour-1"],
            },
            {
                "name": "Kellmoor",
                "type": "GPE",
                "variants": ["KELLMOOR"],
                "roles": [],
                "code": None,
                "articles": ["courier-1", "wire-1", "harbour-1"],
            },
        ],
        "timeline": [
            {
                "date": "2031-03-13",
                "text": "The Dunrow Flood Authority opened its emergency centre.",
                "articles": ["courier-1"],
                "cites": [
                    cite(
                        "courier-1",
                        "The Dunrow Flood Authority opened its emergency centre on March 13",
                    )
                ],
            },
            {
                "date": "2031-03-14",
                "text": "The regional health office put the death toll at 15.",
                "articles": ["wire-1", "harbour-1"],
                "cites": [cite("wire-1", "the regional health office said on Friday")],
            },
        ],
        "source_matrix": {
            "outlets": ["Kellmoor Courier", "Northgate Wire", "Harbour Daily"],
            "rows": [
                {"claim": "c1", "outlets": ["Kellmoor Courier", "Northgate Wire", "Harbour Daily"]},
                {"claim": "c2", "outlets": ["Kellmoor Courier", "Northgate Wire", "Harbour Daily"]},
                {"claim": "c3", "outlets": ["Kellmoor Courier", "Northgate Wire", "Harbour Daily"]},
                {"claim": "c4", "outlets": ["Northgate Wire", "Harbour Daily"]},
                {"claim": "c5", "outlets": ["Kellmoor Courier"]},
            ],
        },
        "reuse": [
            {
                "article": "courier-1",
                "copy_of": None,
                "shares": [{"article": "wire-1", "similarity": 0.12, "passages": 1}],
            },
            {
                "article": "wire-1",
                "copy_of": None,
                "shares": [{"article": "harbour-1", "similarity": 1.0, "passages": 3}],
            },
            {
                "article": "harbour-1",
                "copy_of": "wire-1",
                "shares": [{"article": "wire-1", "similarity": 1.0, "passages": 3}],
            },
        ],
        "political_events": [
            {
                "date": "2031-03-14",
                "event": "AID",
                "source": [{"text": "Tomas Breck", "code": "GOV", "sector": "GOV"}],
                "target": [{"text": "Kellmoor", "code": None, "sector": None}],
                "articles": ["wire-1", "harbour-1"],
                "cites": [cite("wire-1", "Tomas Breck, promised 40 million crowns in aid")],
            }
        ],
    }
    bridge = {
        "id": "ev-2",
        "title": "Old Mill bridge reopens",
        "dates": {"first": None, "last": None},
        "place": None,
        "articles": [
            {
                "key": "ledger-7",
                "source": None,
                "title": None,
                "published": None,
                "url": None,
                "copy_of": None,
                "independent": True,
                "account": "ledger-7",
                "credits": [],
                "text": BRIDGE,
            }
        ],
        "independent_sources": 1,
        "summary": [
            {
                "text": BRIDGE_SUMMARY,
                "articles": ["ledger-7"],
                "cites": [cite("ledger-7", BRIDGE_SUMMARY)],
            }
        ],
        "claims": [],
        "quantities": [],
        "quotes": [],
        "entities": [],
        "timeline": [],
        "source_matrix": {"outlets": [], "rows": []},
        "reuse": [],
        "political_events": [],
    }
    return {"schema": "newsdesk.brief/1", "events": [flood, bridge]}


def all_cites(brief: dict[str, Any]) -> list[dict[str, Any]]:
    """Every cite anywhere in ``brief``, in document order."""
    found: list[dict[str, Any]] = []
    for event in brief["events"]:
        for section in CITED_SECTIONS:
            for item in event[section]:
                found.extend(item["cites"])
    return found
