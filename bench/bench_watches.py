"""What watches cost an archive update: the update and one watch evaluation, 0 vs N watches.

Runs on examples/ only (no shared data): the articles before ``b*`` are ingested and
updated, N watches are saved (half full-text, a third with a source minimum), the rest
is ingested, and the second update is timed with the alerts it fired; then one more
evaluation of the changed events is timed alone.

    .venv/bin/python bench/bench_watches.py --watches 50
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from newsdesk.archive import update_archive
from newsdesk.ingest import ingest
from newsdesk.query.events import EventFilter
from newsdesk.store import Store
from newsdesk.watches import add_watch, evaluate_watches

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(n_watches: int) -> None:
    """Time the update and one evaluation with ``n_watches`` watches saved."""
    files = sorted(p for p in EXAMPLES.iterdir() if p.is_file())
    first = [f for f in files if f.name < "b"]
    d = Path(tempfile.mkdtemp())
    try:
        with Store(d / "m.db") as s:
            ingest(first, s)
            update_archive(s)
            for i in range(n_watches):
                add_watch(s, f"w{i}", EventFilter(q="floods" if i % 2 else None,
                                                  min_sources=i % 3))
            ingest([f for f in files if f not in first], s)
            t = time.perf_counter()
            up = update_archive(s)
            total = time.perf_counter() - t
            t = time.perf_counter()
            evaluate_watches(s, up.events.changed)
            one = time.perf_counter() - t
        print(f"watches={n_watches}: second update {total:.2f} s, {up.alerts} alerts; "
              f"evaluating {len(up.events.changed)} changed events alone {one * 1000:.1f} ms")
    finally:
        shutil.rmtree(d)


def main() -> None:
    """Command line: --watches N (compared with 0)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--watches", type=int, default=50)
    args = ap.parse_args()
    run(0)
    run(args.watches)


if __name__ == "__main__":
    main()
