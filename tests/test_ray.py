"""The Ray runner on a local 2-CPU Ray bound to 127.0.0.1 (one per test session, see
conftest.ray_local): same results as the process pool, Parquet shards plus manifest in
the work folder, and a resumed run after an interrupted or killed one redoes no
finished shard."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip(
    "ray", reason="ray is not installed: `pip install -e '.[dev,ray]'` (make setup does) "
                  "to run the Ray runner tests")

from newsdesk.clean import CleanStep  # noqa: E402
from newsdesk.errors import Skipped  # noqa: E402
from newsdesk.ingest import (  # noqa: E402
    IngestOptions,
    ReadStep,
    expand_paths,
    ingest,
    ingest_pipeline,
    plan_shards,
)
from newsdesk.model import Article  # noqa: E402
from newsdesk.pipeline import ArticleStep, Pipeline, PoolRunner, RayRunner, Runner  # noqa: E402
from newsdesk.store import Store  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from gen_warc import write_warc  # noqa: E402 - the generator of bench/ makes the test WARCs

Result = tuple[list[tuple[str, str, str]], list[tuple[str, str]]]


def ingested(paths: list[Path], runner: Runner, opts: IngestOptions | None = None) -> Result:
    """(key, id, text) of every stored article in ingest order, and the skips."""
    with Store(":memory:") as store:
        report = ingest(paths, store, opts, runner=runner)
        return ([(a.key, a.id, a.text) for a in store.articles(report.refs)],
                [(s.origin, s.reason) for s in report.skipped])


def manifest_ids(work: Path) -> list[str]:
    lines = (work / "manifest.jsonl").read_text().splitlines()
    return [json.loads(ln)["shard"] for ln in lines[1:] if ln.strip().endswith("}")]


def mtimes(work: Path) -> dict[str, int]:
    return {p.stem: p.stat().st_mtime_ns for p in (work / "shards").glob("*.parquet")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A generated 50-page WARC (a wire copy, an HTTP 404), a JSONL file and a folder."""
    root = tmp_path_factory.mktemp("raycorpus")
    write_warc(root / "crawl.warc.gz", 50, first=450)
    (root / "feed.jsonl").write_text("\n".join(json.dumps(
        {"id": f"j{i}", "source": "Delta Post",
         "text": f"Dock {i} in Sella reopened on Monday.\n\nCranes moved {i} containers."})
        for i in range(5)) + "\n{broken\n")
    (root / "notes").mkdir()
    for i in range(20):
        (root / "notes" / f"n{i:02d}.txt").write_text(
            f"Ferry {i} to Orno ran late on Tuesday, the operator said.\n\nDelay: {i} min.")
    return [root / "crawl.warc.gz", root / "feed.jsonl", root / "notes"]


OPTS = IngestOptions(warc_shard_records=20)  # the 50-page WARC becomes several shards


def test_ray_equals_pool_on_examples(ray_local: str, examples_dir: Path, tmp_path: Path
                                     ) -> None:
    work = tmp_path / "work"
    ray_runner = RayRunner(work_dir=work)
    got = ingested([examples_dir], ray_runner)
    assert got == ingested([examples_dir], PoolRunner(2))
    assert len(got[0]) >= 10
    shards = plan_shards(expand_paths([examples_dir]), split_warc=True)
    assert sorted(manifest_ids(work)) == sorted(s.id for s in shards)
    assert sorted(ray_runner.stats.computed) == sorted(s.id for s in shards)
    assert os.getpid() not in ray_runner.stats.pids  # the work ran in actors


def test_interrupted_run_resumes_without_redoing_finished_shards(
        ray_local: str, corpus: list[Path], tmp_path: Path) -> None:
    work = tmp_path / "work"
    pool = ingested(corpus, PoolRunner(2), OPTS)
    assert len(pool[0]) == 49 + 5 + 20 and len(pool[1]) == 2  # the 404 and the broken line
    shards = plan_shards(expand_paths(corpus), split_warc=True, warc_records=20)
    assert len(shards) >= 6

    # A run stopped after its first two shards came back (the driver went away).
    first = RayRunner(work_dir=work)
    for n, _ in enumerate(first.run_shards(ingest_pipeline(OPTS), shards), 1):
        if n == 2:
            break
    done_before = mtimes(work)
    assert len(done_before) >= 2
    assert set(manifest_ids(work)) <= set(done_before)

    # Resumed: same command, same work folder; finished shards are read, not redone.
    again = RayRunner(work_dir=work)
    assert ingested(corpus, again, OPTS) == pool
    assert set(again.stats.reused) == set(done_before)
    assert not set(again.stats.computed) & set(done_before)
    assert len(again.stats.computed) + len(again.stats.reused) == len(shards)
    after = mtimes(work)
    assert all(after[sid] == t for sid, t in done_before.items())
    assert sorted(manifest_ids(work)) == sorted(s.id for s in shards)  # each exactly once

    # One finished shard lost (its file and manifest line): only that one is redone.
    # Another renamed into place just before the driver was killed (file, no manifest
    # line) is adopted, not redone; a manifest line torn by the kill is passed over.
    lost, adopted = shards[3].id, shards[0].id
    (work / "shards" / f"{lost}.parquet").unlink()
    lines = (work / "manifest.jsonl").read_text().splitlines()
    kept = [ln for ln in lines if lost not in ln and adopted not in ln]
    (work / "manifest.jsonl").write_text("\n".join(kept) + '\n{"shard": "torn')
    third = RayRunner(work_dir=work)
    assert ingested(corpus, third, OPTS) == pool
    assert third.stats.computed == [lost]
    assert all(mtimes(work)[sid] == t for sid, t in after.items() if sid != lost)
    assert sorted(manifest_ids(work)) == sorted(s.id for s in shards)


@pytest.fixture(scope="module")
def many_warcs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve 20-page WARC files (a shard each), enough for a run to be killed midway."""
    root = tmp_path_factory.mktemp("warcs")
    for k in range(12):
        write_warc(root / f"crawl-{k:02d}.warc.gz", 20, first=1100 + 20 * k)
    return root


def test_killed_cli_run_resumes_on_the_same_cluster(
        ray_local: str, many_warcs: Path, tmp_path: Path) -> None:
    work, db = tmp_path / "work", tmp_path / "k.db"
    cmd = [sys.executable, "-m", "newsdesk.cli", "ingest", str(many_warcs), "--runner", "ray",
           "--address", ray_local, "--work-dir", str(work), "--db", str(db)]
    env = dict(os.environ, RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0", RAY_USAGE_STATS_ENABLED="0")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        if (work / "manifest.jsonl").exists() and len(manifest_ids(work)) >= 2:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed; add WARC files"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = mtimes(work)
    assert 2 <= len(done_before) < 12

    again = RayRunner(work_dir=work)
    with Store(db) as store:
        report = ingest([many_warcs], store, runner=again)
        assert store.integrity_ok()
        keys = [a.key for a in store.articles(report.refs)]
    # every page once, in input order, but the one HTTP 404 (page 1249); equality with
    # the pool's output is checked on the same kind of input above
    assert len(keys) == len(set(keys)) == 12 * 20 - 1
    assert len(report.skipped) == 1 and "HTTP status 404" in report.skipped[0].reason
    assert set(again.stats.reused) >= set(done_before)
    assert not set(again.stats.computed) & set(done_before)
    assert all(mtimes(work)[sid] == t for sid, t in done_before.items())
    assert len(manifest_ids(work)) == len(set(manifest_ids(work))) == 12


class DiesOnCue(ArticleStep):
    """Ends its worker process on one article, as an out-of-memory kill would."""

    name = "dies-on-cue"
    reads = ("text",)

    def process(self, article: Article) -> Article | None:
        if "SELF-DESTRUCT" in article.text:
            os._exit(3)
        return article


def test_a_dead_worker_loses_its_shard_not_the_run(ray_local: str, tmp_path: Path) -> None:
    import ray

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # actors lack tests/
    for sub in ("a", "b", "c"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        for i in range(3):
            body = "SELF-DESTRUCT now." if (sub, i) == ("b", 1) else f"Story {sub}{i}.\n\nOk."
            (tmp_path / "in" / sub / f"{sub}{i}.txt").write_text(body)
    shards = plan_shards(expand_paths([tmp_path / "in"]))
    assert len(shards) == 3
    pipe = Pipeline([ReadStep(), CleanStep(), DiesOnCue()])
    runner = RayRunner(work_dir=tmp_path / "work")
    out = list(runner.run_shards(pipe, shards))
    assert [sh.id for sh, _ in out] == [sh.id for sh in shards]
    keys = [[r.key if isinstance(r, Article) else "SKIP" for r in recs] for _, recs in out]
    assert keys == [["a0", "a1", "a2"], ["SKIP"], ["c0", "c1", "c2"]]
    skip = out[1][1][0]
    assert isinstance(skip, Skipped) and "worker failed" in skip.reason
    assert "re-run" in skip.reason
    assert sorted(runner.stats.computed) == sorted([shards[0].id, shards[2].id])
    assert not (tmp_path / "work" / "shards" / f"{shards[1].id}.parquet").exists()


def test_ray_extraction_equals_local_table_by_table(
        ray_local: str, examples_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The parses of extraction on Ray actors (each holds the spaCy model): the archive
    comes out as with everything in one process."""
    from newsdesk.pipeline import LocalRunner
    from test_extract_runners import _archive, _tables

    local = _archive(examples_dir, tmp_path / "local.db", LocalRunner(), monkeypatch)
    on_ray = _archive(examples_dir, tmp_path / "ray.db", RayRunner(workers=2, chunk_size=2),
                      monkeypatch)
    assert local.extract is not None and on_ray.extract is not None
    assert on_ray.extract.runner == "ray"
    assert on_ray.extract.worker_parsed == on_ray.extract.parsed == local.extract.parsed > 50
    a, b = _tables(tmp_path / "local.db"), _tables(tmp_path / "ray.db")
    assert a["mentions"] and a["political_events"]
    for t in sorted(set(a) | set(b)):
        assert a.get(t) == b.get(t), f"table {t} differs between LocalRunner and RayRunner"
