"""Readers: turn files, directories and stdin into raw :class:`Article` records.

A reader never raises for bad input: it yields :class:`Skipped` with the reason and
goes on, so one broken file never stops a batch. Cleaning happens later (``clean/``).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import sys
import warnings
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlparse

from newsdesk.errors import InputError, Skipped
from newsdesk.ingest.decode import decode_bytes, looks_binary
from newsdesk.model import Article

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".json", ".ndjson"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
WARC_SUFFIXES = {".warc"}

# Above this, a single text input is refused rather than read into memory whole.
MAX_DOC_BYTES = 20 * 1024 * 1024

Record = Article | Skipped


@dataclass(slots=True)
class HtmlOptions:
    """How HTML pages become article bodies (settings chosen by bench/bench_extraction.py)."""

    # favor_precision: extraction-dev F1 0.966 -> 0.976 (bench/bench_extraction.py, BENCHMARKS.md)
    favor_precision: bool = True
    favor_recall: bool = False
    include_tables: bool = True
    include_comments: bool = False
    fast: bool = False
    # Drop body lines that repeat the page title (headlines are not body; +0.002 F1).
    drop_title_line: bool = True


def host_source(url: str | None) -> str | None:
    """Outlet name from a URL host, ``www.`` dropped."""
    if not url:
        return None
    host = urlparse(url).hostname or ""
    return host.removeprefix("www.") or None


def html_to_article(
    html: str, *, key: str, origin: str, fmt: str, url: str | None = None,
    opts: HtmlOptions | None = None,
) -> Article:
    """Extract body and metadata from one HTML page with trafilatura and htmldate."""
    import trafilatura
    from htmldate import find_date

    opts = opts or HtmlOptions()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=opts.include_comments,
            include_tables=opts.include_tables, favor_precision=opts.favor_precision,
            favor_recall=opts.favor_recall, fast=opts.fast,
        )
    if doc is None:
        raise InputError(origin, "no article body found in the HTML page",
                         "is it an index or error page? pass article pages")
    d: dict[str, Any] = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = (d.get("text") or "").strip()
    title = d.get("title") or None
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if opts.drop_title_line and title:
        lines = [ln for ln in lines if ln != title.strip()]
    if not lines:
        raise InputError(origin, "the HTML page has no article text")
    # trafilatura's metadata date is htmldate's (original date first); a second htmldate
    # pass only runs when it found none.
    published = d.get("date") or None
    if published is None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                published = find_date(html, original_date=True, extensive_search=False)
        except Exception:  # htmldate raises assorted parser errors on broken pages
            published = None
    page_url = url or d.get("url")
    return Article(
        key=key, text="\n\n".join(lines), title=title, url=page_url,
        source=d.get("sitename") or host_source(page_url), published=published,
        origin=origin, fmt=fmt, raw=html, meta={"from_html": True},
    )


def read_text_doc(data: bytes, *, key: str, origin: str) -> Article:
    """A plain-text article."""
    text = decode_bytes(data, origin)
    if not text.strip():
        raise InputError(origin, "empty file")
    return Article(key=key, text=text, origin=origin, fmt="txt", raw=text)


def read_html_doc(data: bytes, *, key: str, origin: str, opts: HtmlOptions | None = None,
                  url: str | None = None, fmt: str = "html") -> Article:
    """One HTML page (a ``<meta charset>`` is honoured when the bytes are not UTF-8)."""
    m = _META_CHARSET.search(data[:4096])
    html = decode_bytes(data, origin, m.group(1).decode("ascii") if m else None)
    if not html.strip():
        raise InputError(origin, "empty file")
    return html_to_article(html, key=key, origin=origin, fmt=fmt, url=url, opts=opts)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]{2,20})""", re.I)

_JSON_FIELDS = {"id", "key", "text", "html", "title", "url", "source", "published", "date"}


def json_record_to_article(rec: Any, origin: str, line_no: int,
                           opts: HtmlOptions | None = None) -> Article:
    """One JSONL record: ``id``, ``text`` or ``html``, ``title``, ``url``, ``source``, ``published``."""
    if not isinstance(rec, dict):
        raise InputError(origin, f"line {line_no} is JSON but not an object")
    key = str(rec.get("id") or rec.get("key") or f"{Path(origin).stem}:{line_no}")
    meta = {k: v for k, v in rec.items() if k not in _JSON_FIELDS}
    url = rec.get("url") or None
    if rec.get("text"):
        art = Article(key=key, text=str(rec["text"]), origin=origin, fmt="jsonl",
                      raw=json.dumps(rec, ensure_ascii=False))
    elif rec.get("html"):
        art = html_to_article(str(rec["html"]), key=key, origin=origin, fmt="jsonl", url=url,
                              opts=opts)
        art.raw = json.dumps(rec, ensure_ascii=False)
    else:
        raise InputError(origin, f"line {line_no} (id {key!r}) has neither 'text' nor 'html'")
    art.title = rec.get("title") or art.title
    art.url = url or art.url
    art.source = rec.get("source") or art.source or host_source(art.url)
    art.published = rec.get("published") or rec.get("date") or art.published
    art.meta.update(meta)
    art.meta["structured"] = True
    return art


def read_jsonl_stream(lines: Iterable[str], origin: str,
                      opts: HtmlOptions | None = None) -> Iterator[Record]:
    """JSONL: a record a line; a broken line is skipped with its line number."""
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            yield Skipped(f"{origin}:{i}", f"broken JSON ({e.msg} at column {e.colno})")
            continue
        try:
            yield json_record_to_article(rec, origin, i, opts)
        except InputError as e:
            yield Skipped(f"{origin}:{i}", e.reason)


def read_json_file(data: bytes, origin: str, opts: HtmlOptions | None = None) -> Iterator[Record]:
    """A ``.json`` file: one object, an array of objects, or JSON lines."""
    text = decode_bytes(data, origin)
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if whole is None:
        yield from read_jsonl_stream(text.splitlines(), origin, opts)
        return
    items = whole if isinstance(whole, list) else [whole]
    for i, rec in enumerate(items, 1):
        try:
            yield json_record_to_article(rec, origin, i, opts)
        except InputError as e:
            yield Skipped(f"{origin}:{i}", e.reason)


def read_feed(data: bytes, origin: str, opts: HtmlOptions | None = None) -> Iterator[Record]:
    """RSS/Atom with feedparser; full ``content`` is preferred over the summary."""
    import feedparser

    parsed = feedparser.parse(data)
    if not parsed.entries:
        reason = "no feed entries"
        if parsed.get("bozo"):
            reason += f" (feed parser: {parsed.get('bozo_exception')})"
        yield Skipped(origin, reason)
        return
    feed_title = parsed.feed.get("title") if parsed.get("feed") else None
    for i, e in enumerate(parsed.entries, 1):
        key = str(e.get("id") or e.get("guid") or e.get("link") or f"{Path(origin).stem}:{i}")
        body = ""
        if e.get("content"):
            body = max((c.get("value", "") for c in e.content), key=len)
        body = body or e.get("summary", "")
        if not body.strip():
            yield Skipped(f"{origin}#{key}", "feed item has no text")
            continue
        url = e.get("link")
        try:
            if "<" in body and ">" in body:
                art = html_to_article(f"<html><body><article>{body}</article></body></html>",
                                      key=key, origin=f"{origin}#{key}", fmt="rss", url=url,
                                      opts=opts)
            else:
                art = Article(key=key, text=body, origin=f"{origin}#{key}", fmt="rss")
        except InputError as err:
            yield Skipped(err.origin, err.reason)
            continue
        art.raw = json.dumps({k: e.get(k) for k in ("id", "title", "link", "published")} |
                             {"body": body}, ensure_ascii=False, default=str)
        art.title = e.get("title") or art.title
        art.url = url
        art.source = feed_title or host_source(url)
        if e.get("published_parsed"):
            p = e.published_parsed
            art.published = f"{p.tm_year:04d}-{p.tm_mon:02d}-{p.tm_mday:02d}"
        art.meta["structured"] = True
        yield art


def read_warc(stream: BinaryIO, origin: str, opts: HtmlOptions | None = None) -> Iterator[Record]:
    """HTML ``response`` records of a WARC (as in CC-NEWS); others are passed over."""
    from warcio.archiveiterator import ArchiveIterator

    n = 0
    try:
        for rec in ArchiveIterator(stream):
            if rec.rec_type != "response":
                continue
            rid = rec.rec_headers.get_header("WARC-Record-ID") or f"{origin}:{n}"
            url = rec.rec_headers.get_header("WARC-Target-URI")
            ctype = rec.http_headers.get_header("Content-Type") if rec.http_headers else ""
            if ctype and "html" not in ctype.lower():
                continue
            n += 1
            where = f"{origin}#{rid}"
            try:
                payload = rec.content_stream().read()
                if getattr(rec.raw_stream, "limit", 0) > 0:
                    # Fewer bytes than the record's Content-Length: the file was cut short.
                    yield Skipped(where, "WARC record is truncated (file cut short); "
                                         "re-download or re-export the WARC")
                    continue
                status = rec.http_headers.get_statuscode() if rec.http_headers else "200"
                if status and not str(status).startswith("2"):
                    yield Skipped(where, f"HTTP status {status}")
                    continue
                declared = None
                if ctype and "charset=" in ctype.lower():
                    declared = ctype.lower().split("charset=")[-1].split(";")[0].strip()
                html = decode_bytes(payload, where, declared)
                art = html_to_article(html, key=rid, origin=where, fmt="warc", url=url, opts=opts)
                art.meta["structured"] = True
                yield art
            except InputError as e:
                yield Skipped(e.origin, e.reason)
    except (OSError, EOFError, zlib.error, ValueError) as e:
        yield Skipped(origin, f"WARC file is truncated or corrupt after {n} records ({e})")


def is_article_file(name: str) -> bool:
    """True for file names whose suffix newsdesk reads when walking a directory."""
    n = name.lower().removesuffix(".gz")
    suffix = Path(n).suffix
    return (suffix in TEXT_SUFFIXES or suffix in HTML_SUFFIXES or suffix in JSONL_SUFFIXES
            or suffix in FEED_SUFFIXES or suffix in WARC_SUFFIXES)


def walk_dir(path: Path) -> tuple[list[Path], list[Path]]:
    """Article files under a directory (recursively, in name order) and the files passed
    over because their type is not an article format (scripts, notes, images)."""
    files: list[Path] = []
    ignored: list[Path] = []
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        for f in sorted(names):
            if f.startswith("."):
                continue
            (files if is_article_file(f) else ignored).append(Path(root) / f)
    return files, ignored


def _is_feed(data: bytes) -> bool:
    head = data[:2000].lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def read_path(path: Path, opts: HtmlOptions | None = None) -> Iterator[Record]:
    """Read one file (by suffix) or a directory (recursively, sorted)."""
    if str(path) == "-":
        yield from read_jsonl_stream(io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8"),
                                     "<stdin>", opts)
        return
    if not path.exists():
        yield Skipped(str(path), "no such file or directory")
        return
    if path.is_dir():
        for f in walk_dir(path)[0]:
            yield from _read_file(f, opts)
        return
    yield from _read_file(path, opts)


def _read_file(path: Path, opts: HtmlOptions | None) -> Iterator[Record]:
    origin = str(path)
    name = path.name.lower()
    key = path.name.split(".")[0] if not name.startswith(".") else path.name
    try:
        if name.endswith((".warc", ".warc.gz")):
            with open(path, "rb") as fh:
                yield from read_warc(fh, origin, opts)
            return
        size = path.stat().st_size
        if size > MAX_DOC_BYTES and path.suffix.lower() not in JSONL_SUFFIXES:
            yield Skipped(origin, f"file is {size / 1e6:.0f} MB, over the {MAX_DOC_BYTES // 2**20}"
                                  " MB limit for one article; split it or use JSONL")
            return
        if path.suffix.lower() in JSONL_SUFFIXES:
            yield from _read_jsonl_file(path, opts)
            return
        data = path.read_bytes()
        if name.endswith(".gz"):
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError, zlib.error) as e:
                yield Skipped(origin, f"gzip data is truncated or corrupt ({e})")
                return
            name = name[:-3]
        suffix = Path(name).suffix
        if not data.strip():
            yield Skipped(origin, "empty file")
            return
        if suffix in FEED_SUFFIXES or (suffix not in HTML_SUFFIXES and _is_feed(data)):
            yield from read_feed(data, origin, opts)
        elif suffix in HTML_SUFFIXES:
            yield read_html_doc(data, key=key, origin=origin, opts=opts)
        elif suffix in TEXT_SUFFIXES or not suffix:
            yield read_text_doc(data, key=key, origin=origin)
        elif looks_binary(data):
            yield Skipped(origin, f"binary {suffix} file, not an article")
        else:
            yield Skipped(origin, f"unknown file type {suffix!r}",)
    except InputError as e:
        yield Skipped(e.origin, e.reason + (f" ({e.hint})" if e.hint else ""))
    except OSError as e:
        yield Skipped(origin, f"cannot read: {e.strerror or e}")


def _read_jsonl_file(path: Path, opts: HtmlOptions | None) -> Iterator[Record]:
    origin = str(path)
    if path.suffix.lower() == ".json" and path.stat().st_size < MAX_DOC_BYTES:
        yield from read_json_file(path.read_bytes(), origin, opts)
        return
    with open(path, "rb") as fh:
        head = fh.read(8192)
        if looks_binary(head):
            yield Skipped(origin, "binary data, not JSON lines")
            return
        fh.seek(0)
        lines = (ln.decode("utf-8", errors="replace") for ln in fh)
        yield from read_jsonl_stream(lines, origin, opts)


def read_inputs(paths: Iterable[str | Path], opts: HtmlOptions | None = None) -> Iterator[Record]:
    """Read every input path in turn (``-`` is JSONL on stdin)."""
    for p in paths:
        yield from read_path(Path(p) if str(p) != "-" else Path("-"), opts)
