"""Fuzzing every reader (issue 10): random bytes and mutations of valid fixtures never
raise, skips name their file, and records the mutation did not touch are kept.

CI-bounded (a few examples per reader); bench/fuzz_readers.py --minutes N runs long.
"""

from __future__ import annotations

import gzip
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz_inputs import KINDS, MUTATIONS, check, make

FUZZ = settings(max_examples=12, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


def test_fixtures_are_valid_and_read_whole() -> None:
    """The unmutated fixtures: every record read (so "intact" below means something)."""
    for kind in KINDS:
        fx = make(kind)
        assert check(fx.name, fx.data, fx.keys) == [], kind


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes_never_raise(kind: str, data: bytes) -> None:
    assert check(make(kind).name, data, []) == []


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(mutation=st.sampled_from(sorted(MUTATIONS)), seed=st.integers(0, 2**32 - 1))
def test_mutations_keep_intact_records(kind: str, mutation: str, seed: int) -> None:
    fx = make(kind)
    data, intact, what = MUTATIONS[mutation](fx, random.Random(seed))
    assert check(fx.name, data, intact) == [], what


@FUZZ
@given(at=st.integers(0, 4000))
def test_warc_gz_truncated_anywhere_keeps_whole_members(at: int) -> None:
    fx = make("warc.gz")
    at = at % (len(fx.data) + 1)
    whole = [k for k, (_, end) in zip(fx.keys, fx.spans, strict=True) if end <= at]
    assert check(fx.name, fx.data[:at], whole) == []


@FUZZ
@given(k=st.integers(0, 2), header=st.sampled_from(
    ["WARC-Target-URI", "WARC-Record-ID", "WARC-Type", "WARC-Date", "Content-Type"]))
def test_warc_dropped_header_keeps_other_records(k: int, header: str) -> None:
    for kind in ("warc", "warc.gz"):
        fx = make(kind)
        recs = list(fx.records)
        head, _, rest = recs[k].partition(b"\r\n\r\n")
        recs[k] = b"\r\n".join(ln for ln in head.split(b"\r\n")
                               if not ln.startswith(header.encode() + b":")) + b"\r\n\r\n" + rest
        data = (b"".join(gzip.compress(r, mtime=0) for r in recs) if kind == "warc.gz"
                else b"".join(recs))
        others = [key for i, key in enumerate(fx.keys) if i != k]
        assert check(fx.name, data, others) == [], (kind, header)
