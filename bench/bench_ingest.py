"""Ingest throughput and peak memory on a generated corpus (text files and HTML pages).

Each measurement runs ``newsdesk.ingest.ingest(paths, Store(file), IngestOptions(workers=W))``
in a fresh child process, so imports and caches from one run do not flatter the next, and
peak memory is that of one real ingest: the parent samples the resident memory of the
child and all its worker processes (summed) and also reads the child's own high-water
mark (``ru_maxrss``).

    python bench/bench_ingest.py                      # quick: 1,000 articles
    python bench/bench_ingest.py --n 20000            # the issue's figure (takes minutes)
    python bench/bench_ingest.py --n 20000 --phases all --workers 1

Phases: ``text`` ingests the text files alone, ``html`` the HTML pages alone, ``all``
both folders in one run (the memory target is for this one), ``real`` real news pages
(``../shared/bench/extraction-dev/html`` copied ``--real-copies`` times; skipped when absent). The peer figures are the
issue's targets: text >= 300 articles/s, HTML >= 35 pages/s on the 2-core development
machine, peak memory under 400 MB for 20,000 articles.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_corpus import generate  # noqa: E402 - the generator lives next to this script

TARGET_TEXT = 300.0   # articles/s
TARGET_HTML = 35.0    # pages/s
TARGET_MB = 400.0     # peak RSS for 20,000 articles
REAL_HTML = (Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "extraction-dev"
             / "html")


def real_pages(copies: int) -> tuple[list[Path], int] | None:
    """Real news pages for the ``real`` phase: the extraction-dev pages copied ``copies``
    times (distinct file names, so each copy is stored) into a temp folder."""
    if copies < 1 or not REAL_HTML.is_dir():
        return None
    src = sorted(REAL_HTML.glob("*.html"))
    dst = Path(tempfile.gettempdir()) / f"newsdesk-bench-real-{copies}"
    if len(list(dst.glob("*.html"))) != len(src) * copies:
        dst.mkdir(exist_ok=True)
        for j in range(copies):
            for f in src:
                shutil.copyfile(f, dst / f"r{j}_{f.name}")
    return [dst], len(src) * copies


def child(paths: list[str], workers: int, db: str, profile: str | None) -> int:
    """Run one ingest and print its figures as JSON (used by the parent process)."""
    from newsdesk.ingest import IngestOptions, ingest
    from newsdesk.store import Store

    store = Store(db)
    opts = IngestOptions(workers=workers)
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = r0.ru_utime + r0.ru_stime
    t0 = time.perf_counter()
    if profile:
        import cProfile

        prof = cProfile.Profile()
        report = prof.runcall(ingest, paths, store, opts)
        prof.dump_stats(profile)
    else:
        report = ingest(paths, store, opts)
    secs = time.perf_counter() - t0
    store.close()
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime - cpu0
    print(json.dumps({"seconds": secs, "cpu": cpu, "read": report.read, "added": report.added,
                      "skipped": len(report.skipped), "self_mb": me.ru_maxrss / 1024,
                      "worker_mb": kids.ru_maxrss / 1024}))
    return 0


def _tree_rss(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (0 when gone)."""
    import psutil

    try:
        p = psutil.Process(pid)
        procs = [p, *p.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for q in procs:
        try:
            total += q.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2**20


def measure(paths: list[Path], workers: int, profile: str | None = None) -> dict[str, float]:
    """One ingest in a child process; adds the sampled peak of the whole process tree."""
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-db-") as tmp:
        cmd = [sys.executable, __file__, "--child", "--workers", str(workers),
               "--db", str(Path(tmp) / "bench.db"), *map(str, paths)]
        if profile:
            cmd += ["--profile", profile]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak = 0.0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.1)
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"ingest child failed ({proc.returncode}): {err[-2000:]}")
        res: dict[str, float] = json.loads(out.strip().splitlines()[-1])
        res["tree_peak_mb"] = peak
        return res


def main(argv: list[str] | None = None) -> int:
    """Generate (or reuse) the corpus, run the phases, print figures beside the targets."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=1000,
                    help="articles in the corpus, half text and half HTML (default 1000)")
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    ap.add_argument("--phases", default="text,html,all,real", help="text, html, all, real")
    ap.add_argument("--real-copies", type=int, default=2,
                    help="real phase: copies of the 91 extraction-dev pages (default 2)")
    ap.add_argument("--corpus", type=Path, default=None,
                    help="corpus folder (default: a folder per size under the temp dir)")
    ap.add_argument("--profile", type=Path, default=None,
                    help="write cProfile stats of each run to PROFILE.<phase>.w<W>")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--db", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        return child(args.paths, int(args.workers), args.db,
                     str(args.profile) if args.profile else None)

    try:
        import psutil  # noqa: F401
    except ImportError:
        print("skipped: psutil is needed to sample memory (pip install psutil)")
        return 0
    corpus = args.corpus or Path(tempfile.gettempdir()) / f"newsdesk-bench-corpus-{args.n}"
    t0 = time.perf_counter()
    txt_dir, html_dir = generate(corpus, args.n)
    n_txt = sum(1 for _ in txt_dir.rglob("*.txt"))
    n_html = sum(1 for _ in html_dir.rglob("*.html"))
    kb = sum(f.stat().st_size for f in html_dir.rglob("*.html")) / max(n_html, 1) / 1024
    print(f"corpus {corpus}: {n_txt} text files, {n_html} HTML pages (mean {kb:.0f} KB) "
          f"ready in {time.perf_counter() - t0:.1f} s; {os.cpu_count()} CPUs")
    phases = {"text": ([txt_dir], n_txt), "html": ([html_dir], n_html),
              "all": ([txt_dir, html_dir], n_txt + n_html)}
    real = real_pages(args.real_copies) if "real" in args.phases else None
    if real:
        phases["real"] = real
        kb = sum(f.stat().st_size for f in real[0][0].iterdir()) / real[1] / 1024
        print(f"real: {real[1]} real news pages (extraction-dev x {args.real_copies}, "
              f"mean {kb:.0f} KB) in {real[0][0]}")
    elif "real" in args.phases:
        print(f"real phase skipped: {REAL_HTML} not found")
    print(f"\n{'phase':<6} {'workers':>7} {'articles':>9} {'seconds':>8} {'per s':>7} "
          f"{'target':>8} {'per cpu-s':>9} {'peak MB':>8} {'main MB':>8} {'worker MB':>9}  "
          "verdict")
    for phase in (p.strip() for p in args.phases.split(",")):
        if phase not in phases:
            continue
        paths, n = phases[phase]
        for w in (int(x) for x in args.workers.split(",")):
            prof = f"{args.profile}.{phase}.w{w}" if args.profile else None
            r = measure(paths, w, prof)
            rate = r["read"] / r["seconds"] if r["seconds"] else 0.0
            target = {"text": TARGET_TEXT, "html": TARGET_HTML, "real": TARGET_HTML}.get(phase)
            ok = [] if target is None else [rate >= target]
            verdict = ("met" if all(ok) else "NOT met") if ok else ""
            if phase in ("all", "real"):
                verdict += "; " if verdict else ""
                verdict += "memory " + ("met" if r["tree_peak_mb"] < TARGET_MB else "NOT met")
            tgt = f">={target:.0f}" if target else "-"
            per_cpu = r["read"] / r["cpu"] if r["cpu"] else 0.0
            print(f"{phase:<6} {w:>7} {int(r['read']):>9} {r['seconds']:>8.1f} {rate:>7.1f} "
                  f"{tgt:>8} {per_cpu:>9.1f} {r['tree_peak_mb']:>8.0f} {r['self_mb']:>8.0f} "
                  f"{r['worker_mb']:>9.0f}  {verdict}", flush=True)
            if r["read"] != n:
                print(f"       warning: {n} inputs but {int(r['read'])} read, "
                      f"{int(r['skipped'])} skipped")
    print("\nper s = articles read / wall seconds of ingest(); per cpu-s = articles / CPU "
          "seconds of the ingest process and its workers (insensitive to other jobs on the "
          f"machine); peak MB = sampled resident memory of the process tree, summed (target "
          f"< {TARGET_MB:.0f} MB); main/worker MB = ru_maxrss high-water marks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
