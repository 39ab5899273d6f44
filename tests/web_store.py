"""The store the web tests serve: examples/ plus one hostile article, with extraction rows.

Built once per test session (``web_db`` fixture). Events, reuse, claims and briefs come
from the real pipeline over ``examples/``. The extraction tables (entities, variants,
mentions, quotes, political_events) are cleared and filled with known rows by SQL, as
docs/schema.md describes them, so the entity and pair pages have fixed content whatever
the extractors find; every offset is computed from the stored article text, so each cited
passage really is the text the row points at.

The hostile article (fictional) carries ``<script>`` and ``onerror=`` in its title, outlet
and body: the pages must show them as text and never run them.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from newsdesk.archive import update_archive
from newsdesk.ingest import ingest
from newsdesk.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

HOSTILE_TITLE = ('Harbour row <script>window.__pwned = 1</script>'
                 '<img src=x onerror="window.__pwned = 2">')
HOSTILE_SOURCE = 'Quillon <b onmouseover="window.__pwned = 3">Gazette</b>'
HOSTILE_TEXT = (
    "QUILLON – Dock workers in the fictional port of Quillon walked out on Friday over a "
    "disputed shift rota, leaving nine freighters waiting at anchor.\n\n"
    'A placard at the gate read <script>window.__pwned = 4</script> and another '
    '<img src="x" onerror="window.__pwned = 5">, which the harbour office called a prank.'
    "\n\nThe harbour office said talks with the dockers' union would resume on Monday "
    "and that perishable cargo would be unloaded first."
)
HOSTILE_KEY = "zz_quillon_hostile"

DREVIN = "person:anatolii-drevin"
CASTELL = "person:irena-castell"
HALVARD = "person:tomas-halvard"
KESTRIA = "gpe:kestria"
VALMORA = "gpe:valmora"

ENTITIES = [  # id, name, type, country, roles, surface pattern
    (DREVIN, "Anatolii Drevin", "PERSON", "KST", ["Foreign Minister"], r"\bDrevin\b"),
    (CASTELL, "Irena Castell", "PERSON", "VLM", ["Prime Minister"], r"\bCastell\b"),
    (HALVARD, "Tomas Halvard", "PERSON", "VLM", ["Foreign Minister"], r"\bHalvard\b"),
    (KESTRIA, "Kestria", "GPE", "KST", [], r"\bKestria\b"),
    (VALMORA, "Valmora", "GPE", "VLM", [], r"\bValmora\b"),
]


def sentence_around(text: str, word: str) -> tuple[int, int]:
    """Offsets of the sentence holding the first ``word``."""
    i = text.index(word)
    stop, line = text.rfind(". ", 0, i), text.rfind("\n", 0, i)
    start = max(stop + 2 if stop >= 0 else 0, line + 1 if line >= 0 else 0)
    m = re.compile(r"\.(\s|$)").search(text, i)
    return start, (m.start() + 1 if m else len(text))


def add_extraction_rows(db: sqlite3.Connection) -> dict[str, object]:
    """Clear the extraction tables and insert the known rows; returns what was put in."""
    for t in ("political_events", "quotes", "mentions", "entity_variants", "entities"):
        db.execute(f"DELETE FROM {t}")
    arts = {r[1]: (r[0], r[2], r[3]) for r in db.execute(
        "SELECT rowid, key, text, published FROM articles")}
    variants: dict[str, Counter[str]] = {e[0]: Counter() for e in ENTITIES}
    seen: dict[str, set[int]] = {e[0]: set() for e in ENTITIES}
    dates: dict[str, list[str]] = {e[0]: [] for e in ENTITIES}
    for _key, (rowid, text, published) in arts.items():
        for eid, _name, etype, _c, _roles, pat in ENTITIES:
            for m in re.finditer(pat, text):
                db.execute("INSERT OR REPLACE INTO mentions (article_rowid, start, end, "
                           "entity_id, type, text, role) VALUES (?,?,?,?,?,?,?)",
                           (rowid, m.start(), m.end(), eid, etype, m.group(0), None))
                variants[eid][m.group(0)] += 1
                seen[eid].add(rowid)
                if published:
                    dates[eid].append(published)
    for eid, name, etype, country, roles, _pat in ENTITIES:
        db.execute("INSERT INTO entities (entity_id, name, type, country, roles, mentions, "
                   "articles, first_seen, last_seen) VALUES (?,?,?,?,?,?,?,?,?)",
                   (eid, name, etype, country, json.dumps(roles), sum(variants[eid].values()),
                    len(seen[eid]), min(dates[eid], default=None),
                    max(dates[eid], default=None)))
        db.executemany("INSERT INTO entity_variants (entity_id, variant, count) VALUES (?,?,?)",
                       [(eid, v, n) for v, n in variants[eid].items()])
    # a quote by Halvard in the Herald's report
    rowid, text, _ = arts["a04_herald"]
    q = '"turned a corner"'
    qs = text.index(q)
    cs, ce = qs + 1, qs + len(q) - 1
    sp = text.rindex("Halvard", 0, qs)
    cue = text.index("said", sp)
    db.execute("INSERT INTO quotes (article_rowid, start, end, speaker, speaker_entity, "
               "speaker_start, speaker_end, cue, cue_start, cue_end, content, content_start, "
               "content_end, direct, kind) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
               (rowid, sp, qs + len(q), "Halvard", HALVARD, sp, sp + 7, "said", cue, cue + 4,
                text[cs:ce], cs, ce, 1, "direct"))
    # PLOVER records: two AGREE (4 and 5 March) and one CONSULT between Kestria and Valmora
    pe = []
    for key, word, ptype, src, tgt, src_e, tgt_e, date in [
        ("a04_herald", "signed a package", "AGREE", "KST", "VLM", KESTRIA, VALMORA,
         "2025-03-04"),
        ("a04_herald", "called on the prime minister", "CONSULT", "KST", "VLM", DREVIN,
         CASTELL, "2025-03-04"),
        ("<urn:uuid:c7a4e1f0-2b6d-4f93-8e15-3a9d7c0b5e83>", "sign", "AGREE", "VLM", "KST",
         VALMORA, KESTRIA, "2025-03-05"),
    ]:
        rowid, text, _ = arts[key]
        s, e = sentence_around(text, word)
        db.execute("INSERT INTO political_events (article_rowid, start, end, date, type, mode, "
                   "source_code, source_entity, source_text, target_code, target_entity, "
                   "target_text, place, actors) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                   (rowid, s, e, date, ptype, None, src, src_e, src, tgt, tgt_e, tgt,
                    "Saldena", json.dumps({"source": [src], "target": [tgt]})))
        pe.append({"key": key, "type": ptype, "sentence": text[s:e], "date": date})
    db.commit()
    return {"quote": text_of(arts["a04_herald"][1], cs, ce), "political": pe,
            "variants": {k: dict(v) for k, v in variants.items()}}


def text_of(text: str, s: int, e: int) -> str:
    return text[s:e]


def build_store(path: Path) -> dict[str, object]:
    """Write the web tests' store at ``path``; returns the fixture rows' facts."""
    src = path.parent / "hostile"
    src.mkdir(exist_ok=True)
    (src / "hostile.jsonl").write_text(json.dumps({
        "id": HOSTILE_KEY, "title": HOSTILE_TITLE, "source": HOSTILE_SOURCE,
        "published": "2025-05-02", "text": HOSTILE_TEXT}) + "\n", encoding="utf-8")
    with Store(path) as s:
        ingest([EXAMPLES, src], s)
        update_archive(s)
    db = sqlite3.connect(path)
    try:
        facts = add_extraction_rows(db)
    finally:
        db.close()
    return facts


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """(path of the built store, facts about its fixture rows), once per session."""
    path = tmp_path_factory.mktemp("web") / "web.db"
    return path, build_store(path)
