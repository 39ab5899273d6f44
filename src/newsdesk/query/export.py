"""Exports: the archive's tables as flat files for other tools (pandas, DuckDB, R, GDELT users).

An export is a view of the store (one SQL query per export, below): the store stays the
one source. Lists (credits, variants, actors, articles) are lists in Parquet and JSON in
CSV and JSONL. ``political_events`` has one row per coded record, as GDELT's event table:
date, type, mode, source and target codes and names, place, article key and sentence.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from newsdesk.errors import NewsdeskError
from newsdesk.store import Store

FORMATS = ("parquet", "csv", "jsonl")


@dataclass(frozen=True, slots=True)
class ExportSpec:
    """One export: its query and which columns hold JSON lists."""

    sql: str
    json_columns: tuple[str, ...] = ()
    about: str = ""


EXPORTS: dict[str, ExportSpec] = {
    "articles": ExportSpec(
        "SELECT a.key, a.id, a.source, a.credits, a.url, a.published, a.dateline, a.title, "
        "a.text, a.fmt, a.origin, m.event_id AS event_id, c.key AS copy_of, a.ingested_at "
        "FROM articles a LEFT JOIN event_articles m ON m.article_rowid = a.rowid "
        "LEFT JOIN articles c ON c.rowid = m.copy_of ORDER BY a.published, a.key, a.rowid",
        ("credits",), "every stored article with its event"),
    "events": ExportSpec(
        "SELECT e.event_id, e.title, e.first_date, e.last_date, e.place, e.articles, e.copies, "
        "e.independent_sources, e.keywords, e.created, e.updated, e.merged_into, "
        "(SELECT json_group_array(key) FROM (SELECT a.key FROM event_articles m JOIN "
        "articles a ON a.rowid = m.article_rowid WHERE m.event_id = e.event_id "
        "ORDER BY m.seq)) AS article_keys "
        "FROM events e ORDER BY e.first_date, e.event_id",
        ("keywords", "article_keys"), "events (aliases of merged events have merged_into)"),
    "entities": ExportSpec(
        "SELECT e.entity_id, e.name, e.type, e.country, e.roles, e.mentions, e.articles, "
        "e.first_seen, e.last_seen, (SELECT json_group_object(variant, count) FROM "
        "entity_variants v WHERE v.entity_id = e.entity_id) AS variants "
        "FROM entities e ORDER BY e.mentions DESC, e.entity_id",
        ("roles", "variants"), "archive-wide entities with their spellings"),
    "quotes": ExportSpec(
        "SELECT a.key AS article, a.published, a.source AS outlet, m.event_id, "
        "q.speaker, q.speaker_entity, en.name AS speaker_name, q.cue, q.content, q.direct, "
        "q.content_start, q.content_end, q.start, q.end "
        "FROM quotes q JOIN articles a ON a.rowid = q.article_rowid "
        "LEFT JOIN entities en ON en.entity_id = q.speaker_entity "
        "LEFT JOIN event_articles m ON m.article_rowid = a.rowid "
        "ORDER BY a.published, a.key, q.start", (), "quotes with their speakers"),
    "quantities": ExportSpec(
        "SELECT a.key AS article, a.published, m.event_id, q.value, q.unit, q.about, "
        "q.qualifier, q.approximate, q.text, q.start, q.end "
        "FROM quantities q JOIN articles a ON a.rowid = q.article_rowid "
        "LEFT JOIN event_articles m ON m.article_rowid = a.rowid "
        "ORDER BY a.published, a.key, q.start", (), "numbers with what they count"),
    "political_events": ExportSpec(
        "SELECT coalesce(p.date, a.published) AS date, p.type, p.mode, p.source_code, "
        "coalesce(se.name, p.source_text) AS source_name, p.source_entity, p.target_code, "
        "coalesce(te.name, p.target_text) AS target_name, p.target_entity, p.place, "
        "a.key AS article, a.source AS outlet, a.url, m.event_id, "
        "substr(a.text, p.start + 1, p.end - p.start) AS sentence, p.start, p.end, p.actors "
        "FROM political_events p JOIN articles a ON a.rowid = p.article_rowid "
        "LEFT JOIN entities se ON se.entity_id = p.source_entity "
        "LEFT JOIN entities te ON te.entity_id = p.target_entity "
        "LEFT JOIN event_articles m ON m.article_rowid = a.rowid "
        "ORDER BY date, a.key, p.start", ("actors",), "PLOVER records, one row each"),
    "claims": ExportSpec(
        "SELECT c.claim_id, c.event_id, c.seq, c.text, c.status, c.independent_sources, "
        "c.conflict, (SELECT json_group_array(json_array(a.key, ca.start, ca.end)) FROM "
        "claim_articles ca JOIN articles a ON a.rowid = ca.article_rowid "
        "WHERE ca.claim_id = c.claim_id) AS cites "
        "FROM claims c ORDER BY c.event_id, c.seq", ("conflict", "cites"),
        "claims of every event with the sentences that carry them"),
}


def _check(table: str, fmt: str) -> ExportSpec:
    if table not in EXPORTS:
        raise NewsdeskError(f"There is no export {table!r}. Exports: {', '.join(EXPORTS)}.")
    if fmt not in FORMATS:
        raise NewsdeskError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return EXPORTS[table]


def export_rows(store: Store, table: str) -> tuple[list[str], Iterator[dict[str, Any]]]:
    """The columns of an export and its rows, JSON list columns decoded."""
    spec = _check(table, "jsonl")
    cur = store.db.execute(spec.sql)
    cols = [d[0] for d in cur.description]

    def rows() -> Iterator[dict[str, Any]]:
        for r in cur:
            d = dict(zip(cols, tuple(r), strict=True))
            for c in spec.json_columns:
                if d.get(c) is not None:
                    d[c] = json.loads(d[c])
            yield d

    return cols, rows()


def write_export(store: Store, table: str, fmt: str, out: IO[bytes]) -> int:
    """Write one export in ``fmt`` to a binary stream; returns the number of rows."""
    spec = _check(table, fmt)
    cols, rows = export_rows(store, table)
    n = 0
    if fmt == "jsonl":
        for d in rows:
            out.write(json.dumps(d, ensure_ascii=False).encode("utf-8") + b"\n")
            n += 1
        return n
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        w = csv.writer(text)
        w.writerow(cols)
        for d in rows:
            w.writerow([json.dumps(v, ensure_ascii=False) if c in spec.json_columns
                        and v is not None else v for c, v in d.items()])
            n += 1
        text.flush()
        text.detach()
        return n
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = list(rows)
    columns: dict[str, list[Any]] = {c: [d[c] for d in data] for c in cols}
    for c in spec.json_columns:  # nested values as JSON text where they are objects
        if any(isinstance(v, dict) for v in columns[c]):
            columns[c] = [json.dumps(v, ensure_ascii=False) if v is not None else None
                          for v in columns[c]]
        elif any(isinstance(v, list) and v and isinstance(v[0], list) for v in columns[c]):
            columns[c] = [json.dumps(v, ensure_ascii=False) if v is not None else None
                          for v in columns[c]]
    arrays = {}
    for c in cols:
        vals = columns[c]
        if all(v is None for v in vals):
            arrays[c] = pa.array(vals, type=pa.string())
        elif c in ("value",):
            arrays[c] = pa.array([float(v) if v is not None else None for v in vals],
                                 type=pa.float64())
        else:
            arrays[c] = pa.array(vals)
    pq.write_table(pa.table(arrays), out)
    return len(data)
