"""Run every benchmark script in ``bench/`` (``bench_*.py``) in turn, with its defaults.

A failing script is reported and the next one still runs; the exit status is non-zero
when any script failed. Scripts whose data is absent print "skipped: ..." and exit 0.

    python bench/run_all.py                 # all of them
    python bench/run_all.py ingest events   # only those whose name contains a word given
    python bench/run_all.py brief           # bench_brief.py: ingest-to-brief vs spaCy (~6 min)
    python bench/run_all.py duc2004         # bench_duc2004.py: summary ROUGE vs published systems
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover(words: list[str]) -> list[Path]:
    """``bench_*.py`` scripts next to this one, sorted; filtered by the words if any."""
    scripts = sorted(HERE.glob("bench_*.py"))
    if words:
        scripts = [s for s in scripts if any(w in s.stem for w in words)]
    return scripts


def main(argv: list[str] | None = None) -> int:
    """Run the scripts one after another and print a summary."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("words", nargs="*", help="run only scripts whose name contains one of these")
    ap.add_argument("--timeout", type=float, default=None, help="seconds allowed per script")
    args = ap.parse_args(argv)
    scripts = discover(args.words)
    if not scripts:
        print(f"no bench_*.py scripts in {HERE} match {args.words}")
        return 1
    results: list[tuple[str, str, float]] = []
    for script in scripts:
        print(f"\n=== {script.name} " + "=" * max(0, 70 - len(script.name)), flush=True)
        t0 = time.perf_counter()
        try:
            rc = subprocess.run([sys.executable, str(script)], cwd=HERE.parent,
                                timeout=args.timeout).returncode
            status = "ok" if rc == 0 else f"FAILED (exit {rc})"
        except subprocess.TimeoutExpired:
            status = f"FAILED (over {args.timeout:.0f} s)"
        except KeyboardInterrupt:
            status = "interrupted"
            results.append((script.name, status, time.perf_counter() - t0))
            break
        results.append((script.name, status, time.perf_counter() - t0))
    print("\n=== summary " + "=" * 60)
    for name, status, secs in results:
        print(f"{name:<28} {status:<24} {secs:8.1f} s")
    return 0 if all(s == "ok" for _, s, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
