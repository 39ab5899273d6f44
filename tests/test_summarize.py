"""Extractive summary and hard-wrapped text, on hand-written fictional articles."""

from __future__ import annotations

import pytest

from newsdesk.brief.summarize import SummaryOptions, SummarySentence, summarize_articles
from newsdesk.clean import clean_article
from newsdesk.clean.unwrap import is_hard_wrapped, tex_quotes, unwrap_paragraphs
from newsdesk.model import Article

# Four independent reports of one fictional flood. The evacuation is told by three of them
# (in their own words); the bakery and the choir are told by one each.
FLOOD = {
    "r1": (
        "Floodwaters from the Tessel River forced four thousand residents of Varnholt to "
        "leave their homes on Tuesday. The river rose three metres above its usual level "
        "after a week of heavy rain in the northern hills. A local bakery owner named Idris "
        "Malvane donated two hundred loaves of bread to the shelter volunteers."
    ),
    "r2": (
        "Four thousand residents of Varnholt were forced to leave their homes as floodwaters "
        "from the Tessel River spread through the lower town. Emergency crews opened three "
        "shelters in school buildings on the hill. The river rose three metres above its "
        "usual level, the regional water board said."
    ),
    "r3": (
        "Emergency crews in Varnholt opened three shelters after floodwaters from the Tessel "
        "River forced four thousand residents to leave their homes. The town choir cancelled "
        "its spring concert and offered the rehearsal hall to families with small children."
    ),
    "r4": (
        "The regional water board warned that the Tessel River could rise again by the end of "
        "the week. Farmers downstream moved their cattle to higher pastures as a precaution."
    ),
}


def _articles(texts: dict[str, str], dates: dict[str, str] | None = None) -> list[Article]:
    return [Article(key=k, text=t, published=(dates or {}).get(k)) for k, t in texts.items()]


def _words(sentences: list[SummarySentence]) -> int:
    return sum(len(s.text.split()) for s in sentences)


def _check_spans(arts: list[Article], out: list[SummarySentence]) -> None:
    by_key = {a.key: a for a in arts}
    for s in out:
        assert s.text == by_key[s.article].text[s.start:s.end]
        assert s.text.strip() == s.text and s.text


def test_empty_input_gives_nothing() -> None:
    assert summarize_articles([]) == []
    assert summarize_articles([Article(key="blank", text="   ")]) == []
    assert summarize_articles(_articles(FLOOD), SummaryOptions(words=0)) == []


def test_fact_of_three_sources_chosen_over_single_source_facts() -> None:
    arts = _articles(FLOOD)
    out = summarize_articles(arts, SummaryOptions(words=20))
    _check_spans(arts, out)
    text = " ".join(s.text for s in out)
    assert "four thousand residents" in text.lower()
    assert "Malvane" not in text and "choir" not in text


def test_every_sentence_is_an_exact_citable_slice() -> None:
    arts = _articles(FLOOD)
    for words in (15, 30, 60, 200):
        out = summarize_articles(arts, SummaryOptions(words=words))
        assert out
        _check_spans(arts, out)


@pytest.mark.parametrize("words", [12, 25, 40, 70])
def test_word_budget_respected(words: int) -> None:
    out = summarize_articles(_articles(FLOOD), SummaryOptions(words=words))
    assert 0 < _words(out) <= words


@pytest.mark.parametrize("solver", ["ilp", "greedy"])
def test_solvers_keep_the_contract(solver: str) -> None:
    arts = _articles(FLOOD)
    out = summarize_articles(arts, SummaryOptions(words=45, solver=solver))
    _check_spans(arts, out)
    assert 0 < _words(out) <= 45
    assert len({(s.article, s.start) for s in out}) == len(out)


# Two independent accounts of a harbour closure; three copies of one lighthouse story.
_LIGHTHOUSE = ("Engineers began repairing the old Orlen lighthouse beacon on Monday morning. "
               "The repair will take about a month.")
HARBOUR_AND_LIGHTHOUSE = {
    "a": "The port authority closed the Orlen harbour to cargo ships until further notice. "
         "Dock workers were sent home for the day.",
    "b": "Cargo ships were turned away after the port authority closed the Orlen harbour "
         "until further notice. Fishing boats may still use the inner basin.",
    "c1": _LIGHTHOUSE, "c2": _LIGHTHOUSE, "c3": _LIGHTHOUSE,
}


def test_copies_in_one_group_weigh_once() -> None:
    # Two independent accounts state the harbour closure; three copies of one story state
    # the lighthouse repair. Counted per article the copies win; per account they do not.
    texts = dict(HARBOUR_AND_LIGHTHOUSE)
    arts = _articles(texts)
    opts = SummaryOptions(words=16, min_accounts=2)
    plain = " ".join(s.text for s in summarize_articles(arts, opts))
    assert "lighthouse" in plain
    groups = {"c1": "c", "c2": "c", "c3": "c"}
    grouped = " ".join(s.text for s in summarize_articles(arts, opts, groups))
    assert "harbour" in grouped and "lighthouse" not in grouped


def test_identical_sentences_are_chosen_once() -> None:
    texts = {k: FLOOD["r1"] for k in ("x1", "x2", "x3")}
    out = summarize_articles(_articles(texts), SummaryOptions(words=200))
    assert len({s.text for s in out}) == len(out)


def test_reading_order_follows_dates_then_place_in_article() -> None:
    # Given newest first; the summary reads oldest first.
    dates = {"r1": "2024-03-08", "r2": "2024-03-07", "r3": "2024-03-06", "r4": "2024-03-05"}
    arts = list(reversed(_articles(FLOOD, dates)))
    arts = [arts[2], arts[0], arts[3], arts[1]]
    out = summarize_articles(arts, SummaryOptions(words=120))
    assert len(out) >= 3
    keys = [(dates[s.article], s.start) for s in out]
    assert keys == sorted(keys)


def test_quotations_and_back_references_are_not_candidates() -> None:
    texts = {
        "q1": "\u201cWe have never seen the Tessel River this high,\u201d the mayor of Varnholt "
              "told reporters at the town hall. The Tessel River flooded the lower town of "
              "Varnholt on Tuesday evening.",
        "q2": "He said the Tessel River flooded the lower town of Varnholt on Tuesday evening "
              "again. The Tessel River flooded the lower town of Varnholt on Tuesday evening.",
        "q3": "The Tessel River flooded the lower town of Varnholt on Tuesday evening, "
              "officials said.",
    }
    arts = _articles(texts)
    out = summarize_articles(arts, SummaryOptions(words=200, min_accounts=2))
    _check_spans(arts, out)
    joined = " ".join(s.text for s in out)
    assert "\u201c" not in joined and not joined.startswith("He ")


def test_sentences_adding_to_an_unseen_one_are_not_candidates() -> None:
    # "X also did Y" (and "X also did Y, the statement said") points back at a sentence the
    # summary's reader has not seen; the same fact said plainly is chosen instead.
    texts = {
        "a1": "The harbour council will also close the Orlen ferry pier for three weeks of "
              "repairs to its wooden deck.",
        "a2": "The council will also close the Orlen ferry pier for three weeks of repairs to "
              "its wooden deck, the statement said.",
        "a3": "The Orlen ferry pier will close for three weeks of repairs to its wooden deck, "
              "the harbour council said on Monday.",
    }
    arts = _articles(texts)
    out = summarize_articles(arts, SummaryOptions(words=200, min_accounts=2))
    _check_spans(arts, out)
    assert out and all(" also " not in s.text for s in out)
    assert any(s.article == "a3" for s in out)


def test_reporting_frame_can_be_dropped() -> None:
    # "..., officials said." may be cut to the news before the comma (still one exact span).
    texts = {
        k: "The regional council approved a new flood barrier for the Tessel River on "
           "Thursday, council officials said."
        for k in ("p1", "p2", "p3")
    }
    arts = _articles(texts)
    out = summarize_articles(arts, SummaryOptions(words=14))
    _check_spans(arts, out)
    assert out and out[0].text.startswith("The regional council approved a new flood barrier")


def test_within_a_day_openings_come_before_details() -> None:
    # Same date: the lead sentence of one report goes before a detail from the report
    # given first.
    texts = {
        "d1": "The regional water board published its annual report on river levels. "
              "Floodwaters forced four thousand residents of Varnholt to leave their homes.",
        "d2": "Emergency crews opened three shelters after floodwaters forced four thousand "
              "residents of Varnholt to leave their homes. The water board published its "
              "annual report on river levels.",
        "d3": "The annual report on river levels was published by the regional water board. "
              "Floodwaters from the Tessel forced residents of Varnholt to leave their homes.",
    }
    dates = dict.fromkeys(texts, "2024-03-05")
    arts = _articles(texts, dates)
    out = summarize_articles(arts, SummaryOptions(words=200, min_accounts=2))
    positions = []
    for s in out:
        text = texts[s.article]
        positions.append(0 if s.start == 0 else 1)
        assert s.text == text[s.start:s.end]
    assert len(out) >= 2 and positions == sorted(positions)


def test_counting_by_documents_lets_copies_outvote_accounts() -> None:
    # count_by="documents" (Gillick & Favre's document frequency) counts every copy; the
    # default counts accounts; "versions" counts articles but a sentence copied word for
    # word within one account once.
    texts = dict(HARBOUR_AND_LIGHTHOUSE)
    arts = _articles(texts)
    groups = {"c1": "c", "c2": "c", "c3": "c"}

    def text(count_by: str) -> str:
        opts = SummaryOptions(words=16, min_accounts=2, count_by=count_by)
        return " ".join(s.text for s in summarize_articles(arts, opts, groups))

    assert "lighthouse" in text("documents")
    assert "harbour" in text("accounts") and "lighthouse" not in text("accounts")
    assert "harbour" in text("versions") and "lighthouse" not in text("versions")


# --- hard-wrapped text -------------------------------------------------------------------

# Wrapped as old wire copy is: a trailing space on each line, no blank lines.
WRAPPED = "\n" + " \n".join([
    'The harbour master of Orlen said on Friday that the northern breakwater',
    'would be closed to small boats for at least three weeks while divers',
    'inspect the damage left by the winter storms. Fishermen have asked the',
    'council for a temporary mooring in the old canal, which has not been',
    'used for cargo since the railway reached the town. ``We cannot wait',
    "three weeks,'' one of them said. The council will meet on Monday to",
    'discuss the request and the cost of dredging the canal entrance.',
    '',
])

WRAPPED_PARAS = """The harbour master of Orlen said on Friday that the northern breakwater
would be closed to small boats for at least three weeks while divers
inspect the damage left by the winter storms.
Fishermen have asked the council for a temporary mooring in the old
canal, which has not been used for cargo since the railway reached
the town and the quay was turned into a market square.
   The council will meet on Monday to discuss the request and the cost
of dredging the canal entrance, the harbour master said in a short
statement published by the town hall on its notice board.
"""


def test_hard_wrapped_text_becomes_one_paragraph() -> None:
    a = clean_article(Article(key="w", text=WRAPPED, fmt="txt"))
    assert len(a.paragraphs) == 1
    assert a.title is None
    assert a.text.startswith("The harbour master of Orlen said on Friday that the northern "
                             "breakwater would be closed")
    assert "\n" not in a.text and "  " not in a.text
    assert a.text[a.paragraphs[0].start:a.paragraphs[0].end] == a.text


def test_hard_wrapped_paragraph_ends_short_lines_and_indents() -> None:
    paras = unwrap_paragraphs(WRAPPED_PARAS)
    assert paras is not None and len(paras) == 3
    a = clean_article(Article(key="w", text=WRAPPED_PARAS, fmt="txt"))
    assert len(a.paragraphs) == 3
    texts = a.paragraph_texts()
    assert texts[0].endswith("winter storms.")
    assert texts[1].startswith("Fishermen") and texts[1].endswith("market square.")
    assert texts[2].startswith("The council will meet")
    for p in a.paragraphs:
        assert a.text[p.start:p.end] == a.text[p.start:p.end].strip()


def test_one_paragraph_a_line_is_not_hard_wrapped() -> None:
    lines = [
        "The harbour master of Orlen said on Friday that the northern breakwater would be "
        "closed to small boats for at least three weeks while divers inspect the damage.",
        "Fishermen have asked the council for a temporary mooring in the old canal, which has "
        "not been used for cargo since the railway reached the town.",
        "The council will meet on Monday to discuss the request and the cost of dredging.",
        "A decision is expected before the end of the month, officials said.",
    ]
    text = "\n".join(lines)
    assert unwrap_paragraphs(text) is None
    a = clean_article(Article(key="l", text=text, fmt="txt"))
    assert len(a.paragraphs) == 4


def test_list_of_short_lines_is_not_hard_wrapped() -> None:
    short = ["Storm warning for the coast.", "Schools closed on Monday.",
             "Ferries cancelled until noon.", "Roads to the harbour are shut."]
    assert not is_hard_wrapped(short)
    assert unwrap_paragraphs("\n".join(short)) is None


def test_tex_quotes_become_typographic() -> None:
    assert tex_quotes("He said ``no'' twice.") == "He said \u201cno\u201d twice."
    assert tex_quotes("A 12'' pipe burst.") == "A 12'' pipe burst."
    a = clean_article(Article(key="w", text=WRAPPED, fmt="txt"))
    assert "\u201cWe cannot wait three weeks,\u201d one of them said." in a.text
    assert "``" not in a.text and "''" not in a.text


def test_dateline_is_not_part_of_a_summary_sentence() -> None:
    from newsdesk.clean.dateline import DATELINE_HEAD as _DATELINE

    for head, rest in (("ISLAMABAD – ", "Reiterating the importance of ties"),
                       ("Saldena, March 4 (PNA) ", "Visiting Kestrian Foreign Minister"),
                       ("WASHINGTON (AP) — ", "The president said")):
        m = _DATELINE.match(head + rest)
        assert m is not None and (head + rest)[m.end():] == rest
    for plain in ("US President Biden said on Monday", "Lavrov arrived in Pakistan"):
        assert _DATELINE.match(plain) is None
