"""Run every benchmark script in ``bench/`` (``bench_*.py``) in turn, with its defaults.

A failing script is reported and the next one still runs; the exit status is non-zero
when any script failed. Scripts whose data is absent print "skipped: ..." and exit 0.
At the end, one table puts each accuracy figure read from the scripts' output beside its
anchor (the published or baseline figure it is compared with, see :data:`ANCHORS`); a
figure whose script was skipped or not run says so.

    python bench/run_all.py                 # all of them
    python bench/run_all.py ingest events   # only those whose name contains a word given
    python bench/run_all.py brief           # bench_brief.py: ingest-to-brief vs spaCy (~6 min)
    python bench/run_all.py duc2004         # bench_duc2004.py: summary ROUGE vs published systems
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Anchor:
    """One figure of a script's output and what it is compared with."""

    script: str  # bench_*.py name
    figure: str  # what the figure is
    pattern: str  # regex on the script's output; group 1 is our figure
    anchor: str  # the peer or baseline figure, with where it comes from ("{}": read below)
    tuned: str  # what our figure was tuned on / measured on
    # regex on the same output whose group 1 is the anchor's figure, measured in the same
    # run (trafilatura alone, the TF-IDF baseline, a published system's summaries scored
    # by the same scorer); put into ``anchor`` at "{}"
    anchor_pattern: str | None = None
    # the figure as BENCHMARKS.md records it: the table says FELL (and the exit status is
    # 1) when a run gives less. The scripts are deterministic on fixed data, so any fall
    # is a change in the code (issue 15: none of these may fall; ECB+ once fell 0.937 ->
    # 0.919 for a week before anyone ran this script again)
    recorded: float | None = None


ANCHORS: tuple[Anchor, ...] = (
    Anchor("bench_extraction.py", "HTML body F1 (extraction-dev, 91 pages)",
           r"^newsdesk DEFAULT .*?\s(0\.\d{4})\s+0\.\d{4}\s+0\.\d{4}\s",
           "trafilatura alone {} (same run)",
           "rules chosen leave-site-out (--lso: 0.9801 out-of-fold); measured on dev",
           r"^trafilatura default \(extract\(html\)\)\s+([0-9.]+)", recorded=0.9801),
    Anchor("bench_events.py", "ECB+ B-cubed F1 (dev, 496)",
           r"^newsdesk events[^\n]*\n(?:.*\n)*?\s+B-cubed P [0-9.]+ R [0-9.]+ F1 ([0-9.]+)",
           "TF-IDF + average link {} (threshold tuned on dev)",
           "defaults set on dev (leave-topic-out: no change beats them); measured on dev",
           r"^TF-IDF \+ average-link baseline[^\n]*\n(?:.*\n)*?\s+B-cubed P [0-9.]+ R "
           r"[0-9.]+ F1 ([0-9.]+)", recorded=0.937),
    Anchor("bench_duc2004.py", "DUC 2004 ROUGE-2 recall, 100 words (dev 15)",
           r"^newsdesk\s+[0-9.]+\s+([0-9.]+)\s+\d+\s*$",
           "best published, ICSISumm {} (same scorer)",
           "settings chosen 5-fold on dev (out-of-fold 10.35); measured on dev",
           r"^ICSISumm\s+[0-9.]+\s+([0-9.]+)", recorded=10.34),
    Anchor("bench_plover.py", "PLOVER event type accuracy (dev, 161)",
           r"^event type accuracy\s+([0-9.]+)",
           "none published; majority class 0.124",
           "lexicons from the codebook + dev; measured on dev", recorded=0.901),
    Anchor("bench_quotes.py", "PolNeAR source overlap F1 (dev, 84)",
           r"^source overlap\s+[0-9.]+\s+[0-9.]+\s+([0-9.]+)",
           "citron 0.820 source F1 (PARC 3.0, other corpus)",
           "cues fitted on polnear-train; measured on dev", recorded=0.788),
    Anchor("bench_quotes.py", "PolNeAR content overlap F1 (dev, 84)",
           r"^content overlap\s+[0-9.]+\s+[0-9.]+\s+([0-9.]+)",
           "citron 0.833 content overlap F1 (PARC 3.0)",
           "cues fitted on polnear-train; measured on dev", recorded=0.797),
)


def anchor_text(a: Anchor, out: str | None) -> str:
    """The anchor as shown: its figure from the same run put in, when it has one."""
    if a.anchor_pattern is None:
        return a.anchor
    if out is None:
        return a.anchor.format("(not run)")
    m = re.search(a.anchor_pattern, out, re.M)
    return a.anchor.format(m.group(1) if m else "(not in this run's output)")


def fell(a: Anchor, value: str) -> bool:
    """True when a measured figure is below the one BENCHMARKS.md records."""
    try:
        return a.recorded is not None and float(value) < a.recorded
    except ValueError:  # "not run", "skipped (no data)", ...
        return False


def figures(outputs: dict[str, str]) -> list[tuple[Anchor, str]]:
    """Each anchored figure with our value read from its script's output (first match),
    or why there is none."""
    rows = []
    for a in ANCHORS:
        out = outputs.get(a.script)
        if out is None:
            rows.append((a, "not run"))
            continue
        m = re.search(a.pattern, out, re.M)
        if m:
            rows.append((a, m.group(1)))
        elif "skipped" in out:
            rows.append((a, "skipped (no data)"))
        else:
            rows.append((a, "not found in output"))
    return rows


def _run(script: Path, timeout: float | None) -> tuple[int, str]:
    """Run one script, echoing its output as it comes and keeping it for the table."""
    proc = subprocess.Popen([sys.executable, str(script)], cwd=HERE.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    t0 = time.perf_counter()
    assert proc.stdout is not None
    for line in proc.stdout:
        print(line, end="", flush=True)
        lines.append(line)
        if timeout is not None and time.perf_counter() - t0 > timeout:
            proc.kill()
            raise subprocess.TimeoutExpired(str(script), timeout)
    return proc.wait(), "".join(lines)


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
    outputs: dict[str, str] = {}
    for script in scripts:
        print(f"\n=== {script.name} " + "=" * max(0, 70 - len(script.name)), flush=True)
        t0 = time.perf_counter()
        try:
            rc, outputs[script.name] = _run(script, args.timeout)
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
    print("\n=== figures beside their anchors " + "=" * 39)
    print(f"{'figure':<44} {'newsdesk':>18} {'recorded':>9}  {'anchor':<48} "
          "tuned on / measured on")
    falls = []
    for a, value in figures(outputs):
        mark = ""
        if fell(a, value):
            falls.append(a.figure)
            mark = "  FELL"
        rec = "" if a.recorded is None else f"{a.recorded:g}"
        print(f"{a.figure:<44} {value + mark:>18} {rec:>9}  "
              f"{anchor_text(a, outputs.get(a.script)):<48} {a.tuned}")
    if falls:
        print(f"\n{len(falls)} figure(s) below what BENCHMARKS.md records: "
              f"{'; '.join(falls)}. Find the change (git bisect with the script) and mend "
              "it, or record the new figure with the reason.")
    return 0 if all(s == "ok" for _, s, _ in results) and not falls else 1


if __name__ == "__main__":
    sys.exit(main())
