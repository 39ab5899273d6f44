"""`newsdesk extract`: entities, quotes, quantities, dates and political events."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from newsdesk.cli.app import (
    DEFAULT_DB_OPT,
    AddressOpt,
    DbOpt,
    DelayedProgress,
    PathsArg,
    RunnerName,
    RunnerOpt,
    WorkersOpt,
    app,
    check_address,
    err,
    open_store,
    out,
    parse_runner,
    refs_of,
)
from newsdesk.errors import NewsdeskError


class ExtractFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


@app.command("extract")
def extract_cmd(
    paths: PathsArg = None,
    db: DbOpt = DEFAULT_DB_OPT,
    fmt: Annotated[ExtractFormat, typer.Option("--format", "-f")] = ExtractFormat.table,
    workers: WorkersOpt = 0,
    force: Annotated[bool, typer.Option(
        "--force", help="Recompute even articles extracted before.")] = False,
    runner: RunnerOpt = RunnerName.pool,
    address: AddressOpt = None,
) -> None:
    """Entities (canonical names), quotes, quantities, dates and PLOVER events per article.

    PATHS are ingested first and only their articles extracted; without PATHS, the store.

    Offsets index the text that `newsdesk articles` prints for the same article.
    """
    from newsdesk.extract.step import ExtractOptions, article_record, extract_stored

    check_address(runner, address)
    with open_store(db) as store:
        refs = refs_of(paths, store, workers, quiet=fmt is ExtractFormat.jsonl,
                       runner=runner, address=address)
        total = len(refs) if refs is not None else store.count()
        if total == 0:
            err.print("nothing to extract: the store is empty. Give PATHS to ingest, or "
                      "point --db at a store made by `newsdesk ingest`.")
            raise typer.Exit(1)
        bar = DelayedProgress(total, "extracting")
        try:
            run = extract_stored(store, refs, ExtractOptions(force=force),
                                 on_article=bar.advance,
                                 runner=parse_runner(runner, workers, address))
        except NewsdeskError as e:
            err.print(f"[red]error:[/red] {e}")
            raise typer.Exit(2) from e
        finally:
            bar.stop()
        records = []
        for a in run.articles:
            r = article_record(a)
            # added field: the stages that failed on this article (reported on stderr too)
            r["failures"] = [f.to_dict() for f in run.failures if (f.key, f.id) == (a.key, a.id)]
            records.append(r)
    guarded_refs = {(f.key, f.id) for f in run.failures}
    for ref, why in run.report.failed if run.report is not None else []:
        if ref not in guarded_refs:  # the guard has reported those already
            err.print(f"[yellow]warning:[/yellow] extraction failed on {ref[0]!r} ({why}); it "
                      "is left unextracted and tried again by the next run", highlight=False)
    if fmt is ExtractFormat.jsonl:
        for r in records:
            print(json.dumps(r, ensure_ascii=False))
        return
    if run.reused:
        err.print(f"reused the stored extraction of these {len(run.articles)} articles; "
                  "--force to recompute", highlight=False)
    elif run.report is not None and run.report.already:
        err.print(f"extracted {len(run.report.extracted)} new articles, reused the stored "
                  f"extraction of {len(run.report.already)}", highlight=False)
    for r in records:
        out.print(_table(r))


def _table(r: dict[str, Any]) -> Table:
    table = Table("kind", "text", "at", "detail", title=r["key"], title_justify="left")
    for e in r["entities"]:
        detail = e["type"] + ("" if e["canonical"] == e["text"] else f" → {e['canonical']}")
        table.add_row("entity", e["text"], f"{e['start']}-{e['end']}", detail)
    for q in r["quantities"]:
        detail = f"{q['value']} {q['unit']}".strip() + (f" ({q['about']})" if q["about"] else "")
        table.add_row("quantity", q["text"], f"{q['start']}-{q['end']}", detail)
    for d in r["dates"]:
        table.add_row("date", d["text"], f"{d['start']}-{d['end']}", str(d["value"]))
    for q in r["quotes"]:
        who = q["speaker"] or "?"
        kind = "quote" if q["direct"] else "reported"
        table.add_row(kind, _short(q["content"]), f"{q['content_start']}-{q['content_end']}",
                      f"{who} ({q['cue'] or 'no cue'})")
    for ev in r["events"]:
        src = ", ".join(x.get("text") or "?" for x in ev["source"])
        tgt = ", ".join(x.get("text") or "?" for x in ev["target"])
        kind = (ev["event"] or "") + (f" ({ev['mode']})" if ev.get("mode") else "")
        table.add_row("event", kind, f"{ev['start']}-{ev['end']}",
                      f"{src} → {tgt}" + (f" on {ev['date']}" if ev["date"] else ""))
    return table


def _short(text: str | None, n: int = 80) -> str:
    t = (text or "").replace("\n", " ")
    return t if len(t) <= n else t[: n - 1] + "…"
