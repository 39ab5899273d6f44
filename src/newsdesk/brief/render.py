"""Render a brief (schema ``newsdesk.brief/1``, see docs/brief.md) as Markdown, HTML or text.

Every function here is pure: the brief dict in, a string out; nothing is read or written.

- :func:`render_markdown` — per event: summary with ``[n]`` markers, key facts with their
  status, numbers, quotes, who's who, timeline, source matrix, reuse map, political events
  and the numbered list of sources the markers point to.
- :func:`render_html` — the same sections as one self-contained page (inline CSS, no
  script, no external resource). Every citation links to a ``<mark>`` in the article's
  text in the "Articles" section at the bottom; every string from the data is escaped.
- :func:`render_text` — with ``words``, the summary sentences alone as one paragraph cut
  to that many words (what is compared with published 100-word summaries); without, a
  plain-text version of the whole brief.

Citation markers ``[n]`` number the articles of each event in the order the event lists
them. The renderers are lenient: a missing list reads as empty, and a cite outside its
article's text (or naming an article the brief does not carry) is shown without a link.
"""

from __future__ import annotations

import html
import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CITED_SECTIONS", "SCHEMA_ID", "render_html", "render_markdown", "render_text"]

SCHEMA_ID = "newsdesk.brief/1"
# the parts of an event whose items carry "articles" and "cites"
def key_facts(claims: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The claims a reader should see first — conflicting, then corroborated, each in the
    brief's order (most independent sources first) — and the single-source tail, which the
    renderings fold (the JSON keeps every claim in its order). An event with no
    corroborated or conflicting claim (a single report) has nothing to fold under: all
    its claims lead."""
    rank = {"conflicting": 0, "corroborated": 1}
    lead = sorted((c for c in claims if c.get("status") in rank),
                  key=lambda c: rank[str(c.get("status"))])
    tail = [c for c in claims if c.get("status") not in rank]
    if not lead:  # one report (or no two agreeing): its claims are all there is to read
        return tail, []
    return lead, tail


def political_lead(events: list[dict[str, Any]]
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The political events a reader should see first — with a known actor on both sides
    ("who did what to whom") — and those with one side unknown ("? -> Cambodia"), which
    the renderings fold (the JSON keeps every event in its order). A Cambodia cluster of
    DUC 2004 listed 39 coded events, half with a side unknown. When none has both sides,
    all lead."""
    def whole(p: dict[str, Any]) -> bool:
        return bool(_list(p, "source")) and bool(_list(p, "target"))

    lead = [p for p in events if whole(p)]
    if not lead:
        return events, []
    return lead, [p for p in events if not whole(p)]


def conflict_firsts(claims: list[dict[str, Any]]) -> dict[str, str]:
    """Claim id -> the id of the first claim (in ``claims``' order) carrying the same
    disagreement. Several claims of an event often carry one conflict (the death toll
    of three reports): the renderings list its values once and point back to it."""
    first: dict[str, str] = {}
    seen: dict[str, str] = {}
    for c in claims:
        conflict = c.get("conflict")
        if not isinstance(conflict, Mapping):
            continue
        sig = repr((conflict.get("about"), [
            (v.get("value"), v.get("unit"), v.get("text"), list(v.get("articles") or []))
            for v in _list(conflict, "values")]))
        first[str(c.get("id"))] = seen.setdefault(sig, str(c.get("id")))
    return first


CITED_SECTIONS = ("summary", "claims", "quantities", "quotes", "timeline", "political_events")

Brief = Mapping[str, Any]
Item = Mapping[str, Any]

STATUS_LABEL = {
    "corroborated": "corroborated",
    "single-source": "single-source",
    "conflicting": "conflicting",
}


# ---------------------------------------------------------------------------------------
# shared helpers


def _events(brief: Brief) -> list[Item]:
    return list(brief.get("events") or [])


def _list(item: Item, key: str) -> list[Any]:
    return list(item.get(key) or [])


def _ws(text: object) -> str:
    """``text`` on one line: runs of whitespace become one space."""
    return " ".join(str(text).split())


def _num(value: object) -> str:
    """A number for people: ``12``, ``40,000,000``, ``2.5``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}"


def _amount(value: object, unit: object) -> str:
    return f"{_num(value)} {unit}" if unit else _num(value)


def _about(q: Item) -> str:
    """What a number counts, unless that only repeats its unit ("300 crane operators
    (crane operators)"), without the unit it starts with ("millimetres of rain" -> "rain");
    the JSON keeps ``about`` as extracted."""
    about = str(q.get("about") or "").strip()
    unit = str(q.get("unit") or "").strip().lower()

    def bare(w: str) -> str:
        return w.lower().removesuffix("s")

    if unit and bare(about) == bare(unit):
        return ""
    # "140 millimetres (millimetres of rain)" reads "140 millimetres (rain)"
    head, _, rest = about.partition(" ")
    if unit and bare(head) == bare(unit):
        link, _, tail = rest.partition(" ")
        if link == "of" and tail:
            return tail
        if link in ("for", "from", "in", "on", "to", "at", "by", "with") and tail:
            return rest  # "crowns from 30,000 donors" -> "from 30,000 donors"
    return about


def _by_amount(quantities: list[Item]) -> list[Item]:
    """The numbers with equal amounts next to each other (each amount where it first
    appears, its reports in their order), so "38 percent" from four reports reads as one
    run rather than four lines scattered down the list; the JSON keeps its order."""
    groups: dict[tuple[str, str], list[Item]] = {}
    for q in quantities:
        key = (_num(q.get("value")), str(q.get("unit") or "").strip().lower())
        groups.setdefault(key, []).append(q)
    return [q for g in groups.values() for q in g]


def event_date(p: Item, none: str = "undated") -> str:
    """A political event's day, or "reported DAY" when its sentence gives none."""
    if p.get("date"):
        return str(p["date"])
    return f"reported {p['reported']}" if p.get("reported") else none


def _sources(count: object) -> str:
    n = count if isinstance(count, int) else 0
    return f"{n} independent source" + ("" if n == 1 else "s")


def _similarity(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, int | float) else "?"


def _dates(event: Item) -> str | None:
    dates = event.get("dates") or {}
    first, last = dates.get("first"), dates.get("last")
    if first and last and first != last:
        return f"{first} – {last}"
    return first or last or None


def _numbers(event: Item) -> dict[str, int]:
    """Article key → its citation number ``n`` in this event (1-based, list order)."""
    numbers: dict[str, int] = {}
    for article in _list(event, "articles"):
        numbers.setdefault(str(article.get("key")), len(numbers) + 1)
    return numbers


def _cited_keys(item: Item, numbers: Mapping[str, int]) -> list[str]:
    """The articles an item cites (or, without cites, lists), by citation number."""
    keys = [str(c.get("article")) for c in _list(item, "cites")] or [
        str(k) for k in _list(item, "articles")
    ]
    unique = list(dict.fromkeys(keys))
    return sorted(unique, key=lambda k: (numbers.get(k, len(numbers) + 1), k))


def _label(key: str, numbers: Mapping[str, int]) -> str:
    return str(numbers[key]) if key in numbers else key


def _summary_words(brief: Brief) -> list[str]:
    return [
        word
        for event in _events(brief)
        for sentence in _list(event, "summary")
        for word in str(sentence.get("text", "")).split()
    ]


def _matrix(event: Item) -> tuple[list[str], list[tuple[str, set[str]]]]:
    """Outlet columns and (claim id, outlets) rows of the source matrix."""
    matrix = event.get("source_matrix") or {}
    outlets = [str(o) for o in matrix.get("outlets") or []]
    rows: list[tuple[str, set[str]]] = []
    for row in matrix.get("rows") or []:
        reported = {str(o) for o in row.get("outlets") or []}
        outlets.extend(sorted(reported - set(outlets)))
        rows.append((str(row.get("claim")), reported))
    return outlets, rows


def _actors(actors: Iterable[Item], esc: Callable[[str], str]) -> str:
    parts = []
    for actor in actors:
        codes = ", ".join(
            dict.fromkeys(str(c) for c in (actor.get("code"), actor.get("sector")) if c)
        )
        text = esc(_ws(actor.get("text", "")))
        parts.append(f"{text} ({esc(codes)})" if codes else text)
    return "; ".join(parts) or "?"


# ---------------------------------------------------------------------------------------
# Markdown and plain text share one layout; only the markup differs


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])|&(?=#?\w+;)")


def _md_escape(text: object) -> str:
    """Text safe inside Markdown: markup characters (and so raw HTML) come out literal."""
    return _MD_SPECIAL.sub(lambda m: "\\" + m.group(0), _ws(text))


@dataclass(frozen=True, slots=True)
class _Style:
    markdown: bool

    def esc(self, text: object) -> str:
        return _md_escape(text) if self.markdown else _ws(text)

    def strong(self, text: str) -> str:
        return f"**{text}**" if self.markdown and text else text

    def heading(self, level: int, text: str) -> list[str]:
        if self.markdown:
            return ["#" * level + " " + text, ""]
        if level <= 2:
            return [text, ("=" if level == 1 else "-") * max(len(text), 3), ""]
        return [text.upper(), ""]

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
        if self.markdown:
            lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(row) + " |" for row in rows]
            return lines + [""]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in [header, *rows]
        ]
        return lines + [""]


def _markers(item: Item, numbers: Mapping[str, int]) -> str:
    return "".join(f"[{_label(k, numbers)}]" for k in _cited_keys(item, numbers))


def _layout(brief: Brief, style: _Style) -> str:
    esc = style.esc
    events = _events(brief)
    out: list[str] = style.heading(1, "News brief")
    out += [
        f"{len(events)} event"
        + ("" if len(events) == 1 else "s")
        + f" · schema {esc(brief.get('schema', SCHEMA_ID))}",
        "",
    ]
    for event in events:
        numbers = _numbers(event)

        def marks(item: Item, numbers: Mapping[str, int] = numbers) -> str:
            m = _markers(item, numbers)
            return " " + m if m else ""

        out += style.heading(2, esc(event.get("title") or event.get("id") or "Untitled event"))
        meta = [esc(_dates(event) or "date unknown")]
        if event.get("place"):
            meta.append(esc(event["place"]))
        n_articles = len(_list(event, "articles"))
        meta.append(f"{n_articles} article" + ("" if n_articles == 1 else "s"))
        meta.append(_sources(event.get("independent_sources")))
        out += [" · ".join(meta), ""]

        summary = _list(event, "summary")
        if summary:
            out += style.heading(3, "Summary")
            out += [" ".join(esc(s.get("text", "")) + marks(s) for s in summary), ""]

        claims = _list(event, "claims")
        claim_text = {str(c.get("id")): str(c.get("text", "")) for c in claims}
        if claims:
            out += style.heading(3, "Key facts")
            lead, tail = key_facts(claims)
            firsts = conflict_firsts(lead + tail)
            for n, claim in enumerate(lead + tail):
                if n == len(lead) and tail:
                    out += ["", f"<details><summary>{len(tail)} single-source claim(s)"
                                "</summary>", ""]
                status = STATUS_LABEL.get(str(claim.get("status")), esc(claim.get("status")))
                head = f"{style.strong(status)}, {_sources(claim.get('independent_sources'))}"
                out.append(
                    f"- {esc(claim.get('id', ''))} ({head}): {esc(claim.get('text', ''))}{marks(claim)}"
                )
                conflict = claim.get("conflict")
                first = firsts.get(str(claim.get("id")), str(claim.get("id")))
                if conflict and first != str(claim.get("id")):
                    out.append(f"  - sources disagree on {esc(conflict.get('about', ''))}: "
                               f"as under {esc(first)}")
                elif conflict:
                    values = " vs ".join(
                        f"{esc(_amount(v.get('value'), v.get('unit')))} "
                        f"(\u201c{esc(v.get('text', ''))}\u201d{marks(v)})"
                        for v in _list(conflict, "values")
                    )
                    out.append(
                        f"  - sources disagree on {esc(conflict.get('about', ''))}: {values}"
                    )
            if tail:
                out += ["", "</details>"]
            out.append("")

        quantities = _list(event, "quantities")
        if quantities:
            out += style.heading(3, "Numbers")
            for q in _by_amount(quantities):
                about = f" ({esc(_about(q))})" if _about(q) else ""
                out.append(
                    f"- {style.strong(esc(_amount(q.get('value'), q.get('unit'))))}{about}: "
                    f"\u201c{esc(q.get('text', ''))}\u201d{marks(q)}"
                )
            out.append("")

        quotes = _list(event, "quotes")
        if quotes:
            out += style.heading(3, "Quotes")
            for q in quotes:
                speaker = esc(q.get("speaker") or "unattributed")
                kind = "" if q.get("direct") else " (reported speech)"
                out.append(
                    f"- \u201c{esc(q.get('text', ''))}\u201d — {style.strong(speaker)}{kind}{marks(q)}"
                )
            out.append("")

        entities = _list(event, "entities")
        if entities:
            out += style.heading(3, "Who's who")
            for ent in entities:
                facts = [esc(ent.get("type", ""))] + [esc(r) for r in _list(ent, "roles")]
                if ent.get("code"):
                    facts.append("code " + esc(ent["code"]))
                line = f"- {style.strong(esc(ent.get('name', '')))} ({', '.join(f for f in facts if f)})"
                variants = [esc(v) for v in _list(ent, "variants")]
                if variants:
                    line += "; also " + ", ".join(f"\u201c{v}\u201d" for v in variants)
                out.append(line + marks(ent))
            out.append("")

        timeline = _list(event, "timeline")
        if timeline:
            out += style.heading(3, "Timeline")
            out += [
                f"- {esc(t.get('date', ''))}: {esc(t.get('text', ''))}{marks(t)}" for t in timeline
            ]
            out.append("")

        outlets, rows = _matrix(event)
        if rows:
            out += style.heading(3, "Source matrix")
            table_rows = []
            for claim_id, reported in rows:
                only = len(reported) == 1
                text = _ws(claim_text.get(claim_id, ""))
                text = text if len(text) <= 60 else text[:57].rstrip() + "..."
                cells = [f"{esc(claim_id)} {esc(text)}".strip()]
                cells += [("✓ only" if only else "✓") if o in reported else "" for o in outlets]
                table_rows.append(cells)
            out += style.table(["claim", *[esc(o) for o in outlets]], table_rows)
            out += [
                "✓ = the outlet reports the claim; \u201conly\u201d = no other outlet does.",
                "",
            ]

        reuse = _list(event, "reuse")
        if reuse:
            out += style.heading(3, "Reuse map")
            for r in reuse:
                key = str(r.get("article"))
                parts = []
                if r.get("copy_of"):
                    parts.append(f"copy of [{_label(str(r['copy_of']), numbers)}]")
                for s in _list(r, "shares"):
                    parts.append(
                        f"shares with [{_label(str(s.get('article')), numbers)}] "
                        f"(similarity {_similarity(s.get('similarity'))}, "
                        f"{_num(s.get('passages', 0))} passage"
                        + ("" if s.get("passages") == 1 else "s")
                        + ")"
                    )
                out.append(
                    f"- [{_label(key, numbers)}] {esc(key)}: " + ("; ".join(parts) or "original")
                )
            out.append("")

        political = _list(event, "political_events")
        if political:
            out += style.heading(3, "Political events")
            p_lead, p_tail = political_lead(political)
            for n, p in enumerate(p_lead + p_tail):
                if n == len(p_lead) and p_tail:
                    out += ["", f"<details><summary>{len(p_tail)} more political event(s), "
                                "one side unknown</summary>", ""]
                date = esc(event_date(p))
                out.append(
                    f"- {date} · {style.strong(esc(p.get('event', '')))}: "
                    f"{_actors(_list(p, 'source'), esc)} → {_actors(_list(p, 'target'), esc)}{marks(p)}"
                )
            if p_tail:
                out += ["", "</details>"]
            out.append("")

        articles = _list(event, "articles")
        if articles:
            out += style.heading(3, "Sources")
            for article in articles:
                key = str(article.get("key"))
                bits = [style.strong(esc(article.get("source") or "unknown outlet"))]
                if article.get("title"):
                    bits.append(f"\u201c{esc(article['title'])}\u201d")
                if article.get("published"):
                    bits.append(esc(article["published"]))
                if article.get("url"):
                    bits.append(esc(article["url"]))
                notes = [f"key {esc(key)}"]
                if article.get("copy_of"):
                    notes.append(f"copy of [{_label(str(article['copy_of']), numbers)}]")
                if _list(article, "credits"):
                    notes.append("credits: " + ", ".join(esc(c) for c in _list(article, "credits")))
                out.append(
                    f"- [{_label(key, numbers)}] " + ", ".join(bits) + f" ({'; '.join(notes)})"
                )
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_json(brief: Brief) -> str:
    """The brief as ``--format json`` prints it: indented by two spaces, non-ASCII as
    itself (the text of ``json.dumps(brief, ensure_ascii=False, indent=2)``).

    Written with orjson, which gives that same text ~15x faster than the standard
    library (whose indenting encoder is pure Python: ~0.8 s for a 1,000-article brief of
    17 MB); the standard library writes what orjson refuses (a non-string key, a lone
    surrogate) and is used when orjson is not installed."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - a dependency; kept for vendored installs
        return json.dumps(brief, ensure_ascii=False, indent=2)
    try:
        return orjson.dumps(brief, option=orjson.OPT_INDENT_2).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(brief, ensure_ascii=False, indent=2)


def render_markdown(brief: Brief) -> str:
    """The brief as Markdown: one ``##`` section per event, ``[n]`` markers → Sources."""
    return _layout(brief, _Style(markdown=True))


def render_text(brief: Brief, words: int | None = None) -> str:
    """The brief as plain text.

    With ``words``: only the summary sentences of every event, in order, as one paragraph
    of at most ``words`` whitespace-separated words (a prefix of the summary; no markers,
    no trailing newline). Without: the whole brief laid out like the Markdown, unmarked.
    """
    if words is not None:
        if words < 0:
            raise ValueError(f"words must be 0 or more, not {words}")
        return " ".join(_summary_words(brief)[:words])
    return _layout(brief, _Style(markdown=False))


# ---------------------------------------------------------------------------------------
# HTML


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


@dataclass(slots=True)
class _Marked:
    """One article of the page: its text and the merged cited regions to mark in it."""

    number: int  # global, for ids
    article: Item
    text: str
    regions: list[tuple[int, int]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)


class _Anchors:
    """Ids for articles (``art-N``) and cited regions (``cite-N-START-END``) of a page.

    The cites of one article are clipped to its text; overlapping ones are merged into
    one region, which gets one ``<mark>``; every cite links to the region containing it.
    """

    def __init__(self, events: Sequence[Item]) -> None:
        self.articles: dict[str, _Marked] = {}
        self.home: dict[str, int] = {}  # key → index of the first event that lists it
        for i, event in enumerate(events):
            for article in _list(event, "articles"):
                key = str(article.get("key"))
                if key not in self.articles:
                    text = str(article.get("text") or "")
                    self.articles[key] = _Marked(len(self.articles) + 1, article, text)
                    self.home[key] = i
        spans: dict[str, set[tuple[int, int]]] = {k: set() for k in self.articles}
        for event in events:
            for section in CITED_SECTIONS:
                for item in _list(event, section):
                    for c in _list(item, "cites"):
                        span = self._clip(c)
                        if span:
                            spans[str(c.get("article"))].add(span)
        for key, found in spans.items():
            marked = self.articles[key]
            for start, end in sorted(found):
                if marked.regions and start < marked.regions[-1][1]:
                    last = marked.regions[-1]
                    marked.regions[-1] = (last[0], max(last[1], end))
                else:
                    marked.regions.append((start, end))
            marked.starts = [s for s, _ in marked.regions]

    def _clip(self, c: Item) -> tuple[int, int] | None:
        marked = self.articles.get(str(c.get("article")))
        start, end = c.get("start"), c.get("end")
        if marked is None or not isinstance(start, int) or not isinstance(end, int):
            return None
        start, end = max(0, start), min(len(marked.text), end)
        return (start, end) if start < end else None

    def article_id(self, key: str) -> str | None:
        marked = self.articles.get(key)
        return f"art-{marked.number}" if marked else None

    def region_id(self, key: str, region: tuple[int, int]) -> str:
        return f"cite-{self.articles[key].number}-{region[0]}-{region[1]}"

    def cite_target(self, c: Item) -> str | None:
        """The id a cite links to: its region's mark, else the article, else None."""
        key = str(c.get("article"))
        span = self._clip(c)
        if span is None:
            return self.article_id(key)
        marked = self.articles[key]
        i = bisect_right(marked.starts, span[0]) - 1
        if i >= 0 and marked.regions[i][1] >= span[1]:
            return self.region_id(key, marked.regions[i])
        return self.article_id(key)  # a cite from a section this page does not mark

    def cited_text(self, c: Item) -> str:
        span = self._clip(c)
        return self.articles[str(c.get("article"))].text[span[0] : span[1]] if span else ""


def _link(target: str | None, label: str, title: str = "") -> str:
    """A citation link ``[label]``; without a target, the bare label."""
    if target is None:
        return f'<span class="cite missing">[{_e(label)}]</span>'
    tip = f' title="{_e(title)}"' if title else ""
    return f'<a class="cite" href="#{_e(target)}"{tip}>[{_e(label)}]</a>'


def _cite_links(item: Item, numbers: Mapping[str, int], anchors: _Anchors) -> str:
    """One link per cite of ``item`` (``[1]``, ``[1b]`` for a second passage of 1); an item
    with no cites links each of its articles instead."""
    cites = _list(item, "cites")
    links: list[str] = []
    if cites:
        seen: dict[str, int] = {}
        ordered = sorted(
            cites, key=lambda c: (numbers.get(str(c.get("article")), 10**9), c.get("start") or 0)
        )
        for c in ordered:
            key = str(c.get("article"))
            seen[key] = seen.get(key, 0) + 1
            suffix = "" if seen[key] == 1 else chr(ord("a") + min(seen[key] - 1, 25))
            tip = _ws(anchors.cited_text(c))
            tip = tip if len(tip) <= 200 else tip[:197] + "..."
            links.append(_link(anchors.cite_target(c), _label(key, numbers) + suffix, tip))
    else:
        for key in _cited_keys(item, numbers):
            links.append(_link(anchors.article_id(key), _label(key, numbers)))
    return '<span class="cites">' + "".join(links) + "</span>" if links else ""


def _article_links(keys: Iterable[object], numbers: Mapping[str, int], anchors: _Anchors) -> str:
    ordered = sorted({str(k) for k in keys}, key=lambda k: (numbers.get(k, 10**9), k))
    return "".join(_link(anchors.article_id(k), _label(k, numbers)) for k in ordered)


_CSS = """
:root { color-scheme: light dark; --fg: #1d2125; --muted: #5c6670; --bg: #fdfdfc;
  --line: #d8dde2; --mark: #fff1a8; --target: #ffc53d; --accent: #1c5fa8;
  --ok: #1f7a3d; --warn: #b4261a; --single: #7a5b00; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6e8ea; --muted: #a2abb4; --bg: #16181b; --line: #353a40;
    --mark: #5c4d00; --target: #8a5a00; --accent: #7fb2ff; --ok: #6fd08c;
    --warn: #ff8a7a; --single: #e0c060; }
}
* { box-sizing: border-box; }
html { scroll-behavior: auto; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 17px/1.6 Georgia, "Iowan Old Style", "Palatino Linotype", "Times New Roman", serif; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1, h2, h3, h4, .meta, table, .badge, nav, footer, .cites {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.9rem; margin: .5rem 0 .25rem; }
h2 { font-size: 1.45rem; margin: 2.5rem 0 .25rem; padding-top: .5rem; border-top: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.6rem 0 .5rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
h4 { font-size: 1rem; margin: 1.5rem 0 .25rem; }
.meta { color: var(--muted); font-size: .9rem; margin: 0 0 1rem; }
a { color: var(--accent); }
a.cite { text-decoration: none; font-size: .78em; vertical-align: super; line-height: 0; padding: 0 .05em; }
a.cite:hover, a.cite:focus { text-decoration: underline; }
.cite.missing { font-size: .78em; vertical-align: super; color: var(--muted); }
.summary { font-size: 1.08rem; }
ul, ol { padding-left: 1.3rem; }
li { margin: .3rem 0; }
.badge { display: inline-block; font-size: .72rem; font-weight: 600; padding: .05rem .45rem;
  border-radius: .7rem; border: 1px solid currentColor; text-transform: uppercase; letter-spacing: .03em; }
.status-corroborated .badge { color: var(--ok); }
.status-single-source .badge { color: var(--single); }
.status-conflicting .badge { color: var(--warn); }
.count { color: var(--muted); font-size: .85rem; }
.conflict { margin: .25rem 0 .5rem; padding: .25rem .75rem; border-left: 3px solid var(--warn); }
figure.quote { margin: .8rem 0; }
figure.quote blockquote { margin: 0; padding-left: .9rem; border-left: 3px solid var(--line); font-style: italic; }
figure.quote.indirect blockquote { font-style: normal; }
figure.quote figcaption { color: var(--muted); font-size: .9rem; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; margin: .5rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: color-mix(in srgb, var(--line) 35%, transparent); }
td.tick { text-align: center; min-width: 3.5rem; }
.wide { overflow-x: auto; margin: .5rem 0 1rem; }
.wide table { margin: 0; }
table.matrix td:first-child { min-width: 18rem; }
table.matrix th { font-size: .8rem; }
tr.only td.tick.yes { font-weight: 700; color: var(--single); }
.legend { color: var(--muted); font-size: .85rem; }
nav ol { columns: 2; font-size: .95rem; }
article.source { margin: 1.25rem 0 2rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
mark { background: var(--mark); color: inherit; padding: 0 .05em; scroll-margin: 30vh 0; }
mark:target { background: var(--target); outline: 2px solid var(--target); }
article.source:target h4 { color: var(--accent); }
code { font-size: .88em; overflow-wrap: anywhere; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
"""


def _event_html(index: int, event: Item, anchors: _Anchors) -> list[str]:
    numbers = _numbers(event)

    def cites(item: Item) -> str:
        return _cite_links(item, numbers, anchors)

    out = [f'<section class="event" id="ev-{index + 1}" data-event="{_e(event.get("id", ""))}">']
    out.append(f"<h2>{_e(event.get('title') or event.get('id') or 'Untitled event')}</h2>")
    meta = [_e(_dates(event) or "date unknown")]
    if event.get("place"):
        meta.append(_e(event["place"]))
    n_articles = len(_list(event, "articles"))
    meta.append(f"{n_articles} article" + ("" if n_articles == 1 else "s"))
    meta.append(_sources(event.get("independent_sources")))
    out.append('<p class="meta">' + " · ".join(meta) + "</p>")

    summary = _list(event, "summary")
    if summary:
        out.append("<h3>Summary</h3>")
        out.append(
            '<p class="summary">'
            + " ".join(
                f'<span class="sentence">{_e(_ws(s.get("text", "")))}</span>{cites(s)}'
                for s in summary
            )
            + "</p>"
        )

    claims = _list(event, "claims")
    claim_text = {str(c.get("id")): str(c.get("text", "")) for c in claims}
    claim_status = {str(c.get("id")): str(c.get("status", "")) for c in claims}
    if claims:
        out.append("<h3>Key facts</h3>")
        out.append('<ul class="claims">')
        lead, tail = key_facts(claims)
        firsts = conflict_firsts(lead + tail)
        for n, claim in enumerate(lead + tail):
            if n == len(lead) and tail:
                out.append(f'</ul><details class="single-source"><summary>{len(tail)} '
                           'single-source claim(s)</summary><ul class="claims">')
            status = str(claim.get("status", ""))
            css = re.sub(r"[^a-z-]", "", status.lower())
            out.append(
                f'<li class="claim status-{css}" id="ev-{index + 1}-{_e(claim.get("id", ""))}">'
                f'<span class="badge">{_e(STATUS_LABEL.get(status, status))}</span> '
                f'<span class="count">{_sources(claim.get("independent_sources"))}</span> '
                f"{_e(_ws(claim.get('text', '')))}{cites(claim)}"
            )
            conflict = claim.get("conflict")
            first = firsts.get(str(claim.get("id")), str(claim.get("id")))
            if conflict and first != str(claim.get("id")):
                out.append(
                    f'<div class="conflict">Sources disagree on '
                    f"<strong>{_e(conflict.get('about', ''))}</strong>: as under "
                    f'<a href="#ev-{index + 1}-{_e(first)}">{_e(first)}</a></div>'
                )
            elif conflict:
                out.append(
                    f'<div class="conflict">Sources disagree on '
                    f"<strong>{_e(conflict.get('about', ''))}</strong>:<ul>"
                )
                for v in _list(conflict, "values"):
                    out.append(
                        f"<li><strong>{_e(_amount(v.get('value'), v.get('unit')))}</strong> "
                        f"\u2014 \u201c{_e(_ws(v.get('text', '')))}\u201d"
                        f"{_article_links(_list(v, 'articles'), numbers, anchors)}</li>"
                    )
                out.append("</ul></div>")
            out.append("</li>")
        out.append("</ul>" + ("</details>" if tail else ""))

    quantities = _list(event, "quantities")
    if quantities:
        out.append("<h3>Numbers</h3>")
        out.append(
            "<table><thead><tr><th>value</th><th>what</th><th>as written</th><th>cited</th>"
            "</tr></thead><tbody>"
        )
        for q in _by_amount(quantities):
            out.append(
                f"<tr><td>{_e(_amount(q.get('value'), q.get('unit')))}</td>"
                f"<td>{_e(_about(q))}</td><td>\u201c{_e(_ws(q.get('text', '')))}\u201d</td>"
                f"<td>{cites(q)}</td></tr>"
            )
        out.append("</tbody></table>")

    quotes = _list(event, "quotes")
    if quotes:
        out.append("<h3>Quotes</h3>")
        for q in quotes:
            direct = bool(q.get("direct"))
            kind = "" if direct else ' <span class="count">(reported speech)</span>'
            out.append(
                f'<figure class="quote{"" if direct else " indirect"}">'
                f"<blockquote>{_e(_ws(q.get('text', '')))}</blockquote>"
                f'<figcaption>\u2014 <span class="speaker">{_e(q.get("speaker") or "unattributed")}</span>'
                f"{kind}{cites(q)}</figcaption></figure>"
            )

    entities = _list(event, "entities")
    if entities:
        out.append("<h3>Who\u2019s who</h3>")
        out.append(
            "<table><thead><tr><th>name</th><th>type</th><th>roles</th><th>also called</th>"
            "<th>code</th><th>in</th></tr></thead><tbody>"
        )
        for ent in entities:
            out.append(
                f"<tr><td><strong>{_e(ent.get('name', ''))}</strong></td><td>{_e(ent.get('type', ''))}</td>"
                f"<td>{_e('; '.join(str(r) for r in _list(ent, 'roles')))}</td>"
                f"<td>{_e('; '.join(str(v) for v in _list(ent, 'variants')))}</td>"
                f"<td>{_e(ent.get('code') or '')}</td>"
                f"<td>{_article_links(_list(ent, 'articles'), numbers, anchors)}</td></tr>"
            )
        out.append("</tbody></table>")

    timeline = _list(event, "timeline")
    if timeline:
        out.append("<h3>Timeline</h3>")
        out.append('<ol class="timeline">')
        for t in timeline:
            date = _e(t.get("date", ""))
            out.append(
                f'<li><time datetime="{date}">{date}</time>: '
                f"{_e(_ws(t.get('text', '')))}{cites(t)}</li>"
            )
        out.append("</ol>")

    outlets, rows = _matrix(event)
    if rows:
        out.append("<h3>Source matrix</h3>")
        out.append(
            '<div class="wide"><table class="matrix"><thead><tr><th>claim</th>'
            + "".join(f"<th>{_e(o)}</th>" for o in outlets)
            + "</tr></thead><tbody>"
        )
        for claim_id, reported in rows:
            only = len(reported) == 1
            status = STATUS_LABEL.get(claim_status.get(claim_id, ""), "")
            full = _ws(claim_text.get(claim_id, ""))
            short = full if len(full) <= 80 else full[:77].rstrip() + "..."
            label = f"<strong>{_e(claim_id)}</strong>"
            if claim_id in claim_text:
                label = f'<a href="#ev-{index + 1}-{_e(claim_id)}" title="{_e(full)}">{label}</a>'
            label += f" {_e(short)}"
            if status:
                label += f' <span class="count">({_e(status)})</span>'
            cells = "".join(
                ('<td class="tick yes">' + ("\u2713 only" if only else "\u2713") + "</td>")
                if o in reported
                else '<td class="tick"></td>'
                for o in outlets
            )
            row_class = ' class="only"' if only else ""
            out.append(f"<tr{row_class}><td>{label}</td>{cells}</tr>")
        out.append("</tbody></table></div>")
        out.append(
            '<p class="legend">\u2713 = the outlet reports the claim; '
            "\u201conly\u201d = no other outlet does.</p>"
        )

    reuse = _list(event, "reuse")
    if reuse:
        out.append("<h3>Reuse map</h3>")
        out.append('<ul class="reuse">')
        for r in reuse:
            key = str(r.get("article"))
            parts = []
            if r.get("copy_of"):
                parts.append("copy of " + _article_links([r["copy_of"]], numbers, anchors))
            for s in _list(r, "shares"):
                n = s.get("passages", 0)
                parts.append(
                    "shares with "
                    + _article_links([s.get("article")], numbers, anchors)
                    + f" (similarity {_e(_similarity(s.get('similarity')))}, "
                    + f"{_e(_num(n))} passage{'' if n == 1 else 's'})"
                )
            out.append(
                f"<li>{_article_links([key], numbers, anchors)} <code>{_e(key)}</code>: "
                + ("; ".join(parts) or "original")
                + "</li>"
            )
        out.append("</ul>")

    political = _list(event, "political_events")
    if political:
        out.append("<h3>Political events</h3>")
        table = ("<table><thead><tr><th>date</th><th>event</th><th>who</th><th>to whom</th>"
                 "<th>cited</th></tr></thead><tbody>")
        out.append(table)
        p_lead, p_tail = political_lead(political)

        def row(p: dict[str, Any]) -> str:
            return (f"<tr><td>{_e(event_date(p, ''))}</td><td><strong>{_e(p.get('event', ''))}"
                    f"</strong></td><td>{_actors(_list(p, 'source'), _e)}</td>"
                    f"<td>{_actors(_list(p, 'target'), _e)}</td><td>{cites(p)}</td></tr>")

        out.extend(row(p) for p in p_lead)
        out.append("</tbody></table>")
        if p_tail:
            out.append(f'<details class="political-tail"><summary>{len(p_tail)} more political '
                       "event(s), one side unknown</summary>")
            out.append(table)
            out.extend(row(p) for p in p_tail)
            out.append("</tbody></table></details>")

    articles = _list(event, "articles")
    if articles:
        out.append("<h3>Sources</h3>")
        out.append('<ol class="sources">')
        for article in articles:
            key = str(article.get("key"))
            title = f" \u2014 \u201c{_e(article['title'])}\u201d" if article.get("title") else ""
            notes = [f"<code>{_e(key)}</code>"]
            if article.get("published"):
                notes.append(_e(article["published"]))
            if article.get("copy_of"):
                notes.append("copy of " + _article_links([article["copy_of"]], numbers, anchors))
            target = anchors.article_id(key)
            name = _e(article.get("source") or "unknown outlet")
            name = f'<a href="#{target}">{name}</a>' if target else name
            out.append(f'<li>{name}{title} <span class="count">({", ".join(notes)})</span></li>')
        out.append("</ol>")
    out.append("</section>")
    return out


def _marked_text(marked: _Marked, anchors: _Anchors, key: str) -> str:
    """The article text, escaped, with every cited region wrapped in ``<mark id=...>``."""
    parts: list[str] = []
    pos = 0
    for region in marked.regions:
        start, end = region
        parts.append(_e(marked.text[pos:start]))
        parts.append(
            f'<mark id="{anchors.region_id(key, region)}">{_e(marked.text[start:end])}</mark>'
        )
        pos = end
    parts.append(_e(marked.text[pos:]))
    return "".join(parts)


def _articles_html(events: Sequence[Item], anchors: _Anchors) -> list[str]:
    out = [
        '<section id="articles">',
        "<h2>Articles</h2>",
        '<p class="meta">The text of every article; highlighted passages are the ones '
        "cited above.</p>",
    ]
    done: set[str] = set()
    for i, event in enumerate(events):
        numbers = _numbers(event)
        shown = [a for a in _list(event, "articles") if anchors.home.get(str(a.get("key"))) == i]
        if not shown:
            continue
        if len(events) > 1:
            out.append(f"<h3>{_e(event.get('title') or event.get('id') or 'Untitled event')}</h3>")
        for article in shown:
            key = str(article.get("key"))
            if key in done:
                continue
            done.add(key)
            marked = anchors.articles[key]
            head = _e(article.get("source") or "unknown outlet")
            if article.get("title"):
                head += f" \u2014 {_e(article['title'])}"
            meta = [f"<code>{_e(key)}</code>"]
            for name in ("published", "url"):
                if article.get(name):
                    meta.append(f'<span class="{name}">{_e(article[name])}</span>')
            if article.get("copy_of"):
                meta.append("copy of " + _article_links([article["copy_of"]], numbers, anchors))
            if article.get("account") and article.get("account") != key:
                meta.append(f"account <code>{_e(article['account'])}</code>")
            if _list(article, "credits"):
                meta.append("credits: " + _e(", ".join(str(c) for c in _list(article, "credits"))))
            meta.append("independent" if article.get("independent") else "not independent")
            out.append(
                f'<article class="source" id="art-{marked.number}">'
                f"<h4>[{_e(_label(key, numbers))}] {head}</h4>"
                f'<p class="meta">{" · ".join(meta)}</p>'
                f'<div class="text">{_marked_text(marked, anchors, key)}</div></article>'
            )
    out.append("</section>")
    return out


def render_html(brief: Brief) -> str:
    """The brief as one self-contained HTML page (inline CSS, no script, no external URL).

    Citations are links ``<a class="cite" href="#cite-N-START-END">`` to ``<mark>``
    elements in the "Articles" section, where each article's text is shown with its cited
    passages marked (overlapping cites share one mark). All data is HTML-escaped.
    """
    events = _events(brief)
    anchors = _Anchors(events)
    if len(events) == 1:
        title = "News brief: " + _ws(events[0].get("title") or events[0].get("id") or "")
    else:
        title = f"News brief: {len(events)} events"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="newsdesk ({_e(brief.get("schema", SCHEMA_ID))})">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        "<h1>News brief</h1>",
        f'<p class="meta">{len(events)} event{"" if len(events) == 1 else "s"} · '
        f"{len(anchors.articles)} article{'' if len(anchors.articles) == 1 else 's'}</p>",
        "</header>",
    ]
    if len(events) > 1:
        out.append("<nav><ol>")
        out += [
            f'<li><a href="#ev-{i + 1}">{_e(e.get("title") or e.get("id") or "Untitled event")}</a></li>'
            for i, e in enumerate(events)
        ]
        out.append("</ol></nav>")
    if not events:
        out.append("<p>No events.</p>")
    for i, event in enumerate(events):
        out += _event_html(i, event, anchors)
    if anchors.articles:
        out += _articles_html(events, anchors)
    out.append(f"<footer>newsdesk \u00b7 schema {_e(brief.get('schema', SCHEMA_ID))}</footer>")
    out += ["</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
