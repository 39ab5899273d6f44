"""Breaking score: growth now against the event's and the archive's pace; sorting and watches.

Arrival times (event_articles.added) of a store built from examples/ are rewritten so one
event is growing fast now and the others stopped days ago.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.archive import update_archive
from newsdesk.cli import app
from newsdesk.ingest import ingest
from newsdesk.query.breaking import WINDOW_HOURS, breaking_score, by_breaking
from newsdesk.query.events import EventFilter
from newsdesk.store import Store
from newsdesk.watches import add_watch, list_alerts
from web_store import EXAMPLES

runner = CliRunner()
KESTRIA_EVENT = "ev-9dc4f8e501b6"
DRUSSEL_EVENT = "ev-accd772e3134"
NOW = "2025-03-14T12:00:00+00:00"


@pytest.fixture(scope="module")
def bdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("breaking") / "b.db"
    with Store(path) as s:
        ingest([EXAMPLES], s)
        update_archive(s)
    db = sqlite3.connect(path)
    # everything arrived a week ago, one article an hour...
    db.execute("UPDATE event_articles SET added = strftime('%Y-%m-%dT%H:%M:%S+00:00', "
               "'2025-03-07T00:00:00', '+' || seq || ' hours')")
    # ...but the Drussel floods: one report two days ago, the other three in the last 2 hours
    rows = db.execute("SELECT article_rowid FROM event_articles WHERE event_id = ? ORDER BY "
                      "seq", (DRUSSEL_EVENT,)).fetchall()
    for n, (rowid,) in enumerate(rows):
        added = "2025-03-12T12:00:00+00:00" if n == 0 else f"2025-03-14T{9 + n:02d}:00:00+00:00"
        db.execute("UPDATE event_articles SET added = ? WHERE article_rowid = ?",
                   (added, rowid))
    db.commit()
    db.close()
    return path


def test_a_fast_growing_event_scores_high_and_a_quiet_one_zero(bdb: Path) -> None:
    db = sqlite3.connect(bdb)
    drussel = breaking_score(db, DRUSSEL_EVENT, NOW)
    kestria = breaking_score(db, KESTRIA_EVENT, NOW)
    assert kestria["score"] == 0 and kestria["recent_articles"] == 0
    assert drussel["recent_articles"] == 3
    assert drussel["recent_sources"] >= 2  # new outlets, not the first report's
    # three articles (+2 per new outlet) in 6 h against a baseline of about one a day or less
    assert drussel["rate_per_hour"] == pytest.approx(
        (3 + 2 * drussel["recent_sources"]) / WINDOW_HOURS, abs=1e-3)
    assert drussel["score"] > 10
    # later, with nothing new in the window, the same event is no longer breaking
    assert breaking_score(db, DRUSSEL_EVENT, "2025-03-20T00:00:00+00:00")["score"] == 0
    items = [{"id": KESTRIA_EVENT}, {"id": DRUSSEL_EVENT}]
    ranked = by_breaking(db, items, NOW)
    assert [i["id"] for i in ranked] == [DRUSSEL_EVENT, KESTRIA_EVENT]
    assert ranked[0]["breaking"] == drussel["score"]
    db.close()


def test_query_sorts_by_breaking(bdb: Path) -> None:
    r = runner.invoke(app, ["query", "--db", str(bdb), "--sort", "breaking", "-f", "json"])
    assert r.exit_code == 0, r.output
    items = json.loads(r.stdout)
    assert items[0]["id"] == DRUSSEL_EVENT  # latest arrival in the archive is "now"
    assert items[0]["breaking"] > items[1]["breaking"]
    assert runner.invoke(app, ["query", "--db", str(bdb), "--sort", "size"]).exit_code == 2


def test_min_breaking_is_a_watch_condition(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    shutil.copy(EXAMPLES / "b01_drussel_floods.txt", first)
    shutil.copy(EXAMPLES / "b02_drussel_post.html", second)
    with Store(tmp_path / "w.db") as s:
        ingest([first], s)
        update_archive(s)
        add_watch(s, "fast", EventFilter(place="Drussel"), min_breaking=1.0)
        add_watch(s, "never", EventFilter(place="Drussel"), min_breaking=1e9)
        ingest([second], s)
        update_archive(s)
        fired = {a.watch for a in list_alerts(s.db)}
    assert fired == {"fast"}
