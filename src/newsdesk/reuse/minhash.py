"""Vectorised word shingling and one-permutation MinHash sketches for whole batches.

Why hand-written: datasketch hashes every shingle in a Python loop and then applies
``num_perm`` affine permutations per shingle (an ``n x num_perm`` matrix per article).
At a million articles that is hours on two cores. Here a whole chunk of articles is
tokenised, hashed and sketched with a handful of numpy passes over one byte buffer:

* words are runs of ``[0-9a-z]`` or non-ASCII bytes in the NFKC-folded, lower-cased text
  (the same folding as :func:`newsdesk.model.normalise_body`);
* a word's 64-bit hash is a polynomial hash of its bytes computed from prefix sums
  (uint64 arithmetic wraps mod 2**64), finished with the MurmurHash3 ``fmix64`` mixer;
* a shingle is ``k`` consecutive words of one article, hashed by a weighted sum of the
  word hashes, mixed again;
* the MinHash signature is *one-permutation hashing* with rotation densification
  (Li, Owen & Zhang 2012; Shrivastava & Li 2014): each shingle hash is hashed once, its
  top bits pick one of ``num_perm`` bins, the bin keeps its minimum; empty bins borrow
  from the next filled bin. Collision probability per bin equals the Jaccard similarity,
  as with ``num_perm`` independent permutations, at 1/``num_perm`` of the cost.

Besides the signature (folded into LSH band keys) a sketch keeps the article's sorted
shingle fingerprints, so candidates are *verified* by exact set overlap (Jaccard and
containment), and a consistent 1-in-``anchor_every`` sample of shingles ("anchors", as in
winnowing) that finds pairs sharing a passage too small for MinHash to notice.
"""

from __future__ import annotations

import unicodedata
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

U64 = np.uint64
_M1 = U64(0xFF51AFD7ED558CCD)
_M2 = U64(0xC4CEB9FE1A85EC53)
_P = 0x100000001B3  # FNV prime: odd, so invertible mod 2**64
_PINV = pow(_P, -1, 1 << 64)
_H44 = (1 << 44) - 1
_EMPTY = U64(1 << 63)

# (str.translate with a dict is a Python-level lookup per character: ten times slower
# than a few str.replace calls, which only run on the non-ASCII texts that need them.)
_FOLD_PAIRS = (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'),
               ("\u00ab", '"'), ("\u00bb", '"'), ("\u2013", "-"), ("\u2014", "-"))

_WORD_BYTE = np.zeros(256, dtype=bool)
_WORD_BYTE[ord("0") : ord("9") + 1] = True
_WORD_BYTE[ord("a") : ord("z") + 1] = True
_WORD_BYTE[0x80:] = True
_BYTE_VALUE = np.arange(1, 257, dtype=np.uint64)  # byte + 1, so that no byte counts as zero


@dataclass(frozen=True, slots=True)
class SketchParams:
    """Everything that must match for two sketches to be comparable."""

    shingle_words: int = 4
    num_perm: int = 128
    bands: int = 64
    seed: int = 1
    fingerprint_bits: int = 32  # 16 halves memory; overlap then overcounts by <= |B|/65536
    anchor_every: int = 4

    @property
    def rows(self) -> int:
        """Rows (bins) per LSH band."""
        return self.num_perm // self.bands

    def validate(self) -> None:
        """Raise ValueError with a fix when the parameters cannot work together."""
        if self.shingle_words < 1:
            raise ValueError("shingle_words must be at least 1.")
        if self.num_perm < 1 or self.num_perm > 1024 or self.num_perm & (self.num_perm - 1):
            raise ValueError(f"num_perm={self.num_perm}: use a power of two from 1 to 1024 "
                             "(one-permutation hashing splits the hash range into that many bins).")
        if not 1 <= self.bands <= self.num_perm:
            raise ValueError(f"bands={self.bands} must lie between 1 and num_perm={self.num_perm}.")
        if self.fingerprint_bits not in (16, 32):
            raise ValueError("fingerprint_bits must be 16 or 32.")
        if self.anchor_every < 1 or self.anchor_every & (self.anchor_every - 1):
            raise ValueError("anchor_every must be a power of two (1, 2, 4, 8 ...).")

    def key(self) -> str:
        """A string naming these parameters (stored with an index to detect mismatches)."""
        return (f"k{self.shingle_words}-p{self.num_perm}-b{self.bands}-s{self.seed}"
                f"-f{self.fingerprint_bits}-a{self.anchor_every}")


@dataclass(slots=True)
class Sketches:
    """Sketches of a batch of texts, in the order given (CSR layout for variable parts)."""

    n_shingles: npt.NDArray[np.int64]  # distinct shingles per text
    bands: npt.NDArray[np.uint32]  # (n, bands) LSH band keys; rows of empty texts are 0
    fp_off: npt.NDArray[np.int64]  # (n+1,) offsets into fps
    fps: npt.NDArray[np.unsignedinteger]  # sorted distinct fingerprints per text
    anchor_off: npt.NDArray[np.int64]
    anchors: npt.NDArray[np.int64]  # sampled 44-bit shingle hashes per text

    def __len__(self) -> int:
        return len(self.n_shingles)

    def fingerprints(self, i: int) -> npt.NDArray[np.unsignedinteger]:
        """Sorted fingerprints of text ``i``."""
        return self.fps[self.fp_off[i] : self.fp_off[i + 1]]

    def anchors_of(self, i: int) -> npt.NDArray[np.int64]:
        """Anchor hashes of text ``i``."""
        return self.anchors[self.anchor_off[i] : self.anchor_off[i + 1]]

    @staticmethod
    def concat(parts: list[Sketches], consume: bool = False) -> Sketches:
        """Join sketches of consecutive chunks; with ``consume`` the parts list is emptied
        as it is copied, so peak memory is the result plus one part."""
        if len(parts) == 1:
            return parts.pop() if consume else parts[0]
        sizes = {
            name: sum(len(getattr(p, name)) for p in parts)
            for name in ("n_shingles", "bands", "fps", "anchors")
        }
        first = parts[0]
        out = Sketches(
            n_shingles=np.empty(sizes["n_shingles"], dtype=np.int64),
            bands=np.empty((sizes["bands"], first.bands.shape[1]), dtype=np.uint32),
            fp_off=np.zeros(sizes["n_shingles"] + 1, dtype=np.int64),
            fps=np.empty(sizes["fps"], dtype=first.fps.dtype),
            anchor_off=np.zeros(sizes["n_shingles"] + 1, dtype=np.int64),
            anchors=np.empty(sizes["anchors"], dtype=np.int64),
        )
        row = fp = an = 0
        for i in range(len(parts)):
            p = parts.pop(0) if consume else parts[i]
            n = len(p)
            out.n_shingles[row : row + n] = p.n_shingles
            out.bands[row : row + n] = p.bands
            out.fps[fp : fp + len(p.fps)] = p.fps
            out.fp_off[row + 1 : row + n + 1] = p.fp_off[1:] + fp
            out.anchors[an : an + len(p.anchors)] = p.anchors
            out.anchor_off[row + 1 : row + n + 1] = p.anchor_off[1:] + an
            row, fp, an = row + n, fp + len(p.fps), an + len(p.anchors)
            del p
        return out


def fmix64(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """MurmurHash3's 64-bit finaliser, in place: every input bit affects every output bit."""
    h ^= h >> U64(33)
    h *= _M1
    h ^= h >> U64(33)
    h *= _M2
    h ^= h >> U64(33)
    return h


def fold_text(text: str) -> str:
    """The shingling view of a text: NFKC, quotes and dashes folded, lower case."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        for a, b in _FOLD_PAIRS:
            if a in text:
                text = text.replace(a, b)
    if "\x00" in text:
        text = text.replace("\x00", " ")
    return text.lower()


@lru_cache(maxsize=4)
def _constants(seed: int, k: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    rng = np.random.default_rng(seed)
    shingle_mult = rng.integers(1, 1 << 62, size=k, dtype=np.uint64) * U64(2) + U64(1)
    band_mult = rng.integers(1, 1 << 62, size=64, dtype=np.uint64) * U64(2) + U64(1)
    return shingle_mult, band_mult


class _Powers:
    """Cached powers of the polynomial base (and its inverse) mod 2**64, grown on demand."""

    def __init__(self) -> None:
        self.pw = np.ones(1, dtype=np.uint64)
        self.inv = np.ones(1, dtype=np.uint64)

    def get(self, n: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
        if len(self.pw) < n:
            size = max(n, 2 * len(self.pw))
            self.pw = np.cumprod(np.full(size, _P, dtype=np.uint64), dtype=np.uint64)
            self.pw = np.concatenate([np.ones(1, np.uint64), self.pw[:-1]])
            self.inv = np.cumprod(np.full(size, _PINV, dtype=np.uint64), dtype=np.uint64)
            self.inv = np.concatenate([np.ones(1, np.uint64), self.inv[:-1]])
        return self.pw[:n], self.inv[:n]


_POWERS = _Powers()


def word_hashes(texts: list[str]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """64-bit hashes of the words of each text: (hashes, offsets) in CSR layout."""
    folded = [fold_text(t) for t in texts]
    buf = ("\x00".join(folded) + "\x00").encode("utf-8")
    b = np.frombuffer(buf, dtype=np.uint8)
    isword = _WORD_BYTE[b].view(np.int8)
    edges = np.diff(isword, prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    seps = np.flatnonzero(b == 0)  # one separator after each text
    off = np.zeros(len(texts) + 1, dtype=np.int64)
    off[1:] = np.searchsorted(starts, seps)
    pw, inv = _POWERS.get(len(b) + 1)
    prefix = np.zeros(len(b) + 1, dtype=np.uint64)
    np.cumsum(_BYTE_VALUE[b] * pw[: len(b)], out=prefix[1:])
    h = prefix[ends]
    h -= prefix[starts]
    h *= inv[starts]
    h ^= (ends - starts).astype(np.uint64) << U64(56)
    return fmix64(h), off


def shingle_hashes(
    words: npt.NDArray[np.uint64], off: npt.NDArray[np.int64], k: int, seed: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """Hashes of every run of ``k`` words inside one text (a text shorter than ``k`` words
    yields one shingle of all its words); returns (hashes, text index of each)."""
    mult, _ = _constants(seed, k)
    n_words = np.diff(off)
    text_of_word = np.repeat(np.arange(len(n_words)), n_words)
    m = len(words)
    if m >= k:
        acc = words[: m - k + 1] * mult[0]
        for j in range(1, k):
            acc += words[j : m - k + 1 + j] * mult[j]
        valid = text_of_word[: m - k + 1] == text_of_word[k - 1 :]
        sh = acc[valid]
        sh_text = text_of_word[: m - k + 1][valid]
    else:
        sh = np.zeros(0, np.uint64)
        sh_text = np.zeros(0, np.int64)
    short = np.flatnonzero((n_words > 0) & (n_words < k))
    if len(short):  # texts shorter than k words: one shingle from what there is
        extra = np.zeros(len(short), dtype=np.uint64)
        for j in range(k - 1):
            take = n_words[short] > j
            extra[take] += words[off[short[take]] + j] * mult[j]
        sh = np.concatenate([sh, extra])
        sh_text = np.concatenate([sh_text, short])
    return fmix64(sh), sh_text


def sketch_texts(texts: list[str], params: SketchParams, chunk: int = 512,
                 workers: int = 1, anchors: bool = True,
                 executor: Executor | None = None) -> Sketches:
    """Sketch a list of texts, in chunks (bounded memory; ~512 texts keep the working set
    in cache), optionally over ``workers`` processes (or a pool you keep, ``executor``);
    ``anchors=False`` leaves out the passage anchors when only copies are wanted."""
    params.validate()
    batches = [texts[i : i + chunk] for i in range(0, len(texts), chunk)]
    jobs = ((b, params, anchors) for b in batches)
    if executor is not None and len(batches) > 1:
        parts = list(executor.map(_sketch_job, jobs))
    elif workers > 1 and len(batches) > 1:
        with ProcessPoolExecutor(max_workers=workers) as ex:
            parts = list(ex.map(_sketch_job, jobs))
    else:
        parts = [_sketch_chunk(b, params, anchors) for b in batches]
    if not parts:
        parts = [_sketch_chunk([], params, anchors)]
    return Sketches.concat(parts, consume=True)


def _sketch_job(args: tuple[list[str], SketchParams, bool]) -> Sketches:
    return _sketch_chunk(*args)


def _sketch_chunk(texts: list[str], p: SketchParams, with_anchors: bool = True) -> Sketches:
    n = len(texts)
    words, off = word_hashes(texts)
    sh, sh_text = shingle_hashes(words, off, p.shingle_words, p.seed)
    # One sort gives everything: distinct shingles per text, bins in order, bin minima first.
    # int64 (the text index leaves the top bit clear) sorts faster than uint64 in numpy
    keys = (sh_text.astype(np.int64) << 44) | (sh >> U64(20)).astype(np.int64)
    keys.sort()
    if len(keys):
        keep = np.empty(len(keys), dtype=bool)
        keep[0] = True
        np.not_equal(keys[1:], keys[:-1], out=keep[1:])
        keys = keys[keep]
    text = keys >> 44
    h44 = (keys & _H44).astype(np.uint64)
    n_sh = np.bincount(text, minlength=n).astype(np.int64)
    off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(n_sh, out=off[1:])

    # fingerprints: the top bits of h44 keep the sort order, so each text's run is sorted
    if p.fingerprint_bits == 32:
        fp: npt.NDArray[np.unsignedinteger] = (h44 >> U64(12)).astype(np.uint32)
    else:
        fp = (h44 >> U64(28)).astype(np.uint16)
    if len(fp):
        dup = np.zeros(len(fp), dtype=bool)
        dup[1:] = (fp[1:] == fp[:-1]) & (text[1:] == text[:-1])
        fp_keep = ~dup
        fps = fp[fp_keep]
        fp_off = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(text[fp_keep], minlength=n), out=fp_off[1:])
    else:
        fps, fp_off = fp, np.zeros(n + 1, dtype=np.int64)

    amask = (h44 & U64(p.anchor_every - 1)) == 0
    if not with_anchors:
        amask[:] = False
    anchors = h44[amask].astype(np.int64)
    anchor_off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(text[amask], minlength=n), out=anchor_off[1:])

    bands = _band_keys(text, h44, n, p)
    return Sketches(n_sh, bands, fp_off, fps, anchor_off, anchors)


def _band_keys(
    text: npt.NDArray[np.int64], h44: npt.NDArray[np.uint64], n: int, p: SketchParams
) -> npt.NDArray[np.uint32]:
    bins_bits = p.num_perm.bit_length() - 1
    nb = p.num_perm
    sig = np.full((n, nb), _EMPTY, dtype=np.uint64)
    if len(h44):
        cell = text * nb + (h44 >> U64(44 - bins_bits)).astype(np.int64)
        first = np.ones(len(cell), dtype=bool)
        first[1:] = cell[1:] != cell[:-1]
        sig.reshape(-1)[cell[first]] = (h44[first] >> U64(12 - bins_bits)) & U64(0xFFFFFFFF)
    sig = _densify(sig)
    _, band_mult = _constants(p.seed, p.shingle_words)
    r = p.rows
    out = np.zeros((n, p.bands), dtype=np.uint32)
    for b in range(p.bands):
        salt = U64(((b + 1) * int(band_mult[63])) & 0xFFFFFFFFFFFFFFFF)
        acc = sig[:, b * r] * band_mult[0] + salt
        for j in range(1, r):
            acc += sig[:, b * r + j] * band_mult[j % 63]
        out[:, b] = (fmix64(acc) >> U64(32)).astype(np.uint32)
    out[np.all(sig == _EMPTY, axis=1)] = 0
    return out


def _densify(sig: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Fill empty bins from the next filled bin to the right (circularly), marked by the
    distance so that borrowed and own values differ (rotation densification)."""
    n, nb = sig.shape
    filled = sig != _EMPTY
    if filled.all() or n == 0:
        return sig
    cols = np.arange(nb)
    big = 2 * nb
    pos = np.where(filled, cols, big)
    pos2 = np.concatenate([pos, np.where(filled, cols + nb, big)], axis=1)
    nxt = np.minimum.accumulate(pos2[:, ::-1], axis=1)[:, ::-1][:, :nb]
    has = nxt < big
    src = np.take_along_axis(sig, np.where(has, nxt % nb, 0), axis=1)
    dist = (nxt - cols).astype(np.uint64)
    borrowed = fmix64(src + dist * U64(0x9E3779B97F4A7C15)) >> U64(32)
    out = np.where(dist == 0, src, borrowed)
    out[~has] = _EMPTY
    return out


def overlap(a: npt.NDArray[np.unsignedinteger], b: npt.NDArray[np.unsignedinteger]) -> int:
    """Size of the intersection of two sorted distinct fingerprint arrays."""
    if len(a) == 0 or len(b) == 0:
        return 0
    if len(a) > len(b):
        a, b = b, a
    idx = np.searchsorted(b, a)
    idx[idx == len(b)] = 0
    return int(np.count_nonzero(b[idx] == a))
