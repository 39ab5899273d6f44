"""`newsdesk serve` in a real headless browser: Debian's chromium driven by Playwright.

The app runs in uvicorn on 127.0.0.1 (a free port) over the web tests' store
(tests/web_store.py: examples/, a hostile article, known extraction rows). Nothing is
downloaded: the browser is /usr/bin/chromium, never one fetched by ``playwright install``;
every request not to the test server is aborted and reported. Skips with a message when
chromium or the playwright package is missing.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chromium import launch_chromium
from newsdesk.web import create_app
from web_store import HALVARD, HOSTILE_KEY, web_db  # noqa: F401

DRUSSEL = "ev-accd772e3134"


@pytest.fixture(scope="module")
def server(web_db: tuple[Path, dict[str, Any]]) -> Iterator[str]:  # noqa: F811
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(web_db[0]), log_level="warning",
                                        lifespan="off"))
    t = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    t.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        t.join(10)
        sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch_chromium()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    outside: list[str] = []
    errors: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith((server + "/", "data:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # the CSP must never have to block anything of the app's own (styles, script, SVG)
    pg.on("console", lambda m: errors.append(m.text)
          if "Content Security Policy" in m.text else None)
    pg.set_default_timeout(15_000)
    pg.base = server  # type: ignore[attr-defined]
    yield pg
    context.close()
    assert outside == [], f"the page tried to load {outside}"
    assert errors == [], f"script errors: {errors}"


def test_home_to_event_to_cited_passage(page: Any) -> None:
    page.goto(page.base + "/")
    assert page.title() == "Events · newsdesk"
    assert page.locator("svg.chart rect.bar").count() >= 1  # the chart is drawn
    link = page.locator(f'ul.events a[href="/events/{DRUSSEL}"]')
    assert link.inner_text() == "Fifteen dead as River Vessa floods Drussel"
    link.click()
    page.wait_for_url(f"**/events/{DRUSSEL}")
    assert page.locator("h1").inner_text() == "Fifteen dead as River Vessa floods Drussel"
    assert page.locator(".status-conflicting .badge").first.inner_text().lower() == "conflicting"
    box = page.locator("svg.chart.reuse").bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100  # the reuse diagram is drawn

    cite = page.locator(".summary a.cite").first
    href = cite.get_attribute("href")
    assert href and href.startswith("#cite-")
    tip = cite.get_attribute("title")
    cite.click()
    page.wait_for_function("h => location.hash === h", arg=href)
    target = page.evaluate(
        """() => {
            const t = document.querySelector(':target');
            if (!t) return null;
            const r = t.getBoundingClientRect();
            return {tag: t.tagName, id: t.id, text: t.textContent, active: t.classList.contains('active'),
                    top: r.top, height: innerHeight,
                    bg: getComputedStyle(t).backgroundColor};
        }""")
    assert target is not None, "no :target after clicking the citation"
    assert target["tag"] == "MARK" and "#" + target["id"] == href
    assert target["active"], "app.js did not mark the passage"
    assert tip and " ".join(target["text"].split()).startswith(tip.rstrip(".")[:60])
    assert 0 <= target["top"] < target["height"], "the passage was not scrolled into view"
    # only one passage is marked active
    assert page.locator("mark.active").count() == 1


def test_entity_page_and_pair_page(page: Any) -> None:
    page.goto(page.base + f"/entities/{HALVARD}")
    assert page.locator("h1").inner_text() == "Tomas Halvard"
    assert page.locator("svg.chart rect.bar").count() == 2  # two days of mentions
    assert page.get_by_text("turned a corner").first.is_visible()
    page.locator("a.cite").first.click()
    page.wait_for_url("**/articles/**")
    assert page.locator("mark#passage").inner_text() == "turned a corner"

    page.goto(page.base + "/entities/person:anatolii-drevin")
    page.locator("table.interactions a.pair").first.click()
    page.wait_for_url("**/pairs/**")
    assert "Anatolii Drevin" in page.locator("h1").inner_text()
    page.goto(page.base + "/pairs/KST/VLM")
    assert page.locator("h1").inner_text() == "KST ↔ VLM"
    bars = page.locator("svg.chart rect.bar")
    assert bars.count() == 3
    assert all((bars.nth(i).bounding_box() or {}).get("height", 0) > 0 for i in range(3))
    assert page.locator("table.pair-events tbody tr").count() == 3
    legend = page.eval_on_selector_all("svg.chart text", "els => els.map(e => e.textContent)")
    assert "AGREE" in legend and "CONSULT" in legend


def test_hostile_article_does_not_run(page: Any) -> None:
    page.goto(page.base + "/search?q=Quillon")
    page.locator(".hit-group h2 a").first.click()
    page.wait_for_url("**/events/**")
    shown = page.locator("h1").inner_text()
    assert shown.startswith("Harbour row <script>window.__pwned = 1</script>")
    body = page.locator("body").inner_text()
    assert '<img src="x" onerror="window.__pwned = 5">' in body
    assert HOSTILE_KEY in body
    page.locator("h1").hover()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # the page has exactly our one script, from /static
    assert page.evaluate("[...document.scripts].map(s => new URL(s.src).pathname)") == [
        "/static/app.js"]
    assert page.locator("main img").count() == 0 and page.locator("main b").count() == 0


def test_pages_work_without_javascript(browser: Any, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(server + f"/events/{DRUSSEL}")
        href = pg.locator(".summary a.cite").first.get_attribute("href")
        pg.locator(".summary a.cite").first.click()
        assert pg.evaluate("location.hash") == href
        assert pg.locator(f"mark{href}").is_visible()
        pg.goto(server + "/?place=Drussel")
        assert pg.locator("ul.events li").count() == 1
    finally:
        context.close()
