"""The archive grows day by day: events keep their ids, batching does not change them."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from newsdesk.archive import claims_of, update_archive
from newsdesk.brief.build import BriefOptions, build_brief
from newsdesk.cli import app
from newsdesk.events.archive import EventArchive, update_events
from newsdesk.events.features import EventFeatures
from newsdesk.ingest import ingest
from newsdesk.model import Article
from newsdesk.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def example_articles() -> list[Article]:
    """Every example article, read once (cleaned, as ingest stores them)."""
    with Store(":memory:") as s:
        ingest([EXAMPLES], s)
        return list(s.articles(None))


def partition(store: Store) -> dict[str, str]:
    return {a.key: a.event_id for a in EventArchive(store).load().assignments}


def tables(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """The archive's event tables, as plain rows (timestamps left out)."""
    db = store.db
    return {
        "events": [tuple(r) for r in db.execute(
            "SELECT event_id, title, first_date, last_date, place, articles, copies, "
            "independent_sources, merged_into FROM events ORDER BY event_id")],
        "members": [tuple(r) for r in db.execute(
            "SELECT a.key, m.event_id, m.copy_of FROM event_articles m JOIN articles a "
            "ON a.rowid = m.article_rowid ORDER BY a.key")],
        "claims": [tuple(r) for r in db.execute(
            "SELECT claim_id, text, status, independent_sources FROM claims ORDER BY claim_id")],
        "entities": [tuple(r) for r in db.execute(
            "SELECT entity_id, name, type, country, mentions, articles, first_seen, last_seen "
            "FROM entities ORDER BY entity_id")],
        "variants": [tuple(r) for r in db.execute(
            "SELECT entity_id, variant, count FROM entity_variants ORDER BY entity_id, variant")],
        "entity_days": [tuple(r) for r in db.execute(
            "SELECT * FROM entity_days ORDER BY entity_id, day")],
        "entity_events": [tuple(r) for r in db.execute(
            "SELECT * FROM entity_events ORDER BY entity_id, event_id")],
    }


def recounted_entity_totals(db: object) -> tuple[list[tuple[object, ...]], ...]:
    """(stored, recounted) day and event totals: the triggers' tables against the same
    totals counted afresh from mentions, articles and event_articles."""
    q = db.execute  # type: ignore[attr-defined]
    days = [tuple(r) for r in q("SELECT * FROM entity_days ORDER BY 1, 2")]
    fresh_days = [tuple(r) for r in q(
        "SELECT m.entity_id, substr(a.published, 1, 10), count(*), "
        "count(DISTINCT m.article_rowid) FROM mentions m JOIN articles a "
        "ON a.rowid = m.article_rowid WHERE a.published IS NOT NULL AND a.published != '' "
        "GROUP BY 1, 2 ORDER BY 1, 2")]
    evs = [tuple(r) for r in q("SELECT * FROM entity_events ORDER BY 1, 2")]
    fresh_evs = [tuple(r) for r in q(
        "SELECT m.entity_id, ea.event_id, count(*), count(DISTINCT m.article_rowid), "
        "e.last_date FROM mentions m JOIN event_articles ea ON ea.article_rowid = "
        "m.article_rowid JOIN events e ON e.event_id = ea.event_id GROUP BY 1, 2 "
        "ORDER BY 1, 2")]
    return days, fresh_days, evs, fresh_evs


def by_days(arts: list[Article], cuts: list[str]) -> list[list[Article]]:
    """Split articles into batches of whole days: batch n holds dates before cuts[n]."""
    out: list[list[Article]] = [[] for _ in range(len(cuts) + 1)]
    for a in arts:
        n = sum(1 for c in cuts if (a.published or "") >= c)
        out[n].append(a)
    return out


def fed(batches: list[list[Article]]) -> Store:
    s = Store(":memory:")
    for b in batches:
        s.add_articles(b)
        update_archive(s)
    return s


def test_two_and_three_days_give_the_one_batch_events_ids_claims_and_entities(
        example_articles: list[Article]) -> None:
    one = fed([example_articles])
    two = fed(by_days(example_articles, ["2025-03-05"]))
    three = fed(by_days(example_articles, ["2025-03-05", "2025-04-01"]))
    try:
        want = tables(one)
        assert len(want["events"]) == 4
        # the visit (event A) holds its eight reports in every feeding
        visit = partition(one)["a01_pna_wire"]
        assert sum(1 for v in partition(one).values() if v == visit) == 8
        assert tables(two) == want
        assert tables(three) == want
    finally:
        for s in (one, two, three):
            s.close()


def test_entity_day_and_event_totals_follow_every_change(
        example_articles: list[Article]) -> None:
    """The triggers' totals equal a fresh count after day-by-day growth, an article
    re-extracted, an article moved to another event and a mention deleted by hand."""
    s = fed(by_days(example_articles, ["2025-03-05", "2025-04-01"]))
    try:
        days, fresh_days, evs, fresh_evs = recounted_entity_totals(s.db)
        assert days == fresh_days and evs == fresh_evs
        assert len(days) > 10 and len(evs) > 10
        # the visit's main person: in more than one article of the visit's event
        top = max(evs, key=lambda r: r[3])
        assert top[3] >= 3 and top[2] >= top[3]
        from newsdesk.extract.archive import extract_new
        from newsdesk.extract.step import ExtractOptions

        extract_new(s, options=ExtractOptions(force=True))  # every article's rows deleted and written again
        assert recounted_entity_totals(s.db)[:2] == (days, fresh_days)
        assert recounted_entity_totals(s.db)[2] == evs
        with s.transaction() as db:  # an article moves to another event, by hand
            rid, eid = db.execute("SELECT article_rowid, event_id FROM event_articles "
                                  "ORDER BY article_rowid LIMIT 1").fetchone()
            other = db.execute("SELECT event_id FROM events WHERE event_id != ? LIMIT 1",
                               (eid,)).fetchone()[0]
            db.execute("UPDATE event_articles SET event_id = ? WHERE article_rowid = ?",
                       (other, rid))
            db.execute("DELETE FROM mentions WHERE rowid = (SELECT min(rowid) FROM mentions)")
            db.execute("UPDATE events SET last_date = '2030-01-01' WHERE event_id = ?",
                       (other,))
        days, fresh_days, evs, fresh_evs = recounted_entity_totals(s.db)
        assert days == fresh_days and evs == fresh_evs
        assert any(r[1] == other and r[4] == "2030-01-01" for r in evs)
        # what the upgrade to version 7 fills in for a store's existing rows is the same
        from newsdesk.store.migrations import ENTITY_TOTALS_RECOUNT

        with s.transaction() as db:
            db.execute("DELETE FROM entity_days")
            db.execute("DELETE FROM entity_events")
            for stmt in ENTITY_TOTALS_RECOUNT.split(";"):
                if stmt.strip():
                    db.execute(stmt)
        assert recounted_entity_totals(s.db) == (days, fresh_days, evs, fresh_evs)
    finally:
        s.close()


def test_the_brief_after_day_two_cites_both_days(example_articles: list[Article]) -> None:
    day1, day2 = by_days(example_articles, ["2025-03-05"])
    s = fed([day1])
    try:
        first = EventArchive(s).events_of([(day1[0].key, day1[0].id)])
        s.add_articles(day2)
        update_archive(s)
        visit = next(a for a in day2 if a.key == "a02_globeview_furniture")
        assert EventArchive(s).events_of([(visit.key, visit.id)]) == first  # same id
        brief = build_brief(s, [(visit.key, visit.id)], BriefOptions())
        (ev,) = brief["events"]
        assert ev["id"] == first[0]
        cited = {c["article"] for x in ev["claims"] for c in x["cites"]}
        stored = claims_of(s, ev["id"])  # the claims tables say the same
        assert [c.text for c in stored] == [x["text"] for x in ev["claims"]]
        assert {k for c in stored for k, _, _ in c.cites} == cited
        assert cited & {a.key for a in day1 if a.published == "2025-03-04"}
        assert cited & {"a02_globeview_furniture", "a06_courier_port"}
        keys = [a["key"] for a in ev["articles"]]
        assert "a01_pna_wire" in keys and "a06_courier_port" in keys
    finally:
        s.close()


def test_re_ingesting_day_one_changes_nothing(tmp_path: Path) -> None:
    day1 = tmp_path / "day1"
    day1.mkdir()
    for name in ("a01_pna_wire.txt", "a03_pmo_release.html", "a08_radio_presser.txt"):
        shutil.copy(EXAMPLES / name, day1 / name)
    with Store(tmp_path / "a.db") as s:
        ingest([day1], s)
        update_archive(s)
        before = tables(s)
        n_ckpt = s.db.execute("SELECT count(*) FROM events_checkpoints").fetchone()[0]
        rep = ingest([day1], s)
        up = update_archive(s)
        assert rep.added == 0
        assert up.events.added == [] and up.events.changed == []
        assert tables(s) == before
        assert s.db.execute("SELECT count(*) FROM events_checkpoints").fetchone()[0] == n_ckpt


def test_cli_run_day_two_reports_the_whole_event(tmp_path: Path) -> None:
    d1, d2 = tmp_path / "d1", tmp_path / "d2"
    d1.mkdir()
    d2.mkdir()
    for name in ("a01_pna_wire.txt", "a03_pmo_release.html", "a08_radio_presser.txt"):
        shutil.copy(EXAMPLES / name, d1 / name)
    for name in ("a02_globeview_furniture.txt", "b01_drussel_floods.txt"):
        shutil.copy(EXAMPLES / name, d2 / name)
    db = str(tmp_path / "a.db")
    r = CliRunner()
    res = r.invoke(app, ["run", str(d1), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    (ev1,) = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    res = r.invoke(app, ["run", str(d2), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    evs = {e["id"]: e for e in (json.loads(x) for x in res.stdout.splitlines()
                                if x.startswith("{"))}
    assert set(evs[ev1["id"]]["articles"]) == {"a01_pna_wire", "a03_pmo_release",
                                                "a08_radio_presser", "a02_globeview_furniture"}
    res = r.invoke(app, ["events", "--db", db, "--format", "tsv"])
    rows = dict(line.split("\t") for line in res.stdout.strip().splitlines())
    assert rows["a02_globeview_furniture"] == rows["a01_pna_wire"] == ev1["id"]
    assert rows["b01_drussel_floods"] != ev1["id"]
    # the brief of the event by id, built from what the update stored
    res = r.invoke(app, ["brief", ev1["id"], "--db", db, "--format", "json"])
    assert res.exit_code == 0, res.output
    (bev,) = json.loads(res.stdout)["events"]
    assert {a["key"] for a in bev["articles"]} == set(evs[ev1["id"]]["articles"])


# -- synthetic streams: order, batching, merges ---------------------------------------------

def _feat(terms: dict[str, int], ents: dict[str, int]) -> EventFeatures:
    return EventFeatures(terms=terms, entities=ents, places=[], anchor=None)


TOPICS = {
    "quake": ({"quake": 3, "rubble": 2, "tremor": 2, "rescue": 1}, {"lirov": 2, "num:6.1": 1}),
    "strike": ({"strike": 3, "union": 2, "wage": 2, "picket": 1}, {"dock workers union": 2}),
    "opera": ({"opera": 3, "restore": 2, "stage": 2, "premiere": 1}, {"saldena opera": 2}),
    "vote": ({"ballot": 3, "turnout": 2, "count": 2, "poll": 1}, {"lusca": 2, "year:2025": 1}),
}


def synthetic() -> list[tuple[Article, EventFeatures]]:
    """Twenty reports of five happenings over four days (two quakes, a week apart)."""
    out = []
    plan = [("quake", "2025-05-01", "q1"), ("quake", "2025-05-01", "q1"),
            ("strike", "2025-05-01", "s"), ("quake", "2025-05-02", "q1"),
            ("strike", "2025-05-02", "s"), ("opera", "2025-05-02", "o"),
            ("strike", "2025-05-03", "s"), ("opera", "2025-05-03", "o"),
            ("vote", "2025-05-03", "v"), ("vote", "2025-05-03", "v"),
            ("vote", "2025-05-04", "v"), ("opera", "2025-05-04", "o"),
            ("quake", "2025-05-20", "q2"), ("quake", "2025-05-20", "q2"),
            ("quake", "2025-05-21", "q2"), ("strike", "2025-05-04", "s"),
            ("vote", "2025-05-04", "v"), ("opera", "2025-05-04", "o"),
            ("quake", "2025-05-21", "q2"), ("strike", "2025-05-03", "s")]
    for n, (topic, day, _gold) in enumerate(plan):
        terms, ents = TOPICS[topic]
        t = dict(terms)
        t[f"word{n}"] = 1  # each report has a word of its own
        e = dict(ents)
        if topic == "quake":
            e["lirov" if day < "2025-05-10" else "vell"] = 3  # two quakes, two places
        a = Article(key=f"r{n:02d}", text=f"Report {n} about the {topic}.", published=day,
                    title=f"{topic} report {n}")
        out.append((a, _feat(t, e)))
    return out


def feed(batches: list[list[tuple[Article, EventFeatures]]]) -> dict[str, str]:
    feats = {a.key: f for b in batches for a, f in b}
    with Store(":memory:") as s:
        for b in batches:
            s.add_articles([a for a, _ in b])
            update_events(s, features_of=lambda a: feats[a.key])
        return partition(s)


def same_partition(a: dict[str, str], b: dict[str, str]) -> bool:
    def groups(p: dict[str, str]) -> set[frozenset[str]]:
        inv: dict[str, set[str]] = {}
        for k, v in p.items():
            inv.setdefault(v, set()).add(k)
        return {frozenset(x) for x in inv.values()}
    return groups(a) == groups(b)


ONE_BATCH = feed([synthetic()])


def test_synthetic_stream_forms_its_five_happenings() -> None:
    groups: dict[str, set[str]] = {}
    for k, v in ONE_BATCH.items():
        groups.setdefault(v, set()).add(k)
    assert len(groups) == 5
    quake1 = ONE_BATCH["r00"]
    assert ONE_BATCH["r12"] != quake1  # the second quake is another event


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(list(range(20))), st.lists(st.integers(1, 19), max_size=6))
def test_any_arrival_order_and_batching_gives_the_one_batch_partition(
        order: list[int], cuts: list[int]) -> None:
    items = synthetic()
    seq = [items[i] for i in order]
    bounds = sorted(set(cuts))
    batches = [seq[i:j] for i, j in zip([0, *bounds], [*bounds, len(seq)], strict=True)]
    assert same_partition(feed([b for b in batches if b]), ONE_BATCH)


def test_one_article_at_a_time_in_date_order_keeps_the_one_batch_ids() -> None:
    items = sorted(synthetic(), key=lambda x: (x[0].published or "", x[0].key))
    assert feed([[x] for x in items]) == ONE_BATCH


def test_an_event_keeps_its_id_when_articles_join_and_a_merge_leaves_an_alias() -> None:
    day = "2025-06-01"
    a = Article(key="a1", text="Dock strike at Vell.", published=day, title="Vell strike")
    b = Article(key="b1", text="Harbour pilots walk out.", published=day, title="Pilots")
    bridge = Article(key="c1", text="Dock strike and pilots at Vell.", published=day,
                     title="Vell port shut")
    later = Article(key="d1", text="Vell strike, day two.", published="2025-06-02",
                    title="Vell strike goes on")
    feats = {
        "a1": _feat({"dock": 2, "strike": 2, "vell": 1}, {"vell port": 2}),
        "b1": _feat({"pilot": 2, "walkout": 2, "harbour": 1}, {"pilots guild": 2}),
        "c1": _feat({"dock": 2, "strike": 2, "pilot": 2, "walkout": 2},
                    {"vell port": 2, "pilots guild": 2}),
        "d1": _feat({"dock": 2, "strike": 2, "vell": 1}, {"vell port": 2}),
    }
    with Store(":memory:") as s:
        s.add_articles([a, b])
        update_events(s, features_of=lambda x: feats[x.key])
        ar = EventArchive(s)
        ea, eb = ar.events_of([(a.key, a.id)])[0], ar.events_of([(b.key, b.id)])[0]
        assert ea != eb
        s.add_articles([later])
        up = update_events(s, features_of=lambda x: feats[x.key])
        assert ar.events_of([(later.key, later.id)]) == [ea]  # joined, id kept
        assert ea in up.changed and ea not in up.created
        s.add_articles([bridge])
        up = update_events(s, features_of=lambda x: feats[x.key])
        now = {k: ar.events_of([(x.key, x.id)])[0] for k, x in
               (("a", a), ("b", b), ("c", bridge), ("d", later))}
        if now["a"] == now["b"]:  # the bridge joined the two: the older id survives
            survivor, alias = (ea, eb) if ar.record(ea).created <= ar.record(eb).created \
                else (eb, ea)
            assert now["a"] == survivor
            assert up.merged == {alias: survivor}
            assert ar.record(alias).merged_into == survivor
            assert ar.resolve(alias) == survivor
            assert [e.id for e in ar.load(event_ids=[alias]).events] == [survivor]
        else:  # not merged: nothing renamed
            assert now["a"] == ea and now["b"] == eb
            assert up.merged == {}


def test_merge_alias_resolves_in_the_brief_command(tmp_path: Path) -> None:
    """An alias id (set by hand here, as a merge sets it) still opens the brief."""
    db = tmp_path / "m.db"
    with Store(db) as s:
        ingest([EXAMPLES / "b01_drussel_floods.txt", EXAMPLES / "b03_vns_wire.txt"], s)
        update_archive(s)
        (live,) = [r.event_id for r in EventArchive(s).records()]
        with s.transaction() as tx:
            tx.execute("INSERT INTO events (event_id, title, created, updated, merged_into) "
                       "VALUES ('ev-oldalias', 'old', '2025-01-01', '2025-01-01', ?)", (live,))
    res = CliRunner().invoke(app, ["brief", "ev-oldalias", "--db", str(db), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["events"][0]["id"] == live


# -- migrations ------------------------------------------------------------------------------

@pytest.fixture
def old_store(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "v1.db"
    shutil.copy(FIXTURES / "store_v1.sqlite", path)
    yield path


def test_a_store_written_by_release_0_1_upgrades_without_loss(old_store: Path) -> None:
    import sqlite3

    raw = sqlite3.connect(old_store)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    arts = raw.execute("SELECT key, id, text FROM articles ORDER BY key").fetchall()
    members = raw.execute("SELECT key, event_id FROM events_member ORDER BY key").fetchall()
    links = raw.execute("SELECT a, b, kind FROM reuse_link ORDER BY a, b").fetchall()
    ann = raw.execute("SELECT count(*) FROM annotations").fetchone()[0]
    ents = raw.execute("SELECT DISTINCT entity_id FROM extract_entities").fetchall()
    raw.close()
    assert len(arts) == 5 and len(members) == 5 and links
    with Store(old_store) as s:
        from newsdesk.store.migrations import MIGRATIONS

        assert s.schema_version == len(MIGRATIONS)
        assert [tuple(r) for r in s.db.execute(
            "SELECT key, id, text FROM articles ORDER BY key")] == arts
        got = s.db.execute("SELECT a.key, m.event_id FROM event_articles m JOIN articles a "
                           "ON a.rowid = m.article_rowid ORDER BY a.key").fetchall()
        assert [tuple(r) for r in got] == [tuple(r) for r in members]
        assert [tuple(r) for r in s.db.execute(
            "SELECT a, b, kind FROM reuse_links ORDER BY a, b")] == [tuple(r) for r in links]
        assert s.db.execute("SELECT count(*) FROM annotations").fetchone()[0] == ann
        assert {r[0] for r in s.db.execute("SELECT entity_id FROM entities")} == {
            r[0] for r in ents}
        assert s.db.execute("SELECT count(*) FROM entity_variants WHERE entity_id="
                            "'person:anatoly-drevin'").fetchone()[0] >= 2
        days, fresh_days, evs, fresh_evs = recounted_entity_totals(s.db)
        assert days == fresh_days and evs == fresh_evs
        names = {r[0] for r in s.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert not names & {"events_member", "events_event", "extract_state",
                            "extract_entities", "reuse_link"}
        # the upgraded archive goes on growing: a new report joins the stored event
        old_ids = {r.event_id for r in EventArchive(s).records()}
        ingest([EXAMPLES / "b02_drussel_post.html"], s)
        update_archive(s)
        assert {r.event_id for r in EventArchive(s).records()} == old_ids
        days, fresh_days, evs, fresh_evs = recounted_entity_totals(s.db)
        assert days == fresh_days and evs == fresh_evs and days and evs
        assert s.integrity_ok()


def test_no_table_is_made_outside_the_migrations(tmp_path: Path) -> None:
    """Every table a full run leaves in the store is one the migrations made."""
    with Store(":memory:") as fresh:
        made = {r[0] for r in fresh.db.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")}
    db = tmp_path / "full.db"
    res = CliRunner().invoke(app, ["run", str(EXAMPLES), "--db", str(db)])
    assert res.exit_code == 0, res.output
    for cmd in (["extract", "--format", "jsonl"], ["reuse", "--format", "json"],
                ["events", "--format", "json"], ["brief", "--format", "json"]):
        assert CliRunner().invoke(app, [*cmd, "--db", str(db)]).exit_code == 0
    with Store(db) as s:
        now = {r[0] for r in s.db.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")}
    assert now - made == set()


def test_events_read_the_parses_extraction_stored_instead_of_parsing_again(
        example_articles: list[Article]) -> None:
    from newsdesk.events.features import extract_features
    from newsdesk.extract.archive import extract_new
    from newsdesk.nlp import default_cache
    from newsdesk.pipeline import LocalRunner

    s = Store(":memory:")
    s.add_articles(example_articles)
    extract_new(s, runner=LocalRunner())  # as an earlier `newsdesk extract` process did
    cache = default_cache()
    want = {(a.key, a.id): extract_features(a) for a in s.articles(None)}
    cache.docs.clear()  # a new process: nothing parsed in memory
    parsed, backed = cache.misses, cache.backed
    update_events(s)
    assert cache.misses == parsed  # spaCy parsed nothing
    assert cache.backed > backed  # every passage came from passage_docs
    got = EventArchive(s).features(want)
    assert got == want


def test_briefs_read_the_parses_extraction_stored_instead_of_parsing_again(
        example_articles: list[Article]) -> None:
    """A process that did not extract the articles (a later day's update, the brief
    command) loads their parses from passage_docs: before, it parsed every member of
    every changed event again (1,000 articles: ~50 CPU s)."""
    from newsdesk.brief.build import brief_events, brief_tasks
    from newsdesk.nlp import default_cache
    from newsdesk.pipeline import LocalRunner

    s = Store(":memory:")
    s.add_articles(example_articles)
    update_archive(s, runner=LocalRunner())
    ids = [r[0] for r in s.db.execute("SELECT event_id FROM events ORDER BY event_id")]
    want = brief_events(s, ids, use_cache=False)
    cache = default_cache()
    assert all(not t.docs for t in brief_tasks(s, ids))  # all held in memory: none read
    cache.docs.clear()  # a new process: nothing parsed in memory
    tasks = brief_tasks(s, ids)
    assert sum(len(t.docs) for t in tasks) > 0
    parsed, backed = cache.misses, cache.backed
    got = [t.run() for t in tasks]
    assert cache.misses == parsed  # spaCy parsed nothing
    assert cache.backed > backed
    assert json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)


def test_briefs_an_older_release_stored_are_made_again(
        example_articles: list[Article]) -> None:
    from newsdesk.archive import BRIEF_CACHE_VERSION, event_brief
    from newsdesk.pipeline import LocalRunner

    s = Store(":memory:")
    s.add_articles(example_articles)
    update_archive(s, runner=LocalRunner())
    eid = s.db.execute("SELECT event_id FROM event_briefs LIMIT 1").fetchone()[0]
    with s.db:
        s.db.execute("UPDATE event_briefs SET version='0' WHERE event_id=?", (eid,))
    assert event_brief(s, eid) is None  # stale: not served
    out = update_archive(s, runner=LocalRunner())  # nothing new arrived
    assert eid in out.briefed
    row = s.db.execute("SELECT version FROM event_briefs WHERE event_id=?", (eid,)).fetchone()
    assert row[0] == BRIEF_CACHE_VERSION and event_brief(s, eid) is not None


def test_an_archive_event_of_untitled_reports_takes_a_lead_sentence_title(
        tmp_path: Path) -> None:
    """Plain-text reports come without a headline: the stored event's title is the lead
    sentence (after the dateline) of one of them, not a list of the names it mentions."""
    from newsdesk.events.cluster import lead_title

    texts = {
        "w1.txt": "PORT CAMINA \u2013 Harbour pilots at Port Camina stopped work on Monday "
                  "after a dispute over night shifts, leaving eleven cargo ships waiting "
                  "outside the breakwater.\n\nThe pilots' association said talks with the "
                  "port authority had broken down.",
        "w2.txt": "Eleven cargo ships waited outside the Port Camina breakwater on Monday as "
                  "harbour pilots stopped work in a dispute over night shifts.\n\nThe port "
                  "authority said it hoped to resume talks with the pilots' association.",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with Store(tmp_path / "t.db") as s:
        ingest([tmp_path / n for n in texts], s)
        update_archive(s)
        titles = [r[0] for r in s.db.execute("SELECT title FROM events")]
    assert len(titles) == 1
    assert titles[0] in {lead_title(t) for t in texts.values()}
    assert titles[0].startswith(("Harbour pilots at Port Camina", "Eleven cargo ships"))
