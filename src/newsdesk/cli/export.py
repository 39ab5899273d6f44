"""`newsdesk export`: an archive table as Parquet, CSV or JSONL."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from newsdesk.cli.app import DEFAULT_DB_OPT, DbOpt, app, err, open_store
from newsdesk.errors import NewsdeskError
from newsdesk.query.export import EXPORTS, write_export


class ExportFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"
    jsonl = "jsonl"


@app.command("export")
def export_cmd(
    table: Annotated[str, typer.Argument(
        help=f"What to export: {', '.join(EXPORTS)}.")],
    db: DbOpt = DEFAULT_DB_OPT,
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.jsonl,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of standard output.")] = None,
) -> None:
    """Export an archive table (a view of the store) for other tools."""
    if table not in EXPORTS:
        err.print(f"[red]error:[/red] there is no export {table!r}; choose one of "
                  f"{', '.join(EXPORTS)}", highlight=False)
        raise typer.Exit(2)
    if fmt is ExportFormat.parquet and output is None and sys.stdout.isatty():
        err.print("[red]error:[/red] Parquet is binary: pass -o FILE.parquet or redirect "
                  "standard output", highlight=False)
        raise typer.Exit(2)
    with open_store(db) as store:
        try:
            if output is not None:
                tmp = output.with_name(output.name + ".part")
                with tmp.open("wb") as fh:
                    n = write_export(store, table, fmt.value, fh)
                tmp.replace(output)  # a killed export never leaves half a file
                err.print(f"wrote {n} row(s) to {output}", highlight=False)
            else:
                n = write_export(store, table, fmt.value, sys.stdout.buffer)
                sys.stdout.buffer.flush()
        except NewsdeskError as e:
            err.print(f"[red]error:[/red] {e}", highlight=False)
            raise typer.Exit(1) from None
