"""Property tests of event clustering (Hypothesis, hand-made features: no spaCy).

* Permuting the articles of one day never changes the partition.
* Adding an article unrelated to all others never merges two events, and it stays alone.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.events import EventFeatures, EventItem, cluster_items

DAYS = ["2024-05-01", "2024-05-02", "2024-05-03"]
KIND_WORDS = [f"kind{i}" for i in range(6)]
COMMON_WORDS = [f"common{i}" for i in range(10)]


@st.composite
def streams(draw: st.DrawFn) -> list[EventItem]:
    """A few events of the same kind, each with its own names and story words; reports
    draw subsets of them, plus shared everyday words."""
    n_events = draw(st.integers(1, 4))
    items: list[EventItem] = []
    for e in range(n_events):
        names = [f"name{e}_{i}" for i in range(4)]
        story = [f"story{e}_{i}" for i in range(5)]
        for r in range(draw(st.integers(1, 4))):
            terms = {w: float(draw(st.integers(1, 3)))
                     for w in draw(st.lists(st.sampled_from(KIND_WORDS + story), min_size=2,
                                            max_size=8, unique=True))}
            for w in draw(st.lists(st.sampled_from(COMMON_WORDS), max_size=4, unique=True)):
                terms[w] = 1.0
            ents = {w: float(draw(st.integers(1, 2)))
                    for w in draw(st.lists(st.sampled_from(names), max_size=4, unique=True))}
            day = draw(st.sampled_from(DAYS + [None]))
            items.append(EventItem(key=f"e{e}r{r}", id=f"id{e}r{r}",
                                   features=EventFeatures(terms=terms, entities=ents),
                                   published=day))
    return items


def in_date_order(items: list[EventItem]) -> list[EventItem]:
    return sorted(items, key=lambda it: (it.published is not None, it.published or ""))


def partition(items: list[EventItem]) -> set[frozenset[str]]:
    assignments, _ = cluster_items(in_date_order(items))
    groups: dict[str, set[str]] = {}
    for a in assignments:
        groups.setdefault(a.event_id, set()).add(a.key)
    return {frozenset(g) for g in groups.values()}


@settings(max_examples=60, deadline=None)
@given(streams(), st.randoms(use_true_random=False))
def test_order_within_a_day_does_not_change_the_partition(items: list[EventItem],
                                                          rnd: object) -> None:
    shuffled = list(items)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    # in_date_order is a stable sort: days stay in order, the order inside each day is new.
    assert partition(shuffled) == partition(items)
    # Same input order, same ids too.
    a1, _ = cluster_items(in_date_order(items))
    a2, _ = cluster_items(in_date_order(shuffled))
    assert {a.key: a.event_id for a in a1} == {a.key: a.event_id for a in a2}


@settings(max_examples=60, deadline=None)
@given(streams(), st.sampled_from(DAYS + [None]), st.integers(0, 3))
def test_an_unrelated_article_never_merges_two_events(items: list[EventItem], day: str | None,
                                                      n_words: int) -> None:
    before = partition(items)
    stranger = EventItem(
        key="stranger", id="id-stranger", published=day,
        features=EventFeatures(terms={f"alien{i}": 1.0 for i in range(n_words + 1)},
                               entities={"nowhere town": 1.0}),
    )
    after = partition(items + [stranger])
    assert frozenset({"stranger"}) in after
    event_of_before = {k: g for g in before for k in g}
    for group in after:
        # Every group after is inside one group before: nothing got merged.
        members = group - {"stranger"}
        if members:
            assert len({event_of_before[k] for k in members}) == 1


def _long_stream(days: int) -> list[EventItem]:
    """One event a day, each with words and names of its own, three reports each."""
    from datetime import date, timedelta

    items = []
    for d in range(days):
        day = (date(2024, 1, 1) + timedelta(days=d)).isoformat()
        words = {f"w{d}_{i}": 1.0 for i in range(12)}
        names = {f"n{d}_{i}": 1.0 for i in range(3)}
        for r in range(3):
            terms = {k: v for i, (k, v) in enumerate(words.items()) if i % 3 != r}
            items.append(EventItem(key=f"d{d}r{r}", id=f"i{d}r{r}", published=day,
                                   features=EventFeatures(terms=terms, entities=names)))
    return items


def test_forgetting_closed_features_keeps_results_and_bounds_the_tables() -> None:
    from newsdesk.events.cluster import EventOptions, OnlineClusterer

    items = _long_stream(120)
    results = []
    sizes = []
    for floor in (10**9, 0):
        clu = OnlineClusterer(EventOptions(quiet_days=2, vocab_floor=floor))
        got = []
        for it in items:
            got.extend(clu.add(it))
        got.extend(clu.flush())
        results.append(sorted((a.key, a.event_id) for a in got))
        sizes.append((len(clu.df), len(clu.vocab), len(clu.names)))
    assert results[0] == results[1]
    assert len({e for _, e in results[1]}) == 120  # one event a day
    assert sizes[0][0] == 120 * 15  # never forgotten: grows with the stream
    assert max(sizes[1]) < 15 * 10  # forgotten: what the few open events hold


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("abcXYZ .,;:!?'\"\u201c\u201d()-_\n") +
                                ["Mr.", "U.S.", "UPDATED", "By", "In", "the", "\n\n"]),
                max_size=200).map("".join))
def test_lead_title_never_fails_and_stays_short(text: str) -> None:
    """Any text gives a title of at most 14 words taken from its words, or None."""
    from newsdesk.events.cluster import LEAD_TITLE_WORDS, lead_title

    title = lead_title(text)
    if title is None:
        return
    words = title.removesuffix("\u2026").split()
    assert 0 < len(words) <= LEAD_TITLE_WORDS
    assert all(w[1:] in text or w in text for w in words)  # a first letter may be raised
