#!/usr/bin/env python3
"""Archive benchmark: what adding a day's reports costs as the archive grows, and whether
batching changes the events.

1. Growth: archives of 1k, 10k and 50k generated articles (``bench_events.synthetic_stream``:
   events of a few days, 100 reports a day; article features are given, so spaCy is out of
   the measurement — per-article NLP costs the same whatever the archive's size). For each,
   in a fresh child process: build the archive (store, reuse index, events), then add 100
   new reports of the next day and time the archive update (reuse index + event
   assignment + writes). Target: the 50k figure at most 1.5x the 1k figure.
2. Batching (``--ecb``, needs ../shared/bench): the ECB+ dev half fed as one batch, as five
   batches and one article at a time; B-cubed F1 between the partitions (target >= 0.98)
   and of each against gold (each within 0.01 of the one-batch figure).

usage: python bench/bench_archive.py [--sizes 1000,10000,50000] [--add 100] [--ecb]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench"
GOLD = BENCH / "ecbplus-dev.jsonl"
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "bench"))


def grow_one(n: int, add: int) -> dict[str, float]:
    """Build an archive of ``n`` articles, then time adding ``add`` more (child process)."""
    from bench_events import synthetic_stream  # type: ignore[import-not-found]
    from newsdesk.events.archive import update_events
    from newsdesk.model import Article
    from newsdesk.reuse.index import ReuseIndex
    from newsdesk.store import Store

    items = [it for it, _ in synthetic_stream(n + add * DAYS, per_day=100)]
    feats = {it.key: it.features for it in items}

    def article(it: object) -> Article:
        words = " ".join(list(it.features.terms)[:40])  # type: ignore[attr-defined]
        return Article(key=it.key, text=f"{it.title}. {words}.",  # type: ignore[attr-defined]
                       published=it.published, title=it.title)  # type: ignore[attr-defined]

    arts = [article(it) for it in items]
    old = arts[:n]
    # the new reports are the next days', as daily runs get them
    last = __import__("datetime").date.fromisoformat(max(a.published or "" for a in old))
    later = [arts[n + k * add: n + (k + 1) * add] for k in range(DAYS)]
    for k, day in enumerate(later):
        for a in day:
            a.published = (last + __import__("datetime").timedelta(days=k + 1)).isoformat()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "a.db")
        t0 = time.perf_counter()
        for start in range(0, len(old), 5000):
            store.add_articles(old[start:start + 5000])
        ReuseIndex(store).update()
        update_events(store, features_of=lambda a: feats[a.key])
        built = time.perf_counter() - t0
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        # The timed updates run in a fresh process, as a daily `newsdesk ingest` does:
        # the build's heap (the generator's 50k items, the features, caches of the
        # build's own updates) would otherwise make every garbage collection during the
        # update walk objects no daily run has.
        import pickle

        with open(Path(tmp) / "new.pkl", "wb") as fh:
            pickle.dump((later, {a.key: feats[a.key] for day in later for a in day}), fh)
        res = subprocess.run([sys.executable, __file__, "--measure", tmp],
                             capture_output=True, text=True, check=True)
        measured = json.loads(res.stdout.strip().splitlines()[-1])
    return {"n": n, "built_s": built, **measured}


def measure(tmp: str) -> dict[str, float]:
    """The timed updates on the archive in ``tmp`` (a fresh child process)."""
    import pickle
    import shutil
    import statistics

    import psutil

    from newsdesk.events.archive import update_events
    from newsdesk.reuse.index import ReuseIndex
    from newsdesk.store import Store

    with open(Path(tmp) / "new.pkl", "rb") as fh:
        later, feats = pickle.load(fh)
    new = later[0]
    runs: list[dict[str, float]] = []
    for rep in range(REPEATS):  # the same update on fresh copies: the median is kept
        path = Path(tmp) / f"r{rep}.db"
        shutil.copy(Path(tmp) / "a.db", path)
        store = Store(path)
        c0, t0 = time.process_time(), time.perf_counter()
        store.add_articles(new)
        t1 = time.perf_counter()
        ReuseIndex(store).update()
        t2 = time.perf_counter()
        up = update_events(store, features_of=lambda a: feats[a.key])
        t3 = time.perf_counter()
        runs.append({"add_s": t3 - t0, "cpu_s": time.process_time() - c0,
                     "store_s": t1 - t0, "reuse_s": t2 - t1, "events_s": t3 - t2})
        ckpt = store.db.execute(
            "SELECT sum(length(state)) FROM events_checkpoints").fetchone()[0]
        store.close()
        path.unlink()
    # sustained: DAYS consecutive days on one copy, so the reuse index's tier merges
    # (every ~10 days of 100 reports, whatever the archive's size) count in the mean
    path = Path(tmp) / "days.db"
    shutil.copy(Path(tmp) / "a.db", path)
    store = Store(path)
    days_s: list[float] = []
    days_cpu: list[float] = []
    for day in later:
        c0, t0 = time.process_time(), time.perf_counter()
        store.add_articles(day)
        ReuseIndex(store).update()
        update_events(store, features_of=lambda a: feats[a.key])
        days_s.append(time.perf_counter() - t0)
        days_cpu.append(time.process_time() - c0)
    store.close()
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    return {**med, "replayed": up.replayed, "full": up.full,
            "days_mean_s": statistics.mean(days_s), "days_max_s": max(days_s),
            "days_cpu_s": statistics.mean(days_cpu),
            "peak_mb": psutil.Process().memory_info().rss / 2**20,
            "checkpoint_kb": (ckpt or 0) / 1024}


REPEATS = 5
DAYS = 10  # consecutive days for the sustained figure


def growth(sizes: list[int], add: int) -> None:
    rows = []
    for n in sizes:
        res = subprocess.run([sys.executable, __file__, "--child", str(n), "--add", str(add)],
                             capture_output=True, text=True, check=True)
        rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
    print(f"== adding {add} reports of a new day to an archive (features given, 2 cores, "
          f"load {os.getloadavg()[0]:.1f}) ==")
    print(f"(median of {REPEATS} runs of the same update on fresh copies of the archive)")
    print(f"(and {DAYS} consecutive days on one copy: mean and slowest day, CPU mean)")
    print("| archive | build s | add s (wall) | add s (CPU) | reuse s | events s | replayed "
          f"| {DAYS} days: mean s | slowest s | CPU mean s | checkpoints KB | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']:,} | {r['built_s']:.1f} | {r['add_s']:.3f} | {r['cpu_s']:.3f} | "
              f"{r['reuse_s']:.3f} | {r['events_s']:.3f} | {r['replayed']} | "
              f"{r['days_mean_s']:.3f} | {r['days_max_s']:.3f} | {r['days_cpu_s']:.3f} | "
              f"{r['checkpoint_kb']:.0f} | {r['peak_mb']:.0f} |")
    if len(rows) > 1:
        for what in ("add_s", "cpu_s", "days_mean_s", "days_cpu_s"):
            ratio = rows[-1][what] / rows[0][what]
            verdict = "met" if ratio <= 1.5 else "NOT met"
            label = {"add_s": "one day, wall", "cpu_s": "one day, CPU",
                     "days_mean_s": f"{DAYS} days, wall", "days_cpu_s": f"{DAYS} days, CPU"}
            print(f"add cost ({label[what]}) {rows[-1]['n']:,} vs "
                  f"{rows[0]['n']:,}: {ratio:.2f}x (target <= 1.5x: {verdict})")


# -- batching ----------------------------------------------------------------------------
def bcubed(pred: dict[str, str], gold: dict[str, str]) -> float:
    """B-cubed F1 of ``pred`` against ``gold`` over their common items."""
    items = [k for k in pred if k in gold]
    pc: dict[str, set[str]] = defaultdict(set)
    gc: dict[str, set[str]] = defaultdict(set)
    for k in items:
        pc[pred[k]].add(k)
        gc[gold[k]].add(k)
    p = r = 0.0
    for k in items:
        same = len(pc[pred[k]] & gc[gold[k]])
        p += same / len(pc[pred[k]])
        r += same / len(gc[gold[k]])
    p, r = p / len(items), r / len(items)
    return 2 * p * r / (p + r) if p + r else 0.0


def ecb() -> None:
    if not GOLD.exists():
        print(f"skipped: {GOLD} not found (the ECB+ dev half lives in ../shared/bench)")
        return
    from newsdesk.archive import update_archive
    from newsdesk.events.archive import EventArchive
    from newsdesk.events.features import EventFeatures, extract_features
    from newsdesk.ingest import ingest
    from newsdesk.store import Store

    recs = [json.loads(x) for x in GOLD.read_text(encoding="utf-8").splitlines() if x.strip()]
    gold = {r["id"]: r["event"] for r in recs}
    OUT.mkdir(parents=True, exist_ok=True)
    cache = OUT / "ecb_features.json"
    with Store(":memory:") as src:
        ingest([GOLD], src)
        arts = list(src.articles(None))
    if cache.exists():
        feats = {k: EventFeatures.from_dict(v) for k, v in json.loads(cache.read_text()).items()}
    else:
        t0 = time.perf_counter()
        feats = {a.key: extract_features(a) for a in arts}
        print(f"(parsed {len(arts)} articles for features in {time.perf_counter() - t0:.0f} s)")
        cache.write_text(json.dumps({k: f.to_dict() for k, f in feats.items()}))
    order = sorted(arts, key=lambda a: a.key)  # the file's order is by topic: mix it
    order = order[::2] + order[1::2]

    def feed(batches: list[list[object]]) -> tuple[dict[str, str], float]:
        from newsdesk.archive import ArchiveOptions  # noqa: F401 (documents the path)
        from newsdesk.events.archive import update_events
        from newsdesk.events.stage import reuse_copy_links

        t0 = time.perf_counter()
        with Store(":memory:") as s:
            for b in batches:
                s.add_articles(b)  # type: ignore[arg-type]
                update_events(s, copy_of=reuse_copy_links(s),
                              features_of=lambda a: feats[a.key])
            part = {a.key: a.event_id for a in EventArchive(s).load().assignments}
        return part, time.perf_counter() - t0

    one, t1 = feed([order])
    five, t5 = feed([order[i::5] for i in range(5)])
    single, ts = feed([[a] for a in order])
    del update_archive
    f_one, f_five, f_single = bcubed(one, gold), bcubed(five, gold), bcubed(single, gold)
    print(f"== ECB+ dev ({len(arts)} articles, undated: every update replays the archive) ==")
    print("| feeding | B-cubed F1 vs gold | B-cubed F1 vs one batch | time s |")
    print("|---|---|---|---|")
    print(f"| one batch | {f_one:.4f} | 1.0000 | {t1:.1f} |")
    print(f"| five batches | {f_five:.4f} | {bcubed(five, one):.4f} | {t5:.1f} |")
    print(f"| one at a time | {f_single:.4f} | {bcubed(single, one):.4f} | {ts:.1f} |")
    ok = min(bcubed(five, one), bcubed(single, one)) >= 0.98 and \
        max(abs(f_five - f_one), abs(f_single - f_one)) <= 0.01
    print(f"targets (agreement >= 0.98, within 0.01 of one batch): {'met' if ok else 'NOT met'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--add", type=int, default=100)
    ap.add_argument("--ecb", action="store_true", help="also the ECB+ batching agreement")
    ap.add_argument("--ecb-only", action="store_true")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    if args.child:
        print(json.dumps(grow_one(args.child, args.add)))
        return
    if not args.ecb_only:
        growth([int(x) for x in args.sizes.split(",")], args.add)
    if args.ecb or args.ecb_only:
        ecb()


if __name__ == "__main__":
    main()
