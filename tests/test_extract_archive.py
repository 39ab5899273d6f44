"""Extraction into the archive (issue 11): once per new article, parses once per passage
ever, entities linked across batches. Corpus: the project's own fictional examples/ (the
Kestria-Valmora visit) split over two days, plus articles written here."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from newsdesk import nlp
from newsdesk.extract.archive import (
    ExtractReport,
    attach_layers,
    extract_new,
    load_entities,
    load_extractions,
)
from newsdesk.extract.step import (
    ExtractOptions,
    annotate,
    article_record,
    extract_stored,
)
from newsdesk.ingest import ingest
from newsdesk.model import Article
from newsdesk.store import Store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DAY1 = ("a01_pna_wire.txt", "a02_globeview_furniture.txt", "a03_pmo_release.html")
DAY2 = ("a04_herald.html", "a08_radio_presser.txt")
TABLES = ("mentions", "quotes", "quantities", "date_mentions", "political_events",
          "entities", "entity_variants", "extract_done", "passage_docs")

# written for this test: a later report naming the visitor with another transliteration,
# and repeating one paragraph of the PNA wire (a01) word for word
LATER = ("Kestria and Valmora will meet again in the spring, the Kestrian foreign ministry "
         "said on Friday.\n\nAnatolii Drevin told reporters in Novarsk that the rail link "
         "talks would resume. \"We are closer than ever,\" Drevin said.")


def _day(tmp: Path, name: str, files: tuple[str, ...]) -> Path:
    d = tmp / name
    d.mkdir()
    for f in files:
        shutil.copy(EXAMPLES / f, d / f)
    return d


def _table(store: Store) -> dict[str, tuple[Any, ...]]:
    return {e.entity_id: (e.name, e.type, e.country, e.variants, e.mentions, e.articles,
                          e.first_seen, e.last_seen) for e in load_entities(store).values()}


def _dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for t in TABLES:
        cols = "*" if t != "extract_done" else "article_rowid, version"
        out[t] = sorted(tuple(r) for r in store.db.execute(f"SELECT {cols} FROM {t}"))
    return out


@pytest.fixture(scope="module")
def days(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    tmp = tmp_path_factory.mktemp("days")
    return (_day(tmp, "day1", DAY1), _day(tmp, "day2", DAY2),
            _day(tmp, "all", DAY1 + DAY2))


@pytest.fixture(scope="module")
def split_store(days: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory
                ) -> tuple[Store, list[ExtractReport]]:
    store = Store(tmp_path_factory.mktemp("split") / "a.db")
    reports = []
    for d in days[:2]:
        reports.append(extract_new(store, ingest([d], store).refs))
    return store, reports


@pytest.fixture(scope="module")
def one_store(days: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory
              ) -> Store:
    store = Store(tmp_path_factory.mktemp("one") / "b.db")
    extract_new(store, ingest([days[2]], store).refs)
    return store


def test_two_days_give_the_entity_table_of_one_batch(
        split_store: tuple[Store, list[ExtractReport]], one_store: Store) -> None:
    store, (r1, r2) = split_store
    split, one = _table(store), _table(one_store)
    # The one entity day 1 alone types differently: three reports give "Tomas Halvard"
    # more ORG than PERSON votes, so day 1 stored it as org:halvard; day 2 links to that
    # id (ids never change) instead of making a second entity for him.
    assert "org:halvard" in split and "person:tomas-halvard" in one
    assert split["org:halvard"][3] == one["person:tomas-halvard"][3]  # same variants
    del split["org:halvard"], one["person:tomas-halvard"]
    assert split == one
    assert len(one) >= 15
    name, etype, _, variants, mentions, articles, first, last = one["person:anatoly-drevin"]
    assert (name, etype) == ("Anatoly Drevin", "PERSON")
    assert set(variants) == {"Anatoly Drevin", "Drevin", "Dreivn"}  # the typo links too
    assert variants["Dreivn"] == 1 and mentions == sum(variants.values())
    assert articles == 5 and (first, last) == ("2025-03-04", "2025-03-05")
    # what each day reported: day 2 created only its new names, changed the known ones
    assert {"person:anatoly-drevin", "gpe:kestria", "gpe:valmora"} <= r1.created
    assert "person:anatoly-drevin" in r2.changed and "person:anatoly-drevin" not in r2.created
    assert {"person:marta-solberg"} <= r2.created
    assert len(r1.extracted) == 3 and len(r2.extracted) == 2 and not r2.already


def test_three_days_agree_with_two(split_store: tuple[Store, list[ExtractReport]],
                                   tmp_path: Path) -> None:
    store = Store(tmp_path / "three.db")
    for i, files in enumerate((DAY1[:2], DAY1[2:] + DAY2[:1], DAY2[1:])):
        extract_new(store, ingest([_day(tmp_path, f"d{i}", files)], store).refs)
    assert _table(store) == _table(split_store[0])


def test_a_later_variant_links_to_the_stored_entity(
        split_store: tuple[Store, list[ExtractReport]], tmp_path: Path) -> None:
    store = Store(tmp_path / "copy.db")  # a copy: the module's store stays as day 2 left it
    split_store[0].db.backup(store.db)
    before = load_entities(store)["person:anatoly-drevin"]
    store.add_articles([Article(key="later_drevin", text=LATER, published="2025-04-11")])
    a = next(x for x in store.articles() if x.key == "later_drevin")
    rep = extract_new(store, [(a.key, a.id)])
    assert rep.extracted == [(a.key, a.id)]
    x = load_extractions(store, [(a.key, a.id)])[(a.key, a.id)]
    drevin = [m for m in x.mentions if "Drevin" in m.text]
    assert {m.text for m in drevin} == {"Anatolii Drevin", "Drevin"}
    assert {m.entity_id for m in drevin} == {"person:anatoly-drevin"}
    assert "person:anatoly-drevin" in rep.changed
    assert not any("drevin" in e for e in rep.created)
    # one report alone tags "Valmora" a PERSON; the archive's evidence keeps it the country
    valmora = next(m for m in x.mentions if m.text == "Valmora")
    assert valmora.entity_id == "gpe:valmora" and not rep.created
    after = load_entities(store)["person:anatoly-drevin"]
    assert after.name == "Anatoly Drevin"  # still the majority spelling
    assert after.variants["Anatolii Drevin"] == 1
    assert after.mentions == before.mentions + 2 and after.articles == before.articles + 1
    assert (after.first_seen, after.last_seen) == ("2025-03-04", "2025-04-11")
    # the quote's speaker is the archive entity
    said = [q for q in x.quotes if q.direct]
    assert said and said[0].speaker_entity == "person:anatoly-drevin"
    assert "closer than ever" in said[0].content
    # the compatibility layers carry the archive's id and name
    (art,) = attach_layers(store, [a])
    assert next(s.label for s in art.annotations["entities"]
                if art.text[s.start:s.end] == "Valmora") == "GPE"
    spans = [s for s in art.annotations["entities"] if "Drevin" in art.text[s.start:s.end]]
    assert {s.attrs["canonical"] for s in spans} == {"Anatoly Drevin"}
    q = next(s for s in art.annotations["quotes"] if s.attrs["direct"])
    assert q.attrs["speaker_entity"] == "Anatoly Drevin"
    assert q.attrs["speaker_entity_id"] == "person:anatoly-drevin"


def test_re_extracting_changes_nothing(days: tuple[Path, Path, Path], tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    refs = ingest([days[0]], store).refs
    extract_new(store, refs)
    first = _dump(store)
    assert first["mentions"] and first["quotes"] and first["political_events"]
    again = extract_new(store, refs)
    assert not again.extracted and sorted(again.already) == sorted(refs)
    assert again.parsed == 0 and not again.created and not again.changed
    assert _dump(store) == first
    # whole store, and --force: the same rows again, counts not doubled
    assert not extract_new(store).extracted
    forced = extract_new(store, refs, ExtractOptions(force=True))
    assert len(forced.extracted) == 3 and not forced.created
    assert {k: v for k, v in _dump(store).items() if k != "extract_done"} == {
        k: v for k, v in first.items() if k != "extract_done"}


def test_a_republished_passage_is_not_parsed_again(
        days: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "d.db")
    extract_new(store, ingest([days[0]], store).refs)
    a01 = next(a for a in store.articles() if a.key == "a01_pna_wire")
    copied = a01.paragraph_texts()[1:4]
    text = "\n\n".join([*copied, "A new closing paragraph, written for this test alone."])
    # a later run in a new process: nothing in memory, only the store
    monkeypatch.setattr(nlp, "_CACHE", nlp.DocCache())
    parsed: list[str] = []
    model = nlp.load_nlp()
    real_pipe = model.pipe

    def counting_pipe(texts: Any, **kw: Any) -> Any:
        texts = list(texts)
        parsed.extend(texts)
        return real_pipe(texts, **kw)

    monkeypatch.setattr(model, "pipe", counting_pipe)
    store.add_articles([Article(key="repost", text=text, published="2025-04-02")])
    art = next(a for a in store.articles() if a.key == "repost")
    rep = extract_new(store, [(art.key, art.id)])
    assert parsed == ["A new closing paragraph, written for this test alone."]
    assert rep.parsed == 1 and rep.store_hits == 3 and rep.passages == 4
    # the loaded parses give the same findings as fresh ones
    fresh = Article(key="repost", text=text, published="2025-04-02")
    monkeypatch.setattr(nlp, "_CACHE", nlp.DocCache())
    monkeypatch.setattr(model, "pipe", real_pipe)
    annotate([fresh])
    (stored,) = attach_layers(store, [art])
    for layer in ("quantities", "dates", "quotes"):
        assert [(s.start, s.end) for s in stored.annotations[layer]] == [
            (s.start, s.end) for s in fresh.annotations[layer]], layer


def test_layers_from_the_tables_match_a_fresh_annotate(one_store: Store) -> None:
    arts = list(one_store.articles())
    refs = [(a.key, a.id) for a in arts]
    run = extract_stored(one_store, refs)
    assert run.reused and len(run.articles) == 5
    fresh = [Article.from_dict(a.to_dict()) for a in arts]
    for a in fresh:
        a.annotations = {}
    annotate(fresh)
    for got, want in zip(run.articles, fresh, strict=True):
        g, w = article_record(got), article_record(want)
        for ev in g["events"]:  # a field added by the archive
            for x in ev["source"] + ev["target"]:
                assert x.pop("entity_id") is None or x["entity"]
        assert g == w, got.key
        for layer in ("quotes", "quantities", "dates", "events"):
            assert [s.attrs.keys() - {"speaker_entity_id"}
                    for s in got.annotations[layer]] == [
                s.attrs.keys() for s in want.annotations[layer]], layer
        assert [s.attrs["content_parts"] for s in got.annotations["quotes"]] == [
            s.attrs["content_parts"] for s in want.annotations["quotes"]]
    # the brief's entity table: archive ids, canonical names
    assert run.entities["person:anatoly-drevin"].canonical == "Anatoly Drevin"
    assert "Dreivn" in run.entities["person:anatoly-drevin"].variants


def test_kestria_valmora_agree_records_by_sql(one_store: Store) -> None:
    db: sqlite3.Connection = one_store.db
    rows = db.execute(
        "SELECT a.key, p.source_entity, p.target_entity FROM political_events p "
        "JOIN articles a ON a.rowid = p.article_rowid WHERE p.type = 'AGREE' AND "
        "((p.source_code = 'KES' AND p.target_code = 'VAL') OR "
        "(p.source_code = 'VAL' AND p.target_code = 'KES')) ORDER BY a.key").fetchall()
    assert [tuple(r) for r in rows] == [
        ("a08_radio_presser", "gpe:kestria", "gpe:valmora")]
    quotes = db.execute(
        "SELECT a.published, q.content FROM quotes q JOIN articles a "
        "ON a.rowid = q.article_rowid WHERE q.speaker_entity = ? ORDER BY a.published",
        ("person:anatoly-drevin",)).fetchall()
    assert quotes and all(r[0] for r in quotes)


def test_an_extractor_failure_loses_only_that_article(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdesk.extract import step

    store = Store(tmp_path / "e.db")
    store.add_articles([
        Article(key="good", text="Tomas Halvard met Anatoly Drevin in Saldena on Monday.",
                published="2025-03-03"),
        Article(key="bad", text="Irena Castell said 40 percent of the trade was fish.",
                published="2025-03-03")])
    real = step.find_quantities

    def broken(article: Article, paras: Any) -> Any:
        if article.key == "bad":
            raise RuntimeError("quantity rule blew up")
        return real(article, paras)

    monkeypatch.setattr(step, "find_quantities", broken)
    rep = extract_new(store)
    assert [r[0] for r in rep.extracted] == ["good"]
    assert [(r[0], why) for r, why in rep.failed] == [
        ("bad", "extract.quantities: RuntimeError: quantity rule blew up")]
    assert store.db.execute("SELECT count(*) FROM extract_done").fetchone()[0] == 1
    monkeypatch.setattr(step, "find_quantities", real)
    again = extract_new(store)  # the next run completes the work
    assert [r[0] for r in again.extracted] == ["bad"] and not again.failed
    (bad,) = [x for x in load_extractions(store, [r for r in again.extracted]).values()]
    assert [(q.text, q.value, q.unit) for q in bad.quantities] == [("40 percent", 40, "percent")]


def test_one_country_lookup_and_no_import_circle() -> None:
    import subprocess
    import sys

    code = ("import sys, newsdesk.extract.quotes as q; "
            "assert 'newsdesk.extract.plover' not in sys.modules, 'quotes imports plover'; "
            "from newsdesk.extract import lexicon, plover; "
            "assert plover.country_code is lexicon.country_code; "
            "print(lexicon.country_code('Pakistani'), lexicon.country_code('Islamabad'), "
            "lexicon.country_code('the United Nations'), lexicon.country_code('Valmora'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["PAK", "PAK", "IGO", "None"]


def test_a_store_from_0_1_keeps_its_entity_ids(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    shutil.copy(Path(__file__).parent / "fixtures" / "store_v1.sqlite", db)
    store = Store(db)  # upgraded: 0.1's per-batch entity table became `entities`
    before = load_entities(store)
    assert "person:anatoly-drevin" in before and not store.db.execute(
        "SELECT count(*) FROM mentions").fetchone()[0]
    rep = extract_new(store)
    assert len(rep.extracted) == 5
    after = load_entities(store)
    drevin = after["person:anatoly-drevin"]
    assert "person:anatoly-drevin" not in rep.created  # linked, not made again
    assert not any(e.startswith("person:anatoly-drevin+") for e in after)
    # counted once: the counts are those of the mentions rows now stored
    n = store.db.execute("SELECT count(*) FROM mentions WHERE entity_id=?",
                         ("person:anatoly-drevin",)).fetchone()[0]
    assert n > 0 and drevin.mentions == n == sum(drevin.variants.values())
    assert {"Anatoly Drevin", "Drevin", "Dreivn"} <= set(drevin.variants)
    keys = store.db.execute("SELECT count(*) FROM entity_keys WHERE entity_id=?",
                            ("person:anatoly-drevin",)).fetchone()[0]
    assert keys > 0


def test_the_last_write_batch_is_cut_so_the_tail_is_short() -> None:
    """The last batch is extracted when the workers have nothing left to parse: it is
    cut in halves down to a quarter batch, for every runner alike."""
    from newsdesk.extract.archive import _batches

    def sizes(n: int) -> list[int]:
        return [len(b) for b in _batches(list(range(n)), 200)]

    assert sizes(0) == [] and sizes(16) == [16] and sizes(50) == [50]
    assert sizes(200) == [100, 50, 50]
    assert sizes(300) == [200, 50, 50]
    assert sizes(1000) == [200, 200, 200, 200, 100, 50, 50]
    assert sum(_batches(list(range(777)), 200), []) == list(range(777))  # order kept


def _put_entity(store: Store, eid: str, name: str, etype: str, variants: list[str]) -> None:
    from newsdesk.extract.archive import entity_keys

    store.db.execute("INSERT INTO entities (entity_id, name, type, mentions) VALUES (?,?,?,5)",
                     (eid, name, etype))
    for v in variants:
        store.db.execute("INSERT INTO entity_variants (entity_id, variant, count) "
                         "VALUES (?,?,1)", (eid, v))
        store.db.executemany("INSERT OR IGNORE INTO entity_keys (key, entity_id) VALUES (?,?)",
                             [(k, eid) for k in entity_keys(etype, v)])


def test_no_link_by_initials_across_the_archive() -> None:
    """An acronym goes with a full name only where one article gives both (then it is
    that entity's variant); across the archive nothing links by initials: "Kelso Vale
    Railway" is not "Kestrel Valley Rangers" because both are "KVR" (ECB+ had "Bible
    Church" linked to "Boston Celtics" this way), and a bare "KVR" is not either."""
    from newsdesk.extract.archive import EntityIndex
    from newsdesk.extract.entities import CanonicalEntity

    store = Store(":memory:")
    _put_entity(store, "org:kestrel-valley-rangers", "Kestrel Valley Rangers", "ORG",
                ["Kestrel Valley Rangers"])
    _put_entity(store, "org:lirov-maritime-council", "Lirov Maritime Council", "ORG",
                ["Lirov Maritime Council", "LMC"])
    idx = EntityIndex(store)

    def ent(*variants: str) -> CanonicalEntity:
        return CanonicalEntity(id="x", canonical=variants[0], type="ORG",
                               variants=set(variants), mentions=1)

    assert idx.match(ent("Kelso Vale Railway")) is None
    assert idx.match(ent("KVR")) is None
    assert idx.match(ent("Kestrel Valley Rangers")) == "org:kestrel-valley-rangers"
    # an acronym an earlier article gave beside the name is that entity's variant
    assert idx.match(ent("LMC")) == "org:lirov-maritime-council"


def test_the_schema_drops_the_old_acronym_keys(tmp_path: Path) -> None:
    from newsdesk.store.migrations import MIGRATIONS

    path = tmp_path / "old.db"
    raw = sqlite3.connect(path)
    for m in MIGRATIONS[:7]:
        if callable(m):
            m(raw)
        else:
            raw.executescript(m)
    raw.execute("PRAGMA user_version = 7")
    raw.executescript(
        "INSERT INTO entities (entity_id, name, type) VALUES ('org:b', 'ABC', 'ORG');"
        "INSERT INTO entity_keys (key, entity_id) VALUES ('ORG|acro|ABC', 'org:b'), "
        "('ORG|fold|abc', 'org:b');")
    raw.commit()
    raw.close()
    store = Store(path)
    keys = {tuple(r) for r in store.db.execute("SELECT key, entity_id FROM entity_keys")}
    assert keys == {("ORG|fold|abc", "org:b")}


def test_a_full_name_decides_over_its_surname_alone() -> None:
    """A batch entity named "Ken Davies" (and "Davies") is not the stored "Gray Davis",
    though "Davies" alone is a spelling of "Davis" (DUC 2004 dev had them merged); a
    surname alone still links to the person it names."""
    from newsdesk.extract.archive import EntityIndex
    from newsdesk.extract.entities import CanonicalEntity

    store = Store(":memory:")
    _put_entity(store, "person:gray-davis", "Gray Davis", "PERSON", ["Gray Davis", "Davis"])
    idx = EntityIndex(store)

    def ent(*variants: str) -> CanonicalEntity:
        return CanonicalEntity(id="x", canonical=variants[0], type="PERSON",
                               variants=set(variants), mentions=1)

    assert idx.match(ent("Ken Davies", "Davies")) is None
    assert idx.match(ent("Davis")) == "person:gray-davis"
    assert idx.match(ent("Gray Davis", "Davis")) == "person:gray-davis"
