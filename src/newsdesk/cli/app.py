"""The Typer app and what every command shares: --db, ingest-first, progress, errors.

Commands only parse options and call the library (as sqlite-utils keeps ``cli.py``
apart from ``db.py``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from newsdesk.errors import NewsdeskError
from newsdesk.guard import StageFailure, collect_failures
from newsdesk.ingest import IngestOptions, IngestReport, expand_paths, ingest
from newsdesk.store import DEFAULT_DB, Store

if TYPE_CHECKING:
    from newsdesk.archive import ArchiveUpdate
    from newsdesk.pipeline import Runner

app = typer.Typer(
    help="newsdesk: overlapping news reports in, one sourced account per event out.",
    no_args_is_help=True,
    add_completion=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOpt = Annotated[
    str, typer.Option("--db", help="SQLite store file (':memory:' for a one-off run).")
]
PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Files or directories to ingest first ('-' reads JSONL from stdin)."),
]
WorkersOpt = Annotated[int, typer.Option(
    "--workers", "-w", min=0,
    help="Reader and parser processes (0: one per core, reading for batches of 64+ "
         "files, parsing for 50+ new articles; 1: all in this process).")]



class RunnerName(StrEnum):
    local = "local"
    pool = "pool"
    ray = "ray"


RunnerOpt = Annotated[RunnerName, typer.Option(
    "--runner", help="Where reading, cleaning and spaCy parsing run: this process, a "
    "process pool (one worker per core; reading for 64+ files, parsing for 50+ new "
    "articles), or Ray (see docs/scale.md).")]
AddressOpt = Annotated[str | None, typer.Option(
    "--address", help="Ray cluster to join (e.g. 10.0.0.5:6379; with --runner ray). "
    "Without it a local Ray starts on 127.0.0.1.")]

DEFAULT_DB_OPT = DEFAULT_DB


def check_address(runner: RunnerName, address: str | None) -> None:
    """--address is for the Ray runner only: exit 2 with how to fix it otherwise."""
    if address and runner is not RunnerName.ray:
        err.print("[red]error:[/red] --address is for the Ray runner; add --runner ray",
                  highlight=False)
        raise typer.Exit(2)


def parse_runner(runner: RunnerName, workers: int = 0, address: str | None = None
                 ) -> Runner:
    """The runner extraction parses on (``--runner``/``--workers``/``--address``)."""
    from newsdesk.extract.archive import extraction_runner

    return extraction_runner(runner.value, workers, address)


class DelayedProgress:
    """A Rich progress bar that appears only once a run has taken ~2 s, and only on a TTY."""

    def __init__(self, total: int, label: str, delay: float = 2.0) -> None:
        self.total, self.label, self.delay = total, label, delay
        self.done = 0
        self.start = time.monotonic()
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def advance(self, *_: object) -> None:
        """One more unit done."""
        self.done += 1
        if self.progress is None:
            if not err.is_terminal or time.monotonic() - self.start < self.delay:
                return
            self.progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=err, transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task(self.label, total=self.total)
        if self.task is not None:
            self.progress.update(self.task, completed=self.done)

    def stop(self) -> None:
        """Remove the bar."""
        if self.progress is not None:
            self.progress.stop()


@contextmanager
def open_store(db: str) -> Iterator[Store]:
    """Open the store or exit with the store's own explanation.

    Inside the block, an article a stage fails on is reported on stderr as it happens
    (the batch goes on, see :mod:`newsdesk.guard`), and a :class:`NewsdeskError` (a full
    disk, a store locked too long) ends the command with its one-line message, exit 2."""
    try:
        store = Store(db)
    except NewsdeskError as e:
        err.print(f"[red]error:[/red] {escape(str(e))}", highlight=False)
        raise typer.Exit(2) from e
    try:
        with collect_failures(on_failure=report_failure):
            yield store
    except NewsdeskError as e:
        err.print(f"[red]error:[/red] {escape(str(e))}", highlight=False)
        raise typer.Exit(2) from None
    finally:
        store.close()


def report_failure(f: StageFailure) -> None:
    """One stderr line per article a stage failed on."""
    err.print(f"[yellow]failed[/yellow] {escape(str(f))}", highlight=False)


def ingest_with_progress(paths: list[Path], store: Store, workers: int = 0,
                         quiet: bool = False, opts: IngestOptions | None = None
                         ) -> IngestReport:
    """Ingest paths with a progress bar, report every skip on stderr."""
    total = len(expand_paths(paths))
    bar = DelayedProgress(total, "ingesting")
    try:
        report = ingest(paths, store, opts or IngestOptions(workers=workers),
                        on_file=bar.advance)
    finally:
        bar.stop()
    if report.ignored:
        kinds = sorted({p.suffix or p.name for p in report.ignored})
        err.print(f"passed over {len(report.ignored)} file(s) that are not articles "
                  f"({', '.join(kinds)})", highlight=False)
    for s in report.skipped:
        err.print(f"[yellow]skipped[/yellow] {s.origin}: {s.reason}", highlight=False)
    if not quiet:
        err.print(
            f"read {report.read} article(s): {report.added} new, {report.existing} already "
            f"stored, {len(report.skipped)} input(s) skipped", highlight=False,
        )
    return report


def update_with_progress(store: Store, quiet: bool = False, runner: Runner | None = None
                         ) -> ArchiveUpdate:
    """Bring the archive up to date (new articles into events, claims, briefs) with a
    progress bar over the articles still to read, the parses on ``runner`` (default: a
    process pool for 50+ articles); report events that could not be briefed."""
    from newsdesk.archive import update_archive
    from newsdesk.events.archive import EventArchive
    from newsdesk.extract.step import EXTRACT_VERSION

    todo = int(store.db.execute(
        "SELECT count(*) FROM articles a LEFT JOIN extract_done d ON d.article_rowid = a.rowid "
        "AND d.version = ? WHERE d.article_rowid IS NULL", (EXTRACT_VERSION,)).fetchone()[0])
    bar = DelayedProgress(todo + EventArchive(store).pending(), "updating the archive")
    try:
        up = update_archive(store, progress=bar.advance, runner=runner)
    finally:
        bar.stop()
    for eid, reason in up.failed:
        err.print(f"[yellow]warning[/yellow] event {eid} could not be briefed: {reason}",
                  highlight=False)
    if up.watch_error:
        err.print(f"[yellow]warning[/yellow] watches could not be evaluated: {up.watch_error}",
                  highlight=False)
    if up.alerts and not quiet:
        err.print(f"watches: {up.alerts} alert(s) fired (`newsdesk alerts` lists them)",
                  highlight=False)
    if not quiet and (up.events.added or up.events.changed):
        ev = up.events
        merged = f", {len(ev.merged)} merged" if ev.merged else ""
        err.print(f"archive: {len(ev.added)} article(s) placed, {len(ev.created)} new "
                  f"event(s), {len(ev.changed) - len(ev.created)} grown{merged}",
                  highlight=False)
    return up


def exit_if_nothing_read(report: IngestReport) -> None:
    """Exit non-zero only when inputs were given and none could be read."""
    if report.read == 0 and report.skipped:
        err.print("[red]error:[/red] no input could be read (see the reasons above).")
        raise typer.Exit(1)


def refs_of(paths: list[Path] | None, store: Store, workers: int = 0,
            quiet: bool = False, update: bool = True, runner: RunnerName = RunnerName.pool,
            address: str | None = None) -> list[tuple[str, str]] | None:
    """What a reading command works on: the articles of PATHS (ingested first, exiting
    non-zero when none could be read, then the archive updated unless ``update`` is
    False), or None for the whole store when no PATHS. Reading and the parses run on
    ``runner``."""
    if not paths:
        return None
    opts = IngestOptions(workers=workers, runner=runner.value, address=address)
    report = ingest_with_progress(paths, store, workers, quiet=quiet, opts=opts)
    exit_if_nothing_read(report)
    if update:
        update_with_progress(store, quiet=quiet,
                             runner=parse_runner(runner, workers, address))
    return report.refs


def is_pipe() -> bool:
    """True when stdout is not a terminal."""
    return not sys.stdout.isatty()
