"""PolNeAR benchmark: attribution source and content spans (issue 5).

Reads ``../shared/bench/polnear-dev/`` (brat standoff: ``attributions/<name>_<annotator>.ann``
with Source/Cue/Content spans into ``text/<name>.txt``) and scores
:func:`newsdesk.extract.quotes.find_attributions` on every text.

Scoring (the PolNeAR README defines no matching rule, so this is ours):

* units: every distinct Source span and every distinct Content span that an attribution
  relation (``E`` line) of the gold file uses; a span with several fragments
  (``315 448;463 553``, a quotation split around its cue) is one unit. Predictions are
  the distinct source spans and content spans of our attributions.
* exact: a prediction matches a gold unit with the same fragments, character for
  character (after trimming white space at the ends).
* overlap: a prediction matches a gold unit when they share at least one character;
  matching is one-to-one (pairs taken greedily, largest shared length first), so one
  long prediction cannot match several gold spans.
* precision = matched predictions / predictions, recall = matched gold / gold, micro
  over all texts.
* annotators: two texts were annotated by six annotators each, the others by one; each
  text is scored against the alphabetically first annotator's file, so every text
  counts once.

Usage: ``python bench/bench_quotes.py [--limit N] [--kinds speech,topic,thought,evidence]``
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "polnear-dev"

PEER = "citron (BBC) on PARC 3.0: source F1 82.0, content overlap F1 83.3 (other corpus)"

Unit = tuple[tuple[int, int], ...]


@dataclass
class Gold:
    name: str
    text: str
    sources: set[Unit]
    contents: set[Unit]


def _unit(text: str, frags: list[tuple[int, int]]) -> Unit:
    out = []
    for s, e in frags:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return tuple(sorted(out))


def load(data: Path, limit: int | None = None) -> list[Gold]:
    """Gold units of each text, from its alphabetically first annotator."""
    by_text: dict[str, Path] = {}
    for ann in sorted((data / "attributions").glob("*.ann")):
        name = ann.stem.rsplit("_", 1)[0]
        by_text.setdefault(name, ann)
    out = []
    for name, ann in sorted(by_text.items())[:limit]:
        text = (data / "text" / f"{name}.txt").read_text("utf-8")
        spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
        rels: list[dict[str, str]] = []
        for line in ann.read_text("utf-8").splitlines():
            cols = line.split("\t")
            if cols[0].startswith("T") and len(cols) >= 2:
                label, rng = cols[1].split(" ", 1)
                frags = [tuple(map(int, f.split())) for f in rng.split(";")]
                spans[cols[0]] = (label, [(a, b) for a, b in frags])
            elif cols[0].startswith("E") and len(cols) >= 2:
                rels.append(dict(x.split(":", 1) for x in cols[1].split()))
        sources: set[Unit] = set()
        contents: set[Unit] = set()
        for r in rels:
            for role, tid in r.items():
                if tid not in spans:
                    continue
                u = _unit(text, spans[tid][1])
                if not u:
                    continue
                if role == "Source":
                    sources.add(u)
                elif role.startswith("Content"):
                    contents.add(u)
        out.append(Gold(name, text, sources, contents))
    return out


def _shared(a: Unit, b: Unit) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def match(pred: set[Unit], gold: set[Unit]) -> tuple[int, int]:
    """(exact matches, one-to-one overlap matches)."""
    exact = len(pred & gold)
    pairs = sorted(((_shared(p, g), i, j) for i, p in enumerate(pred)
                    for j, g in enumerate(gold)), reverse=True)
    used_p: set[int] = set()
    used_g: set[int] = set()
    for n, i, j in pairs:
        if n <= 0:
            break
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
    return exact, len(used_p)


def prf(tp: int, npred: int, ngold: int) -> tuple[float, float, float]:
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def run(golds: list[Gold], kinds: list[str]) -> dict[str, tuple[float, float, float]]:
    from newsdesk.extract.quotes import find_attributions

    counts = {k: [0, 0, 0] for k in ("source exact", "source overlap", "content exact",
                                     "content overlap")}
    for g in golds:
        atts = find_attributions(g.text, kinds=kinds)
        ps = {_unit(g.text, [a.source]) for a in atts if a.source}
        pc = {_unit(g.text, a.content) for a in atts if a.content}
        ps.discard(())
        pc.discard(())
        for what, pred, gold in (("source", ps, g.sources), ("content", pc, g.contents)):
            ex, ov = match(pred, gold)
            for kind, tp in (("exact", ex), ("overlap", ov)):
                c = counts[f"{what} {kind}"]
                c[0] += tp
                c[1] += len(pred)
                c[2] += len(gold)
    return {k: prf(*v) for k, v in counts.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="score only the first N texts")
    ap.add_argument("--kinds", default="speech,topic,thought,evidence",
                    help="cue classes to use (comma-separated)")
    ap.add_argument("--also-speech-only", action="store_true",
                    help="also score find_quotes' default (speech cues only)")
    args = ap.parse_args(argv)
    if not (DATA / "attributions").is_dir():
        print(f"skipped: PolNeAR dev data not found at {DATA}")
        return 0
    golds = load(DATA, args.limit)
    ns = sum(len(g.sources) for g in golds)
    nc = sum(len(g.contents) for g in golds)
    print(f"PolNeAR dev: {len(golds)} texts, {ns} gold source spans, {nc} gold content spans")
    configs = [args.kinds.split(",")]
    if args.also_speech_only:
        configs.append(["speech"])
    for kinds in configs:
        t0 = time.perf_counter()
        scores = run(golds, kinds)
        dt = time.perf_counter() - t0
        print(f"\nnewsdesk quotes, cues: {','.join(kinds)}  ({dt:.1f} s, "
              f"{len(golds) / dt:.1f} texts/s incl. spaCy parsing)")
        print(f"{'metric':<18} {'P':>6} {'R':>6} {'F1':>6}")
        for k, (p, r, f) in scores.items():
            print(f"{k:<18} {p:6.3f} {r:6.3f} {f:6.3f}")
    print(f"\npeer: {PEER}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

