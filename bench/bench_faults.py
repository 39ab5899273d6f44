"""Faults in every writing command, many times over: prints faults injected and survived.

For each of ``newsdesk ingest``, ``extract``, ``events``, ``brief`` and ``run``: start the
command on a copy of the store as it stood before that command (in an uninterrupted
chain), SIGKILL it after a random delay (seeded) within the command's own run time, then
check ``PRAGMA integrity_check``, run the command again to its end and compare what it
prints (extract JSONL, events TSV, brief JSON, run JSON) and the article rows with the
uninterrupted chain. Then two ``newsdesk ingest`` processes on one new store at once
(different and overlapping inputs), and a full disk (``PRAGMA max_page_count`` through
``NEWSDESK_STORE_MAX_PAGES``) at random sizes.

The corpus is generated (fictional, tests/faultkit.py); no shared data is needed.

    python bench/bench_faults.py                  # 300 articles, 4 kills per command
    python bench/bench_faults.py --kills 10 --concurrent 5 --full 5
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from faultkit import (  # noqa: E402
    article_rows,
    commands,
    integrity,
    normalise,
    run,
    run_killed,
    write_corpus,
)


@dataclass
class Row:
    """One line of the table."""

    fault: str
    runs: int = 0
    landed: int = 0  # kills that hit a running process
    partial: int = 0  # kills that left some of the command's writes and not others
    survived: int = 0  # the next run completed and its output equals the uninterrupted one
    integrity_ok: int = 0
    lost: int = 0  # articles missing (or doubled) afterwards


def _copy(src: Path, dst: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    if not src.exists():
        return
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    a.backup(b)
    a.close()
    b.close()


def fingerprint(db: Path) -> tuple[tuple[str, int], ...]:
    """Row counts of every table: how far a command's writes had got."""
    if not db.exists():
        return ()
    con = sqlite3.connect(db, timeout=30)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return tuple((n, int(con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]))
                     for n in names)
    finally:
        con.close()


def kills(work: Path, corpus: Path, n: int, rng: random.Random) -> list[Row]:
    ref = work / "ref.db"
    chain = commands(corpus, ref)
    before: dict[str, Path] = {}
    after: dict[str, tuple[tuple[str, int], ...]] = {}
    reference: dict[str, object] = {}
    seconds: dict[str, float] = {}
    for name, cmd in chain.items():
        before[name] = work / f"before-{name}.db"
        _copy(ref, before[name])
        res = run(cmd)
        if res.rc != 0:
            raise SystemExit(f"uninterrupted {name} failed: {res.err}")
        reference[name], seconds[name] = normalise(name, res.out), res.seconds
        after[name] = fingerprint(ref)
        print(f"uninterrupted {name}: {res.seconds:.1f} s", flush=True)
    want = article_rows(ref)
    rows = []
    for name in chain:
        row = Row(f"SIGKILL during `newsdesk {name}`")
        for _ in range(n):
            db = work / "trial.db"
            _copy(before[name], db)
            cmd = commands(corpus, db)[name]
            delay = rng.uniform(0.05, 0.95) * seconds[name]
            row.runs += 1
            for _attempt in range(4):  # too late (it had finished): same state, sooner
                if run_killed(cmd, delay):
                    row.landed += 1
                    break
                _copy(before[name], db)
                delay /= 2
            ok_after_kill = not db.exists() or integrity(db) == "ok"
            fp = fingerprint(db)
            row.partial += fp not in (fingerprint(before[name]), after[name])
            again = run(cmd)
            same = again.rc == 0 and normalise(name, again.out) == reference[name]
            got = article_rows(db)
            row.integrity_ok += ok_after_kill and integrity(db) == "ok"
            row.survived += same and got == want
            row.lost += len(set(want) - set(got)) + (len(got) - len(set(got)))
            if not same:
                print(f"  {name} after a kill at {delay:.2f} s differs: {again.err[-300:]}")
        print(f"{row.fault}: {row.landed}/{row.runs} kills landed ({row.partial} with the "
              f"command's writes part done), {row.survived} survived", flush=True)
        rows.append(row)
    return rows


def concurrent(work: Path, n: int, size: int) -> Row:
    row = Row("two `newsdesk ingest` at once, one new store, overlapping inputs")
    for trial in range(n):
        a, b = work / f"ca{trial}", work / f"cb{trial}"
        files = write_corpus(a, size, seed=100 + trial)
        b.mkdir()
        for f in files[size * 3 // 4:]:
            shutil.copy(f, b / f.name)
        extra = work / f"cx{trial}"
        for f in write_corpus(extra, size, seed=200 + trial):
            f.rename(b / f"b_{f.name}")
        db = work / f"conc{trial}.db"
        procs = [subprocess.Popen(commands(d, db)["ingest"] + ["--workers", "1"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for d in (a, b)]
        errs = [p.communicate()[1] for p in procs]
        finished = all(p.returncode == 0 for p in procs) and not any(
            "locked" in e or "Traceback" in e for e in errs)
        con = sqlite3.connect(db)
        keys = [r[0] for r in con.execute("SELECT key FROM articles")]
        con.close()
        wanted = {f.stem for f in a.iterdir()} | {f.stem for f in b.iterdir()}
        added = sum(int(m.group(1)) for e in errs for m in [re.search(r"(\d+) new,", e)] if m)
        row.runs += 1
        row.landed += 1
        row.integrity_ok += integrity(db) == "ok"
        lost = len(wanted - set(keys)) + (len(keys) - len(set(keys)))
        row.lost += lost
        row.survived += finished and lost == 0 and added == len(wanted)
    return row


def full_disk(work: Path, n: int, rng: random.Random) -> Row:
    row = Row("full disk (`PRAGMA max_page_count`) during `newsdesk ingest`")
    first, second = work / "f1", work / "f2"
    write_corpus(first, 40, seed=1)
    for f in write_corpus(work / "f2tmp", 400, seed=2):
        second.mkdir(exist_ok=True)
        f.rename(second / f"s_{f.name}")
    for _ in range(n):
        db = work / "full.db"
        _copy(work / "nonexistent.db", db)
        run(commands(first, db)["ingest"])
        con = sqlite3.connect(db)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = int(con.execute("PRAGMA page_count").fetchone()[0])
        con.close()
        before = article_rows(db)
        cap = pages + rng.randint(1, 60)
        res = run(commands(second, db)["ingest"], env={"NEWSDESK_STORE_MAX_PAGES": str(cap)})
        lines = [ln for ln in res.err.splitlines() if ln.strip()]
        clear = (res.rc != 0 and len(lines) == 1 and str(db) in lines[0]
                 and "Traceback" not in res.err)
        whole = article_rows(db) == before  # the one batch written was rolled back whole
        row.runs += 1
        row.landed += res.rc != 0
        row.integrity_ok += integrity(db) == "ok"
        again = run(commands(second, db)["ingest"])
        got = article_rows(db)
        lost = 440 - len({(r[0], r[1]) for r in got})
        row.lost += lost
        row.survived += clear and whole and again.rc == 0 and lost == 0
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--kills", type=int, default=4, help="SIGKILLs per command")
    ap.add_argument("--concurrent", type=int, default=3, help="concurrent-ingest trials")
    ap.add_argument("--full", type=int, default=3, help="full-disk trials")
    ap.add_argument("--seed", type=int, default=10)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="newsdesk-faults-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        write_corpus(corpus, args.articles)
        rows = kills(work, corpus, args.kills, rng)
        rows.append(concurrent(work, args.concurrent, args.articles))
        rows.append(full_disk(work, args.full, rng))
    print(f"\n{args.articles} generated articles, seed {args.seed}, "
          f"{time.monotonic() - t0:.0f} s\n")
    print("| fault injected | runs | fault landed | of which mid-write | survived | "
          "integrity ok | articles lost |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        mid = r.partial if r.fault.startswith("SIGKILL") else "—"
        print(f"| {r.fault} | {r.runs} | {r.landed} | {mid} | {r.survived} | "
              f"{r.integrity_ok} | {r.lost} |")
    total = sum(r.runs for r in rows)
    print(f"\nfaults injected {total}, survived {sum(r.survived for r in rows)}, "
          f"articles lost {sum(r.lost for r in rows)}")


if __name__ == "__main__":
    main()
