#!/usr/bin/env python3
"""Load benchmark of `newsdesk serve`: concurrent clients while an ingest writes.

1. Archive (cached under --work; --rebuild to redo): N generated fictional articles
   (``gen_corpus.text_article``, as JSONL with outlet, date and headline) stored with the
   library's ``ingest`` (no archive update: spaCy over 20,000 articles would take an hour
   on 2 cores and the server reads only tables). The archive tables are then filled
   synthetically, by SQL as docs/schema.md describes them: events of 5 consecutive
   articles with a stored ``newsdesk.brief/1`` brief each (articles with their full text,
   a cited summary sentence), and one entity per fictional person of the generator with
   a mention row for every occurrence of the name.
2. ``newsdesk serve --db ARCHIVE --port 0`` (the real command, loopback only).
3. For --seconds (30): --clients (20) concurrent clients (one asyncio process, httpx),
   each looping over a random choice of ``/api/events/{id}`` (the stored brief),
   ``/api/search?q=WORD`` (FTS over the archive, first page of 50) and
   ``/api/entities/{id}``; meanwhile a writer process adds --add (1,000) more articles in
   batches of 50 spread over the run (``ingest`` into the same file: WAL writes).
4. Prints requests, errors (target 0) and p50/p95 latency per endpoint and overall (target
   p95 < 150 ms), and the CPU seconds the server (with its workers), the clients and the
   writer used during the run; --json writes them to bench/out/serve.json.

5. ``--pathological LIMIT``: instead, time three pathological FTS queries (26 prefix
   terms OR'd, 130 two-letter prefixes, a NEAR of 8 prefixes) without and with the
   per-request time limit.

usage: python bench/bench_serve.py [--n 20000] [--add 1000] [--clients 20] [--seconds 30]
       python bench/bench_serve.py --pathological 0.5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
OUT = ROOT / "bench" / "out"
SEARCH_WORDS = ["floods", "strike", "harbour", "minister", "budget", "wildfire", "bridge",
                "election", "summit", "protest", "evacuated", "Sella", "Drussel", "talks",
                '"port authority"', "rail*", "council", "grain", "court", "energy"]


def records(start: int, stop: int) -> list[dict[str, str]]:
    """Generated articles ``start..stop`` as JSONL records (outlet, date, headline)."""
    from gen_corpus import outlet_of, text_article  # type: ignore[import-not-found]

    out = []
    for i in range(start, stop):
        text = text_article(i)
        lines = [ln for ln in text.split("\n\n") if ln.strip()]
        title = lines[0].strip()
        if title.startswith("date "):
            title = title.split(" ", 2)[2]
        body = "\n\n".join(lines[1:])
        out.append({"id": f"s{i:06d}", "title": title, "source": outlet_of(i).name,
                    "published": (date(2024, 1, 1) + timedelta(days=(i * 37) % 700)).isoformat(),
                    "text": body})
    return out


def write_jsonl(path: Path, recs: list[dict[str, str]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")


def build(work: Path, n: int, add: int) -> Path:
    """The archive of ``n`` articles plus the ``add`` articles' batch files."""
    from gen_corpus import PEOPLE  # type: ignore[import-not-found]
    from newsdesk.archive import BRIEF_CACHE_VERSION
    from newsdesk.ingest import ingest
    from newsdesk.store import Store

    db_path = work / "archive.db"
    marker = work / "archive.json"
    want = {"n": n, "add": add, "version": 1}
    if db_path.exists() and marker.exists() and json.loads(marker.read_text()) == want:
        return db_path
    for p in work.glob("archive.db*"):
        p.unlink()
    t0 = time.perf_counter()
    base = work / "base"
    base.mkdir(parents=True, exist_ok=True)
    for k in range(0, n, 2000):
        write_jsonl(base / f"b{k // 2000:03d}.jsonl", records(k, min(n, k + 2000)))
    adds = work / "add"
    adds.mkdir(exist_ok=True)
    for old in adds.glob("*.jsonl"):
        old.unlink()
    for k in range(0, add, 50):
        write_jsonl(adds / f"a{k // 50:03d}.jsonl", records(n + k, n + min(add, k + 50)))
    t1 = time.perf_counter()
    with Store(db_path) as s:
        rep = ingest([base], s)
    t2 = time.perf_counter()
    print(f"generated {n + add} articles in {t1 - t0:.1f} s; ingested {rep.added} in "
          f"{t2 - t1:.1f} s", flush=True)
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    now = "2026-01-01T00:00:00+00:00"
    rows = db.execute("SELECT rowid, key, source, title, published, url, text FROM articles "
                      "ORDER BY published, rowid").fetchall()
    with db:
        for e in range(0, len(rows), 5):
            group = rows[e:e + 5]
            eid = f"ev-{zlib.crc32(group[0][1].encode()):08x}{e // 5:04x}"[:15]
            first, last = group[0][4], group[-1][4]
            outlets = len({g[2] for g in group})
            db.execute("INSERT INTO events (event_id, title, first_date, last_date, place, "
                       "articles, copies, independent_sources, keywords, created, updated) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       (eid, group[0][3], first, last, None, len(group), 0, outlets, "[]",
                        now, now))
            db.executemany("INSERT INTO event_articles (article_rowid, event_id, copy_of, seq, "
                           "added) VALUES (?,?,?,?,?)",
                           [(g[0], eid, None, e + j, now) for j, g in enumerate(group)])
            first_sentence = group[0][6].split(". ")[0]
            brief = {
                "id": eid, "title": group[0][3], "dates": {"first": first, "last": last},
                "place": None,
                "articles": [{"key": g[1], "source": g[2], "title": g[3], "published": g[4],
                              "url": g[5], "copy_of": None, "independent": True,
                              "account": f"s{j}", "credits": [], "text": g[6]}
                             for j, g in enumerate(group)],
                "independent_sources": outlets,
                "summary": [{"text": first_sentence, "articles": [group[0][1]],
                             "cites": [{"article": group[0][1], "start": 0,
                                        "end": len(first_sentence)}]}],
                "claims": [], "quantities": [], "quotes": [], "entities": [], "timeline": [],
                "source_matrix": {"outlets": [], "rows": []}, "reuse": [],
                "political_events": []}
            db.execute("INSERT INTO event_briefs (event_id, version, updated, data) "
                       "VALUES (?,?,?,?)", (eid, BRIEF_CACHE_VERSION, now,
                                            zlib.compress(json.dumps(brief).encode(), 3)))
        for person in PEOPLE:
            eid = "person:" + re.sub(r"[^a-z]+", "-", person.lower()).strip("-")
            pat = re.compile(re.escape(person))
            ments = [(r[0], m.start(), m.end(), eid, "PERSON", m.group(0), None)
                     for r in rows for m in pat.finditer(r[6])]
            db.executemany("INSERT OR IGNORE INTO mentions (article_rowid, start, end, "
                           "entity_id, type, text, role) VALUES (?,?,?,?,?,?,?)", ments)
            arts = {m[0] for m in ments}
            pub = {r[0]: r[4] for r in rows}
            dates = sorted(pub[a] for a in arts)
            db.execute("INSERT INTO entities (entity_id, name, type, country, roles, mentions, "
                       "articles, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?)",
                       (eid, person, "PERSON", None, "[]", len(ments), len(arts),
                        dates[0] if dates else None, dates[-1] if dates else None))
            db.execute("INSERT INTO entity_variants (entity_id, variant, count) VALUES (?,?,?)",
                       (eid, person, len(ments)))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(f"synthetic events, briefs and entities in {time.perf_counter() - t2:.1f} s",
          flush=True)
    marker.write_text(json.dumps(want))
    return db_path


def writer(db_path: str, add_dir: str, seconds: float) -> None:
    """Child process: ingest the batch files one by one, spread over ``seconds``."""
    from newsdesk.ingest import ingest
    from newsdesk.store import Store

    files = sorted(Path(add_dir).glob("*.jsonl"))
    t0 = time.perf_counter()
    added = 0
    with Store(db_path) as s:
        for i, f in enumerate(files):
            added += ingest([f], s).added
            wait = t0 + (i + 1) * seconds / len(files) - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
    print(json.dumps({"added": added, "seconds": round(time.perf_counter() - t0, 2),
                      "cpu_s": round(time.process_time(), 1)}), flush=True)


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children."""
    import psutil

    procs = [psutil.Process(pid)]
    procs += procs[0].children(recursive=True)
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system
    return total


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


async def load(base: str, clients: int, seconds: float, events: list[str],
               entities: list[str], kinds: tuple[str, ...] = ("event", "search", "entity"),
               ) -> dict[str, dict[str, float]]:
    import httpx

    lat: dict[str, list[float]] = {k: [] for k in kinds}
    errors: dict[str, int] = {k: 0 for k in lat}
    samples: list[str] = []
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:

        async def one(rng: random.Random) -> None:
            while time.perf_counter() < stop:
                kind = rng.choice(kinds)
                if kind == "event":
                    url = f"/api/events/{rng.choice(events)}"
                elif kind == "search":
                    url = "/api/search"
                else:
                    url = f"/api/entities/{rng.choice(entities)}"
                params = {"q": rng.choice(SEARCH_WORDS)} if kind == "search" else None
                t = time.perf_counter()
                try:
                    r = await http.get(url, params=params)
                    ok = r.status_code == 200 and len(r.content) > 0
                    if not ok and len(samples) < 5:
                        samples.append(f"{url} {r.status_code} {r.text[:200]}")
                except httpx.HTTPError as e:
                    ok = False
                    if len(samples) < 5:
                        samples.append(f"{url} {type(e).__name__}: {e}")
                lat[kind].append(time.perf_counter() - t)
                if not ok:
                    errors[kind] += 1

        await asyncio.gather(*(one(random.Random(i)) for i in range(clients)))
    out: dict[str, dict[str, float]] = {}
    every: list[float] = []
    for k, xs in lat.items():
        every += xs
        out[k] = {"requests": len(xs), "errors": errors[k],
                  "p50_ms": round(pct(xs, 50) * 1000, 1), "p95_ms": round(pct(xs, 95) * 1000, 1)}
    out["all"] = {"requests": len(every), "errors": sum(errors.values()),
                  "p50_ms": round(pct(every, 50) * 1000, 1),
                  "p95_ms": round(pct(every, 95) * 1000, 1),
                  "per_s": round(len(every) / seconds, 1)}
    if samples:
        print("error samples:", *samples, sep="\n  ")
    return out


def pathological(db_path: Path, limit: float) -> None:
    """Time pathological FTS queries without and with the per-request limit."""
    import string

    from newsdesk.query.events import search
    from newsdesk.web.db import ReadOnlyStore

    queries = [" OR ".join(f"{a}*" for a in string.ascii_lowercase),
               " OR ".join(f"{a}{b}*" for a in string.ascii_lowercase for b in "aeiou"),
               "NEAR(" + " ".join(f"{a}*" for a in "abcdefgh") + ", 50)"]
    for q in queries:
        for lim in (None, limit):
            s = ReadOnlyStore(db_path, lim)
            s.start_request()
            t = time.perf_counter()
            try:
                search(s.db, q, 50)
                how = "answered"
            except sqlite3.OperationalError as e:
                how = f"stopped ({e})"
            finally:
                s.close()
            print(f"{q[:40]:<42} limit {lim!s:>5}: {time.perf_counter() - t:6.2f} s {how}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--add", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--workers", type=int, default=1, help="newsdesk serve --workers")
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--work", type=Path,
                    default=Path(tempfile.gettempdir()) / "newsdesk-bench-serve")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--endpoints", default="event,search,entity",
                    help="which endpoints the clients call (comma-separated)")
    ap.add_argument("--json", action="store_true", help="write bench/out/serve.json")
    ap.add_argument("--pathological", type=float, metavar="LIMIT",
                    help="only time pathological FTS queries without and with this limit (s)")
    ap.add_argument("--writer", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.writer:
        writer(args.writer[0], args.writer[1], float(args.writer[2]))
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    if args.rebuild:
        (args.work / "archive.json").unlink(missing_ok=True)
    db_path = build(args.work, args.n, args.add)
    if args.pathological:
        pathological(db_path, args.pathological)
        return 0
    # each run starts from the N-article archive: drop what an earlier run's writer added
    db = sqlite3.connect(db_path)
    with db:
        db.execute("DELETE FROM articles WHERE rowid > (SELECT max(article_rowid) FROM "
                   "event_articles)")
    events = [r[0] for r in db.execute("SELECT event_id FROM events")]
    entities = [r[0] for r in db.execute("SELECT entity_id FROM entities")]
    total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(f"archive: {total} articles, {len(events)} events, {len(entities)} entities",
          flush=True)

    server = subprocess.Popen(
        [sys.executable, "-m", "newsdesk.cli", "serve", "--db", str(db_path), "--host",
         "127.0.0.1", "--port", "0", "--workers", str(args.workers)],
        stdout=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:\d+", line)
        if not m:
            print(f"server did not start: {line!r}", file=sys.stderr)
            return 1
        base = m.group(0)
        w = subprocess.Popen([sys.executable, __file__, "--writer", str(db_path),
                              str(args.work / "add"), str(args.seconds * 0.9)],
                             stdout=subprocess.PIPE, text=True)
        load_before = os.getloadavg()[0]
        kinds = tuple(k for k in args.endpoints.split(",") if k)
        srv_cpu0, own_cpu0 = tree_cpu(server.pid), time.process_time()
        res = asyncio.run(load(base, args.clients, args.seconds, events, entities, kinds))
        cpu = {"server": round(tree_cpu(server.pid) - srv_cpu0, 1),
               "clients": round(time.process_time() - own_cpu0, 1)}
        load_after = os.getloadavg()[0]
        wout, _ = w.communicate(timeout=600)
        wrote = json.loads(wout.strip().splitlines()[-1])
        cpu["writer"] = wrote.get("cpu_s")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
    print(f"\n{args.clients} clients for {args.seconds:.0f} s on a {total}-article archive, "
          f"while an ingest added {wrote['added']} articles in {wrote['seconds']} s")
    print(f"{'endpoint':<10}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for k, v in res.items():
        print(f"{k:<10}{v['requests']:>10}{v['errors']:>8}{v['p50_ms']:>9}{v['p95_ms']:>9}")
    print(f"throughput {res['all']['per_s']} requests/s; targets: 0 errors, p95 < 150 ms")
    print(f"machine load average (1 min) {load_before:.1f} before, {load_after:.1f} after, "
          f"on {os.cpu_count()} cores")
    print(f"CPU seconds during the run: server {cpu['server']}, the {args.clients} clients "
          f"{cpu['clients']}, the writer {cpu['writer']} (of {2 * args.seconds:.0f} on 2 "
          "cores)")
    if args.json:
        OUT.mkdir(exist_ok=True)
        (OUT / "serve.json").write_text(json.dumps(
            {"n": total, "clients": args.clients, "seconds": args.seconds,
             "endpoints": kinds, "load": [load_before, load_after],
             "ingest": wrote, "cpu_s": cpu, "results": res}, indent=1))
    return 0 if res["all"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
