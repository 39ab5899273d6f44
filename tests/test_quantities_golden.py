"""Golden tests: quantities on the bundled example corpus (tests/golden/expected.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newsdesk.extract.quantities import find_quantities
from newsdesk.model import Article, Span

EXPECTED = Path(__file__).resolve().parents[1] / "tests" / "golden" / "expected.json"
DATA: dict[str, Any] = json.loads(EXPECTED.read_text("utf-8"))
ARTICLES = {k: Article(key=k, text=v["gold_body"], published=v["published"])
            for k, v in DATA["articles"].items()}


@pytest.fixture(scope="module")
def quantities() -> dict[str, list[Span]]:
    return {k: find_quantities(a) for k, a in ARTICLES.items()}


def _at(key: str, text: str, qs: dict[str, list[Span]]) -> list[Span]:
    """Quantity spans overlapping the first occurrence of ``text`` in article ``key``."""
    a = ARTICLES[key]
    pos = a.text.find(text)
    assert pos >= 0, f"{text!r} is not in {key}"
    return [s for s in qs[key] if s.start < pos + len(text) and s.end > pos]


def _cases() -> list[tuple[str, dict[str, Any]]]:
    ev = DATA["events"]["A"]
    rows = ev["numbers_in_words"] + ev["numbers_in_digits_that_agree"]
    return [(key, row) for row in rows for key in row["in"]]


@pytest.mark.parametrize(("key", "row"), _cases(),
                         ids=[f"{k}:{r['text']}" for k, r in _cases()])
def test_numbers_with_units(key: str, row: dict[str, Any],
                            quantities: dict[str, list[Span]]) -> None:
    spans = _at(key, row["text"], quantities)
    assert len(spans) == 1, [ARTICLES[key].text[s.start:s.end] for s in spans]
    s = spans[0]
    assert ARTICLES[key].text[s.start:s.end] == row["text"]
    assert (s.attrs["value"], s.attrs["unit"]) == (row["value"], row["unit"])
    if row.get("approximate"):
        assert s.attrs["approximate"] is True
    of = row.get("of", "")
    head = of.split()[0] if of else ""
    assert head in s.attrs["about"], (s.attrs["about"], of)


def test_conflicting_money_figures(quantities: dict[str, list[Span]]) -> None:
    fig = DATA["events"]["A"]["conflicting_figure"]
    for v in fig["values"]:
        for key, text in v["texts"].items():
            spans = _at(key, text, quantities)
            assert [(s.attrs["value"], s.attrs["unit"]) for s in spans] == [
                (v["value"], fig["unit"])]


def test_casualty_figures(quantities: dict[str, list[Span]]) -> None:
    n = 0
    for ev in ("B", "C"):
        for row in DATA["events"][ev]["casualty_figures"]:
            spans = _at(row["article"], row["text"], quantities)
            assert row["value"] in [s.attrs["value"] for s in spans], row
            n += 1
    assert n >= 10
