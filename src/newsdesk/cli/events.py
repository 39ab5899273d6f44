"""`newsdesk events`: which articles report the same real-world happening."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from newsdesk.cli.app import (
    DEFAULT_DB_OPT,
    DbOpt,
    DelayedProgress,
    PathsArg,
    WorkersOpt,
    app,
    err,
    open_store,
    out,
    refs_of,
)
from newsdesk.events import EventOptions, EventResult, pending_features, run_events
from newsdesk.events.stage import EventStore, cluster_articles, reuse_copies


class EventFormat(StrEnum):
    table = "table"
    json = "json"
    tsv = "tsv"


@app.command("events")
def events_cmd(
    paths: PathsArg = None,
    db: DbOpt = DEFAULT_DB_OPT,
    fmt: Annotated[EventFormat, typer.Option("--format", "-f")] = EventFormat.table,
    quiet_days: Annotated[int, typer.Option(
        "--quiet-days", min=0,
        help="An event with no new report for this many days goes dormant.")] = 14,
    workers: WorkersOpt = 0,
) -> None:
    """Group articles into events (those of PATHS, ingested first, when given).

    Without PATHS, the archive's events; with PATHS, the whole events their articles
    belong to (earlier members included). A non-default --quiet-days shows what that
    setting would give, without changing the stored events.
    """
    opts = EventOptions(quiet_days=quiet_days)
    with open_store(db) as store:
        refs = refs_of(paths, store, workers, quiet=fmt is not EventFormat.table)
        if refs is None and store.count() == 0:
            err.print(f"the store {db} holds no articles: pass files or directories to read, "
                      "e.g. `newsdesk events reports/`", highlight=False)
            raise typer.Exit(1)
        if quiet_days == EventOptions().quiet_days:
            bar = DelayedProgress(pending_features(store, refs), "reading for events")
            try:
                result = run_events(store, refs, opts, progress=bar.advance)
            finally:
                bar.stop()
        else:
            # Other settings: a what-if clustering shown, never stored (the archive keeps
            # the default one, which every other command and the ids rely on).
            arts = list(store.articles(refs))
            feats = EventStore(store).features((a.key, a.id) for a in arts)
            result = cluster_articles(arts, opts, features=feats,
                                      copy_of=reuse_copies(arts) if len(arts) > 1 else None)
    _print(result, fmt)


def _print(result: EventResult, fmt: EventFormat) -> None:
    if fmt is EventFormat.tsv:
        for a in result.assignments:
            print(f"{a.key}\t{a.event_id}")
        return
    if fmt is EventFormat.json:
        print(json.dumps([e.to_dict() for e in result.events], ensure_ascii=False, indent=2))
        return
    table = Table()
    table.add_column("event", no_wrap=True, min_width=15)
    table.add_column("first", no_wrap=True, min_width=10)
    table.add_column("last", no_wrap=True, min_width=10)
    for name in ("place", "n", "title", "articles"):
        table.add_column(name)
    for e in result.events:
        shown = ", ".join(e.articles[:6]) + (f" … (+{len(e.articles) - 6})"
                                             if len(e.articles) > 6 else "")
        table.add_row(e.id, e.first or "", e.last or "", e.place or "", str(len(e.articles)),
                      e.title, shown)
    out.print(table)
    err.print(f"{len(result.events)} event(s) from {len(result.assignments)} article(s)",
              highlight=False)
