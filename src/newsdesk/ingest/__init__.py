"""Ingest: read inputs, clean them, store them — streaming, batched and idempotent."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from newsdesk.clean import CleanOptions, CleanStep, RepeatedLinesStep
from newsdesk.errors import NewsdeskError, Skipped
from newsdesk.ingest.readers import JSONL_SUFFIXES, HtmlOptions, read_path, read_warc, walk_dir
from newsdesk.model import Article
from newsdesk.pipeline import (
    TAIL_SHARE,
    LocalRunner,
    Pipeline,
    PoolRunner,
    RayRunner,
    Runner,
    Shard,
    SourceStep,
    halve_last,
    shard_id,
)
from newsdesk.store import Store

__all__ = ["RUNNERS", "IngestOptions", "IngestReport", "ReadStep", "choose_runner",
           "expand_paths", "ingest", "ingest_pipeline", "plan_shards", "read_clean",
           "warc_offsets"]


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
    # Where the read and clean steps run: "local" (this process), "pool" (processes on
    # this machine, under the automatic rule above) or "ray" (a Ray cluster; see
    # docs/scale.md). ``address`` joins an existing Ray cluster; ``work_dir`` keeps the
    # Ray runner's finished shards so a killed run resumes (a temporary folder if None).
    runner: str = "pool"
    address: str | None = None
    work_dir: str | None = None
    # A WARC file is split into runs of this many records for a pool or Ray when there
    # are fewer than SPLIT_WARC_MAX_FILES input files (so one big crawl file still
    # spreads over workers); 0 never splits; the local runner reads it whole.
    warc_shard_records: int = 200

    def effective_workers(self, n_files: int) -> int:
        """How many reader processes a batch of ``n_files`` files gets."""
        if self.workers > 0:
            return self.workers
        return (os.cpu_count() or 1) if n_files >= AUTO_POOL_MIN_FILES else 1


AUTO_POOL_MIN_FILES = 64
RUNNERS = ("local", "pool", "ray")


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


WARC_SHARD_RECORDS = 200  # WARC records per shard when a WARC is split for workers
FILES_PER_SHARD = 16  # files of one folder per shard (the old pool's chunksize)
SPLIT_WARC_MAX_FILES = 64  # WARC files are split only in runs of fewer input files


def _is_warc(path: Path) -> bool:
    return path.name.lower().endswith((".warc", ".warc.gz"))


class _Slice:
    """A read-only, seekable window ``[start, end)`` of an open file, for reading a run
    of WARC records with :func:`read_warc` (positions are relative to the window, and
    reads stop at its end, as at the end of a file)."""

    def __init__(self, fh: BinaryIO, start: int, end: int) -> None:
        self.fh, self.start, self.end = fh, start, end
        fh.seek(start)

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.fh.tell() - self.start

    def seek(self, pos: int, whence: int = 0) -> int:
        base = {0: self.start, 1: self.fh.tell(), 2: self.end}[whence]
        self.fh.seek(min(max(base + pos, self.start), self.end))
        return self.tell()

    def read(self, size: int | None = -1) -> bytes:
        left = self.end - self.fh.tell()
        if left <= 0:
            return b""
        n = left if size is None or size < 0 else min(size, left)
        return self.fh.read(n)


def warc_offsets(path: Path) -> list[int] | None:
    """Start offsets of every record of a WARC (None when it cannot be split: a
    single-member gzip, a truncated or corrupt file; it is then read whole)."""
    from warcio.archiveiterator import ArchiveIterator

    offsets: list[int] = []
    try:
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for _rec in it:
                offsets.append(it.get_record_offset())
    except Exception:  # noqa: BLE001 - any trouble: leave the file whole to its reader
        return None
    if not offsets or offsets[0] != 0 or any(b <= a for a, b in itertools.pairwise(offsets)):
        return None
    return offsets


def _warc_runs(n: int, size: int) -> list[int]:
    """Where the runs of a split WARC of ``n`` records start: even runs of about
    ``size`` records (no tiny last one), the last cut in halves down to
    ``size // TAIL_SHARE`` (:func:`newsdesk.pipeline.halve_last`): a whole last run kept
    one worker busy for ~0.9 s of a 12 s ingest (2,000 pages, 21 runs) while the other
    had nothing left."""
    k = -(-n // size)
    return halve_last([round(j * n / k) for j in range(k)], n, size // TAIL_SHARE)


def plan_shards(files: Sequence[Path], split_warc: bool = False,
                warc_records: int = WARC_SHARD_RECORDS,
                files_per_shard: int = FILES_PER_SHARD) -> list[Shard]:
    """Cut the input files into shards, in input order: each JSONL file and each WARC
    file is a shard (a WARC is split into runs of ``warc_records`` whole records when
    ``split_warc``, so one big crawl file still spreads over workers); other files go
    in groups of up to ``files_per_shard`` from the same folder."""
    shards: list[Shard] = []
    group: list[str] = []

    def flush() -> None:
        if group:
            shards.append(Shard(shard_id(group), tuple(group)))
            group.clear()

    for f in files:
        name = str(f)
        if _is_warc(f) or f.suffix.lower() in JSONL_SUFFIXES or name == "-":
            flush()
            offsets = warc_offsets(f) if split_warc and _is_warc(f) else None
            if offsets and len(offsets) > warc_records:
                cuts = [offsets[i] for i in _warc_runs(len(offsets), warc_records)]
                cuts.append(f.stat().st_size)
                for a, b in itertools.pairwise(cuts):
                    shards.append(Shard(shard_id([name], (a, b)), (name,), (a, b)))
            else:
                shards.append(Shard(shard_id([name]), (name,)))
            continue
        if group and (len(group) >= files_per_shard or Path(group[-1]).parent != f.parent):
            flush()
        group.append(name)
    flush()
    return shards


class ReadStep(SourceStep):
    """Read a shard's inputs into raw articles (the readers of ``ingest.readers``)."""

    name = "read"
    reads = ()
    adds = ("key", "text", "raw", "origin", "fmt", "url", "title", "source", "published",
            "credits", "meta")

    def __init__(self, opts: HtmlOptions | None = None) -> None:
        self.opts = opts or HtmlOptions()

    def read(self, shard: Shard) -> Iterator[Article | Skipped]:
        if shard.byte_range is not None:
            path = shard.files[0]
            start, end = shard.byte_range
            try:
                with open(path, "rb") as fh:
                    yield from read_warc(_Slice(fh, start, end), path,  # type: ignore[arg-type]
                                         self.opts)
            except OSError as e:
                yield Skipped(path, f"cannot read: {e.strerror or e}")
            return
        for f in shard.files:
            yield from read_path(Path(f), self.opts)


def ingest_pipeline(opts: IngestOptions | None = None) -> Pipeline:
    """The ingest steps: read and clean per shard (on workers), then the repeated-lines
    evidence over the merged stream (at the meeting point, before the store write)."""
    opts = opts or IngestOptions()
    return Pipeline([ReadStep(opts.html), CleanStep(opts.clean),
                     RepeatedLinesStep(opts.clean, chunk=max(opts.batch_size, 1000))])


def choose_runner(opts: IngestOptions, files: Sequence[Path]) -> Runner:
    """The runner ``opts.runner`` names. ``pool`` keeps the old automatic rule: with
    ``workers=0`` a process pool (one worker per core) only for 64+ files, since a pool
    costs ~0.3 s to start; stdin is always read here."""
    if opts.runner not in RUNNERS:
        raise NewsdeskError(f"unknown runner {opts.runner!r}: choose one of "
                            f"{', '.join(RUNNERS)}")
    if any(str(f) == "-" for f in files):
        return LocalRunner()
    if opts.runner == "ray":
        return RayRunner(num_cpus=opts.workers or None, address=opts.address,
                         work_dir=opts.work_dir, workers=opts.workers or None)
    workers = opts.effective_workers(len(files))
    if opts.runner == "local" or workers <= 1 or len(files) <= 1 and not _is_warc(files[0]):
        return LocalRunner()
    return PoolRunner(workers)


def read_clean(
    paths: Iterable[str | Path], opts: IngestOptions | None = None,
    on_file: Callable[[Path], None] | None = None, ignored: list[Path] | None = None,
    runner: Runner | None = None,
) -> Iterator[Article | Skipped]:
    """Read and clean every input, in order; skips come through as :class:`Skipped`.

    The reading and cleaning steps run on ``runner`` (by default the one
    ``opts.runner`` names), one input shard per task. Files in directories whose type is
    not an article format are passed over and listed in ``ignored`` when given."""
    opts = opts or IngestOptions()
    files = expand_paths(paths, ignored)
    if not files:
        return
    runner = runner or choose_runner(opts, files)
    pipe = ingest_pipeline(opts)
    # Splitting a WARC costs the driver one decompressing pass over it (~16 s per GB);
    # worth it only when there are too few files to keep every worker busy. The rule
    # depends on the inputs alone, so re-running a command plans the same shards.
    split = not isinstance(runner, LocalRunner) and len(files) < SPLIT_WARC_MAX_FILES
    shards = plan_shards(files, split_warc=split and opts.warc_shard_records > 0,
                         warc_records=opts.warc_shard_records)
    remaining: dict[str, int] = {}
    for sh in shards:  # a split WARC counts as read once its last piece is
        for f in sh.files:
            remaining[f] = remaining.get(f, 0) + 1
    for sh, recs in runner.run_shards(pipe, shards):
        yield from recs
        if on_file:
            for f in sh.files:
                remaining[f] -= 1
                if remaining[f] == 0:
                    on_file(Path(f))


def ingest(
    paths: Iterable[str | Path], store: Store, opts: IngestOptions | None = None,
    on_file: Callable[[Path], None] | None = None, runner: Runner | None = None,
) -> IngestReport:
    """Read, clean and store every input; never stops on a bad one.

    Reading and cleaning run on ``runner`` (default: the one ``opts.runner`` names);
    the repeated-lines evidence and the store write run here, where the shards meet."""
    opts = opts or IngestOptions()
    report = IngestReport()
    pipe = ingest_pipeline(opts)

    def readable() -> Iterator[Article]:
        for r in read_clean(paths, opts, on_file, report.ignored, runner):
            if isinstance(r, Skipped):
                report.skipped.append(r)
            else:
                report.read += 1
                yield r

    def cleaned() -> Iterator[Article]:
        # The repeated-lines pass may change bodies (and so ids): take refs after it.
        for a in pipe.run_tail(readable()):
            report.refs.append((a.key, a.id))
            yield a

    report.added, report.existing = store.add_articles(cleaned(), batch=opts.batch_size)
    store.record_skips(report.skipped)
    return report
