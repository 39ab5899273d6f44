"""The web app: HTML pages and a JSON API over a store, read-only.

:func:`create_app` builds a FastAPI app for one store file. Pages are rendered on the
server with Jinja2 (autoescaping on: every string from an article is shown as text) and
work without JavaScript; ``/static/app.js`` only adds conveniences. The API under
``/api/`` mirrors the pages, pages through lists with keyset cursors (``next`` plus a
``Link: <...>; rel="next"`` header), offers ``?format=csv|ndjson`` on lists, and answers
every error with RFC 9457 ``application/problem+json`` whose ``detail`` says how to fix
the request. Every response carries a strict Content-Security-Policy.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sqlite3
import zlib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

import anyio.to_thread
import jinja2
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException as StarletteHTTPException

from newsdesk.archive import BRIEF_CACHE_VERSION, event_brief
from newsdesk.brief.render import conflict_firsts, event_date, key_facts, political_lead
from newsdesk.errors import StoreError
from newsdesk.events.archive import EventArchive
from newsdesk.query import events as qe
from newsdesk.query.breaking import by_breaking
from newsdesk.query.events import EventFilter, NotFound, QueryError
from newsdesk.web import charts
from newsdesk.web.cites import EventCites
from newsdesk.web.db import DEFAULT_THREADS, DEFAULT_TIME_LIMIT, ReadOnlyStore, StorePool
from newsdesk.web.watches import add_watch_routes

HERE = Path(__file__).resolve().parent
log = logging.getLogger("newsdesk.web")

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
PROBLEM = "application/problem+json"

Fmt = Literal["json", "csv", "ndjson"]


class Problem(Exception):
    """An error answered as RFC 9457 problem details."""

    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra


def _slug(title: str) -> str:
    return "-".join(title.lower().split())


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.ChainableUndefined)
    env.filters["urlpart"] = lambda s: quote(str(s), safe="")
    env.filters["snippet"] = _snippet
    env.filters["num"] = lambda v: (f"{int(v):,}" if isinstance(v, float) and v.is_integer()
                                    else f"{v:,}" if isinstance(v, int | float)
                                    and not isinstance(v, bool) else v)
    env.filters["css"] = lambda s: "".join(ch for ch in str(s).lower() if ch.isalnum() or ch == "-")
    env.globals["qs"] = _qs
    env.globals["cooccur_articles"] = qe.COOCCUR_ARTICLES
    env.globals["conflict_firsts"] = conflict_firsts
    env.globals["key_facts"] = key_facts
    env.globals["political_lead"] = political_lead
    env.globals["event_date"] = event_date
    return env


def _snippet(s: object) -> Markup:
    """An FTS snippet with its matched terms in <mark>, the rest escaped."""
    text = str(escape(str(s or "")))
    return Markup(text.replace(qe.SNIP_OPEN, "<mark>").replace(qe.SNIP_CLOSE, "</mark>"))


def _qs(params: dict[str, Any], **changes: Any) -> str:
    """A query string from params with changes (None drops a key)."""
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "")}
    return "?" + "&".join(f"{quote(str(k))}={quote(str(v), safe='')}"
                          for k, v in merged.items()) if merged else ""


def _flat(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        elif isinstance(v, list):
            out[prefix + k] = json.dumps(v, ensure_ascii=False)
        else:
            out[prefix + k] = v
    return out


def list_response(request: Request, items: list[dict[str, Any]], nxt: str | None,
                  fmt: Fmt, extra: dict[str, Any] | None = None) -> Response:
    """A page of a list as JSON (``{"items", "next"}``), CSV or NDJSON, with a Link header
    to the next page."""
    headers = {}
    if nxt is not None:
        headers["Link"] = f'<{request.url.include_query_params(cursor=nxt)}>; rel="next"'
    if fmt == "ndjson":
        body = "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)
        return Response(body, media_type="application/x-ndjson", headers=headers)
    if fmt == "csv":
        rows = [_flat(i) for i in items]
        cols: list[str] = []
        for r in rows:
            cols += [c for c in r if c not in cols]
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
    return JSONResponse({"items": items, "next": nxt, **(extra or {})}, headers=headers)


class SecurityHeaders:
    """ASGI middleware adding the CSP and other security headers to every response (plain
    ASGI rather than ``@app.middleware``: no extra task or body copy per request)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        extra = list(self.headers)
        if path.startswith(("/api/", "/static/")):
            extra.append((b"cache-control", b"no-cache"))

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in extra if k not in have]
            await send(message)

        await self.app(scope, receive, sending)


async def get_store(request: Request) -> AsyncIterator[ReadOnlyStore]:
    """A read-only connection for one request, its SQL clock started (async: taking and
    returning a pooled connection never blocks, so it runs on the event loop instead of
    costing two trips to the thread pool)."""
    pool: StorePool = request.app.state.pool
    limiter = anyio.to_thread.current_default_thread_limiter()  # one per event loop
    if limiter.total_tokens != request.app.state.threads:
        limiter.total_tokens = request.app.state.threads
    s = pool.get()
    try:
        yield s
    finally:
        pool.put(s)


StoreDep = Annotated[ReadOnlyStore, Depends(get_store)]


# -- shared parameters (module level: FastAPI resolves these annotations by name)
def event_filter(
    q: Annotated[str | None, Query(max_length=500, description="FTS5 query over the "
                                   "events' articles")] = None,
    date_from: Annotated[str | None, Query(max_length=10, description="YYYY[-MM[-DD]]: "
                                           "events still reported on/after")] = None,
    date_to: Annotated[str | None, Query(max_length=10, description="YYYY[-MM[-DD]]: "
                                         "events that began on/before")] = None,
    place: Annotated[str | None, Query(max_length=200)] = None,
    entity: Annotated[str | None, Query(max_length=200, description="entity id")] = None,
    source: Annotated[str | None, Query(max_length=200, description="outlet")] = None,
    plover: Annotated[str | None, Query(max_length=40, description="PLOVER type")] = None,
    limit: Annotated[int, Query(ge=1, le=qe.MAX_LIMIT)] = qe.DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    entities: Annotated[str | None, Query(max_length=500, description="entity names, any "
                                          "variant or near spelling, ';'-separated: all "
                                          "mentioned")] = None,
    actors: Annotated[str | None, Query(max_length=40, description="PLOVER actor code, or "
                                        "two ';'-separated (a pair, either direction)")] = None,
    published_from: Annotated[str | None, Query(max_length=10)] = None,
    published_to: Annotated[str | None, Query(max_length=10)] = None,
    mentioned_from: Annotated[str | None, Query(max_length=10, description="a date the "
                                                "text mentions, on/after")] = None,
    mentioned_to: Annotated[str | None, Query(max_length=10)] = None,
    min_sources: Annotated[str | None, Query(max_length=6, pattern=r"^\d*$",
                                             description="independent sources, at least (a "
                                             "whole number; empty: no minimum)")] = None,
    *, store: StoreDep,
) -> EventFilter:
    f = EventFilter(q, date_from, date_to, place, entity, source, plover, limit,
                    cursor, entities=entities, actors=actors, published_from=published_from,
                    published_to=published_to, mentioned_from=mentioned_from,
                    mentioned_to=mentioned_to,
                    min_sources=int(min_sources) if min_sources else None).checked()
    if f.entity and ":" not in f.entity:  # a name or spelling: the entity it names
        found = qe.entity_links(store.db, [f.entity]).get(f.entity)
        if found is None:
            raise QueryError("entity", f"no entity is called {f.entity!r}: give an entity "
                                       "id (person:…, org:…) or a name the archive knows; "
                                       f"look it up at /api/entities?q={f.entity}")
        f = replace(f, entity=found)
    return f

FilterDep = Annotated[EventFilter, Depends(event_filter)]
FmtQ = Annotated[Fmt, Query(alias="format", description="json, csv or ndjson")]
Limit = Annotated[int, Query(ge=1, le=qe.MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=400)]
RankQ = Annotated[Literal["recent", "all"], Query(
    description=f"recent: BM25 over the latest {qe.RANK_WINDOW:,} matching articles (the "
                "default; constant cost however common the words); all: every match")]


ENV_DB = "NEWSDESK_SERVE_DB"
ENV_TIME_LIMIT = "NEWSDESK_SERVE_TIME_LIMIT"
ENV_THREADS = "NEWSDESK_SERVE_THREADS"


def app_from_env() -> FastAPI:
    """The app each worker process of ``newsdesk serve --workers N`` builds (uvicorn starts
    workers by import string, so the store and limit travel in the environment)."""
    import os

    limit = os.environ.get(ENV_TIME_LIMIT, "")
    threads = int(os.environ.get(ENV_THREADS) or DEFAULT_THREADS)
    return create_app(os.environ[ENV_DB], time_limit=float(limit) if limit else None,
                      threads=threads)


def create_app(db_path: str | Path, *, time_limit: float | None = DEFAULT_TIME_LIMIT,
               threads: int = DEFAULT_THREADS) -> FastAPI:
    """The web app for the store at ``db_path`` (opened read-only for each request).

    ``time_limit`` bounds the SQL time of one request in seconds (None: no limit);
    ``threads`` is how many requests run at once (:data:`DEFAULT_THREADS`)."""
    if threads < 1:
        raise ValueError(f"threads={threads}: give at least 1 request at a time")
    db_path = str(db_path)
    ReadOnlyStore(db_path).close()  # fail now, with the store's message, not per request
    env = _env()
    app = FastAPI(title="newsdesk", version="1",
                  description="Read-only JSON API over a newsdesk archive: events (each in "
                              "the newsdesk.brief/1 schema), full-text search, entities, "
                              "PLOVER actor pairs and outlets.",
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.db_path = db_path
    app.state.time_limit = time_limit
    app.state.threads = threads
    app.state.pool = StorePool(db_path, time_limit)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def page(name: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**ctx), status_code=status_code)

    # -- errors -----------------------------------------------------------------------
    def problem(request: Request, status: int, title: str, detail: str,
                **extra: Any) -> Response:
        if request.url.path.startswith("/api/"):
            body = {"type": f"https://newsdesk.invalid/problems/{_slug(title)}",
                    "title": title, "status": status, "detail": detail,
                    "instance": request.url.path, **extra}
            return JSONResponse(body, status_code=status, media_type=PROBLEM)
        return page("error.html", status, title=title, status=status, detail=detail)

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> Response:
        return problem(request, exc.status, exc.title, exc.detail, **exc.extra)

    @app.exception_handler(QueryError)
    async def on_query_error(request: Request, exc: QueryError) -> Response:
        return problem(request, 400, "Bad request parameter", exc.detail, param=exc.param)

    @app.exception_handler(NotFound)
    async def on_not_found(request: Request, exc: NotFound) -> Response:
        return problem(request, 404, f"Unknown {exc.what}", exc.detail)

    @app.exception_handler(StoreError)
    async def on_store_error(request: Request, exc: StoreError) -> Response:
        return problem(request, 503, "Store unavailable", str(exc))

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        parts = []
        for e in errors:
            loc = [str(x) for x in e.get("loc", ()) if x not in ("query", "path", "body")]
            parts.append(f"{'.'.join(loc) or 'request'}: {e.get('msg', 'invalid')}")
        detail = "; ".join(parts) + (". Fix the parameter(s) named; the API's parameters and "
                                     "their ranges are in /api/openapi.json.")
        params = [".".join(str(x) for x in e.get("loc", ())[1:]) for e in errors]
        return problem(request, 400, "Bad request parameter", detail, params=params)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return problem(request, 404, "Not found",
                           f"there is no page {request.url.path!r}: the API's routes are "
                           "listed in /api/openapi.json; pages start at /.")
        if exc.status_code == 405:
            return problem(request, 405, "Method not allowed",
                           f"{request.method} is not allowed here: this server is read-only, "
                           "use GET.")
        return problem(request, exc.status_code, "HTTP error", str(exc.detail))

    @app.exception_handler(sqlite3.OperationalError)
    async def on_sql(request: Request, exc: sqlite3.OperationalError) -> Response:
        if qe.is_interrupt(exc):
            return problem(request, 400, "Query too expensive",
                           f"the request ran longer than its {time_limit} s limit and was "
                           "stopped: narrow it (fewer or more specific search terms, no "
                           "leading wildcards, a date range, a smaller limit).")
        if "locked" in str(exc) or "busy" in str(exc):
            return problem(request, 503, "Store busy",
                           "the store was busy; retry the request in a moment.")
        log.exception("SQL error on %s", request.url.path)
        return problem(request, 500, "Internal error",
                       "the server could not answer this request; retry, and report it "
                       "(with the URL) if it keeps failing.")

    @app.exception_handler(Exception)
    async def on_any(request: Request, exc: Exception) -> Response:
        log.exception("error on %s", request.url.path)
        return problem(request, 500, "Internal error",
                       "the server could not answer this request; retry, and report it "
                       "(with the URL) if it keeps failing.")

    def resolve(store: ReadOnlyStore, event_id: str) -> str:
        live = EventArchive(store).resolve(event_id)
        if live is None:
            raise NotFound("event", f"there is no event {event_id!r}: event ids look like "
                                    "ev-9dc4f8e501b6; list them at /api/events.")
        return live

    def redirect(request: Request, old: str, new: str) -> RedirectResponse:
        path = request.url.path.replace(quote(old, safe=":@"), quote(new, safe=":@"), 1)
        url = path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(url, status_code=308)

    # -- API --------------------------------------------------------------------------
    @app.get("/api/events", tags=["events"], summary="Events, latest first")
    def api_events(request: Request, store: StoreDep, f: FilterDep,
                   fmt: FmtQ = "json") -> Response:
        pg = qe.list_events(store.db, f)
        return list_response(request, pg.items, pg.next, fmt)

    @app.get("/api/events/{event_id}", tags=["events"],
             summary="One event in the newsdesk.brief/1 schema (aliases redirect)")
    def api_event(request: Request, event_id: str, store: StoreDep) -> Response:
        live = resolve(store, event_id)
        if live != event_id:
            return redirect(request, event_id, live)
        # the stored JSON as it is (what event_brief() parses): no parse and re-serialise
        row = store.db.execute("SELECT version, data FROM event_briefs WHERE event_id=?",
                               (live,)).fetchone()
        if row is None or row[0] != BRIEF_CACHE_VERSION:
            raise Problem(404, "Brief not stored", f"event {live!r} has no stored brief yet "
                          "(an archive update is running or failed for it): retry after the "
                          f"update, or run `newsdesk brief {live}` to see why.")
        return Response(zlib.decompress(row[1]), media_type="application/json")

    @app.get("/api/search", tags=["search"],
             summary="Full-text search, hits grouped by event, copies under originals")
    def api_search(request: Request, store: StoreDep,
                   q: Annotated[str, Query(min_length=1, max_length=500)],
                   limit: Limit = qe.DEFAULT_LIMIT, cursor: Cursor = None,
                   rank: RankQ = "recent", fmt: FmtQ = "json") -> Response:
        pg = qe.search(store.db, q, limit, cursor, rank)
        items = [{**i, "articles": [_clean_hit(h) for h in i["articles"]]} for i in pg.items]
        return list_response(request, items, pg.next, fmt, extra=pg.meta)

    @app.get("/api/entities", tags=["entities"], summary="Entities, most mentioned first")
    def api_entities(request: Request, store: StoreDep,
                     q: Annotated[str | None, Query(max_length=200, description="name or "
                                                    "variant prefix")] = None,
                     type: Annotated[str | None, Query(max_length=20)] = None,  # noqa: A002
                     limit: Limit = qe.DEFAULT_LIMIT, cursor: Cursor = None,
                     fmt: FmtQ = "json") -> Response:
        pg = qe.list_entities(store.db, q, type, limit, cursor)
        return list_response(request, pg.items, pg.next, fmt)

    @app.get("/api/entities/{entity_id}", tags=["entities"], summary="One entity")
    def api_entity(entity_id: str, store: StoreDep) -> Response:
        return JSONResponse(qe.entity_detail(store.db, entity_id))

    @app.get("/api/pairs/{a}/{b}", tags=["pairs"],
             summary="PLOVER events between two actors (codes or entity ids)")
    def api_pair(request: Request, a: str, b: str, store: StoreDep,
                 fmt: FmtQ = "json") -> Response:
        d = qe.pair_detail(store.db, a, b)
        if fmt != "json":
            return list_response(request, d["items"], None, fmt)
        return JSONResponse(d)

    @app.get("/api/sources/{name:path}", tags=["sources"],
             summary="An outlet: roles (origin, copy, paraphrase), credited agencies, articles")
    def api_source(request: Request, name: str, store: StoreDep,
                   limit: Limit = qe.DEFAULT_LIMIT, cursor: Cursor = None,
                   fmt: FmtQ = "json") -> Response:
        d = qe.source_detail(store.db, name, limit, cursor)
        items, nxt = d.pop("items"), d.pop("next")
        if fmt != "json":
            return list_response(request, items, nxt, fmt)
        return list_response(request, items, nxt, fmt, extra=d)

    @app.get("/api/articles/{rowid}", tags=["articles"], summary="One stored article")
    def api_article(rowid: int, store: StoreDep) -> Response:
        return JSONResponse(qe.article(store.db, rowid))

    add_watch_routes(app, page)  # /watch/NAME.atom, /watch/NAME (newsdesk.web.watches)

    # -- pages ------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(store: StoreDep, f: FilterDep) -> HTMLResponse:
        pg = qe.list_events(store.db, f)
        facets = qe.event_facets(store.db, f)
        growing = (by_breaking(store.db, qe.growing_events(store.db))
                   if not f.params() and not f.cursor else [])
        params = f.params()
        months = sorted(facets["month"], key=lambda m: m["value"])
        chart = charts.bars([(m["value"], m["count"]) for m in months],
                            "Matching events by month of first report", "events")
        return page("home.html", f=f, params=params, page=pg, facets=facets, growing=growing,
                    chart=chart, limit=f.limit)

    @app.get("/events/{event_id}", response_class=HTMLResponse, include_in_schema=False)
    def event_page(request: Request, event_id: str, store: StoreDep) -> Response:
        live = resolve(store, event_id)
        if live != event_id:
            return redirect(request, event_id, live)
        ev = event_brief(store, live)
        row = qe.event_row(store.db, live)
        if ev is None:
            return page("event_missing.html", event=row)
        cites = EventCites(ev)
        ents = qe.entity_links(store.db, [str(x.get("name")) for x in ev.get("entities") or []])
        outlets = [str(a.get("source")) for a in ev.get("articles") or [] if a.get("source")]
        sources = qe.known_sources(store.db, list(dict.fromkeys(outlets)))
        per_day: dict[str, int] = {}
        for a in ev.get("articles") or []:
            d = str(a.get("published") or "undated")
            per_day[d] = per_day.get(d, 0) + 1
        timeline_chart = charts.stacked_bars(
            [(d, {"articles": n}) for d, n in sorted(per_day.items())],
            "Articles per day")
        reuse_svg = charts.reuse_map(ev.get("articles") or [], ev.get("reuse") or [],
                                     cites.numbers)
        matrix = ev.get("source_matrix") or {}
        claims = {str(c.get("id")): c for c in ev.get("claims") or []}
        return page("event.html", ev=ev, row=row, cites=cites, ents=ents, sources=sources,
                    timeline_chart=timeline_chart, reuse_svg=reuse_svg, matrix=matrix,
                    claims=claims)

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(store: StoreDep,
                    q: Annotated[str, Query(max_length=500)] = "",
                    limit: Limit = qe.DEFAULT_LIMIT, cursor: Cursor = None,
                    rank: RankQ = "recent") -> HTMLResponse:
        if not q.strip():
            return page("search.html", q="", page=None, error=None, limit=limit, rank=rank)
        try:
            pg = qe.search(store.db, q, limit, cursor, rank)
        except QueryError as e:
            return page("search.html", 400, q=q, page=None, error=e.detail, limit=limit,
                        rank=rank)
        return page("search.html", q=q, page=pg, error=None, limit=limit, rank=rank,
                    window=qe.RANK_WINDOW)

    @app.get("/entities", response_class=HTMLResponse, include_in_schema=False)
    def entities_page(store: StoreDep,
                      q: Annotated[str | None, Query(max_length=200)] = None,
                      limit: Limit = qe.DEFAULT_LIMIT, cursor: Cursor = None) -> HTMLResponse:
        pg = qe.list_entities(store.db, q, None, limit, cursor)
        return page("entities.html", q=q or "", page=pg, limit=limit)

    @app.get("/entities/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(entity_id: str, store: StoreDep) -> HTMLResponse:
        d = qe.entity_detail(store.db, entity_id)
        chart = charts.bars([(x["date"], x["mentions"]) for x in d["over_time"]],
                            f"Mentions of {d['name']} per day", "mentions")
        return page("entity.html", e=d, chart=chart)

    @app.get("/pairs/{a}/{b}", response_class=HTMLResponse, include_in_schema=False)
    def pair_page(a: str, b: str, store: StoreDep) -> HTMLResponse:
        d = qe.pair_detail(store.db, a, b)
        chart = charts.stacked_bars([(x["date"], x["types"]) for x in d["over_time"]],
                                    f"PLOVER events between {d['a']['name']} and "
                                    f"{d['b']['name']}, by type")
        return page("pair.html", p=d, chart=chart)

    @app.get("/sources/{name:path}", response_class=HTMLResponse, include_in_schema=False)
    def source_page(name: str, store: StoreDep, limit: Limit = qe.DEFAULT_LIMIT,
                    cursor: Cursor = None) -> HTMLResponse:
        d = qe.source_detail(store.db, name, limit, cursor)
        chart = charts.bars([(k, v) for k, v in d["roles"].items()],
                            f"{d['name']}: articles by role", "articles", width=420)
        return page("source.html", s=d, chart=chart, limit=limit)

    @app.get("/articles/{rowid}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(rowid: int, store: StoreDep,
                     start: Annotated[int | None, Query(ge=0)] = None,
                     end: Annotated[int | None, Query(ge=0)] = None) -> HTMLResponse:
        art = qe.article(store.db, rowid)
        text = art["text"]
        segs: list[tuple[str, bool]] = [(text, False)]
        if start is not None and end is not None and start < end <= len(text):
            segs = [(text[:start], False), (text[start:end], True), (text[end:], False)]
        return page("article.html", a=art, segments=segs)

    return app


def _clean_hit(h: dict[str, Any]) -> dict[str, Any]:
    """A search hit for the API: snippet marks as [ ], copies cleaned too."""
    out = dict(h)
    out["snippet"] = str(h["snippet"] or "").replace(qe.SNIP_OPEN, "[").replace(
        qe.SNIP_CLOSE, "]")
    out["copies"] = [_clean_hit(c) for c in h["copies"]]
    return out
