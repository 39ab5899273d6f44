"""Readers, store and ingest: every format, bad input, idempotency, crash safety."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsdesk.errors import Skipped
from newsdesk.ingest import IngestOptions, ingest, read_clean
from newsdesk.model import Article
from newsdesk.store import Store

PAGE = """<!DOCTYPE html><html><head><title>Port reopens | Coast Courier</title>
<meta property="og:site_name" content="Coast Courier">
<meta property="og:title" content="Port of Sella reopens after storm">
<meta property="article:published_time" content="2025-05-02T08:30:00Z">
<link rel="canonical" href="https://www.coastcourier.example/port-reopens"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<div class="cookie">We use cookies to improve your experience. Accept all cookies</div>
<article><h1>Port of Sella reopens after storm</h1>
<p>The port of Sella reopened on Friday after a storm closed it for three days, harbour
officials said, and the first ships were unloaded before noon.</p>
<p>Dock workers cleared fallen cranes and debris overnight while engineers checked the
quay walls for damage, the harbour master told reporters at a briefing.</p>
<p>Traders said food prices in the town had risen sharply during the closure and
expected them to ease within a week as supplies return to the markets.</p>
</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Mayor opens bridge</a></li></ul></aside>
<footer>Copyright 2025 Coast Courier. All rights reserved.</footer></body></html>"""


def _warc(path: Path, pages: list[tuple[str, str, str]], truncate: int | None = None) -> None:
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    for rid, url, html in pages:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                protocol="HTTP/1.1")
        rec = w.create_warc_record(url, "response", payload=io.BytesIO(html.encode()),
                                   http_headers=http,
                                   warc_headers_dict={"WARC-Record-ID": rid})
        w.write_record(rec)
    data = buf.getvalue()
    path.write_bytes(data[:truncate] if truncate else data)


def _arts(paths: list[Path]) -> tuple[list[Article], list[Skipped]]:
    arts, skips = [], []
    for r in read_clean(paths):
        (arts if isinstance(r, Article) else skips).append(r)
    return arts, skips


def test_html_page_metadata_and_body(tmp_path: Path) -> None:
    p = tmp_path / "port.html"
    p.write_text(PAGE)
    (a,), skips = _arts([p])
    assert not skips
    assert a.key == "port"
    assert a.source == "Coast Courier"
    assert a.published == "2025-05-02"
    assert a.title == "Port of Sella reopens after storm"
    assert a.text.startswith("The port of Sella reopened on Friday")
    assert a.text.endswith("as supplies return to the markets.")
    for junk in ("cookies", "Most read", "Copyright", "Sport"):
        assert junk not in a.text
    assert len(a.paragraphs) == 3


def test_jsonl_fields_unknown_kept_broken_line_skipped(tmp_path: Path) -> None:
    p = tmp_path / "feed.jsonl"
    good = {"id": "r1", "title": "Quay reopened", "url": "https://news.example/q",
            "source": "Harbour Times", "published": "2025-05-03", "section": "ports",
            "text": "The quay reopened on Saturday.\n\nShips queued outside."}
    html = {"id": "r2", "html": PAGE, "url": "https://www.coastcourier.example/p"}
    p.write_text(json.dumps(good) + "\n{broken json\n" + json.dumps(html) + "\n")
    arts, skips = _arts([p])
    assert [a.key for a in arts] == ["r1", "r2"]
    assert arts[0].meta["section"] == "ports"
    assert (arts[0].source, arts[0].published, arts[0].title) == (
        "Harbour Times", "2025-05-03", "Quay reopened")
    assert arts[1].source == "Coast Courier"
    assert len(skips) == 1 and skips[0].origin.endswith("feed.jsonl:2")
    assert "broken JSON" in skips[0].reason


def test_rss_full_content_preferred(tmp_path: Path) -> None:
    p = tmp_path / "news.xml"
    p.write_text("""<?xml version="1.0"?><rss version="2.0"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Delta Wire</title>
<item><title>Bridge opens</title><link>https://delta.example/bridge</link>
<guid>delta-1</guid><pubDate>Tue, 06 May 2025 09:00:00 GMT</pubDate>
<description>Short teaser.</description>
<content:encoded><![CDATA[<p>The new bridge over the Delta river opened to traffic on
Tuesday after four years of building work, the transport ministry said.</p><p>Officials
expect twelve thousand vehicles a day to use it within the first month of opening.</p>]]>
</content:encoded></item></channel></rss>""")
    (a,), _ = _arts([p])
    assert a.key == "delta-1"
    assert a.source == "Delta Wire"
    assert a.published == "2025-05-06"
    assert a.title == "Bridge opens"
    assert "twelve thousand vehicles" in a.text and "teaser" not in a.text


def test_warc_response_records_and_truncated_warc(tmp_path: Path) -> None:
    good = tmp_path / "crawl.warc.gz"
    _warc(good, [("<urn:uuid:11111111-1111-1111-1111-111111111111>",
                  "https://www.coastcourier.example/port", PAGE)])
    (a,), skips = _arts([good])
    assert not skips
    assert a.key == "<urn:uuid:11111111-1111-1111-1111-111111111111>"
    assert a.url == "https://www.coastcourier.example/port"
    assert "port of Sella reopened" in a.text

    bad = tmp_path / "cut.warc.gz"
    _warc(bad, [("<urn:uuid:2>", "https://a.example/1", PAGE),
                ("<urn:uuid:3>", "https://a.example/2", PAGE.replace("Sella", "Orno"))])
    size = bad.stat().st_size
    bad.write_bytes(bad.read_bytes()[: size - 200])
    arts, skips = _arts([bad])
    assert [x.key for x in arts] == ["<urn:uuid:2>"]
    assert len(skips) == 1 and "truncated" in skips[0].reason


def test_utf16_and_legacy_encodings(tmp_path: Path) -> None:
    (tmp_path / "u16.txt").write_bytes(
        "Café owners in Sella reopened on Friday.\n\nThey said trade was slow.".encode("utf-16"))
    (tmp_path / "latin.txt").write_bytes(
        "Le café de la gare a rouvert vendredi après la tempête, a déclaré le maire.\n\n"
        "Les habitants étaient soulagés.".encode("cp1252"))
    arts, skips = _arts([tmp_path])
    assert not skips
    texts = {a.key: a.text for a in arts}
    assert texts["u16"].startswith("Café owners")
    assert "café de la gare a rouvert vendredi après" in texts["latin"]


BAD_INPUTS = {
    "empty.txt": (b"", "empty file"),
    "blob.txt": (bytes(range(256)) * 40, "binary"),
    "cut.txt.gz": (gzip.compress(b"Some words of an article. " * 200)[:-40], "gzip"),
    "broken.html": (b"<html><body><div><p>\x00\x01\x02</div></span>", "binary"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_clear_message_rest_stored(tmp_path: Path, name: str) -> None:
    data, why = BAD_INPUTS[name]
    (tmp_path / name).write_bytes(data)
    (tmp_path / "fine.txt").write_text("The ferry service resumed on Monday.\n\nAll is well.")
    with Store(":memory:") as store:
        report = ingest([tmp_path], store)
        assert store.count() == 1
        assert [a.key for a in store.articles()] == ["fine"]
        assert len(report.skipped) == 1
        assert name in report.skipped[0].origin and why in report.skipped[0].reason
        assert store.skipped()[0].reason == report.skipped[0].reason


def test_malformed_html_still_read(tmp_path: Path) -> None:
    p = tmp_path / "messy.html"
    p.write_text("<html><body><div><p>The council voted on Tuesday to rebuild the old market"
                 " hall, which burned down last winter, at a cost of two million crowns.<p>Work"
                 " starts in June and should take a year, the mayor said.</div></span></table>")
    (a,), skips = _arts([p])
    assert not skips
    assert "rebuild the old market hall" in a.text and "Work starts in June" in a.text


def test_invalid_utf8_is_decoded_with_fallback_not_lost(tmp_path: Path) -> None:
    p = tmp_path / "mixed.txt"
    p.write_bytes(b"The mayor of Sella said the caf\xe9 reopened.\n\nTrade was slow on Monday.")
    (a,), skips = _arts([p])
    assert not skips
    assert "mayor of Sella said the caf" in a.text and "Trade was slow" in a.text


def test_huge_text_file_refused_with_reason(tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:
        line = b"All work and no play makes a very long file indeed. " * 20 + b"\n"
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(line * 1000)
    (tmp_path / "small.txt").write_text("A normal article body.\n\nWith two paragraphs.")
    with Store(":memory:") as store:
        report = ingest([tmp_path], store)
        assert store.count() == 1
        (skip,) = report.skipped
        assert "huge.txt" in skip.origin and "MB" in skip.reason and "limit" in skip.reason


def test_reingest_is_idempotent_and_searchable(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"n{i}.txt").write_text(
            f"Sella harbour story {i} about cranes and ferries.\n\nMore detail {i}.")
    db = tmp_path / "s.db"
    with Store(db) as store:
        r1 = ingest([tmp_path], store)
        r2 = ingest([tmp_path], store)
        assert (r1.added, r1.existing) == (3, 0)
        assert (r2.added, r2.existing) == (0, 3)
        assert store.count() == 3
        hits = store.search("ferries")
        assert len(hits) == 3 and "[ferries]" in hits[0].snippet
        assert [h.article.key for h in store.search('"story 1"')] == ["n1"]
        assert store.search("harbour AND (") is not None  # bad syntax falls back, no crash
        assert store.schema_version >= 1
        assert store.integrity_ok()
    mode = sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_not_a_store_gives_clear_error(tmp_path: Path) -> None:
    from newsdesk.errors import StoreError

    p = tmp_path / "junk.db"
    p.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a usable newsdesk store"):
        Store(p)


def test_workers_give_same_result(tmp_path: Path) -> None:
    for i in range(6):
        (tmp_path / f"w{i}.txt").write_text(f"Story {i} body text here.\n\nSecond {i}.")
    one = [(a.key, a.id) for a in read_clean([tmp_path], IngestOptions(workers=1))]
    two = [(a.key, a.id) for a in read_clean([tmp_path], IngestOptions(workers=2))]
    assert one == two and len(one) == 6


def test_sigkill_mid_ingest_leaves_store_consistent(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    n = 4000
    for i in range(n):
        (corpus / f"a{i:05d}.txt").write_text(
            f" date 2025-01-{1 + i % 28:02d} Report {i} on the Sella port works.\n\n"
            f"Crane {i} was moved {i % 17} metres on the quay.\n\n--PNA")
    db = tmp_path / "crash.db"
    cmd = [sys.executable, "-m", "newsdesk.cli", "ingest", str(corpus), "--db", str(db)]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 120
    seen = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        try:
            con = sqlite3.connect(db, timeout=1)
            seen = con.execute("SELECT count(*) FROM articles").fetchone()[0]
            con.close()
        except sqlite3.Error:
            continue
        if seen >= 500:
            break
    assert proc.poll() is None, "ingest finished before it could be killed; enlarge the corpus"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < seen < n
    with Store(db) as store:
        assert store.integrity_ok()
        partial = store.count()
        assert partial < n
        report = ingest([corpus], store)
        assert store.count() == n
        assert report.added == n - partial
        assert store.integrity_ok()
        assert all(a.credits == ["PNA"] for a in store.articles(report.refs[:5]))


def test_legacy_html_meta_charset_honoured(tmp_path: Path) -> None:
    page = PAGE.replace("<head>", '<head><meta charset="windows-1251">').replace(
        "The port of Sella reopened", "Порт Селла reopened")
    (tmp_path / "ru.html").write_bytes(page.encode("cp1251"))
    (a,), skips = _arts([tmp_path / "ru.html"])
    assert not skips and a.text.startswith("Порт Селла reopened")


def test_directory_walk_passes_over_non_article_files(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text("A story body.\n\nSecond paragraph.")
    (tmp_path / "NOTES.md").write_text("# not an article")
    (tmp_path / "tool.py").write_text("print('hi')")
    (tmp_path / "one.json").write_text(json.dumps(
        {"id": "obj", "text": "A single pretty-printed record.\n\nWith two paragraphs."},
        indent=2))
    with Store(":memory:") as store:
        report = ingest([tmp_path], store)
        assert sorted(a.key for a in store.articles()) == ["obj", "story"]
        assert not report.skipped
        assert sorted(p.name for p in report.ignored) == ["NOTES.md", "tool.py"]
        # A file named explicitly is always tried, and its failure is reported.
        report = ingest([tmp_path / "tool.py"], store)
        assert "unknown file type" in report.skipped[0].reason
