"""`newsdesk run`: the main job over a folder of reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from newsdesk.cli.app import (
    DEFAULT_DB_OPT,
    DbOpt,
    WorkersOpt,
    app,
    err,
    exit_if_nothing_read,
    ingest_with_progress,
    open_store,
    out,
)


@app.command("run")
def run_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories of reports.")],
    db: DbOpt = DEFAULT_DB_OPT,
    workers: WorkersOpt = 1,
) -> None:
    """The main job: ingest the reports into the store and report what was found."""
    with open_store(db) as store:
        report = ingest_with_progress(paths, store, workers)
        exit_if_nothing_read(report)
        arts = list(store.articles(report.refs))
        out.print(f"[bold]{len(arts)} article(s)[/bold] in {db}", highlight=False)
        for a in arts:
            credits = f" credits {', '.join(a.credits)}" if a.credits else ""
            out.print(f"  {a.published or '????-??-??'}  {a.key}  ({a.source or 'unknown source'})"
                      f"{credits}: {a.title or a.text[:70]}", highlight=False)
        err.print(f"store {db}: {store.count()} article(s)", highlight=False)
