"""Ingest: read inputs, clean them, store them — streaming, batched and idempotent."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
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


def _read_file_records(path: Path, opts: IngestOptions) -> list[Article | Skipped]:
    step = CleanStep(opts.clean)
    out: list[Article | Skipped] = []
    for r in read_path(path, opts.html):
        if isinstance(r, Article):
            cleaned = step.process(r)
            if cleaned is not None:
                out.append(cleaned)
        else:
            out.append(r)
    return out


def _read_file_job(args: tuple[Path, IngestOptions]) -> list[Article | Skipped]:
    return _read_file_records(*args)


def read_clean(
    paths: Iterable[str | Path], opts: IngestOptions | None = None,
    on_file: Callable[[Path], None] | None = None, ignored: list[Path] | None = None,
) -> Iterator[Article | Skipped]:
    """Read and clean every input, in order; skips come through as :class:`Skipped`.

    Files in directories whose type is not an article format are passed over and listed
    in ``ignored`` when given."""
    opts = opts or IngestOptions()
    files = expand_paths(paths, ignored)
    workers = opts.effective_workers(len(files))
    if workers > 1 and len(files) > 1:
        with ProcessPoolExecutor(max_workers=workers) as ex:
            results = ex.map(_read_file_job, ((f, opts) for f in files), chunksize=16)
            for f, recs in zip(files, results, strict=True):
                yield from recs
                if on_file:
                    on_file(f)
        return
    for f in files:
        if str(f) == "-":
            step = CleanStep(opts.clean)
            for r in read_path(f, opts.html):
                yield step.process(r) or r if isinstance(r, Article) else r
        else:
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
