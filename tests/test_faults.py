"""Faults in every writing command: SIGKILL mid-run, two writers at once, a full disk.

Each test asserts what the store holds afterwards (article rows, integrity, whole
batches only) and that the next run's output equals an uninterrupted run's.
bench/bench_faults.py runs the same with many more kills.
"""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import newsdesk.store as store_mod
from faultkit import (
    article_rows,
    commands,
    integrity,
    normalise,
    run,
    run_killed,
    write_corpus,
)
from newsdesk.cli import app
from newsdesk.errors import StoreError
from newsdesk.ingest import IngestOptions, ingest
from newsdesk.model import Article
from newsdesk.store import MAX_PAGES_ENV, Store

runner = CliRunner()


# -- SIGKILL during each writing command ------------------------------------------------------
def _snapshot(db: Path, to: Path) -> None:
    src, dst = sqlite3.connect(db), sqlite3.connect(to)
    src.backup(dst)
    src.close()
    dst.close()


def _restore(snap: Path, db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    _snapshot(snap, db)


def test_sigkill_during_each_writing_command(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 120)
    ref_db, db = tmp_path / "ref.db", tmp_path / "killed.db"
    # The uninterrupted run, in this process (spaCy loads once): outputs and durations.
    reference: dict[str, object] = {}
    seconds: dict[str, float] = {}
    for name, cmd in commands(corpus, ref_db).items():
        t0 = time.monotonic()
        res = runner.invoke(app, cmd[3:])
        seconds[name] = time.monotonic() - t0
        assert res.exit_code == 0, res.output
        reference[name] = normalise(name, res.stdout)
    startup = 2.0  # a new process: imports, and spaCy where the command needs it
    rng = random.Random(20261201)
    landed = []
    for name, cmd in commands(corpus, db).items():
        snap = tmp_path / f"before-{name}.db"
        if db.exists():
            _snapshot(db, snap)
        delay = rng.uniform(0.15, 0.9) * (seconds[name] + startup)
        for _ in range(5):  # a kill that came too late: same state again, sooner
            if run_killed(cmd, delay):
                landed.append(name)
                break
            if snap.exists():
                _restore(snap, db)
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
            delay /= 2
        if db.exists():
            assert integrity(db) == "ok", f"store damaged by a kill during {name}"
        t0 = time.monotonic()
        again = run(cmd)
        print(f"{name}: killed after {delay:.1f}s, rerun {time.monotonic() - t0:.1f}s, "
              f"uninterrupted in-process {seconds[name]:.1f}s")
        assert again.rc == 0, f"{name} after a kill: {again.err}"
        assert "Traceback" not in again.err
        assert normalise(name, again.out) == reference[name], f"{name} differs after a kill"
        assert integrity(db) == "ok"
        assert article_rows(db) == article_rows(ref_db), f"articles differ after {name}"
    assert landed == list(commands(corpus, db)), "every command was killed mid-run"


# -- two writers at once -------------------------------------------------------------------
def test_two_ingests_at_once_lose_and_double_nothing(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    files = write_corpus(a, 400, seed=3)
    b.mkdir()
    for f in files[300:]:  # 100 files in both inputs
        shutil.copy(f, b / f.name)
    write_corpus(tmp_path / "b_only", 300, seed=4)
    for f in (tmp_path / "b_only").iterdir():
        f.rename(b / f"b_{f.name}")
    db = tmp_path / "shared.db"  # a new file: both processes also race to create the schema
    cmds = [commands(d, db)["ingest"] + ["--workers", "1"] for d in (a, b)]
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for c in cmds]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
    assert integrity(db) == "ok"
    with Store(db) as store:
        keys = [r[0] for r in store.db.execute("SELECT key FROM articles")]
    want = {f.stem for f in a.iterdir()} | {f.stem for f in b.iterdir()}
    assert len(keys) == len(set(keys)) == len(want) == 700
    assert set(keys) == want
    # each process says how many it added; together they added every article once
    added = [int(re.search(r"(\d+) new,", err).group(1)) for _, err in outs]  # type: ignore[union-attr]
    assert sum(added) == 700


def _hold_write_lock(path: Path, seconds: float, started: threading.Event) -> None:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    started.set()
    time.sleep(seconds)
    con.execute("COMMIT")
    con.close()


def test_stage_tables_and_writes_wait_for_another_writer(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "s.db"
    Store(db).close()
    # SQLite's own wait shorter than the other writer's hold: the retry loop must carry it
    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT_S", 0.1)
    started = threading.Event()
    t = threading.Thread(target=_hold_write_lock, args=(db, 0.8, started))
    t.start()
    started.wait()
    t0 = time.monotonic()
    with Store(db) as store:
        n = store.add_articles([Article(key="k", text="A short fictional report.")])
        with store.transaction() as tx:  # a stage's write waits the same way
            tx.execute("INSERT INTO archive_meta (name, value) VALUES ('probe', '1')")
        probe = store.db.execute("SELECT value FROM archive_meta WHERE name='probe'"
                                 ).fetchone()[0]
    t.join()
    assert time.monotonic() - t0 >= 0.5  # it did wait for the lock
    assert n == (1, 0) and probe == "1"


def test_store_locked_too_long_is_a_clear_error(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "s.db"
    Store(db).close()
    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT_S", 0.05)
    monkeypatch.setattr(store_mod, "BUSY_RETRIES", 1)
    started = threading.Event()
    t = threading.Thread(target=_hold_write_lock, args=(db, 2.0, started))
    t.start()
    started.wait()
    try:
        with Store(db) as store, pytest.raises(StoreError) as info:
            with store.transaction() as tx:  # any write: a stage's, as ingest's
                tx.execute("INSERT INTO archive_meta (name, value) VALUES ('probe', '1')")
    finally:
        t.join()
    assert str(db) in str(info.value) and "another process" in str(info.value)


# -- a full disk -------------------------------------------------------------------------------
def _pages(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(con.execute("PRAGMA page_count").fetchone()[0])
    finally:
        con.close()


def test_full_disk_cli_one_line_error_and_whole_batches(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write_corpus(first, 40, seed=1)
    write_corpus(second, 300, seed=2)
    for f in second.iterdir():
        f.rename(second / f"s_{f.name}")
    db = tmp_path / "full.db"
    assert run(commands(first, db)["ingest"]).rc == 0
    before = article_rows(db)
    res = run(commands(second, db)["ingest"], env={MAX_PAGES_ENV: str(_pages(db) + 25)})
    assert res.rc != 0
    lines = [ln for ln in res.err.splitlines() if ln.strip()]
    assert "Traceback" not in res.err and len(lines) == 1, res.err
    assert lines[0].startswith("error:") and str(db) in lines[0]
    assert "full" in lines[0] and "Free disk space" in lines[0] and "--db" in lines[0]
    # the batch being written is not there at all; what was committed before is intact
    assert integrity(db) == "ok"
    assert article_rows(db) == before
    again = run(commands(second, db)["ingest"])  # room again: it carries on
    assert again.rc == 0 and len(article_rows(db)) == 340


def test_full_disk_mid_ingest_keeps_only_whole_batches(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    write_corpus(corpus, 300, seed=5)
    db = tmp_path / "s.db"
    with Store(db) as store:
        pages = int(store.db.execute("PRAGMA page_count").fetchone()[0])
        store.db.execute(f"PRAGMA max_page_count={pages + 60}")
        with pytest.raises(StoreError) as info:
            ingest([corpus], store, IngestOptions(batch_size=40, workers=1))
        msg = str(info.value)
        assert str(db) in msg and "full" in msg and "Free disk space" in msg
        n = store.count()
        assert 0 < n < 300 and n % 40 == 0  # whole batches only
        assert store.integrity_ok()
        store.db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        assert store.db.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == n
    with Store(db) as store:  # a later run with room completes without doubling
        report = ingest([corpus], store, IngestOptions(batch_size=40, workers=1))
        assert store.count() == 300 and report.added == 300 - n


def test_a_stale_version_read_never_sets_the_schema_back(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """A process that read the version just before another migrated the file must not
    re-run steps: an IF NOT EXISTS step would succeed and set the version back, and the
    next step would then fail on tables that exist (seen as 'table entity_days already
    exists' with four processes opening a new store)."""
    path = tmp_path / "s.db"
    Store(path).close()
    s = Store(path)
    real = Store.schema_version.fget  # type: ignore[attr-defined]
    calls = {"n": 0}

    def stale(self: Store) -> int:
        calls["n"] += 1
        return 3 if calls["n"] == 1 else int(real(self))

    monkeypatch.setattr(Store, "schema_version", property(stale))
    s._migrate()  # believes the store is at version 3
    monkeypatch.undo()
    assert s.schema_version == len(store_mod.MIGRATIONS)
    assert s.integrity_ok()
    s.close()


def test_processes_opening_a_new_store_at_once_share_one_schema(tmp_path: Path) -> None:
    # Two commands started together on a file that does not exist yet both migrate it;
    # before the fix the slower one failed with "table articles already exists".
    for trial in range(10):
        path = tmp_path / f"new{trial}.db"
        barrier = threading.Barrier(4)
        errors: list[str] = []

        def open_it(path: Path = path, barrier: threading.Barrier = barrier,
                    errors: list[str] = errors) -> None:
            barrier.wait()
            try:
                Store(path).close()
            except StoreError as e:
                errors.append(str(e))

        threads = [threading.Thread(target=open_it) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        with Store(path) as store:
            assert store.schema_version == len(store_mod.MIGRATIONS) and store.count() == 0
