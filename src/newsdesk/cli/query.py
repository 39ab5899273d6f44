"""`newsdesk query`: the archive's events by entity, place, source, PLOVER type, actors and
dates, through the same :class:`~newsdesk.query.events.EventFilter` as the API and pages."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from newsdesk.cli.app import DEFAULT_DB_OPT, DbOpt, app, err, open_store, out
from newsdesk.query import events as qe
from newsdesk.query.events import EventFilter, QueryError


class QueryFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


EntityOpt = Annotated[list[str] | None, typer.Option(
    "--entity", "-e", help="An entity by any variant or a near spelling (repeat: all of "
                           "them mentioned in the event).")]
ActorOpt = Annotated[list[str] | None, typer.Option(
    "--actor", "-a", help="PLOVER actor code (repeat once for a pair, either direction).")]
PlaceOpt = Annotated[str | None, typer.Option("--place", help="Where the event happened.")]
SourceOpt = Annotated[str | None, typer.Option("--source", help="An outlet that reported it.")]
PloverOpt = Annotated[str | None, typer.Option(
    "--plover", "-t", help="PLOVER type coded in the event (AGREE, CONSULT, ...).")]
TextOpt = Annotated[str | None, typer.Option("--text", "-q", help="Full-text query (FTS5).")]
FromOpt = Annotated[str | None, typer.Option(
    "--from", help="Published on/after (YYYY[-MM[-DD]]).")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Published on/before.")]
MFromOpt = Annotated[str | None, typer.Option(
    "--mentions-from", help="Mentions a date on/after this in its text.")]
MToOpt = Annotated[str | None, typer.Option(
    "--mentions-to", help="Mentions a date on/before this in its text.")]
MinSourcesOpt = Annotated[int | None, typer.Option(
    "--min-sources", min=0, help="At least this many independent sources.")]


def build_filter(entity: list[str] | None = None, actor: list[str] | None = None,
                 place: str | None = None, source: str | None = None,
                 plover: str | None = None, text: str | None = None,
                 published_from: str | None = None, published_to: str | None = None,
                 mentioned_from: str | None = None, mentioned_to: str | None = None,
                 min_sources: int | None = None) -> EventFilter:
    """The shared filter from command-line options (validated)."""
    for name in (entity or []) + (actor or []):
        if qe.LIST_SEP in name:
            raise QueryError("entity", f"{name!r} holds {qe.LIST_SEP!r}: repeat the option "
                                       "once per entity or actor instead.")
    return EventFilter(
        q=text, place=place, source=source, plover=plover,
        entities=qe.LIST_SEP.join(entity) if entity else None,
        actors=qe.LIST_SEP.join(actor) if actor else None,
        published_from=published_from, published_to=published_to,
        mentioned_from=mentioned_from, mentioned_to=mentioned_to,
        min_sources=min_sources, limit=qe.MAX_LIMIT).checked()


def all_events(db: Any, f: EventFilter, most: int) -> list[dict[str, Any]]:
    """Every matching event (following the cursors), up to ``most``."""
    items: list[dict[str, Any]] = []
    cursor = None
    while len(items) < most:
        pg = qe.list_events(db, replace(f, cursor=cursor))
        items += pg.items
        cursor = pg.next
        if cursor is None:
            break
    return items[:most]


@app.command("query")
def query_cmd(
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
    limit: Annotated[int, typer.Option("--limit", min=1, help="Most events listed.")] = 1000,
    sort: Annotated[str, typer.Option(
        "--sort", help="latest (by last date, as the API) or breaking (fastest-growing "
                       "first, with each event's breaking score).")] = "latest",
    fmt: Annotated[QueryFormat, typer.Option("--format", "-f")] = QueryFormat.table,
) -> None:
    """Events of the archive matching every filter given, latest first.

    The filter is the one `/api/events` and the web pages use, so the same options give
    the same events there (as query parameters: entities=A;B, actors=KES;VAL, ...).
    """
    with open_store(db) as store:
        try:
            f = build_filter(entity, actor, place, source, plover, text, published_from,
                             published_to, mentioned_from, mentioned_to, min_sources)
            if sort not in ("latest", "breaking"):
                raise QueryError("sort", f"--sort {sort!r}: use latest or breaking.")
            items = all_events(store.db, f, limit)
            if sort == "breaking":
                from newsdesk.query.breaking import by_breaking

                items = by_breaking(store.db, items)
        except QueryError as e:
            err.print(f"[red]error:[/red] {e.detail}", highlight=False)
            raise typer.Exit(2) from e
    print_events(items, fmt)


def print_events(items: list[dict[str, Any]], fmt: QueryFormat) -> None:
    """Events as a table, JSON (the API's items) or CSV (one row per event)."""
    if fmt is QueryFormat.json:
        print(json.dumps(items, ensure_ascii=False, indent=2))
        return
    if fmt is QueryFormat.csv:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        extra = ["breaking"] if items and "breaking" in items[0] else []
        w.writerow(["id", "title", "first", "last", "place", "articles", "copies",
                    "independent_sources", "updated", *extra])
        for i in items:
            w.writerow([i["id"], i["title"], i["dates"]["first"], i["dates"]["last"],
                        i["place"], i["articles"], i["copies"], i["independent_sources"],
                        i["updated"], *[i[k] for k in extra]])
        print(buf.getvalue(), end="")
        return
    table = Table()
    table.add_column("event", no_wrap=True, min_width=15)
    extra = ["breaking"] if items and "breaking" in items[0] else []
    for name in ("first", "last", "place", "articles", "sources", *extra, "title"):
        table.add_column(name)
    for i in items:
        table.add_row(i["id"], i["dates"]["first"] or "", i["dates"]["last"] or "",
                      i["place"] or "", str(i["articles"]), str(i["independent_sources"]),
                      *[f"{i['breaking']:.2f}" for _ in extra], i["title"])
    out.print(table)
    err.print(f"{len(items)} event(s)", highlight=False)
