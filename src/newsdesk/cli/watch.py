"""`newsdesk watch add|list|remove` (saved queries) and `newsdesk alerts` (what they fired)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from newsdesk.cli.app import DEFAULT_DB_OPT, DbOpt, app, err, open_store, out
from newsdesk.cli.query import (
    ActorOpt,
    EntityOpt,
    FromOpt,
    MFromOpt,
    MinSourcesOpt,
    MToOpt,
    PlaceOpt,
    PloverOpt,
    SourceOpt,
    TextOpt,
    ToOpt,
    build_filter,
)
from newsdesk.query.events import QueryError
from newsdesk.watches import WatchError, add_watch, list_alerts, list_watches, remove_watch

watch_app = typer.Typer(help="Saved queries: every archive update checks them for alerts.",
                        no_args_is_help=True)
app.add_typer(watch_app, name="watch")


class ListFormat(StrEnum):
    table = "table"
    json = "json"


@watch_app.command("add")
def watch_add(
    name: Annotated[str, typer.Argument(help="The watch's name (its feed: /watch/NAME.atom).")],
    db: DbOpt = DEFAULT_DB_OPT,
    entity: EntityOpt = None,
    actor: ActorOpt = None,
    place: PlaceOpt = None,
    source: SourceOpt = None,
    plover: PloverOpt = None,
    text: TextOpt = None,
    published_from: FromOpt = None,
    published_to: ToOpt = None,
    mentioned_from: MFromOpt = None,
    mentioned_to: MToOpt = None,
    min_sources: MinSourcesOpt = None,
    min_breaking: Annotated[float | None, typer.Option(
        "--min-breaking", min=0, help="Only events with at least this breaking score.")] = None,
    replace_existing: Annotated[bool, typer.Option(
        "--replace", help="Replace a watch of the same name.")] = False,
) -> None:
    """Save a query (the options of `newsdesk query`) as a watch.

    The events it matches now count as seen; from the next archive update on, a new
    matching event, growth, a first corroboration or a new conflict fires an alert.
    """
    with open_store(db) as store:
        try:
            f = build_filter(entity, actor, place, source, plover, text, published_from,
                             published_to, mentioned_from, mentioned_to, min_sources)
            w = add_watch(store, name, f, min_breaking=min_breaking,
                          replace_existing=replace_existing)
        except QueryError as e:
            err.print(f"[red]error:[/red] {e.detail}", highlight=False)
            raise typer.Exit(2) from e
        except WatchError as e:
            err.print(f"[red]error:[/red] {e}", highlight=False)
            raise typer.Exit(2) from e
        n = store.db.execute("SELECT count(*) FROM watch_events WHERE watch=?",
                             (name,)).fetchone()[0]
    err.print(f"watch {w.name!r} saved; it matches {n} event(s) now", highlight=False)


@watch_app.command("list")
def watch_list(db: DbOpt = DEFAULT_DB_OPT,
               fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table
               ) -> None:
    """The saved watches."""
    with open_store(db) as store:
        ws = list_watches(store.db)
    if fmt is ListFormat.json:
        print(json.dumps([w.to_dict() for w in ws], ensure_ascii=False, indent=2))
        return
    table = Table("watch", "filter", "created")
    for w in ws:
        d = w.to_dict()
        shown = " ".join(f"{k}={v}" for k, v in d["filter"].items())
        if w.min_breaking is not None:
            shown += f" min_breaking={w.min_breaking}"
        table.add_row(w.name, shown, w.created)
    out.print(table)


@watch_app.command("remove")
def watch_remove(name: Annotated[str, typer.Argument()], db: DbOpt = DEFAULT_DB_OPT) -> None:
    """Delete a watch and its alerts."""
    with open_store(db) as store:
        try:
            remove_watch(store, name)
        except WatchError as e:
            err.print(f"[red]error:[/red] {e}", highlight=False)
            raise typer.Exit(2) from e
    err.print(f"watch {name!r} removed", highlight=False)


@app.command("alerts")
def alerts_cmd(
    db: DbOpt = DEFAULT_DB_OPT,
    watch: Annotated[str | None, typer.Option("--watch", help="Only this watch's.")] = None,
    since: Annotated[str | None, typer.Option(
        "--since", help="At/after this UTC date or time (YYYY-MM-DD[THH:MM:SS]).")] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
) -> None:
    """Alerts the watches fired, newest first, with the event id."""
    with open_store(db) as store:
        if watch is not None and not store.db.execute(
                "SELECT 1 FROM watches WHERE name=?", (watch,)).fetchone():
            err.print(f"[red]error:[/red] there is no watch {watch!r}: `newsdesk watch list` "
                      "shows them.", highlight=False)
            raise typer.Exit(2)
        alerts = list_alerts(store.db, watch, since)
    if fmt is ListFormat.json:
        print(json.dumps([a.to_dict() for a in alerts], ensure_ascii=False, indent=2))
        return
    table = Table("at", "watch", "kind")
    table.add_column("event", no_wrap=True)
    table.add_column("title", overflow="ellipsis", no_wrap=True, max_width=48)
    table.add_column("articles")
    table.add_column("sources")
    for a in alerts:
        table.add_row(a.at, a.watch, a.kind, a.event_id, str(a.detail.get("title") or ""),
                      str(a.detail.get("articles", "")),
                      str(a.detail.get("independent_sources", "")))
    out.print(table)
    err.print(f"{len(alerts)} alert(s)", highlight=False)
