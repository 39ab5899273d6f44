"""Ingest: read inputs, clean them, store them — streaming, batched and idempotent."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.clean import CleanOptions, CleanStep, RepeatedLinesStep
from newsdesk.errors import Skipped
from newsdesk.ingest.readers import HtmlOptions, read_path, walk_dir
from newsdesk.model import Article
from newsdesk.store import Store

__all__ = ["IngestOptions", "IngestReport", "expand_paths", "ingest", "read_clean"]


@dataclass(slots=True)
class IngestOptions:
    """How inputs are read, cleaned and written."""

    html: HtmlOptions = field(default_factory=HtmlOptions)
    clean: CleanOptions = field(default_factory=CleanOptions)
    batch_size: int = 500
    # Reader processes. 0 (the default) means one per core once there are at least
    # AUTO_POOL_MIN_FILES files (a pool costs ~0.3 s to start, worth it only for big
    # batches: on real 180 KB pages 2 workers take HTML ingest from 28 to 50 pages/s);
    # 1 keeps everything in this process.
    workers: int = 0

    def effective_workers(self, n_files: int) -> int:
        """How many reader processes a batch of ``n_files`` files gets."""
        if self.workers > 0:
            return self.workers
        return (os.cpu_count() or 1) if n_files >= AUTO_POOL_MIN_FILES else 1


AUTO_POOL_MIN_FILES = 64


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did."""

    read: int = 0
    added: int = 0
    existing: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    refs: list[tuple[str, str]] = field(default_factory=list)  # (key, id) of every article read
    ignored: list[Path] = field(default_factory=list)  # non-article files found in directories

    @property
    def failed_entirely(self) -> bool:
        """True when inputs were given but not one article could be read."""
        return self.read == 0 and bool(self.skipped)


def expand_paths(paths: Iterable[str | Path], ignored: list[Path] | None = None) -> list[Path]:
    """Every input file under the given paths (directories recursively, sorted); files of
    other types found in directories are appended to ``ignored`` when it is given."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if str(p) != "-" and path.is_dir():
            files, skipped = walk_dir(path)
            out.extend(files)
            if ignored is not None:
                ignored.extend(skipped)
        else:
            out.append(path)
    return out


def _clean_guarded(step: CleanStep, r: Article) -> Article | Skipped | None:
    """Clean one article; a cleaning rule that raises skips that article only."""
    try:
        return step.process(r)
    except Exception as e:
        return Skipped(r.origin or r.key, f"cleaning failed ({type(e).__name__}: "
                                          f"{' '.join(str(e).split())[:160]}); please report it "
                                          "with this input attached")


def _read_file_records(path: Path, opts: IngestOptions) -> list[Article | Skipped]:
    step = CleanStep(opts.clean)
    out: list[Article | Skipped] = []
    for r in read_path(path, opts.html):
        if isinstance(r, Article):
            cleaned = _clean_guarded(step, r)
            if cleaned is not None:
                out.append(cleaned)
        else:
            out.append(r)
    return out


def _read_chunk_job(args: tuple[list[Path], IngestOptions]) -> list[list[Article | Skipped]]:
    files, opts = args
    return [_read_file_records(f, opts) for f in files]


POOL_CHUNK = 16  # files per task sent to a reader process


def _read_alone(path: Path, opts: IngestOptions) -> list[Article | Skipped]:
    """Read one file in a fresh single reader process, so a file that kills its process
    (out of memory, a crash in a C parser) is named and costs nothing else."""
    try:
        with ProcessPoolExecutor(max_workers=1) as ex:
            return ex.submit(_read_file_records, path, opts).result()
    except BrokenProcessPool:
        return [Skipped(str(path), "the reader process died on this file (out of memory, or a "
                                   "crash in a parser); the rest of the batch was read; check "
                                   "or split this file")]
    except Exception as e:
        return [Skipped(str(path), f"reader process failed ({type(e).__name__}: {e}); "
                                   "the rest of the batch was read")]


def _pool_records(files: list[Path], opts: IngestOptions, workers: int,
                  on_file: Callable[[Path], None] | None) -> Iterator[Article | Skipped]:
    """Read files in ``workers`` processes, in order, a bounded number of chunks in flight.

    A worker that dies (BrokenProcessPool) does not end the batch: the files of the
    chunk whose result was lost are read one by one in fresh processes (the culprit is
    reported as skipped), the pool is restarted and the other chunks in flight are
    submitted again."""
    chunks = [files[i:i + POOL_CHUNK] for i in range(0, len(files), POOL_CHUNK)]
    todo = iter(chunks)
    ex = ProcessPoolExecutor(max_workers=workers)
    window: deque[tuple[list[Path], Future[list[list[Article | Skipped]]]]] = deque()

    def fill() -> None:
        while len(window) < workers * 3:
            chunk = next(todo, None)
            if chunk is None:
                return
            window.append((chunk, ex.submit(_read_chunk_job, (chunk, opts))))

    try:
        fill()
        while window:
            chunk, fut = window.popleft()
            try:
                results = fut.result()
            except BrokenProcessPool:
                ex.shutdown(wait=True, cancel_futures=True)
                results = [_read_alone(f, opts) for f in chunk]
                rest = [c for c, _ in window]
                ex = ProcessPoolExecutor(max_workers=workers)
                window.clear()
                window.extend((c, ex.submit(_read_chunk_job, (c, opts))) for c in rest)
            except Exception:
                results = [_read_alone(f, opts) for f in chunk]
            for f, recs in zip(chunk, results, strict=True):
                yield from recs
                if on_file:
                    on_file(f)
            fill()
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


def read_clean(
    paths: Iterable[str | Path], opts: IngestOptions | None = None,
    on_file: Callable[[Path], None] | None = None, ignored: list[Path] | None = None,
) -> Iterator[Article | Skipped]:
    """Read and clean every input, in order; skips come through as :class:`Skipped`.

    Never raises for bad input, in this process or in reader processes. Files in
    directories whose type is not an article format are passed over and listed in
    ``ignored`` when given."""
    opts = opts or IngestOptions()
    files = expand_paths(paths, ignored)
    workers = opts.effective_workers(len(files))
    if workers > 1 and len(files) > 1 and not any(str(f) == "-" for f in files):
        yield from _pool_records(files, opts, workers, on_file)
        return
    for f in files:
        yield from _read_file_records(f, opts)
        if on_file:
            on_file(f)


def ingest(
    paths: Iterable[str | Path], store: Store, opts: IngestOptions | None = None,
    on_file: Callable[[Path], None] | None = None,
) -> IngestReport:
    """Read, clean and store every input; never stops on a bad one."""
    opts = opts or IngestOptions()
    report = IngestReport()

    def readable() -> Iterator[Article]:
        for r in read_clean(paths, opts, on_file, report.ignored):
            if isinstance(r, Skipped):
                report.skipped.append(r)
            else:
                report.read += 1
                yield r

    def cleaned() -> Iterator[Article]:
        # The repeated-lines pass may change bodies (and so ids): take refs after it.
        for a in RepeatedLinesStep(opts.clean, chunk=max(opts.batch_size, 1000)).run(readable()):
            report.refs.append((a.key, a.id))
            yield a

    report.added, report.existing = store.add_articles(cleaned(), batch=opts.batch_size)
    store.record_skips(report.skipped)
    return report
