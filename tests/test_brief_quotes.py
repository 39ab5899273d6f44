"""The brief's quotes on hand-written (fictional) reports: quotations interrupted by their
cue are listed piece by piece, indirect questions are no statements, and speakers named
by a phrase are shown short."""

from __future__ import annotations

from typing import Any

import pytest

from newsdesk.brief.build import BriefOptions, _quoted_segments, _speaker_phrase, build_brief
from newsdesk.model import Article
from newsdesk.store import Store

FIRE = (
    "TESSEL, Norland - A fire destroyed an empty warehouse on the Tessel waterfront on "
    "Friday night, the fire service said.\n\n"
    "\u201cWe have never seen a blaze move this fast,\u201d fire chief Jon Ekberg said. "
    "\u201cThe roof was gone within ten minutes and we could only protect the houses next "
    "door.\u201d\n\n"
    "Ekberg would not say whether the fire had been set on purpose.\n\n"
    "Ekberg said the building had stood empty for six years and had no power connected.\n\n"
    "Lena Sorvik, a baker whose shop faces the warehouse, said the smoke woke the whole "
    "street before midnight.")


@pytest.fixture(scope="module")
def quotes() -> list[dict[str, Any]]:
    store = Store(":memory:")
    store.add_articles([Article(key="fire", text=FIRE, published="2025-05-02",
                               title="Warehouse fire on the Tessel waterfront")])
    brief = build_brief(store, None, BriefOptions())
    (event,) = brief["events"]
    return event["quotes"]


def test_a_quotation_interrupted_by_its_cue_is_listed_piece_by_piece(
        quotes: list[dict[str, Any]]) -> None:
    texts = [q["text"] for q in quotes if q["direct"]]
    assert any(t.startswith("We have never seen a blaze move this fast") for t in texts)
    assert any(t.startswith("The roof was gone within ten minutes") for t in texts)
    assert not any("said" in t or "Ekberg" in t for t in texts)
    for q in quotes:  # every piece is cited where it stands
        (cite,) = q["cites"]
        assert FIRE[cite["start"]:cite["end"]] == q["text"]
    assert {q["speaker"] for q in quotes if q["direct"]} == {"Jon Ekberg"}


def test_an_indirect_question_is_no_statement(quotes: list[dict[str, Any]]) -> None:
    texts = [q["text"] for q in quotes]
    assert not any("whether" in t or "set on purpose" in t for t in texts)
    assert any(t.startswith("the building had stood empty") for t in texts)


def test_a_speaker_named_by_a_long_phrase_is_shown_short(quotes: list[dict[str, Any]]) -> None:
    q = next(q for q in quotes if "smoke woke" in q["text"])
    assert q["speaker"] == "Lena Sorvik"


def test_the_dateline_is_no_part_of_a_reported_content(quotes: list[dict[str, Any]]) -> None:
    q = next(q for q in quotes if "destroyed an empty warehouse" in q["text"])
    assert q["text"].startswith("A fire destroyed")


@pytest.mark.parametrize(("text", "pieces"), [
    ('"So many variables," he said. "I will not comment."',
     ["So many variables,", "I will not comment."]),
    ("So many variables,\u201d he said.\n\n\u201cI will not comment.\u201d",
     ["So many variables,", "I will not comment."]),
    ("\u201cWe began in May.\n\n\u201cThen the rain came.\u201d",
     ["We began in May.", "Then the rain came."]),
    ("\u201cWe began in May.\nThen the rain came,\u201d she said.",  # one sentence a line
     ["\u201cWe began in May.\nThen the rain came,\u201d she said."]),
    ("It looked bleak,\u201d Arvid said.\n\n''The players hung in there.",
     ["It looked bleak,", "The players hung in there."]),
    ("\u201cShe\u2019s fine, and we\u2019re glad,\u201d",
     ["\u201cShe\u2019s fine, and we\u2019re glad,\u201d"]),
    ('"It is a \'big\' step," Drevin said.', ['"It is a \'big\' step," Drevin said.']),
])
def test_quoted_segments(text: str, pieces: list[str]) -> None:
    assert [text[a:b] for a, b in _quoted_segments(text, 0, len(text))] == pieces


@pytest.mark.parametrize(("phrase", "shown"), [
    ("\u201d Maral, a resident of Tessel who declined to give her surname", "Maral"),
    ("a Western diplomat, who requested anonymity", "a Western diplomat"),
    ("A Norland Justice Ministry spokesman, Gerd Sollen", "Gerd Sollen"),
    ("Alexis Varga Mwamba, one of the rebel leaders", "Alexis Varga Mwamba"),
    ("the Norland Governor", "the Norland Governor"),
    ("officials", "officials"),
    (None, None),
])
def test_speaker_phrase(phrase: str | None, shown: str | None) -> None:
    assert _speaker_phrase(phrase) == shown


def test_a_number_that_says_nothing_of_what_it_counts_is_not_listed() -> None:
    store = Store(":memory:")
    store.add_articles([Article(
        key="blaze", published="2025-05-03", title="Blaze on the Tessel quay",
        text=("As many as 35 came from across the region to fight the blaze on Friday night. "
              "Firefighters rescued 12 fishermen from the burning pier."))])
    (event,) = build_brief(store, None, BriefOptions())["events"]
    rows = {(r["value"], r["unit"]) for r in event["quantities"]}
    assert (12, "fishermen") in rows
    assert not any(v == 35 for v, _ in rows)


def test_an_outlet_reporting_is_not_listed_as_a_speaker() -> None:
    """ "..., the Tessel Daily News reported": an outlet reporting is no party speaking;
    its sentence stays among the claims. A direct quotation of an outlet's editorial stays."""
    store = Store(":memory:")
    store.add_articles([Article(
        key="quay", published="2025-05-04", title="Quay to reopen",
        text=("The harbour quay will reopen in June after the fire, the Tessel Daily News "
              "reported on Sunday.\n\nHarbour master Ines Varga said the repairs would cost "
              "less than planned."))])
    (event,) = build_brief(store, None, BriefOptions())["events"]
    speakers = {q["speaker"] for q in event["quotes"]}
    assert "Tessel Daily News" not in speakers and "Ines Varga" in speakers
    assert any("reopen in June" in c["text"] for c in event["claims"])


@pytest.mark.parametrize(("name", "outlet"), [
    ("Anchorage Daily News", True), ("Associated Press", True), ("TMZ. com", True),
    ("Xinhua news agency", True), ("CNN", True), ("The New York Times", True),
    ("Press secretary Dana Perino", False), ("Post Office workers", False),
    ("Central Election Commission", False),
])
def test_news_outlet_names(name: str, outlet: bool) -> None:
    from newsdesk.text_patterns import NEWS_OUTLET

    assert bool(NEWS_OUTLET.search(name)) is outlet


@pytest.mark.parametrize(("text", "content", "states"), [
    # the parse hung "were" on "said" and left its subject out of the content
    ("The UN said some 14,000 Palestinians displaced from their homes were in emergency "
     "shelters.", "were in emergency shelters", False),
    # a report in a relative clause: "which" is the subject, outside the content
    ("The wheat, which industry sources said would be shipped from Lirov, arrived.",
     "would be shipped from Lirov", True),
    ("Officials said the bridge was closed.", "the bridge was closed", True),
    ("The minister recalled his meeting with the envoy.", "his meeting with the envoy", False),
])
def test_a_reported_content_states_something(text: str, content: str, states: bool) -> None:
    from newsdesk.brief.build import _states_something
    from newsdesk.nlp import parse_article

    a = Article(key="s", text=text)
    i = text.index(content)
    assert _states_something(parse_article(a), i, i + len(content)) is states


def test_a_content_ending_on_because_is_cut_short() -> None:
    from newsdesk.brief.build import _cut_short

    assert _cut_short("he was blindsided by the placement because")
    assert not _cut_short("he was blindsided by the placement")
