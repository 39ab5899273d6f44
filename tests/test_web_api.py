"""`newsdesk serve` in-process (Starlette's TestClient): the JSON API and the pages.

The store is examples/ through the real pipeline, one hostile article, and known rows in
the extraction tables (tests/web_store.py). Every test asserts content.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from newsdesk.archive import event_brief
from newsdesk.cli.serve import is_loopback
from newsdesk.store import Store
from newsdesk.web import create_app
from newsdesk.web.db import ReadOnlyStore
from web_store import HALVARD, HOSTILE_KEY, KESTRIA, VALMORA, web_db  # noqa: F401

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

DRUSSEL = "ev-accd772e3134"
KESTRIA_EV = "ev-9dc4f8e501b6"
PORT_CAMINA = "ev-3002753ddf0b"
OPERA = "ev-66635e5121c8"
VPR_KEYS = ["b04_vpr", "c03_vpr"]

Web = tuple[Path, dict[str, Any]]


@pytest.fixture(scope="module")
def client(web_db: Web) -> Iterator[TestClient]:  # noqa: F811
    with TestClient(create_app(web_db[0]), raise_server_exceptions=False) as c:
        yield c


def live_events(path: Path) -> list[tuple[str, str]]:
    db = sqlite3.connect(path)
    try:
        return [(r[0], r[1]) for r in db.execute(
            "SELECT event_id, title FROM events WHERE merged_into IS NULL "
            "ORDER BY coalesce(last_date, '') DESC, event_id")]
    finally:
        db.close()


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in r.text and 'File "' not in r.text
    return dict(body)


# -- events -----------------------------------------------------------------------------


def test_events_list_has_every_live_event_with_counts(client: TestClient, web_db: Web) -> None:  # noqa: F811
    r = client.get("/api/events")
    assert r.status_code == 200
    body = r.json()
    assert body["next"] is None
    assert [(i["id"], i["title"]) for i in body["items"]] == live_events(web_db[0])
    drussel = next(i for i in body["items"] if i["id"] == DRUSSEL)
    assert drussel["title"] == "Fifteen dead as River Vessa floods Drussel"
    assert drussel["dates"] == {"first": "2025-03-13", "last": "2025-03-14"}
    assert drussel["place"] == "Drussel"
    assert drussel["articles"] == 4 and drussel["independent_sources"] == 4
    kestria = next(i for i in body["items"] if i["id"] == KESTRIA_EV)
    assert kestria["articles"] == 8 and kestria["copies"] == 1


def test_keyset_pages_with_link_header_cover_the_list_once(client: TestClient) -> None:
    full = [i["id"] for i in client.get("/api/events").json()["items"]]
    seen: list[str] = []
    url: str | None = "/api/events?limit=2"
    pages = 0
    while url:
        r = client.get(url)
        body = r.json()
        assert len(body["items"]) <= 2
        seen += [i["id"] for i in body["items"]]
        pages += 1
        if body["next"]:
            link = r.headers["link"]
            assert link.endswith('>; rel="next"') and f"cursor={body['next']}" in link
            url = link[1:link.index(">")]
        else:
            assert "link" not in r.headers
            url = None
    assert seen == full and pages == (len(full) + 1) // 2


@pytest.mark.parametrize("query, expected", [
    ("place=Drussel", {DRUSSEL}),
    (f"entity={HALVARD}", {KESTRIA_EV}),
    ("entity=tomas%20halvard", {KESTRIA_EV}),  # by name too
    ("plover=agree", {KESTRIA_EV}),
    ("source=Valmora%20Public%20Radio", {DRUSSEL, PORT_CAMINA}),
    ("date_from=2025-04&date_to=2025-04-20", {OPERA}),
    ("q=cloudburst", {PORT_CAMINA}),
    ("q=floods&date_to=2025-03", {DRUSSEL}),
])
def test_filters_select_events(client: TestClient, query: str, expected: set[str]) -> None:
    got = {i["id"] for i in client.get(f"/api/events?{query}").json()["items"]}
    assert got == expected


def test_csv_and_ndjson_lists(client: TestClient, web_db: Web) -> None:  # noqa: F811
    ids = [e for e, _ in live_events(web_db[0])]
    r = client.get("/api/events?format=csv")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [x["id"] for x in rows] == ids
    d = next(x for x in rows if x["id"] == DRUSSEL)
    assert d["dates.first"] == "2025-03-13" and d["independent_sources"] == "4"
    r = client.get("/api/events?format=ndjson&limit=2")
    assert r.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(x) for x in r.text.splitlines()]
    assert [x["id"] for x in lines] == ids[:2]
    assert 'rel="next"' in r.headers["link"]
    r = client.get("/api/sources/Valmora%20Public%20Radio?format=csv")
    assert r.headers["content-type"].startswith("text/csv")
    assert sorted(x["key"] for x in csv.DictReader(io.StringIO(r.text))) == VPR_KEYS


def test_event_is_the_stored_brief_event(client: TestClient, web_db: Web) -> None:  # noqa: F811
    r = client.get(f"/api/events/{DRUSSEL}")
    assert r.status_code == 200
    with Store(web_db[0]) as s:
        stored = event_brief(s, DRUSSEL)
    assert r.json() == stored
    ev = r.json()
    assert ev["id"] == DRUSSEL and ev["claims"] and ev["articles"][0]["text"]
    assert any(c["status"] == "conflicting" for c in ev["claims"])


def test_alias_of_a_merged_event_redirects(web_db: Web, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "alias.db"
    shutil.copy(web_db[0], path)
    db = sqlite3.connect(path)
    db.execute("INSERT INTO events (event_id, title, created, updated, merged_into) VALUES "
               "('ev-000000000001', 'old', 'x', 'x', ?)", (DRUSSEL,))
    db.execute("INSERT INTO events (event_id, title, created, updated, merged_into) VALUES "
               "('ev-000000000002', 'older', 'x', 'x', 'ev-000000000001')")
    db.commit()
    db.close()
    with TestClient(create_app(path)) as c:
        r = c.get("/api/events/ev-000000000002?x=1", follow_redirects=False)
        assert r.status_code == 308
        assert r.headers["location"] == f"/api/events/{DRUSSEL}?x=1"
        r = c.get("/events/ev-000000000001", follow_redirects=False)
        assert r.status_code == 308 and r.headers["location"] == f"/events/{DRUSSEL}"
        assert c.get("/api/events/ev-000000000002").json()["id"] == DRUSSEL
        ids = [i["id"] for i in c.get("/api/events").json()["items"]]
        assert "ev-000000000001" not in ids and DRUSSEL in ids


# -- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("url, status, says", [
    ("/api/events?limit=0", 400, "limit"),
    ("/api/events?limit=100000", 400, "limit"),
    ("/api/events?date_from=yesterday", 400, "YYYY-MM-DD"),
    ("/api/events?entity=Nobody%20Atall", 400, "/api/entities?q="),
    ("/api/events?cursor=not-a-cursor", 400, "next"),
    ("/api/events?format=xml", 400, "format"),
    ("/api/events/ev-doesnotexist", 404, "/api/events"),
    ("/api/entities/person:nobody", 404, "/api/entities"),
    ("/api/sources/No%20Such%20Outlet", 404, "outlet"),
    ("/api/search?q=%22unclosed%20phrase", 400, "double quotes"),
    ("/api/search?q=", 400, "q"),
    ("/api/articles/999999", 404, "article"),
    ("/api/no-such-route", 404, "openapi.json"),
])
def test_errors_are_problem_json_saying_how_to_fix(client: TestClient, url: str, status: int,
                                                   says: str) -> None:
    body = problem(client.get(url), status)
    assert says in body["detail"]


def test_writes_are_refused_as_problem_json(client: TestClient) -> None:
    body = problem(client.post("/api/events", json={}), 405)
    assert "read-only" in body["detail"]


def test_pathological_query_is_stopped_with_400(web_db: Web,  # noqa: F811
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("newsdesk.web.db.PROGRESS_STEPS", 1)
    with TestClient(create_app(web_db[0], time_limit=1e-9)) as c:
        prefixes = " OR ".join(f"{a}{b}*" for a in "abcdefghij" for b in "aeiou")
        body = problem(c.get("/api/search", params={"q": prefixes}), 400)
        assert body["title"] == "Query too expensive" and "narrow" in body["detail"]
        body = problem(c.get("/api/events", params={"q": "floods"}), 400)
        assert "limit" in body["detail"]
    with TestClient(create_app(web_db[0])) as c:  # the default limit lets it through
        assert c.get("/api/search", params={"q": prefixes}).status_code == 200


def test_the_watchdog_interrupts_work_no_progress_check_sees(
        web_db: Web, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    import time

    monkeypatch.setattr("newsdesk.web.db.PROGRESS_STEPS", 10**9)  # progress checks off
    s = ReadOnlyStore(web_db[0], time_limit=0.3)
    try:
        endless = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                   "SELECT count(*) FROM c")
        s.start_request()
        t = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="interrupted"):
            s.db.execute(endless).fetchone()
        assert time.monotonic() - t < 5
        s.end_request()
        # a disarmed clock never fires into the connection's next request
        s.start_request()
        s.end_request()
        time.sleep(0.4)
        assert s.db.execute("SELECT count(*) FROM events").fetchone()[0] > 0
    finally:
        s.close()


def test_the_store_is_opened_read_only(web_db: Web) -> None:  # noqa: F811
    s = ReadOnlyStore(web_db[0])
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly|read-only|query_only"):
            s.db.execute("DELETE FROM events")
    finally:
        s.close()


def test_a_writer_holding_the_lock_does_not_block_and_new_rows_appear(
        web_db: Web, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "live.db"
    shutil.copy(web_db[0], path)
    writer = Store(path)
    try:
        with TestClient(create_app(path, time_limit=5.0)) as c:
            before = {i["id"] for i in c.get("/api/events").json()["items"]}
            writer.db.execute("BEGIN IMMEDIATE")
            writer.db.execute(
                "INSERT INTO events (event_id, title, first_date, last_date, created, updated)"
                " VALUES ('ev-new000000001', 'Ferry strike ends', '2025-06-01', '2025-06-01',"
                " 'x', 'x')")
            r = c.get("/api/events")  # the write transaction is open: readers still read
            assert r.status_code == 200 and {i["id"] for i in r.json()["items"]} == before
            writer.db.execute("COMMIT")
            after = c.get("/api/events").json()["items"]
            assert after[0]["id"] == "ev-new000000001" and after[0]["title"] == "Ferry strike ends"
    finally:
        writer.close()


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    from newsdesk.errors import StoreError

    with pytest.raises(StoreError, match="--db"):
        create_app(tmp_path / "nope.db")


# -- safety headers and escaping -------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/api/events", f"/events/{DRUSSEL}", "/api/nothing"])
def test_strict_csp_on_every_response(client: TestClient, url: str) -> None:
    csp = client.get(url).headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


def test_hostile_article_is_shown_as_text_everywhere(client: TestClient) -> None:
    ev = next(i for i in client.get("/api/events").json()["items"]
              if i["title"].startswith("Harbour row"))
    assert "<script>" in ev["title"]  # JSON carries the data as it is
    pages = [client.get(f"/events/{ev['id']}").text, client.get("/").text,
             client.get("/search?q=Quillon").text,
             client.get("/sources/" + "Quillon%20%3Cb%20onmouseover%3D%22window.__pwned%20"
                        "%3D%203%22%3EGazette%3C%2Fb%3E").text]
    for html in pages:
        assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
        assert "<script>window" not in html and "<img src" not in html
        assert "<b onmouseover" not in html
    assert "&lt;img src=&#34;x&#34; onerror=&#34;window.__pwned = 5&#34;&gt;" in pages[0]
    assert HOSTILE_KEY in pages[0]


# -- pages ------------------------------------------------------------------------------


def test_home_lists_events_facets_and_growth(client: TestClient) -> None:
    html = client.get("/").text
    assert "Fifteen dead as River Vessa floods Drussel" in html
    assert f'href="/events/{DRUSSEL}"' in html
    assert "Growing" in html  # every article was ingested just now
    assert 'href="/?place=Drussel"' in html and 'href="/?plover=AGREE"' in html
    assert f'href="/?entity={HALVARD.replace(":", "%3A")}"' in html
    assert "<svg" in html and 'class="bar"' in html
    filtered = client.get("/?place=Drussel").text
    assert "Fifteen dead" in filtered and "Saldena Opera House" not in filtered


def test_event_page_sections_and_citations(client: TestClient) -> None:
    import re

    html = client.get(f"/events/{DRUSSEL}").text
    for section in ("Summary", "Key facts", "Conflicts", "Numbers", "Quotes", "Who’s who",
                    "Timeline", "Source matrix", "Reuse map", "Articles"):
        assert f"<h2>{section}</h2>" in html, section
    # the flood report codes no political event (its one PLOVER record was a false
    # CONSULT: "the area normally receives" rain), so the page has no such section
    assert "<h2>Political events</h2>" not in html
    assert "Sources disagree on <strong>deaths</strong>" in html
    # the death toll's disagreement is carried by several claims: its values are listed
    # under the first one, the others point back to it, and "Conflicts" names it once
    assert html.count("Sources disagree on <strong>deaths</strong>:<ul>") == 1
    assert re.search(r"Sources disagree on <strong>deaths</strong>: as under "
                     r'<a href="#claim-c\d+">c\d+</a>', html)
    conflicts = html.split('<ul class="conflicts">', 1)[1].split("</ul>", 1)[0]
    assert conflicts.count(">deaths</a>") == 1
    assert 'class="badge">conflicting<' in html and 'class="badge">corroborated<' in html
    targets = re.findall(r'<a class="cite" href="#(cite-\d+-\d+-\d+)"', html)
    marks = set(re.findall(r'<mark id="(cite-\d+-\d+-\d+)">', html))
    assert targets and set(targets) <= marks
    assert html.count('class="chart reuse"') == 1 and 'class="bar"' in html
    kestria = client.get(f"/events/{KESTRIA_EV}").text
    assert "<h2>Political events</h2>" in kestria
    assert "<td>reported 2025-03-0" in kestria  # a record whose sentence gives no date
    # political events with both sides known lead; those with a side unknown fold
    pol = kestria.split("<h2>Political events</h2>", 1)[1].split("<h2>", 1)[0]
    lead_rows, _, folded = pol.partition('<details class="political-tail">')
    assert re.search(r"<summary>\d+ more political events?, one side unknown", folded)
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>",
                      lead_rows.split("</thead>", 1)[1])
    assert rows and all(who and whom for _, _, who, whom in rows)  # no empty side leads
    tail_rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>",
                           folded.split("</thead>", 1)[1])
    assert tail_rows and all(not who or not whom for _, _, who, whom in tail_rows)
    # key facts: conflicting, then corroborated claims lead; the single-source tail folds
    facts = kestria.split("<h2>Key facts</h2>", 1)[1].split("<h2>", 1)[0]
    lead, _, fold = facts.partition('<details class="single-source">')
    assert fold and re.search(r"<summary>\d+ single-source claims</summary>", fold)
    assert "status-single-source" not in lead and "status-conflicting" in lead
    assert lead.index("status-conflicting") < lead.index("status-corroborated")
    assert "status-single-source" in fold and "status-corroborated" not in fold
    assert 'class="copy"' in kestria  # the wire copy drawn in the reuse map
    assert 'href="/entities/' in kestria  # who's who links to entity pages
    assert 'href="/sources/Valmora%20Herald"' in kestria


def test_entity_page_and_api(client: TestClient, web_db: Web) -> None:  # noqa: F811
    facts = web_db[1]
    d = client.get(f"/api/entities/{HALVARD}").json()
    assert d["name"] == "Tomas Halvard" and d["roles"] == ["Foreign Minister"]
    assert d["variants"] == [{"variant": "Halvard", "count": facts["variants"][HALVARD]["Halvard"]}]
    assert sum(x["mentions"] for x in d["over_time"]) == d["mentions"]
    assert [e["id"] for e in d["events"]] == [KESTRIA_EV]
    assert d["quotes"][0]["text"] == facts["quote"] == "turned a corner"
    assert {c["id"] for c in d["cooccurring"]} >= {KESTRIA, VALMORA}
    html = client.get(f"/entities/{HALVARD}").text
    assert "<h1 class=\"entity-name\">Tomas Halvard</h1>" in html
    assert "turned a corner" in html and "<svg" in html
    c = d["quotes"][0]["cite"]
    assert f'href="/articles/{c["article_rowid"]}?start={c["start"]}&amp;end={c["end"]}#passage"' in html
    drevin = client.get("/api/entities/person:anatolii-drevin").json()
    assert drevin["interactions"][0]["types"] == {"CONSULT": 1}
    lst = client.get("/api/entities?limit=2").json()
    assert [i["id"] for i in lst["items"]] == [VALMORA, KESTRIA] and lst["next"]
    assert [i["id"] for i in client.get("/api/entities?q=hal").json()["items"]] == [HALVARD]


def test_pair_page_and_api(client: TestClient, web_db: Web) -> None:  # noqa: F811
    d = client.get("/api/pairs/KST/VLM").json()
    assert d["types"] == {"AGREE": 2, "CONSULT": 1}
    assert [x["date"] for x in d["over_time"]] == ["2025-03-04", "2025-03-05"]
    assert {p["sentence"] for p in d["items"]} == {p["sentence"] for p in web_db[1]["political"]}
    assert client.get("/api/pairs/VLM/KST").json()["types"] == d["types"]  # either way round
    ents = client.get(f"/api/pairs/{KESTRIA}/{VALMORA}").json()
    assert ents["types"] == {"AGREE": 2} and ents["a"]["name"] == "Kestria"
    html = client.get("/pairs/KST/VLM").text
    assert html.count('class="bar"') == 3  # 2025-03-04: AGREE + CONSULT; 2025-03-05: AGREE
    assert "signed a package of port, rail and grain agreements" in html
    assert 'href="/articles/' in html
    rows = list(csv.DictReader(io.StringIO(client.get("/api/pairs/KST/VLM?format=csv").text)))
    assert sorted(r["type"] for r in rows) == ["AGREE", "AGREE", "CONSULT"]


def test_source_page_roles_and_credits(client: TestClient) -> None:
    d = client.get("/api/sources/GlobeView%20News").json()
    assert d["articles"] == 1 and d["roles"]["copy"] == 1
    assert d["credits"] == [{"agency": "PNA", "articles": 1}]
    assert d["items"][0]["copy_of"]["key"] == "a01_pna_wire"
    vpr = client.get("/api/sources/Valmora%20Public%20Radio?limit=1")
    body = vpr.json()
    assert body["articles"] == 2 and len(body["items"]) == 1 and body["next"]
    assert sum(body["roles"].values()) == 2
    rest = client.get(vpr.headers["link"][1:vpr.headers["link"].index(">")]).json()
    assert sorted([body["items"][0]["key"], rest["items"][0]["key"]]) == VPR_KEYS
    html = client.get("/sources/GlobeView%20News").text
    assert "<h1>GlobeView News</h1>" in html and "PNA" in html and "<svg" in html


def test_search_groups_by_event_with_copies_under_the_original(client: TestClient) -> None:
    body = client.get("/api/search?q=Drevin").json()
    groups = {g["event"]["id"]: g for g in body["items"] if g["event"]}
    assert set(groups) == {KESTRIA_EV}
    hits = groups[KESTRIA_EV]["articles"]
    wire = next(h for h in hits if h["key"] == "a01_pna_wire")
    assert [c["key"] for c in wire["copies"]] == ["a02_globeview_furniture"]
    assert all(h["key"] != "a02_globeview_furniture" for h in hits)
    assert "[Drevin]" in wire["snippet"]
    html = client.get("/search?q=Drevin").text
    assert "<mark>Drevin</mark>" in html and "1 copy" in html
    page = client.get("/api/search?q=floods&limit=1")
    assert page.json()["next"] and 'rel="next"' in page.headers["link"]
    bad = client.get("/search?q=%22open")
    assert bad.status_code == 400 and "double quotes" in bad.text


def test_article_page_marks_the_cited_passage(client: TestClient) -> None:
    html = client.get("/articles/4?start=0&end=14").text
    assert '<mark id="passage" class="active">Prime Minister</mark>' in html


def test_openapi_lists_the_api(client: TestClient) -> None:
    doc = client.get("/api/openapi.json").json()
    assert set(doc["paths"]) == {
        "/api/events", "/api/events/{event_id}", "/api/search", "/api/entities",
        "/api/entities/{entity_id}", "/api/pairs/{a}/{b}", "/api/sources/{name}",
        "/api/articles/{rowid}", "/api/watches/{name}/alerts"}
    params = {p["name"] for p in doc["paths"]["/api/events"]["get"]["parameters"]}
    assert params >= {"q", "date_from", "date_to", "place", "entity", "source", "plover",
                      "limit", "cursor", "format", "entities", "actors", "published_from",
                      "published_to", "mentioned_from", "mentioned_to", "min_sources"}
    assert client.get("/docs").status_code == 404  # no Swagger UI pulled from a CDN


# -- the command ------------------------------------------------------------------------


def test_is_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert is_loopback("127.5.0.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")


def _serve_and_stop(db: Path, *extra: str, check: Callable[[str, int], None]
                    ) -> tuple[str, str]:
    """Start ``newsdesk serve`` on a free port, run ``check(url, pid)``, then Ctrl-C it;
    returns its (stdout, stderr) after asserting a clean stop."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk.cli", "serve", "--db", str(db), "--port", "0", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line and "Ctrl-C" in line, line
        check(line[line.index("http://"):].split()[0], proc.pid)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err
    return out, err


def _events_listed(url: str) -> None:
    import urllib.request

    with urllib.request.urlopen(url + "api/events", timeout=30) as r:
        assert json.load(r)["items"]


def test_serve_prints_the_url_serves_and_stops_on_ctrl_c(web_db: Web) -> None:  # noqa: F811
    _serve_and_stop(web_db[0], check=lambda url, pid: _events_listed(url))


def test_serve_with_two_workers_answers_from_two_processes_and_stops(
        web_db: Web) -> None:  # noqa: F811
    import psutil

    kids: list[psutil.Process] = []

    def check(url: str, pid: int) -> None:
        for _ in range(6):  # both workers come up; every request is answered
            _events_listed(url)
        kids.extend(k for k in psutil.Process(pid).children()
                    if "resource_tracker" not in " ".join(k.cmdline()))
        assert len(kids) == 2

    _serve_and_stop(web_db[0], "--workers", "2", check=check)
    assert not any(k.is_running() and k.status() != psutil.STATUS_ZOMBIE for k in kids)


def test_serve_warns_that_another_host_has_no_login(web_db: Web) -> None:  # noqa: F811
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the bind fails after the
    # warning, so nothing listens and nothing is sent anywhere
    r = subprocess.run([sys.executable, "-m", "newsdesk.cli", "serve", "--db", str(web_db[0]),
                        "--host", "192.0.2.1", "--port", "0"], capture_output=True, text=True,
                       timeout=60, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "300"})
    err = " ".join(r.stderr.split())
    assert "there is no login" in err and "192.0.2.1" in err
    assert r.returncode == 2 and "cannot listen on 192.0.2.1" in err


def test_serve_refuses_a_missing_store(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "newsdesk.cli", "serve", "--db",
                        str(tmp_path / "none.db")], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "no store" in r.stderr
