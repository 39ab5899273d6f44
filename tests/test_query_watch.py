"""`newsdesk query` (the shared EventFilter through the CLI and the API) and watches/alerts.

The store is examples/ through the real pipeline; the extraction tables are filled with
known rows as tests/web_store.py does (this branch's pipeline does not write them), with
the PLOVER codes the extractor gives Kestria and Valmora (KES, VAL), plus two known date
mentions.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from newsdesk.archive import update_archive
from newsdesk.cli import app
from newsdesk.ingest import ingest
from newsdesk.query import events as qe
from newsdesk.query.events import EventFilter, QueryError
from newsdesk.store import Store
from newsdesk.watches import add_watch, list_alerts
from newsdesk.web.app import create_app
from web_store import EXAMPLES, add_extraction_rows

runner = CliRunner()
KESTRIA_EVENT = "ev-9dc4f8e501b6"
DRUSSEL_EVENT = "ev-accd772e3134"


def _seed(db: sqlite3.Connection) -> None:
    add_extraction_rows(db)
    db.execute("UPDATE political_events SET source_code = CASE source_code WHEN 'KST' THEN "
               "'KES' ELSE 'VAL' END, target_code = CASE target_code WHEN 'KST' THEN 'KES' "
               "ELSE 'VAL' END")
    arts = {r[0]: (r[1], r[2]) for r in db.execute("SELECT key, rowid, text FROM articles")}
    db.execute("DELETE FROM date_mentions")  # known rows only, as add_extraction_rows does
    for key, word, value, grain in [("b01_drussel_floods", "Thursday", "2025-03-13", "day"),
                                    ("a04_herald", "Tuesday", "2025-03", "month")]:
        rowid, text = arts[key]
        i = text.index(word)
        db.execute("INSERT OR REPLACE INTO date_mentions (article_rowid, start, end, value, "
                   "grain, text) "
                   "VALUES (?,?,?,?,?,?)", (rowid, i, i + len(word), value, grain, word))
    db.commit()


@pytest.fixture(scope="module")
def qdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("query") / "q.db"
    with Store(path) as s:
        ingest([EXAMPLES], s)
        update_archive(s)
    db = sqlite3.connect(path)
    try:
        _seed(db)
    finally:
        db.close()
    return path


def cli_ids(path: Path, *args: str) -> list[str]:
    r = runner.invoke(app, ["query", "--db", str(path), "--format", "json", *args])
    assert r.exit_code == 0, r.output
    return [e["id"] for e in json.loads(r.stdout)]


def test_actor_pair_query_finds_the_kestria_valmora_agreements(qdb: Path) -> None:
    assert cli_ids(qdb, "--actor", "KES", "--actor", "VAL", "--plover", "AGREE") == [
        KESTRIA_EVENT]
    # either direction: the pair given the other way round is the same query
    assert cli_ids(qdb, "--actor", "VAL", "--actor", "KES", "--plover", "agree") == [
        KESTRIA_EVENT]
    assert cli_ids(qdb, "--actor", "KES", "--actor", "ZZZ") == []
    # the records behind it, as docs/schema.md's example query reads them
    db = sqlite3.connect(qdb)
    rows = db.execute(
        "SELECT a.key, substr(a.text, p.start + 1, p.end - p.start) FROM political_events p "
        "JOIN articles a ON a.rowid = p.article_rowid JOIN event_articles m ON "
        "m.article_rowid = a.rowid WHERE p.type = 'AGREE' AND m.event_id = ? AND "
        "((p.source_code = 'KES' AND p.target_code = 'VAL') OR (p.source_code = 'VAL' AND "
        "p.target_code = 'KES')) ORDER BY a.key", (KESTRIA_EVENT,)).fetchall()
    db.close()
    assert len(rows) == 2
    assert any("signed a package" in r[1] for r in rows)


def test_entity_by_variant_near_spelling_and_two_together(qdb: Path) -> None:
    assert cli_ids(qdb, "--entity", "Drevin") == [KESTRIA_EVENT]
    assert cli_ids(qdb, "--entity", "Drevni") == [KESTRIA_EVENT]  # misspelt surname
    assert cli_ids(qdb, "--entity", "anatolii drevin") == [KESTRIA_EVENT]
    both_castell = cli_ids(qdb, "--entity", "Castell")
    assert set(both_castell) == {KESTRIA_EVENT, DRUSSEL_EVENT}
    assert cli_ids(qdb, "--entity", "Castell", "--entity", "Drevin") == [KESTRIA_EVENT]
    r = runner.invoke(app, ["query", "--db", str(qdb), "--entity", "Qwxyzzy"])
    assert r.exit_code == 2 and "Qwxyzzy" in r.output


def test_place_source_dates_and_sources(qdb: Path) -> None:
    assert cli_ids(qdb, "--place", "drussel") == [DRUSSEL_EVENT]
    assert cli_ids(qdb, "--source", "Drussel Evening Post") == [DRUSSEL_EVENT]
    assert set(cli_ids(qdb, "--min-sources", "4")) == {KESTRIA_EVENT, DRUSSEL_EVENT}
    assert DRUSSEL_EVENT not in cli_ids(qdb, "--from", "2025-04")
    assert set(cli_ids(qdb, "--from", "2025-03-13", "--to", "2025-03")) == {DRUSSEL_EVENT}
    assert cli_ids(qdb, "--mentions-from", "2025-03-10") == [DRUSSEL_EVENT]
    assert set(cli_ids(qdb, "--mentions-to", "2025-03")) == {KESTRIA_EVENT, DRUSSEL_EVENT}
    assert cli_ids(qdb, "--mentions-from", "2025-04") == []


def test_csv_and_table_formats(qdb: Path) -> None:
    r = runner.invoke(app, ["query", "--db", str(qdb), "--place", "Drussel", "--format", "csv"])
    lines = r.stdout.splitlines()
    assert lines[0].startswith("id,title,first,last,place,articles")
    assert len(lines) == 2 and lines[1].startswith(f"{DRUSSEL_EVENT},")
    assert ",Drussel,4," in lines[1]
    r = runner.invoke(app, ["query", "--db", str(qdb), "--place", "Drussel"])
    assert DRUSSEL_EVENT in r.stdout


@pytest.mark.parametrize(("cli", "api"), [
    (["--entity", "Drevni"], "entities=Drevni"),
    (["--entity", "Castell", "--entity", "Drevin"], "entities=Castell;Drevin"),
    (["--actor", "KES", "--actor", "VAL", "--plover", "AGREE"], "actors=KES;VAL&plover=AGREE"),
    (["--min-sources", "4"], "min_sources=4"),
    (["--mentions-from", "2025-03-10"], "mentioned_from=2025-03-10"),
    (["--from", "2025-04"], "published_from=2025-04"),
    (["--place", "Drussel", "--source", "Drussel Evening Post"],
     "place=Drussel&source=Drussel%20Evening%20Post"),
])
def test_cli_and_api_give_the_same_events(qdb: Path, cli: list[str], api: str) -> None:
    client = TestClient(create_app(qdb))
    got = client.get(f"/api/events?{api}")
    assert got.status_code == 200, got.text
    api_items = got.json()["items"]
    r = runner.invoke(app, ["query", "--db", str(qdb), "--format", "json", *cli])
    assert json.loads(r.stdout) == api_items
    assert api_items  # every case matches something, so equality is not two empty lists
    # and the home page lists the same events
    html = client.get(f"/?{api}").text
    for item in api_items:
        assert item["id"] in html


def test_api_reports_an_unknown_entity_as_a_bad_parameter(qdb: Path) -> None:
    r = TestClient(create_app(qdb)).get("/api/events?entities=Qwxyzzy")
    assert r.status_code == 400 and r.json()["param"] == "entities"


def test_filter_refuses_three_actors() -> None:
    with pytest.raises(QueryError):
        EventFilter(actors="A;B;C").checked()
    assert qe.LIST_SEP == ";"


# -- watches ---------------------------------------------------------------------------------


def _drussel_dirs(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    shutil.copy(EXAMPLES / "b01_drussel_floods.txt", first)
    shutil.copy(EXAMPLES / "b02_drussel_post.html", second)
    return first, second


def test_drussel_watch_fires_on_the_second_report_and_not_on_reingest(tmp_path: Path) -> None:
    first, second = _drussel_dirs(tmp_path)
    db = str(tmp_path / "w.db")
    r = runner.invoke(app, ["ingest", "--db", db, str(first)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["watch", "add", "drussel", "--db", db, "--place", "Drussel"])
    assert r.exit_code == 0, r.output
    assert "matches 1 event" in r.output
    listed = json.loads(runner.invoke(app, ["watch", "list", "--db", db, "-f", "json"]).stdout)
    assert listed[0]["name"] == "drussel" and listed[0]["filter"] == {"place": "Drussel"}
    # nothing fired for the event the watch already saw
    assert json.loads(runner.invoke(app, ["alerts", "--db", db, "-f", "json"]).stdout) == []
    runner.invoke(app, ["ingest", "--db", db, str(second)])
    alerts = json.loads(runner.invoke(app, ["alerts", "--db", db, "-f", "json"]).stdout)
    kinds = {a["kind"] for a in alerts}
    assert {"grew", "corroborated"} <= kinds
    assert {a["event_id"] for a in alerts} == {DRUSSEL_EVENT}
    grew = next(a for a in alerts if a["kind"] == "grew")
    assert grew["detail"]["before"] == 1 and grew["detail"]["articles"] == 2
    corr = next(a for a in alerts if a["kind"] == "corroborated")
    assert corr["detail"]["independent_sources"] == 2
    # the same report again: nothing new
    runner.invoke(app, ["ingest", "--db", db, str(second)])
    again = json.loads(runner.invoke(app, ["alerts", "--db", db, "-f", "json"]).stdout)
    assert again == alerts
    only = json.loads(runner.invoke(app, ["alerts", "--db", db, "--watch", "drussel",
                                          "--since", "2999-01-01", "-f", "json"]).stdout)
    assert only == []
    # the server publishes the watch: an Atom feed a feed reader parses, and a page
    client = TestClient(create_app(db))
    feed = client.get("/watch/drussel.atom")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(feed.content)
    assert parsed.version == "atom10" and not parsed.bozo
    assert len(parsed.entries) == len(alerts)
    assert {e.tags[0].term for e in parsed.entries} == kinds
    assert all(e.link.endswith(f"/events/{DRUSSEL_EVENT}") for e in parsed.entries)
    assert "Event grew" in " ".join(e.title for e in parsed.entries)
    html = client.get("/watch/drussel").text
    assert "First corroboration" in html and f"/events/{DRUSSEL_EVENT}" in html
    assert "/watch/drussel.atom" in html
    api = client.get("/api/watches/drussel/alerts").json()
    assert [a["id"] for a in api["items"]] == [a["id"] for a in alerts]
    missing = client.get("/watch/nope.atom")
    assert missing.status_code == 404
    r = runner.invoke(app, ["watch", "remove", "drussel", "--db", db])
    assert r.exit_code == 0
    assert runner.invoke(app, ["alerts", "--db", db, "--watch", "drussel"]).exit_code == 2


def test_watch_on_an_empty_archive_fires_new_event(tmp_path: Path) -> None:
    first, second = _drussel_dirs(tmp_path)
    with Store(tmp_path / "n.db") as s:
        add_watch(s, "floods", EventFilter(q="Vessa"))
        ingest([first], s)
        up = update_archive(s)
        assert up.alerts == 1 and up.watch_error is None
        assert [a.kind for a in list_alerts(s.db)] == ["new_event"]
        ingest([first], s)
        assert update_archive(s).alerts == 0


def test_a_broken_watch_never_breaks_the_update(tmp_path: Path) -> None:
    first, _ = _drussel_dirs(tmp_path)
    with Store(tmp_path / "b.db") as s:
        s.db.execute("INSERT INTO watches (name, filter, created) VALUES ('bad', 'not json', "
                     "'2025-01-01')")
        s.db.commit()
        ingest([first], s)
        up = update_archive(s)
        assert up.events.created and up.watch_error and "JSON" in up.watch_error
        assert s.db.execute("SELECT count(*) FROM events").fetchone()[0] == 1


def test_watch_names_and_duplicates_are_refused(tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    assert runner.invoke(app, ["watch", "add", "a/b", "--db", db]).exit_code == 2
    assert runner.invoke(app, ["watch", "add", "ok", "--db", db]).exit_code == 0
    r = runner.invoke(app, ["watch", "add", "ok", "--db", db])
    assert r.exit_code == 2 and "exists" in r.output


# -- timeline --------------------------------------------------------------------------------


def _expected_pair_days(path: Path) -> dict[str, tuple[int, int]]:
    """(articles, mentions) per day of the articles naming both Kestria and Valmora,
    counted from the text with the patterns the fixture's mentions were made with."""
    db = sqlite3.connect(path)
    out: dict[str, tuple[int, int]] = {}
    for published, text in db.execute("SELECT published, text FROM articles"):
        k = len(re.findall(r"\bKestria\b", text))
        v = len(re.findall(r"\bValmora\b", text))
        if k and v and published:
            a, m = out.get(published, (0, 0))
            out[published] = (a + 1, m + k + v)
    db.close()
    return out


def test_timeline_csv_of_a_pair(qdb: Path) -> None:
    r = runner.invoke(app, ["timeline", "Kestria", "Valmora", "--db", str(qdb), "-f", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0] == ["period", "start", "articles", "events", "mentions",
                       "AGREE Kestria>Valmora", "AGREE Valmora>Kestria"]
    expected = _expected_pair_days(qdb)
    assert [row[0] for row in rows[1:]] == ["2025-03-04", "2025-03-05"] == sorted(expected)
    for row in rows[1:]:
        assert (int(row[2]), int(row[4])) == expected[row[0]]
        assert row[3] == "1"  # all in the one Kestria-Valmora event
    # the two AGREE records, one each way, on their own days
    assert rows[1][5:] == ["1", "0"] and rows[2][5:] == ["0", "1"]
    # the pair given the other way round swaps the direction columns' names, not the counts
    r2 = runner.invoke(app, ["timeline", "Valmora", "Kestria", "--db", str(qdb), "-f", "csv"])
    assert r2.stdout.splitlines()[1].startswith("2025-03-04,2025-03-04,")


def test_timeline_by_week_and_month_fills_empty_periods(qdb: Path) -> None:
    r = runner.invoke(app, ["timeline", "Castel", "--db", str(qdb), "--by", "week", "-f", "csv"])
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows[0][:5] == ["period", "start", "articles", "events", "mentions"]
    assert "CONSULT" in rows[0]  # Drevin called on Castell: her side of the record
    periods = [row[0] for row in rows[1:]]
    assert periods[0] == "2025-W10" and rows[1][1] == "2025-03-03"
    assert periods == sorted(periods) and len(set(periods)) == len(periods)
    r = runner.invoke(app, ["timeline", "Valmora", "--db", str(qdb), "--by", "month", "-f",
                            "csv"])
    months = [row[0] for row in list(csv.reader(io.StringIO(r.stdout)))[1:]]
    assert months[0] == "2025-03" and all(len(m) == 7 for m in months)
    # consecutive months, none skipped even when empty
    nums = [int(m[:4]) * 12 + int(m[5:]) for m in months]
    assert nums == list(range(nums[0], nums[0] + len(nums)))


def test_timeline_svg_has_the_series(qdb: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.svg"
    r = runner.invoke(app, ["timeline", "Kestria", "Valmora", "--db", str(qdb), "-f", "svg",
                            "-o", str(out)])
    assert r.exit_code == 0, r.output
    svg = out.read_text()
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag.endswith("svg")
    lines = {el.get("data-series"): el.get("points") for el in root.iter()
             if el.tag.endswith("polyline")}
    assert set(lines) == {"articles", "events", "mentions"}
    assert all(len((p or "").split()) == 2 for p in lines.values())  # one point per day
    for label in ("AGREE Kestria&gt;Valmora", "AGREE Valmora&gt;Kestria", "2025-03-04",
                  "2025-03-05", "coverage per day"):
        assert label in svg
    bars = [el for el in root.iter() if el.tag.endswith("rect") and el.get("class") == "bar"]
    assert len(bars) == 2


def test_timeline_png_and_unknown_entity_explain(qdb: Path, tmp_path: Path) -> None:
    from PIL import Image

    png = tmp_path / "t.png"
    r = runner.invoke(app, ["timeline", "Kestria", "Valmora", "--db", str(qdb), "-f", "png",
                            "-o", str(png)])
    assert r.exit_code == 0, r.output
    with Image.open(png) as im:  # a real picture of a readable size, not an empty file
        assert im.format == "PNG" and im.size[0] >= 600 and im.size[1] >= 400
        colours = im.convert("RGB").getcolors(maxcolors=1_000_000) or []
        assert len(colours) > 20  # lines, bars, text: more than a blank canvas
    r = runner.invoke(app, ["timeline", "Qwxyzzy", "--db", str(qdb)])
    assert r.exit_code == 2 and "Qwxyzzy" in r.output


def test_a_misspelt_surname_resolves_to_its_entity(store: Store) -> None:
    db = store.db
    db.executemany("INSERT INTO entities (entity_id, name, type) VALUES (?,?,?)",
                   [("person:sergey-lavrov", "Sergey Lavrov", "PERSON"),
                    ("gpe:valmora", "Valmora", "GPE"), ("person:lars-lavik", "Lars Lavik",
                                                         "PERSON")])
    db.executemany("INSERT INTO entity_variants (entity_id, variant, count) VALUES (?,?,?)",
                   [("person:sergey-lavrov", "Sergei Lavrov", 3),
                    ("person:sergey-lavrov", "Lavrov", 5), ("gpe:valmora", "Valmora", 2)])
    assert qe.resolve_entity(db, "Lavorv") == ["person:sergey-lavrov"]
    assert qe.resolve_entity(db, "sergei lavrov") == ["person:sergey-lavrov"]  # a variant
    assert qe.resolve_entity(db, "gpe:valmora") == ["gpe:valmora"]  # an id
    assert qe.resolve_entity(db, "Qwxyzzy") == []


def test_one_failing_watch_does_not_stop_the_others(tmp_path: Path) -> None:
    first, _ = _drussel_dirs(tmp_path)
    with Store(tmp_path / "o.db") as s:
        add_watch(s, "good", EventFilter(q="Vessa"))
        # a watch on a name no entity has (yet): it cannot run, the other one still fires
        s.db.execute("INSERT INTO watches (name, filter, created) VALUES ('later', "
                     "'{\"entities\": \"Qwxyzzy\"}', '2025-01-01')")
        s.db.commit()
        ingest([first], s)
        up = update_archive(s)
        assert up.watch_error and "later" in up.watch_error and "Qwxyzzy" in up.watch_error
        assert [a.watch for a in list_alerts(s.db)] == ["good"]


def test_home_page_form_keeps_the_new_filters(qdb: Path) -> None:
    client = TestClient(create_app(qdb))
    html = client.get("/?entities=Drevni&actors=KES;VAL&min_sources=2").text
    assert 'name="entities" value="Drevni"' in html
    assert 'name="actors" value="KES;VAL"' in html
    assert 'name="min_sources" value="2"' in html
    assert KESTRIA_EVENT in html and DRUSSEL_EVENT not in html.split("listing", 1)[1]
    # an empty form field is no filter (browsers send min_sources= when it is left blank)
    blank = client.get("/?min_sources=&entities=&actors=")
    assert blank.status_code == 200 and KESTRIA_EVENT in blank.text and DRUSSEL_EVENT in blank.text
    bad = client.get("/api/events?min_sources=two")
    assert bad.status_code == 400 and "min_sources" in bad.json()["detail"]


def test_actor_pair_query_on_the_real_extraction(tmp_path: Path) -> None:
    """No seeded rows: the extractors' own PLOVER records of the example corpus."""
    path = tmp_path / "real.db"
    with Store(path) as s:
        ingest([EXAMPLES], s)
        update_archive(s)
        n = s.db.execute("SELECT count(*) FROM political_events WHERE type='AGREE' AND "
                         "((source_code='KES' AND target_code='VAL') OR "
                         "(source_code='VAL' AND target_code='KES'))").fetchone()[0]
    assert n >= 2
    assert cli_ids(path, "--actor", "KES", "--actor", "VAL", "--plover", "AGREE") == [
        KESTRIA_EVENT]
    assert cli_ids(path, "--entity", "Dreivn") == [KESTRIA_EVENT]  # a variant's typo
