"""Cross-check: claims aligned across hand-built articles, origins, conflicts, invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.crosscheck import CrosscheckOptions, build_claims, find_conflicts
from newsdesk.crosscheck.claims import ClaimSentence, align, count_origins
from newsdesk.extract.step import annotate
from newsdesk.model import Article

# Four fictional reports of one event (written for this test): a wire (w1), a copy of it
# (w2), and two independent accounts (x, y). The drills line is paraphrased by x; only y
# mentions the plaque; the wire and y disagree on the loan.
W1 = ("The two governors agreed to hold more joint flood-rescue drills along the Sarn river "
      "next autumn, officials said.\n\n"
      "Halvard will lend Ostrin $300 million for the Tesk rail bridge scheme, the provincial "
      "treasury said.\n\n"
      "The meeting lasted three hours and ended with a joint statement on water sharing.")
W2 = W1 + "\n\nRead more: other stories from the valley."
X = ("Both provinces agreed to carry out further flood-rescue drills and exercises along "
     "the Sarn river, the visiting governor said.\n\n"
     "The governors went over a fresh timetable for the Tesk rail bridge scheme and expect "
     "work on the piers to begin shortly.")
Y = ("The visiting governor unveiled a bronze plaque at the door of the provincial hall "
     "before the meeting began in the morning.\n\n"
     "Officials put the value of the loan for the bridge at $350 million over ten years, "
     "the provincial treasury said.")


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
    drills = next(c for c in claims if "drills" in c.text)
    assert set(drills.articles) == {"w1", "w2", "x"}
    assert drills.origins == 2 and drills.status == "corroborated"
    plaque = next(c for t, c in by_text.items() if "plaque" in t)
    assert plaque.articles == ["y"] and plaque.status == "single-source"
    water = next(c for c in claims if "water sharing" in c.text)
    assert set(water.articles) == {"w1", "w2"} and water.origins == 1
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


def test_a_sum_converted_in_brackets_is_no_conflict() -> None:
    """ "$US1 million ($1.52 million)": the bracketed sum is the same amount in another
    currency, not a second figure disagreeing with "$1 million" elsewhere."""
    a = Article(key="p", text="Damage to the church was estimated at $US1 million ($1.52 "
                              "million), authorities said.", published="2025-05-06")
    b = Article(key="q", text="The fire caused an estimated $1 million in damage to the "
                              "church, authorities said.", published="2025-05-06")
    annotate([a, b])
    claims = build_claims([a, b], {"p": "P", "q": "Q"})
    assert find_conflicts(claims) == []
    c = Article(key="r", text="The fire caused an estimated $2 million in damage to the "
                              "church, authorities said.", published="2025-05-06")
    annotate([c])
    claims = build_claims([a, b, c], {"p": "P", "q": "Q", "r": "R"})
    (conflict,) = find_conflicts(claims)  # a real disagreement is still found
    assert {v.value for v in conflict.values} == {1e6, 2e6}


@pytest.mark.parametrize(("x", "y"), [
    ("The Saints have won their last two games at home.",
     "Thomas has started four games for the Saints this season."),
    ("The Colts have won nine games in a row.",
     "Manning has thrown for 10 touchdowns in the last eight games."),
    ("He scored five touchdowns last season.", "The rookie added six touchdowns in relief."),
    ("The Harbour side kicked off at 7:30 p.m. in light rain.",
     "The game began at 8 p.m. after a delay."),
])
def test_counts_of_a_plain_unit_in_different_claims_are_no_conflict(x: str, y: str) -> None:
    """A match report counts many different things in one unit ("two games", "nine games",
    "five touchdowns"): two such counts in different claims are no dispute unless what they
    count says more than the unit; clock times never are (ECB+ dev: 60 of 78 flagged
    disputes were of this kind)."""
    a = Article(key="p", text=x, published="2025-05-06")
    b = Article(key="q", text=y, published="2025-05-06")
    annotate([a, b])
    assert find_conflicts(build_claims([a, b], {"p": "P", "q": "Q"})) == []


def _sent(article: str, account: str, start: int, text: str, feats: set[str]) -> ClaimSentence:
    return ClaimSentence(article, account, start, start + len(text), text, 0,
                         frozenset(feats), frozenset())


def test_verbatim_reuse_is_one_origin_quotes_are_not() -> None:
    base = "The governor repeated her pledge to finish the planning inquiry for the harbour wall"
    a = _sent("a", "A", 0, base + ".", {"governor"})
    b = _sent("b", "B", 0, "Officials said the governor repeated her pledge to finish the "
                           "planning inquiry for the harbour wall.", {"governor"})
    assert count_origins([a, b], CrosscheckOptions()) == 1
    q1 = _sent("c", "C", 0, '"We will finish the planning inquiry for the harbour wall soon," '
                            "he said.", {"x"})
    q2 = _sent("d", "D", 0, '"We will finish the planning inquiry for the harbour wall soon," '
                            "the engineer told reporters.", {"x"})
    assert count_origins([q1, q2], CrosscheckOptions()) == 2


_POOL = [
    ("a", "A", {"rescue", "drill", "sarn", "autumn", "rescue_drill"}),
    ("b", "B", {"rescue", "drill", "exercise", "sarn", "rescue_drill"}),
    ("c", "C", {"bridge", "rail", "tesk", "loan", "rail_bridge"}),
    ("d", "D", {"bridge", "rail", "tesk", "timetable", "rail_bridge"}),
    ("a", "A", {"water", "statement", "joint"}),
    ("e", "E", {"plaque", "bronze", "hall"}),
    ("b", "B", {"water", "statement", "meeting"}),
    ("f", "F", {"weather", "rain", "storm"}),
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
    a = _sent("a", "A", 0, "\u201cThere is a fresh spirit and a new willingness in the valley "
                           "to work with the towns on the coast.", {"x"})
    b = _sent("b", "B", 0, "She told the assembly a fresh spirit and a new willingness in the "
                           "valley to work with the towns on the coast had grown.", {"x"})
    assert count_origins([a, b], CrosscheckOptions()) == 2


def test_unquoted_text_of_cut_quotations() -> None:
    from newsdesk.crosscheck.claims import _unquoted

    assert _unquoted('He said "we will build it" on Monday.').split() == \
        ["He", "said", "|", "on", "Monday."]
    assert _unquoted('"We will build the new port quickly.').strip() == ""
    assert _unquoted('the port is ready," he added.').strip() == "he added."
    assert _unquoted("\u201cWe are ready.").strip() == ""


def test_a_quotation_in_single_quotes_or_guillemets_stays_open_across_sentences() -> None:
    from newsdesk.crosscheck.claims import _open_quote

    assert _open_quote("\u2018The quay is the real prize.")
    assert not _open_quote("\u2018The quay is the real prize. It pays off,\u2019 said Ines.")
    assert not _open_quote("Lirov\u2019s harbour grew.")  # an apostrophe closes nothing
    assert _open_quote("\u00abWe came to Lirov.") and not _open_quote("\u00abWe came,\u00bb he said.")


def test_counts_of_a_plain_unit_in_one_claim_need_more_than_the_unit() -> None:
    """Two reports of one match line up sentence by sentence, but "scored 23 points" and
    "added 13 points" in one aligned claim are two players' counts, not a dispute."""
    a = Article(key="p", text="Halvorsen scored 23 points as the Harbour side beat Lirov.",
                published="2025-05-06")
    b = Article(key="q", text="Brandt added 13 points as the Harbour side beat Lirov.",
                published="2025-05-06")
    annotate([a, b])
    assert find_conflicts(build_claims([a, b], {"p": "P", "q": "Q"})) == []


def test_a_quotation_over_lines_written_one_sentence_a_line_is_one_claim() -> None:
    """Text written one sentence a line makes each line a paragraph: a quotation left open
    at a line's end goes on in the next line when that line does not reopen it, and the
    claim holds all of it. A paragraph that reopens the quotation with its own mark (a long
    quotation printed over paragraphs) stands as a claim of its own."""
    from newsdesk.crosscheck.claims import sentence_candidates
    from newsdesk.nlp import parse_article

    text = ("The harbour master spoke to reporters on Friday evening.\n"
            "\u201cIt is too early to say what caused the fire.\n"
            "Everything we hear now is speculation,\u201d Ines Varga said.\n"
            "The pier reopened on Saturday morning after the inspection.\n"
            "\u201cWe rebuilt the north quay in two years.\n"
            "\u201cNow we will rebuild the south one,\u201d she said.")
    art = Article(key="q", text=text, published="2025-05-06")
    annotate([art])
    claims = [c.text for c in sentence_candidates(art, parse_article(art), "Q",
                                                  CrosscheckOptions(min_words=3))]
    assert ("\u201cIt is too early to say what caused the fire.\nEverything we hear now is "
            "speculation,\u201d Ines Varga said.") in claims
    assert "The pier reopened on Saturday morning after the inspection." in claims
    assert "\u201cWe rebuilt the north quay in two years." in claims
    assert "\u201cNow we will rebuild the south one,\u201d she said." in claims


def test_a_claim_whose_figure_the_dispute_leaves_out_is_not_conflicting() -> None:
    """Two reports disagree on today's toll (24 / 31 killed); a sentence recalling an old
    disaster ("killed 230,000 people") measures deaths too, but its figure is no part of
    the dispute, so its claim is not marked conflicting."""
    a = Article(key="p", published="2025-07-02", text=(
        "At least 24 people were killed when the quake struck the mountain district on "
        "Tuesday.\n\nIn 2004 a tsunami off the same coast killed 230,000 people."))
    b = Article(key="q", published="2025-07-02", text=(
        "The quake killed 31 people in the mountain district on Tuesday, officials said."))
    annotate([a, b])
    claims = build_claims([a, b], {"p": "P", "q": "Q"})
    conflicts = find_conflicts(claims)
    assert len(conflicts) == 1
    assert {v.value for v in conflicts[0].values} == {24, 31}
    old = next(c for c in claims if "tsunami" in c.text)
    assert old.status != "conflicting" and old.conflict is None
    assert any(c.status == "conflicting" for c in claims if "24 people" in c.text)
