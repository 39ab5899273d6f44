"""Read-only queries over the archive: events, search, entities, actor pairs, sources.

One filter (:class:`EventFilter`) is shared by the web pages, the JSON API and the
``newsdesk query`` command, so a filter means the same everywhere. Every function takes a
plain ``sqlite3.Connection`` and only reads. Lists use keyset pagination: a page ends with
an opaque ``next`` cursor (the sort key of its last row) and the next page starts after it,
so paging stays cheap and stable while an ingest adds rows.

Bad input raises :class:`QueryError` naming the parameter and saying how to fix it.
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from newsdesk.errors import NewsdeskError

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class QueryError(NewsdeskError):
    """A request the archive cannot answer as asked (bad parameter or query)."""

    def __init__(self, param: str, detail: str) -> None:
        super().__init__(detail)
        self.param = param
        self.detail = detail


class NotFound(NewsdeskError):
    """An id or name that is not in the archive."""

    def __init__(self, what: str, detail: str) -> None:
        super().__init__(detail)
        self.what = what
        self.detail = detail


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events a list shows: every field optional, all given ones must hold."""

    q: str | None = None  # FTS5 query over the events' articles
    date_from: str | None = None  # event still running on/after this date (YYYY[-MM[-DD]])
    date_to: str | None = None  # event started on/before this date
    place: str | None = None
    entity: str | None = None  # entity id mentioned in the event
    source: str | None = None  # outlet that reported the event
    plover: str | None = None  # PLOVER type coded in the event (AGREE, CONSULT, ...)
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    # issue 14 (newsdesk query, watches): added after cursor so positional calls still hold
    entities: str | None = None  # names, any variant or a near spelling, ';'-separated: all
    actors: str | None = None  # PLOVER actor codes ';'-separated: one = either side, two = pair
    published_from: str | None = None  # an article of the event published on/after
    published_to: str | None = None  # ... on/before (partial dates include their period)
    mentioned_from: str | None = None  # a date mentioned in the text (date_mentions.value)
    mentioned_to: str | None = None
    min_sources: int | None = None  # at least this many independent sources
    entity_ids: tuple[tuple[str, ...], ...] = ()  # set by resolve_entities: ids per name
    event_ids: tuple[str, ...] | None = None  # only these events (watch evaluation)

    def checked(self) -> EventFilter:
        """The filter with empty strings dropped and values validated."""
        clean: dict[str, Any] = {k: (v.strip() or None) if isinstance(v, str) else v
                                 for k, v in ((f, getattr(self, f))
                                              for f in FILTER_FIELDS + EXTRA_FILTER_FIELDS)}
        f = replace(self, **clean)
        for name in ("date_from", "date_to", "published_from", "published_to",
                     "mentioned_from", "mentioned_to"):
            v = getattr(f, name)
            if v is not None and not _DATE.match(v):
                raise QueryError(name, f"{name}={v!r} is not a date: give YYYY, YYYY-MM or "
                                       "YYYY-MM-DD, e.g. 2025-03-04.")
        if f.plover is not None:
            f = replace(f, plover=f.plover.upper())
        if f.actors is not None:
            codes = [c.strip().upper() for c in f.actors.split(LIST_SEP) if c.strip()]
            if len(codes) > 2:
                raise QueryError("actors", f"actors={f.actors!r} names {len(codes)} codes: give "
                                           "one (either side) or two (a pair, either "
                                           "direction), e.g. KES;VAL.")
            f = replace(f, actors=LIST_SEP.join(codes) or None)
        if f.min_sources is not None and f.min_sources < 0:
            raise QueryError("min_sources", f"min_sources={f.min_sources} is negative: give 0 "
                                            "or more independent sources.")
        check_limit(f.limit)
        return f

    def params(self) -> dict[str, str]:
        """The filter as query parameters (non-empty ones), for links between pages."""
        return {k: str(v) for k in FILTER_FIELDS + EXTRA_FILTER_FIELDS
                if (v := getattr(self, k)) is not None and v != ""}


FILTER_FIELDS = ("q", "date_from", "date_to", "place", "entity", "source", "plover")
# issue 14's fields (also string-valued query parameters of /api/events and the pages)
EXTRA_FILTER_FIELDS = ("entities", "actors", "published_from", "published_to",
                       "mentioned_from", "mentioned_to", "min_sources")
LIST_SEP = ";"  # between the names of `entities` and the codes of `actors`


@dataclass(slots=True)
class Page:
    """One page of a list and the cursor of the next page (None on the last)."""

    items: list[dict[str, Any]] = field(default_factory=list)
    next: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # list-specific facts (search: ranked)


def check_limit(limit: int, most: int = MAX_LIMIT) -> None:
    """Refuse page sizes outside 1..most."""
    if not 1 <= limit <= most:
        raise QueryError("limit", f"limit={limit} is out of range: ask for 1 to {most} items "
                                  "per page and follow the `next` cursor for more.")


def encode_cursor(key: list[Any]) -> str:
    """An opaque cursor from a row's sort key."""
    raw = json.dumps(key, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, arity: int | tuple[int, ...]) -> list[Any] | None:
    """The sort key inside a cursor; QueryError when it is not one this API made."""
    if cursor is None or cursor == "":
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        key = None
    arities = (arity,) if isinstance(arity, int) else arity
    if not isinstance(key, list) or len(key) not in arities:
        raise QueryError("cursor", "cursor is not one this server made: copy the `next` value "
                                   "(or the Link header's rel=next URL) of the previous page "
                                   "unchanged, or leave cursor out to start at the first page.")
    return key


def _fts_error(q: str, e: sqlite3.OperationalError) -> QueryError:
    return QueryError("q", f"q={q!r} is not a valid full-text query ({e}). Use words "
                           '(all must match), "a phrase" in double quotes, OR between '
                           "alternatives, and a trailing * for prefixes; quote words that "
                           "contain punctuation.")


def is_interrupt(e: sqlite3.OperationalError) -> bool:
    """True when SQLite stopped a query because the progress handler asked it to."""
    return "interrupted" in str(e)


# -- events --------------------------------------------------------------------------------


def _event_item(r: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": r["event_id"], "title": r["title"],
        "dates": {"first": r["first_date"], "last": r["last_date"]},
        "place": r["place"], "articles": r["articles"], "copies": r["copies"],
        "independent_sources": r["independent_sources"],
        "keywords": json.loads(r["keywords"] or "[]"), "updated": r["updated"],
    }


def _event_where(f: EventFilter) -> tuple[list[str], list[Any]]:
    where = ["e.merged_into IS NULL"]
    args: list[Any] = []
    if f.date_from:
        where.append("coalesce(e.last_date, e.first_date) >= ?")
        args.append(f.date_from)
    if f.date_to:
        # a partial date (2025-03) includes its whole month or year
        where.append("substr(coalesce(e.first_date, e.last_date), 1, ?) <= ?")
        args += [len(f.date_to), f.date_to]
    if f.place:
        where.append("e.place = ? COLLATE NOCASE")
        args.append(f.place)
    if f.entity:
        # entity_events (migration 7) holds each entity's events: no scan of its mentions
        where.append("e.event_id IN (SELECT event_id FROM entity_events WHERE entity_id = ?)")
        args.append(f.entity)
    if f.source:
        where.append("e.event_id IN (SELECT m.event_id FROM articles a JOIN event_articles m "
                     "ON m.article_rowid = a.rowid WHERE a.source = ?)")
        args.append(f.source)
    if f.plover:
        where.append("e.event_id IN (SELECT m.event_id FROM political_events p JOIN "
                     "event_articles m ON m.article_rowid = p.article_rowid WHERE p.type = ?)")
        args.append(f.plover)
    if f.q:
        where.append("e.event_id IN (SELECT m.event_id FROM articles_fts JOIN event_articles m "
                     "ON m.article_rowid = articles_fts.rowid WHERE articles_fts MATCH ?)")
        args.append(f.q)
    _extra_where(f, where, args)
    return where, args


def _extra_where(f: EventFilter, where: list[str], args: list[Any]) -> None:
    """The conditions of issue 14's filter fields (entity names resolved beforehand)."""
    if f.entities and not f.entity_ids:
        raise QueryError("entities", "entities given but not resolved: call "
                                     "resolve_entities(db, filter) first.")
    for ids in f.entity_ids:  # every name: an event mentioning any entity it resolved to
        where.append("e.event_id IN (SELECT event_id FROM entity_events WHERE entity_id IN "
                     f"({','.join('?' * len(ids))}))")
        args += list(ids)
    if f.actors:
        codes = f.actors.split(LIST_SEP)
        pe = ("e.event_id IN (SELECT m.event_id FROM political_events p JOIN event_articles m "
              "ON m.article_rowid = p.article_rowid WHERE {}{})")
        typ = " AND p.type = ?" if f.plover else ""
        if len(codes) == 1:
            where.append(pe.format("(p.source_code = ? OR p.target_code = ?)", typ))
            args += [codes[0], codes[0]]
        else:
            where.append(pe.format("((p.source_code = ? AND p.target_code = ?) OR "
                                   "(p.source_code = ? AND p.target_code = ?))", typ))
            args += [codes[0], codes[1], codes[1], codes[0]]
        if f.plover:
            args.append(f.plover)
    for lo, hi, sub in (
            (f.published_from, f.published_to,
             "SELECT m.event_id FROM articles a JOIN event_articles m ON m.article_rowid = "
             "a.rowid WHERE a.published IS NOT NULL"),
            (f.mentioned_from, f.mentioned_to,
             "SELECT m.event_id FROM date_mentions d JOIN event_articles m ON m.article_rowid "
             "= d.article_rowid WHERE d.value IS NOT NULL")):
        if lo is None and hi is None:
            continue
        col = "a.published" if "articles a" in sub else "d.value"
        cond = []
        if lo is not None:
            cond.append(f" AND substr({col}, 1, ?) >= ?")
            args += [len(lo), lo]
        if hi is not None:  # a partial date includes its whole month or year
            cond.append(f" AND substr({col}, 1, ?) <= ?")
            args += [len(hi), hi]
        where.append(f"e.event_id IN ({sub}{''.join(cond)})")
    if f.min_sources is not None:
        where.append("e.independent_sources >= ?")
        args.append(f.min_sources)
    if f.event_ids is not None:
        where.append(f"e.event_id IN ({','.join('?' * len(f.event_ids))})"
                     if f.event_ids else "0")
        args += list(f.event_ids)


FUZZY_CUTOFF = 80.0  # rapidfuzz ratio (0-100) a near spelling needs: "Lavorv" ~ "Lavrov" 83


def resolve_entity(db: sqlite3.Connection, name: str) -> list[str]:
    """Entity ids a user's name means: an exact entity id, name or variant (any case), else
    the entities whose closest variant is the best near spelling (rapidfuzz, at least
    :data:`FUZZY_CUTOFF`). Empty when nothing is close."""
    from rapidfuzz import fuzz, process, utils

    name = name.strip()
    if not name:
        return []
    ids = [str(r[0]) for r in db.execute(
        "SELECT entity_id FROM entities WHERE entity_id = ? OR name = ? COLLATE NOCASE "
        "UNION SELECT entity_id FROM entity_variants WHERE variant = ? COLLATE NOCASE",
        (name, name, name))]
    if ids:
        return sorted(set(ids))
    variants: dict[str, set[str]] = defaultdict(set)
    for eid, v in db.execute("SELECT entity_id, name FROM entities UNION ALL "
                             "SELECT entity_id, variant FROM entity_variants"):
        variants[str(v)].add(str(eid))
        for word in str(v).split():  # a surname alone matches its person ("Lavorv" ~ Lavrov)
            if len(word) >= 4 and word != v:
                variants[word].add(str(eid))
    hits = process.extract(name, list(variants), scorer=fuzz.WRatio,
                           processor=utils.default_process, score_cutoff=FUZZY_CUTOFF,
                           limit=20)
    if not hits:
        return []
    best = max(h[1] for h in hits)
    return sorted({eid for v, score, _ in hits if score >= best - 1e-9 for eid in variants[v]})


def resolve_entities(db: sqlite3.Connection, f: EventFilter) -> EventFilter:
    """The filter with its ``entities`` names resolved to ids (:func:`resolve_entity`);
    QueryError naming the name when one resolves to nothing."""
    if not f.entities or f.entity_ids:
        return f
    out = []
    for name in (n for n in f.entities.split(LIST_SEP) if n.strip()):
        ids = resolve_entity(db, name)
        if not ids:
            raise QueryError("entities", f"no entity is named or spelt like {name.strip()!r}: "
                                         "check the spelling; the known names are in the "
                                         "entities table (/api/entities?q=PREFIX lists them).")
        out.append(tuple(ids))
    return replace(f, entity_ids=tuple(out))


def match_events(db: sqlite3.Connection, f: EventFilter) -> list[str]:
    """Every live event id the filter matches (no paging; latest first), for watches."""
    f = resolve_entities(db, replace(f, cursor=None).checked())
    where, args = _event_where(f)
    return [str(r[0]) for r in db.execute(
        f"SELECT e.event_id FROM events e WHERE {' AND '.join(where)} "
        "ORDER BY coalesce(e.last_date, '') DESC, e.event_id", args)]


def list_events(db: sqlite3.Connection, f: EventFilter) -> Page:
    """Live events matching the filter, latest first (by last date, then id)."""
    f = resolve_entities(db, f.checked())
    where, args = _event_where(f)
    after = decode_cursor(f.cursor, 2)
    if after is not None:
        where.append("(coalesce(e.last_date, '') < ? OR (coalesce(e.last_date, '') = ? "
                     "AND e.event_id > ?))")
        args += [after[0], after[0], after[1]]
    sql = (f"SELECT e.* FROM events e WHERE {' AND '.join(where)} "
           "ORDER BY coalesce(e.last_date, '') DESC, e.event_id LIMIT ?")
    try:
        rows = db.execute(sql, [*args, f.limit + 1]).fetchall()
    except sqlite3.OperationalError as e:
        if f.q and not is_interrupt(e):
            raise _fts_error(f.q, e) from e
        raise
    page = Page([_event_item(r) for r in rows[: f.limit]])
    if len(rows) > f.limit:
        last = rows[f.limit - 1]
        page.next = encode_cursor([last["last_date"] or "", last["event_id"]])
    return page


def event_facets(db: sqlite3.Connection, f: EventFilter, top: int = 12) -> dict[str, Any]:
    """Counts of matching events by place, outlet, PLOVER type, entity and month."""
    f = resolve_entities(db, replace(f.checked(), cursor=None))
    where, args = _event_where(f)
    sub = f"SELECT e.event_id FROM events e WHERE {' AND '.join(where)}"
    q = {
        "place": (f"SELECT e.place, count(*) FROM events e WHERE e.place IS NOT NULL AND "
                  f"e.event_id IN ({sub}) GROUP BY e.place ORDER BY 2 DESC, 1 LIMIT ?"),
        "source": ("SELECT a.source, count(DISTINCT m.event_id) FROM event_articles m JOIN "
                   f"articles a ON a.rowid = m.article_rowid WHERE m.event_id IN ({sub}) AND "
                   "a.source IS NOT NULL GROUP BY a.source ORDER BY 2 DESC, 1 LIMIT ?"),
        "plover": ("SELECT p.type, count(DISTINCT m.event_id) FROM political_events p JOIN "
                   "event_articles m ON m.article_rowid = p.article_rowid WHERE m.event_id IN "
                   f"({sub}) GROUP BY p.type ORDER BY 2 DESC, 1 LIMIT ?"),
        "entity": ("SELECT t.entity_id, count(*), en.name FROM entity_events t LEFT JOIN "
                   f"entities en ON en.entity_id = t.entity_id WHERE t.event_id IN ({sub}) "
                   "GROUP BY t.entity_id ORDER BY 2 DESC, 1 LIMIT ?"),
        "month": (f"SELECT substr(e.first_date, 1, 7), count(*) FROM events e WHERE "
                  f"e.first_date IS NOT NULL AND e.event_id IN ({sub}) GROUP BY 1 "
                  "ORDER BY 1 DESC LIMIT ?"),
    }
    out: dict[str, Any] = {}
    try:
        for name, sql in q.items():
            out[name] = [{"value": r[0], "count": r[1], **({"name": r[2] or r[0]}
                          if name == "entity" else {})}
                         for r in db.execute(sql, [*args, top])]
        out["total"] = int(db.execute(f"SELECT count(*) FROM ({sub})", args).fetchone()[0])
    except sqlite3.OperationalError as e:
        if f.q and not is_interrupt(e):
            raise _fts_error(f.q, e) from e
        raise
    return out


def growing_events(db: sqlite3.Connection, limit: int = 10) -> list[dict[str, Any]]:
    """Events that gained articles in the last day and week (of ingest time), most first,
    with the new articles and new independent outlets of each window."""
    rows = db.execute(
        "WITH recent AS (SELECT m.event_id, m.added, m.copy_of, coalesce(a.source, a.key) AS src "
        "FROM event_articles m JOIN articles a ON a.rowid = m.article_rowid "
        "WHERE m.added >= strftime('%Y-%m-%dT%H:%M:%S', 'now', '-7 days')) "
        "SELECT r.event_id, "
        "sum(r.added >= strftime('%Y-%m-%dT%H:%M:%S', 'now', '-1 day')) AS day_articles, "
        "count(DISTINCT CASE WHEN r.added >= strftime('%Y-%m-%dT%H:%M:%S', 'now', '-1 day') "
        "AND r.copy_of IS NULL THEN r.src END) AS day_sources, "
        "count(*) AS week_articles, "
        "count(DISTINCT CASE WHEN r.copy_of IS NULL THEN r.src END) AS week_sources "
        "FROM recent r JOIN events e ON e.event_id = r.event_id AND e.merged_into IS NULL "
        "GROUP BY r.event_id ORDER BY day_articles DESC, week_articles DESC, r.event_id "
        "LIMIT ?", (limit,)).fetchall()
    if not rows:
        return []
    ev = {r["event_id"]: r for r in db.execute(
        f"SELECT * FROM events WHERE event_id IN ({','.join('?' * len(rows))})",
        [r[0] for r in rows])}
    out = []
    for r in rows:
        item = _event_item(ev[r[0]])
        item["growth"] = {"day": {"articles": r[1], "independent_sources": r[2]},
                          "week": {"articles": r[3], "independent_sources": r[4]}}
        out.append(item)
    return out


def event_row(db: sqlite3.Connection, event_id: str) -> dict[str, Any] | None:
    """One live event's row as a list item."""
    r = db.execute("SELECT * FROM events WHERE event_id=?", (event_id,)).fetchone()
    return _event_item(r) if r is not None else None


def event_article_rowids(db: sqlite3.Connection, event_id: str) -> dict[str, int]:
    """article key (and key@id) -> rowid for an event's articles, to link citations."""
    out: dict[str, int] = {}
    for r in db.execute("SELECT a.rowid, a.key, a.id FROM event_articles m JOIN articles a ON "
                        "a.rowid = m.article_rowid WHERE m.event_id = ?", (event_id,)):
        out.setdefault(r[1], r[0])
        out[f"{r[1]}@{r[2]}"] = r[0]
    return out


def entity_links(db: sqlite3.Connection, names: list[str]) -> dict[str, str]:
    """Brief entity name -> archive entity id, for the names the archive knows."""
    out: dict[str, str] = {}
    for n in names:
        r = db.execute("SELECT entity_id FROM entities WHERE name = ? COLLATE NOCASE "
                       "ORDER BY mentions DESC LIMIT 1", (n,)).fetchone()
        if r is None:
            r = db.execute("SELECT entity_id FROM entity_variants WHERE variant = ? "
                           "COLLATE NOCASE ORDER BY count DESC LIMIT 1", (n,)).fetchone()
        if r is not None:
            out[n] = str(r[0])
    return out


def known_sources(db: sqlite3.Connection, names: list[str]) -> set[str]:
    """Which of these names are outlets of stored articles."""
    return {n for n in names
            if db.execute("SELECT 1 FROM articles WHERE source = ? LIMIT 1", (n,)).fetchone()}


# -- search --------------------------------------------------------------------------------

SNIP_OPEN, SNIP_CLOSE = "\ue000", "\ue001"  # private-use marks around matched terms


# A search ranks (BM25) at most the RANK_WINDOW most recently stored articles that match.
# FTS5 scores every match before it can return the best 50 (~1.5 us a match): a word in
# most of a 20,000-article archive cost 15-20 ms a request, and the cost grows with the
# archive. Recent reports are what a news search is for, so the window keeps the request
# cost flat; ``rank="all"`` (API: ``?rank=all``) ranks every match, bounded by the
# per-request time limit.
RANK_WINDOW = 2000


def search(db: sqlite3.Connection, q: str, limit: int = 50, cursor: str | None = None,
           rank: Literal["recent", "all"] = "recent") -> Page:
    """Full-text hits (BM25 order) grouped by event, copies under their original.

    ``limit`` counts article hits; the cursor continues after the last hit of the page.
    With ``rank="recent"`` only the :data:`RANK_WINDOW` most recently stored matches are
    ranked (``Page.meta["ranked"]`` then says so); ``"all"`` ranks every match. Snippets
    carry :data:`SNIP_OPEN`/:data:`SNIP_CLOSE` around matched terms (raw text: escape
    before showing)."""
    q = (q or "").strip()
    if not q:
        raise QueryError("q", "q is empty: give the words to search for, e.g. q=floods.")
    if rank not in ("recent", "all"):
        raise QueryError("rank", f"rank={rank!r} is not known: use recent (the latest "
                                 f"{RANK_WINDOW:,} matches, the default) or all.")
    check_limit(limit)
    # the cursor carries the rowid range ranked (the window's floor, and the newest article
    # when the search began) so later pages rank the same set while new articles arrive;
    # a two-part cursor (made before the window existed) ranks every match
    after = decode_cursor(cursor, (2, 4))
    try:
        floor, ceiling = 0, None
        if after is not None:
            if len(after) == 4:
                floor, ceiling = int(after[2]), (int(after[3]) if after[3] >= 0 else None)
        else:
            ceiling = db.execute("SELECT max(rowid) FROM articles").fetchone()[0] or 0
            if rank == "recent":
                row = db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
                                 f"ORDER BY rowid DESC LIMIT 1 OFFSET {RANK_WINDOW - 1}",
                                 (q,)).fetchone()
                floor = int(row[0]) if row is not None else 0
        # Rank in FTS5 alone (its ``rank`` is bm25), then fetch snippets and metadata for
        # the page's rows only: 3-4x faster than ordering a join by bm25() on a 20k archive.
        sql = "SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH ?"
        args: list[Any] = [q]
        if floor:
            sql += " AND rowid >= ?"
            args.append(floor)
        if ceiling is not None:
            sql += " AND rowid <= ?"
            args.append(ceiling)
        sql = f"SELECT rowid, rank FROM ({sql})"
        if after is not None:
            sql += " WHERE rank > ? OR (rank = ? AND rowid > ?)"
            args += [after[0], after[0], after[1]]
        sql += " ORDER BY rank, rowid LIMIT ?"
        ranked = db.execute(sql, [*args, limit + 1]).fetchall()
        nxt = None
        if len(ranked) > limit:
            nxt = encode_cursor([ranked[limit - 1][1], ranked[limit - 1][0], floor,
                                 ceiling if ceiling is not None else -1])
            ranked = ranked[:limit]
        ids = [int(r[0]) for r in ranked]
        marks = ",".join("?" * len(ids))
        # One FTS5 pass over the page's rowid range, the page's rows kept by a plain filter
        # (the unary + keeps ``rowid IN`` from FTS5, which would re-run the query once per
        # rowid: 50 x a prefix expansion made "rail*" cost 20-27 ms instead of 3).
        snips = {int(r[0]): r[1] for r in db.execute(
            f"SELECT rowid, snippet(articles_fts, 1, '{SNIP_OPEN}', '{SNIP_CLOSE}', '…', 14) "
            "FROM articles_fts WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ? "
            f"AND +rowid IN ({marks})", [q, min(ids), max(ids), *ids])} if ids else {}
    except sqlite3.OperationalError as e:
        if is_interrupt(e):
            raise
        raise _fts_error(q, e) from e
    meta = {int(r["rowid"]): r for r in db.execute(
        "SELECT a.rowid AS rowid, a.key, a.source, a.title, a.published, m.event_id, "
        "m.copy_of FROM articles a LEFT JOIN event_articles m ON m.article_rowid = a.rowid "
        f"WHERE a.rowid IN ({marks})", ids)} if ids else {}
    rows = [(meta[i], snips.get(i, ""), float(bm25)) for i, bm25 in
            ((int(r[0]), r[1]) for r in ranked) if i in meta]
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for r, snip, bm25 in rows:
        groups.setdefault(r["event_id"], []).append({
            "rowid": r["rowid"], "key": r["key"], "source": r["source"], "title": r["title"],
            "published": r["published"], "snippet": snip, "score": -bm25,
            "copy_of": r["copy_of"], "copies": []})
    events = {}
    event_ids = [e for e in groups if e]
    if event_ids:
        events = {r["event_id"]: _event_item(r) for r in db.execute(
            f"SELECT * FROM events WHERE event_id IN ({','.join('?' * len(event_ids))})",
            event_ids)}
    items = []
    for eid, hits in groups.items():
        by_rowid = {h["rowid"]: h for h in hits}
        top = []
        for h in hits:
            orig = by_rowid.get(h["copy_of"]) if h["copy_of"] is not None else None
            if orig is not None and orig is not h:
                orig["copies"].append(h)
            else:
                top.append(h)
        items.append({"event": events.get(eid) if eid else None, "articles": top})
    return Page(items, nxt, {"ranked": "recent" if floor else "all",
                             "window": RANK_WINDOW if floor else None})


# -- entities ------------------------------------------------------------------------------


def _entity_item(r: sqlite3.Row) -> dict[str, Any]:
    return {"id": r["entity_id"], "name": r["name"], "type": r["type"], "country": r["country"],
            "roles": json.loads(r["roles"] or "[]"), "mentions": r["mentions"],
            "articles": r["articles"], "first_seen": r["first_seen"],
            "last_seen": r["last_seen"]}


def list_entities(db: sqlite3.Connection, q: str | None = None, etype: str | None = None,
                  limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> Page:
    """Entities by mentions (most first), optionally by name/variant prefix and type."""
    check_limit(limit)
    where, args = ["1"], []
    if q and q.strip():
        where.append("(e.name LIKE ? ESCAPE '\\' COLLATE NOCASE OR e.entity_id IN (SELECT "
                     "entity_id FROM entity_variants WHERE variant LIKE ? ESCAPE '\\' "
                     "COLLATE NOCASE))")
        pat = re.sub(r"([%_\\])", r"\\\1", q.strip()) + "%"
        args += [pat, pat]
    if etype and etype.strip():
        where.append("e.type = ?")
        args.append(etype.strip().upper())
    after = decode_cursor(cursor, 2)
    if after is not None:
        where.append("(e.mentions < ? OR (e.mentions = ? AND e.entity_id > ?))")
        args += [after[0], after[0], after[1]]
    rows = db.execute(f"SELECT e.* FROM entities e WHERE {' AND '.join(where)} "
                      "ORDER BY e.mentions DESC, e.entity_id LIMIT ?",
                      [*args, limit + 1]).fetchall()
    page = Page([_entity_item(r) for r in rows[:limit]])
    if len(rows) > limit:
        page.next = encode_cursor([rows[limit - 1]["mentions"], rows[limit - 1]["entity_id"]])
    return page


def _political(db: sqlite3.Connection, where: str, args: list[Any],
               limit: int) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT coalesce(p.date, a.published) AS date, p.type, p.mode, p.source_code, "
        "p.source_entity, coalesce(se.name, p.source_text) AS source_name, p.target_code, "
        "p.target_entity, coalesce(te.name, p.target_text) AS target_name, p.place, "
        "a.rowid AS article_rowid, a.key, a.source AS outlet, m.event_id, p.start, p.end, "
        "substr(a.text, p.start + 1, p.end - p.start) AS sentence "
        "FROM political_events p JOIN articles a ON a.rowid = p.article_rowid "
        "LEFT JOIN entities se ON se.entity_id = p.source_entity "
        "LEFT JOIN entities te ON te.entity_id = p.target_entity "
        "LEFT JOIN event_articles m ON m.article_rowid = a.rowid "
        f"WHERE {where} ORDER BY date, a.key, p.start LIMIT ?", [*args, limit]).fetchall()
    return [{
        "date": r["date"], "type": r["type"], "mode": r["mode"],
        "source": {"code": r["source_code"], "entity": r["source_entity"],
                   "name": r["source_name"]},
        "target": {"code": r["target_code"], "entity": r["target_entity"],
                   "name": r["target_name"]},
        "place": r["place"], "event_id": r["event_id"], "sentence": r["sentence"],
        "cite": {"article": r["key"], "article_rowid": r["article_rowid"],
                 "outlet": r["outlet"], "start": r["start"], "end": r["end"]},
    } for r in rows]


COOCCUR_ARTICLES = 200  # who appears with an entity: counted in its latest 200 articles


def entity_detail(db: sqlite3.Connection, entity_id: str, limit: int = 100) -> dict[str, Any]:
    """An entity: variants, first/last seen, mentions over time, events, quotes, who appears
    with it (in its latest :data:`COOCCUR_ARTICLES` articles, so a very common name costs
    no more than that), and its PLOVER interactions by counterpart."""
    r = db.execute("SELECT * FROM entities WHERE entity_id = ?", (entity_id,)).fetchone()
    if r is None:
        raise NotFound("entity", f"there is no entity {entity_id!r}: entity ids look like "
                                 "person:sergey-lavrov; list them at /api/entities?q=NAME.")
    out = _entity_item(r)
    out["variants"] = [{"variant": v[0], "count": v[1]} for v in db.execute(
        "SELECT variant, count FROM entity_variants WHERE entity_id = ? "
        "ORDER BY count DESC, variant", (entity_id,))]
    # day and event totals are kept by triggers (migration 7): tens of rows, not every
    # mention and article of a common name
    out["over_time"] = [{"date": d[0], "mentions": int(d[1]), "articles": int(d[2])}
                        for d in db.execute(
        "SELECT day, mentions, articles FROM entity_days WHERE entity_id = ? ORDER BY day",
        (entity_id,))]
    out["events"] = [dict(_event_item(r), mentions=int(r["entity_mentions"])) for r in db.execute(
        "SELECT e.*, t.mentions AS entity_mentions FROM entity_events t "
        "JOIN events e ON e.event_id = t.event_id AND e.merged_into IS NULL "
        "WHERE t.entity_id = ? ORDER BY t.last_date DESC, t.event_id LIMIT ?",
        (entity_id, limit))]
    out["quotes"] = [{
        "text": q["content"], "speaker": q["speaker"], "cue": q["cue"],
        "direct": bool(q["direct"]), "published": q["published"], "event_id": q["event_id"],
        "cite": {"article": q["key"], "article_rowid": q["rowid"], "outlet": q["source"],
                 "start": q["content_start"], "end": q["content_end"]},
    } for q in db.execute(
        "SELECT q.*, a.rowid, a.key, a.source, a.published, m.event_id FROM quotes q "
        "JOIN articles a ON a.rowid = q.article_rowid LEFT JOIN event_articles m "
        "ON m.article_rowid = a.rowid WHERE q.speaker_entity = ? "
        "ORDER BY a.published, a.key, q.start LIMIT ?", (entity_id, limit))]
    out["cooccurring"] = [{"id": c[0], "name": c[1] or c[0], "type": c[2], "articles": c[3]}
                          for c in db.execute(
        # distinct (article, entity) pairs first, then one count per entity, names for
        # the 25 kept only: a quarter cheaper than count(DISTINCT) over the joined mentions
        "SELECT c.entity_id, en.name, en.type, c.n FROM (SELECT entity_id, count(*) AS n "
        "FROM (SELECT DISTINCT o.article_rowid, o.entity_id FROM (SELECT DISTINCT "
        "article_rowid FROM mentions WHERE entity_id = ? ORDER BY article_rowid DESC "
        f"LIMIT {COOCCUR_ARTICLES}) s JOIN mentions o ON o.article_rowid = s.article_rowid "
        "WHERE o.entity_id != ?) GROUP BY entity_id ORDER BY n DESC, entity_id LIMIT 25) c "
        "LEFT JOIN entities en ON en.entity_id = c.entity_id ORDER BY c.n DESC, c.entity_id",
        (entity_id, entity_id))]
    recs = _political(db, "p.source_entity = ? OR p.target_entity = ?",
                      [entity_id, entity_id], limit)
    by: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for p in recs:
        mine_src = p["source"]["entity"] == entity_id
        other = p["target"] if mine_src else p["source"]
        oid = other["entity"] or other["code"]
        if not oid:
            continue
        by[(oid, other["name"] or oid, "to" if mine_src else "from")][p["type"]] += 1
    out["interactions"] = [{"with": k[0], "name": k[1], "direction": k[2],
                            "types": dict(v.most_common()), "count": sum(v.values())}
                           for k, v in sorted(by.items(), key=lambda kv: -sum(kv[1].values()))]
    out["political_events"] = recs
    return out


# -- actor pairs ---------------------------------------------------------------------------


def _side(x: str) -> tuple[str, str]:
    """(column stem kind, value): an entity id has a ':' (person:...), else an actor code."""
    x = x.strip()
    if not x:
        raise QueryError("pair", "an actor is empty: give two actor codes (e.g. /pairs/KST/VLM) "
                                 "or entity ids (e.g. /pairs/person:a/person:b).")
    return ("entity", x) if ":" in x else ("code", x.upper())


def pair_detail(db: sqlite3.Connection, a: str, b: str, limit: int = 500) -> dict[str, Any]:
    """PLOVER records between two actors (either direction) over time, stacked by type."""
    ka, va = _side(a)
    kb, vb = _side(b)
    where = (f"((p.source_{ka} = ? AND p.target_{kb} = ?) OR "
             f"(p.source_{kb} = ? AND p.target_{ka} = ?))")
    recs = _political(db, where, [va, vb, vb, va], limit)
    by_date: dict[str, Counter[str]] = defaultdict(Counter)
    types: Counter[str] = Counter()
    for p in recs:
        by_date[str(p["date"] or "undated")[:10]][p["type"]] += 1
        types[p["type"]] += 1

    def name(kind: str, v: str) -> str:
        if kind == "entity":
            r = db.execute("SELECT name FROM entities WHERE entity_id = ?", (v,)).fetchone()
            return str(r[0]) if r else v
        return v

    return {"a": {"id": va, "kind": ka, "name": name(ka, va)},
            "b": {"id": vb, "kind": kb, "name": name(kb, vb)},
            "types": dict(types.most_common()),
            "over_time": [{"date": d, "types": dict(c)} for d, c in sorted(by_date.items())],
            "items": recs}


# -- sources -------------------------------------------------------------------------------


def source_detail(db: sqlite3.Connection, name: str, limit: int = DEFAULT_LIMIT,
                  cursor: str | None = None) -> dict[str, Any]:
    """An outlet: how often it is the origin, a copy or a paraphrase, the agencies it
    credits, and its articles (newest first, keyset-paged)."""
    check_limit(limit)
    n = db.execute("SELECT count(*) FROM articles WHERE source = ?", (name,)).fetchone()[0]
    if not n:
        raise NotFound("source", f"no stored article has the outlet {name!r}: outlet names are "
                                 "case-sensitive, as /api/events items and article pages show "
                                 "them.")
    role_sql = (
        "CASE WHEN m.copy_of IS NOT NULL THEN 'copy' "
        "WHEN EXISTS (SELECT 1 FROM event_articles c WHERE c.copy_of = a.rowid) "
        "THEN 'origin' "
        "WHEN EXISTS (SELECT 1 FROM reuse_links l WHERE l.kind = 'shared' AND "
        "  (l.a = a.rowid OR l.b = a.rowid)) THEN 'paraphrase' ELSE 'original' END")
    roles = Counter({str(r[0]): int(r[1]) for r in db.execute(
        f"SELECT {role_sql} AS role, count(*) FROM articles a LEFT JOIN event_articles m "
        "ON m.article_rowid = a.rowid WHERE a.source = ? GROUP BY role", (name,))})
    credits = [{"agency": r[0], "articles": r[1]} for r in db.execute(
        "SELECT j.value, count(*) FROM articles a, json_each(a.credits) j WHERE a.source = ? "
        "GROUP BY j.value ORDER BY 2 DESC, 1", (name,))]
    where, args = ["a.source = ?"], [name]
    after = decode_cursor(cursor, 2)
    if after is not None:
        where.append("(coalesce(a.published, '') < ? OR (coalesce(a.published, '') = ? AND "
                     "a.rowid < ?))")
        args += [after[0], after[0], after[1]]
    rows = db.execute(
        f"SELECT a.rowid, a.key, a.title, a.published, a.url, m.event_id, m.copy_of, "
        f"c.key AS copy_of_key, c.source AS copy_of_source, {role_sql} AS role "
        "FROM articles a LEFT JOIN event_articles m ON m.article_rowid = a.rowid "
        "LEFT JOIN articles c ON c.rowid = m.copy_of "
        f"WHERE {' AND '.join(where)} ORDER BY coalesce(a.published, '') DESC, a.rowid DESC "
        "LIMIT ?", [*args, limit + 1]).fetchall()
    items = [{"rowid": r["rowid"], "key": r["key"], "title": r["title"],
              "published": r["published"], "url": r["url"], "event_id": r["event_id"],
              "role": r["role"],
              "copy_of": ({"rowid": r["copy_of"], "key": r["copy_of_key"],
                           "source": r["copy_of_source"]} if r["copy_of"] else None)}
             for r in rows[:limit]]
    nxt = None
    if len(rows) > limit:
        last = rows[limit - 1]
        nxt = encode_cursor([last["published"] or "", last["rowid"]])
    return {"name": name, "articles": n,
            "roles": {k: roles.get(k, 0) for k in ("origin", "copy", "paraphrase", "original")},
            "credits": credits, "items": items, "next": nxt}


def article(db: sqlite3.Connection, rowid: int) -> dict[str, Any]:
    """One stored article with its event (for citation targets)."""
    r = db.execute("SELECT a.rowid, a.key, a.source, a.title, a.published, a.url, a.text, "
                   "a.credits, m.event_id, m.copy_of FROM articles a LEFT JOIN event_articles m "
                   "ON m.article_rowid = a.rowid WHERE a.rowid = ?", (rowid,)).fetchone()
    if r is None:
        raise NotFound("article", f"there is no article {rowid}: article numbers come from "
                                  "citation links and /api/search results.")
    d = dict(r)
    d["credits"] = json.loads(d["credits"] or "[]")
    return d
