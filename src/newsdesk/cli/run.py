"""`newsdesk run`: the main job over a folder of reports."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from newsdesk.cli.app import (
    DEFAULT_DB_OPT,
    AddressOpt,
    DbOpt,
    DelayedProgress,
    RunnerName,
    RunnerOpt,
    WorkersOpt,
    app,
    check_address,
    err,
    exit_if_nothing_read,
    ingest_with_progress,
    open_store,
    out,
    parse_runner,
)
from newsdesk.ingest import IngestOptions
from newsdesk.overview import overview


@app.command("run")
def run_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories of reports.")],
    db: DbOpt = DEFAULT_DB_OPT,
    workers: WorkersOpt = 0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per event.")] = False,
    runner: RunnerOpt = RunnerName.pool,
    address: AddressOpt = None,
) -> None:
    """The main job: ingest, find copies, group into events, extract, and report each event."""
    check_address(runner, address)
    with open_store(db) as store:
        report = ingest_with_progress(paths, store, workers, opts=IngestOptions(
            workers=workers, runner=runner.value, address=address))
        exit_if_nothing_read(report)
        bar = DelayedProgress(len(report.refs), "extracting")
        try:
            events = overview(store, report.refs, on_article=bar.advance,
                              runner=parse_runner(runner, workers, address))
        finally:
            bar.stop()
        for ev in events:
            if as_json:
                print(json.dumps(asdict(ev), ensure_ascii=False))
                continue
            dates = ev.first if ev.first == ev.last else f"{ev.first} – {ev.last}"
            out.print(f"\n[bold]{ev.title}[/bold]  ({dates or 'undated'}"
                      f"{', ' + ev.place if ev.place else ''})", highlight=False)
            out.print(f"  {len(ev.articles)} article(s), {ev.independent_sources} independent "
                      f"source(s); event {ev.id}", highlight=False)
            for k in ev.articles:
                note = f"  (copy of {ev.copies[k]})" if k in ev.copies else ""
                out.print(f"    - {k}{note}", highlight=False)
            if ev.entities:
                out.print("  who/what: " + ", ".join(f"{n} ({c})" for n, c in ev.entities),
                          highlight=False)
            for q in ev.quotes:
                text = q["content"].strip().strip("\"“”‘’'«» ,")
                out.print(f"  {q['speaker']}: “{text}” [{q['cite']}]", highlight=False,
                          markup=False)
        err.print(f"\nstore {db}: {store.count()} article(s), {len(events)} event(s)",
                  highlight=False)
