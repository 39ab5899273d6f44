"""Search over a large archive: the ranking window, snippets by rowid range, and the
server's bound on requests answered at once (issue 13's load figures rest on these)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from newsdesk.ingest import ingest
from newsdesk.query import events as qe
from newsdesk.store import Store
from newsdesk.web.app import create_app
from newsdesk.web.db import Watchdog

# fictional reports: one old article says "ferry" many times (the best BM25 match), newer
# ones once each, so a window over the latest matches leaves the old one out
OLD = ("The ferry to Ostvik ran late again. Ferry crews said the ferry engines need parts, "
       "and the ferry office promised a new ferry timetable for the ferry route.")


def _records(n_new: int) -> list[dict[str, str]]:
    recs = [{"id": "old", "title": "Ferry trouble in Ostvik", "source": "Ostvik Post",
             "published": "2025-01-02", "text": OLD + "\n\nPassengers waited on the quay."}]
    for i in range(n_new):
        recs.append({"id": f"new{i:02d}", "title": f"Harbour notes {i}", "source": "Quay Daily",
                     "published": f"2025-02-{i + 1:02d}",
                     "text": f"Dock {i} reopened on Tuesday after repairs to the crane rails. "
                             "A ferry berth nearby stays closed until spring.\n\nTraders "
                             f"said stall {i} would open by the railway arches."})
    return recs


@pytest.fixture()
def store_path(tmp_path: Path) -> Path:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in _records(8)), encoding="utf-8")
    path = tmp_path / "s.db"
    with Store(path) as s:
        assert ingest([src], s).added == 9
    return path


def _keys(page: qe.Page) -> list[str]:
    return [h["key"] for g in page.items for h in g["articles"]]


def test_recent_ranks_only_the_latest_matches_and_all_ranks_every_one(
        store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(store_path) as s:
        everything = qe.search(s.db, "ferry", rank="all")
        assert _keys(everything)[0] == "old" and len(_keys(everything)) == 9
        assert everything.meta == {"ranked": "all", "window": None}
        # under the window: nothing changes
        assert _keys(qe.search(s.db, "ferry")) == _keys(everything)
        monkeypatch.setattr(qe, "RANK_WINDOW", 4)
        recent = qe.search(s.db, "ferry")
        assert recent.meta == {"ranked": "recent", "window": 4}
        assert sorted(_keys(recent)) == ["new04", "new05", "new06", "new07"]
        assert _keys(qe.search(s.db, "ferry", rank="all")) == _keys(everything)
        with pytest.raises(qe.QueryError, match="rank"):
            qe.search(s.db, "ferry", rank="best")  # type: ignore[arg-type]


def test_pages_of_a_window_stay_in_it_while_new_articles_arrive(
        store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qe, "RANK_WINDOW", 4)
    window = ["new04", "new05", "new06", "new07"]
    with Store(store_path) as s:
        first = qe.search(s.db, "ferry", limit=2)
        assert first.next is not None
        second = qe.search(s.db, "ferry", limit=2, cursor=first.next)
        assert second.next is None and sorted(_keys(first) + _keys(second)) == window
        late = tmp_path / "late.jsonl"  # a newer, better match arrives between the pages
        late.write_text(json.dumps({"id": "late", "title": "Ferry news", "source": "Quay Daily",
                                    "published": "2025-03-01", "text": OLD}) + "\n")
        assert ingest([late], s).added == 1
        # later pages keep to the first page's rowid range (BM25's corpus statistics do
        # move with the archive, so scores near the cursor may shift; the set does not)
        again = qe.search(s.db, "ferry", limit=2, cursor=first.next)
        assert "late" not in _keys(again) and set(_keys(again)) <= set(window)
        # a new search has a new window, with the late article in it and ranked first
        assert _keys(qe.search(s.db, "ferry"))[0] == "late"


def test_snippets_are_fts5s_own_for_prefix_and_phrase_queries(store_path: Path) -> None:
    with Store(store_path) as s:
        for q in ["rail*", '"crane rails"', "ferry OR stall"]:
            page = qe.search(s.db, q, rank="all")
            hits = [h for g in page.items for h in g["articles"]]
            assert hits
            for h in hits:
                want = s.db.execute(
                    f"SELECT snippet(articles_fts, 1, '{qe.SNIP_OPEN}', '{qe.SNIP_CLOSE}', "
                    "'…', 14) FROM articles_fts WHERE articles_fts MATCH ? AND rowid = ?",
                    (q, h["rowid"])).fetchone()[0]
                assert h["snippet"] == want and qe.SNIP_OPEN in want


def test_api_search_says_how_it_ranked_and_takes_rank_all(
        store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qe, "RANK_WINDOW", 4)
    with TestClient(create_app(store_path)) as c:
        body = c.get("/api/search", params={"q": "ferry"}).json()
        assert body["ranked"] == "recent" and body["window"] == 4
        assert "old" not in [h["key"] for g in body["items"] for h in g["articles"]]
        body = c.get("/api/search", params={"q": "ferry", "rank": "all"}).json()
        assert body["ranked"] == "all"
        assert body["items"][0]["articles"][0]["key"] == "old"
        bad = c.get("/api/search", params={"q": "ferry", "rank": "best"})
        assert bad.status_code == 400 and "rank" in bad.json()["detail"]
        html = c.get("/search", params={"q": "ferry"}).text
        assert "latest 4 articles" in html and "rank=all" in html


@pytest.mark.parametrize("threads", [1, 3])
def test_the_server_answers_at_most_threads_requests_at_once(
        store_path: Path, threads: int) -> None:
    with TestClient(create_app(store_path, threads=threads)) as c:
        assert c.get("/api/search", params={"q": "ferry"}).status_code == 200
        tokens = c.portal.call(lambda: anyio.to_thread.current_default_thread_limiter()
                               .total_tokens)
        assert tokens == threads
    with pytest.raises(ValueError, match="threads"):
        create_app(store_path, threads=0)


def test_watchdog_wakes_for_an_earlier_deadline_than_the_armed_ones(tmp_path: Path) -> None:
    dog = Watchdog()
    a, b = sqlite3.connect(":memory:", check_same_thread=False), \
        sqlite3.connect(":memory:", check_same_thread=False)
    endless = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
               "SELECT count(*) FROM c")
    try:
        late = dog.arm(a, time.monotonic() + 60)
        time.sleep(0.3)  # the thread now sleeps towards 60 s
        t = time.monotonic()
        dog.arm(b, time.monotonic() + 0.2)  # earlier: must wake it, not wait 60 s
        errors: list[str] = []

        def run() -> None:
            try:
                b.execute(endless).fetchone()
            except sqlite3.OperationalError as e:
                errors.append(str(e))
        th = threading.Thread(target=run)
        th.start()
        th.join(10)
        if th.is_alive():
            b.interrupt()
            th.join()
        assert errors and "interrupted" in errors[0]
        assert time.monotonic() - t < 5
        dog.disarm(late)
    finally:
        a.close()
        b.close()
