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

Usage: ``python bench/bench_duc2004.py [--out DIR] [--show]``
(needs ``pip install -e '.[bench]'`` for rouge-score).
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None,
                    help="folder for the <cluster>.txt summaries (default: a temporary one)")
    ap.add_argument("--show", action="store_true", help="print each summary with its citations")
    ap.add_argument("--direct", action="store_true",
                    help="the summarizer alone, without the rest of the brief")
    args = ap.parse_args(argv)
    if not (DATA / "docs").is_dir() or not SCORER.is_file():
        print(f"skipped: DUC 2004 dev data or scorer not found under {BENCH}")
        return 0
    if importlib.util.find_spec("rouge_score") is None:
        print("skipped: rouge-score is not installed (pip install -e '.[bench]')")
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
