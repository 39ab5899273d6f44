"""Mine attribution cues from PolNeAR's train split (issue 15): fit here, check on dev.

Reads ``../shared/bench/polnear-train/`` (brat standoff, as ``bench_quotes.py`` reads the dev
half; each text against its alphabetically first annotator), parses every text once with
newsdesk's own paragraph parsing and keeps the parses in ``bench/out/polnear-train.spacy``
(gitignored; delete it to re-parse). Then, from the cached parses:

* for each gold cue, its head word (the cue span's syntactic root; "according to" is
  ``accord``), counted by lemma and part of speech;
* the *cue rate* of each lemma: gold cue occurrences / all occurrences of that lemma with
  that part of speech in the train texts (how often the word, when it appears, is a cue);
* which gold attributions ``find_attributions`` misses (no predicted source overlapping
  the gold source), by cue lemma and by the kind of source (pronoun, name, noun phrase).

It prints the candidate cues: verbs and nouns not yet in ``quote_cues.tsv`` /
``quote_nouns.tsv`` with at least ``--min-count`` gold occurrences and a cue rate of at
least ``--min-rate``. Those lists were read by a person and written into the lexicons by
hand (no text of the corpus is copied; only lemmas and counts are printed).

Usage: ``python bench/fit_attribution.py [--min-count 4] [--min-rate 0.35] [--limit N]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_quotes import Gold, _unit, load, match, prf  # noqa: E402

DATA = HERE.parents[0].parent / "shared" / "bench" / "polnear-train"
OUT = HERE / "out"
CACHE = OUT / "polnear-train.spacy"
INDEX = OUT / "polnear-train.json"


def _parse_all(golds: list[Gold]) -> dict[str, list[tuple[int, object]]]:
    """Paragraph parses of every text, from the cache when it matches."""
    from spacy.tokens import DocBin

    from newsdesk.model import Article
    from newsdesk.nlp import load_nlp, parse_article

    nlp = load_nlp()
    names = [g.name for g in golds]
    if CACHE.is_file() and INDEX.is_file():
        index = json.loads(INDEX.read_text("utf-8"))
        if [n for n, _ in index] == names:
            docs = list(DocBin().from_disk(CACHE).get_docs(nlp.vocab))
            out: dict[str, list[tuple[int, object]]] = {}
            k = 0
            for name, starts in index:
                out[name] = [(s, docs[k + i]) for i, s in enumerate(starts)]
                k += len(starts)
            return out
    t0 = time.perf_counter()
    db = DocBin(store_user_data=False)
    index_rows = []
    out = {}
    for n, g in enumerate(golds):
        paras = parse_article(Article(key=g.name, text=g.text))
        out[g.name] = [(p.start, p.doc) for p in paras]
        index_rows.append((g.name, [p.start for p in paras]))
        for p in paras:
            db.add(p.doc)
        if n % 100 == 0:
            print(f"  parsed {n}/{len(golds)} ({time.perf_counter() - t0:.0f} s)", flush=True)
    OUT.mkdir(exist_ok=True)
    db.to_disk(CACHE)
    INDEX.write_text(json.dumps(index_rows), "utf-8")
    return out


def train_set(limit: int | None = None) -> tuple[list[Gold], dict[str, Path]]:
    """The train texts and, for each, the one annotator file scored (the first by name)."""
    golds = load(DATA, limit)
    name_to_ann: dict[str, Path] = {}
    for ann in sorted((DATA / "attributions").glob("*.ann")):
        name_to_ann.setdefault(ann.stem.rsplit("_", 1)[0], ann)
    return golds, {g.name: name_to_ann[g.name] for g in golds}


def _gold_relations(data: Path, name_to_ann: dict[str, Path]) -> dict[str, list[dict]]:
    """Per text: each attribution as {source, cue, content} fragment lists."""
    out: dict[str, list[dict]] = {}
    for name, ann in name_to_ann.items():
        spans: dict[str, list[tuple[int, int]]] = {}
        rels = []
        for line in ann.read_text("utf-8").splitlines():
            cols = line.split("\t")
            if cols[0].startswith("T") and len(cols) >= 2:
                _label, rng = cols[1].split(" ", 1)
                spans[cols[0]] = [tuple(map(int, f.split())) for f in rng.split(";")]  # type: ignore[misc]
            elif cols[0].startswith("E") and len(cols) >= 2:
                rels.append(dict(x.split(":", 1) for x in cols[1].split()))
        atts = []
        for r in rels:
            att = {role.rstrip("0123456789"): spans.get(tid, []) for role, tid in r.items()}
            atts.append(att)
        out[name] = atts
    return out


def _tokens_in(paras: list[tuple[int, object]], frags: list[tuple[int, int]]) -> list:
    toks = []
    for start, doc in paras:
        for t in doc:  # type: ignore[attr-defined]
            s = start + t.idx
            if any(a <= s < b for a, b in frags):
                toks.append(t)
    return toks


def _head(toks: list) -> object | None:
    ids = {t.i for t in toks}
    roots = [t for t in toks if t.head.i not in ids or t.head.i == t.i]
    if not roots:
        return None
    verbs = [t for t in roots if t.pos_ in ("VERB", "AUX", "NOUN")]
    return (verbs or roots)[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-count", type=int, default=4)
    ap.add_argument("--min-rate", type=float, default=0.35)
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args(argv)
    if not (DATA / "attributions").is_dir():
        print(f"skipped: PolNeAR train data not found at {DATA}")
        return 0
    from newsdesk.extract.quotes import _attributions_in_paras, _cue_nouns, load_cues
    from newsdesk.nlp import ParsedParagraph

    golds, name_to_ann = train_set(args.limit)
    print(f"PolNeAR train: {len(golds)} texts")
    parsed = _parse_all(golds)
    rels = _gold_relations(DATA, name_to_ann)

    cue_count: Counter[tuple[str, str]] = Counter()
    all_count: Counter[tuple[str, str]] = Counter()
    missed_cue: Counter[tuple[str, str]] = Counter()
    missed_src: Counter[str] = Counter()
    n_gold = n_missed = 0
    tp_ov = n_pred = n_gold_units = 0
    c_counts = [0, 0, 0, 0]  # content exact tp, overlap tp, predicted, gold
    for g in golds:
        paras = parsed[g.name]
        for _s, doc in paras:
            for t in doc:  # type: ignore[attr-defined]
                all_count[(t.lemma_.lower(), t.pos_)] += 1
        pp = [ParsedParagraph(s, d) for s, d in paras]  # type: ignore[arg-type]
        atts = _attributions_in_paras(g.text, pp, [], frozenset(
            {"speech", "topic", "thought", "evidence"}), keep_orphans=False)
        pred_src = [a.source for a in atts if a.source]
        ps = {_unit(g.text, [a.source]) for a in atts if a.source}
        ps.discard(())
        _ex, ov = match(ps, g.sources)
        tp_ov += ov
        pc = {_unit(g.text, a.content) for a in atts if a.content}
        pc.discard(())
        cex, cov = match(pc, g.contents)
        c_counts[0] += cex
        c_counts[1] += cov
        c_counts[2] += len(pc)
        c_counts[3] += len(g.contents)
        n_pred += len(ps)
        n_gold_units += len(g.sources)
        for r in rels[g.name]:
            cue = _head(_tokens_in(paras, r.get("Cue", [])))
            key = (cue.lemma_.lower(), cue.pos_) if cue is not None else ("?", "?")  # type: ignore[attr-defined]
            cue_count[key] += 1
            src = r.get("Source", [])
            if not src:
                continue
            n_gold += 1
            if any(ps[0] < b and a < ps[1] for ps in pred_src for a, b in src):
                continue
            n_missed += 1
            missed_cue[key] += 1
            stoks = _tokens_in(paras, src)
            root = _head(stoks)
            kind = "none" if root is None else (
                "pronoun" if root.pos_ == "PRON" else  # type: ignore[attr-defined]
                "name" if root.pos_ == "PROPN" else "noun phrase")  # type: ignore[attr-defined]
            missed_src[kind] += 1

    p, r, f = prf(tp_ov, n_pred, n_gold_units)
    print(f"train source overlap (as bench_quotes scores dev): P {p:.3f} R {r:.3f} F1 {f:.3f}")
    for label, tp in (("exact", c_counts[0]), ("overlap", c_counts[1])):
        p, r, f = prf(tp, c_counts[2], c_counts[3])
        print(f"train content {label}: P {p:.3f} R {r:.3f} F1 {f:.3f}")
    cues = load_cues()
    known_verbs = {k[0] for k in cues}
    known_nouns = set(_cue_nouns())
    print(f"gold attributions with a source: {n_gold}; source missed by newsdesk: "
          f"{n_missed} ({n_missed / max(n_gold, 1):.1%})")
    print("missed, by kind of source:", dict(missed_src.most_common()))
    print("missed, by cue lemma (top 40):",
          ", ".join(f"{lem}/{pos} {n}" for (lem, pos), n in missed_cue.most_common(40)))
    print("\nmissed cue lemmas not in the lexicon (missed count, cue rate):")
    print(", ".join(f"{lem}/{pos} {n} {cue_count[(lem, pos)] / max(all_count[(lem, pos)], 1):.2f}"
                    for (lem, pos), n in missed_cue.most_common(80)
                    if pos in ("VERB", "AUX") and lem not in known_verbs))
    for pos, known, label in ((("VERB", "AUX"), known_verbs, "verbs"),
                              (("NOUN",), known_nouns, "nouns")):
        rows = []
        for (lem, p), n in cue_count.items():
            if p not in pos or lem in known or n < args.min_count:
                continue
            rate = n / max(all_count[(lem, p)], 1)
            if rate >= args.min_rate:
                rows.append((n, rate, lem))
        rows.sort(reverse=True)
        print(f"\ncandidate cue {label} (not in the lexicon; gold count, cue rate):")
        print(", ".join(f"{lem} {n} {rate:.2f}" for n, rate, lem in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
