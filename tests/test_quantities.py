"""Quantities: value, unit and what is counted, numbers in words included (fictional text)."""

from __future__ import annotations

from typing import Any

import pytest

from newsdesk.extract.quantities import find_quantities
from newsdesk.model import Article


def _q(text: str) -> list[tuple[str, Any, str, str]]:
    a = Article(key="q", text=text)
    out = []
    for s in find_quantities(a):
        assert s.label == "QUANTITY"
        out.append((a.text[s.start:s.end], s.attrs["value"], s.attrs["unit"], s.attrs["about"]))
    return out


def test_numbers_in_words_with_units_and_what_is_counted() -> None:
    text = ("The envoy noted a forty six percent increase in bilateral trade. "
            "She said they had shipped fifty thousand doses of flu vaccine and would ship "
            "one hundred and fifty thousand more.")
    got = _q(text)
    assert ("forty six percent", 46, "percent", "increase in bilateral trade") in got
    assert ("fifty thousand doses", 50000, "doses", "doses of flu vaccine") in got
    # the unit is not repeated: it comes from the earlier count in the sentence
    assert ("one hundred and fifty thousand more", 150000, "doses", "doses of flu vaccine") \
        in got
    a = Article(key="q", text=text)
    spans = find_quantities(a)
    pct = next(s for s in spans if s.attrs["unit"] == "percent")
    assert (pct.start, pct.end) == (text.index("forty"), text.index(" increase"))


def test_money() -> None:
    got = _q("The port deal is worth $2.4 billion, and Rs 5bn more was set aside; "
             "exports reached 300 million dollars and the levy raised \u20ac40m.")
    assert ("$2.4 billion", 2_400_000_000, "USD", "port deal") in got
    values = {(t, v, u) for t, v, u, _ in got}
    assert ("Rs 5bn", 5_000_000_000, "PKR") in values
    assert ("300 million dollars", 300_000_000, "USD") in values
    assert ("\u20ac40m", 40_000_000, "EUR") in values


def test_percentages_and_their_subject() -> None:
    # a sentence-initial common noun is lower-cased in ``about``
    assert _q("Exports rose by 7.5 per cent.") == [("7.5 per cent", 7.5, "percent", "exports")]
    assert _q("Shares in Norland Shipping fell 12% on Monday.") == [
        ("12%", 12, "percent", "shares in Norland Shipping")]


def test_years_durations_and_measures() -> None:
    got = _q("The 46-year-old mayor, in office since 2019, began a two-day visit and "
             "inspected 1,200 tonnes of wheat stored for three years.")
    assert ("46-year-old", 46, "year", "mayor") in got
    assert ("2019", 2019, "year", "") in got
    assert ("two-day", 2, "day", "visit") in got
    assert ("1,200 tonnes", 1200, "tonnes", "wheat") in got
    assert ("three years", 3, "years", "") in got


def test_qualifiers_and_casualties() -> None:
    a = Article(key="q", text="About two hundred fishermen protested and at least 14 dead "
                              "were counted, but the talks were an important one.")
    spans = find_quantities(a)
    first = spans[0]
    assert a.text[first.start:first.end] == "About two hundred fishermen"
    assert first.attrs["value"] == 200 and first.attrs["approximate"] is True
    dead = next(s for s in spans if s.attrs["unit"] == "dead")
    assert dead.attrs["value"] == 14 and dead.attrs["qualifier"] == "at least"
    assert not any(a.text[s.start:s.end] == "one" for s in spans)  # a pronoun, not a number


def test_bare_number_borrows_unit_only_from_a_parallel_count() -> None:
    got = _q("Six people were killed and two remain missing after the floods.")
    # the unit is borrowed; what happened to them is each number's own
    assert ("two", 2, "people", "missing") in got
    assert ("Six people", 6, "people", "killed") in got


@pytest.mark.parametrize(("text", "about"), [
    ("At least 14 people were killed in the blast.", "killed"),
    ("Fifteen people died in the floods.", "died"),
    ("Three fishermen remain missing.", "missing"),
    ("Six people are still listed as missing, the agency said.", "listed as missing"),
    ("Around 1,900 residents were still unable to return to their homes.",
     "unable to return"),
    # who acts, not what is counted: the count's own words stay
    ("About two hundred fishermen staged a protest.", "fishermen"),
    # a verb of saying is no predicate of the count ("2,800 people ..., the council said")
    ("Around 2,800 people spent the night in shelters and two schools, the council said.",
     "people"),
])
def test_a_count_that_names_only_its_unit_is_about_what_happened(text: str, about: str) -> None:
    """ "14 people" says nothing of what is counted but its unit: the verb it is the
    subject of does ("killed", "died", "remain missing")."""
    assert _q(text)[0][3] == about


@pytest.mark.parametrize("text", ["No numbers here at all.", "He was the first to speak."])
def test_no_quantities(text: str) -> None:
    assert _q(text) == []


def test_about_is_what_is_counted_not_a_name_or_a_modifier() -> None:
    from newsdesk.extract.quantities import find_quantities
    from newsdesk.model import Article

    a = Article(key="q", text="Lirov will invest $3.1 billion in the new quay. The town is "
                "part of a seven-member coastal trade and fisheries bloc.")
    got = {s.text_in(a.text): s.attrs["about"] for s in find_quantities(a, None)}
    assert got["$3.1 billion"] != "Lirov"  # the investor is not what the sum is of
    nine = next(v for k, v in got.items() if k.startswith("seven"))
    assert nine.endswith("bloc")


def test_numbers_that_name_are_no_figures() -> None:
    """A version or model number after a name, a bulletin code, a clock time's minutes
    and a day before its month name things; the counts beside them stay."""
    got = _q("Harbourline released Navigator 7 and patched Navigator 5.01 under bulletin "
             "HL08-078 at 12: 31 GMT, fixing 47 vulnerabilities for more than 2 million "
             "users; the fix reached 10,000 web sites. Only version 6 was spared.")
    values = {v for _, v, _, _ in got}
    assert not values & {7, 5.01, 78, 31, 8, 6}
    assert (47, "vulnerabilities") in {(v, u) for _, v, u, _ in got}
    assert 2_000_000 in values and 10_000 in values
    # both sides of a vote are figures
    got = _q("The House passed the bill by a 211-207 vote on Friday.")
    assert {211, 207} <= {v for _, v, _, _ in got}
