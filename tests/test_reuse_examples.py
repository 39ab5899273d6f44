"""Golden tests: reuse on the bundled example corpus against tests/golden/expected.json."""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pytest

from newsdesk.ingest import read_clean
from newsdesk.model import Article
from newsdesk.reuse import ReuseIndex, ReuseOptions, ReuseResult, analyse_reuse
from newsdesk.store import Store

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = Path(__file__).resolve().parent / "golden" / "expected.json"


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    if not EXPECTED.exists():
        pytest.skip(f"{EXPECTED} not found (the example corpus ground truth)")
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def articles() -> list[Article]:
    return [a for a in read_clean([ROOT / "examples"]) if isinstance(a, Article)]


@pytest.fixture(scope="module")
def result(articles: list[Article]) -> ReuseResult:
    return analyse_reuse(articles)


def test_copy_of_matches_ground_truth(result: ReuseResult, expected: dict[str, Any]) -> None:
    got = {r: p.copy_of for r, p in result.provenance.items()}
    want = {k: a["copy_of"] for k, a in expected["articles"].items()}
    assert got == want


def test_paraphrases_matches_ground_truth(result: ReuseResult,
                                          expected: dict[str, Any]) -> None:
    got = {r: p.paraphrases for r, p in result.provenance.items()}
    want = {k: a.get("paraphrases") for k, a in expected["articles"].items()}
    assert got == want


def test_independent_sources_per_event(result: ReuseResult, expected: dict[str, Any]) -> None:
    for event, refs in expected["clusters"].items():
        want = expected["events"][event]["independent_sources"]
        assert result.independent_count_of(refs) == want, event


def test_reuse_groups_of_event_a(result: ReuseResult, expected: dict[str, Any]) -> None:
    groups = {g["type"]: g for g in expected["events"]["A"]["reuse_groups"]}
    copy = groups["copy"]
    assert [(g.canonical, sorted(g.members)) for g in result.groups] == \
        [(copy["origin"], sorted(copy["members"]))]
    release = groups["press_release"]
    assert [(s.origin, sorted(s.members)) for s in result.sources] == \
        [(release["origin"], sorted(release["members"]))]


def _words(s: str) -> list[str]:
    return re.findall(r"\w+", s.lower().replace("\u2019", "'"))


def test_shared_passages_of_event_a(result: ReuseResult, articles: list[Article],
                                    expected: dict[str, Any]) -> None:
    """Every listed reuse that keeps a run of at least passage_min_words words is found,
    with offsets that cover the listed text on both sides."""
    text = {a.key: a.text for a in articles}
    min_words = ReuseOptions().passage_min_words
    checked = 0
    for sp in expected["events"]["A"]["shared_passages"]:
        origin, origin_text = sp["origin"], sp["origin_text"]
        o_at = text[origin].find(origin_text)
        assert o_at >= 0, origin_text
        for other, reused in sp["reused_in"].items():
            r_at = text[other].find(reused)
            assert r_at >= 0, reused
            a, b = _words(origin_text), _words(reused)
            run = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(
                0, len(a), 0, len(b)).size
            hits = [p for p in result.provenance[origin].passages
                    if p["other"] == other
                    and p["start"] < o_at + len(origin_text) and o_at < p["end"]
                    and p["other_start"] < r_at + len(reused) and r_at < p["other_end"]]
            if run < min_words:  # too short a verbatim run to count as a passage
                continue
            assert hits, (origin, other, origin_text)
            assert max(h["similarity"] for h in hits) >= 0.85
            checked += 1
    assert checked >= 8


def test_store_index_agrees_with_the_batch(articles: list[Article],
                                           result: ReuseResult) -> None:
    with Store(":memory:") as s:
        s.add_articles(articles[::-1])
        got = ReuseIndex(s).result()
    assert json.dumps(got.to_dict(), sort_keys=True) == \
        json.dumps(result.to_dict(), sort_keys=True)
