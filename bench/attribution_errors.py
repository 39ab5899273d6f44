"""Which gold attributions of PolNeAR's *train* split newsdesk misses, by class (issue 15).

Reads only ``../shared/bench/polnear-train/`` (never dev's or the held-back test split),
with the parses ``fit_attribution.py`` caches in ``bench/out/``. For each gold attribution
whose source no predicted source overlaps, it sorts the miss into one class:

* ``cue found, wrong source``: a predicted attribution has the same cue, its source is
  elsewhere (or empty); sub-classed by how the gold source relates to the cue;
* ``no cue``: nothing predicted on the gold cue; sub-classed by the cue's head word and
  how the gold source relates to it in the parse (``nsubj``, ``pobj<according``, a
  different sentence, after the cue, ...).

Only class names, lemmas and counts are printed (``--show N`` prints N short examples of
one class for a person to read; nothing is copied into the repository).

Usage: ``python bench/attribution_errors.py [--top 40] [--show CLASS --n 10]``
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fit_attribution import (  # noqa: E402
    DATA,
    _gold_relations,
    _head,
    _parse_all,
    _tokens_in,
    train_set,
)


def _relation(src_root: object, cue: object) -> str:
    """How a gold source's head token relates to the gold cue's head in the parse."""
    if src_root is None or cue is None:
        return "none"
    s, c = src_root, cue
    if s.doc is not c.doc or s.sent.start != c.sent.start:  # type: ignore[attr-defined]
        return "other sentence"
    side = "before" if s.i < c.i else "after"  # type: ignore[attr-defined]
    if s.head.i == c.i and s.i != c.i:  # type: ignore[attr-defined]
        return f"{s.dep_} ({side})"  # type: ignore[attr-defined]
    h = s.head  # type: ignore[attr-defined]
    if h.head.i == c.i:
        return f"{s.dep_}<{h.dep_} ({side})"  # type: ignore[attr-defined]
    # the cue's own head has the source (a conjoined or embedded cue)
    if c.head.i == s.head.i:  # type: ignore[attr-defined]
        return f"sibling {s.dep_} of {c.dep_} ({side})"  # type: ignore[attr-defined]
    return f"far {s.dep_} ({side})"  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--show", default=None, help="print examples of this class")
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args(argv)
    if not (DATA / "attributions").is_dir():
        print(f"skipped: PolNeAR train data not found at {DATA}")
        return 0
    from newsdesk.extract.quotes import KINDS_ALL, _attributions_in_paras
    from newsdesk.nlp import ParsedParagraph

    golds, name_to_ann = train_set(args.limit)
    parsed = _parse_all(golds)
    rels = _gold_relations(DATA, name_to_ann)
    classes: Counter[str] = Counter()
    fine: Counter[str] = Counter()
    src_kind: Counter[str] = Counter()
    fp_kind: Counter[str] = Counter()
    shown = 0
    n_gold = 0
    for g in golds:
        paras = parsed[g.name]
        pp = [ParsedParagraph(s, d) for s, d in paras]  # type: ignore[arg-type]
        atts = _attributions_in_paras(g.text, pp, [], KINDS_ALL, keep_orphans=False)
        gold_src = [s for r in rels[g.name] for s in r.get("Source", [])]
        for a in atts:
            if a.source and not any(a.source[0] < e and s < a.source[1] for s, e in gold_src):
                root = a.cue_token
                fp_kind[f"{a.kind}/{root.lemma_.lower() if root is not None else '?'}"] += 1
        for r in rels[g.name]:
            src = r.get("Source", [])
            if not src:
                continue
            n_gold += 1
            if any(a.source and a.source[0] < e and s < a.source[1]
                   for a in atts for s, e in src):
                continue
            cue_frags = r.get("Cue", [])
            cue = _head(_tokens_in(paras, cue_frags))
            stoks = _tokens_in(paras, src)
            sroot = _head(stoks)
            lemma = cue.lemma_.lower() if cue is not None else "?"  # type: ignore[attr-defined]
            same_cue = [a for a in atts if a.cue and any(
                a.cue[0] < e and s < a.cue[1] for s, e in cue_frags)]
            rel = _relation(sroot, cue)
            if sroot is None:
                sk = "none"
            else:
                sk = ("pronoun" if sroot.pos_ == "PRON" else  # type: ignore[attr-defined]
                      "name" if sroot.pos_ == "PROPN" else "noun")  # type: ignore[attr-defined]
            src_kind[sk] += 1
            if same_cue:
                cls = "cue found, wrong source"
                key = f"{cls}: {rel}"
            else:
                cls = "no cue"
                key = f"{cls}: {lemma}/{cue.pos_ if cue is not None else '?'} {rel}"  # type: ignore[attr-defined]
            classes[cls] += 1
            fine[key] += 1
            if args.show and args.show in key and shown < args.n:
                shown += 1
                lo = min(x for f in (src, cue_frags) for x, _ in f)
                hi = max(y for f in (src, cue_frags) for _, y in f)
                print(f"[{key}] src={g.text[src[0][0]:src[0][1]]!r} "
                      f"cue={' '.join(g.text[a:b] for a, b in cue_frags)!r} "
                      f"... {g.text[max(0, lo - 60):hi + 60]!r}")
    n_miss = sum(classes.values())
    print(f"train: {len(golds)} texts, {n_gold} gold attributions with a source, "
          f"{n_miss} missed ({n_miss / max(n_gold, 1):.1%})")
    print("by class:", dict(classes.most_common()))
    print("missed by kind of gold source:", dict(src_kind.most_common()))
    print(f"\ntop {args.top} fine classes:")
    for k, n in fine.most_common(args.top):
        print(f"  {n:5d}  {k}")
    print(f"\npredicted sources overlapping no gold source, by kind/cue (top {args.top}):")
    print(", ".join(f"{k} {n}" for k, n in fp_kind.most_common(args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
