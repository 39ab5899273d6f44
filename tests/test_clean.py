"""Cleaning rules on hand-written texts with known answers."""

from __future__ import annotations

import pytest

from newsdesk.clean import CleanOptions, RepeatedLinesStep, clean_article
from newsdesk.clean.rules import canonical_agency, clean_text, parse_lone_date
from newsdesk.model import Article

FURNISHED = """March 3, 2025
3 mins read

Valmora and Kestria sign grain accord

The two governments signed a grain accord on Monday, reports Northwind Daily

Valmora, March 3 (PNA) Foreign Minister Anatoly Drevin signed the accord in the capital.

https://twitter.com/valmora_mfa/status/123456789

Officials said the deal covers forty thousand tonnes of wheat a year.

Also read:Kestria opens new port in the south

Anatoly Drevin(Twitter)

"This is a good day for both peoples," Drevin said after the ceremony.

Previous Story

Kestria opens new port in the south

Next Story

Ten gadgets for your home office

Latest from -World

Storm hits coast

Heavy rain fell across the coast on Sunday as the storm moved
Go toTop

Don't Miss

Markets rally on rate hopes
"""


def test_furniture_removed_body_kept() -> None:
    c = clean_text(FURNISHED)
    body = "\n".join(c.paragraphs)
    assert c.published == "2025-03-03"
    assert c.title == "Valmora and Kestria sign grain accord"
    assert c.paragraphs[-1] == '"This is a good day for both peoples," Drevin said after the ceremony.'
    for junk in ("mins read", "twitter.com", "Also read", "(Twitter)", "Previous Story",
                 "Storm hits coast", "Go toTop", "Markets rally", "Ten gadgets"):
        assert junk not in body, junk
    assert "forty thousand tonnes of wheat" in body
    assert c.dateline == "Valmora"
    assert c.credits == ["PNA"]
    assert c.self_credit == "Northwind Daily"


def test_signoffs_go_to_credits() -> None:
    text = (" date 2025-03-04 Kestria, March 4 (PNA) The talks ended early.\n\n"
            "Both sides agreed to meet again in May.\n\n--PNA\n\nrkm/")
    c = clean_text(text)
    assert c.published == "2025-03-04"
    assert c.paragraphs == ["Kestria, March 4 (PNA) The talks ended early.",
                            "Both sides agreed to meet again in May."]
    assert c.credits == ["PNA"]
    assert c.dateline == "Kestria"


def test_trailing_agency_credit_lifted_from_last_paragraph() -> None:
    c = clean_text("KESTRIA: The minister arrived.\n\nHe met the mayor later. (Agency)")
    assert c.paragraphs[-1] == "He met the mayor later."
    assert c.credits == ["Agency"]
    assert c.dateline == "Kestria"


def test_news_agency_credit_canonicalised() -> None:
    c = clean_text("The minister arrived on Tuesday, reports Xinhua news agency.\n\nMore text.")
    assert c.credits == ["Xinhua"]
    assert canonical_agency("Associated Press") == "AP"


def test_tail_marker_early_in_text_does_not_truncate_body() -> None:
    text = "Trending\n\nFirst real paragraph here.\n\nSecond real paragraph.\n\nThird one."
    c = clean_text(text)
    assert c.paragraphs == ["First real paragraph here.", "Second real paragraph.", "Third one."]


def test_lone_date_formats() -> None:
    assert parse_lone_date("April 8, 2021") == "2021-04-08"
    assert parse_lone_date("8 April 2021") == "2021-04-08"
    assert parse_lone_date("Thursday, April 8, 2021") == "2021-04-08"
    assert parse_lone_date("The talks of April 8, 2021 went well") is None


def test_clean_article_sets_id_from_clean_body() -> None:
    a = Article(key="k", text=FURNISHED, fmt="txt")
    b = clean_article(a)
    assert b.id != a.id
    assert b.raw == "" and b.key == "k"
    assert b.source == "Northwind Daily"
    assert b.text.startswith("The two governments signed")
    # Paragraph offsets index the cleaned text.
    assert b.paragraph_texts()[0] == b.text[: b.paragraphs[0].end]


def test_rules_can_be_switched_off() -> None:
    b = clean_article(Article(key="k", text=FURNISHED), CleanOptions(drop_furniture=False))
    assert "Previous Story" in b.text


def test_repeated_lines_of_one_source_removed() -> None:
    arts = [
        Article(key=f"a{i}", source="herald.example",
                text=f"Story number {i} opens with its own news about item {i}.\n\n"
                     "Subscribe to the Herald newsletter\n\n"
                     f"It closes with detail {i * 7} that only it has.")
        for i in range(5)
    ]
    other = Article(key="o", source="other.example",
                    text="Subscribe to the Herald newsletter\n\nA body sentence here.")
    out = RepeatedLinesStep().process_chunk([*arts, other])
    for a in out[:5]:
        assert "Subscribe" not in a.text
        assert a.text.startswith("Story number")
    assert "Subscribe" in out[5].text  # other source: no evidence there


def test_repeated_lines_ignores_identical_republished_bodies() -> None:
    same = "A wire story sentence.\n\nShort repeated line\n\nAnother wire sentence."
    arts = [Article(key=f"c{i}", source="s.example", text=same) for i in range(4)]
    out = RepeatedLinesStep().process_chunk(arts)
    assert all("Short repeated line" in a.text for a in out)


def test_dateline_year_comes_from_the_text_never_the_clock() -> None:
    """'Lirov, June 2 (PNA)' takes the year the report mentions most, whatever today is."""
    from newsdesk.clean import clean_article
    from newsdesk.model import Article

    text = ("Lirov, June 2 (PNA) The harbour board met on Monday to review its 2019 "
            "accounts.\n\nCargo rose in 2019, the board said, the best year since a new quay "
            "opened in 2013.\n\nThe 2019 figures were the best on record.")
    a = clean_article(Article(key="lirov", text=text))
    assert a.published == "2019-06-02"


# One paragraph a line, as many text dumps and feeds write articles.
LINES = (
    "Ferry talks resume in Port Camina\n"
    "Kestria and Valmora reopened talks on the ferry link across the strait on Tuesday, "
    "three years after the last boat sailed.\n"
    "“We want the boats running by spring,” said Minister Ilse Varga.\n"
    "PUBLISHED: TUESDAY, MARCH 4, 2025, 9: 10 AM\n"
    "The link carried 40,000 passengers a year before it closed.\n"
    "Both sides will meet again in April.\n"
)


def test_blank_line_elsewhere_keeps_one_paragraph_a_line() -> None:
    """A wire copy that adds a sign-off after a blank line must keep the original's
    paragraphs: before, the blank line turned the whole body into one paragraph, so no
    passage of the copy matched the original's."""
    from newsdesk.model import passage_key

    orig = clean_article(Article(key="o", text=LINES))
    copy = clean_article(Article(key="c", text=LINES + "\n\nReporting by Ana Holm\n\n--AFP"))
    assert len(orig.paragraphs) == 5
    keys = [passage_key(t) for t in orig.paragraph_texts()]
    assert [passage_key(t) for t in copy.paragraph_texts()][:5] == keys
    assert copy.title == orig.title == "Ferry talks resume in Port Camina"


def test_line_broken_mid_sentence_stays_joined() -> None:
    c = clean_text("The minister said the talks\nwould resume on Friday in the port.\n\n"
                   "A second paragraph follows here.\nAnd a third one.")
    assert c.paragraphs == ["The minister said the talks would resume on Friday in the port.",
                            "A second paragraph follows here.", "And a third one."]


def test_hard_wrapped_blocks_stay_whole() -> None:
    """Text wrapped at a fixed column with blank lines between paragraphs: a block's
    lines are one paragraph even where a wrapped line ends a sentence."""
    para1 = ("The port authority of Saldena said on Monday that the new ferry terminal\n"
             "would open in May. Officials expect forty thousand passengers in the first\n"
             "year of service, and the regional council has set aside money for buses.")
    para2 = ("Critics in the council said the money should go to the old rail line\n"
             "instead. The mayor rejected that. A vote on the budget is due in April\n"
             "after a public hearing in the town hall on the harbour front.")
    c = clean_text(para1 + "\n\n" + para2)
    assert c.paragraphs == [" ".join(para1.split("\n")), " ".join(para2.split("\n"))]


def test_an_updated_stamp_above_the_headline_is_no_title() -> None:
    """ "updated 8:41 p.m. EST, Tue March 3, 2031" above the headline: the headline is the
    title and the stamp stays in the text (its date tells events apart)."""
    c = clean_text("updated 8:41 p.m. EST, Tue March 3, 2031\n\n"
                   "Valmora lifts the ban on night fishing\n\n"
                   "The Valmoran government on Tuesday lifted a ban on night fishing.\n\n"
                   "Fishing crews welcomed the decision.")
    assert c.title == "Valmora lifts the ban on night fishing"
    assert c.paragraphs[0].startswith("updated 8:41 p.m.")
    # nor is a bare date and time; the headline under it is the title
    c = clean_text("May 2, 2031, 1: 12 PM\n\nLawyer: the singer checks into a clinic\n\n"
                   "The singer checked into a clinic on Thursday.\n\nHer lawyer confirmed it.")
    assert c.title == "Lawyer: the singer checks into a clinic"
    assert c.paragraphs[0] == "May 2, 2031, 1: 12 PM"
    # a stamp alone above the body is not taken for the title either
    c = clean_text("Updated 14 March 2031 10:02\n\nThe river rose on Monday.\n\n"
                   "Crews worked through the night.\n\nSchools stayed shut.")
    assert c.title is None


@pytest.mark.parametrize(("line", "stamp"), [
    ("May 2, 2031, 1: 12 PM", True),
    ("Thursday 14 March 2031 | 08:10 GMT", True),
    ("March 4 at 10:00 a.m. ET", True),
    ("4 August 2031 Last updated at 19: 47 GMT", True),
    ("Posted on 12 June 2031", True),
    ("Mayor backs 2031 budget", False),
    ("Lawyer: the singer checks into a clinic", False),
    ("May the talks go on", False),
])
def test_date_time_line(line: str, stamp: bool) -> None:
    from newsdesk.text_patterns import DATE_TIME_LINE

    assert bool(DATE_TIME_LINE.match(line)) is stamp


@pytest.mark.parametrize(("text", "head"), [
    ("WASILLA, Alaska - A fire damaged the church on Friday night.", "WASILLA, Alaska - "),
    ("TESSEL, Norland (PNA) _ The port reopened on Monday after the storm.",
     "TESSEL, Norland (PNA) _ "),
    ("ISLAMABAD \u2013 The two ministers met on Tuesday to sign the accord.", "ISLAMABAD \u2013 "),
    ("Tessel, Norland - a town of fishermen, woke to the storm.", ""),
])
def test_dateline_head_with_a_region(text: str, head: str) -> None:
    from newsdesk.text_patterns import dateline_end

    assert text[:dateline_end(text, 0, len(text))] == head
