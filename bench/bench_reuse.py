"""Copy detection at scale: newsdesk's reuse sketches vs datasketch's MinHashLSH.

Usage::

    python bench/bench_reuse.py                 # 20,000 articles, quick
    python bench/bench_reuse.py --n 200000      # the recorded comparison
    python bench/bench_reuse.py --n 1000000 --no-peer --workers 2 --fp-bits 16

The corpus is generated (``bench/reuse_corpus.py``: 30% copies with furniture added,
paragraphs dropped, words changed; 15% of originals quote a paragraph of another article),
so no data has to be present; the generation time is reported apart and not counted.

Both sides get the same shingles (newsdesk's 4-word shingles, as 32-bit hashes), the same
number of permutations (128) and the same banding (64 bands x 2 rows); datasketch runs
its fastest CPU path (``MinHash.generator``, ``scheme="affine32"``, identity hash on the
pre-hashed shingles, so its time does *not* include shingling, which ours does). Both
sides' candidates go through the same exact verification and copy rule, so precision and
recall compare the candidate generators.

Truth: a copy is linked to the article it was made from (``source``). Precision counts a
predicted link as right when both articles belong to the same family (an original and
all copies of it and of its copies); recall is the share of (copy, source) pairs linked.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from newsdesk.reuse.lsh import band_pairs, is_copy, unpack, verify  # noqa: E402
from newsdesk.reuse.minhash import Sketches, SketchParams, sketch_texts  # noqa: E402
from newsdesk.reuse.options import ReuseOptions  # noqa: E402
from reuse_corpus import CorpusGenerator  # noqa: E402


def rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory in MiB (Linux reports KiB)."""
    return resource.getrusage(who).ru_maxrss / 1024


def score(i: np.ndarray, j: np.ndarray, family: np.ndarray,
          truth: np.ndarray) -> tuple[float, float, int]:
    """Precision, recall and number of predicted links."""
    if len(i) == 0:
        return 0.0, 0.0, 0
    precision = float(np.mean(family[i] == family[j]))
    pred = (np.minimum(i, j) << 32) | np.maximum(i, j)
    recall = float(np.mean(np.isin(truth, pred)))
    return precision, recall, len(i)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20_000, help="articles to generate")
    ap.add_argument("--workers", type=int, default=1, help="processes for our sketching")
    ap.add_argument("--fp-bits", type=int, default=32, choices=(16, 32),
                    help="fingerprint width for verification (16 halves memory)")
    ap.add_argument("--no-peer", action="store_true", help="skip datasketch")
    ap.add_argument("--chunk", type=int, default=10_000, help="articles generated at a time")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    opts = ReuseOptions(fingerprint_bits=args.fp_bits)
    params: SketchParams = opts.sketch_params()
    print(f"reuse benchmark: n={args.n:,}, {params.num_perm} permutations, "
          f"{params.bands} bands x {params.rows} rows, {params.shingle_words}-word shingles, "
          f"{args.fp_bits}-bit fingerprints, workers={args.workers}", flush=True)

    # one pool for the whole run, started while this process is still small (forked
    # workers would otherwise inherit, and be charged for, the growing parent)
    pool = ProcessPoolExecutor(max_workers=args.workers) if args.workers > 1 else None
    gen = CorpusGenerator(args.n, seed=args.seed)
    t_gen = t_sketch = 0.0
    parts: list[Sketches] = []
    fams, srcs = [], []
    n_words = 0
    chunks = gen.chunks(args.chunk)
    while True:
        a = time.perf_counter()
        c = next(chunks, None)
        t_gen += time.perf_counter() - a
        if c is None:
            break
        n_words += sum(t.count(" ") + 1 for t in c.texts)
        a = time.perf_counter()
        parts.append(sketch_texts(c.texts, params, anchors=False, executor=pool))
        t_sketch += time.perf_counter() - a
        fams.append(c.family)
        srcs.append(c.source)
        del c
        done = sum(len(p) for p in parts)
        if done % 100_000 < args.chunk:
            print(f"  {done:,} sketched ({t_sketch:.0f} s sketching, {t_gen:.0f} s generating)",
                  flush=True)
    if pool is not None:
        pool.shutdown()
    sk = Sketches.concat(parts, consume=True)
    gc.collect()
    family = np.concatenate(fams)
    source = np.concatenate(srcs)
    copies = np.flatnonzero(source >= 0)
    truth = np.unique((np.minimum(copies, source[copies]) << 32)
                      | np.maximum(copies, source[copies]))
    print(f"corpus: {args.n:,} articles, {n_words / args.n:.0f} words each on average, "
          f"{len(copies):,} copies ({len(copies) / args.n:.0%}), {len(truth):,} true links; "
          f"generated in {t_gen:.0f} s (not counted)", flush=True)

    a = time.perf_counter()
    cand = band_pairs(sk.bands, sk.n_shingles > 0)
    t_lsh = time.perf_counter() - a
    ci, cj = unpack(cand)
    a = time.perf_counter()
    ov = verify(sk, ci, cj)
    keep = is_copy(ov, opts.copy_containment, opts.copy_min_jaccard)
    t_verify = time.perf_counter() - a
    ours_total = t_sketch + t_lsh + t_verify
    p, r, n_pred = score(ov.i[keep], ov.j[keep], family, truth)
    cand_recall = float(np.mean(np.isin(truth, cand)))
    ours_mem = rss_mb()
    child_mem = rss_mb(resource.RUSAGE_CHILDREN)
    print("\nnewsdesk (one-permutation MinHash, sort-based LSH, exact verification)")
    print(f"  sketch (tokenise+shingle+hash) {t_sketch:8.1f} s   LSH candidates {t_lsh:6.1f} s "
          f"({len(cand):,})   verify {t_verify:6.1f} s")
    print(f"  total {ours_total:.1f} s = {args.n / ours_total:,.0f} articles/s;"
          f" peak memory {ours_mem:,.0f} MiB (benchmark process, incl. generator)"
          + (f", workers {child_mem:,.0f} MiB at most" if args.workers > 1 else ""))
    print(f"  candidate recall {cand_recall:.4f}; copy links {n_pred:,}: "
          f"precision {p:.4f} recall {r:.4f}", flush=True)

    if args.no_peer:
        return
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        print("skipped datasketch: not installed (pip install -e '.[bench]')")
        return
    shingles = [sk.fingerprints(n) for n in range(len(sk))]
    a = time.perf_counter()
    mhs = list(MinHash.generator(shingles, num_perm=params.num_perm, scheme="affine32",
                                 hashfunc=lambda x: x))
    t_mh = time.perf_counter() - a
    a = time.perf_counter()
    lsh = MinHashLSH(num_perm=params.num_perm, params=(params.bands, params.rows))
    with lsh.insertion_session() as session:
        for n, m in enumerate(mhs):
            if len(shingles[n]):
                session.insert(n, m)
    t_ins = time.perf_counter() - a
    a = time.perf_counter()
    pi: list[int] = []
    pj: list[int] = []
    for n, m in enumerate(mhs):
        if not len(shingles[n]):
            continue
        for o in lsh.query(m):
            if o > n:
                pi.append(n)
                pj.append(o)
    t_q = time.perf_counter() - a
    di, dj = np.array(pi, dtype=np.int64), np.array(pj, dtype=np.int64)
    a = time.perf_counter()
    dov = verify(sk, di, dj)
    dkeep = is_copy(dov, opts.copy_containment, opts.copy_min_jaccard)
    t_dver = time.perf_counter() - a
    peer_total = t_mh + t_ins + t_q + t_dver
    dp, dr, dn = score(dov.i[dkeep], dov.j[dkeep], family, truth)
    dcand = (di << 32) | dj
    dcand_recall = float(np.mean(np.isin(truth, dcand)))
    print("\ndatasketch MinHashLSH (same shingles, 128 permutations, 64x2 bands, same verification)")
    print(f"  MinHash {t_mh:8.1f} s   LSH insert {t_ins:6.1f} s   query {t_q:6.1f} s "
          f"({len(dcand):,})   verify {t_dver:6.1f} s")
    print(f"  total {peer_total:.1f} s = {args.n / peer_total:,.0f} articles/s (shingling not "
          f"counted); peak memory {rss_mb():,.0f} MiB (after ours)")
    print(f"  candidate recall {dcand_recall:.4f}; copy links {dn:,}: "
          f"precision {dp:.4f} recall {dr:.4f}")
    print(f"\nnewsdesk is {peer_total / ours_total:.1f}x faster than datasketch "
          f"(recall {r:.4f} vs {dr:.4f})")


if __name__ == "__main__":
    main()
