"""Foundation commands: ingest, articles, search."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from newsdesk.cli.app import (
    DEFAULT_DB_OPT,
    DbOpt,
    PathsArg,
    RunnerName,
    WorkersOpt,
    app,
    err,
    exit_if_nothing_read,
    ingest_with_progress,
    open_store,
    out,
    parse_runner,
    refs_of,
    update_with_progress,
)
from newsdesk.errors import NewsdeskError
from newsdesk.ingest import IngestOptions
from newsdesk.model import Article


class ArticleFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


ARTICLE_FIELDS = ("key", "id", "source", "credits", "url", "published", "dateline", "title",
                  "text")


def article_json(a: Article) -> str:
    """One JSONL line for ``newsdesk articles``."""
    return json.dumps({f: getattr(a, f) for f in ARTICLE_FIELDS}, ensure_ascii=False)


@app.command("ingest")
def ingest_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories ('-' = JSONL stdin).")],
    db: DbOpt = DEFAULT_DB_OPT,
    workers: WorkersOpt = 0,
    runner: Annotated[RunnerName, typer.Option(
        "--runner", help="Where reading, cleaning and spaCy parsing run: this process, a "
        "process pool (one worker per core; reading for 64+ files, parsing for 50+ new "
        "articles), or Ray (see docs/scale.md).")
    ] = RunnerName.pool,
    address: Annotated[str | None, typer.Option(
        "--address", help="Ray cluster to join (e.g. 10.0.0.5:6379; with --runner ray). "
        "Without it a local Ray starts on 127.0.0.1.")] = None,
    work_dir: Annotated[Path | None, typer.Option(
        "--work-dir", help="Folder for the Ray runner's finished shards (Parquet + "
        "manifest); re-running with the same folder redoes only unfinished shards.")
    ] = None,
    update: Annotated[bool, typer.Option(
        "--update/--no-update",
        help="Bring the archive up to date after storing (events, extraction, claims).")
    ] = True,
) -> None:
    """Read, clean and store articles (txt, HTML, JSONL, RSS/Atom, WARC), then put the new
    ones into the archive's events."""
    if (address or work_dir) and runner is not RunnerName.ray:
        err.print("[red]error:[/red] --address and --work-dir are for the Ray runner; "
                  "add --runner ray", highlight=False)
        raise typer.Exit(2)
    opts = IngestOptions(workers=workers, runner=runner.value, address=address,
                         work_dir=str(work_dir) if work_dir else None)
    with open_store(db) as store:
        try:
            report = ingest_with_progress(paths, store, opts=opts)
        except NewsdeskError as e:
            err.print(f"[red]error:[/red] {e}", highlight=False)
            raise typer.Exit(2) from e
        if update and report.read:
            update_with_progress(store, runner=parse_runner(runner, workers, address))
        err.print(f"store {db}: {store.count()} article(s)", highlight=False)
    exit_if_nothing_read(report)


@app.command("articles")
def articles_cmd(
    paths: PathsArg = None,
    db: DbOpt = DEFAULT_DB_OPT,
    fmt: Annotated[ArticleFormat, typer.Option("--format", "-f")] = ArticleFormat.table,
    workers: WorkersOpt = 0,
) -> None:
    """List stored articles (those of PATHS, ingested first, when given)."""
    with open_store(db) as store:
        refs = refs_of(paths, store, workers, quiet=fmt is ArticleFormat.jsonl, update=False)
        arts = store.articles(refs)
        if fmt is ArticleFormat.jsonl:
            for a in arts:
                print(article_json(a))
            return
        table = Table(show_lines=False)
        table.add_column("key", no_wrap=True, max_width=24)
        table.add_column("published", no_wrap=True)
        table.add_column("source", no_wrap=True, max_width=16)
        table.add_column("credits", no_wrap=True, max_width=10)
        title_width = max(20, out.width - 80)
        table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=title_width)
        for a in arts:
            table.add_row(a.key, a.published or "", a.source or "", ", ".join(a.credits),
                          (a.title or a.text[:80]).strip())
        out.print(table)


@app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="FTS5 query: words, \"phrases\", OR, NOT, prefix*.")],
    db: DbOpt = DEFAULT_DB_OPT,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1)] = 20,
    fmt: Annotated[ArticleFormat, typer.Option("--format", "-f")] = ArticleFormat.table,
) -> None:
    """Full-text search over stored titles and bodies, best match first."""
    with open_store(db) as store:
        hits = store.search(query, limit)
    if fmt is ArticleFormat.jsonl:
        for h in hits:
            d = json.loads(article_json(h.article))
            d["snippet"], d["score"] = h.snippet, round(h.score, 4)
            print(json.dumps(d, ensure_ascii=False))
        return
    if not hits:
        err.print(f"no article matches {query!r}", highlight=False)
        return
    table = Table("key", "source", "published", "snippet")
    for h in hits:
        table.add_row(h.article.key, h.article.source or "", h.article.published or "",
                      h.snippet)
    out.print(table)
