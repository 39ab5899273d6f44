"""Golden test of ingest and cleaning on the bundled example corpus (examples/).

Ground truth: tests/golden/expected.json (see tests/golden/EXPECTED.md).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from newsdesk.ingest import ingest
from newsdesk.model import Article
from newsdesk.store import Store

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((ROOT / "tests" / "golden" / "expected.json").read_text("utf-8"))
GOLD = EXPECTED["articles"]


@pytest.fixture(scope="module")
def corpus() -> dict[str, Article]:
    with Store(":memory:") as store:
        report = ingest([ROOT / "examples"], store)
        assert not report.skipped, report.skipped
        return {a.key: a for a in store.articles(report.refs)}


def _tokens(text: str) -> Counter[str]:
    return Counter(text.split())


def test_every_article_read_once(corpus: dict[str, Article]) -> None:
    assert sorted(corpus) == sorted(GOLD)


@pytest.mark.parametrize("key", sorted(GOLD))
def test_metadata(corpus: dict[str, Article], key: str) -> None:
    a, g = corpus[key], GOLD[key]
    assert a.published == g["published"]
    assert sorted(a.credits) == sorted(g["credits"])
    assert a.dateline == g["dateline"]
    if g["source"] is not None:
        assert a.source == g["source"]
    else:  # bare text file: at most the outlet the text names itself
        assert a.source is None or a.source in g["natural_source"]
    if g.get("url"):
        assert a.url == g["url"]
    if g.get("title") and g["format"] != "txt":
        assert a.title == g["title"]


@pytest.mark.parametrize("key", sorted(GOLD))
def test_body_complete_and_furniture_gone(corpus: dict[str, Article], key: str) -> None:
    a, g = corpus[key], GOLD[key]
    assert g["first_sentence"] in a.text
    assert a.text.rstrip().endswith(g["last_sentence"])
    for junk in g["furniture"]:
        assert junk not in a.text, f"furniture survived: {junk!r}"
    # Every gold body paragraph is in the cleaned text, and nearly nothing else is.
    for para in g["gold_body"].split("\n\n"):
        core = para.strip()[-80:]
        assert core in a.text, f"body paragraph lost: {para[:60]!r}"
    gold, ours = _tokens(g["gold_body"]), _tokens(a.text)
    extra = sum((ours - gold).values())
    assert extra <= 0.05 * sum(gold.values()) + 12, f"{extra} extra tokens"
