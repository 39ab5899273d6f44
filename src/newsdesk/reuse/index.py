"""The incremental reuse index, kept in the store next to the articles.

Tables (owned by this stage, created on first use):

``reuse_meta``      the options the index was built with (a change means re-indexing)
``reuse_sketch``    per article: distinct shingles and the sorted fingerprints (BLOB)
``reuse_band``      per article and LSH band: the band key (candidate copies)
``reuse_anchor``    per article: sampled shingle hashes (candidate shared passages)
                    — both in three tiers (``_l0``, ``_l1``, base; see :data:`L0_ROWS`)
``reuse_passage``   per paragraph: its :func:`newsdesk.model.passage_key` and offsets —
                    the NLP cache key, so "where else does this paragraph stand" is a lookup
``reuse_links``     per linked pair: kind, overlap figures and the shared passages

Articles added later are sketched, looked up against everything indexed (band keys and
anchors, by SQL joins), verified and linked. Each pair is judged once, by the same pure
function of the two texts the batch analysis uses, so the links — and every result
computed from them — do not depend on arrival order.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from newsdesk.errors import NewsdeskError
from newsdesk.model import Article, passage_key
from newsdesk.reuse.minhash import overlap, sketch_texts
from newsdesk.reuse.options import ReuseOptions
from newsdesk.reuse.passages import Passage
from newsdesk.reuse.provenance import ArticleInfo, ReuseLink, ReuseResult, build_result, make_link
from newsdesk.store import Store

# The tables are made by the store's migrations (newsdesk.store.migrations).
_TABLES = ("reuse_links", "reuse_passage", "reuse_anchor", "reuse_anchor_l0",
           "reuse_anchor_l1", "reuse_band", "reuse_band_l0", "reuse_band_l1", "reuse_sketch")

# Why tiers (a small log-structured merge, written here because SQLite has none): band and
# anchor keys are hashes, so a day's keys land all over a B-tree keyed by them, and each
# one dirties its own page — adding 100 articles to a 50k archive wrote 26 MB of WAL
# (6,400 band keys into 3.2M). New keys go to ``_l0``, which stays small, so that cost no
# longer depends on the archive; a full ``_l0`` is merged into ``_l1`` in key order, and
# ``_l1`` into the base table once it holds a quarter of it, so each key is rewritten a
# few times in all. Lookups read the three tiers. Merges run inside the update's
# transaction (a killed run leaves either tier intact).
L0_ROWS = 65_536  # keys in the newest tier before it is merged (~1,000 articles' bands)
L1_MIN_ROWS = 4 * L0_ROWS
TIERS = ("_l0", "_l1", "")


@dataclass(slots=True)
class UpdateReport:
    """What one :meth:`ReuseIndex.update` did."""

    indexed: int = 0
    pairs_checked: int = 0
    links_added: int = 0
    rebuilt: bool = False


class ReuseIndex:
    """Reuse links of the articles in a :class:`~newsdesk.store.Store`, kept up to date
    incrementally."""

    def __init__(self, store: Store, opts: ReuseOptions | None = None) -> None:
        self.store = store
        self.opts = opts or ReuseOptions()
        self.opts.validate()
        self.rebuilt = False
        self._check_options()
        self._articles: dict[int, Article] = {}

    # -- bookkeeping --------------------------------------------------------------------
    @property
    def db(self) -> sqlite3.Connection:
        """The store's connection."""
        return self.store.db

    def _check_options(self) -> None:
        want = self.opts.index_key()
        row = self.db.execute("SELECT value FROM reuse_meta WHERE name='options'").fetchone()
        if row is not None and row[0] == want:
            return
        with self.store.transaction() as db:
            if row is not None:  # built with other options: start again
                for t in _TABLES:
                    db.execute(f"DELETE FROM {t}")
                db.execute("DELETE FROM reuse_meta WHERE name LIKE 'rows:%' "
                           "OR name = 'indexed_upto'")
                self.rebuilt = True
            db.execute("INSERT OR REPLACE INTO reuse_meta (name, value) VALUES ('options', ?)",
                       (want,))

    def _rowids(self, refs: Iterable[tuple[str, str]] | None) -> list[int]:
        if refs is None:
            return [r[0] for r in self.db.execute("SELECT rowid FROM articles ORDER BY rowid")]
        out: list[int] = []
        for key, aid in dict.fromkeys(refs):
            row = self.db.execute("SELECT rowid FROM articles WHERE key=? AND id=?",
                                  (key, aid)).fetchone()
            if row is None:
                raise NewsdeskError(f"Article {key!r} ({aid}) is not in the store; ingest it "
                                    "before asking about its reuse.")
            out.append(int(row[0]))
        return out

    def _load(self, rowids: list[int]) -> dict[int, Article]:
        need = [r for r in rowids if r not in self._articles]
        for n in range(0, len(need), 500):
            part = need[n : n + 500]
            q = ",".join("?" * len(part))
            refs = {(row[1], row[2]): int(row[0]) for row in self.db.execute(
                f"SELECT rowid, key, id FROM articles WHERE rowid IN ({q})", part)}
            for a in self.store.articles(list(refs)):
                self._articles[refs[(a.key, a.id)]] = a
        if len(self._articles) > 20_000:  # keep the text cache bounded
            keep = set(rowids)
            self._articles = {k: v for k, v in self._articles.items() if k in keep}
        return {r: self._articles[r] for r in rowids}

    # -- indexing -----------------------------------------------------------------------
    def pending(self, refs: Iterable[tuple[str, str]] | None = None) -> list[int]:
        """Rowids of articles (all, or those named) not indexed yet."""
        if refs is None:  # one anti-join in SQLite: the archive is not read into Python,
            # and only past the mark below which every article is indexed (articles are
            # never deleted, so rowids only grow; a rebuild clears the mark)
            return [int(r[0]) for r in self.db.execute(
                "SELECT a.rowid FROM articles a LEFT JOIN reuse_sketch s ON "
                "s.article_rowid = a.rowid WHERE a.rowid > ? AND s.article_rowid IS NULL "
                "ORDER BY a.rowid", (self._indexed_upto(),))]
        rowids = self._rowids(refs)
        done = {int(r[0]) for r in self.db.execute(
            f"SELECT article_rowid FROM reuse_sketch WHERE article_rowid IN "
            f"({','.join('?' * len(rowids))})", rowids)} if rowids else set()
        return [r for r in rowids if r not in done]

    def update(self, refs: Iterable[tuple[str, str]] | None = None, batch: int = 1000,
               on_article: Callable[[], None] | None = None) -> UpdateReport:
        """Index the articles not indexed yet (all, or those named by (key, id)) and link
        them to everything already indexed."""
        report = UpdateReport(rebuilt=self.rebuilt)
        todo = self.pending(refs)
        top = None
        if refs is None:
            row = self.db.execute("SELECT max(rowid) FROM articles").fetchone()
            top = int(row[0]) if row and row[0] is not None else None
        for n in range(0, len(todo), batch):
            part = todo[n : n + batch]
            checked, added = self._index_batch(part)
            report.indexed += len(part)
            report.pairs_checked += checked
            report.links_added += added
            if on_article is not None:
                for _ in part:
                    on_article()
        if top is not None and top > self._indexed_upto():
            with self.store.transaction() as db:
                db.execute("INSERT OR REPLACE INTO reuse_meta (name, value) "
                           "VALUES ('indexed_upto', ?)", (str(top),))
        return report

    def _indexed_upto(self) -> int:
        """The rowid up to which every article is indexed (0: none known). New articles
        get rowids above the newest stored one, so only deleting the article at the mark
        (by hand: newsdesk never deletes articles) could put a new one below it — and
        then the mark's own sketch row is gone (deleted with it, or never made for the
        article now at that rowid), which is what voids the mark."""
        row = self.db.execute(
            "SELECT value FROM reuse_meta WHERE name = 'indexed_upto'").fetchone()
        if row is None:
            return 0
        mark = int(row[0])
        ok = self.db.execute("SELECT 1 FROM reuse_sketch WHERE article_rowid = ?",
                             (mark,)).fetchone()
        return mark if ok is not None else 0

    # -- tiers ----------------------------------------------------------------------------
    def _rows(self, db: sqlite3.Connection, table: str) -> int:
        row = db.execute("SELECT value FROM reuse_meta WHERE name = ?",
                         (f"rows:{table}",)).fetchone()
        if row is not None:
            return int(row[0])
        n = int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # once per store
        self._set_rows(db, table, n)
        return n

    @staticmethod
    def _set_rows(db: sqlite3.Connection, table: str, n: int) -> None:
        db.execute("INSERT OR REPLACE INTO reuse_meta (name, value) VALUES (?, ?)",
                   (f"rows:{table}", str(n)))

    def _insert_keys(self, db: sqlite3.Connection, base: str,
                     rows: Sequence[tuple[int, ...]]) -> None:
        """Add keys to the newest tier of ``base``; merge tiers that are full."""
        if not rows:
            return
        marks = ",".join("?" * len(rows[0]))
        l0, l1 = base + "_l0", base + "_l1"
        n0 = self._rows(db, l0)  # before the insert: a first count must not see it
        cur = db.executemany(f"INSERT OR IGNORE INTO {l0} VALUES ({marks})", rows)
        n0 += max(cur.rowcount, 0)
        self._set_rows(db, l0, n0)
        if n0 < L0_ROWS:
            return
        self._merge(db, l0, l1)
        if self._rows(db, l1) >= max(L1_MIN_ROWS, self._rows(db, base) // 4):
            self._merge(db, l1, base)

    def _merge(self, db: sqlite3.Connection, src: str, dst: str) -> None:
        # a WITHOUT ROWID table is read in key order, so dst is written in key order
        before = self._rows(db, dst)
        cur = db.execute(f"INSERT OR IGNORE INTO {dst} SELECT * FROM {src}")
        self._set_rows(db, dst, before + max(cur.rowcount, 0))
        db.execute(f"DELETE FROM {src}")
        self._set_rows(db, src, 0)

    def _index_batch(self, rowids: list[int]) -> tuple[int, int]:
        arts = self._load(rowids)
        p = self.opts.sketch_params()
        sk = sketch_texts([arts[r].text for r in rowids], p, workers=self.opts.workers)
        fp_dtype = sk.fps.dtype
        with self.store.transaction() as db:
            sketch_rows: list[tuple[int, int, bytes]] = []
            band_rows: list[tuple[int, int, int]] = []
            anchor_rows: list[tuple[int, int]] = []
            passage_rows: list[tuple[str, int, int, int]] = []
            for n, r in enumerate(rowids):
                sketch_rows.append((r, int(sk.n_shingles[n]), sk.fingerprints(n).tobytes()))
                if sk.n_shingles[n] > 0:
                    band_rows.extend((b, int(h), r) for b, h in enumerate(sk.bands[n].tolist()))
                anchor_rows.extend((int(h), r) for h in sk.anchors_of(n).tolist())
                a = arts[r]
                passage_rows.extend((passage_key(a.text[pa.start : pa.end]), r, pa.start, pa.end)
                                    for pa in a.paragraphs)
            band_rows.sort()  # inserting in key order keeps the B-tree writes local
            anchor_rows.sort()
            db.executemany("INSERT OR REPLACE INTO reuse_sketch VALUES (?,?,?)", sketch_rows)
            self._insert_keys(db, "reuse_band", band_rows)
            self._insert_keys(db, "reuse_anchor", anchor_rows)
            db.executemany("INSERT OR IGNORE INTO reuse_passage VALUES (?,?,?,?)", passage_rows)
            pairs = self._candidates(db, band_rows, anchor_rows)
            others = sorted({x for pr in pairs for x in pr} - set(rowids))
            fps = {r: sk.fingerprints(n) for n, r in enumerate(rowids)}
            for n in range(0, len(others), 500):
                part = others[n : n + 500]
                q = ",".join("?" * len(part))
                for row in db.execute(f"SELECT article_rowid, fps FROM reuse_sketch "
                                      f"WHERE article_rowid IN ({q})", part):
                    fps[int(row[0])] = np.frombuffer(row[1], dtype=fp_dtype)
            arts.update(self._load(others))
            added = 0
            for x, y in sorted(pairs):
                ax, ay = arts[x], arts[y]
                if (ay.key, ay.id) < (ax.key, ax.id):
                    x, y, ax, ay = y, x, ay, ax
                fx, fy = fps[x], fps[y]
                shared = overlap(fx, fy)
                union = len(fx) + len(fy) - shared
                link = make_link(ax, ay, "a", "b", shared, shared / union if union else 0.0,
                                 shared / len(fx) if len(fx) else 0.0,
                                 shared / len(fy) if len(fy) else 0.0, self.opts)
                if link is None:
                    continue
                db.execute(
                    "INSERT OR REPLACE INTO reuse_links VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (x, y, link.kind, link.shared_shingles, link.jaccard, link.contain_a,
                     link.contain_b, link.shared_a, link.shared_b, link.prose_a, link.prose_b,
                     link.prose_passages, json.dumps([p.to_list() for p in link.passages])))
                added += 1
        return len(pairs), added

    def _candidates(self, db: sqlite3.Connection, band_rows: list[tuple[int, int, int]],
                    anchor_rows: list[tuple[int, int]]) -> set[tuple[int, int]]:
        pairs: set[tuple[int, int]] = set()
        db.execute("CREATE TEMP TABLE IF NOT EXISTS reuse_q_band (band INTEGER, hash INTEGER, "
                   "article_rowid INTEGER)")
        db.execute("DELETE FROM temp.reuse_q_band")
        db.executemany("INSERT INTO temp.reuse_q_band VALUES (?,?,?)", band_rows)
        for tier in TIERS:
            for x, y in db.execute(
                    "SELECT DISTINCT q.article_rowid, b.article_rowid FROM temp.reuse_q_band q "
                    f"JOIN reuse_band{tier} b ON b.band = q.band AND b.hash = q.hash "
                    "WHERE b.article_rowid <> q.article_rowid"):
                pairs.add((min(x, y), max(x, y)))
        if self.opts.passages:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS reuse_q_anchor (hash INTEGER, "
                       "article_rowid INTEGER)")
            db.execute("DELETE FROM temp.reuse_q_anchor")
            db.executemany("INSERT INTO temp.reuse_q_anchor VALUES (?,?)", anchor_rows)
            if self.opts.max_anchor_df is not None:  # anchors in too many articles: not used
                df: Counter[int] = Counter()
                for tier in TIERS:
                    for h, c in db.execute(
                            f"SELECT hash, count(*) FROM reuse_anchor{tier} WHERE hash IN "
                            "(SELECT hash FROM temp.reuse_q_anchor) GROUP BY hash"):
                        df[h] += c
                db.executemany("DELETE FROM temp.reuse_q_anchor WHERE hash = ?",
                               [(h,) for h, c in df.items() if c > self.opts.max_anchor_df])
            shared: Counter[tuple[int, int]] = Counter()
            for tier in TIERS:
                for x, y, c in db.execute(
                        "SELECT q.article_rowid, a.article_rowid, count(*) "
                        f"FROM temp.reuse_q_anchor q JOIN reuse_anchor{tier} a "
                        "ON a.hash = q.hash WHERE a.article_rowid <> q.article_rowid "
                        "GROUP BY q.article_rowid, a.article_rowid"):
                    shared[(x, y)] += c
            for (x, y), c in shared.items():
                if c >= self.opts.min_anchors:
                    pairs.add((min(x, y), max(x, y)))
        return pairs

    # -- querying -----------------------------------------------------------------------
    def result(self, refs: Iterable[tuple[str, str]] | None = None) -> ReuseResult:
        """The reuse result for the named articles (default: all), indexing any that are
        not indexed yet."""
        refs = None if refs is None else list(refs)
        self.update(refs)
        rowids = self._rowids(refs)
        db = self.db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS reuse_q_set (rowid INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM temp.reuse_q_set")
        db.executemany("INSERT OR IGNORE INTO temp.reuse_q_set VALUES (?)",
                       [(r,) for r in rowids])
        rows = db.execute(
            "SELECT a.rowid, a.key, a.id, a.source, a.credits, a.published, s.n_shingles "
            "FROM articles a JOIN temp.reuse_q_set q ON q.rowid = a.rowid "
            "JOIN reuse_sketch s ON s.article_rowid = a.rowid").fetchall()
        count: dict[str, int] = {}
        for row in rows:
            count[row[1]] = count.get(row[1], 0) + 1
        infos: dict[int, ArticleInfo] = {}
        for row in rows:
            ref = row[1] if count[row[1]] == 1 else f"{row[1]}@{row[2]}"
            infos[int(row[0])] = ArticleInfo(ref, row[1], row[2], row[3], json.loads(row[4]),
                                             row[5], int(row[6]))
        links: list[ReuseLink] = []
        for row in db.execute(
                "SELECT l.* FROM reuse_links l JOIN temp.reuse_q_set qa ON qa.rowid = l.a "
                "JOIN temp.reuse_q_set qb ON qb.rowid = l.b"):
            links.append(ReuseLink(
                infos[row[0]].ref, infos[row[1]].ref, row[2], int(row[3]), float(row[4]),
                float(row[5]), float(row[6]),
                [Passage.from_list(v) for v in json.loads(row[12])],
                float(row[7]), float(row[8]), float(row[9]), float(row[10]), int(row[11])))
        return build_result(list(infos.values()), links, self.opts)

    def passage_locations(self, key: str) -> list[tuple[str, str, int, int]]:
        """Every indexed paragraph with this passage key: (article key, id, start, end)."""
        return [(r[0], r[1], int(r[2]), int(r[3])) for r in self.db.execute(
            "SELECT a.key, a.id, p.start, p.end FROM reuse_passage p JOIN articles a "
            "ON a.rowid = p.article_rowid WHERE p.passage_key = ? ORDER BY a.key, a.id, p.start",
            (key,))]
