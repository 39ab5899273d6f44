"""`newsdesk reuse`: copy groups, shared passages and independent-source counts."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from newsdesk.cli.app import (
    DEFAULT_DB_OPT,
    DbOpt,
    DelayedProgress,
    PathsArg,
    WorkersOpt,
    app,
    err,
    open_store,
    out,
    refs_of,
)
from newsdesk.errors import NewsdeskError
from newsdesk.reuse import ReuseIndex, ReuseOptions, ReuseResult


class ReuseFormat(StrEnum):
    table = "table"
    json = "json"


@app.command("reuse")
def reuse_cmd(
    paths: PathsArg = None,
    db: DbOpt = DEFAULT_DB_OPT,
    fmt: Annotated[ReuseFormat, typer.Option("--format", "-f")] = ReuseFormat.table,
    workers: WorkersOpt = 0,
) -> None:
    """Copy groups, shared passages and independent accounts (of PATHS, ingested first,
    when given; otherwise of the whole store)."""
    with open_store(db) as store:
        refs = refs_of(paths, store, workers, quiet=fmt is ReuseFormat.json)
        try:
            index = ReuseIndex(store, ReuseOptions(workers=max(1, workers)))
            if index.rebuilt:
                err.print("reuse index was built with other options: re-indexing everything",
                          highlight=False)
            bar = DelayedProgress(len(index.pending(refs)), "indexing reuse")
            try:
                index.update(refs, on_article=bar.advance)
            finally:
                bar.stop()
            result = index.result(refs)
        except NewsdeskError as e:
            err.print(f"[red]error:[/red] {e}")
            raise typer.Exit(2) from e
        if fmt is ReuseFormat.json:
            print(json.dumps(result.to_dict(), ensure_ascii=False, indent=1))
            return
        texts = {(a.key, a.id): a.text for a in store.articles(
            [(i.key, i.id) for i in result.articles])}
    _print_table(result, texts)


def _excerpt(text: str, start: int, end: int, width: int = 70) -> str:
    s = " ".join(text[start:end].split())
    return s if len(s) <= width else s[: width - 1] + "…"


def _print_table(res: ReuseResult, texts: dict[tuple[str, str], str]) -> None:
    by_ref = {i.ref: i for i in res.articles}
    out.print(f"[bold]{len(res.articles)} article(s), {res.independent_count} independent "
              f"account(s)[/bold]", highlight=False)
    if res.groups:
        t = Table(title="copy groups", title_justify="left")
        t.add_column("#", justify="right")
        t.add_column("canonical", no_wrap=True, max_width=30)
        t.add_column("copy", no_wrap=True, max_width=30)
        t.add_column("kind")
        t.add_column("jaccard", justify="right")
        t.add_column("contained", justify="right")
        for n, g in enumerate(res.groups):
            for m in g.members[1:]:
                link = next((ln for ln in res.links if {ln.a, ln.b} == {g.canonical, m}), None)
                if link is None:
                    t.add_row(str(n), g.canonical, m, "copy (via group)", "", "")
                    continue
                mine = link.contain_a if link.a == m else link.contain_b
                t.add_row(str(n), g.canonical, m, link.kind, f"{link.jaccard:.2f}", f"{mine:.2f}")
        out.print(t)
    for sg in res.sources:
        out.print(f"[bold]common source[/bold] {sg.origin}: rewritten (not copied) by "
                  f"{', '.join(sg.members)}", highlight=False)
    shared = [ln for ln in res.links if not ln.is_copy]
    if shared:
        out.print("[bold]shared passages[/bold] (articles that are not copies)")
    for ln in shared:
        ia = by_ref[ln.a]
        src = "; common source" if ln.common_source else ""
        out.print(f"  {ln.a} ~ {ln.b}: {len(ln.passages)} passage(s); unquoted shared text "
                  f"{ln.prose_a:.0%} / {ln.prose_b:.0%} of their words{src}", highlight=False)
        for p in ln.passages:
            q = " (quote)" if p.quoted else ""
            excerpt = _excerpt(texts.get((ia.key, ia.id), ""), p.a_start, p.a_end)
            out.print(f"    {p.a_start}-{p.a_end} ~ {p.b_start}-{p.b_end}  sim {p.similarity:.2f}"
                      f"{q}  \"{excerpt}\"", highlight=False)
    t = Table(title="independent accounts", title_justify="left")
    t.add_column("#", justify="right")
    t.add_column("articles", overflow="fold")
    t.add_column("joined by", overflow="fold")
    for n, acc in enumerate(res.accounts):
        t.add_row(str(n), ", ".join(acc.members),
                  "; ".join(f"{a} ~ {b}: {w}" for a, b, w in acc.reasons))
    out.print(t)
