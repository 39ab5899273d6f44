"""bench/run_all.py's table: each accuracy figure read from its script's output, beside
its anchor (measured in the same run where the script prints one). Outputs here are
written for the test in the scripts' formats; no benchmark data is needed."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import run_all  # noqa: E402 - the benchmark runner, imported for its parsing only

EXTRACTION = """extraction-dev: 91 pages; scorer = 4-token shingles

system                                                                 F1   prec recall  pages/s  /cpu-s
trafilatura default (extract(html))                                0.9622 0.9378 0.9878     47.6    48.3
newsdesk DEFAULT favor=precision tables=1 recover=1.5 title-loose=1 0.9801 0.9739 0.9864     24.8    24.8
newsdesk favor=none tables=1 recover=1.5 title-loose=1              0.9705 0.9541 0.9875     35.7    35.7
"""
EVENTS = """== ECB+ dev (496 articles, 42 events), default settings ==
newsdesk events (28 s including spaCy parsing):
  articles 496  gold events 42  predicted clusters 48
  B-cubed P 0.935 R 0.939 F1 0.937
  pairwise P 0.876 R 0.923 F1 0.899
TF-IDF + average-link baseline, threshold 0.85 tuned on this set:
  articles 496  gold events 42  predicted clusters 41
  B-cubed P 0.803 R 0.962 F1 0.875
"""
DUC = """system                      R-1    R-2  clusters
Lead                      31.23   5.86  15
ICSISumm                  38.44  10.15  15
newsdesk                  38.90  10.34  15
newsdesk row: ROUGE recall of the first 100 words against 4 human summaries
"""


def _table(outputs: dict[str, str]) -> dict[str, tuple[str, str]]:
    return {a.figure: (value, run_all.anchor_text(a, outputs.get(a.script)))
            for a, value in run_all.figures(outputs)}


def test_each_figure_beside_its_anchor_from_the_same_run() -> None:
    rows = _table({"bench_extraction.py": EXTRACTION, "bench_events.py": EVENTS,
                   "bench_duc2004.py": DUC})
    body = rows["HTML body F1 (extraction-dev, 91 pages)"]
    assert body == ("0.9801", "trafilatura alone 0.9622 (same run)")
    ecb = rows["ECB+ B-cubed F1 (dev, 496)"]
    assert ecb[0] == "0.937" and "0.875" in ecb[1]
    duc = rows["DUC 2004 ROUGE-2 recall, 100 words (dev 15)"]
    assert duc == ("10.34", "best published, ICSISumm 10.15 (same scorer)")
    assert rows["PLOVER event type accuracy (dev, 161)"][0] == "not run"


def test_a_skipped_script_and_a_missing_anchor_say_so() -> None:
    no_baseline = EVENTS.split("TF-IDF")[0]
    rows = _table({"bench_events.py": no_baseline,
                   "bench_duc2004.py": "skipped: rouge-score is not installed\n"})
    assert rows["ECB+ B-cubed F1 (dev, 496)"] == (
        "0.937", "TF-IDF + average link (not in this run's output) (threshold tuned on dev)")
    assert rows["DUC 2004 ROUGE-2 recall, 100 words (dev 15)"][0] == "skipped (no data)"


def test_a_figure_below_the_recorded_one_is_marked() -> None:
    body = next(a for a in run_all.ANCHORS if a.script == "bench_extraction.py")
    assert body.recorded is not None
    assert run_all.fell(body, f"{body.recorded - 0.0001:.4f}")
    assert not run_all.fell(body, f"{body.recorded:.4f}")
    assert not run_all.fell(body, "not run")
    assert all(a.recorded is not None for a in run_all.ANCHORS)
