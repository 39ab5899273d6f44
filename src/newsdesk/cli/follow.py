"""`newsdesk follow`: poll folders and feeds, ingest what is new, update the archive."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from newsdesk.cli.app import (
    DEFAULT_DB_OPT,
    DbOpt,
    app,
    err,
    open_store,
    update_with_progress,
)
from newsdesk.ingest.follow import FollowError, PollResult, follow, parse_every


@app.command("follow")
def follow_cmd(
    sources: Annotated[list[str], typer.Argument(
        help="Folders (new files are read) and RSS/Atom feed URLs (http:// or https://).")],
    db: DbOpt = DEFAULT_DB_OPT,
    every: Annotated[str, typer.Option(
        "--every", help="Interval between polls: 90s, 15m, 1h (at least 1 minute).")] = "15m",
    once: Annotated[bool, typer.Option(
        "--once", help="Poll each source once and exit (for cron).")] = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help="One JSON line per source and poll on stdout.")] = False,
) -> None:
    """Poll SOURCES, ingest what is new, update the archive (and so fire the watches).

    Feeds are fetched with a conditional GET (ETag, Last-Modified); a failing source is
    backed off (doubling, up to 6 h) and its error reported. Ctrl-C stops cleanly; the
    state is in the store, so a restart resumes without duplicates. Exits non-zero with
    --once when every source failed.
    """
    failed_all = False

    def report(results: list[PollResult]) -> None:
        nonlocal failed_all
        added = 0
        for r in results:
            added += r.added
            if as_json:
                print(json.dumps({"source": r.source, "status": r.status, "added": r.added,
                                  "existing": r.existing, "error": r.error,
                                  "retry_at": r.retry_at, "http_status": r.http_status,
                                  "skipped": [[s.origin, s.reason] for s in r.skipped]},
                                 ensure_ascii=False), flush=True)
            for s in r.skipped:
                err.print(f"[yellow]skipped[/yellow] {s.origin}: {s.reason}", highlight=False)
            if r.status == "error":
                err.print(f"[yellow]error[/yellow] {r.source}: {r.error}; backing off until "
                          f"{r.retry_at}", highlight=False)
            elif r.status == "backoff":
                err.print(f"backing off {r.source} until {r.retry_at} (last error: "
                          f"{r.error})", highlight=False)
            else:
                err.print(f"{r.source}: {r.status}, {r.added} new article(s)", highlight=False)
        failed_all = bool(results) and all(r.status in ("error", "backoff") for r in results)
        if added:
            update_with_progress(store)

    with open_store(db) as store:
        try:
            follow(store, sources, every=parse_every(every), once=once, on_poll=report)
        except FollowError as e:
            err.print(f"[red]error:[/red] {e}", highlight=False)
            raise typer.Exit(2) from e
        except KeyboardInterrupt:
            err.print("stopped; the next `newsdesk follow` resumes where this one left off",
                      highlight=False)
            return
    if once and failed_all:
        raise typer.Exit(1)
