"""The fact signals that tell two happenings of one kind apart (EventOptions.year_clash,
figure_clash, name_clash, year_gate): known answers on hand-made features.

The stories are invented: two floods of the river Osk at Brenmoor, years apart, reported
with the same words and the same town, told apart only by the years, figures or people
the reports give."""

from __future__ import annotations

from collections import Counter

from newsdesk.events import EventFeatures, EventItem, EventOptions, OnlineClusterer, cluster_items
from newsdesk.events.archive import options_key
from newsdesk.events.cluster import years_clash

FLOOD = {"flood": 2.0, "river": 2.0, "evacuate": 1.0, "bank": 1.0, "rain": 1.0, "water": 1.0}
TOWN = {"brenmoor": 2.0, "osk": 1.0}


def report(key: str, extra_names: dict[str, float], words: dict[str, float] | None = None
           ) -> EventItem:
    f = EventFeatures(terms=FLOOD | (words or {}), entities=TOWN | extra_names)
    return EventItem(key=key, id=f"id-{key}", features=f, published=None)


def groups(items: list[EventItem], opts: EventOptions | None = None) -> set[frozenset[str]]:
    out: dict[str, set[str]] = {}
    for a in cluster_items(items, opts)[0]:
        out.setdefault(a.event_id, set()).add(a.key)
    return {frozenset(g) for g in out.values()}


def two_floods(old: dict[str, float], new: dict[str, float]) -> list[EventItem]:
    """Three reports of each flood; each report words it a little differently."""
    return [report("a1", old, {"sandbag": 1.0}), report("a2", old, {"bridge": 1.0}),
            report("a3", old, {"farm": 1.0}), report("b1", new, {"school": 1.0}),
            report("b2", new, {"road": 1.0}), report("b3", new, {"mayor": 1.0})]


OLD, NEW = frozenset({"a1", "a2", "a3"}), frozenset({"b1", "b2", "b3"})


# -- the year gate between groups ----------------------------------------------------------
def test_years_clash_known_answers() -> None:
    y2008, y2013 = Counter({2008: 3}), Counter({2013: 4})
    assert years_clash(y2008, 3, y2013, 4, need=3)
    assert not years_clash(y2008, 3, y2013, 4, need=4)  # too few dated reports on one side
    assert not years_clash(y2008, 3, y2013, 4, need=0)  # off
    # Adjacent years are often one story (late December, reported into January).
    assert not years_clash(Counter({2012: 3}), 3, y2013, 4, need=2)
    # A flashback is not a clash: half of the 2013 reports also mention 2008.
    assert not years_clash(y2008, 3, Counter({2013: 4, 2008: 2}), 4, need=2)
    # ...but one report in six is (less than a fifth).
    assert years_clash(y2008, 3, Counter({2013: 6, 2008: 1}), 6, need=2)
    # The most mentioned year decides; a tie goes to the latest.
    assert years_clash(Counter({2001: 2, 2013: 2}), 2, Counter({2009: 3}), 3, need=2)


def test_year_gate_splits_two_floods_years_apart() -> None:
    items = two_floods({"year:2016": 1.0}, {"year:2023": 1.0})
    assert groups(items) == {OLD | NEW}  # same words, same town: one event without the gate
    assert groups(items, EventOptions(year_gate=2)) == {OLD, NEW}
    # Off again (needs more dated reports than each flood has): back to one event.
    assert groups(items, EventOptions(year_gate=4)) == {OLD | NEW}


def test_year_gate_keeps_one_flood_whose_reports_name_adjacent_years() -> None:
    items = two_floods({"year:2023": 1.0}, {"year:2024": 1.0})
    assert groups(items, EventOptions(year_gate=2)) == {OLD | NEW}


def test_year_gate_holds_against_an_open_event_of_an_earlier_day() -> None:
    # The 2016 flood is an open event when the 2023 reports arrive the next day (each new
    # report is judged on its own first: one dated report is enough here).
    opts = EventOptions(year_gate=1)
    old = [EventItem(i.key, i.id, i.features, published="2024-05-01") for i in
           two_floods({"year:2016": 1.0}, {})[:3]]
    new = [EventItem(i.key, i.id, i.features, published="2024-05-02") for i in
           two_floods({}, {"year:2023": 1.0})[3:]]
    assert groups(old + new, opts) == {OLD, NEW}
    assert groups(old + new) == {OLD | NEW}


# -- pair penalties ----------------------------------------------------------------------
def test_year_clash_parts_reports_with_disjoint_years_only() -> None:
    opts = EventOptions(year_clash=1.0)
    assert groups(two_floods({"year:2016": 1.0}, {"year:2023": 1.0}), opts) == {OLD, NEW}
    # A year in common: no contradiction.
    assert groups(two_floods({"year:2016": 1.0, "year:2023": 1.0}, {"year:2023": 1.0}),
                  opts) == {OLD | NEW}
    # One side gives no year: unknown is not a contradiction.
    assert groups(two_floods({"year:2016": 1.0}, {}), opts) == {OLD | NEW}


def test_figure_clash_parts_reports_with_different_tolls() -> None:
    items = two_floods({"num:14": 1.0}, {"num:230": 1.0})
    assert groups(items) == {OLD | NEW}
    assert groups(items, EventOptions(figure_clash=1.0)) == {OLD, NEW}


def test_name_clash_needs_enough_names_on_both_sides() -> None:
    old = {"ilse varga": 1.0, "varga": 1.0, "north ward": 1.0}
    new = {"tomas reyl": 1.0, "reyl": 1.0, "harbour road": 1.0}
    # The people and streets differ; the town is left out of the names (a shared name
    # is no contradiction) and kept among the words.
    items = [EventItem(i.key, i.id, EventFeatures(
        terms=i.features.terms | {"brenmoor": 2.0},
        entities={k: v for k, v in i.features.entities.items() if k not in TOWN}),
        published=None) for i in two_floods(old, new)]
    assert groups(items) == {OLD | NEW}
    assert groups(items, EventOptions(name_clash=1.0, name_clash_min=3)) == {OLD, NEW}
    assert groups(items, EventOptions(name_clash=1.0, name_clash_min=4)) == {OLD | NEW}


# -- defaults and storage ------------------------------------------------------------------
def test_signals_are_off_by_default_and_keep_the_archive_key() -> None:
    o = EventOptions()
    assert (o.year_clash, o.figure_clash, o.name_clash, o.year_gate) == (0.0, 0.0, 0.0, 0)
    # The key of release 0.1's default options: archives built before keep their checkpoints.
    assert options_key(o) == "efb02c3e3140"
    assert options_key(EventOptions(year_gate=3)) != options_key(o)


def test_year_counts_survive_the_clusterer_state() -> None:
    c = OnlineClusterer(EventOptions(year_gate=2))
    for it in two_floods({"year:2016": 1.0}, {})[:3]:
        c.add(EventItem(it.key, it.id, it.features, published="2024-05-01"))
    c.flush()
    (ev,) = c.open.values()
    assert ev.years == Counter({2016: 3}) and ev.dated == 3
    again = OnlineClusterer.from_state(c.state(), c.opts)
    (ev2,) = again.open.values()
    assert ev2.years == ev.years and ev2.dated == 3
    # A state taken before the counts existed loads with none (the gate then never fires).
    st = c.state()
    for d in st["open"]:  # type: ignore[attr-defined]
        del d["years"], d["dated"]
    (ev3,) = OnlineClusterer.from_state(st, c.opts).open.values()
    assert ev3.years == Counter() and ev3.dated == 0
