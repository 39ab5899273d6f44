"""Long-running fuzzer for every newsdesk reader (issue 10).

Feeds each reader (txt, html, jsonl, feed, warc, warc.gz, txt.gz, jsonl.gz) random bytes
and random mutations of valid fixtures (truncation, bit flips, dropped or duplicated
WARC headers, wrong Content-Length, wrong charset, gzip members cut short, control
bytes, duplicated records; stacked up to three deep) and checks the promises of
tests/fuzz_inputs.check: no exception, no hang (10 s per input), skips that name the
file, no control characters in kept text, and every record the mutation left intact
kept. Each failure is saved as a reproducer under bench/out/fuzz/ (the input and a
.json saying what was done and what broke).

    python bench/fuzz_readers.py --minutes 3
    python bench/fuzz_readers.py --minutes 30 --seed 7

The CI-sized version of the same checks is tests/test_fuzz_readers.py.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fuzz_inputs import KINDS, MUTATIONS, STATS, check, make  # noqa: E402 - in tests/

OUT = ROOT / "bench" / "out" / "fuzz"
HANG_SECONDS = 10


class Hang(BaseException):
    """Raised by the alarm; a BaseException so the readers' guards cannot swallow it."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang(f"no answer within {HANG_SECONDS} s")


def one_input(rng: random.Random) -> tuple[str, str, bytes, list[str], list[str]]:
    """A random (kind, file name, bytes, intact keys, what was done)."""
    kind = rng.choice(KINDS)
    fx = make(kind, n=rng.choice([1, 3, 5]))
    if rng.random() < 0.1:
        data, intact, what = MUTATIONS["random"](fx, rng)
        return kind, fx.name, data, intact, [what]
    names = [m for m in MUTATIONS if m != "random"]
    data, intact, what = MUTATIONS[rng.choice(names)](fx, rng)
    steps = [what]
    for _ in range(rng.choice([0, 0, 1, 2])):  # stacked mutations: no intact promise
        fx.data, fx.spans, fx.records, fx.keys = data, [], [], []
        data, _, what = MUTATIONS[rng.choice(names)](fx, rng)
        steps.append(what)
        intact = []
    return kind, fx.name, data, intact, steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    signal.signal(signal.SIGALRM, _alarm)
    tried: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    kinds_of_problem: Counter[str] = Counter()
    intact_total: Counter[str] = Counter()
    end = time.monotonic() + args.minutes * 60
    t0 = time.monotonic()
    while time.monotonic() < end:
        kind, name, data, intact, steps = one_input(rng)
        tried[kind] += 1
        intact_total[kind] += len(intact)
        signal.alarm(HANG_SECONDS)
        try:
            problems = check(name, data, intact)
        except Hang as e:
            problems = [f"hang: {e}"]
        finally:
            signal.alarm(0)
        if total_tried := sum(tried.values()):
            if total_tried % 2000 == 0:
                print(f"... {total_tried} inputs, {sum(failed.values())} failures, "
                      f"{time.monotonic() - t0:.0f} s", flush=True)
        if problems:
            failed[kind] += 1
            kinds_of_problem[problems[0].split(":")[0]] += 1
            OUT.mkdir(parents=True, exist_ok=True)
            n = sum(failed.values())
            stem = OUT / f"{n:04d}-{name}"
            stem.write_bytes(data)
            Path(f"{stem}.json").write_text(json.dumps(
                {"file": str(stem), "kind": kind, "mutations": steps, "intact": intact,
                 "problems": problems, "reproduce": "python -c 'import sys; "
                 "sys.path.insert(0, \"tests\"); from fuzz_inputs import check; from pathlib "
                 f"import Path; print(check(\"{name}\", Path(\"{stem}\").read_bytes(), "
                 f"{intact!r}))'"}, indent=2))
            print(f"FAIL {stem.name}: {steps} -> {problems[:2]}", flush=True)
    secs = time.monotonic() - t0
    total, bad = sum(tried.values()), sum(failed.values())
    print(f"\nfuzz_readers: {total} inputs in {secs:.0f} s ({total / secs:.1f}/s), seed "
          f"{args.seed}, {bad} failures" + (f" (reproducers in {OUT})" if bad else ""))
    print(f"{STATS['articles']} articles kept, {STATS['skips']} skips reported, "
          f"{sum(intact_total.values())} intact records required and all kept" if not bad else
          f"{STATS['articles']} articles kept, {STATS['skips']} skips reported")
    print(f"{'reader':<10} {'inputs':>7} {'failures':>9}")
    for k in KINDS:
        print(f"{k:<10} {tried[k]:>7} {failed[k]:>9}")
    for what, n in kinds_of_problem.most_common():
        print(f"  {n} x {what}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
