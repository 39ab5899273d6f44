"""`newsdesk follow` against a feed served by the test on 127.0.0.1, and a followed folder.

The feed's items are fictional (written for this test). The server answers with an ETag and
a Last-Modified header, and 304 when the request's If-None-Match / If-Modified-Since match;
``/broken.xml`` answers 500.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from newsdesk.archive import update_archive
from newsdesk.cli import app
from newsdesk.ingest.follow import Follower, FollowError, follow, parse_every
from newsdesk.store import Store
from web_store import EXAMPLES

runner = CliRunner()
ETAG = '"tarnow-7"'
MODIFIED = "Mon, 02 Jun 2025 08:00:00 GMT"
FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Tarnow Lakeside Bulletin</title>
<link>http://127.0.0.1/</link><description>Fictional test feed</description>
<item><guid>tarnow-ferry-1</guid><title>Tarnow ferry service suspended after engine fire</title>
<link>http://127.0.0.1/ferry</link><pubDate>{MODIFIED}</pubDate>
<description>The lake ferry between Tarnow and Edda Point was suspended on Sunday after a small
engine-room fire on the vessel Marit, the harbour authority said. All 63 passengers were
brought ashore by lifeboat and nobody was hurt. Engineers expect the service to resume by
Thursday once the damaged pump has been replaced.</description></item>
<item><guid>tarnow-school-2</guid><title>Tarnow council approves new lakeside school</title>
<link>http://127.0.0.1/school</link><pubDate>{MODIFIED}</pubDate>
<description>Tarnow's town council voted 11 to 4 on Monday to build a primary school for
420 pupils on the old boatyard site by the lake. Construction is due to begin in the autumn
and the council expects the first classes to be taught there in September 2027.</description>
</item></channel></rss>""".encode()


class Handler(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Handler.requests.append({"path": self.path, "headers": dict(self.headers)})
        if self.path == "/broken.xml":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b"internal error")
            return
        if self.path == "/huge.xml":
            body = b"<rss>" + b"x" * 5000 + b"</rss>"
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()  # no Content-Length: the client must count what it reads
            self.wfile.write(body)
            return
        if (self.headers.get("If-None-Match") == ETAG
                or self.headers.get("If-Modified-Since") == MODIFIED):
            self.send_response(304)
            self.send_header("ETag", ETAG)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(FEED)))
        self.send_header("ETag", ETAG)
        self.send_header("Last-Modified", MODIFIED)
        self.end_headers()
        self.wfile.write(FEED)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Handler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _keys(db: Path) -> list[str]:
    with Store(db) as s:
        return [str(r[0]) for r in s.db.execute("SELECT key FROM articles ORDER BY key")]


def test_feed_polled_twice_is_ingested_once_then_304(server: str, tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    url = f"{server}/feed.xml"
    r = runner.invoke(app, ["follow", url, "--db", str(db), "--once", "--json"])
    assert r.exit_code == 0, r.output
    first = json.loads(r.stdout.splitlines()[0])
    assert first["status"] == "new" and first["added"] == 2 and first["http_status"] == 200
    assert _keys(db) == ["tarnow-ferry-1", "tarnow-school-2"]
    with Store(db) as s:  # the archive update ran: the items are in events
        assert s.db.execute("SELECT count(*) FROM event_articles").fetchone()[0] == 2
        origin = s.db.execute("SELECT origin FROM articles WHERE key='tarnow-ferry-1'"
                              ).fetchone()[0]
    assert origin == f"{url}#tarnow-ferry-1"
    assert "If-None-Match" not in Handler.requests[0]["headers"]
    # a restart (a new process would read the same state from the store)
    r = runner.invoke(app, ["follow", url, "--db", str(db), "--once", "--json"])
    second = json.loads(r.stdout.splitlines()[0])
    assert second["status"] == "unchanged" and second["http_status"] == 304
    sent = Handler.requests[1]["headers"]
    assert sent["If-None-Match"] == ETAG and sent["If-Modified-Since"] == MODIFIED
    assert _keys(db) == ["tarnow-ferry-1", "tarnow-school-2"]


def test_a_failing_feed_is_backed_off_and_reported(server: str, tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    broken, good = f"{server}/broken.xml", f"{server}/feed.xml"
    r = runner.invoke(app, ["follow", broken, good, "--db", str(db), "--once", "--json"])
    assert r.exit_code == 0, r.output  # one source worked
    res = {d["source"]: d for d in map(json.loads, r.stdout.splitlines())}
    assert res[broken]["status"] == "error" and "HTTP 500" in res[broken]["error"]
    assert res[broken]["retry_at"]
    assert "HTTP 500" in r.stderr and "backing off" in r.stderr
    assert res[good]["added"] == 2
    n = len(Handler.requests)
    # polled again at once: the broken feed is left alone (no request), and said so
    r = runner.invoke(app, ["follow", broken, "--db", str(db), "--once", "--json"])
    again = json.loads(r.stdout.splitlines()[0])
    assert again["status"] == "backoff" and "HTTP 500" in again["error"]
    assert len(Handler.requests) == n
    assert r.exit_code == 1  # every source given failed or is backing off
    with Store(db) as s:
        errors, retry = s.db.execute("SELECT errors, next_poll FROM follow_sources WHERE "
                                     "source=?", (broken,)).fetchone()
        assert errors == 1 and retry == res[broken]["retry_at"]
        # forced, it fails again and the wait doubles
        with Follower(s, every=900) as f:  # the CLI default (15m), as in the first run
            res2 = f.poll(broken, force=True)
        assert res2.status == "error"
        assert s.db.execute("SELECT errors FROM follow_sources WHERE source=?",
                            (broken,)).fetchone()[0] == 2
        assert res2.retry_at and res2.retry_at > retry


def test_a_response_over_the_size_limit_is_refused(server: str, tmp_path: Path) -> None:
    with Store(tmp_path / "h.db") as s, Follower(s, max_bytes=1000) as f:
        res = f.poll(f"{server}/huge.xml")
    assert res.status == "error" and "1000-byte limit" in (res.error or "")


def test_folder_new_files_only_and_watch_fires(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "b01_drussel_floods.txt", inbox)
    db = tmp_path / "d.db"
    with Store(db) as s:
        polls: list[list[Any]] = []

        def done(results: list[Any]) -> None:  # what the CLI does after a poll
            polls.append(results)
            update_archive(s)

        follow(s, [str(inbox)], every=900, once=True, on_poll=done)
        assert polls[0][0].status == "new" and polls[0][0].added == 1
        follow(s, [str(inbox)], every=900, once=True, on_poll=done)
        assert polls[1][0].status == "unchanged"
    r = runner.invoke(app, ["watch", "add", "vessa", "--db", str(db), "-q", "Vessa"])
    assert r.exit_code == 0, r.output
    shutil.copy(EXAMPLES / "b02_drussel_post.html", inbox)
    r = runner.invoke(app, ["follow", str(inbox), "--db", str(db), "--once"])
    assert r.exit_code == 0, r.output
    assert "1 new article" in r.stderr and "alert(s) fired" in r.stderr
    alerts = json.loads(runner.invoke(app, ["alerts", "--db", str(db), "-f", "json"]).stdout)
    assert "grew" in {a["kind"] for a in alerts}


def test_loop_stops_on_ctrl_c_and_bad_sources_are_refused(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    rounds: list[int] = []

    def nap(_: float) -> None:
        raise KeyboardInterrupt

    with Store(tmp_path / "l.db") as s:
        with pytest.raises(KeyboardInterrupt):
            follow(s, [str(inbox)], every=60, once=False,
                   on_poll=lambda r: rounds.append(len(r)), sleep=nap)
        assert rounds == [1]
        with pytest.raises(FollowError):
            follow(s, [str(tmp_path / "missing")], every=60, once=True, on_poll=print)
        with pytest.raises(FollowError):
            follow(s, [str(inbox)], every=5, once=False, on_poll=print)
    assert parse_every("15m") == 900 and parse_every("2h") == 7200 and parse_every("90") == 90
    with pytest.raises(FollowError):
        parse_every("soon")


def test_requests_to_one_host_are_spaced(server: str, tmp_path: Path) -> None:
    import time

    with Store(tmp_path / "p.db") as s, Follower(s) as f:
        f.host_gap = 0.4
        t = time.monotonic()
        f.poll(f"{server}/feed.xml")
        f.poll(f"{server}/feed.xml")
        assert time.monotonic() - t >= 0.4
    assert len(Handler.requests) == 2 and "newsdesk-follow" in Handler.requests[0][
        "headers"]["User-Agent"]


def test_a_folder_removed_while_followed_is_reported_not_fatal(tmp_path: Path) -> None:
    gone, kept = tmp_path / "gone", tmp_path / "kept"
    gone.mkdir()
    kept.mkdir()
    shutil.copy(EXAMPLES / "b01_drussel_floods.txt", kept)
    with Store(tmp_path / "g.db") as s, Follower(s) as f:
        gone.rmdir()
        res = f.poll_all([str(gone), str(kept)])
    assert res[0].status == "error" and "neither" in (res[0].error or "")
    assert res[1].status == "new" and res[1].added == 1
