"""Hostile inputs (issue 10): what ingest does with each, and its peak memory.

Every input class is generated into a temporary folder (fictional sentences written for
newsdesk), next to good articles where the class is about keeping neighbours, and
ingested by ``newsdesk.ingest.ingest(..., Store(":memory:"), IngestOptions(workers=1))``
in a fresh child process. The child reports what it kept and skipped and its own
high-water mark (``ru_maxrss``); the parent also samples the child's resident memory
with psutil. Bound: under 500 MB each; articles lost must be 0.

    python bench/bench_hostile.py            # all classes (~1 minute, ~150 MB of temp files)
    python bench/bench_hostile.py --only bomb

Prints a Markdown table (the one in BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import psutil

LIMIT_MB = 500
STORY = ("The ferry to Orvel island resumed service on Monday after a week of engine repairs, "
         "the harbour office said, and the first crossing left on time. ")
OTHER = ("Farmers near Dorrow began the barley harvest two weeks early because the summer was "
         "unusually dry, the regional growers' association said on Thursday. ")


def page(i: int, extra: str = "") -> str:
    return (f"<html><head><title>Report {i}</title></head><body><article><h1>Report {i}</h1>"
            f"<p>{STORY}Item {i}.</p><p>{OTHER}</p>{extra}</article></body></html>")


def _http(html: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html


def record(rid: str, payload: bytes, uri: str | None = "https://news.example/r") -> bytes:
    head = ["WARC/1.0", "WARC-Type: response", f"WARC-Record-ID: {rid}",
            "WARC-Date: 2025-04-02T10:00:00Z"]
    if uri:
        head.append(f"WARC-Target-URI: {uri}")
    head += ["Content-Type: application/http; msgtype=response",
             f"Content-Length: {len(payload)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + payload + b"\r\n\r\n"


def zeros_gz(head: bytes, n: int, tail: bytes = b"") -> bytes:
    """A gzip member: ``head``, ``n`` zero bytes, ``tail`` (about 1000:1)."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = io.BytesIO()
    out.write(c.compress(head))
    block = bytes(1 << 22)
    for _ in range(n >> 22):
        out.write(c.compress(block))
    out.write(c.compress(tail))
    out.write(c.flush())
    return out.getvalue()


def texts(d: Path, n: int = 5) -> list[str]:
    for i in range(n):
        (d / f"good{i}.txt").write_text(f"{STORY}Item {i}.\n\n{OTHER}")
    return [f"good{i}" for i in range(n)]


# --- input classes: each writes into a folder, returns (description, keys that must survive)

def c_warc_bomb(d: Path) -> tuple[str, list[str]]:
    n = 2 << 30
    http_head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
    head = ("WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:bomb>\r\n"
            "WARC-Target-URI: https://news.example/zeros\r\n"
            "Content-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http_head) + n}\r\n\r\n").encode() + http_head
    good = [gzip.compress(record(f"<urn:uuid:ok{i}>", _http(page(i).encode()))) for i in (0, 1)]
    (d / "bomb.warc.gz").write_bytes(good[0] + zeros_gz(head, n, b"\r\n\r\n") + good[1])
    return ".warc.gz: 2 GB-of-zeros response record (2 MB file) between two pages", [
        "<urn:uuid:ok0>", "<urn:uuid:ok1>"]


def c_gz_bomb(d: Path) -> tuple[str, list[str]]:
    (d / "bomb.txt.gz").write_bytes(zeros_gz(STORY.encode(), 2 << 30))
    return ".txt.gz inflating to 2 GB (2 MB file), beside 5 texts", texts(d)


def c_jsonl_gz_bomb(d: Path) -> tuple[str, list[str]]:
    good = "".join(json.dumps({"id": f"j{i}", "text": STORY + f"Item {i}."}) + "\n"
                   for i in range(3)).encode()
    (d / "bomb.jsonl.gz").write_bytes(gzip.compress(good) + zeros_gz(b'{"id": "z", "text": "',
                                                                      2 << 30, b'"}\n'))
    return ".jsonl.gz: 3 records then one 2 GB line (2 MB file)", ["j0", "j1", "j2"]


def c_long_jsonl_line(d: Path) -> tuple[str, list[str]]:
    with open(d / "long.jsonl", "w") as fh:
        fh.write(json.dumps({"id": "before", "text": STORY}) + "\n")
        fh.write('{"id": "huge", "text": "' + "word " * (12 << 20) + '"}\n')
        fh.write(json.dumps({"id": "after", "text": OTHER}) + "\n")
    return "JSONL: a 60 MB line between two good lines", ["before", "after"]


def c_big_text(d: Path) -> tuple[str, list[str]]:
    with open(d / "huge.txt", "w") as fh:
        for _ in range(40 << 10):
            fh.write(STORY * 8 + "\n")
    return "text file of 40 MB (over the one-article cap)", texts(d)


def c_json_array(d: Path) -> tuple[str, list[str]]:
    (d / "dump.json").write_text(json.dumps([{"id": str(i), "text": STORY} for i in range(60_000)]))
    return "one .json array of 10 MB", texts(d)


def c_deep_json(d: Path) -> tuple[str, list[str]]:
    (d / "deep.jsonl").write_text(json.dumps({"id": "a", "text": STORY}) + "\n"
                                  + "[" * 200_000 + "]" * 200_000 + "\n"
                                  + json.dumps({"id": "b", "text": OTHER}) + "\n")
    return "JSONL line nested 200,000 deep", ["a", "b"]


def c_wrong_types(d: Path) -> tuple[str, list[str]]:
    recs = [{"id": "ok", "text": STORY}, {"id": "num", "text": 12345},
            {"id": "tl", "title": ["x"], "text": OTHER}, {"id": "h", "html": ["<p>x</p>"]},
            {"id": "last", "text": STORY + " Later."}]
    (d / "types.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
    return 'JSONL wrong types ("text": 12345, "title": ["x"], "html": [...])', [
        "ok", "tl", "last"]


def c_laughs(d: Path) -> tuple[str, list[str]]:
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10))
    (d / "lol.rss").write_text(
        f'<?xml version="1.0"?><!DOCTYPE rss [{ents}]><rss version="2.0"><channel>'
        "<title>Laughs</title><item><guid>e1</guid><title>&lol9;</title>"
        f"<description>{STORY}</description></item><item><guid>e2</guid>"
        f"<description>{OTHER}</description></item></channel></rss>")
    (d / "xxe.rss").write_text(
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<rss version="2.0"><channel><title>X</title><item><guid>x1</guid>'
        f"<description>{STORY} &amp;x; &x;</description></item></channel></rss>")
    return "feeds: billion laughs (10^9 expansion) and an external entity", ["e1", "e2", "x1"]


def c_deep_html(d: Path) -> tuple[str, list[str]]:
    (d / "deep.html").write_text(page(0, "<div>" * 50_000 + "deep" + "</div>" * 50_000))
    return "HTML nested 50,000 deep", ["deep"]


def c_long_line(d: Path) -> tuple[str, list[str]]:
    line = (STORY + OTHER) * 2_500
    (d / "line.txt").write_text(line)
    (d / "lineh.html").write_text(f"<html><body><article><p>{line}</p></article></body></html>")
    return "one line of 680,000 characters (text and HTML)", ["line", "lineh"]


def c_controls(d: Path) -> tuple[str, list[str]]:
    (d / "nul.txt").write_bytes(STORY.encode() + b"\x00\x01\x1b" + OTHER.encode() + b"\x00\x7f")
    (d / "nulh.html").write_bytes(page(1, "<p>Bus\x00 times\x08 change.</p>").encode())
    (d / "nul.jsonl").write_bytes(b'{"id": "nj", "text": "' + STORY.encode() + b'\x00\\u0000"}\n')
    return "NUL and control bytes inside text, HTML, JSONL", ["nul", "nulh", "nj"]


def c_cr(d: Path) -> tuple[str, list[str]]:
    (d / "mac.txt").write_bytes(f"{STORY}\r\r{OTHER}\r\rA third paragraph.".encode())
    return "CR-only line endings", ["mac"]


def c_no_uri(d: Path) -> tuple[str, list[str]]:
    keys = texts(d)
    (d / "nouri.warc.gz").write_bytes(gzip.compress(
        record("<urn:uuid:nouri>", _http(page(2).encode()), uri=None)))
    return "issue 10 repro: 5 texts + .warc.gz record without WARC-Target-URI", keys + [
        "<urn:uuid:nouri>"]


def c_garbled(d: Path) -> tuple[str, list[str]]:
    recs = [record("<urn:uuid:g1>", _http(page(0).encode())),
            record("<urn:uuid:g2>", _http(page(1).encode())).replace(b"WARC/1.0", b"WXRC/9", 1),
            record("<urn:uuid:g3>", _http(page(2).encode()))]
    (d / "garbled.warc.gz").write_bytes(b"".join(gzip.compress(r) for r in recs))
    (d / "garbled.warc").write_bytes(b"".join(recs).replace(b"<urn:uuid:g", b"<urn:uuid:p"))
    return "WARC (.gz and plain): garbled middle record", [
        "<urn:uuid:g1>", "<urn:uuid:g3>", "<urn:uuid:p1>", "<urn:uuid:p3>"]


def c_feed_dates(d: Path) -> tuple[str, list[str]]:
    (d / "dates.atom").write_text(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>V</title>'
        + "".join(f"<entry><id>u{i}</id><title>T{i}</title><updated>{u}</updated>"
                  f"<content type='text'>{STORY} Item {i}.</content></entry>"
                  for i, u in enumerate(["2025-03-01T09:00:00Z", "2999-01-01T00:00:00Z",
                                         "1970-01-01T00:00:00Z"])) + "</feed>")
    return "Atom: updated only; one date in the future, one before 1990", ["u0", "u1", "u2"]


CLASSES: dict[str, Callable[[Path], tuple[str, list[str]]]] = {
    "warc-bomb": c_warc_bomb, "gz-bomb": c_gz_bomb, "jsonl-gz-bomb": c_jsonl_gz_bomb,
    "long-jsonl-line": c_long_jsonl_line, "big-text": c_big_text, "json-array": c_json_array,
    "deep-json": c_deep_json, "wrong-types": c_wrong_types, "laughs": c_laughs,
    "deep-html": c_deep_html, "long-line": c_long_line, "controls": c_controls, "cr": c_cr,
    "no-uri": c_no_uri, "garbled": c_garbled, "feed-dates": c_feed_dates,
}

CHILD = r"""
import json, re, sys, time
from newsdesk.ingest import IngestOptions, ingest
from newsdesk.store import Store
t = time.perf_counter()
with Store(":memory:") as store:
    rep = ingest([sys.argv[1]], store, IngestOptions(workers=1))
    arts = [(a.key, a.published, len(a.text), "\x00" in a.text) for a in store.articles()]
# VmHWM: this process's own peak RSS (ru_maxrss would carry the parent's over exec)
hwm = int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1)) / 1024
print(json.dumps({"arts": arts, "skips": [[s.origin, s.reason] for s in rep.skipped],
                  "secs": time.perf_counter() - t,
                  "maxrss_mb": hwm}))
"""


def run_child(folder: Path) -> tuple[dict[str, object], float]:
    """Ingest ``folder`` in a fresh process; its report and the sampled peak RSS (MB)."""
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ps = psutil.Process(proc.pid)
    peak = 0.0
    while proc.poll() is None:
        try:
            peak = max(peak, ps.memory_info().rss / 2**20)
        except psutil.Error:
            break
        time.sleep(0.02)
    out, err = proc.communicate()
    if proc.returncode != 0:
        return {"error": err.strip().splitlines()[-1] if err.strip() else "failed"}, peak
    return json.loads(out), peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="", help="run classes whose name contains this")
    args = ap.parse_args()
    rows = []
    lost_total = 0
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="newsdesk-hostile-") as tmp:
        for name, make in CLASSES.items():
            if args.only not in name:
                continue
            d = Path(tmp) / name
            d.mkdir()
            what, must = make(d)
            rep, sampled = run_child(d)
            if "error" in rep:
                rows.append((what, f"CRASHED: {rep['error']}", "-", "-", "?"))
                continue
            kept = {k for k, *_ in rep["arts"]}  # type: ignore[attr-defined]
            lost = [k for k in must if k not in kept]
            lost_total += len(lost)
            peak = max(float(rep["maxrss_mb"]), sampled)  # type: ignore[arg-type]
            worst = max(worst, peak)
            skips = rep["skips"]  # type: ignore[assignment]
            reasons = "; ".join(sorted({
                re.sub(r"^line \d+ (\(id [^)]*\))?:? ?", "", r).split(";")[0].split(" (")[0][:70]
                for _, r in skips}))  # type: ignore[union-attr]
            nul = any(n for *_, n in rep["arts"])  # type: ignore[attr-defined]
            dates = ""
            if name == "feed-dates":
                dates = " dates " + ", ".join(str(p) for _, p, *_ in rep["arts"])  # type: ignore[attr-defined]
            result = (f"{len(kept)} kept, {len(skips)} skipped"  # type: ignore[arg-type]
                      + (f": {reasons}" if reasons else "") + dates
                      + (" NUL LEFT IN TEXT" if nul else ""))
            rows.append((what, result, f"{peak:.0f}", f"{rep['secs']:.1f}", str(len(lost))))
            print(f"  {name}: {result} | {peak:.0f} MB", file=sys.stderr, flush=True)
    print("| input class | result (kept / skipped: reason) | peak MB | s | articles lost |")
    print("|---|---|---:|---:|---:|")
    for r in rows:
        print("| " + " | ".join(x.replace("|", "/") for x in r) + " |")
    print(f"\nworst peak {worst:.0f} MB (bound {LIMIT_MB} MB), articles lost {lost_total}")
    sys.exit(0 if worst < LIMIT_MB and lost_total == 0 else 1)


if __name__ == "__main__":
    main()
