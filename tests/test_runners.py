"""Pipelines and runners: validation, identical results per runner, per-worker setup,
per-article errors as skips, WARC sharding, and ingest's --runner option."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsdesk.clean import CleanStep, RepeatedLinesStep
from newsdesk.cli import app
from newsdesk.errors import NewsdeskError, Skipped
from newsdesk.ingest import (
    IngestOptions,
    ReadStep,
    choose_runner,
    ingest,
    ingest_pipeline,
    plan_shards,
    read_clean,
)
from newsdesk.model import Article
from newsdesk.pipeline import (
    ArticleStep,
    LocalRunner,
    Pipeline,
    PoolRunner,
    Runner,
    Shard,
    ShardStore,
    SourceStep,
    table_to_records,
    validate,
    write_shard,
)
from newsdesk.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from gen_warc import write_warc  # noqa: E402 - the generator of bench/ makes the test WARC


def ingested(paths: list[Path], runner: Runner | None = None,
             opts: IngestOptions | None = None
             ) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """(key, id, text) of every stored article in ingest order, and the skips."""
    with Store(":memory:") as store:
        report = ingest(paths, store, opts, runner=runner)
        arts = [(a.key, a.id, a.text) for a in store.articles(report.refs)]
        return arts, [(s.origin, s.reason) for s in report.skipped]


@pytest.fixture(scope="module")
def small_warc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """50 generated pages (with a wire copy and one HTTP 404) in one WARC."""
    return write_warc(tmp_path_factory.mktemp("warc") / "crawl.warc.gz", 50, first=450)


def test_each_runner_gives_identical_results_on_examples(examples_dir: Path) -> None:
    default = ingested([examples_dir])
    assert len(default[0]) >= 10 and {k for k, _, _ in default[0]} >= {"a01_pna_wire"}
    assert ingested([examples_dir], LocalRunner()) == default
    assert ingested([examples_dir], PoolRunner(2)) == default
    for name in ("local", "pool"):
        assert ingested([examples_dir], opts=IngestOptions(runner=name, workers=2)) == default


def test_split_warc_on_a_pool_equals_reading_it_whole(small_warc: Path) -> None:
    whole = ingested([small_warc], LocalRunner())
    assert len(whole[0]) == 49  # 50 pages, one of them a 404
    assert len(whole[1]) == 1 and "HTTP status 404" in whole[1][0][1]
    shards = plan_shards([small_warc], split_warc=True, warc_records=20)
    assert len(shards) >= 5 and all(s.byte_range for s in shards)
    assert shards[0].byte_range[0] == 0  # type: ignore[index]
    assert shards[-1].byte_range[1] == small_warc.stat().st_size  # type: ignore[index]
    opts = IngestOptions(workers=2, warc_shard_records=20)
    assert ingested([small_warc], PoolRunner(2), opts) == whole


def test_split_warc_runs_end_in_small_runs() -> None:
    # the runs cover every record once, in order; the last whole run is cut in halves
    # down to a quarter run, so no worker reads a whole run alone at the end
    from newsdesk.ingest import _warc_runs

    for n, size in ((4001, 200), (1000, 200), (201, 200), (50, 20), (5, 2)):
        starts = _warc_runs(n, size)
        sizes = [b - a for a, b in zip(starts, [*starts[1:], n], strict=True)]
        assert starts[0] == 0 and all(x > 0 for x in sizes) and sum(sizes) == n
        assert sizes[-1] <= max(1, size // 4) and max(sizes) <= size
    assert [b - a for a, b in zip(_warc_runs(1000, 200), [*_warc_runs(1000, 200)[1:], 1000],
                                  strict=True)] == [200, 200, 200, 200, 100, 50, 50]
    # extraction's write batches go through the same cut (pipeline.halve_last)
    from newsdesk.extract.archive import _batches

    assert [len(b) for b in _batches(list(range(1000)), 200)] == [200] * 4 + [100, 50, 50]
    assert [len(b) for b in _batches(list(range(201)), 200)] == [200, 1]
    assert _batches([], 200) == []


def test_shards_follow_input_order_and_folders(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        for i in range(20):
            (tmp_path / sub / f"{sub}{i:02d}.txt").write_text(f"Body {sub} {i}.\n\nMore.")
    (tmp_path / "feed.jsonl").write_text(json.dumps({"id": "j1", "text": "One.\n\nTwo."}))
    files = sorted((tmp_path / "a").iterdir()) + [tmp_path / "feed.jsonl"] + sorted(
        (tmp_path / "b").iterdir())
    shards = plan_shards(files)
    assert [len(s.files) for s in shards] == [16, 4, 1, 16, 4]
    assert [f for s in shards for f in s.files] == [str(f) for f in files]
    assert len({s.id for s in shards}) == len(shards)
    assert plan_shards(files) == shards  # stable ids for the same inputs


def test_validation_names_the_step_what_it_needs_and_who_adds_it() -> None:
    with pytest.raises(NewsdeskError) as e:
        Pipeline([CleanStep()], available=())
    msg = str(e.value)
    assert "'clean'" in msg and "'raw'" in msg and "'text'" in msg
    assert "'read'" in msg  # ReadStep adds what clean reads

    class NeedsSentences(ArticleStep):
        name = "needs-sentences"
        reads = ("text", "sentences")

        def process(self, article: Article) -> Article | None:
            return article

    with pytest.raises(NewsdeskError, match=r"'needs-sentences'.*'sentences'.*'sentences'"):
        validate([CleanStep(), NeedsSentences()])
    from newsdesk.nlp import SentencesStep

    validate([CleanStep(), SentencesStep(), NeedsSentences()])  # fine once a step adds it
    with pytest.raises(NewsdeskError, match="must come first"):
        Pipeline([CleanStep(), ReadStep()])
    pipe = ingest_pipeline()
    assert isinstance(pipe.source, ReadStep)
    assert [type(s) for s in pipe.article_steps] == [CleanStep]
    assert [type(s) for s in pipe.tail] == [RepeatedLinesStep]


class Flaky(ArticleStep):
    """Fails on one article (to show a failure becomes a skip) and records how often
    its setup ran in this process."""

    name = "flaky"
    reads = ("text",)
    adds = ("meta.worker",)
    setups: dict[int, int] = {}  # per process id (a forked worker inherits the parent's)

    def setup(self) -> None:
        self.setups[os.getpid()] = self.setups.get(os.getpid(), 0) + 1

    def process(self, article: Article) -> Article | None:
        if "explode" in article.text:
            raise ValueError("cannot handle this one")
        article.meta["worker"] = [os.getpid(), self.setups[os.getpid()]]
        return article


def test_article_errors_become_skips_and_setup_runs_once_per_worker(tmp_path: Path) -> None:
    for i in range(40):
        body = "This one will explode." if i == 7 else f"Quiet story {i}.\n\nNothing more."
        (tmp_path / f"s{i:02d}.txt").write_text(body)
    pipe = Pipeline([ReadStep(), CleanStep(), Flaky()])
    shards = plan_shards(sorted(tmp_path.iterdir()), files_per_shard=4)
    for runner in (LocalRunner(), PoolRunner(2)):
        recs = [r for _, rs in runner.run_shards(pipe, shards) for r in rs]
        arts = [r for r in recs if isinstance(r, Article)]
        skips = [r for r in recs if isinstance(r, Skipped)]
        assert [a.key for a in arts] == [f"s{i:02d}" for i in range(40) if i != 7]
        assert len(skips) == 1 and skips[0].origin.endswith("s07.txt")
        assert "'flaky'" in skips[0].reason and "cannot handle this one" in skips[0].reason
        per_worker = {tuple(a.meta["worker"]) for a in arts}
        assert {n for _, n in per_worker} == {1}  # set up once in each process, not per shard
        if isinstance(runner, PoolRunner):
            assert {pid for pid, _ in per_worker} != {os.getpid()}


def test_pool_loads_spacy_once_per_worker_and_returns_plain_spans() -> None:
    from newsdesk.nlp import SentencesStep

    arts = [Article(key=f"k{i}", text=f"The ferry to Orno left at {i} o'clock. It was full."
                    f"\n\nTraders in Sella said prices rose by {i} percent.") for i in range(8)]
    out = list(PoolRunner(2, chunk_size=2).run([SentencesStep()], arts))
    assert [a.key for a in out] == [a.key for a in arts]
    for a in out:
        sents = [a.text[s.start:s.end] for s in a.annotations["sentences"]]
        assert sents[0].startswith("The ferry to Orno") and sents[-1].startswith("Traders")
        assert len(sents) == 3
        assert all(type(s).__module__ == "newsdesk.model" for s in a.annotations["sentences"])


def test_shard_files_round_trip_every_field(tmp_path: Path, examples_dir: Path) -> None:
    recs = list(read_clean([examples_dir])) + [Skipped("x.txt", "empty file")]
    write_shard(tmp_path / "s.parquet", recs)
    import pyarrow.parquet as pq

    back = table_to_records(pq.read_table(tmp_path / "s.parquet"))
    assert back == recs
    assert not list(tmp_path.glob(".*tmp"))  # the temporary file was renamed into place


def test_work_folder_refuses_other_settings(tmp_path: Path) -> None:
    ShardStore(tmp_path, "aaa")
    ShardStore(tmp_path, "aaa")
    with pytest.raises(NewsdeskError, match="other settings.*--work-dir"):
        ShardStore(tmp_path, "bbb")


def test_choose_runner_keeps_the_automatic_rule(tmp_path: Path) -> None:
    few = [tmp_path / f"{i}.txt" for i in range(10)]
    many = [tmp_path / f"{i}.txt" for i in range(64)]
    assert isinstance(choose_runner(IngestOptions(), few), LocalRunner)
    assert isinstance(choose_runner(IngestOptions(), many), PoolRunner)
    assert isinstance(choose_runner(IngestOptions(runner="local"), many), LocalRunner)
    assert isinstance(choose_runner(IngestOptions(workers=2), few), PoolRunner)
    assert isinstance(choose_runner(IngestOptions(workers=2), [Path("-")]), LocalRunner)
    with pytest.raises(NewsdeskError, match="local, pool, ray"):
        choose_runner(IngestOptions(runner="spark"), few)


class Boom(SourceStep):
    name = "boom"

    def read(self, shard: Shard) -> Iterator[Article | Skipped]:
        yield Article(key="first", text="Read fine.")
        raise RuntimeError("reader bug")


def test_a_reader_crash_loses_only_the_rest_of_its_shard() -> None:
    shards = [Shard("s1", ("one",)), Shard("s2", ("two",))]
    out = list(LocalRunner().run_shards(Pipeline([Boom()]), shards))
    recs = [r for _, rs in out for r in rs]
    assert [type(r).__name__ for r in recs] == ["Article", "Skipped"] * 2
    assert "reader bug" in recs[1].reason  # type: ignore[union-attr]


def test_cli_ingest_runner_option(tmp_path: Path, examples_dir: Path) -> None:
    cli = CliRunner()
    db = str(tmp_path / "l.db")
    res = cli.invoke(app, ["ingest", str(examples_dir), "--db", db, "--runner", "local"])
    assert res.exit_code == 0, res.output
    with Store(db) as s:
        assert s.count() == len(ingested([examples_dir])[0])
    res = cli.invoke(app, ["ingest", str(examples_dir), "--db", db, "--work-dir",
                           str(tmp_path / "w")])
    assert res.exit_code == 2 and "--runner ray" in res.stderr
    res = cli.invoke(app, ["ingest", str(examples_dir), "--db", db, "--runner", "spark"])
    assert res.exit_code != 0


def test_pool_workers_leave_when_a_killed_run_leaves_them(tmp_path: Path) -> None:
    import signal
    import subprocess
    import time

    import psutil

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(3000):
        (corpus / f"a{i:05d}.txt").write_text(f"Report {i} on the quay.\n\nCrane {i} moved.")
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsdesk.cli", "ingest", str(corpus), "--workers", "2",
         "--db", str(tmp_path / "k.db")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 60
    workers: list[psutil.Process] = []
    while time.monotonic() < deadline and proc.poll() is None and len(workers) < 2:
        workers = parent.children()
        time.sleep(0.05)
    assert proc.poll() is None and len(workers) == 2, "no pool workers seen before the end"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, f"pool workers left running after their parent was killed: {alive}"


class _Touch(ArticleStep):
    """Writes a marker file named after each article it sees, from the worker."""

    name = "touch"
    reads = ("text",)
    adds = ()

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def process(self, article: Article) -> Article | None:
        Path(self.folder, article.key).write_text("seen")
        return article


def test_a_pool_starts_work_at_the_call_before_the_first_result_is_taken(
        tmp_path: Path) -> None:
    import time

    arts = [Article(key=f"a{i}", text=f"Ferry number {i} left the quay.") for i in range(6)]
    results = PoolRunner(2, chunk_size=2).run([_Touch(str(tmp_path))], arts)
    deadline = time.monotonic() + 30
    while not any(tmp_path.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(tmp_path.iterdir())  # workers ran before anything was taken
    assert [a.key for a in results] == [a.key for a in arts]
    # an iterator closed before its first item stops its pool without waiting for more
    unused = PoolRunner(2, chunk_size=1).run([_Touch(str(tmp_path))], arts)
    unused.close()  # type: ignore[attr-defined]



def _square(x: int) -> int:
    return x * x


def test_a_pool_lost_while_its_first_window_goes_out_fails_at_the_first_result(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker dying before the first window is out (its task kills it at once) made
    submit raise at the call, outside the caller's handling of a lost pool (seen once in
    the archive update's brief refresh under load); it is raised at the first result."""
    from concurrent.futures.process import BrokenProcessPool

    import newsdesk.pipeline as pl

    class DiesAtSecondSubmit(pl.ProcessPoolExecutor):
        calls = 0

        def submit(self, *args, **kwargs):  # type: ignore[no-untyped-def,override]
            DiesAtSecondSubmit.calls += 1
            if DiesAtSecondSubmit.calls == 2:
                raise BrokenProcessPool("a child process terminated abruptly")
            return super().submit(*args, **kwargs)

    monkeypatch.setattr(pl, "ProcessPoolExecutor", DiesAtSecondSubmit)
    results = PoolRunner(2).map_local(_square, range(10))  # does not raise here
    with pytest.raises(BrokenProcessPool):
        next(results)
    monkeypatch.undo()
    assert list(PoolRunner(2).map_local(_square, range(5))) == [0, 1, 4, 9, 16]

def test_extract_new_does_the_work_alongside_once_whatever_it_parses(tmp_path: Path) -> None:
    from newsdesk.extract.archive import extract_new

    calls: list[int] = []
    with Store(":memory:") as s:
        s.add_articles([Article(key="k1", text="Rivera said the ferry would run on Monday.")])
        extract_new(s, runner=LocalRunner(), alongside=lambda: calls.append(1))
        assert calls == [1]
        extract_new(s, runner=LocalRunner(), alongside=lambda: calls.append(2))  # nothing new
        assert calls == [1, 2]
