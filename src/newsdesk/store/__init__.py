"""The embedded store: one SQLite file (WAL), versioned schema, FTS5 over title and text.

Writes happen in batches, each in one transaction, and inserts are idempotent
(``UNIQUE(key, id)``), so a run killed at any point leaves a consistent file and the
next run completes the work without duplicating any of it.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsdesk.errors import Skipped, StoreError
from newsdesk.model import Article, Paragraph, Span
from newsdesk.store.migrations import MIGRATIONS

DEFAULT_DB = "newsdesk.db"
MAX_BATCH_CHARS = 32_000_000  # text + raw held before a write batch is flushed
BUSY_TIMEOUT_S = 30.0  # SQLite's own wait for another process's write lock
BUSY_RETRIES = 6  # then this many more tries, with backoff, before giving up
# Test hook: cap the store file at this many pages (``PRAGMA max_page_count``), which is
# how the tests and bench/bench_faults.py make a full disk without filling one.
MAX_PAGES_ENV = "NEWSDESK_STORE_MAX_PAGES"

def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class SearchHit:
    """One full-text search result."""

    article: Article
    snippet: str
    score: float


class Store:
    """A newsdesk SQLite store. ``path`` may be ``":memory:"`` for one-off runs."""

    def __init__(self, path: str | Path = DEFAULT_DB) -> None:
        self.path = str(path)
        try:
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as e:
            raise StoreError(f"Cannot open the store at {self.path!r}: {e}. Check the path "
                             "exists and is writable, or pass --db :memory:.") from e
        self.db.row_factory = sqlite3.Row
        try:
            # connect(timeout=) sets the same handler; said explicitly because WAL writers
            # rely on it, and a second newsdesk process must wait, not fail.
            self.db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            if self.path != ":memory:":
                _retry_busy(lambda: self.db.execute("PRAGMA journal_mode=WAL"), self.path)
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            pages = os.environ.get(MAX_PAGES_ENV)
            if pages:
                self.db.execute(f"PRAGMA max_page_count={int(pages)}")
            self._migrate_shared()
        except StoreError:
            self.db.close()
            raise
        except sqlite3.DatabaseError as e:
            self.db.close()
            if _is_full(e):
                raise full_store_error(self.path, e) from e
            raise StoreError(f"{self.path!r} is not a usable newsdesk store ({e}). Point --db "
                             "at a new file or at a store newsdesk made.") from e

    # -- schema -------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        """The schema version of the open file."""
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        have = self.schema_version
        if have > len(MIGRATIONS):
            raise StoreError(f"The store {self.path!r} has schema version {have}, newer than "
                             f"this newsdesk ({len(MIGRATIONS)}). Upgrade newsdesk.")
        for version in range(have + 1, len(MIGRATIONS) + 1):
            step = MIGRATIONS[version - 1]
            # The write lock first, then the version read again under it: another process
            # may have migrated meanwhile, and re-running a step on a newer store would set
            # its version back (an IF NOT EXISTS step runs without error).
            self.db.execute("BEGIN IMMEDIATE")
            try:
                if self.schema_version >= version:
                    self.db.execute("ROLLBACK")
                    continue
                if isinstance(step, str):
                    # statement by statement (executescript would commit first)
                    for stmt in _statements(step):
                        self.db.execute(stmt)
                else:
                    step(self.db)
                self.db.execute(f"PRAGMA user_version={version}")
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def _migrate_shared(self) -> None:
        """:meth:`_migrate`, when another process may be migrating the same file at once
        (two commands started on a new store): the loser of the race finds the tables
        made under its feet; it rolls back, reads the version again and carries on."""
        for _ in range(len(MIGRATIONS) + 2):
            before = self.schema_version
            try:
                self._migrate()
                return
            except sqlite3.OperationalError:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                if self.schema_version == before:
                    raise  # nobody else moved the schema on: a real error
        self._migrate()

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------
    def add_articles(self, articles: Iterable[Article], batch: int = 500) -> tuple[int, int]:
        """Insert articles in batched transactions; return (added, already there)."""
        added = existing = 0
        buf: list[Article] = []
        chars = 0
        for a in articles:
            buf.append(a)
            chars += len(a.text) + len(a.raw)
            # Flush on count or on size, so large raw HTML pages keep memory flat.
            if len(buf) >= batch or chars >= MAX_BATCH_CHARS:
                n = self._insert(buf)
                added += n
                existing += len(buf) - n
                buf = []
                chars = 0
        if buf:
            n = self._insert(buf)
            added += n
            existing += len(buf) - n
        return added, existing

    def _insert(self, arts: Sequence[Article]) -> int:
        rows = [
            (a.key, a.id, a.source, json.dumps(a.credits), a.url, a.published, a.dateline,
             a.title, a.text, json.dumps([[p.start, p.end] for p in a.paragraphs]), a.origin,
             a.fmt, zlib.compress(a.raw.encode("utf-8"), 3) if a.raw else None,
             json.dumps(a.meta, default=str), _now())
            for a in arts
        ]
        with self.transaction():
            top = self.db.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0]
            self.db.executemany(
                "INSERT OR IGNORE INTO articles (key, id, source, credits, url, published, "
                "dateline, title, text, paragraphs, origin, fmt, raw, meta, ingested_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            added = self.db.execute("SELECT count(*) FROM articles WHERE rowid > ?",
                                    (top,)).fetchone()[0]
        return int(added)

    def transaction(self) -> _Tx:
        """``with store.transaction():`` — one atomic write."""
        return _Tx(self.db, self.path)

    def record_skips(self, skips: Iterable[Skipped]) -> None:
        """Remember inputs that could not be read (shown by ``newsdesk articles``)."""
        rows = [(s.origin, s.reason, _now()) for s in skips]
        if rows:
            with self.transaction():
                self.db.executemany(
                    "INSERT OR REPLACE INTO skipped (origin, reason, at) VALUES (?,?,?)", rows
                )

    def put_annotations(self, article: Article, layer: str, spans: list[Span]) -> None:
        """Store one annotation layer of an article."""
        rowid = self._rowid(article)
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO annotations (article_rowid, layer, data) VALUES (?,?,?)",
                (rowid, layer, json.dumps([_span_dict(s) for s in spans])),
            )

    def _rowid(self, a: Article) -> int:
        row = self.db.execute("SELECT rowid FROM articles WHERE key=? AND id=?",
                              (a.key, a.id)).fetchone()
        if row is None:
            raise StoreError(f"Article {a.key!r} ({a.id}) is not in the store; ingest it first.")
        return int(row[0])

    # -- reading ------------------------------------------------------------------------
    def count(self) -> int:
        """How many articles the store holds."""
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def skipped(self) -> list[Skipped]:
        """Inputs that were skipped, with reasons."""
        return [Skipped(r["origin"], r["reason"])
                for r in self.db.execute("SELECT origin, reason FROM skipped ORDER BY origin")]

    def articles(self, refs: Iterable[tuple[str, str]] | None = None,
                 with_annotations: bool = False) -> Iterator[Article]:
        """All articles in (published, key) order, or just those named by (key, id) pairs."""
        if refs is None:
            cur = self.db.execute("SELECT * FROM articles ORDER BY published, key, rowid")
            for row in cur:
                yield self._row_to_article(row, with_annotations)
            return
        seen: set[tuple[str, str]] = set()
        wanted = [r for r in refs if not (r in seen or seen.add(r))]  # type: ignore[func-returns-value]
        rows = []
        for key, aid in wanted:
            row = self.db.execute("SELECT * FROM articles WHERE key=? AND id=?",
                                  (key, aid)).fetchone()
            if row is not None:
                rows.append(row)
        rows.sort(key=lambda r: (r["published"] or "", r["key"], r["rowid"]))
        for row in rows:
            yield self._row_to_article(row, with_annotations)

    def _row_to_article(self, row: sqlite3.Row, with_annotations: bool) -> Article:
        raw = zlib.decompress(row["raw"]).decode("utf-8") if row["raw"] else ""
        a = Article(
            key=row["key"], id=row["id"], source=row["source"],
            credits=json.loads(row["credits"]), url=row["url"], published=row["published"],
            dateline=row["dateline"], title=row["title"], text=row["text"],
            paragraphs=[Paragraph(s, e) for s, e in json.loads(row["paragraphs"])],
            origin=row["origin"] or "", fmt=row["fmt"] or "", raw=raw,
            meta=json.loads(row["meta"]),
        )
        if with_annotations:
            for ar in self.db.execute("SELECT layer, data FROM annotations WHERE article_rowid=?",
                                      (row["rowid"],)):
                a.annotations[ar["layer"]] = [Span(**s) for s in json.loads(ar["data"])]
        return a

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        """Full-text search over title and text (FTS5 query syntax, BM25 ranking)."""
        try:
            rows = self.db.execute(
                "SELECT a.*, snippet(articles_fts, 1, '[', ']', '…', 12) AS snip, "
                "bm25(articles_fts) AS score FROM articles_fts JOIN articles a "
                "ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ? "
                "ORDER BY score LIMIT ?",
                (query, limit),
            ).fetchall()
        except sqlite3.OperationalError:
            # Not valid FTS5 syntax: search for the words as plain terms instead.
            terms = " ".join('"' + w.replace('"', "") + '"' for w in query.split())
            if not terms:
                return []
            rows = self.db.execute(
                "SELECT a.*, snippet(articles_fts, 1, '[', ']', '…', 12) AS snip, "
                "bm25(articles_fts) AS score FROM articles_fts JOIN articles a "
                "ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ? "
                "ORDER BY score LIMIT ?",
                (terms, limit),
            ).fetchall()
        return [SearchHit(self._row_to_article(r, False), r["snip"], -float(r["score"]))
                for r in rows]

    def integrity_ok(self) -> bool:
        """``PRAGMA integrity_check`` passes."""
        return bool(self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")



def _span_dict(s: Span) -> dict[str, Any]:
    return {"start": s.start, "end": s.end, "label": s.label, "attrs": s.attrs}


def _code(e: sqlite3.Error) -> int:
    return int(getattr(e, "sqlite_errorcode", 0) or 0) & 0xFF


def _is_busy(e: sqlite3.Error) -> bool:
    return _code(e) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or (
        _code(e) == 0 and "locked" in str(e))


def _is_full(e: sqlite3.Error) -> bool:
    return _code(e) == sqlite3.SQLITE_FULL or "database or disk is full" in str(e)


def full_store_error(path: str, e: sqlite3.Error) -> StoreError:
    """The error a full disk (or a store at its size limit) gives."""
    return StoreError(
        f"The store {path!r} is full ({e}): the disk holding it has no space left. The "
        "batch being written was rolled back, so the store holds only whole batches. Free "
        "disk space, or move the store to a disk with room (--db), and run the command "
        "again; it carries on where it stopped.")


def _store_error(path: str, e: sqlite3.Error) -> StoreError:
    if _is_full(e):
        return full_store_error(path, e)
    if _is_busy(e):
        return StoreError(
            f"The store {path!r} stayed locked by another process ({e}) through "
            f"{BUSY_RETRIES} retries of {BUSY_TIMEOUT_S:.0f} s. Wait for the other newsdesk "
            "command to finish (or stop it) and run this one again.")
    return StoreError(f"Writing to the store {path!r} failed: {e}. Check the file is a "
                      "newsdesk store on a writable disk, then run the command again.")


def _retry_busy(op: Callable[[], object], path: str) -> None:
    """Run ``op``; while SQLite reports the store busy or locked (another process is
    writing and the busy timeout ran out), try again after a growing, jittered pause."""
    for attempt in range(BUSY_RETRIES + 1):
        try:
            op()
            return
        except sqlite3.OperationalError as e:
            if not _is_busy(e) or attempt == BUSY_RETRIES:
                raise
            time.sleep(min(2.0, 0.05 * 2 ** attempt) * (0.5 + random.random()))


def _statements(script: str) -> Iterator[str]:
    """The SQL statements of a script, whole (a trigger's BEGIN ... END included)."""
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                yield buf
            buf = ""
    if buf.strip() and not buf.strip().startswith("--"):
        yield buf


class _Tx:
    """A BEGIN IMMEDIATE … COMMIT block that rolls back on error.

    Taking the write lock up front (IMMEDIATE) means the busy handler, not an upgrade
    deadlock, decides when a second writer gets in; BEGIN and COMMIT are retried with
    backoff while the store is busy. SQLite errors leave as :class:`StoreError` naming
    the store (a full disk says so, and what to do)."""

    def __init__(self, db: sqlite3.Connection, path: str = "") -> None:
        self.db = db
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            _retry_busy(lambda: self.db.execute("BEGIN IMMEDIATE"), self.path)
        except sqlite3.Error as e:
            raise _store_error(self.path, e) from e
        return self.db

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if exc_type is None:
            try:
                _retry_busy(lambda: self.db.execute("COMMIT"), self.path)
                return
            except sqlite3.Error as e:
                self._rollback()
                raise _store_error(self.path, e) from e
        self._rollback()
        if isinstance(exc, sqlite3.Error):
            raise _store_error(self.path, exc) from exc

    def _rollback(self) -> None:
        # SQLite may have rolled back already (a full disk can do that).
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")
