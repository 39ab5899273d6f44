"""Events stage: the clusterer on hand-made features (fast), then on fictional articles
through spaCy, the store and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.cli import app
from newsdesk.events import (
    EventFeatures,
    EventItem,
    EventOptions,
    EventStore,
    OnlineClusterer,
    cluster_articles,
    cluster_items,
    event_id_for,
    extract_features,
    run_events,
)
from newsdesk.model import Article
from newsdesk.store import Store

# -- hand-made features ------------------------------------------------------------------
KIND = {"crane": 2.0, "collapse": 1.0, "worker": 1.0}
VEL_WORDS = {"port": 1.0, "berth": 1.0, "dock": 2.0, "gust": 1.0, "container": 1.0}
DUN_WORDS = {"shipyard": 2.0, "welder": 1.0, "hull": 1.0, "boom": 1.0, "yard": 1.0}


def item(key: str, day: str | None, names: dict[str, float], extra: dict[str, float] | None = None,
         *, copy_of: str | None = None, body: str | None = None, title: str | None = None,
         places: list[str] | None = None) -> EventItem:
    story = VEL_WORDS if "velmora" in names else DUN_WORDS if "dunmere" in names else {}
    terms = dict(KIND) | story | (extra or {})
    f = EventFeatures(terms=terms, entities=dict(names), places=places or [])
    return EventItem(key=key, id=body or f"id-{key}", features=f, published=day, title=title,
                     copy_of=copy_of)


VELMORA = {"velmora": 2.0, "marwood": 1.0, "tarsk logistics": 1.0, "num:60": 1.0}
DUNMERE = {"dunmere": 2.0, "pell": 1.0, "halvard marine": 1.0, "num:3": 1.0}


def partition(assignments: list) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for a in assignments:
        groups.setdefault(a.event_id, set()).add(a.key)
    return {frozenset(g) for g in groups.values()}


def two_cranes() -> list[EventItem]:
    return [
        item("v1", "2024-03-04", VELMORA, {"berth": 1.0}, title="Crane falls at Velmora port",
             places=["Velmora"]),
        item("v2", "2024-03-04", VELMORA, {"hospital": 1.0}, title="Two hurt as crane collapses",
             places=["Velmora", "St Aldric"]),
        item("v3", "2024-03-05", VELMORA, {"suspend": 1.0}, places=["Velmora"]),
        item("d1", "2024-03-05", DUNMERE, {"shipyard": 2.0, "welder": 1.0},
             title="Three killed in Dunmere shipyard crane collapse", places=["Dunmere"]),
        item("d2", "2024-03-05", DUNMERE, {"shipyard": 2.0, "kill": 1.0}, places=["Dunmere"]),
    ]


def test_same_kind_of_happening_with_different_names_is_two_events() -> None:
    assignments, events = cluster_items(two_cranes())
    assert partition(assignments) == {frozenset({"v1", "v2", "v3"}), frozenset({"d1", "d2"})}
    assert len(events) == 2


def test_event_fields_title_dates_place_and_stable_id() -> None:
    _, events = cluster_items(two_cranes())
    vel = next(e for e in events if "v1" in e.articles)
    assert vel.id == event_id_for("v1", "id-v1")  # the first article names the event
    assert vel.first == "2024-03-04" and vel.last == "2024-03-05"
    assert vel.place == "Velmora"
    assert vel.title in {"Crane falls at Velmora port", "Two hurt as crane collapses"}
    dun = next(e for e in events if "d1" in e.articles)
    assert dun.title == "Three killed in Dunmere shipyard crane collapse"
    # Re-running on the same input gives the same ids.
    assert [e.id for e in cluster_items(two_cranes())[1]] == [e.id for e in events]


def test_copies_follow_their_original_whatever_their_text() -> None:
    items = two_cranes() + [
        # A reuse link: the text shares nothing, yet it follows its original.
        EventItem("copy-link", "id-x", EventFeatures(terms={"unrelated": 1.0}),
                  published="2024-03-06", copy_of="d1"),
        # An exact duplicate body (same Article.id) of v1, no link given.
        item("copy-body", "2024-03-06", {"somewhere": 1.0}, body="id-v1"),
    ]
    assignments, events = cluster_items(items)
    ev = {a.key: a.event_id for a in assignments}
    assert ev["copy-link"] == ev["d1"]
    assert ev["copy-body"] == ev["v1"]
    by_key = {a.key: a for a in assignments}
    assert by_key["copy-link"].copy_of == "d1"
    assert by_key["copy-body"].copy_of == "v1"
    assert next(e for e in events if e.id == ev["d1"]).copies == 1


def test_copy_within_the_same_day_follows_its_original() -> None:
    items = two_cranes() + [
        EventItem("zz-copy", "id-zz", EventFeatures(terms={"other": 1.0}),
                  published="2024-03-05", copy_of="d2"),
    ]
    ev = {a.key: a.event_id for a in cluster_items(items)[0]}
    assert ev["zz-copy"] == ev["d2"]


def test_event_goes_dormant_after_the_quiet_window() -> None:
    opts = EventOptions(quiet_days=5)
    near = [item("a", "2024-01-01", VELMORA), item("b", "2024-01-05", VELMORA)]
    far = [item("a", "2024-01-01", VELMORA), item("b", "2024-01-20", VELMORA)]
    assert len(partition(cluster_items(near, opts)[0])) == 1
    assert len(partition(cluster_items(far, opts)[0])) == 2


def test_dormant_events_are_forgotten_so_memory_follows_open_events() -> None:
    c = OnlineClusterer(EventOptions(quiet_days=2))
    peak = 0
    for day in range(60):
        for j in range(3):
            names = {f"town{day}_{j}": 2.0, f"person{day}_{j}": 1.0}
            c.add(item(f"k{day:02d}_{j}", f"2024-02-{1 + day % 28:02d}" if day < 28
                       else f"2024-03-{day - 27:02d}", names, {f"word{day}_{j}": 2.0}))
        c.drain_closed()
        peak = max(peak, len(c.open))
    c.flush()
    assert peak <= 3 * 4  # at most the events of the last quiet window (+ the day itself)
    assert len(c.event_of) <= 3 * 4


def test_batch_equals_streaming_for_the_same_order() -> None:
    items = two_cranes()
    batch, _ = cluster_items(items)
    c = OnlineClusterer()
    streamed = []
    for it in items:
        streamed.extend(c.add(it))
    streamed.extend(c.flush())
    assert [(a.key, a.event_id) for a in streamed] == [(a.key, a.event_id) for a in batch]


def test_known_dates_far_apart_never_join_even_on_the_same_text() -> None:
    items = [item("old", "2019-06-01", VELMORA), item("new", "2024-06-01", VELMORA)]
    assert len(partition(cluster_items(items)[0])) == 2


def test_undated_articles_cluster_together() -> None:
    items = [item(k, None, VELMORA if k.startswith("v") else DUNMERE) for k in
             ("v1", "v2", "d1", "d2")]
    assert partition(cluster_items(items)[0]) == {frozenset({"v1", "v2"}),
                                                  frozenset({"d1", "d2"})}


# -- fictional articles through spaCy ------------------------------------------------------
ARTICLES = [
    {"id": "gazette-crane", "published": "2024-03-04",
     "title": "Crane collapses at Velmora port, two dockers injured",
     "text": "A container crane collapsed at the Port of Velmora on Monday morning, injuring "
             "two dock workers, the port authority said.\n\nThe 60-metre crane, operated by "
             "Tarsk Logistics, buckled in high winds and fell across berth 7. Foreman Ilse "
             "Marwood said both workers were taken to St Aldric Hospital with leg injuries.\n\n"
             "Tarsk Logistics has suspended crane work at Velmora until an inspection is done."},
    {"id": "courier-crane", "published": "2024-03-04",
     "title": "Velmora dockers hurt as crane buckles",
     "text": "Two dockers were hurt when a 60-metre crane run by Tarsk Logistics came down "
             "at the Port of Velmora on Monday.\n\nIlse Marwood, the foreman on duty, told "
             "reporters the crane had swayed in gusts before it fell onto berth 7.\n\nThe port "
             "authority of Velmora said an inspection of every crane would start this week."},
    {"id": "wire-copy", "published": "2024-03-05",
     "title": "Crane collapses at Velmora port, two dockers injured",
     "text": "A container crane collapsed at the Port of Velmora on Monday morning, injuring "
             "two dock workers, the port authority said.\n\nThe 60-metre crane, operated by "
             "Tarsk Logistics, buckled in high winds and fell across berth 7. Foreman Ilse "
             "Marwood said both workers were taken to St Aldric Hospital with leg injuries.\n\n"
             "Tarsk Logistics has suspended crane work at Velmora until an inspection is done."},
    {"id": "dunmere-1", "published": "2024-03-05",
     "title": "Three welders killed in Dunmere shipyard crane collapse",
     "text": "Three welders were killed on Tuesday when a crane collapsed at the Halvard "
             "Marine shipyard in Dunmere.\n\nInspector Jonas Pell of the Dunmere Safety Board "
             "said the crane's boom snapped while lifting a hull section.\n\nHalvard Marine "
             "halted work at the yard and said it would help the families of the three men."},
    {"id": "dunmere-2", "published": "2024-03-06",
     "title": "Dunmere safety board opens inquiry into fatal crane failure",
     "text": "The Dunmere Safety Board opened an inquiry on Wednesday into the crane failure "
             "that killed three welders at the Halvard Marine yard.\n\nJonas Pell, who leads "
             "the inquiry, said the boom of the crane had been repaired in January.\n\n"
             "Halvard Marine said it was cooperating with Pell's team in Dunmere."},
    {"id": "kelso-library", "published": "2024-03-05",
     "title": "Kelso library reopens after two-year renovation",
     "text": "The public library of Kelso reopened its doors on Tuesday after a two-year "
             "renovation that added a reading garden and a children's wing.\n\nLibrarian "
             "Maud Ferris said 1,200 readers visited on the first day."},
]


def fictional_articles() -> list[Article]:
    return [Article(key=r["id"], text=r["text"], title=r["title"], published=r["published"])
            for r in ARTICLES]


@pytest.fixture(scope="module")
def parsed() -> dict[str, EventFeatures]:
    return {a.key: extract_features(a) for a in fictional_articles()}


def test_features_keep_names_places_figures_and_the_dateline() -> None:
    a = Article(key="x", title="Harbour fire in Velmora",
                text="Updated: March 4, 2024 10:12\n\nA fire broke out at the Velmora harbour "
                     "on Monday. Inspector Jonas Pell said 340 firefighters were sent and "
                     "the last blaze of this size was in 2019.")
    f = extract_features(a)
    assert f.anchor == "2024-03-04"  # no published date: the dateline at the top is used
    assert "pell" in f.entities and "jonas pell" in f.entities  # surname on its own
    assert "num:340" in f.entities
    assert "year:2019" in f.entities and "year:2024" in f.entities
    assert "Velmora" in f.places
    assert "fire" in f.terms and "the" not in f.terms
    again = EventFeatures.from_dict(json.loads(json.dumps(f.to_dict())))
    assert again == f


def test_feature_terms_are_the_content_lemmas_token_by_token() -> None:
    # the terms are read through one array of token attributes; they must equal the
    # plain definition: alphabetic, not a stop word, a content part of speech, longer
    # than one character, counted by lower-case lemma, in text order
    from collections import Counter

    from newsdesk.events.features import CONTENT_POS
    from newsdesk.nlp import load_nlp

    text = ("Several dockers at the Velmora berth walked out on Monday; the dockers made a "
            "full call to move, said 2 cranes had failed and a crane operator was hurt. "
            "I x U.N. inspectors came.")
    doc = load_nlp()(text)
    want: Counter[str] = Counter()
    for tok in doc:
        if tok.is_alpha and not tok.is_stop and tok.pos_ in CONTENT_POS and len(tok.text) > 1:
            want[tok.lemma_.lower()] += 1
    got = extract_features(Article(key="t", text=text)).terms
    assert got == dict(want) and list(got) == list(want)
    assert got["docker"] == 2 and "x" not in got
    assert {"make", "full", "call"} <= {t.lemma_.lower() for t in doc if t.is_stop}
    assert not {"make", "full", "call"} & set(got)  # stop words of content classes


def test_fictional_reports_form_the_right_events(parsed: dict[str, EventFeatures]) -> None:
    result = cluster_articles(fictional_articles(), features={
        (a.key, a.id): parsed[a.key] for a in fictional_articles()})
    assert partition(result.assignments) == {
        frozenset({"gazette-crane", "courier-crane", "wire-copy"}),
        frozenset({"dunmere-1", "dunmere-2"}),
        frozenset({"kelso-library"}),
    }
    copy = next(a for a in result.assignments if a.key == "wire-copy")
    assert copy.copy_of == "gazette-crane"  # same body: follows the first one seen
    vel = next(e for e in result.events if "gazette-crane" in e.articles)
    assert vel.place is not None and "Velmora" in vel.place  # spaCy may keep "Port of"
    assert vel.first == "2024-03-04" and vel.last == "2024-03-05"


def test_reuse_links_in_meta_are_followed(parsed: dict[str, EventFeatures]) -> None:
    arts = fictional_articles()
    arts[-1].meta["reuse"] = {"copy_of": "dunmere-1"}  # as the reuse stage would record it
    feats = {(a.key, a.id): parsed[a.key] for a in arts}
    ev = cluster_articles(arts, features=feats).event_of()
    assert ev["kelso-library"] == ev["dunmere-1"]


@pytest.fixture
def filled_store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "nd.db")
    s.add_articles(fictional_articles())
    yield s
    s.close()


def test_store_run_is_idempotent_and_reuses_cached_features(
        filled_store: Store, parsed: dict[str, EventFeatures],
        monkeypatch: pytest.MonkeyPatch) -> None:
    es = EventStore(filled_store)
    es.put_features([((a.key, a.id), parsed[a.key]) for a in fictional_articles()])

    def no_parsing(_: Article) -> EventFeatures:
        raise AssertionError("features should come from the cache")

    monkeypatch.setattr("newsdesk.events.archive.extract_features", no_parsing)
    first = run_events(filled_store)
    rows1 = filled_store.db.execute("SELECT * FROM event_articles ORDER BY article_rowid"
                                    ).fetchall()
    events1 = filled_store.db.execute("SELECT * FROM events ORDER BY event_id").fetchall()
    second = run_events(filled_store)
    rows2 = filled_store.db.execute("SELECT * FROM event_articles ORDER BY article_rowid"
                                    ).fetchall()
    events2 = filled_store.db.execute("SELECT * FROM events ORDER BY event_id").fetchall()
    assert [tuple(r) for r in events1] == [tuple(r) for r in events2]
    assert [tuple(r) for r in rows1] == [tuple(r) for r in rows2]
    assert first.event_of() == second.event_of()
    assert es.covers_store()
    loaded = es.load()
    assert loaded.event_of() == first.event_of()
    assert {e.id: sorted(e.articles) for e in loaded.events} == {
        e.id: sorted(e.articles) for e in first.events}
    n_events = filled_store.db.execute("SELECT count(*) FROM events").fetchone()[0]
    assert n_events == 3


def write_jsonl(path: Path) -> Path:
    f = path / "reports.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in ARTICLES) + "\n", encoding="utf-8")
    return f


def test_cli_tsv_json_and_table(tmp_path: Path, parsed: dict[str, EventFeatures]) -> None:
    src = write_jsonl(tmp_path)
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    res = runner.invoke(app, ["events", str(src), "--db", db, "--format", "tsv"])
    assert res.exit_code == 0, res.output
    lines = [ln.split("\t") for ln in res.stdout.strip().splitlines()]
    ev = dict(lines)
    assert set(ev) == {r["id"] for r in ARTICLES}
    assert ev["gazette-crane"] == ev["courier-crane"] == ev["wire-copy"]
    assert ev["dunmere-1"] == ev["dunmere-2"] != ev["gazette-crane"]
    assert ev["kelso-library"] not in {ev["gazette-crane"], ev["dunmere-1"]}

    res = runner.invoke(app, ["events", "--db", db, "--format", "json"])  # the stored clustering
    assert res.exit_code == 0, res.output
    events = json.loads(res.stdout)
    assert {e["id"] for e in events} == set(ev.values())
    dun = next(e for e in events if "dunmere-1" in e["articles"])
    assert dun["place"] == "Dunmere" and dun["first"] == "2024-03-05"
    assert dun["size"] == 2

    res = runner.invoke(app, ["events", "--db", db])
    assert res.exit_code == 0, res.output
    assert ev["kelso-library"] in res.stdout
    assert "Kelso" in res.stdout


def test_cli_without_paths_on_an_empty_store_explains(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["events", "--db", str(tmp_path / "empty.db")])
    assert res.exit_code == 1
    assert "no articles" in res.output


def test_a_republished_copy_with_extra_furniture_follows_its_original(
        tmp_path: Path, parsed: dict[str, EventFeatures]) -> None:
    arts = fictional_articles()
    src = arts[0]
    page = Article(key="zz-republished", published="2024-03-06", title=src.title,
                   text=src.text + "\n\nFollow the Harbour Herald for more port news.")
    s = Store(tmp_path / "reuse.db")
    try:
        s.add_articles(arts + [page])
        es = EventStore(s)
        es.put_features([((a.key, a.id), parsed[a.key]) for a in arts])
        result = run_events(s)
        by_key = {a.key: a for a in result.assignments}
        # Not byte-identical, so only the reuse stage's link can make it a copy.
        assert page.id != src.id
        assert by_key["zz-republished"].copy_of in {"gazette-crane", "wire-copy"}
        assert by_key["zz-republished"].event_id == by_key["gazette-crane"].event_id
    finally:
        s.close()


def test_an_event_of_untitled_reports_is_titled_by_a_lead_sentence() -> None:
    """Reports without a headline (plain wire text): the event's title is the lead sentence
    of the report closest to its centre, cut to a headline's length, not a list of names;
    a real headline, when any report has one, is preferred to any lead."""
    from newsdesk.events.cluster import lead_title

    lead = ("Port workers at Velmora walked out on Monday after a crane collapsed onto a "
            "berth, injuring two men and halting container traffic for the day.")
    items = [item("v1", "2024-03-04", VELMORA), item("v2", "2024-03-04", VELMORA)]
    items[0].lead = lead_title(lead)
    _, events = cluster_items(items)
    (ev,) = events
    assert ev.title == ("Port workers at Velmora walked out on Monday after a crane "
                        "collapsed\u2026")
    items = [item("v1", "2024-03-04", VELMORA), item("v2", "2024-03-04", VELMORA,
                                                     title="Crane falls at Velmora port")]
    items[0].lead = lead_title(lead)
    assert cluster_items(items)[1][0].title == "Crane falls at Velmora port"


@pytest.mark.parametrize(("text", "title"), [
    # the dateline goes, the sentence ends at its full stop (not after "U.S." or "Sept.")
    ("VELMORA, Tarsk (AP) _ U.S. inspectors arrived on Sept. 16 at the port. They left.",
     "U.S. inspectors arrived on Sept. 16 at the port"),
    ("DUNMERE \u2013 Three welders were killed at the shipyard. More soon.",
     "Three welders were killed at the shipyard"),
    # an opening phrase is no headline; a long sentence is cut on a word that says something
    ("Sometime in the summer of 1997, a courier carried the plans for the attack from the "
     "mountains to the coast and on to the capital.",
     "A courier carried the plans for the attack from the mountains to the coast\u2026"),
    # a first line that only stamps the page is skipped
    ("UPDATED 05/03/2031 at 11: 00 AM EDT\n\nOriginally published 05/03/2031\n\n"
     "Harbour pilots stopped work at Port Camina on Thursday.",
     "Harbour pilots stopped work at Port Camina on Thursday"),
    # so is a bare date and time ("May 2, 2031, 1: 12 PM")
    ("May 2, 2031, 1: 12 PM\n\nHarbour pilots stopped work at Port Camina on Thursday.",
     "Harbour pilots stopped work at Port Camina on Thursday"),
    ("", None),
])
def test_lead_title(text: str, title: str | None) -> None:
    from newsdesk.events.cluster import lead_title

    assert lead_title(text) == title
