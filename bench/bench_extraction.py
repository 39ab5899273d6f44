"""Article-body extraction quality on ``../shared/bench/extraction-dev/`` (91 HTML pages).

Scores newsdesk's HTML path side by side with trafilatura alone on the same pages with
the same scorer, the one the scrapinghub article-extraction-benchmark uses:

* a body is tokenised into ``\\w+`` runs, and compared as a multiset of 4-token shingles;
* per page, true positives / false positives / false negatives are normalised to sum to 1
  (so long pages do not weigh more);
* precision and recall are averaged over pages (precision over pages where something was
  predicted, recall over pages with a non-empty truth) and F1 is their harmonic mean.

Written here rather than imported because the benchmark ships as a script, not a package.

    python bench/bench_extraction.py            # peers, newsdesk defaults, one switch flipped
    python bench/bench_extraction.py --grid     # every settings combination (slow)
    python bench/bench_extraction.py --worst 5  # also list the five worst pages for newsdesk
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from itertools import product
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "extraction-dev"
TARGET_PEER = "trafilatura default"

_TOKEN = re.compile(r"\w+")
Counts = tuple[float, float, float]


# -- scorer --------------------------------------------------------------------------------

def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of ``n``-token shingles; a text shorter than ``n`` tokens is one shingle."""
    toks = _TOKEN.findall(text or "")
    if not toks:
        return Counter()
    return Counter(tuple(toks[i:i + n]) for i in range(max(1, len(toks) - n + 1)))


def page_counts(truth: str, pred: str) -> Counts:
    """(tp, fp, fn) of one page, normalised to sum to 1."""
    t, p = shingles(truth), shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(c: Counts) -> float:
    tp, fp, fn = c
    return 1.0 if fp == fn == 0 else tp / (tp + fp)


def _recall(c: Counts) -> float:
    tp, fp, fn = c
    return 1.0 if fp == fn == 0 else tp / (tp + fn)


def aggregate(counts: list[Counts]) -> tuple[float, float, float]:
    """(F1, precision, recall) over pages, as the benchmark's evaluate.py averages them."""
    ps = [_precision(c) for c in counts if c[0] + c[1] > 0]
    rs = [_recall(c) for c in counts if c[0] + c[2] > 0]
    p = statistics.mean(ps) if ps else 0.0
    r = statistics.mean(rs) if rs else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


# -- systems -------------------------------------------------------------------------------

def trafilatura_bodies(pages: dict[str, Path], **kwargs: Any) -> dict[str, str]:
    """trafilatura.extract on each page (UTF-8, as the benchmark's runner reads them)."""
    import trafilatura

    out: dict[str, str] = {}
    for key, path in pages.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[key] = trafilatura.extract(path.read_text(encoding="utf-8"), **kwargs) or ""
    return out


@dataclass(frozen=True)
class Setting:
    """One newsdesk configuration to score."""

    favor: str = "none"          # none | precision | recall
    include_tables: bool = True
    include_comments: bool = False
    fast: bool = False           # trafilatura without its fallback extractors
    drop_title_line: bool = True
    line_rules: bool = True      # CleanOptions.drop_furniture: furniture-line rules
    tail_cut: bool = False       # CleanOptions.rules_on_html: related-links tail cut on HTML
    corpus: bool = False         # through ingest(): corpus evidence (repeated lines) applied

    def label(self) -> str:
        """Short description for the table."""
        return (f"favor={self.favor} tables={int(self.include_tables)} "
                f"comments={int(self.include_comments)} fast={int(self.fast)} "
                f"title-out={int(self.drop_title_line)} line-rules={int(self.line_rules)} "
                f"tail-cut={int(self.tail_cut)} corpus={int(self.corpus)}")


def newsdesk_defaults() -> Setting:
    """The Setting equal to the library's current defaults (read from the dataclasses)."""
    from newsdesk.clean import CleanOptions
    from newsdesk.ingest.readers import HtmlOptions

    h, c = HtmlOptions(), CleanOptions()
    favor = "precision" if h.favor_precision else "recall" if h.favor_recall else "none"
    return Setting(favor=favor, include_tables=h.include_tables,
                   include_comments=h.include_comments, fast=h.fast,
                   drop_title_line=h.drop_title_line, line_rules=c.drop_furniture,
                   tail_cut=c.rules_on_html)


def newsdesk_bodies(pages: dict[str, Path], s: Setting, workers: int = 1) -> dict[str, str]:
    """Bodies as ``newsdesk articles PAGE`` prints them: read, extract, clean (and, with
    ``corpus``, the corpus-evidence pass that a whole ``ingest`` run adds)."""
    from newsdesk.clean import CleanOptions
    from newsdesk.errors import Skipped
    from newsdesk.ingest import IngestOptions, ingest, read_clean
    from newsdesk.ingest.readers import HtmlOptions
    from newsdesk.store import Store

    opts = IngestOptions(
        html=HtmlOptions(favor_precision=s.favor == "precision", favor_recall=s.favor == "recall",
                         include_tables=s.include_tables, include_comments=s.include_comments,
                         fast=s.fast, drop_title_line=s.drop_title_line),
        clean=CleanOptions(drop_furniture=s.line_rules, rules_on_html=s.tail_cut),
        workers=workers,
    )
    paths = list(pages.values())
    if s.corpus:
        store = Store(":memory:")
        report = ingest(paths, store, opts)
        out = {a.key: a.text for a in store.articles(report.refs)}
        store.close()
        return out
    return {r.key: r.text for r in read_clean(paths, opts) if not isinstance(r, Skipped)}


# -- running -------------------------------------------------------------------------------

@dataclass
class Row:
    """One scored system."""

    name: str
    f1: float
    precision: float
    recall: float
    seconds: float
    cpu: float
    per_page: list[Counts]


def score(name: str, truth: dict[str, str], run: Callable[[], dict[str, str]]) -> Row:
    """Run one system and score it against the truth."""
    t0, c0 = time.perf_counter(), time.process_time()
    pred = run()
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    counts = [page_counts(truth[k], pred.get(k, "")) for k in truth]
    f1, p, r = aggregate(counts)
    return Row(name, f1, p, r, secs, cpu, counts)


def print_header() -> None:
    """Column titles of the side-by-side table."""
    print(f"{'system':<104} {'F1':>6} {'prec':>6} {'recall':>6} {'pages/s':>8} "
          f"{'/cpu-s':>7}")


def print_rows(rows: Iterable[Row], n_pages: int) -> None:
    """Rows of the side-by-side table."""
    for r in rows:
        rate = n_pages / r.seconds if r.seconds else 0.0
        per_cpu = n_pages / r.cpu if r.cpu else 0.0
        print(f"{r.name:<104} {r.f1:6.4f} {r.precision:6.4f} {r.recall:6.4f} {rate:8.1f} "
              f"{per_cpu:7.1f}", flush=True)


def grid_settings(base: Setting) -> list[Setting]:
    """Every combination of the extraction and cleaning switches worth trying."""
    out = []
    for favor, tables, title, lines, tail in product(
        ("none", "precision", "recall"), (True, False), (True, False), (True, False),
        (False, True),
    ):
        out.append(replace(base, favor=favor, include_tables=tables, drop_title_line=title,
                           line_rules=lines, tail_cut=tail))
    return out


def main(argv: list[str] | None = None) -> int:
    """Score trafilatura and newsdesk on extraction-dev and print them side by side."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA, help="extraction-dev folder")
    ap.add_argument("--grid", action="store_true", help="score every settings combination")
    ap.add_argument("--workers", type=int, default=1, help="newsdesk ingest workers")
    ap.add_argument("--worst", type=int, default=0, help="list the N worst pages for newsdesk")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)

    gt_path = args.data / "ground-truth.json"
    if not gt_path.exists():
        print(f"skipped: {gt_path} not found (benchmark data lives outside the repository)")
        return 0
    gt = json.loads(gt_path.read_text(encoding="utf-8"))
    pages = {k: args.data / "html" / f"{k}.html" for k in gt}
    missing = [k for k, p in pages.items() if not p.exists()]
    if missing:
        print(f"skipped: {len(missing)} pages of ground-truth.json missing under {args.data}/html")
        return 0
    truth = {k: v.get("articleBody") or "" for k, v in gt.items()}
    n = len(truth)
    print(f"extraction-dev: {n} pages; scorer = 4-token shingles, per-page normalised, "
          "P and R averaged over pages, F1 of the averages (article-extraction-benchmark)\n")

    rows: list[Row] = [
        score(TARGET_PEER + " (extract(html))", truth, lambda: trafilatura_bodies(pages)),
        score("trafilatura as the benchmark runs it (include_comments=False)", truth,
              lambda: trafilatura_bodies(pages, include_comments=False)),
    ]
    print_header()
    print_rows(rows, n)
    peer = rows[0]
    base = newsdesk_defaults()
    settings = [base, replace(base, tail_cut=not base.tail_cut),
                replace(base, line_rules=not base.line_rules),
                replace(base, drop_title_line=not base.drop_title_line),
                replace(base, favor="none"), replace(base, fast=True),
                replace(base, include_comments=True), replace(base, corpus=True)]
    if args.grid:
        settings += [s for s in grid_settings(base) if s not in settings]
    nd_rows: list[Row] = []
    for i, s in enumerate(settings):
        tag = "newsdesk DEFAULT " if i == 0 else "newsdesk "
        row = score(tag + s.label(), truth, partial(newsdesk_bodies, pages, s, args.workers))
        nd_rows.append(row)
        print_rows([row], n)
    best = max(nd_rows, key=lambda r: r.f1)
    default = nd_rows[0]
    print("(pages/s = wall clock; /cpu-s = pages per CPU-second of this process, which other "
          "jobs on the machine do not distort; with --workers > 1 only wall clock is meaningful)")
    print(f"\nbest newsdesk setting: {best.name} F1 {best.f1:.3f}")
    verdict = "met" if default.f1 >= peer.f1 else "NOT met"
    print(f"target (newsdesk default >= {TARGET_PEER}): {default.f1:.3f} vs {peer.f1:.3f} "
          f"-> {verdict}")
    if args.worst:
        keys = list(truth)
        order = sorted(range(n), key=lambda i: _precision(default.per_page[i]) +
                       _recall(default.per_page[i]))
        print(f"\nworst {args.worst} pages for newsdesk default (P / R), trafilatura default:")
        for i in order[:args.worst]:
            d, p = default.per_page[i], peer.per_page[i]
            print(f"  {keys[i][:16]}  {_precision(d):.3f} / {_recall(d):.3f}   "
                  f"{_precision(p):.3f} / {_recall(p):.3f}")
    if args.json:
        args.json.write_text(json.dumps(
            [{"system": r.name, "f1": r.f1, "precision": r.precision, "recall": r.recall,
              "seconds": r.seconds, "cpu_seconds": r.cpu} for r in rows + nd_rows], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
