"""The web side of watches: an Atom feed per watch (``/watch/NAME.atom``) and a page.

Kept in its own module so ``web/app.py`` only calls :func:`add_watch_routes`. The feed is
Atom 1.0 (RFC 4287) built with the standard library's ElementTree (which escapes every
text), one entry per alert, newest first, so any feed reader or script can follow a watch.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from newsdesk.query.events import NotFound
from newsdesk.watches import get_watch, list_alerts
from newsdesk.web.db import StorePool

ATOM = "http://www.w3.org/2005/Atom"
FEED_ALERTS = 100  # entries in a watch's feed
KIND_TEXT = {"new_event": "New event", "grew": "Event grew",
             "corroborated": "First corroboration", "conflict": "New conflict"}


def atom_feed(name: str, alerts: list[dict[str, Any]], base: str, updated: str) -> bytes:
    """An Atom document of a watch's alerts (``base``: the server's URL, no trailing /)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    sub(feed, "id", f"{base}/watch/{name}")
    sub(feed, "title", f"newsdesk watch: {name}")
    sub(feed, "updated", alerts[0]["at"] if alerts else updated)
    sub(feed, "link", rel="self", href=f"{base}/watch/{name}.atom")
    sub(feed, "link", rel="alternate", href=f"{base}/watch/{name}")
    author = sub(feed, "author")
    sub(author, "name", "newsdesk")
    for a in alerts:
        d = a["detail"]
        e = sub(feed, "entry")
        sub(e, "id", f"{base}/watch/{name}/alerts/{a['id']}")
        sub(e, "title", f"{KIND_TEXT.get(a['kind'], a['kind'])}: {d.get('title') or a['event_id']}")
        sub(e, "updated", a["at"])
        sub(e, "link", rel="alternate", href=f"{base}/events/{a['event_id']}")
        sub(e, "category", term=a["kind"])
        sub(e, "summary", f"{a['event_id']}: {d.get('articles')} article(s), "
                          f"{d.get('independent_sources')} independent source(s), "
                          f"{d.get('conflicts', 0)} conflicting claim(s)"
                          + (f" (before: {d['before']})" if "before" in d else ""))
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))


def add_watch_routes(app: FastAPI, page: Callable[..., HTMLResponse]) -> None:
    """Add ``/watch/NAME.atom``, ``/watch/NAME`` and ``/api/watches/NAME/alerts``."""

    def load(request: Request, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        pool: StorePool = request.app.state.pool
        s = pool.get()
        try:
            w = get_watch(s.db, name)
            if w is None:
                raise NotFound("watch", f"there is no watch {name!r}: add one with `newsdesk "
                                        "watch add NAME [filters]`; `newsdesk watch list` "
                                        "shows them.")
            return w.to_dict(), [a.to_dict() for a in list_alerts(s.db, name,
                                                                  limit=FEED_ALERTS)]
        finally:
            pool.put(s)

    def base(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    @app.get("/watch/{name}.atom", include_in_schema=False)
    def watch_atom(request: Request, name: str) -> Response:
        w, alerts = load(request, name)
        return Response(atom_feed(name, alerts, base(request), w["created"]),
                        media_type="application/atom+xml; charset=utf-8")

    @app.get("/api/watches/{name}/alerts", tags=["watches"], summary="A watch's alerts")
    def watch_alerts_api(request: Request, name: str) -> dict[str, Any]:
        w, alerts = load(request, name)
        return {"watch": w, "items": alerts}

    @app.get("/watch/{name}", response_class=HTMLResponse, include_in_schema=False)
    def watch_page(request: Request, name: str) -> HTMLResponse:
        w, alerts = load(request, name)
        return page("watch.html", w=w, alerts=alerts, kinds=KIND_TEXT)
