"""Citations of an event page: numbers, link targets and the marked article texts.

The same scheme as the static HTML brief (``newsdesk.brief.render``): articles are
numbered in the order the event lists them, a cite is clipped to its article's text,
overlapping cites merge into one marked region, and each cite links to the ``<mark>`` of
the region holding it (``#cite-N-START-END``). Here the result is data for a Jinja2
template (which escapes every string), not an HTML string.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsdesk.brief.render import CITED_SECTIONS

Item = Mapping[str, Any]


@dataclass(slots=True)
class MarkedArticle:
    """One article of the page with its cited regions."""

    number: int
    article: Item
    text: str
    regions: list[tuple[int, int]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    def segments(self) -> list[tuple[str, str | None]]:
        """The text as (piece, mark id or None): marked pieces are the cited regions."""
        out: list[tuple[str, str | None]] = []
        pos = 0
        for s, e in self.regions:
            out.append((self.text[pos:s], None))
            out.append((self.text[s:e], f"cite-{self.number}-{s}-{e}"))
            pos = e
        out.append((self.text[pos:], None))
        return [(t, m) for t, m in out if t]


class EventCites:
    """Citation numbers and targets for one event of the ``newsdesk.brief/1`` schema."""

    def __init__(self, event: Item) -> None:
        self.numbers: dict[str, int] = {}
        self.articles: dict[str, MarkedArticle] = {}
        for a in event.get("articles") or []:
            key = str(a.get("key"))
            if key not in self.numbers:
                self.numbers[key] = len(self.numbers) + 1
                self.articles[key] = MarkedArticle(self.numbers[key], a,
                                                   str(a.get("text") or ""))
        spans: dict[str, set[tuple[int, int]]] = {k: set() for k in self.articles}
        for section in CITED_SECTIONS:
            for item in event.get(section) or []:
                for c in item.get("cites") or []:
                    span = self._clip(c)
                    if span:
                        spans[str(c.get("article"))].add(span)
        for key, found in spans.items():
            m = self.articles[key]
            for s, e in sorted(found):
                if m.regions and s < m.regions[-1][1]:
                    m.regions[-1] = (m.regions[-1][0], max(m.regions[-1][1], e))
                else:
                    m.regions.append((s, e))
            m.starts = [s for s, _ in m.regions]

    def _clip(self, c: Item) -> tuple[int, int] | None:
        m = self.articles.get(str(c.get("article")))
        s, e = c.get("start"), c.get("end")
        if m is None or not isinstance(s, int) or not isinstance(e, int):
            return None
        s, e = max(0, s), min(len(m.text), e)
        return (s, e) if s < e else None

    def article_id(self, key: object) -> str | None:
        m = self.articles.get(str(key))
        return f"art-{m.number}" if m else None

    def label(self, key: object) -> str:
        return str(self.numbers.get(str(key), key))

    def target(self, c: Item) -> str | None:
        key = str(c.get("article"))
        span = self._clip(c)
        if span is None:
            return self.article_id(key)
        m = self.articles[key]
        i = bisect_right(m.starts, span[0]) - 1
        if i >= 0 and m.regions[i][1] >= span[1]:
            return f"cite-{m.number}-{m.regions[i][0]}-{m.regions[i][1]}"
        return self.article_id(key)

    def links(self, item: Item) -> list[dict[str, str | None]]:
        """One link per cite (``1``, ``1b`` for a second passage of article 1); an item
        without cites links each of its articles."""
        cites = list(item.get("cites") or [])
        out: list[dict[str, str | None]] = []
        if cites:
            seen: dict[str, int] = {}
            for c in sorted(cites, key=lambda c: (self.numbers.get(str(c.get("article")),
                                                                   10**9), c.get("start") or 0)):
                key = str(c.get("article"))
                seen[key] = seen.get(key, 0) + 1
                suffix = "" if seen[key] == 1 else chr(ord("a") + min(seen[key] - 1, 25))
                span = self._clip(c)
                tip = " ".join(self.articles[key].text[span[0]:span[1]].split()) if span else ""
                out.append({"href": self.target(c), "label": self.label(key) + suffix,
                            "tip": tip if len(tip) <= 200 else tip[:197] + "..."})
        else:
            for key in self.ordered(item.get("articles") or []):
                out.append({"href": self.article_id(key), "label": self.label(key), "tip": ""})
        return out

    def ordered(self, keys: Sequence[object]) -> list[str]:
        return sorted({str(k) for k in keys}, key=lambda k: (self.numbers.get(k, 10**9), k))

    def article_links(self, keys: Sequence[object]) -> list[dict[str, str | None]]:
        return [{"href": self.article_id(k), "label": self.label(k), "tip": ""}
                for k in self.ordered(keys)]
