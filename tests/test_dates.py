"""Dates: expressions resolved against the article's date (fictional text)."""

from __future__ import annotations

from datetime import date

import pytest

from newsdesk.extract.dates import find_dates, is_duration, reference_date, resolve
from newsdesk.model import Article

WED = date(2021, 4, 7)  # a Wednesday


@pytest.mark.parametrize(("text", "value"), [
    ("Tuesday", "2021-04-06"),  # the most recent Tuesday before
    ("Wednesday", "2021-04-07"),  # the article's own weekday: that day
    ("Thursday", "2021-04-01"),
    ("last Wednesday", "2021-03-31"),
    ("next Tuesday", "2021-04-13"),
    ("Tuesday evening", "2021-04-06"),
    ("yesterday", "2021-04-06"),
    ("today", "2021-04-07"),
    ("tomorrow", "2021-04-08"),
    ("three days ago", "2021-04-04"),
    ("two years ago", "2019"),
    ("last week", "2021-W13"),
    ("earlier this month", "2021-04"),
    ("later this year", "2021"),
    ("the end of the year", "2021"),
    ("last spring", "2020"),
    ("April 8", "2021-04-08"),
    ("June 2019", "2019-06"),
    ("8 April 2021", "2021-04-08"),
    ("2012", "2012"),
    ("mid-June", "2021-06"),
])
def test_resolve(text: str, value: str) -> None:
    assert resolve(text, WED)[0] == value


def test_future_weekday_and_year_boundary() -> None:
    assert resolve("Friday", WED, future=True) == ("2021-04-09", "day")
    assert resolve("Wednesday", WED, future=True) == ("2021-04-07", "day")
    # a month and day without a year take the year closest to the article's date
    assert resolve("December 30", date(2021, 1, 2))[0] == "2020-12-30"
    assert resolve("January 3", date(2020, 12, 30))[0] == "2021-01-03"


def test_unresolvable() -> None:
    assert resolve("Tuesday", None) == (None, "day")
    assert resolve("coming years", WED) == (None, None)
    assert resolve("April 8", None) == (None, None)
    assert resolve("June 2019", None)[0] == "2019-06"  # absolute: no reference needed


@pytest.mark.parametrize(("text", "duration"), [
    ("two-day", True), ("almost a decade", True), ("forty years old", True),
    ("decades", True), ("three days ago", False), ("last year", False), ("Tuesday", False),
])
def test_durations_are_not_dates(text: str, duration: bool) -> None:
    assert is_duration(text) is duration


def test_find_dates_in_an_article() -> None:
    text = ("The minister arrived in Tarvik on Tuesday and met the mayor yesterday.\n\n"
            "She will travel to Orsk on Friday, the ministry said. The two-day visit is "
            "her first since June 2019.")
    a = Article(key="d", text=text, published="2021-04-07")
    got = [(text[s.start:s.end], s.attrs["value"]) for s in find_dates(a)]
    assert got == [("Tuesday", "2021-04-06"), ("yesterday", "2021-04-06"),
                   ("Friday", "2021-04-09"), ("June 2019", "2019-06")]
    first = find_dates(a)[0]
    assert (first.start, first.end) == (text.index("Tuesday"), text.index(" and met"))
    assert first.label == "DATE" and first.attrs["grain"] == "day"


def test_reference_date_from_the_dateline() -> None:
    a = Article(key="d", text="TARVIK, April 8, 2021 (NNA) The talks ended on Wednesday.")
    assert reference_date(a) == date(2021, 4, 8)
    got = [(a.text[s.start:s.end], s.attrs["value"]) for s in find_dates(a)]
    assert ("Wednesday", "2021-04-07") in got
    assert reference_date(Article(key="n", text="Talks ended on Wednesday.")) is None


def test_present_perfect_with_a_weekday_points_forward() -> None:
    from newsdesk.extract.dates import find_dates
    from newsdesk.model import Article

    a = Article(key="w", published="2025-03-13", text=(
        "The weather service has issued an amber warning for more heavy rain on Friday. "
        "The road has been closed since Tuesday."))
    values = {a.text[s.start:s.end]: s.attrs.get("value") for s in find_dates(a)}
    assert values["Friday"] == "2025-03-14"
    assert values["Tuesday"] == "2025-03-11"
