"""Build the brief: one cited account per event, as the ``newsdesk.brief/1`` JSON dict.

Every list in the brief cites the articles (and character ranges) it comes from: the
summary sentences and claims through the aligned sentences of the cross-check, numbers
and quotes through their extraction spans. The dict is what ``--format json`` prints;
the Markdown, HTML and text renderers (:mod:`newsdesk.brief.render`) only format it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsdesk.archive import event_brief, event_refs, update_archive
from newsdesk.brief.summarize import SummaryOptions, summarize_articles
from newsdesk.crosscheck import Claim, CrosscheckOptions, build_claims, find_conflicts
from newsdesk.errors import NewsdeskError
from newsdesk.events.archive import EventArchive
from newsdesk.extract.entities import CanonicalEntity, names_own_outlet
from newsdesk.guard import collect_failures, isolate
from newsdesk.model import Actor, Article, Extraction, passage_key
from newsdesk.nlp import (
    ParsedParagraph,
    StoredDocs,
    default_cache,
    doc_of_blob,
    parse_articles,
    span_at,
)
from newsdesk.overview import gather
from newsdesk.pipeline import Runner
from newsdesk.reuse.provenance import ReuseResult
from newsdesk.store import Store
from newsdesk.text_patterns import DANGLING_WORDS, NEWS_OUTLET, QUOTE_PAIRS, left_open

SCHEMA = "newsdesk.brief/1"
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DURATIONS = frozenset({"year", "years", "month", "months", "week", "weeks", "day", "days",
                        "hour", "hours", "minute", "minutes", "decade", "decades"})
_CASUALTY = re.compile(r"\b(dead|killed|died|death|injured|missing|wounded)\b", re.I)
# speakers that name nobody: pronouns, a relative pronoun the parse took for the subject
# ("which aims to increase ..."), an indefinite ("some", "one", "others")
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you", "this", "that", "these",
                       "those", "which", "who", "whom", "whose", "one", "some", "someone",
                       "somebody", "others", "many", "most", "few", "all", "both", "each",
                       "his", "her", "its", "their", "our", "my", "your"})


@dataclass(slots=True)
class BriefOptions:
    """What goes into a brief."""

    summary_words: int = 120  # length of the summary (``--words`` sets it)
    # Fit the summary to the word budget: sentences may be cut to their core clause (a
    # contiguous, citable part) and the budget filled with the start of one more. Off for
    # the readable default brief (whole sentences); ``--words N`` turns it on, as the
    # 100-word comparisons with published summaries need.
    fit_words: bool = False
    as_one_event: bool = False  # treat every input as one event
    event_id: str | None = None  # only this event
    crosscheck: CrosscheckOptions = field(default_factory=CrosscheckOptions)
    max_timeline: int = 15


Cite = dict[str, Any]


def _cite(key: str, start: int, end: int) -> Cite:
    return {"article": key, "start": start, "end": end}


def build_brief(store: Store, refs: list[tuple[str, str]] | None,
                options: BriefOptions | None = None,
                on_article: Callable[[Article], None] | None = None,
                runner: Runner | None = None) -> dict[str, Any]:
    """Brief the whole events holding ``refs`` (every event for None; only
    ``options.event_id`` when set), after bringing the archive up to date. With
    ``options.as_one_event``, the articles of ``refs`` alone as one event."""
    opts = options or BriefOptions()
    with collect_failures() as failed:
        if opts.as_one_event:
            g = gather(store, refs, as_one_event=True, on_article=on_article, runner=runner)
            events = [_brief_event(e.id, e.title, e.first, e.last, e.place,
                                   [g.articles[k] for k in e.keys], g.reuse, g.entities, opts)
                      for e in g.events]
        else:
            update_archive(store, runner=runner)
            ar = EventArchive(store)
            ids = event_refs(store, refs)
            if opts.event_id is not None:
                live = ar.resolve(opts.event_id)
                if live is None or (refs is not None and live not in ids):
                    shown = ", ".join(ids[:10]) or "none"
                    raise NewsdeskError(
                        f"No event {opts.event_id!r} among these articles. Events here: "
                        f"{shown}. Run `newsdesk events` to list them.")
                ids = [live]
            events = brief_events(store, ids, opts, on_article=on_article)
    # added field: the articles a stage failed on (each kept without that stage's results)
    return {"schema": SCHEMA, "events": events,
            "failures": [f.to_dict() for f in failed.items]}


def _default_shape(opts: BriefOptions) -> bool:
    base = BriefOptions()
    return (opts.summary_words, opts.fit_words, opts.max_timeline, opts.crosscheck) == (
        base.summary_words, base.fit_words, base.max_timeline, base.crosscheck)


def brief_events(store: Store, event_ids: list[str], options: BriefOptions | None = None, *,
                 use_cache: bool = True,
                 on_article: Callable[[Article], None] | None = None) -> list[dict[str, Any]]:
    """The brief of each stored event, in order: from the stored brief when it is current
    and the options are the defaults (no parsing at all), else built from the stored
    articles and their extraction."""
    opts = options or BriefOptions()
    done: dict[str, dict[str, Any]] = {}
    if use_cache and _default_shape(opts):
        for eid in event_ids:
            ev = event_brief(store, eid)
            if ev is not None:
                done[eid] = ev
    todo = [e for e in event_ids if e not in done]
    if todo:
        for task in brief_tasks(store, todo, opts, on_article=on_article):
            done[task.event_id] = task.run()
    return [done[e] for e in event_ids if e in done]


@dataclass(slots=True)
class BriefTask:
    """Everything one event's brief is made of, read from the store: plain data, so
    it can be briefed in another process (:func:`newsdesk.archive.update_archive`
    briefs the events it changed on a process pool)."""

    event_id: str
    title: str
    first: str | None
    last: str | None
    place: str | None
    members: list[Article]
    reuse: ReuseResult
    entities: dict[str, CanonicalEntity]
    options: BriefOptions
    # stored parses (passage key -> doc_blob) of the members' passages this process did
    # not hold in memory: the brief loads them instead of parsing them again with spaCy
    docs: dict[str, bytes] = field(default_factory=dict)

    def run(self) -> dict[str, Any]:
        """The event's brief (the ``newsdesk.brief/1`` event dict)."""
        if self.docs:
            cache = default_cache()
            for k, blob in self.docs.items():
                if k not in cache.docs:
                    cache.put(k, doc_of_blob(blob))
                    cache.backed += 1
        return _brief_event(self.event_id, self.title, self.first, self.last, self.place,
                            self.members, self.reuse, self.entities, self.options)


def brief_tasks(store: Store, event_ids: list[str], options: BriefOptions | None = None, *,
                on_article: Callable[[Article], None] | None = None) -> list[BriefTask]:
    """The :class:`BriefTask` of each stored event that has articles, in order (the
    events read together, as :func:`brief_events` briefs them)."""
    opts = options or BriefOptions()
    g = gather(store, None, event_ids=event_ids, update=False, on_article=on_article)
    tasks = [BriefTask(e.id, e.title, e.first, e.last, e.place,
                       [g.articles[k] for k in e.keys], g.reuse, g.entities, opts)
             for e in g.events]
    # A process that did not parse or extract these articles itself (a later run, the
    # brief command) would parse every passage again (1,000 articles: ~50 CPU s);
    # extraction stored each parse in passage_docs, so those are loaded instead.
    held = default_cache().docs
    stored: StoredDocs | None = None  # made at the first need (it loads the model)
    for t in tasks:
        missing = [k for a in t.members for k in map(passage_key, a.paragraph_texts())
                   if k not in held]
        if missing:
            stored = stored or StoredDocs(store.db, keep_fresh=False)
            t.docs = stored.blobs(missing)
    return tasks


def _brief_event(eid: str, title: str, first: str | None, last: str | None,
                 place: str | None, members: list[Article], reuse: ReuseResult,
                 entities: dict[str, CanonicalEntity], opts: BriefOptions) -> dict[str, Any]:
    keys = [a.key for a in members]
    sub = reuse.restrict([k for k in keys if k in reuse.provenance])
    accounts = {k: f"s{p.account}" for k, p in sub.provenance.items()}
    # stage guard: an article that cannot be parsed here joins the cross-check with no
    # sentences, and a section that raises on an article is built without it (reported)
    parsed_ok, kept = isolate("brief.parse", members, parse_articles)
    good = iter(parsed_ok)
    parsed = [next(good) if k else [] for k in kept]
    parsed_of = {a.key: p for a, p in zip(members, parsed, strict=True)}
    claims = build_claims(members, accounts, opts.crosscheck, parsed)
    find_conflicts(claims, opts.crosscheck)
    # claim sentences per article, by start offset: which claim holds a given offset
    spans: dict[str, list[tuple[int, int, Claim]]] = {}
    for c in claims:
        for s in c.sentences:
            spans.setdefault(s.article, []).append((s.start, s.end, c))
    for v in spans.values():
        v.sort(key=lambda x: x[:2])
    starts = {k: [x[0] for x in v] for k, v in spans.items()}

    def claim_at(key: str, start: int, end: int) -> Claim | None:
        """The claim whose sentence in article ``key`` holds offset ``start``."""
        i = bisect.bisect_right(starts.get(key, []), start) - 1
        if i < 0:
            return None
        s_start, s_end, c = spans[key][i]
        return c if s_start <= start < s_end else None

    # summary
    summary = []
    sopts = SummaryOptions(words=opts.summary_words, shorten=opts.fit_words,
                           fill=opts.fit_words)
    chosen_sentences, _ = isolate("brief.summary", members,
                                  lambda arts: summarize_articles(arts, sopts, accounts))
    for chosen in chosen_sentences:
        found = claim_at(chosen.article, chosen.start, chosen.end)
        cites = [_cite(chosen.article, chosen.start, chosen.end)]
        arts_of = [chosen.article]
        if found is not None:
            arts_of = list(found.articles)
            cites += [_cite(k, a, b) for k, a, b in found.cites
                      if (k, a) != (chosen.article, chosen.start)]
        summary.append({"text": chosen.text, "articles": arts_of, "cites": cites})

    def claim_dict(c: Claim) -> dict[str, Any]:
        conflict = None
        if c.conflict is not None:
            conflict = {"about": c.conflict.about, "values": [
                {"value": v.value, "unit": v.unit, "text": v.text, "articles": v.articles}
                for v in c.conflict.values]}
        return {"id": c.id, "text": c.text, "articles": c.articles,
                "independent_sources": c.origins, "status": c.status,
                "cites": [_cite(*t) for t in c.cites], "conflict": conflict}

    article_rows = []
    for a in members:
        p = sub.provenance.get(a.key)
        article_rows.append({
            "key": a.key, "source": a.source, "title": a.title, "published": a.published,
            "url": a.url, "copy_of": p.copy_of if p else None,
            "independent": not (p and p.copy_of), "account": accounts.get(a.key, a.key),
            "credits": list(a.credits), "text": a.text})
    outlets = []
    for a in members:
        name = a.source or (a.credits[0] if a.credits else a.key)
        if name not in outlets:
            outlets.append(name)
    outlet_of = {a.key: a.source or (a.credits[0] if a.credits else a.key) for a in members}
    return {
        "id": eid, "title": title, "dates": {"first": first, "last": last}, "place": place,
        "articles": article_rows,
        "independent_sources": sub.independent_count,
        "summary": summary,
        "claims": [claim_dict(c) for c in claims],
        "quantities": isolate("brief.quantities", members, _quantities)[0],
        "quotes": isolate("brief.quotes", members, lambda arts: _quotes(arts, parsed_of))[0],
        "entities": isolate("brief.entities", members,
                            lambda arts: _entities(arts, entities))[0],
        "timeline": isolate("brief.timeline", members,
                            lambda arts: _timeline(arts, claim_at, opts.max_timeline,
                                                   parsed_of))[0],
        "source_matrix": {"outlets": outlets, "rows": [
            {"claim": c.id, "outlets": sorted({outlet_of[k] for k in c.articles},
                                              key=outlets.index)} for c in claims]},
        "reuse": [{"article": k, "copy_of": p.copy_of, "shares": [
            {"article": ln["other"], "similarity": ln["containment"],
             "passages": ln["passages"]} for ln in p.links]}
            for k, p in sub.provenance.items()],
        "political_events": isolate("brief.political_events", members,
                                    _political_events)[0],
    }


def _quantities(members: Sequence[Article]) -> list[dict[str, Any]]:
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for a in members:
        for q in _ex(a).quantities:
            unit = q.unit or None
            if str(unit or "").lower() in _DURATIONS or q.value is None:
                continue  # "two-day visit", "in 2024": the timeline's business, not a figure
            if (float(q.value) <= 2 and str(unit or "") not in ("percent", "USD", "EUR")
                    and not _CASUALTY.search(q.about or "")):
                continue  # "the two sides", "two countries": not a figure worth listing
            about = q.about or None
            if unit is None and about is None:
                continue  # "6", "as many as 35": a number that says of nothing what it counts
            k = (float(q.value), unit, str(about or "").lower())
            g = groups.setdefault(k, {"value": q.value, "unit": unit,
                                      "text": a.text[q.start:q.end], "about": about,
                                      "articles": [], "cites": []})
            if a.key not in g["articles"]:
                g["articles"].append(a.key)
            g["cites"].append(_cite(a.key, q.start, q.end))
    return sorted(_fold_abouts(list(groups.values())),
                  key=lambda g: (-len(g["articles"]), g["cites"][0]["article"],
                                 g["cites"][0]["start"]))


_ABOUT_STOP = frozenset("a an the in of to for on at by and from with".split())


def _about_words(about: object, unit: object = None) -> frozenset[str]:
    """The words of an ``about``; none when it only repeats the unit ("people")."""
    # singular and plural alike ("damage" / "damages to the church")
    words = frozenset(w.removesuffix("s") for w in re.findall(r"\w+", str(about or "").lower())
                      if w not in _ABOUT_STOP)
    unit_words = frozenset(w.removesuffix("s") for w in re.findall(r"\w+", str(unit or "").lower()))
    return frozenset() if words and words <= unit_words else words


def _fold_abouts(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per figure and what it counts: a row whose ``about`` says less than
    another's of the same amount joins it ("38 percent" of "trade" and of "increase in
    bilateral trade" into "increase in bilateral trade recorded in 2024"; a bare
    "$2.4 billion" into "agreements"). Different things with one amount ("2 people
    killed", "2 people injured") stay apart: neither says less than the other."""
    kept: list[dict[str, Any]] = []
    words = {id(g): _about_words(g["about"], g["unit"]) for g in groups}
    # the fullest descriptions first, then the best reported: they take in the others
    for g in sorted(groups, key=lambda g: (-len(words[id(g)]), -len(g["articles"]))):
        into = [k for k in kept if float(k["value"]) == float(g["value"])
                and k["unit"] == g["unit"] and words[id(g)] <= words[id(k)]]
        if not into:
            kept.append(g)
            continue
        _merge_row(max(into, key=lambda k: len(k["articles"])), g)
    # Then one amount named by different nouns ("$1 million" of "damages to the church",
    # of "overnight fire", of "home church"; "three-story" "structure" and "building")
    # is one figure of the event: its rows join the best reported. Rows that say what
    # happened ("killed", "injured", "missing") keep apart.
    out: list[dict[str, Any]] = []
    for g in sorted(kept, key=lambda g: -len(g["articles"])):
        k2 = None if _says_what_happened(g["about"]) else next(
            (k for k in out if float(k["value"]) == float(g["value"])
             and k["unit"] == g["unit"] and not _says_what_happened(k["about"])), None)
        if k2 is None:
            out.append(g)
        else:
            _merge_row(k2, g)
    return out


def _merge_row(into: dict[str, Any], row: dict[str, Any]) -> None:
    """Fold a number row into another: its articles (once each) and its cites."""
    into["articles"] += [x for x in row["articles"] if x not in into["articles"]]
    into["cites"] += row["cites"]


def _says_what_happened(about: object) -> bool:
    """Whether an ``about`` names an event ("killed", "injured", "missing", "arrested",
    "listed as missing") rather than a thing: a casualty word, or a past participle
    opening it. A participle after a noun qualifies the thing ("increase in bilateral
    trade recorded in 2024" is a thing, and joins "rise in bilateral trade")."""
    words = re.findall(r"\w+", str(about or "").lower())
    return bool(_CASUALTY.search(" ".join(words))) or bool(
        words and len(words[0]) > 4 and words[0].endswith("ed"))


def _quotes(members: Sequence[Article],
            parsed: Mapping[str, Sequence[ParsedParagraph]] | None = None
            ) -> list[dict[str, Any]]:
    """Quotations and reported statements, each once, with who said them. A reported
    content that is no statement — no verb in it ("recalled his interaction with
    President Putin", "concluding his visit to India", "declared a state of emergency") —,
    that stands in a headline-style line ("Russia, Pakistan Agree to Promote Economic
    Diplomacy") or that the parse cut short (ending on "and", "of" ...) is left out: the
    claims carry those sentences."""
    groups: dict[str, dict[str, Any]] = {}
    for a in members:
        paras = (parsed or {}).get(a.key, ())
        for q in _ex(a).quotes:
            if not q.direct and paras and not _states_something(paras, q.content_start,
                                                                q.content_end):
                continue
            if not q.direct and _cut_short(q.content):
                continue  # "orchestrating the bombings in Tanzania and": a content cut short
            if not q.direct and paras and _asks(paras, q.content_start, q.content_end):
                continue  # "asked whether the church had received threats": a question
            speaker = q.speaker_name or _speaker_phrase(q.speaker)
            if not speaker or str(speaker).lower() in _PRONOUNS:
                continue  # a quote whose speaker could not be resolved is not shown as one
            if not q.direct and NEWS_OUTLET.search(str(speaker)):
                continue  # "..., the Anchorage Daily News reported": an outlet reporting,
                # not a party speaking (the claims keep the sentence)
            spans = (_quoted_segments(a.text, q.content_start, q.content_end) if q.direct
                     else [(q.content_start, q.content_end)])
            for s0, e0 in spans:
                start, end = _trim_quote(a.text, s0, e0)
                norm = re.sub(r"\W+", " ", a.text[start:end].lower()).strip()
                if end <= start or len(norm.split()) < 3:
                    continue
                g = groups.setdefault(norm, {"speaker": speaker, "text": a.text[start:end],
                                             "direct": q.direct,
                                             "articles": [], "cites": []})
                if a.key not in g["articles"]:
                    g["articles"].append(a.key)
                g["cites"].append(_cite(a.key, start, end))
    return sorted(groups.values(), key=lambda g: (not g["direct"], -len(g["articles"])))


_SPEAKER_EDGE = "\"'\u201c\u201d\u2018\u2019,;:-\u2013\u2014 "


def _speaker_phrase(phrase: str | None) -> str | None:
    """A speaker named by a phrase, as the brief shows it: without stray marks at its
    ends, and a long phrase cut before its first comma or relative clause ("Maral, a
    resident of Ashgabat who declined to give her surname" -> "Maral"; "a Western
    diplomat, who requested anonymity" -> "a Western diplomat")."""
    if not phrase:
        return phrase
    p = " ".join(str(phrase).split()).strip(_SPEAKER_EDGE)
    if len(p.split()) > 4:
        parts = re.split(r",\s|\s(?:who|which|whose)\s", p)
        cut = parts[0].strip(_SPEAKER_EDGE)
        # "A Bavarian Justice Ministry spokesman, Gerhard Zierl": the name in apposition
        name = parts[1].strip(_SPEAKER_EDGE) if len(parts) > 1 and ", " in p else ""
        if name and len(name.split()) <= 4 and all(
                w[:1].isupper() for w in name.split() if w.lower() not in _NAME_LINKS):
            p = name
        elif cut and cut.lower() not in _PRONOUNS:
            p = cut
    return p or None


# lower-case words inside names ("Ludwig van Beethoven", "Abu al-Hassan")
_NAME_LINKS = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "la", "le",
                         "bin", "ibn", "al", "el", "y"})


# an indirect question opens with one of these and hangs it on its own verb ("asked
# whether the church had received threats", "would not say why she entered rehab")
_QUESTION_WORDS = frozenset({"whether", "if", "why", "how", "what", "when", "where", "who",
                             "whom", "which"})


def _asks(paras: Sequence[ParsedParagraph], start: int, end: int) -> bool:
    """Whether the reported content at ``start:end`` is an indirect question, which
    states nothing: its first word is "whether"/"if" or a wh-word hanging on the
    content's own main verb (or on a word of it: "how many"). "When the fire broke out,
    everyone got out" is a statement: its "when" hangs on the subordinate "broke"."""
    span = span_at(paras, start, end)
    if span is None:
        return False
    words = [t for t in span if not t.is_punct and not t.is_space]
    if not words or words[0].lower_ not in _QUESTION_WORDS:
        return False
    first, root = words[0], span.root
    return first.head == root or (first.head.head == root and first.head.i > first.i
                                  and first.dep_ in ("advmod", "det"))


def _quoted_segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The quotations inside a direct quote's span, each alone, when words outside the
    marks interrupt them ('So many variables," he said. "I won't comment.' gives two) or
    the quotation runs on into another paragraph (each paragraph reopens it with its own
    mark); else the span as it is. So the cue between the pieces is never shown as
    quoted words, and each piece is cited where it stands."""
    seg = text[start:end]
    marks = list(_MARK.finditer(seg))
    if not marks:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    # a span that starts inside a quotation (its opening mark before it) is open
    first = marks[0]
    open_at: int | None = None
    if any(ch.isalpha() for ch in seg[:first.start()]) and (
            first.group() in _CLOSING or not seg[first.start() - 1].isspace()):
        open_at = 0
    line_start = 0
    for m in marks:
        nl = seg.rfind("\n", line_start, m.start())
        if nl >= 0:
            # a paragraph that reopens the quotation with its own mark ends the piece
            # before it; a line that goes on without one (text written one sentence a
            # line) is the same quotation
            if open_at is not None and not seg[nl + 1:m.start()].strip():
                pieces.append((open_at, nl))
                open_at = None
            line_start = nl + 1
        mark = m.group()
        if open_at is not None and (mark in _CLOSING or mark in _BOTH):
            pieces.append((open_at, m.start()))
            open_at = None
            line_start = m.end()
        elif open_at is None and mark not in _CLOSING:
            open_at = m.end()
    if open_at is not None:
        pieces.append((open_at, len(seg)))
    # each piece without the white space at its ends
    pieces = [(a + len(seg[a:b]) - len(seg[a:b].lstrip()),
               b - len(seg[a:b]) + len(seg[a:b].rstrip())) for a, b in pieces if seg[a:b].strip()]
    gaps = [seg[a[1]:b[0]] for a, b in zip(pieces, pieces[1:], strict=False)]
    if len(pieces) >= 2 and any("\n" in g or any(ch.isalpha() for ch in g) for g in gaps):
        return [(start + a, start + b) for a, b in pieces]
    return [(start, end)]


# double quotation marks (single ones double as apostrophes: "she’s"); two
# apostrophes or backquotes stand for one in some feeds ("''Guys hung in there")
_MARK = re.compile("\u201c|\u201d|\u00ab|\u00bb|''|``|\"")
_CLOSING = frozenset({"\u201d", "\u00bb"})
_BOTH = frozenset({'"', "''"})


# a content ending on a word that must be followed by more was cut short by the parse
# (not "that", "her": "agreed to respect that", "told her" end a statement)
_CUT_SHORT = re.compile(rf"\b(?:{'|'.join(sorted(DANGLING_WORDS))})$", re.I)
# an auxiliary or copula needs what follows it ("Instead it was, according to Sarah
# Palin, the offices ..." gave the content "Instead it was"), unless a wh-word before it
# took that ("he did not know what it was")
_AUX_END = re.compile(r"\b(?:is|was|were|are|be|been|being|has|have|had|will|would|can|could|"
                      r"should|may|might|must|shall)$", re.I)
_WH_BEFORE = re.compile(r"\b(?:what|who|whom|where|how|whatever|wherever|which)\b(?:\W+\w+){0,3}"
                        r"\W+\w+$", re.I)


def _cut_short(content: str) -> bool:
    """Whether a reported content ends where more must follow: on a word like "and",
    "of", "the", or on an auxiliary that nothing completes."""
    c = content.rstrip(" ,;:")
    return bool(_CUT_SHORT.search(c) or (_AUX_END.search(c) and not _WH_BEFORE.search(c)))


def _states_something(paras: Sequence[ParsedParagraph], start: int, end: int) -> bool:
    """Whether the words at ``start:end`` (article offsets) make a statement: they hold a
    verb, do not open on a finite verb (a subject the parse left out), and their sentence
    is not a headline-style line (most words capitalised, no closing stop). True when the
    passage is not parsed here."""
    span = span_at(paras, start, end)
    if span is None:
        return True
    if not any(t.pos_ in ("VERB", "AUX") for t in span):
        return False
    words = [t for t in span if not t.is_punct and not t.is_space]
    first = words[0] if words else None
    if first is not None and first.pos_ in ("VERB", "AUX") and first.tag_ in (
            "VBD", "VBZ", "VBP", "MD"):
        # its clause's verb: itself, or the verb it is the auxiliary of ("would be shipped")
        verb = first.head if first.dep_ in ("aux", "auxpass") else first
        if not any(c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for c in verb.children):
            return False  # "were in emergency shelters": the parse left the subject out
    sent = span[0].sent
    sent_words = [t for t in sent if t.is_alpha]
    caps = sum(t.text[:1].isupper() for t in sent_words)
    return not (len(sent_words) >= 4 and caps >= 0.7 * len(sent_words)
                and sent[-1].text not in (".", "!", "?", "\u201d", '"'))


_QUOTE_EDGE = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb,;: "


def _trim_quote(text: str, start: int, end: int) -> tuple[int, int]:
    """The words of a quote without its quotation marks, trailing comma or leading
    "that" (the renderers add their own marks); offsets still index ``text``."""
    orig_start, orig_end = start, end
    while start < end and text[start] in _QUOTE_EDGE:
        start += 1
    while end > start and text[end - 1] in _QUOTE_EDGE:
        end -= 1
    if text[start:start + 5].lower() == "that ":
        start += 5
    # a quotation inside reported speech keeps both its marks ('it would "spread beyond
    # grain and timber"', not '... timber'): a mark trimmed off an edge comes back when
    # the words kept open (or close) a quotation with it
    end = _closing_back(text, start, end, orig_end)
    start = _opening_back(text, orig_start, start, end)
    return start, end


def _closing_back(text: str, start: int, end: int, orig_end: int) -> int:
    seg, tail = text[start:end], text[end:orig_end]
    for o, c in QUOTE_PAIRS:
        if left_open(seg, o, c) and c in tail:
            return end + tail.index(c) + 1
    return end


def _opening_back(text: str, orig_start: int, start: int, end: int) -> int:
    seg, head = text[start:end], text[orig_start:start]
    for o, c in QUOTE_PAIRS:
        if left_open(seg, c, o) and o in head:
            return orig_start + head.rindex(o)
    return start


def _entities(members: Sequence[Article], table: dict[str, CanonicalEntity]
              ) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for a in members:
        for e in _ex(a).mentions:
            if e.type not in ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"):
                continue
            if e.type == "ORG" and names_own_outlet(e.text, a):
                continue  # "told the Gazette" in the Gazette: the newsroom, not a party
            eid = e.entity_id or e.canonical or e.text
            ent = table.get(eid)
            row = seen.setdefault(eid, {
                "name": ent.canonical if ent else e.canonical or e.text,
                "type": ent.type if ent else e.type,
                "variants": set(), "roles": set(ent.roles) if ent else set(),
                "code": (ent.country if ent else e.country),
                "articles": [], "_mentions": 0})
            row["variants"].add(e.text)
            row["_mentions"] += 1
            if e.role:
                row["roles"].add(e.role)
            if a.key not in row["articles"]:
                row["articles"].append(a.key)
    out = []
    for row in sorted(seen.values(), key=lambda r: (-len(r["articles"]), -r["_mentions"],
                                                    r["name"])):
        row.pop("_mentions")
        row["variants"] = sorted(row["variants"])
        row["roles"] = sorted(row["roles"])
        out.append(row)
    return out


def _timeline(members: Sequence[Article], claim_at: Callable[[str, int, int], Claim | None],
              limit: int, parsed: Mapping[str, Sequence[ParsedParagraph]] | None = None
              ) -> list[dict[str, Any]]:
    """Dated claims in date order: the best-supported ``limit`` entries.

    A sentence that names two days is listed at the one its main verb happened on: a
    date that qualifies a noun ("the agreements signed yesterday", "Wednesday's floods")
    gives way to one that qualifies the verb ("on Wednesday welcomed"), read off the
    parse (``parsed``: each article's paragraphs). Without a parse, or when every date
    is of one kind, each is kept."""
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for a in members:
        found: dict[int, list[tuple[str, Claim, Any, bool]]] = {}  # sentence -> dates
        for d in _ex(a).dates:
            value = str(d.value or "")
            if not _FULL_DATE.match(value):
                continue
            c = claim_at(a.key, d.start, d.end)
            if c is None:
                continue
            sent = next(s for s in c.sentences if s.article == a.key and s.start <= d.start < s.end)
            nominal = _of_a_noun((parsed or {}).get(a.key, ()), d.start, d.end)
            found.setdefault(sent.start, []).append((value, c, sent, nominal))
        for dated in found.values():
            if len({v for v, *_ in dated}) > 1 and not all(n for *_, n in dated):
                dated = [x for x in dated if not x[3]]
            for value, c, sent, _ in dated:
                k = (value, c.id)
                e = entries.setdefault(k, {"date": value, "text": sent.text, "articles": [],
                                           "cites": []})
                for key in c.articles:
                    if key not in e["articles"]:
                        e["articles"].append(key)
                cite = _cite(a.key, sent.start, sent.end)
                if cite not in e["cites"]:
                    e["cites"].append(cite)
    ordered = sorted(entries.values(), key=lambda e: (e["date"], -len(e["articles"])))
    # the best-supported entries, shown in date order
    keep = {id(e) for e in sorted(ordered, key=lambda e: -len(e["articles"]))[:limit]}
    return [e for e in ordered if id(e) in keep]


_NOMINAL = frozenset({"NOUN", "PROPN", "PRON", "NUM"})


def _of_a_noun(paragraphs: Sequence[ParsedParagraph], start: int, end: int) -> bool:
    """Whether the date expression at ``start:end`` (article offsets) qualifies a noun:
    on the way up from its head to the sentence's root, a noun comes before the root
    ("signed yesterday" -> "agreements"; "Wednesday's" -> "floods"). False when the
    passage is not parsed here."""
    span = span_at(paragraphs, start, end)
    if span is None:
        return False
    t = span.root
    while t.head.i != t.i:  # a root is its own head (Token objects are new each time)
        t = t.head
        if t.pos_ in _NOMINAL and t.head.i != t.i:
            return True
    return False


def _political_events(members: Sequence[Article]) -> list[dict[str, Any]]:
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for a in members:
        for ev in _ex(a).events:
            src, tgt = ev.source, ev.target
            k = (ev.type, tuple(sorted(str(x.code) for x in src)),
                 tuple(sorted(str(x.code) for x in tgt)), ev.date)
            g = groups.setdefault(k, {"date": ev.date, "event": ev.type,
                                      "source": [_actor(x) for x in src],
                                      "target": [_actor(x) for x in tgt],
                                      "articles": [], "cites": [], "reported": None})
            if a.key not in g["articles"]:
                g["articles"].append(a.key)
            # the earliest report's day: what a reader can go by when the sentence
            # gives no date of its own (GDELT dates such records by the report)
            day = (a.published or "")[:10] or None
            if day and (g["reported"] is None or day < g["reported"]):
                g["reported"] = day
            g["cites"].append(_cite(a.key, ev.start, ev.end))
    return sorted(groups.values(), key=lambda g: (-len(g["articles"]), str(g["date"]),
                                                  str(g["event"])))


def _actor(x: Actor) -> dict[str, Any]:
    return {"text": x.text, "code": x.code, "sector": x.sector}


def _ex(a: Article) -> Extraction:
    """What the extraction stage found in an article (typed records; empty if none)."""
    return a.extraction if a.extraction is not None else Extraction()

