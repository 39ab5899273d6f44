#!/usr/bin/env python3
"""Events benchmark: clustering quality on ECB+ (dev half) and assignment throughput.

1. Quality: ``newsdesk events ../shared/bench/ecbplus-dev.jsonl --format tsv --db :memory:``
   with default settings, scored by ``../shared/bench/tools/cluster_score.py`` (B-cubed and
   pairwise F1), beside that tool's TF-IDF + average-link baseline (threshold tuned on the
   same set, an upper bound for that baseline).
2. Throughput: a synthetic stream of 100,000 articles with ready-made features (NLP
   excluded), fed day by day to :class:`OnlineClusterer`; prints articles/s and the peak
   number of open events and of Python heap (tracemalloc) over the stream.

usage: python bench/bench_events.py [--quality-only | --throughput-only] [--n 100000]
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench"
GOLD = BENCH / "ecbplus-dev.jsonl"
SCORER = BENCH / "tools" / "cluster_score.py"


def quality() -> None:
    """Our B-cubed/pairwise figures beside the TF-IDF baseline's, on ecbplus-dev."""
    if not GOLD.exists() or not SCORER.exists():
        print(f"skipped: {GOLD} (or its scorer) not found")
        return
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.tsv"
        t0 = time.monotonic()
        with pred.open("w") as fh:
            subprocess.run([sys.executable, "-m", "newsdesk.cli", "events", str(GOLD), "--format",
                            "tsv", "--db", ":memory:"], check=True, stdout=fh)
        took = time.monotonic() - t0
        ours = subprocess.run([sys.executable, str(SCORER), str(GOLD), str(pred)], check=True,
                              capture_output=True, text=True).stdout
    run = subprocess.run([sys.executable, str(SCORER), str(GOLD), "--baseline"],
                         capture_output=True, text=True)
    base = run.stdout if run.returncode == 0 else ""
    best = re.search(r"best B-cubed F1 ([\d.]+) at threshold ([\d.]+)", base)
    print("== ECB+ dev (496 articles, 42 events), default settings ==")
    print(f"newsdesk events ({took:.0f} s including spaCy parsing):")
    print("  " + ours.strip().replace("\n", "\n  "))
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["?"])[-1]
        print(f"TF-IDF baseline skipped: the scorer's --baseline failed ({last}); it needs "
              "scikit-learn: `pip install scikit-learn`")
    if best:
        thr = best.group(2)
        block = base.split(f"-- distance threshold {thr}\n", 1)[1].split("--", 1)[0]
        print(f"TF-IDF + average-link baseline, threshold {thr} tuned on this set:")
        print("  " + block.strip().replace("\n", "\n  "))


# -- throughput --------------------------------------------------------------------------
def synthetic_stream(n: int, per_day: int, seed: int = 7):  # noqa: ANN201 (generator)
    """Articles with features drawn per event: a shared kind-of-happening vocabulary, plus
    each event's own names, places and figures; events live a few days, like news."""
    from newsdesk.events import EventFeatures, EventItem

    rng = random.Random(seed)
    kinds = [[f"kind{k}w{i}" for i in range(40)] for k in range(200)]
    common = [f"common{i}" for i in range(2000)]
    start = date(2024, 1, 1)
    live: list[dict[str, object]] = []
    made = 0
    ev_no = 0
    day = 0
    while made < n:
        today = start + timedelta(days=day)
        live = [e for e in live if e["until"] >= day]  # type: ignore[operator]
        for _ in range(per_day):
            if made >= n:
                break
            if not live or rng.random() < 0.25:
                kind = rng.randrange(len(kinds))
                ev = {"kind": kind, "until": day + rng.randint(0, 4), "no": ev_no,
                      "names": [f"name{ev_no}_{i}" for i in range(6)],
                      "terms": [f"term{ev_no}_{i}" for i in range(10)]}
                ev_no += 1
                live.append(ev)
            else:
                ev = rng.choice(live)
            # A report: some words of its kind of happening, some of its own story, its
            # names, and everyday vocabulary.
            terms: dict[str, float] = {}
            for w in rng.sample(kinds[ev["kind"]], 10):  # type: ignore[index]
                terms[w] = float(rng.randint(1, 3))
            for w in rng.sample(ev["terms"], 6):  # type: ignore[arg-type]
                terms[w] = float(rng.randint(1, 3))
            for w in rng.sample(common, 30):
                terms[w] = 1.0
            ents = {nm: float(rng.randint(1, 4)) for nm in rng.sample(ev["names"], 4)}  # type: ignore[arg-type]
            ents[f"year:{today.year}"] = 1.0
            f = EventFeatures(terms=terms, entities=ents, places=[f"place{ev['no']}"])
            yield EventItem(key=f"a{made:06d}", id=f"{made:016x}", features=f,
                            published=today.isoformat(), title=f"story {made}"), ev["no"]
            made += 1
        day += 1


def throughput(n: int, per_day: int) -> None:
    """Assignment rate over a long stream; open events and resident memory sampled as it runs.

    Items are generated lazily (generation time is excluded from the rate); dormant events
    are handed on with ``drain_closed`` as a long-running consumer would.
    """
    import psutil

    from newsdesk.events import OnlineClusterer

    proc = psutil.Process()
    c = OnlineClusterer()
    took = 0.0
    gold: dict[str, int] = {}
    pred: dict[str, str] = {}
    peak_open = peak_vectors = 0
    samples: list[str] = []
    for i, (it, g) in enumerate(synthetic_stream(n, per_day), 1):
        gold[it.key] = g
        t0 = time.perf_counter()
        got = c.add(it)
        c.drain_closed()
        took += time.perf_counter() - t0
        for a in got:
            pred[a.key] = a.event_id
        if got:
            peak_open = max(peak_open, len(c.open))
            peak_vectors = max(peak_vectors, sum(len(e.members) for e in c.open.values()))
        if i % (n // 4) == 0:
            samples.append(f"{i}: {len(c.open)} open, RSS {proc.memory_info().rss / 2**20:.0f} MiB")
    t0 = time.perf_counter()
    for a in c.flush():
        pred[a.key] = a.event_id
    took += time.perf_counter() - t0
    print(f"== Throughput: {n} synthetic articles, {per_day}/day, features precomputed ==")
    print(f"assigned {len(pred)} in {took:.1f} s: {len(pred) / took:.0f} articles/s")
    print(f"peak open events {peak_open} (of {len(set(gold.values()))} events in the stream), "
          f"peak member vectors kept {peak_vectors}")
    print("memory as the stream goes (articles seen: open events, process RSS): "
          + "; ".join(samples))
    print(f"sanity: B-cubed F1 against the generator's events {_bcubed(gold, pred):.3f}")


def _bcubed(gold: dict[str, int], pred: dict[str, str]) -> float:
    from collections import defaultdict

    by_g: dict[int, set[str]] = defaultdict(set)
    by_p: dict[str, set[str]] = defaultdict(set)
    for a, g in gold.items():
        by_g[g].add(a)
        by_p[pred[a]].add(a)
    p = r = 0.0
    for a in gold:
        both = len(by_p[pred[a]] & by_g[gold[a]])
        p += both / len(by_p[pred[a]])
        r += both / len(by_g[gold[a]])
    p, r = p / len(gold), r / len(gold)
    return 2 * p * r / (p + r)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quality-only", action="store_true")
    ap.add_argument("--throughput-only", action="store_true")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--per-day", type=int, default=1000)
    a = ap.parse_args()
    if not a.throughput_only:
        quality()
    if not a.quality_only:
        throughput(a.n, a.per_day)


if __name__ == "__main__":
    main()
