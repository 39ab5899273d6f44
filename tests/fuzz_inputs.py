"""Fuzzing machinery shared by tests/test_fuzz_readers.py and bench/fuzz_readers.py.

Valid fixtures for every reader (text, HTML, JSONL, RSS, plain WARC, WARC.gz, gzip),
built from sentences written for newsdesk, each record's byte span known; mutations
that damage one record (or the whole file) and say which records stay intact; and
:func:`check`, which reads an input and lists every broken promise: an exception, a
skip without file or reason, control characters in a kept text, an intact record lost.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.errors import Skipped
from newsdesk.ingest import IngestOptions, read_clean
from newsdesk.model import Article

SENTENCES = [
    "The ferry to Orvel island resumed service on Monday after a week of engine repairs.",
    "Farmers near Dorrow began the barley harvest two weeks early because of the dry summer.",
    "The council of Lenmark approved a plan to turn the old tram depot into a library.",
    "A footbridge over the river Sarn opened to walkers, linking both halves of the town.",
    "Teachers in the Vell valley accepted a pay offer, ending a three-day strike.",
    "The harbour board of Tessa ordered two electric cranes for the eastern quay.",
]


def body(i: int) -> str:
    """Two sentences for record ``i`` (distinct per record, so ids differ)."""
    return (f"{SENTENCES[i % len(SENTENCES)]} Record {i} was filed by the desk. "
            f"{SENTENCES[(i + 2) % len(SENTENCES)]}")


def html_page(i: int, charset: str = "utf-8") -> str:
    return (f'<html><head><meta charset="{charset}"><title>Report {i}</title></head><body>'
            f"<article><h1>Report {i}</h1><p>{body(i)}</p><p>Officials said more details "
            f"would follow in the week, item {i}.</p></article></body></html>")


@dataclass
class Fixture:
    """A valid input file: its name, bytes, record keys and each record's byte span."""

    kind: str
    name: str
    data: bytes
    keys: list[str]
    spans: list[tuple[int, int]] = field(default_factory=list)
    records: list[bytes] = field(default_factory=list)  # warc: each record's raw bytes


def _warc_record(rid: str, html: str) -> bytes:
    payload = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
               + html.encode())
    head = ("WARC/1.0\r\nWARC-Type: response\r\n"
            f"WARC-Record-ID: {rid}\r\nWARC-Date: 2025-04-02T10:00:00Z\r\n"
            f"WARC-Target-URI: https://news.example/{rid.strip('<>')}\r\n"
            "Content-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n")
    return head.encode() + payload + b"\r\n\r\n"


def _join(parts: list[bytes]) -> tuple[bytes, list[tuple[int, int]]]:
    spans, pos = [], 0
    for p in parts:
        spans.append((pos, pos + len(p)))
        pos += len(p)
    return b"".join(parts), spans


def make(kind: str, n: int = 3) -> Fixture:
    """A valid fixture of ``kind``: txt, html, jsonl, feed, warc, warc.gz, txt.gz, jsonl.gz."""
    if kind == "txt":
        return Fixture(kind, "story.txt", (body(0) + "\n\n" + body(1)).encode(), ["story"])
    if kind == "html":
        return Fixture(kind, "page.html", html_page(0).encode(), ["page"])
    if kind in ("jsonl", "jsonl.gz"):
        lines = [(json.dumps({"id": f"j{i}", "title": f"Report {i}", "text": body(i)})
                  + "\n").encode() for i in range(n)]
        data, spans = _join(lines)
        keys = [f"j{i}" for i in range(n)]
        if kind == "jsonl.gz":
            return Fixture(kind, "wire.jsonl.gz", gzip.compress(data, mtime=0), keys)
        return Fixture(kind, "wire.jsonl", data, keys, spans)
    if kind == "txt.gz":
        return Fixture(kind, "story.txt.gz", gzip.compress(make("txt").data, mtime=0), ["story"])
    if kind == "feed":
        head = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                b"<title>Vell Post</title>")
        items = [(f"<item><guid>f{i}</guid><title>Report {i}</title>"
                  f"<pubDate>Wed, 05 Feb 2025 10:00:00 GMT</pubDate>"
                  f"<description>{body(i)}</description></item>").encode() for i in range(n)]
        data, spans = _join([head, *items, b"</channel></rss>"])
        return Fixture(kind, "news.rss", data, [f"f{i}" for i in range(n)], spans[1:-1])
    if kind in ("warc", "warc.gz"):
        recs = [_warc_record(f"<urn:uuid:w{i}>", html_page(i)) for i in range(n)]
        keys = [f"<urn:uuid:w{i}>" for i in range(n)]
        if kind == "warc.gz":
            data, spans = _join([gzip.compress(r, mtime=0) for r in recs])
            return Fixture(kind, "crawl.warc.gz", data, keys, spans, recs)
        data, spans = _join(recs)
        return Fixture(kind, "crawl.warc", data, keys, spans, recs)
    raise ValueError(kind)


KINDS = ["txt", "html", "jsonl", "feed", "warc", "warc.gz", "txt.gz", "jsonl.gz"]


# --- mutations: (fixture, rng) -> (bytes, keys that must survive, description) -----------

Mutation = Callable[[Fixture, random.Random], tuple[bytes, list[str], str]]


def _others(fx: Fixture, k: int, before_only: bool = False) -> list[str]:
    return [key for i, key in enumerate(fx.keys) if i != k and (i < k or not before_only)]


def m_random(fx: Fixture, rng: random.Random) -> tuple[bytes, list[str], str]:
    n = rng.choice([0, 1, 7, 64, 600, 5000])
    return rng.randbytes(n), [], f"random {n} bytes"


def m_truncate(fx: Fixture, rng: random.Random) -> tuple[bytes, list[str], str]:
    at = rng.randrange(len(fx.data) + 1)
    intact: list[str] = []
    if fx.kind in ("jsonl", "warc", "warc.gz") and fx.spans:
        intact = [k for k, (_, end) in zip(fx.keys, fx.spans, strict=True) if end <= at]
    return fx.data[:at], intact, f"truncate at {at}"


def _flip_in(data: bytes, lo: int, hi: int, rng: random.Random, n: int,
             avoid: bytes = b"") -> bytes:
    b = bytearray(data)
    for _ in range(n):
        if hi <= lo:
            break
        j = rng.randrange(lo, hi)
        v = b[j] ^ (1 << rng.randrange(8))
        if bytes([v]) in avoid:
            continue
        b[j] = v
    return bytes(b)


def m_flip(fx: Fixture, rng: random.Random) -> tuple[bytes, list[str], str]:
    n = rng.choice([1, 2, 8, 40])
    if fx.spans:
        k = rng.randrange(len(fx.spans))
        lo, hi = fx.spans[k]
        if fx.kind == "jsonl":  # a flip must not make or remove a line break
            data = _flip_in(fx.data, lo, hi - 1, rng, n, avoid=b"\n")
            return data, _others(fx, k), f"flip {n} bits in line {k + 1}"
        data = _flip_in(fx.data, lo, hi, rng, n)
        if fx.kind == "warc.gz":
            return data, _others(fx, k), f"flip {n} bits in gzip member {k + 1}"
        # Plain WARC: a flipped Content-Length may swallow later records; feeds: a flipped
        # tag may swallow later items. Records before the flip are intact.
        before = _others(fx, k, before_only=True) if fx.kind == "warc" else []
        return data, before, f"flip {n} bits in record {k + 1}"
    return _flip_in(fx.data, 0, len(fx.data), rng, n), [], f"flip {n} bits"


def m_letters(fx: Fixture, rng: random.Random) -> tuple[bytes, list[str], str]:
    """Letters of one record's text replaced by other letters: the markup is untouched,
    so every record, the changed one included, must survive."""
    if not fx.spans:
        return m_flip(fx, rng)
    k = rng.randrange(len(fx.spans))
    lo, hi = fx.spans[k]
    b = bytearray(fx.data)
    text = re.search(rb"(Officials said|Record \d+ was filed)[a-z ]+", bytes(b[lo:hi]))
    if text:
        for j in range(lo + text.start() + 2, lo + text.end()):
            if rng.random() < 0.3 and chr(b[j]).islower():
                b[j] = ord(rng.choice("abcdefghijklmnopqrstuvwxyz"))
    return bytes(b), list(fx.keys), f"letters changed in record {k + 1}"


def _rebuild(fx: Fixture, k: int, rec: bytes) -> bytes:
    recs = list(fx.records)
    recs[k] = rec
    if fx.kind == "warc.gz":
        return b"".join(gzip.compress(r, mtime=0) for r in recs)
    return b"".join(recs)


def _warc_intact(fx: Fixture, k: int, safe_after: bool) -> list[str]:
    return _others(fx, k, before_only=fx.kind == "warc" and not safe_after)


def m_header(fx: Fixture, rng: random.Random) -> tuple[bytes, list[str], str]:
    """Drop or duplicate one WARC header of one record."""
    if not fx.records:
        return m_truncate(fx, rng)
    k = rng.randrange(len(fx.records))
    head, _, rest = fx.records[k].partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    j = rng.randrange(len(lines))
    if rng.random() < 0.5:
        what = f"drop header {lines[j][:20]!r}"
        new = lines[:j] + lines[j + 1:]
    else:
        what = f"duplicate header {lines[j][:20]!r}"
        new = lines[:j + 1] + lines[j:]
    rec = b"\r\n".join(new) + b"\r\n\r\n" + rest
    # Without its Content-Length a plain record's end is unknown: later ones may go with it.
    safe = not lines[j].startswith((b"Content-Length", b"WARC/1.0"))
    return _rebuild(fx, k, rec), _warc_intact(fx, k, safe), f"record {k + 1}: {what}"


def m_length(fx: Fixture, rng: random.Random) -> tuple[bytes, list[str], str]:
    """A wrong Content-Length in one record."""
    if not fx.records:
        return m_flip(fx, rng)
    k = rng.randrange(len(fx.records))
    delta = rng.choice([-200, -37, -1, 1, 50, 5000, 10**9])
    rec = re.sub(rb"Content-Length: (\d+)\r\n(?=\r\n)",
                 lambda m: b"Content-Length: %d\r\n" % max(0, int(m.group(1)) + delta),
                 fx.records[k], count=1)
    # Too long: warcio reads into the next record; the reader finds its start again.
    return (_rebuild(fx, k, rec), _warc_intact(fx, k, True),
            f"record {k + 1}: Content-Length {delta:+d}")


def m_charset(fx: Fixture, rng: random.Random) -> tuple[bytes, list[str], str]:
    """A wrong charset declaration (the bytes stay UTF-8 or become cp1252)."""
    cs = rng.choice(["utf-16", "utf-32", "koi8-r", "cp500", "no-such-codec", "utf-7", "ascii",
                     "x" * 30])
    data = fx.data.replace(b"charset=utf-8", b"charset=" + cs.encode())
    data = data.replace(b'charset="utf-8"', b'charset="' + cs.encode() + b'"')
    if rng.random() < 0.5:
        data = data.replace(b"Officials", "Offîcials é".encode("cp1252"))
    return data, [], f"charset declared {cs!r}"


def m_gzip_cut(fx: Fixture, rng: random.Random) -> tuple[bytes, list[str], str]:
    """One gzip member cut short (the others left whole)."""
    if fx.kind == "warc.gz" and fx.spans:
        k = rng.randrange(len(fx.spans))
        lo, hi = fx.spans[k]
        cut = rng.randrange(1, hi - lo)
        data = fx.data[:hi - cut] + fx.data[hi:]
        return data, _others(fx, k), f"gzip member {k + 1} cut {cut} bytes short"
    if fx.kind.endswith(".gz") and len(fx.data) > 1:
        cut = rng.randrange(1, len(fx.data))
        return fx.data[:-cut], [], f"gzip cut {cut} bytes short"
    return m_truncate(fx, rng)


def m_duplicate(fx: Fixture, rng: random.Random) -> tuple[bytes, list[str], str]:
    """One record written twice: every record survives."""
    if not fx.spans:
        return fx.data + fx.data, [], "file doubled"
    k = rng.randrange(len(fx.spans))
    lo, hi = fx.spans[k]
    return fx.data[:hi] + fx.data[lo:hi] + fx.data[hi:], list(fx.keys), f"record {k + 1} twice"


def m_controls(fx: Fixture, rng: random.Random) -> tuple[bytes, list[str], str]:
    """NUL and other control bytes inside the text of one record (markup untouched)."""
    junk = bytes(rng.choice([0, 1, 7, 8, 11, 12, 27, 127]) for _ in range(3))
    data = fx.data.replace(b"Officials", b"Offi" + junk + b"cials", 1)
    data = data.replace(b"was filed", b"was" + junk + b" filed", 1)
    return data, list(fx.keys) if fx.kind not in ("txt.gz", "jsonl.gz") else [], "control bytes"


MUTATIONS: dict[str, Mutation] = {
    "random": m_random, "truncate": m_truncate, "flip": m_flip, "letters": m_letters,
    "header": m_header, "length": m_length, "charset": m_charset, "gzip_cut": m_gzip_cut,
    "duplicate": m_duplicate, "controls": m_controls,
}

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


STATS: dict[str, int] = {"articles": 0, "skips": 0}


def check(name: str, data: bytes, intact: list[str], workdir: Path | None = None) -> list[str]:
    """Read ``data`` as a file called ``name``; return every broken promise (empty: ok).
    Counts the articles kept and skips reported in :data:`STATS`."""
    with tempfile.TemporaryDirectory(dir=workdir) as d:
        p = Path(d) / name
        p.write_bytes(data)
        try:
            recs = list(read_clean([p], IngestOptions(workers=1)))
        except Exception as e:  # the one thing that must never happen
            return [f"raised {type(e).__name__}: {e}"]
    problems = []
    keys = set()
    for r in recs:
        if isinstance(r, Skipped):
            STATS["skips"] += 1
            if name not in r.origin:
                problems.append(f"skip does not name the file: {r.origin!r}")
            if not r.reason.strip() or "\n" in r.reason:
                problems.append(f"skip reason empty or not one line: {r.reason!r}")
        elif isinstance(r, Article):
            STATS["articles"] += 1
            keys.add(r.key)
            if not r.text.strip():
                problems.append(f"article {r.key!r} kept with an empty text")
            for label, s in (("text", r.text), ("title", r.title or ""), ("key", r.key)):
                if _CONTROL.search(s):
                    problems.append(f"control character left in the {label} of {r.key!r}")
            try:
                json.dumps(r.meta, default=str)
                r.text.encode("utf-8")
                r.raw.encode("utf-8")
            except (TypeError, ValueError, UnicodeError) as e:
                problems.append(f"article {r.key!r} cannot be stored: {e}")
        else:
            problems.append(f"reader yielded {type(r).__name__}")
    lost = [k for k in intact if k not in keys]
    if lost:
        problems.append(f"intact records lost: {lost}")
    return problems
