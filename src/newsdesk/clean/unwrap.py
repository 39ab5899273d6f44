"""Hard-wrapped plain text: find the real paragraphs; TeX-style quotes to typographic ones.

Wire archives and older text dumps break every line near a fixed column (60-100
characters) and separate paragraphs by nothing but a short last line or an indented
first line. Read line by line, each wrapped line would become a paragraph of its own
(and the first one a "title"). :func:`unwrap_paragraphs` recognises such text and groups
its lines back into paragraphs; the cleaning rules then join each paragraph's lines with
single spaces, so ``Article.text`` and its paragraph offsets describe the unwrapped body.
"""

from __future__ import annotations

import re
import statistics

# A line ending in one of these probably ends a sentence.
SENTENCE_END = re.compile(r"[.!?:;\"'\u201d\u2019)]$")

MIN_LINES = 3
MIN_WIDTH = 40
MAX_WIDTH = 100


def is_hard_wrapped(lines: list[str]) -> bool:
    """True when ``lines`` (blank lines already dropped) look wrapped at a fixed column.

    Every line but the last is long and close to one width (40-100 characters), and most
    of them stop mid-sentence -- unlike text with one paragraph a line (long, varied lines)
    or a list of short sentences (each ending in a stop)."""
    body = [ln.rstrip() for ln in lines[:-1]]
    if len(body) < MIN_LINES - 1 or len(lines) < MIN_LINES:
        return False
    lengths = sorted(len(ln) for ln in body)
    p90 = lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))]
    if not MIN_WIDTH <= p90 <= MAX_WIDTH:
        return False
    median = statistics.median(lengths)
    near = sum(1 for n in lengths if n >= 0.75 * median) / len(lengths)
    open_end = sum(1 for ln in body if not SENTENCE_END.search(ln)) / len(body)
    return median >= MIN_WIDTH * 0.9 and near >= 0.75 and open_end >= 0.5


def unwrap_paragraphs(text: str) -> list[str] | None:
    """The paragraphs of hard-wrapped ``text`` (each a block of its original lines joined by
    ``\\n``), or None when the text does not look hard-wrapped.

    A paragraph ends after a line much shorter than the wrap width (a last line or a
    heading), after a line that ends a sentence although the next line's first word would
    have fitted on it, and before an indented line when lines are not normally indented."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not is_hard_wrapped(lines):
        return None
    widths = [len(ln.rstrip()) for ln in lines[:-1]]
    median = statistics.median(widths)
    # The shortest line broken mid-sentence is full: a line that ends a sentence and
    # leaves room for the next line's first word below that was broken on purpose.
    open_widths = [len(ln.rstrip()) for ln in lines[:-1]
                   if not SENTENCE_END.search(ln.rstrip()) and len(ln.rstrip()) >= 0.6 * median]
    full = min(open_widths, default=median)
    indented = [ln[:1].isspace() for ln in lines]
    mostly_indented = sum(indented) > len(lines) / 2
    out: list[str] = []
    cur: list[str] = []
    for i, ln in enumerate(lines):
        if cur and indented[i] and not mostly_indented:
            out.append("\n".join(cur))
            cur = []
        cur.append(ln.strip())
        width = len(ln.rstrip())
        nxt = lines[i + 1].split()[0] if i + 1 < len(lines) else ""
        if width < 0.6 * median or (
                SENTENCE_END.search(ln.rstrip()) and width + 1 + len(nxt) < full):
            out.append("\n".join(cur))
            cur = []
    if cur:
        out.append("\n".join(cur))
    return out


_TEX_OPEN = re.compile(r"``")
_TEX_CLOSE = re.compile(r"''")


def tex_quotes(text: str) -> str:
    """``quoted'' (TeX / old wire style) to \u201cquoted\u201d; text without an opening
    double backtick is returned unchanged, so a lone '' (inches) elsewhere is left alone."""
    if "``" not in text:
        return text
    return _TEX_CLOSE.sub("\u201d", _TEX_OPEN.sub("\u201c", text))
