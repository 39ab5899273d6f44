"""Choose sentences that cover the most concept weight within a word budget.

The exact choice is the integer program of Gillick & Favre (2009): a binary variable per
sentence, a variable per concept that may be 1 only when a chosen sentence holds it, the
summed concept weight maximised under the length limit. It is solved with HiGHS through
:func:`scipy.optimize.milp`; a greedy cover (best new weight per word) is the fallback
when the solver is missing, fails or runs out of time.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence file descriptor 1 for the solver call: some HiGHS builds print debugging
    lines straight to C stdout, which would corrupt JSON or TSV output of the CLI."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError, AttributeError):
        yield
        return
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def greedy_select(concepts: Sequence[Sequence[int]], lengths: Sequence[int],
                  weights: Sequence[float], budget: int,
                  bonus: Sequence[float] | None = None,
                  exclusive: Sequence[Sequence[int]] = ()) -> list[int]:
    """Greedy cover: repeatedly take the sentence adding the most new weight per word
    (once a form of a sentence is taken, its other forms are out)."""
    rivals: dict[int, list[int]] = {}
    for g in exclusive:
        for j in g:
            rivals[j] = list(g)
    covered: set[int] = set()
    chosen: list[int] = []
    used = 0
    left = set(range(len(lengths)))
    while left:
        best, best_gain = -1, 0.0
        for j in left:
            if used + lengths[j] > budget:
                continue
            gain = sum(weights[i] for i in set(concepts[j]) - covered)
            gain += bonus[j] if bonus is not None else 0.0
            gain /= max(lengths[j], 1)
            if gain > best_gain:
                best, best_gain = j, gain
        if best < 0:
            break
        chosen.append(best)
        covered.update(concepts[best])
        used += lengths[best]
        left.difference_update(rivals.get(best, [best]))
        left.discard(best)
    return chosen


def ilp_select(concepts: Sequence[Sequence[int]], lengths: Sequence[int],
               weights: Sequence[float], budget: int,
               bonus: Sequence[float] | None = None,
               time_limit: float = 10.0,
               exclusive: Sequence[Sequence[int]] = ()) -> list[int] | None:
    """The optimal choice (or HiGHS's best within ``time_limit``); None when it fails.

    ``concepts[j]`` lists the concept indices of sentence ``j``; ``bonus[j]`` is added to the
    objective when sentence ``j`` is chosen; of each list in ``exclusive`` (forms of one
    sentence) at most one is chosen."""
    try:
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_matrix
    except ImportError:
        return None
    n, m = len(lengths), len(weights)
    if n == 0:
        return []
    # x = [s_0 .. s_{n-1}, c_0 .. c_{m-1}]; milp minimises, so weights are negated.
    obj = np.concatenate([
        -np.asarray(bonus if bonus is not None else np.zeros(n), dtype=float),
        -np.asarray(weights, dtype=float),
    ])
    rows, cols, vals = [], [], []
    # Row 0: the length budget.
    for j, n_words in enumerate(lengths):
        rows.append(0)
        cols.append(j)
        vals.append(float(n_words))
    # Rows 1..m: c_i - sum of the sentences holding i <= 0.
    for i in range(m):
        rows.append(1 + i)
        cols.append(n + i)
        vals.append(1.0)
    for j, cs in enumerate(concepts):
        for i in set(cs):
            rows.append(1 + i)
            cols.append(j)
            vals.append(-1.0)
    # Rows 1+m..: at most one form of each sentence.
    groups = [g for g in exclusive if len(g) > 1]
    for k, g in enumerate(groups):
        for j in g:
            rows.append(1 + m + k)
            cols.append(j)
            vals.append(1.0)
    a = coo_matrix((vals, (rows, cols)), shape=(1 + m + len(groups), n + m)).tocsr()
    upper = np.zeros(1 + m + len(groups))
    upper[0] = budget
    upper[1 + m:] = 1.0
    cons = LinearConstraint(a, -np.inf, upper)
    # Concept variables need not be declared integer: with integer sentences the best
    # value of each is min(1, number of chosen sentences holding it).
    integrality = np.concatenate([np.ones(n), np.zeros(m)])
    try:
        with _quiet_stdout():
            res = milp(obj, constraints=cons, integrality=integrality, bounds=Bounds(0, 1),
                       options={"time_limit": time_limit, "disp": False, "presolve": False})
    except (ValueError, RuntimeError):
        return None
    if res.x is None:
        return None
    return [j for j in range(n) if res.x[j] > 0.5]
