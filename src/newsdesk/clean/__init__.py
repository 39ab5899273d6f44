"""Clean: page furniture out, body kept; dates, dateline, title and credits lifted out."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from newsdesk.clean.rules import clean_text, iso_or_none
from newsdesk.model import Article, body_id, split_paragraphs
from newsdesk.pipeline import ArticleStep, Step
from newsdesk.text_patterns import DATELINE

__all__ = ["CleanOptions", "CleanStep", "RepeatedLinesStep", "clean_article"]


@dataclass(slots=True)
class CleanOptions:
    """What cleaning does. Line rules (furniture lines, sign-offs, credits, datelines) run
    on every body; the cut of the related-links tail after a marker such as "Previous
    Story" runs on HTML-derived bodies only when ``rules_on_html`` is set."""

    drop_furniture: bool = True
    detect_title: bool = True
    # Off: on HTML the tail cut drops body paragraphs after an inline "Don't Miss" box
    # (bench/bench_extraction.py: F1 0.9776 off vs 0.9765 on; see BENCHMARKS.md).
    rules_on_html: bool = False
    # Generic furniture lines (rules.GENERIC_LINES: labels, taxonomies, timestamps, pitches,
    # photo credits), chosen leave-site-out (bench_extraction.py --lso; BENCHMARKS.md).
    generic_lines: bool = True
    repeated_min_articles: int = 3
    repeated_min_share: float = 0.3
    repeated_max_words: int = 30


_DATELINE_ANY_LINE = re.compile(DATELINE.pattern, re.I | re.M)


def _dateline_date(text: str, years: list[int]) -> str | None:
    """The date of a dateline without a year ("Saldena, March 4 (PNA)"), in the year the
    text mentions most (ties: the later). Never the clock's year: the same input always
    gives the same date."""
    m = _DATELINE_ANY_LINE.search(text[:300])
    if not m or not years:
        return None
    from dateutil import parser as dp

    counts = Counter(years)
    year = max(counts, key=lambda y: (counts[y], y))
    try:
        d = dp.parse(f"{m.group('date')} {year}")
    except (ValueError, OverflowError):
        return None
    return d.date().isoformat()


def clean_article(a: Article, opts: CleanOptions | None = None) -> Article:
    """Return a new cleaned Article (raw input kept)."""
    opts = opts or CleanOptions()
    is_html = bool(a.meta.get("from_html"))
    tail = opts.drop_furniture and (opts.rules_on_html or not is_html)
    c = clean_text(a.text, detect_title=opts.detect_title and not a.title,
                   drop_furniture=opts.drop_furniture, truncate_tail=tail,
                   generic_lines=opts.generic_lines)
    text = "\n\n".join(c.paragraphs)
    if not text.strip():
        text = a.text.strip()
    credits = list(a.credits)
    for cr in c.credits:
        if cr not in credits:
            credits.append(cr)
    published = iso_or_none(a.published) or c.published
    if published is None:
        years = [int(y) for y in re.findall(r"\b(19[5-9]\d|20\d\d)\b", text)]
        published = _dateline_date(text, years)
    source = a.source or c.self_credit
    meta = dict(a.meta)
    if c.removed:
        meta["furniture_removed"] = len(c.removed)
    return Article(
        key=a.key, text=text, id=body_id(text), source=source, credits=credits, url=a.url,
        published=published, dateline=a.dateline or c.dateline, title=a.title or c.title,
        paragraphs=split_paragraphs(text), origin=a.origin, fmt=a.fmt, raw=a.raw, meta=meta,
    )


class CleanStep(ArticleStep):
    """Per-article rule cleaning."""

    name = "clean"
    reads = ("text", "raw")
    adds = ("text", "paragraphs", "title", "published", "dateline", "credits", "source")

    def __init__(self, opts: CleanOptions | None = None) -> None:
        self.opts = opts or CleanOptions()

    def process(self, article: Article) -> Article | None:
        return clean_article(article, self.opts)


def _line_key(line: str) -> str:
    norm = re.sub(r"\W+", " ", line.lower()).strip()
    return hashlib.blake2b(norm.encode(), digest_size=8).hexdigest()


class RepeatedLinesStep(Step):
    """Corpus evidence: short paragraphs repeated across many articles of one source are
    furniture (newsletter pitches, bylines, slogans) and are removed.

    Works over chunks of ``chunk`` articles so memory stays bounded on long streams;
    identical bodies count once so a republished story does not vote against itself.
    """

    name = "repeated-lines"
    reads = ("text", "source")
    adds = ("text", "paragraphs")

    def __init__(self, opts: CleanOptions | None = None, chunk: int = 2000,
                 max_chars: int = 32_000_000) -> None:
        self.opts = opts or CleanOptions()
        self.chunk = chunk
        self.max_chars = max_chars  # flush early when raw pages are large

    def run(self, articles: Iterable[Article]) -> Iterator[Article]:
        buf: list[Article] = []
        chars = 0
        for a in articles:
            buf.append(a)
            chars += len(a.text) + len(a.raw)
            if len(buf) >= self.chunk or chars >= self.max_chars:
                yield from self.process_chunk(buf)
                buf = []
                chars = 0
        if buf:
            yield from self.process_chunk(buf)

    def process_chunk(self, batch: list[Article]) -> list[Article]:
        """Drop repeated short paragraphs within each source of the chunk."""
        o = self.opts
        by_source: dict[str, dict[str, Article]] = defaultdict(dict)
        for a in batch:
            if a.source:
                by_source[a.source].setdefault(a.id, a)
        bad: dict[str, set[str]] = {}
        for src, arts in by_source.items():
            if len(arts) < o.repeated_min_articles:
                continue
            counts: Counter[str] = Counter()
            for a in arts.values():
                counts.update({_line_key(p) for p in a.paragraph_texts()
                               if len(p.split()) <= o.repeated_max_words})
            need = max(o.repeated_min_articles, o.repeated_min_share * len(arts))
            bad[src] = {k for k, n in counts.items() if n >= need}
        out = []
        for a in batch:
            drop = bad.get(a.source or "")
            if drop:
                keep = [p for p in a.paragraph_texts() if _line_key(p) not in drop]
                if keep and len(keep) < len(a.paragraphs):
                    text = "\n\n".join(keep)
                    a = Article(
                        key=a.key, text=text, source=a.source, credits=a.credits, url=a.url,
                        published=a.published, dateline=a.dateline, title=a.title,
                        origin=a.origin, fmt=a.fmt, raw=a.raw,
                        meta=a.meta | {"repeated_removed": len(a.paragraphs) - len(keep)},
                    )
            out.append(a)
        return out

