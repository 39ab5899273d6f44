"""Conflicts: the same quantity reported with different values by independent sources.

Two quantities measure the same thing when they have the same *measure*: a casualty
class named near the number ("killed", "dead", "death toll" → deaths; "missing";
"injured"; "evacuated"), or the same unit and a shared word in what is counted ("$2.4
billion" for "the agreements" ~ "$2.1 billion" as "the value of the agreements"). Values
that differ across reuse accounts make a conflict; copies of one story repeat one value
and count once. Values more than ``conflict_max_ratio`` apart are taken for different
measures (a daily count beside a yearly one), not a dispute.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from newsdesk.crosscheck.claims import (
    Claim,
    ClaimSentence,
    Conflict,
    ConflictValue,
    CrosscheckOptions,
)
from newsdesk.model import Quantity
from newsdesk.unionfind import UnionFind

_MEASURES = {
    "deaths": ("killed", "dead", "died", "death", "deaths", "toll", "bodies", "lives",
               "fatalities", "drowned"),
    "missing": ("missing",),
    "injured": ("injured", "wounded", "hurt"),
    "evacuated": ("evacuated", "displaced", "evacuation", "homeless"),
    "sheltered": ("shelter", "shelters", "sheltered"),
    "rescued": ("rescued",),
    "arrested": ("arrested", "detained"),
}
# units that count people (a casualty class applies only to these)
_PEOPLE = frozenset({"", "people", "persons", "person", "residents", "bodies", "victims",
                     "others", "children", "civilians", "soldiers", "fishermen", "passengers",
                     "workers", "migrants", "dead"})
_CURRENCIES = frozenset({"USD", "EUR", "GBP", "INR", "PKR", "RUB", "CNY", "JPY", "CHF"})
# a sum in brackets right after another sum converts it ("$US1 million ($1.52 million)",
# "€2 billion ($2.2 billion)"): not a second figure that could disagree
_CONVERSION = re.compile(r"(?:[$\u20ac\u00a3\u00a5]|\b(?:us|usd|eur|gbp|rs|rupees?|dollars?|"
                         r"euros?|pounds?))\s?[\d.,]+\s*(?:million|billion|bn|m|k)?\s*"
                         r"(?:[a-z]{0,8}\s*)?\(\s*$", re.I)
_SKIP_UNITS = frozenset({"year", "years", "date", "time", "month", "months", "day", "days",
                         "week", "weeks", "hour", "hours", "percent_point",
                         # clock times ("12:33 a.m."): when, not how many
                         "a. m.", "p. m.", "a.m.", "p.m.", "am", "pm"})
_STOP = frozenset({"the", "a", "an", "of", "in", "on", "for", "to", "and", "at", "by", "from",
                   "its", "their", "this", "that", "with", "value", "number", "total",
                   "people", "more", "than", "some", "about", "over", "least"})
_WORD = re.compile(r"[a-z]+")


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def _context(q: Quantity, sentence: ClaimSentence, chars: int = 60) -> tuple[str, str]:
    rel_start, rel_end = q.start - sentence.start, q.end - sentence.start
    return (sentence.text[max(0, rel_start - chars):rel_start].lower(),
            sentence.text[rel_end:rel_end + chars].lower())


def _nearest_measure(before: str, after: str) -> str | None:
    """The casualty class whose cue is nearest after the number ("14 people were killed"),
    else nearest before it ("the death toll rose to 19")."""
    best: tuple[int, int, str] | None = None
    for name, cues in _MEASURES.items():
        for c in cues:
            for m in re.finditer(rf"\b{c}\b", after[:45]):
                cand = (0, m.start(), name)
                best = cand if best is None or cand < best else best
            for m in re.finditer(rf"\b{c}\b", before):
                cand = (1, len(before) - m.end(), name)
                best = cand if best is None or cand < best else best
    return best[2] if best else None


def measure_of(q: Quantity, sentence: ClaimSentence) -> tuple[str, frozenset[str]] | None:
    """What a quantity measures, or None when it cannot be compared safely.

    Returns the measure name and the words that say what is counted (empty for the
    casualty classes, which are compared as a whole)."""
    unit = str(q.unit or "")
    about = str(q.about or "")
    if unit.lower() in _SKIP_UNITS or q.value is None:
        return None
    before, after = _context(q, sentence)
    if unit in _CURRENCIES and _CONVERSION.search(before):
        return None  # "$US1 million ($1.52 million)": the same sum in another currency
    if unit.lower() in _PEOPLE:
        name = _nearest_measure("", about.lower()) or _nearest_measure(before, after)
        if name is not None:
            return (name, frozenset())
    # what is counted: the words of "about" when it names a thing ("the agreements",
    # "wheat"); when it is only a name ("Kestria"), the words around the number
    told = _words(" ".join(w for w in about.split() if not w[:1].isupper()))
    words = frozenset(("A:" + w for w in told) if told else
                      ("W:" + w for w in _words(before[-40:] + " " + after[:40])))
    if unit in _CURRENCIES:
        return (f"money:{unit}", words)
    if unit and about:
        return (f"unit:{unit.lower()}", words)
    return None


def find_conflicts(claims: Sequence[Claim], options: CrosscheckOptions | None = None
                   ) -> list[Conflict]:
    """Conflicts among the quantities of one event's claims; the claims that carry a
    disputed value get status ``conflicting`` and the conflict attached."""
    opts = options or CrosscheckOptions()
    # (measure, claim) for each comparable quantity
    items: list[tuple[str, frozenset[str], Quantity, ClaimSentence, Claim]] = []
    for c in claims:
        for s in c.sentences:
            for q in s.quantities:
                m = measure_of(q, s)
                if m is not None:
                    items.append((m[0], m[1], q, s, c))
    by_measure: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        by_measure[it[0]].append(i)
    conflicts: list[Conflict] = []
    for measure in sorted(by_measure):
        ids = by_measure[measure]
        # group items that count the same thing: casualty measures as a whole; money and
        # units by a shared word of "about" or by sitting in one claim; but a count of a
        # plain unit ("two games", "189 yards", "five touchdowns") only by words beyond
        # the unit, in one claim or not: a match report has many such counts of different
        # things (most of the 78 disputes flagged on ECB+ dev; BENCHMARKS.md)
        unit_words = (frozenset("A:" + w for w in _words(measure.split(":", 1)[1]))
                      if measure.startswith("unit:") else frozenset())
        def linked(i: int, j: int, u: frozenset[str] = unit_words) -> bool:
            return _counts_one_thing(items[i][1], items[i][4], items[j][1], items[j][4], u)

        groups = _connected(ids, linked)
        for g in groups:
            conflict = _conflict_of([items[i] for i in g], measure, opts)
            if conflict is not None:
                conflicts.append(conflict)
                # only the claims that state one of the disputed values: not the ones
                # whose figure the dispute left out ("In 2004 a tsunami killed 230,000
                # people" beside today's quake toll)
                disputed = {c for v in conflict.values for c in v.cites}
                for i in g:
                    q, sent, claim = items[i][2], items[i][3], items[i][4]
                    if (sent.article, q.start, q.end) not in disputed:
                        continue
                    claim.status = "conflicting"
                    if claim.conflict is None:
                        claim.conflict = conflict
                        _show_disputed_sentence(claim, conflict)
    return conflicts


def _show_disputed_sentence(claim: Claim, conflict: Conflict) -> None:
    """Make a conflicting claim's text a sentence that states one of the disputed values."""
    figures = [v.text for v in conflict.values]
    if any(f in claim.text for f in figures):
        return
    for s in claim.sentences:
        if any(f in s.text for f in figures):
            claim.text = s.text
            return


def _counts_one_thing(a: frozenset[str], claim_a: Claim, b: frozenset[str], claim_b: Claim,
                      unit_words: frozenset[str]) -> bool:
    """Whether two comparable quantities count one thing: both are casualty totals (no
    words: compared as a whole), they sit in one claim (not for a plain unit's counts:
    ``unit_words`` given), or their descriptions agree beyond the unit's own words."""
    if (claim_a is claim_b and not unit_words) or (not a and not b):
        return True
    return _same_thing(a - unit_words, b - unit_words)


def _same_thing(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two "what is counted" descriptions agree: shared about-words when both have them,
    else at least two shared words around the numbers."""
    told_a = any(w.startswith("A:") for w in a)
    told_b = any(w.startswith("A:") for w in b)
    if told_a and told_b:
        return bool(a & b)
    return len({w[2:] for w in a} & {w[2:] for w in b}) >= (1 if told_a or told_b else 2)


def _connected(ids: list[int], linked: Callable[[int, int], bool]) -> list[list[int]]:
    """Connected components of ``ids`` under ``linked`` (few items per measure: pairwise)."""
    index = {i: k for k, i in enumerate(ids)}
    uf = UnionFind(range(len(ids)))
    for x, i in enumerate(ids):
        for j in ids[x + 1:]:
            if linked(i, j):
                uf.union(index[i], index[j])
    groups: dict[int, list[int]] = defaultdict(list)
    for i in ids:
        groups[uf.find(index[i])].append(i)
    return list(groups.values())


def _conflict_of(group: list[tuple[str, frozenset[str], Quantity, ClaimSentence, Claim]],
                 measure: str, opts: CrosscheckOptions) -> Conflict | None:
    by_value: dict[float, list[tuple[Quantity, ClaimSentence]]] = defaultdict(list)
    for _, _, q, s, _ in group:
        v = float(q.value)  # type: ignore[arg-type]
        by_value[float(f"{v:.4g}")].append((q, s))
    if len(by_value) < 2:
        return None
    accounts_per_value = {v: {s.account for _, s in qs} for v, qs in by_value.items()}
    all_accounts = set().union(*accounts_per_value.values())
    if len(all_accounts) < 2:
        return None  # one source giving two figures (before/after) is not a dispute
    # values far from the typical one count something else ("3 bodies were found in a
    # village" beside a death toll of 17): left out of the dispute
    weighted = sorted(v for v, a in accounts_per_value.items() for _ in a)
    ref = weighted[len(weighted) // 2]
    if ref <= 0:
        return None
    for v in list(by_value):
        if not (ref / opts.conflict_max_ratio <= v <= ref * opts.conflict_max_ratio):
            del by_value[v]
            del accounts_per_value[v]
    # A value that only ever comes beside another value of the group in the same sentence
    # counts something else ("3,000 evacuated and around 1,900 in shelters").
    for v in sorted(by_value, key=lambda v: (len(accounts_per_value[v]), v)):
        sents = {(s.article, s.start) for _, s in by_value[v]}
        others = {(s.article, s.start) for w, qs in by_value.items() if w != v for _, s in qs}
        if len(by_value) > 1 and sents <= others:
            del by_value[v]
            del accounts_per_value[v]
    if len(by_value) < 2 or len(set().union(*accounts_per_value.values())) < 2:
        return None
    out: list[ConflictValue] = []
    for v in sorted(by_value, key=lambda v: (-len(accounts_per_value[v]), v)):
        qs = by_value[v]
        q0, s0 = qs[0]
        out.append(ConflictValue(
            value=v, unit=str(q0.unit or "") or None,
            text=s0.text[q0.start - s0.start:q0.end - s0.start],
            articles=sorted({s.article for _, s in qs}),
            origins=len(accounts_per_value[v]),
            cites=sorted({(s.article, q.start, q.end) for q, s in qs})))
    if measure.startswith(("money", "unit")):
        # the most common description that names a thing ("the agreements"), not a name
        abouts = Counter(str(q.about or "") for _, w, q, _, _ in group
                         if any(x.startswith("A:") for x in w))
        about = abouts.most_common(1)[0][0] if abouts else str(
            group[0][2].about or measure.split(":", 1)[-1])
    else:
        about = measure
    return Conflict(about=about, values=out)
