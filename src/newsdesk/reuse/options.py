"""Options of the reuse stage (one dataclass, as for every stage)."""

from __future__ import annotations

from dataclasses import dataclass

from newsdesk.reuse.minhash import SketchParams


@dataclass(slots=True)
class ReuseOptions:
    """How copies, shared passages and independent accounts are decided.

    Defaults were set on the generated benchmark corpus (``bench/bench_reuse.py``) and on
    hand-checked real reports; see BENCHMARKS.md.
    """

    # sketches and LSH: 4-word shingles, 128 one-permutation bins, 64 bands of 2 rows.
    # Two rows per band make a pair sharing 30% of its shingles a candidate with
    # probability 0.998 (and 20% with 0.93): trimmed copies with furniture have low
    # Jaccard, so the LSH must be sensitive; verification supplies the precision.
    shingle_words: int = 4
    num_perm: int = 128
    bands: int = 64
    seed: int = 1
    fingerprint_bits: int = 32
    anchor_every: int = 4  # 1 shingle in 4 is an anchor for passage candidates

    # copy rule, on exact shingle overlap: the smaller is >= copy_containment inside the
    # larger, and the Jaccard similarity is >= copy_min_jaccard (size ratio below ~5:1)
    copy_containment: float = 0.5
    copy_min_jaccard: float = 0.2

    # shared passages
    passages: bool = True
    min_anchors: int = 2  # shared anchors that make a pair worth aligning
    # ignore anchors found in more articles (a speed cap for very large stores; with a cap,
    # what the incremental index finds can depend on what the store held when an article
    # arrived, so the default leaves it off and results are exactly order-independent)
    max_anchor_df: int | None = None
    passage_min_words: int = 8
    passage_min_similarity: float = 0.5

    # common written source (press release, wire story): several shared *unquoted*
    # passages; quoting the same speaker does not count. On hand-checked reports, rewrites
    # of one release share 21-27% of their words this way, in 4-7 passages; independent
    # reports of the same event share at most 15% (figures, names of agreements).
    source_share: float = 0.18  # unquoted shared words / words, on either side
    source_min_passages: int = 3
    credit_share: float = 0.05  # same agency credited for the same text: one account
    # Whether outlets rewriting one common source count as one account. Off by default,
    # as in the project's ground truth (examples: "paraphrasing a release does not make an
    # outlet a copy"); the shared passages still say which facts have one origin.
    merge_common_source: bool = False

    max_bucket: int | None = None  # cap on LSH bucket fan-out, batch only (None: exact)
    workers: int = 1  # processes for sketching large batches

    def sketch_params(self) -> SketchParams:
        """The sketch parameters these options imply."""
        return SketchParams(self.shingle_words, self.num_perm, self.bands, self.seed,
                            self.fingerprint_bits, self.anchor_every)

    def validate(self) -> None:
        """Raise ValueError naming a bad option and the accepted range."""
        self.sketch_params().validate()
        for name in ("copy_containment", "copy_min_jaccard", "passage_min_similarity",
                     "source_share", "credit_share"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name}={v}: use a share between 0 and 1.")
        if self.min_anchors < 1:
            raise ValueError("min_anchors must be at least 1.")
        if self.workers < 1:
            raise ValueError("workers must be at least 1.")

    def index_key(self) -> str:
        """What a stored index depends on: changing any of it means re-indexing."""
        return (f"{self.sketch_params().key()}-c{self.copy_containment}-j{self.copy_min_jaccard}"
                f"-m{self.min_anchors}-d{self.max_anchor_df}-w{self.passage_min_words}"
                f"-s{self.passage_min_similarity}-p{int(self.passages)}")
