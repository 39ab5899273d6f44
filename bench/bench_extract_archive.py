"""Extraction into the archive (issue 11): what a day's new articles cost.

Three runs over one store, each as a new process would see it (empty in-memory cache):
1. the first ``--n`` articles (generated, 40% wire copies, see bench_extract_throughput),
2. the same again (nothing to do: every article has its ``extract_done`` row),
3. ``--add`` new articles of which ``--copies`` repeat stored articles' paragraphs: only
   their new passages are parsed, the rest are loaded from ``passage_docs``.
Also: seconds per passage to parse with spaCy vs to load a stored parse (``Doc.from_bytes``
of zlib'd ``Doc.to_bytes`` without the tensor), and the stored bytes per passage.

    python bench/bench_extract_archive.py            # 200 + 20 articles
    python bench/bench_extract_archive.py --n 500 --add 50
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200, help="articles of the first run")
    ap.add_argument("--add", type=int, default=20, help="articles added afterwards")
    ap.add_argument("--copies", type=float, default=0.4, help="share of wire copies")
    args = ap.parse_args(argv)
    try:
        import newsdesk.nlp as nlp_mod
        from bench_extract_throughput import corpus
        from newsdesk.extract.archive import extract_new
        from newsdesk.store import Store
    except ImportError as e:
        print(f"skipped: {e} (pip install -e .)")
        return 0
    nlp = nlp_mod.load_nlp()
    list(nlp.pipe(["Warm-up sentence for the model in Tarvik on Monday."] * 8))
    arts = corpus(args.n + args.add, args.copies)
    first, later = arts[:args.n], arts[args.n:]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        store.add_articles(first)
        runs = [("first run", None), ("second run (same articles)", None),
                (f"{args.add} articles added", later)]
        for label, new in runs:
            if new is not None:
                store.add_articles(new)
            nlp_mod._CACHE = nlp_mod.DocCache()  # a new process: nothing in memory
            t0 = time.perf_counter()
            rep = extract_new(store)
            s = time.perf_counter() - t0
            print(f"{label:32s} {s:7.2f} s  extracted {len(rep.extracted):4d}, already "
                  f"{len(rep.already):4d}; passages {rep.passages}: parsed {rep.parsed}, "
                  f"from the store {rep.store_hits}, in memory {rep.memory_hits}; "
                  f"entities created {len(rep.created)}, changed {len(rep.changed)}")
        n_docs, size = store.db.execute(
            "SELECT count(*), sum(length(doc)) FROM passage_docs").fetchone()
        # parse vs load, per passage, over the stored passages' texts
        from newsdesk.extract.archive import StoredDocs
        from newsdesk.model import passage_key
        texts = {passage_key(t): t for a in first for t in a.paragraph_texts()}
        keys = list(texts)[:300]
        t0 = time.perf_counter()
        list(nlp.pipe([texts[k] for k in keys], batch_size=64))
        parse_s = (time.perf_counter() - t0) / len(keys)
        backing = StoredDocs(store.db)
        t0 = time.perf_counter()
        backing.get_many(keys)
        load_s = (time.perf_counter() - t0) / len(keys)
        print(f"per passage: parse {parse_s * 1e3:.2f} ms, load from the store "
              f"{load_s * 1e3:.2f} ms ({parse_s / load_s:.1f}x cheaper); stored "
              f"{size / n_docs / 1024:.1f} KiB/passage over {n_docs} passages")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
