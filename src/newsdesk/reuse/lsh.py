"""Candidate pairs from LSH band keys (batch, sort-based) and their exact verification.

Banding over a whole batch needs no hash table: per band, sort the band keys and every
run of equal keys is a bucket. Pairs from all bands are packed into one int64 each and
de-duplicated with ``np.unique``. Candidates are then verified on the shingle
fingerprints, so MinHash only has to be *sensitive*; precision comes from the exact
overlap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from newsdesk.reuse.minhash import Sketches, overlap


def band_pairs(bands: npt.NDArray[np.uint32], valid: npt.NDArray[np.bool_] | None = None,
               max_bucket: int | None = None) -> npt.NDArray[np.int64]:
    """Distinct pairs ``i < j`` (packed as ``i << 32 | j``) that share a key in some band.

    Rows are in the caller's canonical order; a bucket larger than ``max_bucket`` links
    each member only to its first ``max_bucket`` members (bounds the work on degenerate
    buckets while keeping them connected).
    """
    n, nb = bands.shape
    idx = np.arange(n, dtype=np.int64) if valid is None else np.flatnonzero(valid)
    found: list[npt.NDArray[np.int64]] = []
    pending: list[npt.NDArray[np.int64]] = []
    pending_size = 0
    for b in range(nb):
        keys = bands[idx, b]
        order = np.argsort(keys, kind="stable")
        sk = keys[order]
        members = idx[order]
        if len(sk) < 2:
            continue
        same = sk[1:] == sk[:-1]
        if not same.any():
            continue
        pending.append(_bucket_pairs(members, same, max_bucket))
        pending_size += len(pending[-1])
        if pending_size > 4_000_000:
            found.append(np.unique(np.concatenate(pending)))
            pending, pending_size = [], 0
    if pending:
        found.append(np.unique(np.concatenate(pending)))
    if not found:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(found)) if len(found) > 1 else found[0]


def _bucket_pairs(members: npt.NDArray[np.int64], same: npt.NDArray[np.bool_],
                  max_bucket: int | None) -> npt.NDArray[np.int64]:
    """All pairs inside each run of equal keys (``same[i]``: item i+1 continues i's run)."""
    starts = np.flatnonzero(np.concatenate([[True], ~same]))
    lengths = np.diff(np.concatenate([starts, [len(members)]]))
    multi = lengths >= 2
    starts, lengths = starts[multi], lengths[multi]
    out: list[npt.NDArray[np.int64]] = []
    for length in np.unique(lengths):
        st = starts[lengths == length]
        grid = st[:, None] + np.arange(length)[None, :]
        m = members[grid]  # (runs, length)
        ii: npt.NDArray[np.int64]
        jj: npt.NDArray[np.int64]
        if max_bucket is not None and length > max_bucket:
            gi, gj = np.meshgrid(np.arange(max_bucket), np.arange(length), indexing="ij")
            keep = gi < gj
            ii, jj = gi[keep], gj[keep]
        else:
            ii, jj = np.triu_indices(int(length), k=1)
        a, b = m[:, ii].ravel(), m[:, jj].ravel()
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        out.append((lo << 32) | hi)
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def unpack(pairs: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Split packed pairs into (i, j)."""
    return pairs >> 32, pairs & 0xFFFFFFFF


@dataclass(slots=True)
class Overlaps:
    """Verified overlap of candidate pairs (parallel arrays)."""

    i: npt.NDArray[np.int64]
    j: npt.NDArray[np.int64]
    shared: npt.NDArray[np.int64]  # distinct shingles in common
    jaccard: npt.NDArray[np.float64]
    contain_i: npt.NDArray[np.float64]  # share of i's shingles found in j
    contain_j: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.i)

    def select(self, mask: npt.NDArray[np.bool_]) -> Overlaps:
        """Rows where ``mask`` holds."""
        return Overlaps(self.i[mask], self.j[mask], self.shared[mask], self.jaccard[mask],
                        self.contain_i[mask], self.contain_j[mask])


def verify(sk: Sketches, i: npt.NDArray[np.int64], j: npt.NDArray[np.int64],
           sk_j: Sketches | None = None) -> Overlaps:
    """Exact overlap of the fingerprint sets of each pair (``j`` indexes ``sk_j`` if given)."""
    other = sk if sk_j is None else sk_j
    shared = np.zeros(len(i), dtype=np.int64)
    size_i = np.diff(sk.fp_off)[i] if len(i) else np.zeros(0, np.int64)
    size_j = np.diff(other.fp_off)[j] if len(j) else np.zeros(0, np.int64)
    fps_a, off_a, fps_b, off_b = sk.fps, sk.fp_off, other.fps, other.fp_off
    for n, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        shared[n] = overlap(fps_a[off_a[a] : off_a[a + 1]], fps_b[off_b[b] : off_b[b + 1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        union = size_i + size_j - shared
        jac = np.where(union > 0, shared / np.maximum(union, 1), 0.0)
        ci = np.where(size_i > 0, shared / np.maximum(size_i, 1), 0.0)
        cj = np.where(size_j > 0, shared / np.maximum(size_j, 1), 0.0)
    return Overlaps(i, j, shared, jac, ci, cj)


def is_copy(ov: Overlaps, containment: float, min_jaccard: float) -> npt.NDArray[np.bool_]:
    """The copy rule: the smaller is mostly contained in the larger (furniture added or
    paragraphs dropped), and the two are not wildly different in size (a short brief
    inside a long round-up shares a passage; it is not a copy of the round-up)."""
    return (np.maximum(ov.contain_i, ov.contain_j) >= containment) & (ov.jaccard >= min_jaccard)


def anchor_pairs(sk: Sketches, min_shared: int = 2,
                 max_df: int | None = None) -> npt.NDArray[np.int64]:
    """Pairs ``i < j`` (packed) sharing at least ``min_shared`` anchors; anchors found in
    more than ``max_df`` texts are skipped when a cap is given."""
    counts = np.diff(sk.anchor_off)
    owner = np.repeat(np.arange(len(sk), dtype=np.int64), counts)
    if len(owner) < 2:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(sk.anchors, kind="stable")
    h = sk.anchors[order]
    members = owner[order]
    same = h[1:] == h[:-1]
    if max_df is not None:
        starts = np.flatnonzero(np.concatenate([[True], ~same]))
        lengths = np.diff(np.concatenate([starts, [len(h)]]))
        run_len = np.repeat(lengths, lengths)
        keep = run_len <= max_df
        h, members = h[keep], members[keep]
        same = h[1:] == h[:-1]
        if len(members) < 2:
            return np.zeros(0, dtype=np.int64)
    if not same.any():
        return np.zeros(0, dtype=np.int64)
    pairs = _bucket_pairs(members, same, None)
    pairs = pairs[(pairs >> 32) != (pairs & 0xFFFFFFFF)]
    uniq, n = np.unique(pairs, return_counts=True)
    return uniq[n >= min_shared]
