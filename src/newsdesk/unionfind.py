"""One union-find for every stage that groups things (copies, accounts, claims, entities).

Why by hand: scipy's ``DisjointSet`` picks roots by size, so which member names a group
depends on the order of merges; newsdesk's results must not. Here the root of a group is
always its smallest member, which makes group names and orders reproducible.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T", bound=Hashable)


class UnionFind(Generic[T]):
    """Disjoint sets whose root is the smallest member (path halving)."""

    def __init__(self, items: Iterable[T] = ()) -> None:
        self.parent: dict[T, T] = {x: x for x in items}

    def find(self, x: T) -> T:
        """The root of ``x``'s group (``x`` joins as a group of its own if new)."""
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: T, b: T) -> T:
        """Join the groups of ``a`` and ``b``; returns the root of the joined group."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        lo, hi = (ra, rb) if ra < rb else (rb, ra)  # type: ignore[operator]
        self.parent[hi] = lo
        return lo

    def groups(self, order: Iterable[T]) -> list[list[T]]:
        """The groups of ``order``'s items, each in ``order``, by first appearance."""
        by: dict[T, list[T]] = defaultdict(list)
        for x in order:
            by[self.find(x)].append(x)
        return list(by.values())
