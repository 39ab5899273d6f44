"""The HTML brief in a real headless browser: Debian's chromium driven by Playwright.

Nothing is downloaded: the browser is /usr/bin/chromium (``apt-get install chromium``;
``.ci/run`` installs it when it can), never one fetched by ``playwright install``. The page
is loaded from a ``file://`` URL and every request that is not ``file:``, ``data:`` or
``about:`` is aborted and reported, so the test cannot reach past this machine.
Skips with a message when chromium or the playwright package is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brief_sample import TEXTS, flood_brief
from chromium import launch_chromium
from newsdesk.brief.render import render_html


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch_chromium()


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    path = tmp_path / "brief.html"
    path.write_text(render_html(flood_brief()), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1000, "height": 800}, java_script_enabled=True)
    outside: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    pg.goto(path.as_uri())
    yield pg
    context.close()
    assert outside == [], f"the page tried to load {outside}"


def test_page_renders(page: Any) -> None:
    assert page.title() == "News brief: 2 events"
    heading = page.locator("h1")
    assert heading.is_visible() and heading.inner_text() == "News brief"
    event = page.locator("#ev-1 h2")
    assert event.is_visible() and event.inner_text() == "Floods kill at least 12 in Kellmoor"
    assert page.locator("#ev-1-c2").get_by_text("People were killed by the flood.").is_visible()
    assert page.locator("#ev-1 .status-conflicting .badge").inner_text().lower() == "conflicting"


def test_citation_click_jumps_to_the_cited_mark(page: Any) -> None:
    brief = flood_brief()
    first = brief["events"][0]["summary"][0]
    c = first["cites"][0]
    cited = TEXTS[c["article"]][c["start"] : c["end"]]

    link = page.locator("#ev-1 .summary a.cite").first
    href = link.get_attribute("href")
    assert href and href.startswith("#cite-")
    link.click()
    page.wait_for_function("h => location.hash === h", arg=href)

    target = page.evaluate(
        """() => {
            const t = document.querySelector(':target');
            if (!t) return null;
            const r = t.getBoundingClientRect();
            return {tag: t.tagName, id: t.id, text: t.textContent,
                    inArticles: !!t.closest('#articles'),
                    top: r.top, bottom: r.bottom, height: innerHeight};
        }"""
    )
    assert target is not None, "no :target after clicking the citation"
    assert target["tag"] == "MARK" and "#" + target["id"] == href
    assert target["inArticles"]
    assert cited in target["text"]
    assert 0 <= target["top"] < target["height"], "the mark was not scrolled into view"
    assert page.locator(href).is_visible()


def test_article_markup_is_shown_not_run(page: Any) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("script").count() == 0
    articles = page.locator("#articles")
    shown = articles.inner_text()
    assert "<script>window.__pwned = 1</script>" in shown
    assert "<b>not bold</b>" in shown
    literal = articles.get_by_text("<script>window.__pwned = 1</script>", exact=False)
    assert literal.count() == 1 and literal.is_visible()
    assert articles.locator("b").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
