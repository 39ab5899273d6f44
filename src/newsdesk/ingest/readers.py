"""Readers: turn files, directories and stdin into raw :class:`Article` records.

A reader never raises for bad input: it yields :class:`Skipped` with the reason and
goes on, so one broken file never stops a batch. Cleaning happens later (``clean/``).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import re
import sys
import warnings
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlparse

from newsdesk.errors import InputError, Skipped
from newsdesk.ingest.decode import clean_controls, decode_bytes, looks_binary
from newsdesk.model import Article

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".json", ".ndjson"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
WARC_SUFFIXES = {".warc"}

# Caps against hostile input (bench/bench_hostile.py keeps each under 500 MB of memory).
# Above this, a single text/HTML/feed file (or what a .gz decompresses to) is refused
# rather than read into memory whole.
MAX_DOC_BYTES = 20 * 1024 * 1024
# One WARC record's payload or one JSONL line: read in chunks, skipped beyond this.
MAX_RECORD_BYTES = 20 * 1024 * 1024
# A .json file parsed whole (one object or an array); larger ones must be JSON lines
# (7 bytes of "[{},{}]" become ~100 bytes of Python objects).
MAX_JSON_DOC_BYTES = 5 * 1024 * 1024

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
    # ... compared loosely: words only, any case and quote style, and among the first three
    # lines also one part of a title split at " | ", " - " ("Headline | Outlet").
    title_loose: bool = True
    # With favor_precision: also run trafilatura's balanced mode and take back the lines it
    # has between two lines both modes kept (ingest/merge.py). Costs a second (fast)
    # extraction pass, ~+40% CPU a page; off with ``fast``. Chosen leave-site-out
    # (bench_extraction.py --lso; BENCHMARKS.md).
    recover_lines: bool = True
    recover_max_ratio: float = 1.5
    recover_drop_shouted: bool = True
    # Use the balanced text whole when the precise one is shorter than this share of it
    # (0 = never). Measured, not used: every value tried lowers extraction-dev F1
    # leave-site-out (precision mode was right on the pages it cut most).
    fallback_ratio: float = 0.0


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
    html = clean_controls(html)[0]  # lxml refuses NUL and other control characters
    meta_failed = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kw: dict[str, Any] = dict(
            url=url, include_comments=opts.include_comments, include_tables=opts.include_tables,
            favor_precision=opts.favor_precision, favor_recall=opts.favor_recall, fast=opts.fast)
        try:
            doc = trafilatura.bare_extraction(html, with_metadata=True, **kw)
        except (RecursionError, MemoryError):
            raise
        except Exception as e:
            # The metadata pass (htmldate, JSON-LD, meta tags) is the fragile part of a
            # broken page: try the body alone before giving the page up.
            meta_failed = f"{type(e).__name__}: {' '.join(str(e).split())[:120]}"
            doc = trafilatura.bare_extraction(html, with_metadata=False, **kw)
    if opts.favor_precision and (doc is None or not _body_of(doc)):
        # precision mode keeps nothing on some pages it finds too short or too linky; the
        # balanced mode's body beats losing the page (a body F1 of 0 on the benchmark)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                second = trafilatura.bare_extraction(
                    html, with_metadata=doc is None, **(kw | {"favor_precision": False}))
        except (RecursionError, MemoryError):
            raise
        except Exception:  # noqa: BLE001 - the first result (or its error) stands
            second = None
        body = _body_of(second) if second is not None else ""
        if body:
            # keep the first pass's metadata (when it had any), take the body
            doc = second if doc is None else _fields(doc) | {"text": body}
            opts = replace(opts, recover_lines=False)  # the body is already balanced
    if doc is None:
        raise InputError(origin, "no article body found in the HTML page",
                         "is it an index or error page? pass article pages")
    d = _fields(doc)
    text = (d.get("text") or "").strip()
    if text and opts.favor_precision and opts.recover_lines and not opts.fast:
        text = _recover_lines(html, text, kw, opts)
    title = d.get("title") or None
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if opts.drop_title_line and title:
        lines = _drop_title_lines(lines, title, loose=opts.title_loose)
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
    meta: dict[str, Any] = {"from_html": True}
    if meta_failed:
        meta["metadata_failed"] = meta_failed
    return Article(
        key=key, text="\n\n".join(lines), title=title, url=page_url,
        source=d.get("sitename") or host_source(page_url), published=published,
        origin=origin, fmt=fmt, raw=html, meta=meta,
    )


def _fields(doc: Any) -> dict[str, Any]:
    """A trafilatura result (a Document, or a dict from older releases) as a dict."""
    return doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)


def _body_of(doc: Any) -> str:
    """The body text of a trafilatura result, stripped."""
    return str(_fields(doc).get("text") or "").strip()


_WORDS = re.compile(r"\w+")
_TITLE_SEP = re.compile(r"\s+[|\-–—·»:]{1,2}\s+")


def _words(s: str) -> str:
    return " ".join(_WORDS.findall(s.casefold()))


def _drop_title_lines(lines: list[str], title: str, *, loose: bool) -> list[str]:
    """``lines`` without those repeating the page title: exact repeats anywhere; with
    ``loose`` also repeats that differ in case, punctuation or quote style, and, among the
    first three lines, a line equal to one part of a "Headline | Outlet" title (a part of
    at least three words or 20 characters, so "Analysis" or "News" never matches)."""
    t = title.strip()
    if not loose:
        return [ln for ln in lines if ln != t]
    whole = _words(t)
    parts = {w for p in _TITLE_SEP.split(t)
             if (w := _words(p)) and (len(w.split()) >= 3 or len(w) >= 20)}
    out = []
    for i, ln in enumerate(lines):
        w = _words(ln)
        if ln == t or (w and w == whole) or (i < 3 and w in parts):
            continue
        out.append(ln)
    return out


def _recover_lines(html: str, text: str, kw: dict[str, Any], opts: HtmlOptions) -> str:
    """``text`` (precision mode) with the interior lines of the balanced mode put back."""
    import trafilatura

    from newsdesk.ingest.merge import merge_interior_lines

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # fast (no readability/jusText comparison): the same merged text on
            # extraction-dev at two thirds of the second pass's cost.
            bal = trafilatura.bare_extraction(
                html, with_metadata=False, **(kw | {"favor_precision": False, "fast": True}))
    except (RecursionError, MemoryError):
        raise
    except Exception:  # the precise body stands when the second pass fails
        return text
    if bal is None:
        return text
    bal_text = _body_of(bal)
    if len(text) < opts.fallback_ratio * len(bal_text):
        return bal_text
    return merge_interior_lines(text, bal_text,
                                max_ratio=opts.recover_max_ratio,
                                drop_shouted=opts.recover_drop_shouted)


def _one_line(e: BaseException, limit: int = 160) -> str:
    """An exception as a short one-line text for a skip reason."""
    msg = " ".join(str(e).split())
    if len(msg) > limit:
        msg = msg[: limit - 3] + "..."
    return f"{type(e).__name__}: {msg}" if msg else type(e).__name__


def _crash(what: str, e: BaseException) -> str:
    """The reason for a record a parser raised on: what failed, why, what to do."""
    if isinstance(e, RecursionError):
        return (f"{what} is nested too deeply to parse ({_one_line(e, 80)}); "
                "flatten or re-export it")
    if isinstance(e, MemoryError):
        return f"{what} needs more memory than there is to parse; split it into smaller inputs"
    return (f"{what} could not be parsed ({_one_line(e)}); check that it is valid, "
            "re-export it, or report it with the file attached")


def read_capped(stream: BinaryIO, limit: int, chunk: int = 1 << 20) -> bytes | None:
    """Up to ``limit`` bytes of ``stream``, read in chunks; None when there are more (the
    caller skips the input without ever holding more than ``limit`` bytes of it)."""
    parts: list[bytes] = []
    got = 0
    while True:
        b = stream.read(min(chunk, limit + 1 - got))
        if not b:
            return b"".join(parts)
        parts.append(b)
        got += len(b)
        if got > limit:
            return None


def _mb(n: int) -> str:
    return f"{n // 2**20} MB"


def read_text_doc(data: bytes, *, key: str, origin: str) -> Article:
    """A plain-text article (control characters removed, line ends normalised)."""
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


def _kind(v: Any) -> str:
    """A JSON value's type as the user wrote it (for skip reasons)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int | float):
        return "a number"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    return "a string"


def _text_field(v: Any) -> str | None:
    """A JSON string field, cleaned of control characters; None for other types."""
    if not isinstance(v, str):
        return None
    return clean_controls(v)[0]


def json_record_to_article(rec: Any, origin: str, line_no: int,
                           opts: HtmlOptions | None = None, unit: str = "line") -> Article:
    """One JSONL record: ``id``, ``text`` or ``html``, ``title``, ``url``, ``source``, ``published``.

    ``text``/``html`` must be strings (a record with only a number or a list there is
    skipped with a reason). Metadata fields of the wrong type (``"title": ["x"]``) are
    dropped, named in ``meta["dropped_fields"]``, and the article is kept."""
    if not isinstance(rec, dict):
        raise InputError(origin, f"{unit} {line_no} is JSON but not an object",
                         'write one {"id": ..., "text": ...} object a line')
    dropped: list[str] = []
    raw_key = rec.get("id") if rec.get("id") not in (None, "") else rec.get("key")
    if isinstance(raw_key, str) and raw_key.strip():
        key = clean_controls(raw_key)[0]
    elif isinstance(raw_key, int) and not isinstance(raw_key, bool):
        key = str(raw_key)
    else:
        if raw_key not in (None, ""):
            dropped.append("id" if "id" in rec else "key")
        key = f"{Path(origin).stem}:{line_no}"
    meta = {k: v for k, v in rec.items() if k not in _JSON_FIELDS}
    fields: dict[str, str | None] = {}
    for f in ("title", "url", "source", "published", "date"):
        v = rec.get(f)
        if v is None or v == "":
            fields[f] = None
        elif isinstance(v, str):
            fields[f] = clean_controls(v)[0].strip() or None
        else:
            dropped.append(f)
            fields[f] = None
    text, html = _text_field(rec.get("text")), _text_field(rec.get("html"))
    raw = clean_controls(json.dumps(rec, ensure_ascii=False))[0]
    if text and text.strip():
        art = Article(key=key, text=text, origin=origin, fmt="jsonl", raw=raw)
    elif html and html.strip():
        art = html_to_article(html, key=key, origin=origin, fmt="jsonl", url=fields["url"],
                              opts=opts)
        art.raw = raw
    else:
        bad = [f"'{f}' is {_kind(rec[f])}" for f in ("text", "html")
               if f in rec and not isinstance(rec[f], str)]
        if bad:
            raise InputError(origin, f"{unit} {line_no} (id {key!r}): {' and '.join(bad)}, "
                                     "not a string", "write the article body as a JSON string")
        raise InputError(origin, f"{unit} {line_no} (id {key!r}) has neither 'text' nor 'html'",
                         "give each record a 'text' (or 'html') string")
    art.title = fields["title"] or art.title
    art.url = fields["url"] or art.url
    art.source = fields["source"] or art.source or host_source(art.url)
    art.published = fields["published"] or fields["date"] or art.published
    art.meta.update(meta)
    art.meta["structured"] = True
    if dropped:
        art.meta["dropped_fields"] = {f: f"{_kind(rec.get(f))}, not a string" for f in dropped}
    return art


def _json_record(origin: str, i: int, rec: Any, opts: HtmlOptions | None,
                 unit: str = "line") -> Record:
    """One parsed JSON record as an Article, or a Skipped naming its line."""
    try:
        return json_record_to_article(rec, origin, i, opts, unit)
    except InputError as e:
        return Skipped(f"{origin}:{i}", e.reason + (f" ({e.hint})" if e.hint else ""))
    except Exception as e:  # any parser error (trafilatura/lxml on its HTML) skips the line
        return Skipped(f"{origin}:{i}", _crash(f"{unit} {i}", e))


def bounded_lines(fh: BinaryIO, limit: int = MAX_RECORD_BYTES) -> Iterator[bytes | None]:
    """The lines of a binary stream, each at most ``limit`` bytes; a longer line is read
    through in chunks (never held whole) and comes out as None."""
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # the rest of the overlong line, discarded chunk by chunk
                rest = fh.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


def read_jsonl_stream(lines: Iterable[str | bytes | None], origin: str,
                      opts: HtmlOptions | None = None) -> Iterator[Record]:
    """JSONL: a record a line; a broken line is skipped with its line number and the
    lines before and after it are kept. ``None`` stands for a line over the size cap."""
    for i, line in enumerate(lines, 1):
        if line is None:
            yield Skipped(f"{origin}:{i}", f"line is over the {_mb(MAX_RECORD_BYTES)} limit for "
                                           "one record; split the record or shorten its text")
            continue
        if isinstance(line, bytes):
            line = line.decode("utf-8", errors="replace")
        if not line.strip():
            continue
        try:
            rec = json.loads(line, strict=False)  # raw control bytes in strings: cleaned later
        except json.JSONDecodeError as e:
            yield Skipped(f"{origin}:{i}", f"broken JSON ({e.msg} at column {e.colno}); "
                                           "fix or remove the line")
            continue
        except Exception as e:  # RecursionError on deep nesting, ValueError on huge ints
            yield Skipped(f"{origin}:{i}", _crash(f"line {i}", e))
            continue
        yield _json_record(origin, i, rec, opts)


def read_json_file(data: bytes, origin: str, opts: HtmlOptions | None = None) -> Iterator[Record]:
    """A ``.json`` file: one object, an array of objects, or JSON lines."""
    text = decode_bytes(data, origin)
    try:
        whole = json.loads(text, strict=False)
    except (ValueError, RecursionError):
        whole = None
    if whole is None:
        yield from read_jsonl_stream(text.splitlines(), origin, opts)
        return
    items = whole if isinstance(whole, list) else [whole]
    for i, rec in enumerate(items, 1):
        yield _json_record(origin, i, rec, opts, "item" if isinstance(whole, list) else "record")


# Feed dates outside [FEED_DATE_MIN_YEAR, today] are wrong (a placeholder, a clock error,
# an epoch default) and are not trusted over the date the article itself gives.
FEED_DATE_MIN_YEAR = 1990


def feed_entry_date(e: Any) -> tuple[str | None, str | None]:
    """The entry's date as ISO ``YYYY-MM-DD`` and, when the feed's date was refused, why.

    Tried in order: ``published`` (RSS ``pubDate``, Atom ``published``, ``dc:date`` when it
    is the only date, ``issued``), Atom ``updated`` (``dc:date``, ``dcterms:modified``) and
    ``created``, all as feedparser normalises them."""
    refused: list[str] = []
    for field in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: FeedParserDict.get maps "updated" to "published" (with a warning)
        p = dict.get(e, field)
        if not p:
            continue
        try:
            d = date(p.tm_year, p.tm_mon, p.tm_mday)
        except (ValueError, TypeError, AttributeError):
            continue
        if d.year < FEED_DATE_MIN_YEAR:
            refused.append(f"{d.isoformat()} is before {FEED_DATE_MIN_YEAR}")
        elif d > date.today():
            refused.append(f"{d.isoformat()} is in the future")
        else:
            return d.isoformat(), None
    return None, "; ".join(refused) or None


def _feed_entry(e: Any, i: int, origin: str, feed_title: str | None,
                opts: HtmlOptions | None) -> Record:
    key = str(e.get("id") or e.get("guid") or e.get("link") or f"{Path(origin).stem}:{i}")
    key = clean_controls(key)[0]
    where = f"{origin}#{key}"
    body = ""
    if e.get("content"):
        body = max((c.get("value", "") or "" for c in e.content), key=len)
    body = clean_controls(body or e.get("summary", "") or "")[0]
    if not body.strip():
        return Skipped(where, "feed item has no text (no content or summary); "
                              "nothing to read in this entry")
    url = e.get("link") or None
    try:
        if "<" in body and ">" in body:
            art = html_to_article(f"<html><body><article>{body}</article></body></html>",
                                  key=key, origin=where, fmt="rss", url=url, opts=opts)
        else:
            art = Article(key=key, text=body, origin=where, fmt="rss")
    except InputError as err:
        return Skipped(err.origin, err.reason + (f" ({err.hint})" if err.hint else ""))
    art.raw = clean_controls(json.dumps(
        {k: dict.get(e, k) for k in ("id", "title", "link", "published", "updated")} | {"body": body},
        ensure_ascii=False, default=str))[0]
    title = e.get("title")
    art.title = (clean_controls(title)[0] if isinstance(title, str) else None) or art.title
    art.url = url
    art.source = feed_title or host_source(url)
    published, refused = feed_entry_date(e)
    if published:
        art.published = published
    elif refused:
        art.meta["feed_date_refused"] = refused
    art.meta["structured"] = True
    return art


# A DOCTYPE's internal subset (entity declarations). Removed by hand before feedparser
# sees the feed: expat expands internal entities (about a million callbacks, 2 s, before
# its amplification limit stops a "billion laughs"), feedparser has no switch for it,
# and defusedxml would refuse the whole feed and lose its entries. Feeds need no DTD.
_INTERNAL_DTD = re.compile(rb"<!DOCTYPE\s+([\w:.-]+)[^\[>]*\[.*?\]\s*>", re.S | re.I)


def read_feed(data: bytes, origin: str, opts: HtmlOptions | None = None) -> Iterator[Record]:
    """RSS/Atom with feedparser; full ``content`` is preferred over the summary.

    Entity expansion is refused: the DOCTYPE's entity declarations are removed first (see
    _INTERNAL_DTD), so "billion laughs" and external entities stay unexpanded literal
    text (tests/test_ingest_hostile.py checks both)."""
    import feedparser

    head = data[:65536]
    if b"<!ENTITY" in head or b"<!entity" in head:
        data = _INTERNAL_DTD.sub(rb"<!DOCTYPE \1>", head, count=1) + data[65536:]
    parsed = feedparser.parse(data, resolve_relative_uris=False)
    if not parsed.entries:
        reason = "no feed entries"
        if parsed.get("bozo"):
            reason += f" (feed parser: {_one_line(parsed.get('bozo_exception'), 120)})"
        yield Skipped(origin, reason + "; is it an RSS/Atom feed?")
        return
    feed = parsed.get("feed") or {}
    ft = feed.get("title")
    feed_title = clean_controls(ft)[0] if isinstance(ft, str) and ft.strip() else None
    for i, e in enumerate(parsed.entries, 1):
        try:
            yield _feed_entry(e, i, origin, feed_title, opts)
        except Exception as err:  # a parser raising on one entry skips that entry only
            yield Skipped(f"{origin}#{i}", _crash(f"feed entry {i}", err))


_OVER_CAP = "WARC record payload is over the"
_TRUNCATED = "WARC record is truncated"


class _Resync(Exception):
    """Internal: stop this ArchiveIterator and resume at the next record start."""


def _warc_record(rec: Any, n: int, origin: str, opts: HtmlOptions | None) -> Iterator[Record]:
    """One WARC record: an HTML response becomes an Article; others are passed over."""
    rid = clean_controls(rec.rec_headers.get_header("WARC-Record-ID") or "")[0].strip() \
        or f"{origin}:{n}"
    url = clean_controls(rec.rec_headers.get_header("WARC-Target-URI") or "")[0].strip() or None
    ctype = rec.http_headers.get_header("Content-Type") if rec.http_headers else ""
    where = f"{origin}#{rid}"
    payload = read_capped(rec.content_stream(), MAX_RECORD_BYTES)
    if payload is None:
        yield Skipped(where, f"{_OVER_CAP} {_mb(MAX_RECORD_BYTES)} limit "
                             "for one page (not read whole); is it a page? if so, "
                             "extract it separately")
        return
    if getattr(rec.raw_stream, "limit", 0) > 0:
        # Fewer bytes than the record's Content-Length: the file was cut short.
        yield Skipped(where, f"{_TRUNCATED} (file cut short, or its Content-Length "
                             "is wrong); re-download or re-export the WARC")
        return
    status = rec.http_headers.get_statuscode() if rec.http_headers else "200"
    if status and not str(status).startswith("2"):
        yield Skipped(where, f"HTTP status {status}: not a page to read")
        return
    declared = None
    if ctype and "charset=" in ctype.lower():
        declared = ctype.lower().split("charset=")[-1].split(";")[0].strip().strip("\"'")
    html = decode_bytes(payload, where, declared)
    art = html_to_article(html, key=rid, origin=where, fmt="warc", url=url, opts=opts)
    art.meta["structured"] = True
    yield art


_WARC_TYPES = {"warcinfo", "response", "resource", "request", "metadata", "revisit",
               "conversion", "continuation"}


def _garbled(rec: Any) -> str | None:
    """Why a record warcio returned is not a real one (headers the WARC standard
    requires are missing: what warcio makes of a header cut short), or None."""
    if getattr(rec, "format", "warc") != "warc":
        return None
    h = rec.rec_headers
    if rec.rec_type not in _WARC_TYPES:
        return f"unknown WARC-Type {str(rec.rec_type)[:40]!r}"
    missing = [k for k in ("WARC-Record-ID", "Content-Length") if not h.get_header(k)]
    if missing:
        return f"no {' or '.join(missing)} header"
    return None


def _is_html_response(rec: Any) -> bool:
    if rec.rec_type != "response":
        return False
    ctype = rec.http_headers.get_header("Content-Type") if rec.http_headers else ""
    return not ctype or "html" in ctype.lower()


def _next_record_start(stream: BinaryIO, after: int) -> int | None:
    """Byte offset of the next plausible record start after ``after``: a gzip member
    header or a ``WARC/1.`` line, whichever comes first (a damaged first member can make
    a .warc.gz look plain, and a false start is simply skipped again). 1 MB chunks."""
    pos = after + 1
    while True:
        stream.seek(pos)
        chunk = stream.read(1 << 20)
        if len(chunk) < 4:
            return None
        hits = [j for j in (chunk.find(b"\x1f\x8b\x08"), chunk.find(b"\nWARC/1.")) if j >= 0]
        if hits:
            j = min(hits)
            return pos + j + (1 if chunk[j:j + 1] == b"\n" else 0)
        if len(chunk) < 1 << 20:
            return None
        pos += len(chunk) - 8  # overlap: a start split across two chunks is found


def _recover_record(stream: BinaryIO, at: int, n: int, origin: str,
                    opts: HtmlOptions | None, gz: bool) -> tuple[list[Record], int] | None:
    """Read the record at ``at`` that warcio's loader raised on, without its HTTP parse
    (a response record lacking WARC-Target-URI makes warcio raise AttributeError), then
    parse its HTTP headers here. Returns the records and the next record's offset."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.statusandheaders import StatusAndHeadersParser

    stream.seek(at)
    it = ArchiveIterator(stream, no_record_parse=True)
    with contextlib.redirect_stderr(io.StringIO()):
        rec = next(it, None)
        if (rec is None or rec.format == "arc" or _garbled(rec)
                or (gz and it.reader.decompressor is None)):
            return None
        out: list[Record] = []
        if rec.rec_type == "response":
            rec.http_headers = StatusAndHeadersParser(
                ["HTTP/1.0", "HTTP/1.1"], verify=False).parse(rec.raw_stream)
            if _is_html_response(rec):
                out = list(_warc_record(rec, n, origin, opts))
                for a in out:
                    if isinstance(a, Article) and not rec.rec_headers.get_header(
                            "WARC-Target-URI"):
                        a.meta["warc_repaired"] = "record has no WARC-Target-URI"
        it.read_to_end()
        nxt = it.offset
    return (out, nxt) if nxt > at else None


def read_warc(stream: BinaryIO, origin: str, opts: HtmlOptions | None = None) -> Iterator[Record]:
    """HTML ``response`` records of a WARC (as in CC-NEWS); others are passed over.

    warcio's ArchiveIterator reads the records. When it raises on a garbled record (or
    stops before the end of the file), the record is read again without warcio's HTTP
    parse (see _recover_record) or, failing that, skipped with a reason; reading resumes
    at the next gzip member / ``WARC/1.`` line, so records after a bad one are kept. A
    record's payload is read in chunks up to MAX_RECORD_BYTES, never held whole."""
    from warcio.archiveiterator import ArchiveIterator

    gz = stream.read(2) == b"\x1f\x8b"
    pos, n, index = 0, 0, 0
    last = -1
    while True:
        if pos <= last:  # never read from the same place twice: every pass moves on
            nxt0 = _next_record_start(stream, last)
            if nxt0 is None:
                return
            pos = nxt0
        last = pos
        stream.seek(pos)
        it = ArchiveIterator(stream)
        reported = -1  # offset of a record already skipped with a reason
        cur_start = -1  # offset of the last record warcio returned
        failure: Exception | None = None
        try:
            while True:
                with contextlib.redirect_stderr(io.StringIO()):  # warcio prints warnings
                    rec = next(it, None)
                if rec is None:
                    stream.seek(it.offset)
                    if not stream.read(4096).strip(b"\r\n\x00 \t"):
                        return  # the real end of the file
                    raise EOFError("warcio stopped before the end of the file")
                cur_start = max(it.offset, pos)  # warcio's offset is unreliable after damage
                if rec.format == "arc" or (gz and it.reader.decompressor is None):
                    # Bytes that are not a gzip member (or an ARC header made of noise):
                    # warcio would trust a length read from garbage.
                    raise _Resync(f"bytes at {cur_start} are not a WARC record")
                index += 1
                bad = _garbled(rec)
                if bad:
                    reported = cur_start
                    yield Skipped(f"{origin}: record {index} (byte {cur_start})",
                                  f"{bad}: the record is garbled or the file cut short; "
                                  "re-download or re-export the WARC")
                    continue
                if not _is_html_response(rec):
                    continue
                n += 1
                try:
                    for r in _warc_record(rec, n - 1, origin, opts):
                        if isinstance(r, Skipped):
                            reported = cur_start
                        yield r
                        if isinstance(r, Skipped) and (
                                r.reason.startswith(_TRUNCATED)
                                or (gz and r.reason.startswith(_OVER_CAP))):
                            # A record shorter than its Content-Length may have swallowed
                            # the records after it; one over the cap in a .warc.gz may
                            # inflate to gigabytes: look for the next record start.
                            raise _Resync("record skipped")
                except _Resync:
                    raise
                except InputError as e:
                    reported = cur_start
                    yield Skipped(e.origin, e.reason + (f" ({e.hint})" if e.hint else ""))
                except Exception as e:
                    reported = cur_start
                    rid = rec.rec_headers.get_header("WARC-Record-ID") or f"record {index}"
                    yield Skipped(f"{origin}#{rid}", _crash(
                        f"WARC record {index} (byte {cur_start})", e))
        except Exception as e:  # warcio raised or stopped early: resynchronise
            failure = e
        if reported >= 0 and reported == cur_start:
            # The last record was already skipped with its reason, and after a broken
            # record warcio's idea of where the next one starts cannot be trusted.
            nxt = _next_record_start(stream, cur_start)
            if nxt is None:
                return
            pos = nxt
            continue
        bad_at = cur_start if isinstance(failure, _Resync) else max(it.offset, pos, cur_start)
        if 0 <= cur_start < bad_at:
            # A record start between the last good record and the failure: that record's
            # Content-Length was too long and warcio read into the next one.
            back = _next_record_start(stream, cur_start)
            if back is not None and back < bad_at:
                pos = back
                continue
        if not isinstance(failure, _Resync):
            try:
                got = _recover_record(stream, bad_at, n, origin, opts, gz)
            except Exception:
                got = None
            if got is not None:
                recs, pos = got
                index += 1
                n += 1
                yield from recs
                continue
        nxt = _next_record_start(stream, bad_at)
        index += 1
        where = f"{origin}: record {index} (byte {bad_at})"
        cause = str(failure) if isinstance(failure, _Resync) else _one_line(failure or EOFError())
        head = ("WARC file is truncated or corrupt" if bad_at else
                "not a readable WARC file") + f" ({cause})"
        if nxt is None:
            yield Skipped(where, f"{head}; warcio cannot resynchronise: no later record was "
                                 f"found, so nothing after byte {bad_at} was read ({n} pages "
                                 "before it kept); re-download or repair the WARC")
            return
        yield Skipped(where, f"{head}; this record was skipped and reading resumed at the "
                             f"next record (byte {nxt})")
        pos = nxt


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


def guarded(records: Iterator[Record], origin: str) -> Iterator[Record]:
    """The one guard around every reader: whatever a parser raises ends this file with a
    :class:`Skipped` naming it (and how many records were read before), never a traceback;
    the records already read are kept and the batch goes on."""
    n = 0
    try:
        for r in records:
            n += 1
            yield r
    except InputError as e:
        yield Skipped(e.origin, e.reason + (f" ({e.hint})" if e.hint else ""))
    except OSError as e:
        yield Skipped(origin, f"cannot read: {e.strerror or _one_line(e)}"
                              + (f" (after {n} records)" if n else "")
                              + "; check the file is complete and readable")
    except Exception as e:
        what = f"the file after record {n}" if n else "the file"
        yield Skipped(origin, _crash(what, e)
                      + ("; records before it kept" if n else ""))


def read_path(path: Path, opts: HtmlOptions | None = None) -> Iterator[Record]:
    """Read one file (by suffix) or a directory (recursively, sorted); never raises."""
    if str(path) == "-":
        yield from guarded(read_jsonl_stream(bounded_lines(sys.stdin.buffer), "<stdin>", opts),
                           "<stdin>")
        return
    if not path.exists():
        yield Skipped(str(path), "no such file or directory")
        return
    if path.is_dir():
        for f in walk_dir(path)[0]:
            yield from guarded(_read_file(f, opts), str(f))
        return
    yield from guarded(_read_file(path, opts), str(path))


def _gzip_error(e: BaseException) -> bool:
    return isinstance(e, EOFError | zlib.error | gzip.BadGzipFile)


def _read_file(path: Path, opts: HtmlOptions | None) -> Iterator[Record]:
    origin = str(path)
    name = path.name.lower()
    key = path.name.split(".")[0] if not name.startswith(".") else path.name
    gz = name.endswith(".gz")
    inner = name[:-3] if gz else name
    suffix = Path(inner).suffix
    if inner.endswith(".warc"):
        with open(path, "rb") as fh:
            yield from read_warc(fh, origin, opts)
        return
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl_file(path, suffix, gz, opts)
        return
    size = path.stat().st_size
    if size > MAX_DOC_BYTES:
        yield Skipped(origin, f"file is {size / 1e6:.0f} MB, over the {_mb(MAX_DOC_BYTES)}"
                              " limit for one article; split it or use JSONL")
        return
    if gz:
        try:
            with gzip.open(path, "rb") as fh:
                data = read_capped(fh, MAX_DOC_BYTES)  # type: ignore[arg-type]
        except (OSError, EOFError, zlib.error) as e:
            yield Skipped(origin, f"gzip data is truncated or corrupt ({_one_line(e)}); "
                                  "re-download or re-compress the file")
            return
        if data is None:
            yield Skipped(origin, f"decompresses to over the {_mb(MAX_DOC_BYTES)} limit for one "
                                  "article (not read whole); split it or use JSONL")
            return
    else:
        data = path.read_bytes()
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
        yield Skipped(origin, f"unknown file type {suffix!r}; pass .txt, .html, .jsonl, "
                              ".rss/.atom/.xml or .warc(.gz) files")


# A .gz inflating more than this many times its size is a compression bomb, not news
# (JSON news text compresses 3-10:1; zeros compress 1000:1). Checked past 64 MB only.
MAX_GZIP_RATIO = 100


class _RatioGuard:
    """Wraps a GzipFile: raises InputError when what it has inflated so far exceeds
    MAX_GZIP_RATIO times the compressed bytes read (no library offers this check)."""

    def __init__(self, fh: Any, origin: str) -> None:
        self.fh, self.origin, self.out = fh, origin, 0

    def _count(self, b: bytes) -> bytes:
        self.out += len(b)
        if self.out > 64 << 20:
            raw = max(1, self.fh.fileobj.tell())
            if self.out > MAX_GZIP_RATIO * raw:
                raise InputError(self.origin, f"gzip data inflates more than {MAX_GZIP_RATIO}:1 "
                                 f"({self.out >> 20} MB from {raw >> 10} KB; a compression "
                                 "bomb?); the records before it were kept",
                                 "re-compress the real data")
        return b

    def readline(self, size: int = -1) -> bytes:
        return self._count(self.fh.readline(size))

    def read(self, size: int = -1) -> bytes:
        return self._count(self.fh.read(size))


def _read_jsonl_file(path: Path, suffix: str, gz: bool,
                     opts: HtmlOptions | None) -> Iterator[Record]:
    """JSONL (or .json) streamed line by line, each line capped; gzip decompressed as it
    streams, so a truncated .jsonl.gz keeps every line before the cut."""
    origin = str(path)
    with (gzip.open(path, "rb") if gz else open(path, "rb")) as fh:
        head = fh.read(8192)
        # Binary when the first line is: a bad line further on skips that line only.
        if looks_binary(head.split(b"\n", 1)[0]):
            yield Skipped(origin, "binary data, not JSON lines; pass one JSON object a line")
            return
        if suffix == ".json":
            rest = read_capped(fh, MAX_JSON_DOC_BYTES - len(head))  # type: ignore[arg-type]
            if rest is not None:
                yield from read_json_file(head + rest, origin, opts)
                return
            if head.lstrip()[:1] == b"[":
                yield Skipped(origin, f"JSON array over the {_mb(MAX_JSON_DOC_BYTES)} limit for "
                                      "one .json file (not read whole); write it as JSON lines "
                                      "(.jsonl), one record a line")
                return
        fh.seek(0)
        n = 0
        src: Any = _RatioGuard(fh, origin) if gz else fh  # type: ignore[arg-type]
        try:
            for rec in read_jsonl_stream(bounded_lines(src), origin, opts):
                n += 1
                yield rec
        except (OSError, EOFError, zlib.error) as e:
            if not gz:
                raise
            yield Skipped(origin, f"gzip data is truncated or corrupt after {n} records "
                                  f"({_one_line(e)}); the records before it were kept; "
                                  "re-download or re-compress the file")


def read_inputs(paths: Iterable[str | Path], opts: HtmlOptions | None = None) -> Iterator[Record]:
    """Read every input path in turn (``-`` is JSONL on stdin)."""
    for p in paths:
        yield from read_path(Path(p) if str(p) != "-" else Path("-"), opts)
