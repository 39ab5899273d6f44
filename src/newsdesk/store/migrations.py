"""The store's versioned schema: an append-only list of migrations.

``PRAGMA user_version`` is the number of migrations applied. Each entry upgrades the
schema by one version inside one transaction together with the version bump, so a crash
leaves the old version and the next open applies it again. Never edit a released entry:
append a new one. An entry is SQL, or a function for a step SQL cannot say (copying the
rows of tables an older release created on demand).

Every table newsdesk writes is made here: the stages never create tables of their own.
``docs/schema.md`` documents each table with example queries.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

Migration = str | Callable[[sqlite3.Connection], None]

V1 = """
CREATE TABLE articles (
    rowid INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    id TEXT NOT NULL,
    source TEXT,
    credits TEXT NOT NULL DEFAULT '[]',
    url TEXT,
    published TEXT,
    dateline TEXT,
    title TEXT,
    text TEXT NOT NULL,
    paragraphs TEXT NOT NULL DEFAULT '[]',
    origin TEXT,
    fmt TEXT,
    raw BLOB,
    meta TEXT NOT NULL DEFAULT '{}',
    ingested_at TEXT NOT NULL,
    UNIQUE (key, id)
);
CREATE INDEX articles_id ON articles(id);
CREATE INDEX articles_published ON articles(published);
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='rowid', tokenize='porter unicode61'
);
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.rowid, old.title, old.text);
END;
CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.rowid, old.title, old.text);
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TABLE skipped (
    origin TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE annotations (
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    layer TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (article_rowid, layer)
);
"""

# Tables release 0.1 created on demand (``CREATE TABLE IF NOT EXISTS`` in the stages). A
# store it wrote may or may not hold them; version 2 makes sure they exist before it
# copies or renames them, so the upgrade is the same for every 0.1 store.
_V1_STAGE_TABLES = """
CREATE TABLE IF NOT EXISTS reuse_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reuse_sketch (
    article_rowid INTEGER PRIMARY KEY REFERENCES articles(rowid) ON DELETE CASCADE,
    n_shingles INTEGER NOT NULL,
    fps BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS reuse_band (
    band INTEGER NOT NULL, hash INTEGER NOT NULL,
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    PRIMARY KEY (band, hash, article_rowid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reuse_anchor (
    hash INTEGER NOT NULL,
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    PRIMARY KEY (hash, article_rowid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reuse_passage (
    passage_key TEXT NOT NULL,
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    start INTEGER NOT NULL, end INTEGER NOT NULL,
    PRIMARY KEY (passage_key, article_rowid, start)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reuse_link (
    a INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    b INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    kind TEXT NOT NULL, shared INTEGER NOT NULL, jaccard REAL NOT NULL,
    contain_a REAL NOT NULL, contain_b REAL NOT NULL,
    shared_a REAL NOT NULL, shared_b REAL NOT NULL,
    prose_a REAL NOT NULL, prose_b REAL NOT NULL, prose_passages INTEGER NOT NULL,
    passages TEXT NOT NULL,
    PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reuse_link_b ON reuse_link(b);
CREATE INDEX IF NOT EXISTS reuse_passage_article ON reuse_passage(article_rowid);
CREATE TABLE IF NOT EXISTS events_features (key TEXT NOT NULL, id TEXT NOT NULL,
    version INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (key, id));
CREATE TABLE IF NOT EXISTS events_event (event_id TEXT PRIMARY KEY, title TEXT NOT NULL,
    first_date TEXT, last_date TEXT, place TEXT, size INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events_member (key TEXT NOT NULL, id TEXT NOT NULL,
    event_id TEXT NOT NULL, copy_of TEXT, seq INTEGER NOT NULL, PRIMARY KEY (key, id));
CREATE TABLE IF NOT EXISTS extract_state (
    key TEXT NOT NULL, id TEXT NOT NULL, batch TEXT NOT NULL, version TEXT NOT NULL,
    at TEXT NOT NULL, PRIMARY KEY (key, id));
CREATE TABLE IF NOT EXISTS extract_entities (
    batch TEXT NOT NULL, entity_id TEXT NOT NULL, canonical TEXT NOT NULL, type TEXT NOT NULL,
    country TEXT, variants TEXT NOT NULL, roles TEXT NOT NULL, mentions INTEGER NOT NULL,
    PRIMARY KEY (batch, entity_id));
"""

V2_TABLES = """
ALTER TABLE reuse_link RENAME TO reuse_links;
DROP INDEX IF EXISTS reuse_link_b;
CREATE INDEX reuse_links_b ON reuse_links(b);

-- events: one row per event; an event merged into another keeps its row as an alias
CREATE TABLE events (
    event_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    first_date TEXT,
    last_date TEXT,
    place TEXT,
    articles INTEGER NOT NULL DEFAULT 0,
    copies INTEGER NOT NULL DEFAULT 0,
    independent_sources INTEGER NOT NULL DEFAULT 0,
    keywords TEXT NOT NULL DEFAULT '[]',
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    merged_into TEXT REFERENCES events(event_id)
);
CREATE INDEX events_updated ON events(updated);
CREATE INDEX events_last_date ON events(last_date);
CREATE INDEX events_merged_into ON events(merged_into);
CREATE TABLE event_articles (
    article_rowid INTEGER PRIMARY KEY REFERENCES articles(rowid) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES events(event_id),
    copy_of INTEGER REFERENCES articles(rowid) ON DELETE SET NULL,
    seq INTEGER NOT NULL,
    added TEXT NOT NULL
);
CREATE INDEX event_articles_event ON event_articles(event_id, seq);
-- settings the archive's stored results depend on (name -> value)
CREATE TABLE archive_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
-- the online clusterer's state at the start of a day (JSON, zlib): later days replay from it
CREATE TABLE events_checkpoints (
    day TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    state BLOB NOT NULL,
    at TEXT NOT NULL
);

-- entities, archive-wide
CREATE TABLE entities (
    entity_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    country TEXT,
    roles TEXT NOT NULL DEFAULT '[]',
    mentions INTEGER NOT NULL DEFAULT 0,
    articles INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT,
    last_seen TEXT
);
CREATE INDEX entities_name ON entities(name COLLATE NOCASE);
CREATE TABLE entity_variants (
    entity_id TEXT NOT NULL REFERENCES entities(entity_id) ON DELETE CASCADE,
    variant TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (entity_id, variant)
);
CREATE INDEX entity_variants_variant ON entity_variants(variant COLLATE NOCASE);
CREATE TABLE mentions (
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    entity_id TEXT NOT NULL,
    type TEXT NOT NULL,
    text TEXT NOT NULL,
    role TEXT,
    PRIMARY KEY (article_rowid, start)
);
CREATE INDEX mentions_entity ON mentions(entity_id);

-- what the extractors found, one row per finding; offsets index articles.text
CREATE TABLE quotes (
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    speaker TEXT,
    speaker_entity TEXT,
    speaker_start INTEGER,
    speaker_end INTEGER,
    cue TEXT,
    cue_start INTEGER,
    cue_end INTEGER,
    content TEXT NOT NULL,
    content_start INTEGER NOT NULL,
    content_end INTEGER NOT NULL,
    direct INTEGER NOT NULL,
    kind TEXT,
    PRIMARY KEY (article_rowid, start, end)
);
CREATE INDEX quotes_speaker ON quotes(speaker_entity);
CREATE TABLE quantities (
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    value REAL,
    unit TEXT NOT NULL DEFAULT '',
    about TEXT NOT NULL DEFAULT '',
    qualifier TEXT,
    approximate INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL,
    PRIMARY KEY (article_rowid, start, end)
);
CREATE TABLE date_mentions (
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    value TEXT,
    grain TEXT,
    text TEXT NOT NULL,
    PRIMARY KEY (article_rowid, start, end)
);
CREATE INDEX date_mentions_value ON date_mentions(value);
CREATE TABLE political_events (
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    date TEXT,
    type TEXT NOT NULL,
    mode TEXT,
    source_code TEXT,
    source_entity TEXT,
    source_text TEXT,
    target_code TEXT,
    target_entity TEXT,
    target_text TEXT,
    place TEXT,
    actors TEXT NOT NULL DEFAULT '{"source": [], "target": []}',
    PRIMARY KEY (article_rowid, start, end, type)
);
CREATE INDEX political_events_pair ON political_events(source_code, target_code, date);
CREATE INDEX political_events_type ON political_events(type, date);
-- which articles hold extraction results, and of which extractor version
CREATE TABLE extract_done (
    article_rowid INTEGER PRIMARY KEY REFERENCES articles(rowid) ON DELETE CASCADE,
    version TEXT NOT NULL,
    at TEXT NOT NULL
);
-- spaCy parses, once per unique passage (newsdesk.model.passage_key) and model
CREATE TABLE passage_docs (
    passage_key TEXT NOT NULL,
    model TEXT NOT NULL,
    doc BLOB NOT NULL,
    PRIMARY KEY (passage_key, model)
) WITHOUT ROWID;

-- cross-check: claims of an event and the sentences that carry them
CREATE TABLE claims (
    claim_id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES events(event_id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL,
    independent_sources INTEGER NOT NULL,
    conflict TEXT
);
CREATE INDEX claims_event ON claims(event_id, seq);
CREATE TABLE claim_articles (
    claim_id TEXT NOT NULL REFERENCES claims(claim_id) ON DELETE CASCADE,
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    PRIMARY KEY (claim_id, article_rowid, start)
);
CREATE INDEX claim_articles_article ON claim_articles(article_rowid);
-- the brief of an event as built at its last update (newsdesk.brief/1 JSON, zlib)
CREATE TABLE event_briefs (
    event_id TEXT PRIMARY KEY REFERENCES events(event_id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    updated TEXT NOT NULL,
    data BLOB NOT NULL
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _v2(db: sqlite3.Connection) -> None:
    """Adopt 0.1's on-demand tables, add the archive's tables and copy 0.1's results.

    Kept without loss: articles, annotations, reuse index and links, event features,
    events and their members (same ids). 0.1's per-batch entity tables become the
    archive-wide ``entities``/``entity_variants`` (variants and mention counts summed);
    the typed extraction tables are filled by the next ``newsdesk extract`` from the
    stored annotation layers' articles (their ``extract_done`` rows are absent)."""
    for stmt in _statements(_V1_STAGE_TABLES + V2_TABLES):
        db.execute(stmt)
    now = _now()
    # events and members: keys -> rowids
    rows = db.execute(
        "SELECT m.event_id, m.seq, a.rowid, c.rowid FROM events_member m "
        "JOIN articles a ON a.key = m.key AND a.id = m.id "
        "LEFT JOIN articles c ON c.rowid = (SELECT min(rowid) FROM articles "
        "WHERE key = m.copy_of) ORDER BY m.seq").fetchall()
    for r in db.execute("SELECT event_id, title, first_date, last_date, place, size, data "
                        "FROM events_event"):
        d = json.loads(r[6])
        db.execute(
            "INSERT INTO events (event_id, title, first_date, last_date, place, articles, "
            "copies, keywords, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (r[0], r[1], r[2], r[3], r[4], r[5], int(d.get("copies", 0)),
             json.dumps(d.get("keywords", [])), now, now))
    known = {r[0] for r in db.execute("SELECT event_id FROM events")}
    db.executemany(
        "INSERT OR IGNORE INTO event_articles (article_rowid, event_id, copy_of, seq, added) "
        "VALUES (?,?,?,?,?)",
        [(r[2], r[0], r[3], r[1], now) for r in rows if r[0] in known])
    # entities: one row per id over 0.1's batches
    head: dict[str, tuple[str, str, str | None]] = {}
    variants: dict[str, dict[str, int]] = {}
    roles: dict[str, set[str]] = {}
    mentions: dict[str, int] = {}
    for r in db.execute("SELECT entity_id, canonical, type, country, variants, roles, mentions "
                        "FROM extract_entities ORDER BY batch"):
        head.setdefault(r[0], (r[1], r[2], r[3]))
        vs = variants.setdefault(r[0], {})
        for v in json.loads(r[4]):
            vs[v] = vs.get(v, 0) + 1
        roles.setdefault(r[0], set()).update(json.loads(r[5]))
        mentions[r[0]] = mentions.get(r[0], 0) + int(r[6])
    for eid, (name, etype, country) in head.items():
        db.execute("INSERT INTO entities (entity_id, name, type, country, roles, mentions) "
                   "VALUES (?,?,?,?,?,?)",
                   (eid, name, etype, country, json.dumps(sorted(roles[eid])), mentions[eid]))
        db.executemany("INSERT INTO entity_variants (entity_id, variant, count) VALUES (?,?,?)",
                       [(eid, v, n) for v, n in variants[eid].items()])
    for t in ("events_member", "events_event", "extract_entities", "extract_state"):
        db.execute(f"DROP TABLE {t}")


def _statements(script: str) -> list[str]:
    """Split a script of plain DDL (no triggers) into statements, comments dropped."""
    lines = [ln for ln in script.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


# Version 3 (issue 11, extraction): the blocking keys of archive-wide entity linking
# (``newsdesk.extract.archive.entity_keys``: type and folded name, organisation key,
# acronym, ISO code, surname skeleton forwards and reversed), so that linking a batch's
# entities looks its candidates up instead of reading every stored entity. Entities a
# store holds without keys (those 0.1's tables became) get them on the next extraction.
V3_ENTITY_KEYS = """
CREATE TABLE entity_keys (
    key TEXT NOT NULL,
    entity_id TEXT NOT NULL REFERENCES entities(entity_id) ON DELETE CASCADE,
    PRIMARY KEY (key, entity_id)
) WITHOUT ROWID;
CREATE INDEX entity_keys_entity ON entity_keys(entity_id);
"""
# Version 4 (issue 14): watches, their alerts and state, and what `newsdesk follow` polls.
V4_FOLLOW = """
-- issue 14. IF NOT EXISTS throughout: main numbers its own third migration (entity keys);
-- on merge this one goes after it, and re-running it on a store that has it is harmless.
-- saved queries (issue 14): `filter` is the EventFilter as JSON (its query parameters)
CREATE TABLE IF NOT EXISTS watches (
    name TEXT PRIMARY KEY,
    filter TEXT NOT NULL,
    created TEXT NOT NULL
);
-- what a watch has fired: one row per (watch, event, kind, state reached)
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    watch TEXT NOT NULL REFERENCES watches(name) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS alerts_watch ON alerts(watch, at);
CREATE INDEX IF NOT EXISTS alerts_at ON alerts(at);
-- the state of each event a watch matched when last evaluated (alerts fire on changes)
CREATE TABLE IF NOT EXISTS watch_events (
    watch TEXT NOT NULL REFERENCES watches(name) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    articles INTEGER NOT NULL,
    independent_sources INTEGER NOT NULL,
    conflicts INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (watch, event_id)
);
-- `newsdesk follow`: one row per polled source (feed URL or folder)
CREATE TABLE IF NOT EXISTS follow_sources (
    source TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_poll TEXT,
    last_ok TEXT,
    errors INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_poll TEXT
);
-- files of followed folders already ingested (path, size, mtime): only new ones are read
CREATE TABLE IF NOT EXISTS follow_files (
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (source, path)
);
"""

# Version 5 (issue 13): covering indexes for the entity pages (an entity's articles in one
# index range; who appears with it without reading the mention rows).
V5_ENTITY_INDEXES = """
CREATE INDEX IF NOT EXISTS mentions_entity_article ON mentions(entity_id, article_rowid);
CREATE INDEX IF NOT EXISTS mentions_article_entity ON mentions(article_rowid, entity_id);
CREATE INDEX IF NOT EXISTS political_events_source_entity ON political_events(source_entity);
CREATE INDEX IF NOT EXISTS political_events_target_entity ON political_events(target_entity);
"""

# Version 6 (issue 11): the reuse index's band and anchor keys in tiers. New keys go to a
# small ``_l0`` table, which is merged into ``_l1`` and that into the base table as they
# fill (newsdesk.reuse.index). Inserting a day's keys into one big B-tree touched a page
# per key (26 MB of WAL for 100 articles at 50k); the small tier keeps that constant.
V6_REUSE_TIERS = """
CREATE TABLE IF NOT EXISTS reuse_band_l0 (
    band INTEGER NOT NULL, hash INTEGER NOT NULL,
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    PRIMARY KEY (band, hash, article_rowid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reuse_band_l1 (
    band INTEGER NOT NULL, hash INTEGER NOT NULL,
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    PRIMARY KEY (band, hash, article_rowid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reuse_anchor_l0 (
    hash INTEGER NOT NULL,
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    PRIMARY KEY (hash, article_rowid)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reuse_anchor_l1 (
    hash INTEGER NOT NULL,
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    PRIMARY KEY (hash, article_rowid)) WITHOUT ROWID;
"""

# Version 7 (issue 13): an entity's mentions per day and per event, kept by triggers on
# the tables they summarise, so an entity page reads tens of rows instead of every
# mention and article of a common name (150 ms for one in 8,800 articles), whichever code
# writes mentions or moves articles between events. An article's `published` never
# changes once stored, and an event's `last_date` is copied for the "latest events" order.
_V7_TABLES = """
CREATE TABLE entity_days (
    entity_id TEXT NOT NULL,
    day TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    PRIMARY KEY (entity_id, day)
) WITHOUT ROWID;
CREATE TABLE entity_events (
    entity_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    last_date TEXT,
    PRIMARY KEY (entity_id, event_id)
) WITHOUT ROWID;
CREATE INDEX entity_events_latest ON entity_events(entity_id, last_date DESC, event_id);
CREATE INDEX entity_events_event ON entity_events(event_id);
"""

# the totals of what is stored already (also a check: the triggers must agree with it)
ENTITY_TOTALS_RECOUNT = """
INSERT INTO entity_days (entity_id, day, mentions, articles)
SELECT m.entity_id, substr(a.published, 1, 10), count(*), count(DISTINCT m.article_rowid)
FROM mentions m JOIN articles a ON a.rowid = m.article_rowid
WHERE a.published IS NOT NULL AND a.published != '' GROUP BY 1, 2;
INSERT INTO entity_events (entity_id, event_id, mentions, articles, last_date)
SELECT m.entity_id, ea.event_id, count(*), count(DISTINCT m.article_rowid), e.last_date
FROM mentions m JOIN event_articles ea ON ea.article_rowid = m.article_rowid
JOIN events e ON e.event_id = ea.event_id GROUP BY 1, 2;
"""

_V7_TRIGGERS = """
CREATE TRIGGER entity_totals_mention_added AFTER INSERT ON mentions BEGIN
    INSERT INTO entity_days (entity_id, day, mentions, articles)
    SELECT NEW.entity_id, substr(a.published, 1, 10), 1,
           NOT EXISTS (SELECT 1 FROM mentions x WHERE x.entity_id = NEW.entity_id
                       AND x.article_rowid = NEW.article_rowid AND x.start != NEW.start)
    FROM articles a WHERE a.rowid = NEW.article_rowid
      AND a.published IS NOT NULL AND a.published != ''
    ON CONFLICT (entity_id, day) DO UPDATE SET mentions = mentions + 1,
        articles = articles + excluded.articles;
    INSERT INTO entity_events (entity_id, event_id, mentions, articles, last_date)
    SELECT NEW.entity_id, ea.event_id, 1,
           NOT EXISTS (SELECT 1 FROM mentions x WHERE x.entity_id = NEW.entity_id
                       AND x.article_rowid = NEW.article_rowid AND x.start != NEW.start),
           e.last_date
    FROM event_articles ea JOIN events e ON e.event_id = ea.event_id
    WHERE ea.article_rowid = NEW.article_rowid
    ON CONFLICT (entity_id, event_id) DO UPDATE SET mentions = mentions + 1,
        articles = articles + excluded.articles;
END;

CREATE TRIGGER entity_totals_mention_removed AFTER DELETE ON mentions BEGIN
    UPDATE entity_days SET mentions = mentions - 1,
        articles = articles - NOT EXISTS (SELECT 1 FROM mentions x
            WHERE x.entity_id = OLD.entity_id AND x.article_rowid = OLD.article_rowid)
    WHERE entity_id = OLD.entity_id
      AND day = (SELECT substr(published, 1, 10) FROM articles WHERE rowid = OLD.article_rowid);
    DELETE FROM entity_days WHERE entity_id = OLD.entity_id AND mentions <= 0
      AND day = (SELECT substr(published, 1, 10) FROM articles WHERE rowid = OLD.article_rowid);
    UPDATE entity_events SET mentions = mentions - 1,
        articles = articles - NOT EXISTS (SELECT 1 FROM mentions x
            WHERE x.entity_id = OLD.entity_id AND x.article_rowid = OLD.article_rowid)
    WHERE entity_id = OLD.entity_id
      AND event_id = (SELECT event_id FROM event_articles WHERE article_rowid = OLD.article_rowid);
    DELETE FROM entity_events WHERE entity_id = OLD.entity_id AND mentions <= 0
      AND event_id = (SELECT event_id FROM event_articles WHERE article_rowid = OLD.article_rowid);
END;

CREATE TRIGGER entity_totals_article_joined AFTER INSERT ON event_articles BEGIN
    INSERT INTO entity_events (entity_id, event_id, mentions, articles, last_date)
    SELECT m.entity_id, NEW.event_id, count(*), 1,
           (SELECT last_date FROM events WHERE event_id = NEW.event_id)
    FROM mentions m WHERE m.article_rowid = NEW.article_rowid GROUP BY m.entity_id
    ON CONFLICT (entity_id, event_id) DO UPDATE SET mentions = mentions + excluded.mentions,
        articles = articles + 1;
END;

CREATE TRIGGER entity_totals_article_left AFTER DELETE ON event_articles BEGIN
    UPDATE entity_events SET
        mentions = mentions - (SELECT count(*) FROM mentions x
            WHERE x.article_rowid = OLD.article_rowid AND x.entity_id = entity_events.entity_id),
        articles = articles - 1
    WHERE event_id = OLD.event_id
      AND entity_id IN (SELECT entity_id FROM mentions WHERE article_rowid = OLD.article_rowid);
    DELETE FROM entity_events WHERE event_id = OLD.event_id AND mentions <= 0;
END;

CREATE TRIGGER entity_totals_article_moved AFTER UPDATE OF event_id, article_rowid
ON event_articles BEGIN
    UPDATE entity_events SET
        mentions = mentions - (SELECT count(*) FROM mentions x
            WHERE x.article_rowid = OLD.article_rowid AND x.entity_id = entity_events.entity_id),
        articles = articles - 1
    WHERE event_id = OLD.event_id
      AND entity_id IN (SELECT entity_id FROM mentions WHERE article_rowid = OLD.article_rowid);
    DELETE FROM entity_events WHERE event_id = OLD.event_id AND mentions <= 0;
    INSERT INTO entity_events (entity_id, event_id, mentions, articles, last_date)
    SELECT m.entity_id, NEW.event_id, count(*), 1,
           (SELECT last_date FROM events WHERE event_id = NEW.event_id)
    FROM mentions m WHERE m.article_rowid = NEW.article_rowid GROUP BY m.entity_id
    ON CONFLICT (entity_id, event_id) DO UPDATE SET mentions = mentions + excluded.mentions,
        articles = articles + 1;
END;

CREATE TRIGGER entity_totals_event_dated AFTER UPDATE OF last_date ON events BEGIN
    UPDATE entity_events SET last_date = NEW.last_date WHERE event_id = NEW.event_id;
END;
"""
V7_ENTITY_TOTALS = _V7_TABLES + ENTITY_TOTALS_RECOUNT + _V7_TRIGGERS

# Version 8 (2026-12-08): no acronym keys. Version 3's `TYPE|acro|X` row was written both
# for an acronym variant and for a full name's initials, so two full names with the same
# initials met ("Bible Church" linked to "Boston Celtics"). An acronym now goes with a
# name only where one article gives both (then it is that entity's variant, found by its
# `fold` key); the rows go.
V8_ACRONYM_KEYS = """
DELETE FROM entity_keys WHERE key LIKE '%|acro|%';
"""

MIGRATIONS: list[Migration] = [V1, _v2, V3_ENTITY_KEYS, V4_FOLLOW, V5_ENTITY_INDEXES,
                               V6_REUSE_TIERS, V7_ENTITY_TOTALS, V8_ACRONYM_KEYS]
