"""Extraction on a runner (issue 12): the parses of the new articles run on a process
pool's workers (plain bytes back, the parent writes the store) and the archive comes
out the same, table by table, as with everything in one process; small runs stay in
process; the commands take --runner and --workers."""

from __future__ import annotations

import json
import pickle
import sqlite3
import zlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import newsdesk.nlp as nlp
from newsdesk.archive import ArchiveOptions, ArchiveUpdate, update_archive
from newsdesk.cli import app
from newsdesk.extract.archive import extract_new, extraction_runner
from newsdesk.extract.step import ExtractOptions
from newsdesk.ingest import IngestOptions, ingest
from newsdesk.model import Article, passage_key
from newsdesk.nlp import PARSES, DocCache, ParseStep, doc_of_blob
from newsdesk.pipeline import LocalRunner, PoolRunner, Runner
from newsdesk.store import Store

# columns that hold the wall-clock time of a write, not what was found
CLOCK_COLUMNS = {"at", "updated", "created", "added", "ingested", "ingested_at", "fired",
                 "fired_at", "first_checked", "last_checked", "checked"}


def _fresh_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each run starts as a new process would: nothing parsed in memory."""
    monkeypatch.setattr(nlp, "_CACHE", DocCache())


def _archive(examples: Path, db: Path, runner: Runner, monkeypatch: pytest.MonkeyPatch,
             pool_min: int = 0) -> ArchiveUpdate:
    _fresh_cache(monkeypatch)
    with Store(db) as store:
        ingest([examples], store, IngestOptions(runner="local"))
        # pool_min 0: a pool parses however few articles, and briefs however few events
        return update_archive(store, ArchiveOptions(extract=ExtractOptions(pool_min=pool_min),
                                                    refresh_pool_min=pool_min),
                              runner=runner)


def _parse_of(blob: bytes) -> tuple[tuple[Any, ...], ...]:
    return tuple((t.text, t.whitespace_, t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_,
                  t.ent_iob_, t.ent_type_, t.is_sent_start, str(t.morph))
                 for t in doc_of_blob(blob))


def _tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (clock columns left out), sorted; stored briefs decoded."""
    con = sqlite3.connect(db)
    out: dict[str, list[tuple[Any, ...]]] = {}
    names = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    for t in names:
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({t})")]
        keep = [c for c in cols if c not in CLOCK_COLUMNS]
        if not keep:
            continue
        rows = con.execute(f"SELECT {', '.join(chr(34) + c + chr(34) for c in keep)} "
                           f"FROM {t}").fetchall()
        if t == "passage_docs":
            # a doc's bytes may vary between processes (spaCy writes its strings from a
            # set, ordered by the hash seed): compare what the parses say
            i = keep.index("doc")
            rows = [(*r[:i], _parse_of(r[i]), *r[i + 1:]) for r in rows]
        if t == "event_briefs":
            i = keep.index("data")
            rows = [(*r[:i], json.loads(zlib.decompress(r[i])), *r[i + 1:]) for r in rows]
            rows = [tuple(json.dumps(x, sort_keys=True) if isinstance(x, dict) else x
                          for x in r) for r in rows]
        out[t] = sorted(rows, key=repr)
    con.close()
    return out


def test_pool_extraction_equals_local_table_by_table(
        examples_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local = _archive(examples_dir, tmp_path / "local.db", LocalRunner(), monkeypatch)
    pool = PoolRunner(2)  # made as for ingest: 64 articles a task
    pooled = _archive(examples_dir, tmp_path / "pool.db", pool, monkeypatch)
    assert pool.chunk_size == 64  # extraction sends its own tasks, the runner is unchanged
    assert local.extract is not None and pooled.extract is not None
    # the pool really parsed: every passage spaCy parsed was parsed on a worker
    assert local.extract.runner == "local" and local.extract.worker_parsed == 0
    assert pooled.extract.runner == "pool"
    assert pooled.extract.worker_parsed == pooled.extract.parsed == local.extract.parsed > 50
    assert pooled.extract.extracted == local.extract.extracted
    # and the workers made every event's brief (claims, summary), this process wrote them
    assert local.worker_briefed == 0 and len(local.briefed) == 4
    assert pooled.briefed == local.briefed and pooled.worker_briefed == 4
    a, b = _tables(tmp_path / "local.db"), _tables(tmp_path / "pool.db")
    assert sorted(a) == sorted(b)
    # not an empty comparison: the example corpus gives rows in every extraction table
    for t in ("mentions", "entities", "quotes", "quantities", "date_mentions",
              "political_events", "passage_docs", "events", "claims", "extract_done"):
        assert a[t], f"no {t} rows on the examples"
    for t in sorted(a):
        assert a[t] == b[t], f"table {t} differs between LocalRunner and PoolRunner(2)"


def test_small_runs_stay_in_process(examples_dir: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # the examples (16 articles) are under the default 50: no pool is started
    up = _archive(examples_dir, tmp_path / "s.db", PoolRunner(2), monkeypatch, pool_min=50)
    assert up.extract is not None
    assert up.extract.runner == "local" and up.extract.worker_parsed == 0
    assert up.extract.parsed > 0


def test_stored_parses_are_not_sent_to_workers(examples_dir: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "f.db"
    _archive(examples_dir, db, LocalRunner(), monkeypatch)
    _fresh_cache(monkeypatch)
    with Store(db) as store:
        # every passage is in passage_docs now: re-extracting needs no parse at all, so
        # no pool starts however low the threshold
        again = extract_new(store, options=ExtractOptions(force=True, pool_min=0),
                            runner=PoolRunner(2))
    assert again.extracted and again.runner == "local"
    assert again.parsed == 0 and again.store_hits > 0


def test_parse_step_returns_bytes_not_docs() -> None:
    a = Article(key="k", text="Mara Lind spoke in Vell.\n\nThe port reopened on Monday.")
    out = ParseStep().process(a)
    assert out is not None
    spans = out.annotations[PARSES]
    assert [(s.start, s.end) for s in spans] == [(p.start, p.end) for p in a.paragraphs]
    for s, text in zip(spans, a.paragraph_texts(), strict=True):
        assert isinstance(s.attrs["doc"], bytes)
        assert s.attrs["key"] == passage_key(text)
        assert doc_of_blob(s.attrs["doc"]).text == text


def test_extraction_runner_by_name() -> None:
    assert isinstance(extraction_runner("local"), LocalRunner)
    pool = extraction_runner("pool", 3)
    assert isinstance(pool, PoolRunner) and pool.workers == 3
    assert isinstance(extraction_runner("pool", 1), LocalRunner)  # --workers 1: in process
    from newsdesk.errors import NewsdeskError

    with pytest.raises(NewsdeskError, match="choose local, pool or ray"):
        extraction_runner("gpu")


@pytest.mark.parametrize("command", ["extract", "run", "brief"])
def test_commands_take_runner_and_workers(command: str, examples_dir: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import newsdesk.extract.archive as xa

    made: list[tuple[str, int, str | None]] = []

    def recording(kind: str = "pool", workers: int = 0, address: str | None = None
                  ) -> Runner:
        made.append((kind, workers, address))
        return extraction_runner(kind, workers, address)

    monkeypatch.setattr(xa, "extraction_runner", recording)
    cli = CliRunner()
    args = [command, str(examples_dir), "--db", str(tmp_path / "c.db"),
            "--runner", "local", "--workers", "1"]
    args += {"extract": ["-f", "jsonl"], "run": ["--json"], "brief": ["-f", "json"]}[command]
    res = cli.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert made and set(made) == {("local", 1, None)}
    # the output is what it was: one JSON document (brief) or JSON lines
    lines = [ln for ln in res.stdout.splitlines() if ln.strip()]
    if command == "brief":
        assert json.loads(res.stdout)["events"]
    else:
        assert lines and all(isinstance(json.loads(ln), dict) for ln in lines)
    bad = cli.invoke(app, [command, str(examples_dir), "--db", str(tmp_path / "d.db"),
                           "--runner", "gpu"])
    assert bad.exit_code == 2
    addr = cli.invoke(app, [command, str(examples_dir), "--db", str(tmp_path / "e.db"),
                            "--address", "127.0.0.1:6379"])
    assert addr.exit_code == 2 and "--runner ray" in addr.output


@pytest.mark.parametrize("how", ["raises", "dies"])
def test_a_failing_or_dying_worker_loses_nothing(how: str, examples_dir: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """What the workers did not parse (a step that raised, a worker that died) is parsed
    in the parent: the archive is still the one-process archive."""
    import os

    local = _archive(examples_dir, tmp_path / "local.db", LocalRunner(), monkeypatch)
    parent = os.getpid()

    def broken(self: ParseStep, article: Article) -> Article | None:
        if os.getpid() != parent:  # in a pool worker (forked: it has this patch)
            if how == "dies":
                os._exit(3)
            raise RuntimeError("parser crashed")
        raise AssertionError("ParseStep ran in the parent")

    monkeypatch.setattr(ParseStep, "process", broken)
    hurt = _archive(examples_dir, tmp_path / "hurt.db", PoolRunner(2, chunk_size=1),
                    monkeypatch)
    assert hurt.extract is not None and local.extract is not None
    assert hurt.extract.worker_parsed == 0 and hurt.extract.parsed == local.extract.parsed
    if how == "dies":
        assert "then local: BrokenProcessPool" in hurt.extract.runner
    assert hurt.extract.extracted == local.extract.extracted
    a, b = _tables(tmp_path / "local.db"), _tables(tmp_path / "hurt.db")
    for t in sorted(a):
        assert a[t] == b[t], f"table {t} differs after the workers failed"


@pytest.mark.parametrize("how", ["raises", "dies"])
def test_a_failing_or_dying_brief_worker_loses_nothing(
        how: str, examples_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An event whose brief a pool worker could not make (it raised, or the worker died)
    is briefed in the parent: the stored briefs and claims are the one-process ones."""
    import os

    from newsdesk.brief.build import BriefTask

    local = _archive(examples_dir, tmp_path / "local.db", LocalRunner(), monkeypatch)
    parent, real_run = os.getpid(), BriefTask.run

    def broken(self: BriefTask) -> dict[str, Any]:
        if os.getpid() != parent:  # in a pool worker (forked: it has this patch)
            if how == "dies":
                os._exit(3)
            raise RuntimeError("summariser crashed")
        return real_run(self)

    monkeypatch.setattr(BriefTask, "run", broken)
    hurt = _archive(examples_dir, tmp_path / "hurt.db", PoolRunner(2), monkeypatch)
    assert hurt.worker_briefed == 0 and hurt.briefed == local.briefed and not hurt.failed
    a, b = _tables(tmp_path / "local.db"), _tables(tmp_path / "hurt.db")
    for t in ("claims", "claim_articles", "event_briefs", "events"):
        assert a[t] and a[t] == b[t], f"table {t} differs after the brief workers failed"


PASSAGES = [
    "\u201cWe will not sign under pressure,\u201d Foreign Minister Oren Halvard told "
    "reporters in Vell on Tuesday, adding that about 2,400 troops remained on the border.",
    "According to the port authority, 12 ships were turned away last week; officials "
    "said the customs bloc would meet again in March.",
    "The ministry said in a statement that talks with Valmora would resume next month.",
]


def test_doc_bytes_are_spacys_own() -> None:
    """doc_blob/doc_of_blob skip srsly's per-call codec lookup but give Doc.to_bytes'
    bytes and the same parse back."""
    docs = list(nlp.load_nlp().pipe(PASSAGES))
    for doc in docs:
        blob = nlp.doc_blob(doc)
        assert zlib.decompress(blob) == doc.to_bytes(exclude=["tensor", "user_data"])
        back = doc_of_blob(blob)
        assert back.to_json() == doc.to_json()


def test_worker_memos_equal_memos_made_here() -> None:
    """What a worker reads off a parse (newsdesk.extract.memos), installed on the doc
    rebuilt from its bytes, equals what the extractors compute on that doc themselves,
    so the extractors give the same results either way."""
    from newsdesk.extract import memos

    for doc in nlp.load_nlp().pipe(PASSAGES):
        sent = memos.compute(doc)  # in a worker: on the fresh parse
        here = doc_of_blob(nlp.doc_blob(doc))
        installed = doc_of_blob(nlp.doc_blob(doc))
        memos.install(installed, sent)
        assert installed.user_data, "nothing was installed"
        computed = memos.compute(here)  # fills here.user_data as the extractors do
        def memo_keys(doc: Any) -> list[str]:
            return sorted(k for k in doc.user_data if k.startswith("newsdesk.extract"))

        assert memo_keys(installed) == memo_keys(here) and len(memo_keys(here)) == 6
        assert pickle.loads(memos.compute(installed)) == pickle.loads(computed)
        for key in memo_keys(here):
            value = here.user_data[key]
            if key.startswith("newsdesk.extract.quotes:speech"):
                # attributions hold tokens: compare what they point at
                def plain(atts: Any) -> list[Any]:
                    return [(a.cue, a.content, a.source, a.direct, a.kind,
                             [t.i for t in a.src_tokens],
                             a.cue_token.i if a.cue_token is not None else None, a.colon)
                            for a in atts]
                assert plain(installed.user_data[key]) == plain(value)
                assert any(a.src_tokens for a in value), "a speaker was found"
            else:
                assert installed.user_data[key] == value, key


def test_parse_step_sends_memos_when_asked() -> None:
    from newsdesk.extract import memos

    a = Article(key="k", text="\n\n".join(PASSAGES))
    out = ParseStep(memos=memos.compute).process(a)
    assert out is not None
    spans = out.annotations[PARSES]
    assert len(spans) == len(PASSAGES)
    assert all(isinstance(s.attrs["memos"], bytes) for s in spans)
    assert "memos" not in ParseStep().process(Article(key="j", text=PASSAGES[0])
                                              ).annotations[PARSES][0].attrs  # type: ignore[union-attr]


def test_an_entity_another_writer_adds_meanwhile_is_linked_not_created_twice(
        examples_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes extracting into one store: an entity the other one commits while
    this one extracts is linked to, not inserted again. Linked before the write lock,
    the batch's insert failed ("UNIQUE constraint failed: entities.entity_id", seen in
    tests/test_faults.py's two concurrent ingests)."""
    first = tmp_path / "first.db"
    _archive(examples_dir, first, LocalRunner(), monkeypatch)
    con = sqlite3.connect(first)
    eid = "person:tomas-halvard"
    entity = con.execute("SELECT * FROM entities WHERE entity_id=?", (eid,)).fetchone()
    keys = con.execute("SELECT key, entity_id FROM entity_keys WHERE entity_id=?",
                       (eid,)).fetchall()
    variants = con.execute("SELECT * FROM entity_variants WHERE entity_id=?",
                           (eid,)).fetchall()
    con.close()
    assert entity is not None and keys and variants

    _fresh_cache(monkeypatch)
    db = tmp_path / "second.db"
    with Store(db) as store:
        ingest([examples_dir], store, IngestOptions(runner="local"))
        real_tx = store.transaction
        rival_done: list[bool] = []

        def tx() -> Any:
            if not rival_done:  # the other writer commits just before this one writes
                rival_done.append(True)
                rival = sqlite3.connect(db)
                with rival:
                    rival.execute(f"INSERT INTO entities VALUES ({','.join('?' * len(entity))})",
                                  entity)
                    rival.executemany("INSERT INTO entity_variants VALUES "
                                      f"({','.join('?' * len(variants[0]))})", variants)
                    rival.executemany("INSERT INTO entity_keys (key, entity_id) VALUES (?,?)",
                                      keys)
                rival.close()
            return real_tx()

        monkeypatch.setattr(store, "transaction", tx)
        report = extract_new(store, runner=LocalRunner())
        assert rival_done and report.extracted and not report.failed
        assert eid not in report.created  # linked to the rival's entity
        ids = {r[0] for r in store.db.execute("SELECT entity_id FROM entities")}
        assert eid in ids and eid + "+" not in ids
        assert store.db.execute("SELECT count(*) FROM mentions WHERE entity_id=?",
                                (eid,)).fetchone()[0] > 0
