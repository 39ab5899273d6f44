"""Steps and runners: *what runs* is a list of steps; *where it runs* is a runner.

A step is a plain transformation over an iterator of articles. Steps that look at one
article at a time (:class:`ArticleStep`) can be spread over processes or a cluster;
steps that need the whole batch (:class:`BatchStep`, e.g. reuse or event clustering)
run where the results meet. Runners never know what a step does, steps never know
where they run (the shape follows datatrove's ``PipelineStep``/executor split).

A pipeline may start with a :class:`SourceStep` that turns an input :class:`Shard` (a
file, a group of files, a byte range of a WARC) into articles. Runners then hand whole
shards to workers: the source and the per-article steps after it run there, and only
plain data (:class:`Article` dataclasses, :class:`Skipped` records) comes back, never
spaCy ``Doc`` objects. Heavy resources are loaded once per worker by
:meth:`Step.setup` (called by the per-worker initialiser of every runner).

Runners: :class:`LocalRunner` (this process), :class:`PoolRunner` (a process pool on
this machine), :class:`RayRunner` (one stateful actor per worker on a local or remote
Ray cluster; each finished shard is written to a Parquet work folder, see
:class:`ShardStore`, so a killed run resumes without redoing it).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import json
import os
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from newsdesk.errors import NewsdeskError, Skipped
from newsdesk.model import Article, Paragraph, Span

Record = Article | Skipped

# What every Article has once it exists (the dataclass fields): a pipeline fed with
# articles starts with these; one that starts with a SourceStep starts with nothing.
ARTICLE_FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(Article) if f.name != "annotations")


class Step(ABC):
    """One stage. ``reads``/``adds`` name the Article fields or annotation layers used."""

    name: ClassVar[str] = "step"
    reads: ClassVar[tuple[str, ...]] = ()
    adds: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def run(self, articles: Iterable[Article]) -> Iterator[Article]:
        """Transform a stream of articles."""

    def setup(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Load heavy resources (a spaCy model, a lexicon). Runners call it once per
        worker process or actor before the first article, so nothing is loaded per
        article and nothing heavy is sent between processes."""

    def fingerprint(self) -> str:
        """What decides this step's output: class and settings. Work folders record it
        so shards made with other settings are never mixed in."""
        state = getattr(self, "__dict__", {})
        return f"{type(self).__module__}.{type(self).__qualname__}({state!r})"


class ArticleStep(Step):
    """A step that handles each article on its own: safe to parallelise."""

    @abstractmethod
    def process(self, article: Article) -> Article | None:
        """Return the article (changed in place or new), or None to drop it."""

    def run(self, articles: Iterable[Article]) -> Iterator[Article]:
        for a in articles:
            out = self.process(a)
            if out is not None:
                yield out


class BatchStep(Step):
    """A step that needs to see the whole batch before it can emit."""

    @abstractmethod
    def process_batch(self, articles: list[Article]) -> list[Article]:
        """Transform the whole batch."""

    def run(self, articles: Iterable[Article]) -> Iterator[Article]:
        yield from self.process_batch(list(articles))


@dataclass(frozen=True, slots=True)
class Shard:
    """One unit of input work, made of plain data so it can travel to any worker.

    ``files`` are read in order; ``byte_range`` (start, end) restricts a single file
    to a slice (a run of whole WARC records). ``id`` is stable for the same inputs
    (paths, sizes, modification times, range), so a work folder knows it was done.
    """

    id: str
    files: tuple[str, ...]
    byte_range: tuple[int, int] | None = None

    @property
    def label(self) -> str:
        """A readable name for messages."""
        first = self.files[0] if self.files else "?"
        more = f" (+{len(self.files) - 1} files)" if len(self.files) > 1 else ""
        rng = f" bytes {self.byte_range[0]}-{self.byte_range[1]}" if self.byte_range else ""
        return f"{first}{more}{rng}"


def shard_id(files: Sequence[str], byte_range: tuple[int, int] | None = None) -> str:
    """A stable id for a shard: its paths with their sizes and modification times."""
    h = hashlib.blake2b(digest_size=10)
    for f in files:
        try:
            st = os.stat(f)
            h.update(f"{os.path.abspath(f)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"{f}\0missing\n".encode())
    h.update(repr(byte_range).encode())
    return h.hexdigest()


class SourceStep(Step):
    """The first step of a sharded pipeline: turns a :class:`Shard` into records."""

    @abstractmethod
    def read(self, shard: Shard) -> Iterator[Record]:
        """Yield the shard's articles (and :class:`Skipped` for unreadable inputs)."""

    def run(self, articles: Iterable[Article]) -> Iterator[Article]:
        raise NewsdeskError(
            f"step {self.name!r} reads input shards, not articles: run its pipeline with "
            "Runner.run_shards(...), or drop it when you already have articles")


# -- validation -------------------------------------------------------------------------

def _all_step_classes() -> list[type[Step]]:
    todo: list[type[Step]] = list(Step.__subclasses__())
    seen: list[type[Step]] = list(todo)
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return seen


def _provided(field: str, available: Iterable[str]) -> bool:
    for a in available:
        if a == field or ("." not in field and a.startswith(field + ".")):
            return True
    return False


def validate(steps: Sequence[Step], available: Iterable[str] | None = None) -> None:
    """Check that every step reads only what the input or an earlier step adds.

    ``available`` is what the input already carries; by default nothing when the first
    step is a :class:`SourceStep`, else the fields every :class:`Article` has. Raises a
    :class:`NewsdeskError` naming the step, what it lacks, and the steps that add it.
    """
    if available is None:
        available = () if steps and isinstance(steps[0], SourceStep) else ARTICLE_FIELDS
    have = list(available)
    for i, step in enumerate(steps):
        if isinstance(step, SourceStep) and i > 0:
            raise NewsdeskError(
                f"step {step.name!r} reads input shards, so it must come first in the "
                f"pipeline (it is step {i + 1}); move it to the front")
        missing = [r for r in step.reads if not _provided(r, have)]
        if missing:
            hints = []
            for field in missing:
                makers = sorted({c.name for c in _all_step_classes()
                                 if not getattr(c, "__abstractmethods__", None)
                                 and field in c.adds and c is not type(step)})
                where = (f"added by step {' or '.join(repr(m) for m in makers)}"
                         if makers else "no known step adds it")
                hints.append(f"{field!r} ({where})")
            before = (f"after {', '.join(repr(s.name) for s in steps[:i])}" if i
                      else "as the first step")
            raise NewsdeskError(
                f"step {step.name!r} ({type(step).__name__}) {before} reads "
                f"{', '.join(hints)}, but neither the input nor an earlier step adds "
                f"{'it' if len(missing) == 1 else 'them'}; put a step that adds "
                f"{'it' if len(missing) == 1 else 'them'} before {step.name!r}")
        have.extend(step.adds)


class Pipeline:
    """A validated list of steps, split into what runs per shard and what runs where
    the results meet.

    ``head`` is the optional :class:`SourceStep` and the unbroken run of
    :class:`ArticleStep`s after it (these run on workers); ``tail`` is everything from
    the first step that needs the whole batch on (it runs in the driver).
    """

    def __init__(self, steps: Sequence[Step], available: Iterable[str] | None = None) -> None:
        validate(steps, available)
        self.steps = list(steps)
        rest = list(steps)
        self.source: SourceStep | None = None
        if rest and isinstance(rest[0], SourceStep):
            self.source = rest[0]
            rest.pop(0)
        self.article_steps: list[ArticleStep] = []
        while rest and isinstance(rest[0], ArticleStep):
            self.article_steps.append(rest.pop(0))  # type: ignore[arg-type]
        self.tail: list[Step] = rest

    def fingerprint(self) -> str:
        """The settings of the per-shard steps (what a work folder's shards depend on)."""
        parts = [s.fingerprint() for s in ([self.source] if self.source else [])]
        parts += [s.fingerprint() for s in self.article_steps]
        return hashlib.blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()

    def run_tail(self, articles: Iterable[Article]) -> Iterator[Article]:
        """Run the batch steps over the merged stream (at the meeting point)."""
        stream: Iterable[Article] = articles
        for s in self.tail:
            stream = s.run(stream)
        yield from stream


# -- what a worker does -----------------------------------------------------------------

def _apply_one(steps: Sequence[ArticleStep], article: Article) -> Record | None:
    """One article through the per-article steps; an exception becomes a Skipped."""
    a: Article | None = article
    for s in steps:
        try:
            a = s.process(a)  # type: ignore[arg-type]
        except Exception as e:  # noqa: BLE001 - one bad article never stops a batch
            return Skipped(article.origin or article.key,
                           f"step {s.name!r} failed on this article: {type(e).__name__}: {e}")
        if a is None:
            return None
    return a


def process_shard(source: SourceStep, steps: Sequence[ArticleStep], shard: Shard
                  ) -> list[Record]:
    """Read one shard and run the per-article steps over it, in order. Never raises for
    bad input: unreadable inputs and failing articles come back as :class:`Skipped`."""
    out: list[Record] = []
    try:
        for r in source.read(shard):
            if isinstance(r, Skipped):
                out.append(r)
                continue
            done = _apply_one(steps, r)
            if done is not None:
                out.append(done)
    except Exception as e:  # noqa: BLE001 - a reader bug loses this shard's rest, not the run
        out.append(Skipped(shard.label, f"reading stopped: {type(e).__name__}: {e}"))
    return out


def _apply_article_steps(steps: Sequence[ArticleStep], chunk: list[Article]) -> list[Record]:
    out: list[Record] = []
    for a in chunk:
        done = _apply_one(steps, a)
        if done is not None:
            out.append(done)
    return out


def _chunked(stream: Iterable[Article], size: int) -> Iterator[list[Article]]:
    it = iter(stream)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


TAIL_SHARE = 4  # the last run of work is cut in halves down to 1/TAIL_SHARE of a run


def halve_last(starts: list[int], n: int, smallest: int) -> list[int]:
    """Starts of runs over ``n`` items in order (``starts`` ascending, from 0), with the
    last run cut in halves until it holds at most ``smallest`` items. Workers take runs in
    order and the last one ends the work: a whole run there keeps one worker (or the
    meeting point) busy alone while the others have nothing left. Used for extraction's
    write batches and a split WARC's record runs."""
    if not starts:
        return []
    out, last = starts[:-1], starts[-1]
    while n - last > max(1, smallest):
        out.append(last)
        last += (n - last) // 2
    out.append(last)
    return out


def _setup(steps: Iterable[Step]) -> None:
    for s in steps:
        s.setup()


# -- runners ----------------------------------------------------------------------------

class Runner(ABC):
    """Runs a list of steps over articles somewhere."""

    @abstractmethod
    def run(self, steps: Sequence[Step], articles: Iterable[Article]) -> Iterator[Article]:
        """Yield the articles that come out of the last step."""

    @abstractmethod
    def run_shards(self, pipeline: Pipeline, shards: Sequence[Shard]
                   ) -> Iterator[tuple[Shard, list[Record]]]:
        """Run the pipeline's source and per-article steps on every shard; yield each
        shard with its records, in shard order. The pipeline's tail is the caller's
        (it runs at the meeting point, over the merged stream)."""

    def map_local(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """``fn`` over ``items``, results in order, on this machine: work of the meeting
        point that splits into independent parts (each event's claims and brief). In this
        process unless the runner has local workers (:class:`PoolRunner`); ``fn`` must
        be a module-level function and items and results plain data."""
        return map(fn, items)


def _require_source(pipeline: Pipeline) -> SourceStep:
    if pipeline.source is None:
        raise NewsdeskError("run_shards needs a pipeline whose first step is a SourceStep "
                            "(one that reads input shards); use Runner.run for articles")
    return pipeline.source


class LocalRunner(Runner):
    """Everything in this process, streaming (the default for small batches)."""

    def run(self, steps: Sequence[Step], articles: Iterable[Article]) -> Iterator[Article]:
        _setup(steps)
        stream: Iterable[Article] = articles
        for step in steps:
            stream = step.run(stream)
        yield from stream

    def run_shards(self, pipeline: Pipeline, shards: Sequence[Shard]
                   ) -> Iterator[tuple[Shard, list[Record]]]:
        source = _require_source(pipeline)
        _setup([source, *pipeline.article_steps])
        for sh in shards:
            yield sh, process_shard(source, pipeline.article_steps, sh)


_NO_ITEM = object()  # the end of a pool's items


# Per-process state of a PoolRunner worker: the steps, set up once by the initialiser.
_WORKER: dict[str, Any] = {}


def _pool_init(steps: list[Step], initializer: Callable[[], None] | None) -> None:
    """Per-worker initialiser: receive the steps once and load their resources."""
    if initializer is not None:
        initializer()
    _setup(steps)
    _WORKER["steps"] = steps


def _pool_worker_init(steps: list[Step], initializer: Callable[[], None] | None) -> None:
    """A pool worker's initialiser: set up the steps, and leave when the parent dies.

    A worker blocks on the pool's pipe, which its own inherited copy keeps open, so a
    SIGKILLed parent would leave it waiting forever; this thread ends it instead."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="newsdesk-parent-watch").start()
    _pool_init(steps, initializer)


def _pool_shard(shard: Shard) -> list[Record]:
    source, *steps = _WORKER["steps"]
    return process_shard(source, steps, shard)


def _pool_chunk(chunk: list[Article]) -> list[Record]:
    return _apply_article_steps(_WORKER["steps"], chunk)


def _stop(ex: ProcessPoolExecutor, window: deque[Future[Any]]) -> None:
    """Cancel what has not started and wait for the pool's workers to end."""
    for fut in window:
        fut.cancel()
    ex.shutdown(wait=True)


def _raise_first(error: BaseException) -> Generator[Any, None, None]:
    """A result stream whose first item is ``error``, raised."""
    raise error
    yield  # pragma: no cover - makes this a generator


def _drain(ex: ProcessPoolExecutor, window: deque[Future[Any]],
           fill: Callable[[], None]) -> Generator[Any, None, None]:
    """The results of a started window, in order, refilling it after each; the pool is
    stopped when the results end, fail or the caller closes this generator (one never
    started stops its pool when it is collected, through the executor's own cleanup)."""
    try:
        while window:
            out = window.popleft().result()
            fill()
            yield out
    finally:
        _stop(ex, window)


def _articles_of(results: Generator[list[Any], None, None]) -> Generator[Article, None, None]:
    """The articles of each chunk's results (an article whose step failed is dropped from
    a plain article stream; run_shards reports them as Skipped records); closing this
    closes ``results``, so the pool stops."""
    try:
        for out in results:
            yield from (r for r in out if isinstance(r, Article))
    finally:
        results.close()


class PoolRunner(Runner):
    """Runs the per-article steps in a local process pool (one worker per core by
    default). Each worker gets the steps once, through the pool's initialiser, and
    calls their :meth:`Step.setup` there, so a spaCy model loads once per worker; tasks
    then carry only shards or article lists. Results keep their order, so they equal
    :class:`LocalRunner`'s.
    """

    def __init__(self, workers: int = 0, chunk_size: int = 64,
                 initializer: Callable[[], None] | None = None, ahead: int = 3) -> None:
        self.workers = workers if workers > 0 else (os.cpu_count() or 1)
        self.chunk_size = chunk_size
        self.initializer = initializer
        # chunks in flight per worker: the window is refilled only when the caller takes
        # a result, so it must hold enough work to keep the workers busy for as long as
        # the caller spends between two takes (extraction: a whole write batch)
        self.ahead = max(1, ahead)

    def run(self, steps: Sequence[Step], articles: Iterable[Article]) -> Iterator[Article]:
        """As :meth:`Runner.run`, with the pool started at the call: the first window of
        the first group of per-article steps is submitted before this returns, so the
        workers are busy while the caller does other work before it takes the first result
        (the archive update indexes reuse meanwhile). Closing the iterator stops the pool."""
        stream: Iterable[Article] = articles
        for group_is_local, group in itertools.groupby(
            steps, key=lambda s: isinstance(s, ArticleStep)
        ):
            group_steps = list(group)
            if group_is_local:
                stream = self._pooled(group_steps, stream)  # type: ignore[arg-type]
            else:
                _setup(group_steps)
                for s in group_steps:
                    stream = s.run(stream)
        return iter(stream)

    def _pooled(self, steps: list[ArticleStep], stream: Iterable[Article]) -> Iterator[Article]:
        """The stream in chunks over the pool, a bounded window of chunks in flight (the
        input is read only as far as the window needs, so a long stream is never held
        whole), results in input order. The window is refilled before each chunk's
        articles are handed on, so workers keep parsing while the caller works on them."""
        init = functools.partial(_pool_worker_init, list(steps), self.initializer)
        return _articles_of(self._windowed(init, _pool_chunk,
                                           _chunked(stream, self.chunk_size)))

    def map_local(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """``fn`` over ``items`` on the pool's workers (forked from this process, so they
        share what it has loaded), a bounded window in flight, results in order. A
        worker's exception is raised here, at its item."""
        init = functools.partial(_pool_worker_init, [], self.initializer)
        return self._windowed(init, fn, items)

    def _windowed(self, init: Callable[[], None], fn: Callable[[Any], Any],
                  items: Iterable[Any]) -> Generator[Any, None, None]:
        """``fn`` over ``items`` on a new pool, ``ahead`` tasks per worker in flight, the
        window refilled each time a result is taken; results in order. The pool starts
        and the first window is submitted now, at the call (not at the first ``next``)."""
        it = iter(items)
        window: deque[Future[Any]] = deque()
        ex = ProcessPoolExecutor(max_workers=self.workers, initializer=init)

        def fill() -> None:
            while len(window) < self.workers * self.ahead:
                item = next(it, _NO_ITEM)
                if item is _NO_ITEM:
                    return
                window.append(ex.submit(fn, item))

        try:
            fill()
        except BrokenProcessPool as e:
            # a worker died before the first window was out (a task that kills its worker
            # at once): raised at the first result taken, like any worker's error, so the
            # caller's handling of a lost pool applies (not at this call)
            _stop(ex, window)
            return _raise_first(e)
        except BaseException:
            _stop(ex, window)
            raise
        return _drain(ex, window, fill)

    def run_shards(self, pipeline: Pipeline, shards: Sequence[Shard]
                   ) -> Iterator[tuple[Shard, list[Record]]]:
        """As :meth:`Runner.run_shards`, with a bounded number of shards in flight. A
        worker that dies (out of memory, a crash in a C parser) does not end the run:
        the shard whose result was lost is read again file by file, each in a fresh
        process (the file that kills it again is reported as skipped), the pool is
        restarted and the other shards in flight are submitted again."""
        source = _require_source(pipeline)
        if not shards:
            return
        steps: list[Step] = [source, *pipeline.article_steps]
        init = functools.partial(_pool_worker_init, steps, self.initializer)
        n = min(self.workers, len(shards))
        todo = iter(shards)
        ex = ProcessPoolExecutor(max_workers=n, initializer=init)
        window: deque[tuple[Shard, Future[list[Record]]]] = deque()

        def fill() -> None:
            while len(window) < n * 3:
                sh = next(todo, None)
                if sh is None:
                    return
                window.append((sh, ex.submit(_pool_shard, sh)))

        try:
            fill()
            while window:
                sh, fut = window.popleft()
                try:
                    recs = fut.result()
                except BrokenProcessPool:
                    ex.shutdown(wait=True, cancel_futures=True)
                    recs = _shard_alone(steps, sh, self.initializer)
                    rest = [s for s, _ in window]
                    ex = ProcessPoolExecutor(max_workers=n, initializer=init)
                    window.clear()
                    window.extend((s, ex.submit(_pool_shard, s)) for s in rest)
                except Exception:  # noqa: BLE001 - e.g. a result that would not unpickle
                    recs = _shard_alone(steps, sh, self.initializer)
                yield sh, recs
                fill()
        finally:
            ex.shutdown(wait=True, cancel_futures=True)


DIED = ("the reader process died on this file (out of memory, or a crash in a parser); "
        "the rest of the batch was read; check or split this file")


def _shard_alone(steps: list[Step], shard: Shard, initializer: Callable[[], None] | None
                 ) -> list[Record]:
    """Process a shard again one file at a time (a byte range as a whole), each in a
    fresh single-worker process, so a file that kills its process is named and costs
    nothing else."""
    parts = ([shard] if shard.byte_range is not None or len(shard.files) == 1 else
             [Shard(shard_id([f]), (f,)) for f in shard.files])
    out: list[Record] = []
    init = functools.partial(_pool_worker_init, steps, initializer)
    for part in parts:
        try:
            with ProcessPoolExecutor(max_workers=1, initializer=init) as ex:
                out.extend(ex.submit(_pool_shard, part).result())
        except BrokenProcessPool:
            out.append(Skipped(part.label, DIED))
        except Exception as e:  # noqa: BLE001 - reported, the batch goes on
            out.append(Skipped(part.label, f"reader process failed ({type(e).__name__}: "
                                           f"{e}); the rest of the batch was read"))
    return out


# -- the Parquet work folder ------------------------------------------------------------

_SCHEMA_FIELDS = ("kind", "key", "id", "text", "source", "credits", "url", "published",
                  "dateline", "title", "paragraphs", "origin", "fmt", "raw", "meta",
                  "annotations", "reason")


def records_to_table(records: Sequence[Record]) -> Any:
    """A pyarrow Table of a shard's records, in order: one row per article or skip
    (``kind`` tells which). Lists and dicts that vary per article (paragraphs, meta,
    annotations) are JSON strings, so any Parquet reader can open the files."""
    import pyarrow as pa

    cols: dict[str, list[Any]] = {f: [] for f in _SCHEMA_FIELDS}
    for r in records:
        if isinstance(r, Skipped):
            row: dict[str, Any] = {"kind": "skipped", "origin": r.origin, "reason": r.reason,
                                   "credits": []}
        else:
            row = {
                "kind": "article", "key": r.key, "id": r.id, "text": r.text,
                "source": r.source, "credits": list(r.credits), "url": r.url,
                "published": r.published, "dateline": r.dateline, "title": r.title,
                "paragraphs": json.dumps([[p.start, p.end] for p in r.paragraphs]),
                "origin": r.origin, "fmt": r.fmt, "raw": r.raw,
                # default=str: a value JSON cannot hold must not fail the whole shard
                "meta": json.dumps(r.meta, ensure_ascii=False, default=str),
                "annotations": json.dumps(
                    {k: [dataclasses.asdict(s) for s in v] for k, v in r.annotations.items()},
                    ensure_ascii=False),
            }
        for f in _SCHEMA_FIELDS:
            cols[f].append(row.get(f))
    schema = pa.schema([(f, pa.list_(pa.string()) if f == "credits" else pa.string())
                        for f in _SCHEMA_FIELDS])
    return pa.Table.from_pydict(cols, schema=schema)


def table_to_records(table: Any) -> list[Record]:
    """Rebuild the records written by :func:`records_to_table`, in order."""
    out: list[Record] = []
    for row in table.to_pylist():
        if row["kind"] == "skipped":
            out.append(Skipped(row["origin"], row["reason"]))
            continue
        out.append(Article(
            key=row["key"], text=row["text"], id=row["id"], source=row["source"],
            credits=list(row["credits"] or []), url=row["url"], published=row["published"],
            dateline=row["dateline"], title=row["title"],
            paragraphs=[Paragraph(s, e) for s, e in json.loads(row["paragraphs"])],
            origin=row["origin"] or "", fmt=row["fmt"] or "", raw=row["raw"] or "",
            meta=json.loads(row["meta"]),
            annotations={k: [Span(**s) for s in v]
                         for k, v in json.loads(row["annotations"]).items()},
        ))
    return out


class ShardStore:
    """A work folder of finished shards: ``shards/<id>.parquet`` plus ``manifest.jsonl``.

    A worker writes a shard's records to a temporary file and renames it into place
    when the shard is complete (the rename is atomic), so a file that exists is whole.
    The driver alone appends to the manifest (one JSON line per finished shard, after
    a header line with the pipeline's fingerprint). A shard counts as done when its
    file exists; one whose file exists without a manifest line (the driver was killed
    between the rename and the append) is adopted on the next run. Nothing is ever
    redone once done, and a folder made by other settings is refused.
    """

    def __init__(self, root: str | Path, fingerprint: str) -> None:
        self.root = Path(root)
        self.dir = self.root / "shards"
        self.manifest = self.root / "manifest.jsonl"
        self.fingerprint = fingerprint
        self.dir.mkdir(parents=True, exist_ok=True)
        self.entries: dict[str, dict[str, Any]] = {}
        if self.manifest.exists():
            text = self.manifest.read_text(encoding="utf-8")
            raw = [ln for ln in text.splitlines() if ln.strip()]
            good = [ln for ln in raw if _json_ok(ln)]
            if len(good) != len(raw) or (text and not text.endswith("\n")):
                # A line torn by a kill mid-append: rewrite without it (atomically), so
                # the next append starts on a line of its own.
                tmp = self.manifest.with_suffix(".jsonl.tmp")
                tmp.write_text("".join(ln + "\n" for ln in good), encoding="utf-8")
                os.replace(tmp, self.manifest)
            lines = [json.loads(ln) for ln in good]
            head = lines[0] if lines else {}
            if head.get("pipeline") not in (None, fingerprint):
                raise NewsdeskError(
                    f"work folder {self.root} holds shards made with other settings "
                    f"(pipeline {head.get('pipeline')}, now {fingerprint}); give a new "
                    "--work-dir or delete that folder to start again")
            self.entries = {e["shard"]: e for e in lines[1:] if "shard" in e}
        else:
            self._append({"pipeline": fingerprint, "format": "newsdesk.shards-1"})

    def _append(self, entry: dict[str, Any]) -> None:
        with open(self.manifest, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def path(self, sid: str) -> Path:
        """Where a shard's Parquet file lives."""
        return self.dir / f"{sid}.parquet"

    def is_done(self, sid: str) -> bool:
        """True when the shard's file is in place (it is only ever renamed in whole)."""
        return self.path(sid).exists()

    def record(self, shard: Shard, n_articles: int, n_skipped: int) -> None:
        """Add a finished shard to the manifest (driver only)."""
        if shard.id in self.entries:
            return
        entry = {"shard": shard.id, "file": self.path(shard.id).name,
                 "inputs": list(shard.files), "byte_range": shard.byte_range,
                 "articles": n_articles, "skipped": n_skipped}
        self.entries[shard.id] = entry
        self._append(entry)

    def load(self, sid: str) -> list[Record]:
        """The records of a finished shard."""
        import pyarrow.parquet as pq

        return table_to_records(pq.read_table(self.path(sid)))


def _json_ok(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False  # a line half-written when the driver was killed
    return True


def write_shard(path: Path, records: Sequence[Record]) -> tuple[int, int]:
    """Write records to ``path`` atomically (temporary file, fsync, rename)."""
    import pyarrow.parquet as pq

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # snappy: per 100-page shard, write+read 0.03 s against zstd's 0.27 s (4x larger file).
    pq.write_table(records_to_table(records), tmp, compression="snappy")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    n_art = sum(1 for r in records if isinstance(r, Article))
    return n_art, len(records) - n_art


# -- Ray --------------------------------------------------------------------------------

class ShardWorker:
    """The state one Ray actor holds: the steps, set up once (spaCy and other heavy
    resources load here, once per actor); each call processes one shard and writes its
    Parquet file, returning only counts."""

    def __init__(self, steps: list[Step], initializer: Callable[[], None] | None = None
                 ) -> None:
        _pool_init(steps, initializer)
        self.steps = steps
        self.shards_done = 0

    def process(self, shard: Shard, out_path: str) -> tuple[str, int, int, int, float]:
        """Process a shard into ``out_path``; returns (shard id, articles, skips, pid,
        CPU seconds this actor spent on it)."""
        cpu0 = time.process_time()
        source, *steps = self.steps
        records = process_shard(source, steps, shard)  # type: ignore[arg-type]
        n_art, n_skip = write_shard(Path(out_path), records)
        self.shards_done += 1
        return shard.id, n_art, n_skip, os.getpid(), time.process_time() - cpu0

    def process_articles(self, chunk: list[Article]) -> list[Record]:
        """The per-article steps over a list of articles (for :meth:`RayRunner.run`)."""
        return _apply_article_steps(self.steps, chunk)  # type: ignore[arg-type]


def start_ray(num_cpus: int | None = None, address: str | None = None) -> None:
    """Start (or join) Ray: a local instance on 127.0.0.1 only when no ``address`` is
    given, with no dashboard and no usage reporting; an existing cluster otherwise.
    Does nothing when Ray is already initialised in this process."""
    import sys

    if not address:
        # Set before Ray starts: it makes a local Ray use 127.0.0.1 as its node address
        # and bind its servers there (read by ray_constants at import, and by the
        # raylet and GCS processes it spawns).
        os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage reports sent home
    already_imported = "ray" in sys.modules
    try:
        import ray
    except ImportError as e:
        raise NewsdeskError(
            "the Ray runner needs Ray: install it with `pip install 'newsdesk[ray]'`") from e
    if ray.is_initialized():
        return
    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        if already_imported:
            # Ray was imported before the variable above was set, so its constant was
            # read without it; without this a "local" Ray would listen on every
            # interface and advertise the machine's public address.
            from ray._private import ray_constants

            ray_constants.ENABLE_RAY_CLUSTER = False
        ray.init(address="local", num_cpus=num_cpus or os.cpu_count() or 1,
                 include_dashboard=False, _node_ip_address="127.0.0.1",
                 log_to_driver=False)


@dataclass(slots=True)
class RunStats:
    """What the last sharded run did: shards processed now and shards found done."""

    computed: list[str] = dataclasses.field(default_factory=list)
    reused: list[str] = dataclasses.field(default_factory=list)
    pids: set[int] = dataclasses.field(default_factory=set)
    worker_cpu: float = 0.0  # CPU seconds the actors spent on the computed shards


class RayRunner(Runner):
    """Runs the per-article steps on Ray: one stateful actor per worker (one CPU each)
    holds the set-up steps; every input shard becomes a task on a free actor; each
    finished shard is a Parquet file in ``work_dir`` (see :class:`ShardStore`), read
    back in shard order by the driver, where the batch steps then run.

    Without ``address`` a local Ray starts on 127.0.0.1 with ``num_cpus`` CPUs; with
    it, the driver joins that cluster (``ray start --head`` on the head node), and
    ``work_dir`` must then be on storage every node sees.
    """

    def __init__(self, num_cpus: int | None = None, address: str | None = None,
                 work_dir: str | Path | None = None, workers: int | None = None,
                 initializer: Callable[[], None] | None = None, chunk_size: int = 64) -> None:
        self.num_cpus = num_cpus
        self.address = address
        self.work_dir = Path(work_dir) if work_dir else None
        self.workers = workers
        self.initializer = initializer
        self.chunk_size = chunk_size
        self.stats = RunStats()

    def _actors(self, steps: list[Step], n_tasks: int) -> list[Any]:
        import ray

        start_ray(self.num_cpus, self.address)
        n = self.workers or int(ray.cluster_resources().get("CPU", 1)) or 1
        n = max(1, min(n, n_tasks))
        # A worker that dies (out of memory, a node lost) is restarted, with its setup
        # run again; the task it was running is reported, and retried on the next run.
        actor = ray.remote(num_cpus=1, max_restarts=3)(ShardWorker)
        return [actor.remote(steps, self.initializer) for _ in range(n)]

    def run(self, steps: Sequence[Step], articles: Iterable[Article]) -> Iterator[Article]:
        from ray.util import ActorPool

        stream: Iterable[Article] = articles
        for is_article, group in itertools.groupby(
                steps, key=lambda s: isinstance(s, ArticleStep)):
            group_steps = list(group)
            if not is_article:
                _setup(group_steps)
                for s in group_steps:
                    stream = s.run(stream)
                continue
            chunks = list(_chunked(stream, self.chunk_size))
            if not chunks:
                stream = []
                continue
            actors = self._actors(group_steps, len(chunks))
            try:
                results = ActorPool(actors).map(
                    lambda a, c: a.process_articles.remote(c), chunks)
                stream = [r for out in results for r in out if isinstance(r, Article)]
            finally:
                _kill(actors)
        yield from stream

    def run_shards(self, pipeline: Pipeline, shards: Sequence[Shard]
                   ) -> Iterator[tuple[Shard, list[Record]]]:
        import tempfile

        source = _require_source(pipeline)
        self.stats = RunStats()
        tmp = None
        root = self.work_dir
        if root is None:
            tmp = tempfile.TemporaryDirectory(prefix="newsdesk-shards-")
            root = Path(tmp.name)
        actors: list[Any] = []
        sched: _Scheduler | None = None
        try:
            store = ShardStore(root, pipeline.fingerprint())
            finished: set[str] = set()
            todo: dict[str, Shard] = {}
            for sh in shards:
                if sh.id in finished or sh.id in todo:
                    continue
                if store.is_done(sh.id):
                    self.stats.reused.append(sh.id)
                    finished.add(sh.id)
                    if sh.id not in store.entries:  # renamed, then the driver was killed
                        recs = store.load(sh.id)
                        n = sum(1 for r in recs if isinstance(r, Article))
                        store.record(sh, n, len(recs) - n)
                else:
                    todo[sh.id] = sh
            failed: dict[str, str] = {}
            if todo:
                actors = self._actors([source, *pipeline.article_steps], len(todo))
            sched = _Scheduler(actors, list(todo.values()), store, self.stats, finished,
                               failed)
            sched.start()
            for sh in shards:
                # Shards are yielded in input order as they finish; the scheduler thread
                # keeps every actor busy meanwhile (the caller's store write between two
                # yields would otherwise leave finished actors idle).
                sched.wait_for(sh.id)
                if sched.error is not None:
                    raise sched.error
                if sh.id in failed:
                    yield sh, [Skipped(sh.label, failed[sh.id])]
                else:
                    yield sh, store.load(sh.id)
            sched.join()
        finally:
            if sched is not None:
                sched.stop = True
            _kill(actors)
            if sched is not None:
                sched.join(timeout=30)
            if tmp is not None:
                tmp.cleanup()


class _Scheduler(threading.Thread):
    """Hands shards to free actors (one at a time each, so a worker that dies takes only
    its own shard with it) and records each finished one in the manifest; the only
    writer of the manifest while a run is on."""

    def __init__(self, actors: list[Any], todo: list[Shard], store: ShardStore,
                 stats: RunStats, finished: set[str], failed: dict[str, str]) -> None:
        super().__init__(daemon=True, name="newsdesk-ray-scheduler")
        self.actors, self.todo, self.store, self.stats = actors, todo, store, stats
        self.finished, self.failed = finished, failed
        self.cond = threading.Condition()
        self.error: BaseException | None = None
        self.stop = False

    def wait_for(self, sid: str) -> None:
        """Block until shard ``sid`` is finished or failed (or the scheduler broke)."""
        def ready() -> bool:
            return sid in self.finished or sid in self.failed or self.error is not None

        with self.cond:
            self.cond.wait_for(ready)

    def run(self) -> None:
        import ray

        idle = list(self.actors)
        queue = list(self.todo)
        running: dict[Any, tuple[Shard, Any]] = {}  # future -> (shard, actor)
        try:
            while (queue and not self.stop) or running:
                while idle and queue and not self.stop:
                    sh, a = queue.pop(0), idle.pop()
                    running[a.process.remote(sh, str(self.store.path(sh.id)))] = (sh, a)
                if not running:
                    break
                (done,), _ = ray.wait(list(running), num_returns=1)
                sh, a = running.pop(done)
                idle.append(a)
                try:
                    sid, n_art, n_skip, pid, cpu = ray.get(done)
                except Exception as e:  # noqa: BLE001 - a lost worker loses its shard only
                    first = str(e).splitlines()[0] if str(e) else ""
                    with self.cond:
                        # Not written, so the next run with this work folder retries it.
                        self.failed[sh.id] = (
                            f"worker failed on this shard ({type(e).__name__}: {first}); "
                            "re-run the same command to retry it")
                        self.cond.notify_all()
                    continue
                if self.stop:
                    continue
                self.store.record(sh, n_art, n_skip)
                with self.cond:
                    self.stats.computed.append(sid)
                    self.stats.pids.add(pid)
                    self.stats.worker_cpu += cpu
                    self.finished.add(sid)
                    self.cond.notify_all()
        except BaseException as e:  # noqa: BLE001 - handed to the driver loop, raised there
            with self.cond:
                self.error = e
                self.cond.notify_all()


def _kill(actors: list[Any]) -> None:
    """End a run's actors now, so their CPUs are free for the next run at once."""
    if not actors:
        return
    import ray

    for a in actors:
        ray.kill(a)


def make_runner(kind: str, workers: int = 0, address: str | None = None,
                work_dir: str | Path | None = None) -> Runner:
    """A runner by name: ``local``, ``pool`` or ``ray`` (what ``--runner`` takes)."""
    if kind == "local":
        return LocalRunner()
    if kind == "pool":
        return PoolRunner(workers)
    if kind == "ray":
        return RayRunner(num_cpus=workers or None, address=address, work_dir=work_dir,
                         workers=workers or None)
    raise NewsdeskError(f"unknown runner {kind!r}: choose local, pool or ray")
