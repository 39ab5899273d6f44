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
    WorkersOpt,
    app,
    err,
    exit_if_nothing_read,
    ingest_with_progress,
    open_store,
    out,
)
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
    workers: WorkersOpt = 1,
) -> None:
    """Read, clean and store articles (txt, HTML, JSONL, RSS/Atom, WARC)."""
    with open_store(db) as store:
        report = ingest_with_progress(paths, store, workers)
        err.print(f"store {db}: {store.count()} article(s)", highlight=False)
    exit_if_nothing_read(report)


@app.command("articles")
def articles_cmd(
    paths: PathsArg = None,
    db: DbOpt = DEFAULT_DB_OPT,
    fmt: Annotated[ArticleFormat, typer.Option("--format", "-f")] = ArticleFormat.table,
    workers: WorkersOpt = 1,
) -> None:
    """List stored articles (those of PATHS, ingested first, when given)."""
    with open_store(db) as store:
        refs = None
        if paths:
            report = ingest_with_progress(paths, store, workers, quiet=fmt is ArticleFormat.jsonl)
            exit_if_nothing_read(report)
            refs = report.refs
        arts = store.articles(refs)
        if fmt is ArticleFormat.jsonl:
            for a in arts:
                print(article_json(a))
            return
        table = Table(show_lines=False)
        table.add_column("key", no_wrap=True, max_width=28)
        table.add_column("source", min_width=8, max_width=18)
        table.add_column("published", no_wrap=True)
        table.add_column("credits", min_width=7, max_width=14)
        table.add_column("dateline", min_width=8, max_width=12)
        table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=60)
        table.add_column("words", justify="right", no_wrap=True)
        for a in arts:
            table.add_row(a.key, a.source or "", a.published or "", ", ".join(a.credits),
                          a.dateline or "", (a.title or a.text[:60]).strip(),
                          str(len(a.text.split())))
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
