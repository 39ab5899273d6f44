"""Combine trafilatura's precision-mode body with its balanced-mode body, line by line.

``favor_precision`` drops sidebars and related-link lists, but it also drops short body
blocks (list items, product names, subheadings) and now and then a whole body paragraph
sitting in a differently styled element. The balanced mode keeps those, with more
furniture. The agreement of the two is the signal used here: a line the balanced mode
adds *between* two lines both modes kept is inside the article, so it comes back; lines
the balanced mode adds before the first or after the last shared line (related links,
newsletter boxes, comment prompts) stay out.

Written by hand: trafilatura returns one text per mode and has no way to merge them.
Chosen with bench/bench_extraction.py --lso (leave-site-out on extraction-dev; see
BENCHMARKS.md).
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["merge_interior_lines"]

_LETTER = re.compile(r"[^\W\d_]")


def _is_shouted(line: str) -> bool:
    """All-capitals line with letters in it: inside a body these are "related story"
    headlines and app promotions far more often than body text."""
    letters = _LETTER.findall(line)
    return len(letters) >= 4 and line.upper() == line and line.lower() != line


def merge_interior_lines(precise: str, balanced: str, *, max_ratio: float = 1.5,
                         drop_shouted: bool = True) -> str:
    """``precise`` with the lines ``balanced`` has between two lines both share.

    Nothing changes when the balanced text is more than ``max_ratio`` times as long as the
    precise one (then the balanced mode took in a listing or a second copy of the page,
    and its interior is not the article's), when the two share no line, or when either is
    empty. A recovered line is never a repeat of a line already in the output; with
    ``drop_shouted`` all-capitals lines are not recovered. Lines keep the balanced order.
    """
    p_lines = [ln.strip() for ln in precise.split("\n") if ln.strip()]
    b_lines = [ln.strip() for ln in balanced.split("\n") if ln.strip()]
    if not p_lines or not b_lines or len(balanced) > max_ratio * len(precise):
        return precise
    shared = set(p_lines)
    pos = [i for i, ln in enumerate(b_lines) if ln in shared]
    if len(pos) < 2:
        return precise
    first, last = pos[0], pos[-1]
    left = Counter(p_lines)  # each precise line is used as often as precise has it
    out: list[str] = []
    seen: set[str] = set(p_lines)
    for i, ln in enumerate(b_lines):
        if left[ln] > 0:
            out.append(ln)
            left[ln] -= 1
        elif (first < i < last and ln not in seen
              and not (drop_shouted and _is_shouted(ln))):
            out.append(ln)
            seen.add(ln)
    if sum(left.values()):
        # A precise line the balanced text lacks: the two disagree on more than the
        # interior, keep the precise text as it is.
        return precise
    return "\n".join(out)
