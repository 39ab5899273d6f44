"""Golden tests: relative dates on the bundled example corpus (tests/golden/expected.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newsdesk.extract.dates import find_dates
from newsdesk.model import Article, Span

EXPECTED = Path(__file__).resolve().parents[1] / "tests" / "golden" / "expected.json"
DATA: dict[str, Any] = json.loads(EXPECTED.read_text("utf-8"))
ARTICLES = {k: Article(key=k, text=v["gold_body"], published=v["published"])
            for k, v in DATA["articles"].items()}
# Known miss: "has issued an amber warning for more heavy rain on Friday" hangs the weekday
# from a past-tense verb, so it resolves to the previous Friday; the warning is for the next.
KNOWN_MISSES: set[tuple[str, str]] = set()  # none left: b04 "has issued ... on Friday" fixed


@pytest.fixture(scope="module")
def dates() -> dict[str, list[Span]]:
    return {k: find_dates(a) for k, a in ARTICLES.items()}


def _params() -> list[Any]:
    out = []
    for r in DATA["relative_dates"]:
        marks = [pytest.mark.xfail(strict=True, reason="tense of the governing verb")] \
            if (r["article"], r["text"]) in KNOWN_MISSES else []
        out.append(pytest.param(r, marks=marks, id=f"{r['article']}:{r['text']}"))
    return out


@pytest.mark.parametrize("row", _params())
def test_relative_dates(row: dict[str, Any], dates: dict[str, list[Span]]) -> None:
    a = ARTICLES[row["article"]]
    assert a.published == row["anchor"]
    pos = a.text.find(row["text"])
    assert pos >= 0
    hits = [s for s in dates[a.key] if s.start < pos + len(row["text"]) and s.end > pos]
    assert hits, f"no date found in {row['text']!r}"
    assert row["resolves_to"] in [s.attrs["value"] for s in hits]
    for s in hits:
        assert a.text[s.start:s.end] in row["text"]
