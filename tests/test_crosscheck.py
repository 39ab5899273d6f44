"""Cross-check: claims aligned across hand-built articles, origins, conflicts, invariants."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.crosscheck import CrosscheckOptions, build_claims, find_conflicts
from newsdesk.crosscheck.claims import ClaimSentence, align, count_origins
from newsdesk.extract.step import annotate
from newsdesk.model import Article

# Four fictional reports of one event: a wire (w1), a copy of it (w2), and two
# independent accounts (x, y). The pipeline line is paraphrased by x; only y mentions
# the tree planting; the wire and y disagree on the loan.
W1 = ("The two ministers agreed to conduct more joint naval exercises in the Orrin Sea "
      "next spring, officials said.\n\n"
      "Tarsia will lend Velmark $300 million for the Kessel gas pipeline project, the "
      "finance ministry said.\n\n"
      "The talks lasted four hours and ended with a joint statement on fisheries.")
W2 = W1 + "\n\nRead more: other stories from the region."
X = ("Both sides agreed to further conduct naval exercises and drills in the Orrin Sea, "
     "the visiting minister said.\n\n"
     "The ministers discussed a new protocol on the Kessel gas pipeline project and "
     "expect construction to start soon.")
Y = ("The visiting minister planted an oak sapling in the garden of the ministry before "
     "the talks began in the morning.\n\n"
     "Officials put the value of the loan for the pipeline at $350 million over ten years, "
     "the finance ministry said.")


def _articles() -> list[Article]:
    arts = [Article(key=k, text=t, published="2025-05-06", source=s)
            for k, t, s in (("w1", W1, "Wire"), ("w2", W2, "Copy Daily"),
                            ("x", X, "X Times"), ("y", Y, "Y Post"))]
    annotate(arts)
    return arts


ACCOUNTS = {"w1": "A", "w2": "A", "x": "B", "y": "C"}


def test_paraphrases_align_and_copies_count_once() -> None:
    claims = build_claims(_articles(), ACCOUNTS)
    by_text = {c.text: c for c in claims}
    drills = next(c for c in claims if "exercises" in c.text)
    assert set(drills.articles) == {"w1", "w2", "x"}
    assert drills.origins == 2 and drills.status == "corroborated"
    sapling = next(c for t, c in by_text.items() if "sapling" in t)
    assert sapling.articles == ["y"] and sapling.status == "single-source"
    fisheries = next(c for c in claims if "fisheries" in c.text)
    assert set(fisheries.articles) == {"w1", "w2"} and fisheries.origins == 1
    for c in claims:
        for k, s, e in c.cites:
            text = {"w1": W1, "w2": W2, "x": X, "y": Y}[k]
            assert 0 <= s < e <= len(text)
        assert c.text in [s.text for s in c.sentences]


def test_conflicting_loan_values() -> None:
    claims = build_claims(_articles(), ACCOUNTS)
    conflicts = find_conflicts(claims)
    assert len(conflicts) == 1
    values = {v.value: v for v in conflicts[0].values}
    assert set(values) == {300e6, 350e6}
    assert values[300e6].articles == ["w1", "w2"] and values[300e6].origins == 1
    assert values[350e6].articles == ["y"]
    flagged = [c for c in claims if c.status == "conflicting"]
    assert flagged and all(c.conflict is conflicts[0] for c in flagged)


def test_same_value_in_words_and_digits_is_no_conflict() -> None:
    a = Article(key="p", text="Trade rose by thirty eight percent last year, officials said.",
                published="2025-05-06")
    b = Article(key="q", text="Trade between the two rose by 38 percent last year, the "
                              "ministry said.", published="2025-05-06")
    annotate([a, b])
    claims = build_claims([a, b], {"p": "P", "q": "Q"})
    assert find_conflicts(claims) == []
    assert any(set(c.articles) == {"p", "q"} for c in claims)


def _sent(article: str, account: str, start: int, text: str, feats: set[str]) -> ClaimSentence:
    return ClaimSentence(article, account, start, start + len(text), text, 0,
                         frozenset(feats), frozenset())


def test_verbatim_reuse_is_one_origin_quotes_are_not() -> None:
    base = "The premier reaffirmed the resolve to conclude the legal process for the project"
    a = _sent("a", "A", 0, base + ".", {"premier"})
    b = _sent("b", "B", 0, "Officials said the premier reaffirmed the resolve to conclude "
                           "the legal process for the project.", {"premier"})
    assert count_origins([a, b], CrosscheckOptions()) == 1
    q1 = _sent("c", "C", 0, '"We will conclude the legal process for the project soon," '
                            "he said.", {"x"})
    q2 = _sent("d", "D", 0, '"We will conclude the legal process for the project soon," '
                            "the minister told reporters.", {"x"})
    assert count_origins([q1, q2], CrosscheckOptions()) == 2


_POOL = [
    ("a", "A", {"naval", "exercise", "orrin", "spring", "naval_exercise"}),
    ("b", "B", {"naval", "exercise", "drill", "orrin", "naval_exercise"}),
    ("c", "C", {"pipeline", "gas", "kessel", "loan", "gas_pipeline"}),
    ("d", "D", {"pipeline", "gas", "kessel", "protocol", "gas_pipeline"}),
    ("a", "A", {"fishery", "statement", "joint"}),
    ("e", "E", {"sapling", "oak", "garden"}),
    ("b", "B", {"fishery", "statement", "talks"}),
    ("f", "F", {"weather", "rain", "flood"}),
]


def _pool_sentences(order: list[int]) -> list[ClaimSentence]:
    out = []
    for i in order:
        art, acc, feats = _POOL[i]
        words = {f for f in feats if "_" not in f}
        anchors = {f for f in feats if "_" in f}
        out.append(ClaimSentence(art, acc, i * 100, i * 100 + 10, f"s{i}", i,
                                 frozenset(words), frozenset(anchors)))
    return out


def _partition(sentences: list[ClaimSentence]) -> set[frozenset[tuple[str, int]]]:
    return {frozenset((sentences[i].article, sentences[i].start) for i in g)
            for g in align(sentences)}


@settings(max_examples=60, deadline=None)
@given(st.permutations(list(range(len(_POOL)))))
def test_alignment_is_order_independent(order: list[int]) -> None:
    assert _partition(_pool_sentences(order)) == _partition(_pool_sentences(
        list(range(len(_POOL)))))


@settings(max_examples=30, deadline=None)
@given(st.permutations(list(range(len(_POOL)))))
def test_alignment_is_idempotent_and_one_sentence_per_article(order: list[int]) -> None:
    sents = _pool_sentences(order)
    first = _partition(sents)
    assert first == _partition(sents)
    for group in first:
        arts = [a for a, _ in group]
        assert len(arts) == len(set(arts))


def test_sentence_cut_inside_a_quotation_is_not_verbatim_reuse() -> None:
    a = _sent("a", "A", 0, "\u201cThere is a new approach and mindset in the country for a "
                           "relationship with its neighbour.", {"x"})
    b = _sent("b", "B", 0, "He said there is a new approach and mindset in the country for "
                           "a relationship with its neighbour.", {"x"})
    assert count_origins([a, b], CrosscheckOptions()) == 2


def test_unquoted_text_of_cut_quotations() -> None:
    from newsdesk.crosscheck.claims import _unquoted

    assert _unquoted('He said "we will build it" on Monday.').split() == \
        ["He", "said", "|", "on", "Monday."]
    assert _unquoted('"We will build the new port quickly.').strip() == ""
    assert _unquoted('the port is ready," he added.').strip() == "he added."
    assert _unquoted("\u201cWe are ready.").strip() == ""
