"""`newsdesk brief`: the cited account of each event."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from newsdesk.brief.build import BriefOptions, build_brief
from newsdesk.brief.render import render_html, render_json, render_markdown, render_text
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
    open_store,
    parse_runner,
    refs_of,
)
from newsdesk.errors import NewsdeskError


class BriefFormat(StrEnum):
    md = "md"
    json = "json"
    html = "html"
    text = "text"


@app.command("brief")
def brief_cmd(
    args: Annotated[list[str] | None, typer.Argument(
        metavar="[EVENT_ID] [PATH]...",
        help="An event id (from `newsdesk events`) and/or files or directories to read "
             "first. Without PATHs, the whole store.")] = None,
    db: DbOpt = DEFAULT_DB_OPT,
    fmt: Annotated[BriefFormat, typer.Option("--format", "-f")] = BriefFormat.md,
    words: Annotated[int | None, typer.Option(
        "--words", min=1,
        help="Summary length in words (with --format text: the summary alone, cut to N "
             "words).")] = None,
    as_one_event: Annotated[bool, typer.Option(
        "--as-one-event", help="Treat every input as one event.")] = False,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of standard output.")] = None,
    workers: WorkersOpt = 0,
    runner: RunnerOpt = RunnerName.pool,
    address: AddressOpt = None,
) -> None:
    """Brief each event: cited summary, claims with their support, conflicts, numbers,
    quotes, who's who, timeline, source matrix, reuse map and political events."""
    items = list(args or [])
    event_id = None
    if items and items[0] != "-" and not Path(items[0]).exists():
        event_id = items.pop(0)
    paths = [Path(p) for p in items]
    check_address(runner, address)
    opts = BriefOptions(as_one_event=as_one_event, event_id=event_id)
    if words is not None:
        opts.summary_words, opts.fit_words = words, True
    with open_store(db) as store:
        refs = refs_of(paths, store, workers, quiet=fmt is not BriefFormat.md or output is None,
                       runner=runner, address=address)
        if refs is None and store.count() == 0:
            err.print(f"the store {db} holds no articles: pass files or directories to read, "
                      "e.g. `newsdesk brief reports/`", highlight=False)
            raise typer.Exit(1)
        bar = DelayedProgress(len(refs) if refs is not None else store.count(), "briefing")
        try:
            brief = build_brief(store, refs, opts, on_article=bar.advance,
                                runner=parse_runner(runner, workers, address))
        except NewsdeskError as e:
            bar.stop()
            err.print(f"[red]error:[/red] {e}", highlight=False)
            raise typer.Exit(1) from None
        finally:
            bar.stop()
    if fmt is BriefFormat.json:
        text = render_json(brief)
    elif fmt is BriefFormat.html:
        text = render_html(brief)
    elif fmt is BriefFormat.text:
        text = render_text(brief, words)
    else:
        text = render_markdown(brief)
    if output is not None:
        output.write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
        err.print(f"wrote {output}", highlight=False)
    else:
        print(text)
