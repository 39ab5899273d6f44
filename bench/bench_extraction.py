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
    python bench/bench_extraction.py --lso      # leave-site-out: pooled out-of-fold F1 and
                                                # each rule's out-of-fold contribution
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
    recover: float = 0.0         # HtmlOptions.recover_lines with this max_ratio (0 = off)
    shouted: bool = True         # HtmlOptions.recover_drop_shouted
    generic: bool = True         # CleanOptions.generic_lines
    fallback: float = 0.0        # HtmlOptions.fallback_ratio (needs recover > 0)
    title_loose: bool = True     # HtmlOptions.title_loose (with drop_title_line)

    def label(self) -> str:
        """Short description for the table."""
        return (f"favor={self.favor} tables={int(self.include_tables)} "
                f"comments={int(self.include_comments)} fast={int(self.fast)} "
                f"title-out={int(self.drop_title_line)} line-rules={int(self.line_rules)} "
                f"tail-cut={int(self.tail_cut)} corpus={int(self.corpus)} "
                f"recover={self.recover:g} shouted-out={int(self.shouted)} "
                f"generic={int(self.generic)} fallback={self.fallback:g} "
                f"title-loose={int(self.title_loose)}")


def newsdesk_defaults() -> Setting:
    """The Setting equal to the library's current defaults (read from the dataclasses)."""
    from newsdesk.clean import CleanOptions
    from newsdesk.ingest.readers import HtmlOptions

    h, c = HtmlOptions(), CleanOptions()
    favor = "precision" if h.favor_precision else "recall" if h.favor_recall else "none"
    return Setting(favor=favor, include_tables=h.include_tables,
                   include_comments=h.include_comments, fast=h.fast,
                   drop_title_line=h.drop_title_line, line_rules=c.drop_furniture,
                   tail_cut=c.rules_on_html,
                   recover=h.recover_max_ratio if h.recover_lines else 0.0,
                   shouted=h.recover_drop_shouted, generic=c.generic_lines,
                   fallback=h.fallback_ratio, title_loose=h.title_loose)


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
                         fast=s.fast, drop_title_line=s.drop_title_line,
                         recover_lines=s.recover > 0, recover_max_ratio=s.recover or 1.0,
                         recover_drop_shouted=s.shouted, fallback_ratio=s.fallback,
                         title_loose=s.title_loose),
        clean=CleanOptions(drop_furniture=s.line_rules, rules_on_html=s.tail_cut,
                           generic_lines=s.generic),
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


# -- leave-site-out ------------------------------------------------------------------------

def site_of(url: str | None) -> str:
    """A page's site: the host of its ground-truth URL, ``www.`` dropped."""
    from urllib.parse import urlparse

    return (urlparse(url or "").hostname or "?").removeprefix("www.")


def site_folds(sites: Iterable[str], k: int = 5) -> dict[str, int]:
    """Sites dealt round-robin into ``k`` folds in the order of a hash of their names, so
    every page of a site is in one fold and the split is the same on every run."""
    import hashlib

    order = sorted(set(sites), key=lambda h: hashlib.blake2b(h.encode(), digest_size=8).digest())
    return {h: i % k for i, h in enumerate(order)}


def cached_extraction() -> None:
    """Memoise trafilatura.bare_extraction and htmldate.find_date for this process, so the
    leave-site-out grid runs each distinct extraction once (same outputs: both are pure
    functions of their arguments; newsdesk imports them at call time)."""
    import htmldate
    import trafilatura

    bare, find = trafilatura.bare_extraction, htmldate.find_date
    memo: dict[tuple[Any, ...], Any] = {}

    def bare_cached(html: Any, **kw: Any) -> Any:
        key = ("b", hash(html), tuple(sorted(kw.items())))
        if key not in memo:
            memo[key] = bare(html, **kw)
        return memo[key]

    def find_cached(html: Any, **kw: Any) -> Any:
        key = ("d", hash(html), tuple(sorted(kw.items())))
        if key not in memo:
            memo[key] = find(html, **kw)
        return memo[key]

    trafilatura.bare_extraction = bare_cached  # type: ignore[assignment]
    htmldate.find_date = find_cached  # type: ignore[assignment]


def lso_grid(base: Setting) -> list[Setting]:
    """The settings leave-site-out chooses among: each rule of today and each new one on
    or off, and the line-recovery ratio. (Generic lines are part of the line rules, so
    they only vary when the line rules are on.)"""
    out: list[Setting] = []
    for (title, loose), (lines, generic) in product(
            ((True, True), (True, False), (False, False)),
            ((True, True), (True, False), (False, False))):
        common = replace(base, drop_title_line=title, title_loose=loose, line_rules=lines,
                         generic=generic)
        out.append(replace(common, favor="none", recover=0.0, shouted=base.shouted,
                           fallback=0.0))
        for recover in (0.0, 1.2, 1.5, 2.0, 3.0):
            for shouted in ((True, False) if recover else (base.shouted,)):
                out.append(replace(common, favor="precision", recover=recover,
                                   shouted=shouted, fallback=0.0))
        for fallback in (0.3, 0.5, 0.7):
            out.append(replace(common, favor="precision", recover=base.recover or 1.5,
                               shouted=True, fallback=fallback))
    return out


# name, what it is, which grid settings remain when the rule is taken away, and the
# default with the rule taken away.
LSO_RULES: list[tuple[str, str, Callable[[Setting], bool], Callable[[Setting], Setting]]] = [
    ("title-line", "body lines equal to the page title dropped (today; off also loose)",
     lambda s: not s.drop_title_line,
     lambda s: replace(s, drop_title_line=False, title_loose=False)),
    ("title-loose", "title compared loosely, 'Headline | Outlet' parts (new)",
     lambda s: not s.title_loose, lambda s: replace(s, title_loose=False)),
    ("line-rules", "furniture line rules, clean/rules.py (today; off also drops generic)",
     lambda s: not s.line_rules, lambda s: replace(s, line_rules=False, generic=False)),
    ("favor_precision", "trafilatura favor_precision (today; off also drops recovery)",
     lambda s: s.favor == "none", lambda s: replace(s, favor="none", recover=0.0, fallback=0.0)),
    ("recover", "balanced-mode interior lines put back, ingest/merge.py (new)",
     lambda s: s.recover == 0, lambda s: replace(s, recover=0.0, fallback=0.0)),
    ("shouted-out", "all-capitals lines not recovered (new, part of recover)",
     lambda s: s.recover == 0 or not s.shouted, lambda s: replace(s, shouted=False)),
    ("generic", "generic furniture lines, rules.GENERIC_LINES (new)",
     lambda s: not s.generic, lambda s: replace(s, generic=False)),
    ("no-fallback", "never the balanced text whole (vs. when precise < 0.3/0.5/0.7 of it; "
     "in-sample column: 0.7)",
     lambda s: s.fallback > 0, lambda s: replace(s, fallback=0.7)),
]


def _distance(a: Setting, b: Setting) -> int:
    return sum(getattr(a, f) != getattr(b, f) for f in a.__dataclass_fields__)


def out_of_fold(per_setting: dict[Setting, list[Counts]], allowed: list[Setting],
                folds: list[int], base: Setting) -> tuple[list[Counts], list[Setting]]:
    """Per fold: the allowed setting with the best F1 on the other folds' pages (ties: the
    one closest to ``base``), applied to this fold's pages. Returns the pooled per-page
    counts (in page order) and the setting chosen for each fold."""
    n = len(folds)
    pooled: list[Counts] = [(0.0, 0.0, 0.0)] * n
    chosen = []
    for f in sorted(set(folds)):
        train = [i for i in range(n) if folds[i] != f]

        def train_f1(st: Setting, train: list[int] = train) -> tuple[float, int]:
            return (round(aggregate([per_setting[st][i] for i in train])[0], 9),
                    -_distance(st, base))

        best = max(allowed, key=train_f1)
        chosen.append(best)
        for i in range(n):
            if folds[i] == f:
                pooled[i] = per_setting[best][i]
    return pooled, chosen


def run_lso(pages: dict[str, Path], truth: dict[str, str], sites: list[str], k: int,
            workers: int) -> dict[str, Any]:
    """Score the whole grid once, then choose settings leave-site-out; print the tables."""
    cached_extraction()
    base = newsdesk_defaults()
    grid = lso_grid(base)
    if base not in grid:
        grid.insert(0, base)
    keys = list(truth)
    per: dict[Setting, list[Counts]] = {}
    t0 = time.perf_counter()
    for st in grid:
        pred = newsdesk_bodies(pages, st, workers)
        per[st] = [page_counts(truth[key], pred.get(key, "")) for key in keys]
    fold_of = site_folds(sites, k)
    folds = [fold_of[s] for s in sites]
    print(f"leave-site-out: {len(set(sites))} sites in {k} folds; grid of {len(grid)} "
          f"settings scored in {time.perf_counter() - t0:.0f} s\n")
    oof, chosen = out_of_fold(per, grid, folds, base)
    headline = aggregate(oof)
    in_sample = aggregate(per[base])
    print(f"{'figure':<58} {'F1':>6} {'prec':>6} {'recall':>6}")
    print(f"{'pooled out-of-fold (settings chosen on the other sites)':<58} "
          f"{headline[0]:6.4f} {headline[1]:6.4f} {headline[2]:6.4f}")
    print(f"{'in-sample (library defaults, all 91 pages)':<58} "
          f"{in_sample[0]:6.4f} {in_sample[1]:6.4f} {in_sample[2]:6.4f}")
    today = [st for st in grid if st.recover == 0 and not st.generic and st.fallback == 0
             and not st.title_loose]
    old = replace(base, recover=0.0, generic=False, fallback=0.0, title_loose=False)
    oof_old, _ = out_of_fold(per, today, folds, old)
    old_oof = aggregate(oof_old)
    old_in = aggregate(per[old]) if old in per else (0.0, 0.0, 0.0)
    print(f"{'  before (main: no recovery, no generic lines) out-of-fold':<58} "
          f"{old_oof[0]:6.4f} {old_oof[1]:6.4f} {old_oof[2]:6.4f}")
    print(f"{'  before (main) in-sample':<58} {old_in[0]:6.4f} {old_in[1]:6.4f} {old_in[2]:6.4f}")
    for f, st in enumerate(chosen):
        print(f"  fold {f} chose: {st.label()}"
              f"{'  (= defaults)' if st == base else ''}")
    variants = [replace(base, recover=r, fallback=0.0) for r in (0.0, 1.2, 1.5, 2.0, 3.0)]
    variants += [replace(base, fallback=fb) for fb in (0.3, 0.5, 0.7)]
    print("  in-sample, defaults but: " + "; ".join(
        f"recover={v.recover:g} fallback={v.fallback:g} {aggregate(per[v])[0]:.4f}"
        for v in variants if v in per))
    print(f"\n{'rule':<16} {'OOF with':>8} {'OOF w/o':>8} {'OOF d':>7} {'in-s d':>7} "
          f"{'sites +':>7} {'sites -':>7} {'d w/o top site':>14}  top site")
    rules_out: list[dict[str, Any]] = []
    by_site: dict[str, list[int]] = {}
    for i, st in enumerate(sites):
        by_site.setdefault(st, []).append(i)
    for name, what, allowed_without, off in LSO_RULES:
        without = [st for st in grid if allowed_without(st)]
        oof_wo, _ = out_of_fold(per, without, folds, off(base))
        f_with, f_wo = headline[0], aggregate(oof_wo)[0]
        base_off = off(base)
        if base_off not in per:
            pred = newsdesk_bodies(pages, base_off, workers)
            per[base_off] = [page_counts(truth[key], pred.get(key, "")) for key in keys]
        on_c, off_c = per[base], per[base_off]
        d_in = aggregate(on_c)[0] - aggregate(off_c)[0]
        site_d = {h: aggregate([on_c[i] for i in ix])[0] - aggregate([off_c[i] for i in ix])[0]
                  for h, ix in by_site.items()}
        plus = sum(d > 0.0005 for d in site_d.values())
        minus = sum(d < -0.0005 for d in site_d.values())
        top = max(site_d, key=lambda h: site_d[h])
        rest = [i for i in range(len(keys)) if sites[i] != top]
        d_rest = (aggregate([on_c[i] for i in rest])[0] -
                  aggregate([off_c[i] for i in rest])[0])
        print(f"{name:<16} {f_with:8.4f} {f_wo:8.4f} {f_with - f_wo:+7.4f} {d_in:+7.4f} "
              f"{plus:7d} {minus:7d} {d_rest:+14.4f}  {top} ({site_d[top]:+.3f})")
        rules_out.append({"rule": name, "what": what, "oof_with": f_with, "oof_without": f_wo,
                          "in_sample_delta": d_in, "sites_helped": plus, "sites_hurt": minus,
                          "delta_without_top_site": d_rest, "top_site": top})
    print("\nOOF with/w/o: pooled out-of-fold F1 when the rule may be chosen / is taken "
          "away (the other switches still chosen per fold); in-s d: defaults minus defaults "
          "with the rule off, all pages; sites +/-: sites whose F1 the rule raises/lowers "
          "(> 0.0005); d w/o top site: in-sample d with the most-helped site left out.")
    return {"oof": headline, "in_sample": in_sample, "before_oof": old_oof,
            "before_in_sample": old_in,
            "grid": [{"setting": st.label(), "f1": aggregate(c)[0]} for st, c in per.items()],
            "folds": [c.label() for c in chosen],
            "rules": rules_out}


def main(argv: list[str] | None = None) -> int:
    """Score trafilatura and newsdesk on extraction-dev and print them side by side."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA, help="extraction-dev folder")
    ap.add_argument("--grid", action="store_true", help="score every settings combination")
    ap.add_argument("--workers", type=int, default=1, help="newsdesk ingest workers")
    ap.add_argument("--worst", type=int, default=0, help="list the N worst pages for newsdesk")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--lso", action="store_true",
                    help="leave-site-out: choose every switch on the other sites' pages")
    ap.add_argument("--folds", type=int, default=5, help="site folds for --lso")
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
    if args.lso:
        sites = [site_of(gt[k].get("url")) for k in truth]
        res = run_lso(pages, truth, sites, args.folds, args.workers)
        if args.json:
            args.json.write_text(json.dumps(res, indent=1))
        return 0

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
                replace(base, include_comments=True), replace(base, corpus=True),
                replace(base, recover=0.0), replace(base, shouted=False),
                replace(base, generic=False), replace(base, title_loose=False),
                replace(base, recover=0.0, generic=False, title_loose=False)]
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
