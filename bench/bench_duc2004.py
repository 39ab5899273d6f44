"""Multi-document summary quality on ``../shared/bench/duc2004-dev/`` (DUC 2004 task 2).

Each cluster folder (10 news articles on one event) goes through exactly what
``newsdesk brief DIR --as-one-event --format text --words 100 --db :memory:`` runs:
ingest into an in-memory store, extraction, reuse, cross-check and
``build_brief(..., BriefOptions(as_one_event=True, summary_words=100, fit_words=True))``, then
``render_text(brief, words=100)``, written to ``<cluster>.txt``. ``--direct`` scores
the summarizer alone (``summarize_articles`` over ``read_clean`` output), which skips
extraction and runs in a third of the time; both gave the same figure when measured. The benchmark's own scorer
(``../shared/bench/tools/duc2004.py score``: ROUGE-1/2 recall of the first 100 words,
Porter stemming, rouge-score package) then prints newsdesk side by side with the 13
published systems (ICSISumm, RegSum, OCCAMS_V, DPP, ... on the same 15 clusters).

``--folds K`` is the honest figure for anything tuned here: the 15 clusters are cut into K
folds (in cluster order: 5 folds of 3 by default); for each fold the summary settings
(``SummaryOptions``: exponent, lead prior, vote counting, minimum votes; the grid is
``GRID`` below) are chosen on the other folds and scored on the held-out one. It prints
the pooled out-of-fold ROUGE-2 (each cluster scored once, by settings that never saw it),
today's defaults on the same clusters, and the best settings chosen on all 15 (the
optimistic, in-sample figure). Each cluster is parsed once through the brief path
(ingest, reuse accounts) and its sentence units are cached under ``$TMPDIR``; ROUGE is
computed in-process exactly as ``tools/duc2004.py score`` does (rouge-score, Porter
stemming, first 100 words, mean recall over the 4 human summaries).

Usage: ``python bench/bench_duc2004.py [--out DIR] [--show] [--direct] [--folds K]``
(needs ``pip install -e '.[bench]'`` for rouge-score).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import inspect
import itertools
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "bench"
DATA = BENCH / "duc2004-dev"
SCORER = BENCH / "tools" / "duc2004.py"


def summarise_clusters(out: Path, words: int = 100, show: bool = False,
                       direct: bool = False) -> tuple[int, float]:
    """Write ``<cluster>.txt`` for every cluster under ``DATA/docs``; (clusters, seconds)."""
    from newsdesk.brief.build import BriefOptions, build_brief
    from newsdesk.brief.render import render_text
    from newsdesk.brief.summarize import SummaryOptions, summarize_articles
    from newsdesk.ingest import ingest, read_clean
    from newsdesk.model import Article
    from newsdesk.store import Store

    clusters = sorted(p for p in (DATA / "docs").iterdir() if p.is_dir())
    t0 = time.perf_counter()
    for folder in clusters:
        if direct:
            articles = [r for r in read_clean([folder]) if isinstance(r, Article)]
            sentences = summarize_articles(articles, SummaryOptions(words=words))
            text = "\n".join(s.text for s in sentences) + "\n"
            if show:
                print(f"--- {folder.name}")
                for s in sentences:
                    print(f"  [{s.article}:{s.start}-{s.end}] {s.text}")
        else:
            store = Store(":memory:")
            report = ingest([folder], store)
            brief = build_brief(store, report.refs,
                                BriefOptions(as_one_event=True, summary_words=words,
                                             fit_words=True))
            text = render_text(brief, words) + "\n"
            if show:
                print(f"--- {folder.name}")
                for item in brief["events"][0]["summary"]:
                    print(f"  {item['articles']} {item['text']}")
        (out / f"{folder.name}.txt").write_text(text, encoding="utf-8")
    return len(clusters), time.perf_counter() - t0


# The settings --folds chooses among (every combination). Today's defaults are in it.
GRID: dict[str, list[Any]] = {
    "weight_power": [1.0, 1.5, 2.0],
    "position_weight": [0.0, 1.0, 2.0, 4.0],
    "position_scale": [3.0],
    "count_by": ["accounts", "documents", "versions"],
    "min_accounts": [2, 3],
}


def _cache_dir() -> Path:
    return Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "newsdesk-duc-units"


def _cluster_units(folder: Path, words: int) -> tuple[list[Any], list[Any]]:
    """The articles and sentence units the brief path hands the summarizer for one
    cluster (ingest, reuse accounts), cached under $TMPDIR by the summarizer's source."""
    import newsdesk.brief.build as build
    from newsdesk.brief import summarize, summarize_units
    from newsdesk.ingest import ingest
    from newsdesk.store import Store

    # the units depend on summary_units and the unit code only (not on the weighting)
    src = (inspect.getsource(summarize.summary_units).encode()
           + Path(summarize_units.__file__ or "").read_bytes())
    tag = hashlib.sha1(src + folder.name.encode()).hexdigest()[:16]
    cache = _cache_dir()
    path = cache / f"{folder.name}-{tag}.pkl"
    if path.is_file():
        got: tuple[list[Any], list[Any]] = pickle.loads(path.read_bytes())
        return got
    seen: list[tuple[list[Any], list[Any]]] = []
    real = build.summarize_articles

    def spy(arts: Any, opts: Any, groups: Any = None) -> Any:
        seen.append(summarize.summary_units(arts, opts, groups))
        return real(arts, opts, groups)

    store = Store(":memory:")
    report = ingest([folder], store)
    build.summarize_articles = spy  # type: ignore[assignment]
    try:
        build.build_brief(store, report.refs, build.BriefOptions(
            as_one_event=True, summary_words=words, fit_words=True))
    finally:
        build.summarize_articles = real
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(seen[0]))
    return seen[0]


def _rouge2(folder: Path, text: str, scorer: Any, words: int) -> float:
    """Mean ROUGE-2 recall (x100) of ``text``'s first ``words`` words over the cluster's
    human summaries, as tools/duc2004.py score computes it."""
    models = sorted((DATA / "models").glob(folder.name + ".m.*"))
    peer = " ".join(text.split()[:words])
    got = [scorer.score(" ".join(m.read_text(errors="replace").split()[:100]), peer)
           for m in models]
    return 100 * sum(g["rouge2"].recall for g in got) / len(got)


def kfold(k: int, words: int = 100, grid: dict[str, list[Any]] | None = None) -> None:
    """Choose GRID settings on k-1 folds, score the held-out fold; print the pooled
    out-of-fold ROUGE-2 beside today's defaults and the all-dev choice."""
    from rouge_score import rouge_scorer

    from newsdesk.brief.summarize import SummaryOptions, summarize_units

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    clusters = sorted(p for p in (DATA / "docs").iterdir() if p.is_dir())
    t0 = time.perf_counter()
    data = [_cluster_units(c, words) for c in clusters]
    print(f"units of {len(clusters)} clusters ready in {time.perf_counter() - t0:.1f} s")
    grid = GRID if grid is None else grid
    names = list(GRID)
    configs = [dict(zip(names, vals, strict=True)) for vals in itertools.product(*grid.values())]
    default = SummaryOptions(words=words, shorten=True, fill=True)
    base = {n: getattr(default, n) for n in names}
    if base not in configs:
        configs.append(base)
    t0 = time.perf_counter()
    table: list[list[float]] = []  # table[config][cluster]
    from newsdesk.brief import summarize, summarize_ilp
    from newsdesk.brief import summarize_units as su

    src = b"".join(Path(m.__file__ or "").read_bytes() for m in (summarize, summarize_ilp, su))
    memo_path = _cache_dir() / f"scores-{hashlib.sha1(src).hexdigest()[:16]}.json"
    memo: dict[str, list[float]] = (json.loads(memo_path.read_text())
                                    if memo_path.is_file() else {})
    for cfg in configs:
        key = repr(sorted(cfg.items()))
        if key not in memo:
            opts = SummaryOptions(words=words, shorten=True, fill=True, **cfg)
            row = []
            for c, (arts, units) in zip(clusters, data, strict=True):
                sents = summarize_units(arts, units, opts)
                row.append(_rouge2(c, " ".join(s.text for s in sents), scorer, words))
            memo[key] = row
            memo_path.write_text(json.dumps(memo))
        table.append(memo[key])
    print(f"{len(configs)} settings x {len(clusters)} clusters scored in "
          f"{time.perf_counter() - t0:.1f} s")
    n = len(clusters)
    folds = [list(range(i * n // k, (i + 1) * n // k)) for i in range(k)]
    d = configs.index(base)

    def mean(row: list[float], idx: list[int]) -> float:
        return sum(row[i] for i in idx) / len(idx)

    def out_of_fold(allowed: list[int], verbose: bool = False) -> float:
        oof = [0.0] * n
        for f, held in enumerate(folds):
            train = [i for i in range(n) if i not in held]
            best = max(allowed, key=lambda j: (mean(table[j], train), -j))
            for i in held:
                oof[i] = table[best][i]
            if verbose:
                print(f"fold {f + 1} (held out {', '.join(clusters[i].name for i in held)}): "
                      f"chose {configs[best]} (train {mean(table[best], train):.2f}); "
                      f"held-out {mean(table[best], held):.2f} vs defaults "
                      f"{mean(table[d], held):.2f}")
        return mean(oof, list(range(n)))

    everything = list(range(n))
    every = list(range(len(configs)))
    headline = out_of_fold(every, verbose=True)
    best_all = max(every, key=lambda j: (mean(table[j], everything), -j))
    print(f"\nROUGE-2 recall, {n} dev clusters, {k} folds of {n // k}:")
    print(f"  out-of-fold, settings chosen on the other folds: {headline:.2f}")
    print(f"  today's defaults {base}: {mean(table[d], everything):.2f}")
    print(f"  chosen on all {n} (in-sample) {configs[best_all]}: "
          f"{mean(table[best_all], everything):.2f}")
    print("\nOut-of-fold ROUGE-2 with one setting held fixed (the rest chosen per fold):")
    for name in names:
        for value in grid[name]:
            allowed = [j for j, c in enumerate(configs) if c[name] == value]
            fixed = [j for j in allowed if all(configs[j][m] == base[m] for m in names if m != name)]
            print(f"  {name}={value!r}: out-of-fold {out_of_fold(allowed):.2f}; "
                  f"others at defaults, all {n} {mean(table[fixed[0]], everything):.2f}"
                  if fixed else f"  {name}={value!r}: out-of-fold {out_of_fold(allowed):.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None,
                    help="folder for the <cluster>.txt summaries (default: a temporary one)")
    ap.add_argument("--show", action="store_true", help="print each summary with its citations")
    ap.add_argument("--direct", action="store_true",
                    help="the summarizer alone, without the rest of the brief")
    ap.add_argument("--folds", type=int, default=0,
                    help="k-fold choice of the summary settings (GRID) on the brief path's "
                         "units; prints the pooled out-of-fold ROUGE-2")
    ap.add_argument("--defaults-only", action="store_true",
                    help="with --folds: score today's defaults alone (a quick check)")
    args = ap.parse_args(argv)
    from newsdesk.brief.summarize import SummaryOptions
    if not (DATA / "docs").is_dir() or not SCORER.is_file():
        print(f"skipped: DUC 2004 dev data or scorer not found under {BENCH}")
        return 0
    if importlib.util.find_spec("rouge_score") is None:
        print("skipped: rouge-score is not installed (pip install -e '.[bench]')")
        return 0
    if args.folds:
        kfold(args.folds, grid={n: [getattr(SummaryOptions(), n)] for n in GRID}
              if args.defaults_only else None)
        return 0
    with tempfile.TemporaryDirectory(prefix="newsdesk-duc2004-") as tmp:
        out = args.out or Path(tmp) / "newsdesk"
        out.mkdir(parents=True, exist_ok=True)
        n, secs = summarise_clusters(out, show=args.show, direct=args.direct)
        print(f"DUC 2004 task 2 dev: {n} clusters summarised in {secs:.1f} s "
              f"({'summarizer alone' if args.direct else 'the brief path'}) into {out}")
        rc = subprocess.run([sys.executable, str(SCORER), "score", str(DATA), str(out)]).returncode
    print("newsdesk row: ROUGE recall of the first 100 words against 4 human summaries; "
          "published systems' rows from their released summaries, same scorer")
    return rc


if __name__ == "__main__":
    sys.exit(main())
