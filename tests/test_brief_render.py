"""The brief's JSON schema and its Markdown, text and HTML renderings, on a fictional brief."""

from __future__ import annotations

import copy
import html
import json
import re
from html.parser import HTMLParser
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brief_sample import (
    BRIDGE_SUMMARY,
    SCHEMA_PATH,
    SUMMARY_SENTENCES,
    TEXTS,
    all_cites,
    flood_brief,
)
from newsdesk.brief.render import render_html, render_markdown, render_text


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft202012Validator
    cls.check_schema(schema)
    return cls(schema)


@pytest.fixture
def brief() -> dict[str, Any]:
    return flood_brief()


def _errors(validator: Any, doc: Any) -> list[str]:
    return [e.message for e in validator.iter_errors(doc)]


# --- schema -----------------------------------------------------------------------------


def test_sample_brief_is_valid_and_json_ready(validator: Any, brief: dict[str, Any]) -> None:
    assert _errors(validator, brief) == []
    assert json.loads(json.dumps(brief)) == brief
    assert _errors(validator, {"schema": "newsdesk.brief/1", "events": []}) == []


def test_sample_cites_point_at_their_text(brief: dict[str, Any]) -> None:
    for c in all_cites(brief):
        text = TEXTS[c["article"]]
        assert 0 <= c["start"] < c["end"] <= len(text)
    first = brief["events"][0]["summary"][0]
    c = first["cites"][0]
    assert TEXTS[c["article"]][c["start"] : c["end"]] == first["text"]


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (lambda b: b["events"][0]["claims"][0].update(status="maybe"), "maybe"),
        (lambda b: b["events"][0]["claims"][1].pop("conflict"), "conflict"),
        (lambda b: b["events"][0].pop("timeline"), "timeline"),
        (lambda b: b["events"][0]["articles"][0].pop("account"), "account"),
        (lambda b: b["events"][0]["summary"][0]["cites"][0].pop("end"), "end"),
        (lambda b: b["events"][0]["quotes"][0].update(direct="yes"), "yes"),
        (lambda b: b["events"][0]["claims"][0].update(id="claim-1"), "claim-1"),
        (lambda b: b["events"][0]["dates"].update(first="14 March 2031"), "14 March 2031"),
        (lambda b: b["events"][0]["timeline"][0].update(date=None), "None"),
        (lambda b: b["events"][0]["summary"][0]["cites"][0].update(start=-1), "-1"),
        (lambda b: b["events"][0]["quantities"][0].update(value="12"), "12"),
        (lambda b: b["events"][0]["claims"][1].update(conflict=None), "None"),
        (lambda b: b["events"][0].update(stray=1), "stray"),
        (lambda b: b.update(schema="newsdesk.brief/2"), "newsdesk.brief/1"),
        (lambda b: b.pop("events"), "events"),
    ],
)
def test_broken_briefs_fail_validation(
    validator: Any, brief: dict[str, Any], break_it: Any, expected: str
) -> None:
    break_it(brief)
    errors = _errors(validator, brief)
    assert errors, "the broken brief validated"
    assert any(expected in e for e in errors), errors


# --- markdown and text ----------------------------------------------------------------


def test_equal_amounts_are_listed_together_in_both_renderers() -> None:
    # reports giving one figure in other words ("38 percent" and "thirty eight percent")
    # are listed one after another, where the amount first appears; the JSON keeps its order
    def q(value: int, unit: str, about: str, text: str, key: str) -> dict[str, Any]:
        return {"value": value, "unit": unit, "about": about, "text": text,
                "cites": [{"article": key, "start": 0, "end": len(text)}]}

    quantities = [q(38, "percent", "trade rise", "38 percent", "a1"),
                  q(40000, "tonnes", "wheat", "forty thousand tonnes", "a1"),
                  q(38, "Percent", "increase in trade", "thirty eight percent", "a2"),
                  q(2, "ships", "", "two ships", "a2")]
    brief = {"schema": "newsdesk.brief/1", "events": [{
        "event_id": "e1", "title": "T", "articles": [{"key": "a1"}, {"key": "a2"}],
        "quantities": quantities}]}
    md = render_markdown(brief)
    order = [md.index(t) for t in ("“38 percent”", "“thirty eight percent”",
                                   "“forty thousand tonnes”", "“two ships”")]
    assert order == sorted(order)
    html = render_html(brief)
    order = [html.index(t) for t in ("“38 percent”", "“thirty eight percent”",
                                     "“forty thousand tonnes”", "“two ships”")]
    assert order == sorted(order)
    assert [x["text"] for x in brief["events"][0]["quantities"]][:2] == [
        "38 percent", "forty thousand tonnes"]


def test_markdown_has_every_section(brief: dict[str, Any]) -> None:
    md = render_markdown(brief)
    for heading in (
        "## Floods kill at least 12 in Kellmoor",
        "### Summary",
        "### Key facts",
        "### Numbers",
        "### Quotes",
        "### Who's who",
        "### Timeline",
        "### Source matrix",
        "### Reuse map",
        "### Political events",
        "### Sources",
        "## Old Mill bridge reopens",
    ):
        assert heading in md
    assert "2031-03-13 – 2031-03-14 · Kellmoor" in md
    for claim in brief["events"][0]["claims"]:
        assert claim["text"] in md
    assert "**corroborated**, 2 independent sources" in md
    assert "**single-source**, 1 independent source" in md
    assert "**conflicting**" in md
    # the conflict: both values, with the articles that give them
    conflict_line = next(line for line in md.splitlines() if "disagree" in line)
    assert "people killed" in conflict_line
    assert "12 people" in conflict_line and "[1]" in conflict_line
    assert "15 people" in conflict_line and "[2][3]" in conflict_line
    # the speaker with the quote, markers mapped to sources
    assert "\u201cWe have never seen the water rise this fast.\u201d — **Elena Varga** [1][2]" in md
    assert "(reported speech)" in md
    assert "- [3] **Harbour Daily**" in md and "copy of [2]" in md
    assert "40,000,000 crowns" in md
    assert "2031-03-13: The Dunrow Flood Authority opened its emergency centre. [1]" in md
    assert "Tomas Breck (GOV) → Kellmoor [2]" in md


def test_markdown_source_matrix_marks_single_outlet_claims(brief: dict[str, Any]) -> None:
    md = render_markdown(brief)
    assert "| claim | Kellmoor Courier | Northgate Wire | Harbour Daily |" in md
    rows = [line for line in md.splitlines() if re.match(r"\| c[0-9]+ ", line)]
    assert len(rows) == 5
    only = [row for row in rows if "only" in row]
    assert len(only) == 1 and only[0].startswith("| c5 ")
    assert [c.strip() for c in only[0].strip("|").split("|")][1:] == ["✓ only", "", ""]


def test_markdown_escapes_markup() -> None:
    brief = flood_brief()
    brief["events"][0]["claims"][0]["text"] = "A <script>x</script> *claim* [9]"
    md = render_markdown(brief)
    assert "<script>" not in md
    assert r"A \<script\>x\</script\> \*claim\* \[9\]" in md


def test_text_with_words_is_a_prefix_of_the_summary(brief: dict[str, Any]) -> None:
    summary = " ".join(" ".join(t for _, t in SUMMARY_SENTENCES).split() + BRIDGE_SUMMARY.split())
    total = len(summary.split())
    for n in (0, 1, 7, 20, total - 1, total, total + 50, 100):
        text = render_text(brief, words=n)
        assert len(text.split()) == min(n, total)
        assert summary.startswith(text)
        assert "\n" not in text and "[" not in text
    assert render_text(brief, words=total) == summary
    with pytest.raises(ValueError):
        render_text(brief, words=-1)


def test_text_without_words_is_the_whole_brief(brief: dict[str, Any]) -> None:
    text = render_text(brief)
    assert "Floods kill at least 12 in Kellmoor" in text
    assert "conflicting" in text and "single-source" in text and "corroborated" in text
    assert "Elena Varga" in text
    assert "12 people" in text and "15 people" in text
    assert "**" not in text and "\\" not in text


def test_renderers_take_an_empty_brief() -> None:
    empty = {"schema": "newsdesk.brief/1", "events": []}
    assert "0 events" in render_markdown(empty)
    assert render_text(empty, words=100) == ""
    assert "No events." in render_html(empty)


# --- html ---------------------------------------------------------------------------


class _Page(HTMLParser):
    """Collects ids, hrefs, marks (with their text) and external references of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.external: list[str] = []
        self.tags: list[str] = []
        self.mark_text: dict[str, str] = {}
        self.text: list[str] = []
        self._open_marks: list[str] = []
        self.nested_marks = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "a" and a.get("href") is not None:
            self.hrefs.append(a["href"] or "")
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            value = a.get(name) or ""
            if value and not value.startswith("#"):
                self.external.append(value)
        if tag == "mark":
            if self._open_marks:
                self.nested_marks += 1
            self._open_marks.append(a.get("id") or "")
            self.mark_text[a.get("id") or ""] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._open_marks.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for mark_id in self._open_marks:
            self.mark_text[mark_id] += data


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def test_html_every_citation_link_has_its_anchor(brief: dict[str, Any]) -> None:
    page = _parse(render_html(brief))
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    internal = [h for h in page.hrefs if h.startswith("#")]
    assert internal and internal == page.hrefs
    missing = {h for h in internal if h[1:] not in page.ids}
    assert not missing
    cite_links = [h for h in internal if h.startswith("#cite-")]
    assert len(cite_links) >= len(all_cites(brief))
    assert page.nested_marks == 0
    assert set(page.mark_text) == {h[1:] for h in cite_links}


def test_html_each_cite_links_to_a_mark_containing_its_text(brief: dict[str, Any]) -> None:
    html_page = render_html(brief)
    page = _parse(html_page)
    links = re.findall(r'<a class="cite" href="#(cite-[^"]+)" title="([^"]*)">', html_page)
    assert links
    for c in all_cites(brief):
        cited = TEXTS[c["article"]][c["start"] : c["end"]]
        # some link of this item's article goes to a mark that holds the cited passage
        assert any(cited in page.mark_text[target] for target, _ in links), cited
    # overlapping cites are merged: "About 3,000 residents were moved" and
    # "3,000 residents were moved to the school gymnasium overnight" share one mark
    merged = [t for t in page.mark_text.values() if t.startswith("About 3,000 residents")]
    assert merged == ["About 3,000 residents were moved to the school gymnasium overnight"]
    # the summary's first cite goes to the mark of exactly that sentence
    first = brief["events"][0]["summary"][0]
    target = re.search(
        r'<span class="sentence">[^<]*</span><span class="cites"><a class="cite" '
        r'href="#([^"]+)"',
        html_page,
    )
    assert target and page.mark_text[target.group(1)] == first["text"]


def test_html_shows_every_section_and_the_conflict(brief: dict[str, Any]) -> None:
    page = _parse(render_html(brief))
    text = " ".join(" ".join(page.text).split())
    for needle in (
        "Summary",
        "Key facts",
        "Numbers",
        "Quotes",
        "Who\u2019s who",
        "Timeline",
        "Source matrix",
        "Reuse map",
        "Political events",
        "Sources",
        "Articles",
        "People were killed by the flood.",
        "Sources disagree on people killed",
        "12 people",
        "15 people",
        "Elena Varga",
        "reported speech",
        "conflicting",
        "single-source",
        "corroborated",
        "\u2713 only",
        "The Old Mill bridge in Northgate reopened",
    ):
        assert needle in text, needle
    assert "<title>News brief: 2 events</title>" in render_html(brief)


def test_html_escapes_everything_and_loads_nothing(brief: dict[str, Any]) -> None:
    brief["events"][0]["title"] = 'Floods <img src=x onerror="alert(1)"> & "more"'
    brief["events"][0]["quotes"][0]["speaker"] = "<i>Elena</i>"
    html_page = render_html(brief)
    assert "<script" not in html_page.lower()
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html_page
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html_page
    assert "<img" not in html_page and "<i>" not in html_page
    assert (
        "Floods &lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &quot;more&quot;" in html_page
    )
    page = _parse(html_page)
    assert "b" not in page.tags and "img" not in page.tags and "script" not in page.tags
    assert page.external == []
    assert "http" not in re.sub(r">[^<]*<", "><", html_page), "a URL outside text content"
    assert "<style>" in html_page and "@import" not in html_page and "url(" not in html_page
    # the article's own words, markup included, are shown as text
    assert "<script>window.__pwned = 1</script>" in "".join(page.text)


def test_html_survives_bad_cites() -> None:
    brief = flood_brief()
    event = brief["events"][0]
    event["claims"][0]["cites"] += [
        {"article": "courier-1", "start": 5, "end": 10**6},  # past the end: clipped
        {"article": "courier-1", "start": 7, "end": 7},  # empty: links the article
        {"article": "nowhere-9", "start": 0, "end": 4},  # unknown article: no link
    ]
    page = _parse(render_html(brief))
    assert {h[1:] for h in page.hrefs} <= set(page.ids)
    assert "[nowhere-9]" in "".join(page.text)
    assert render_markdown(copy.deepcopy(brief))


@settings(max_examples=60, deadline=None)
@given(
    spans=st.lists(
        st.tuples(st.integers(-5, len(TEXTS["courier-1"]) + 5), st.integers(0, 80)),
        min_size=1,
        max_size=12,
    )
)
def test_html_any_overlapping_cites_link_to_marks_holding_them(
    spans: list[tuple[int, int]],
) -> None:
    brief = flood_brief()
    event = brief["events"][0]
    event["summary"][0]["cites"] = [
        {"article": "courier-1", "start": start, "end": start + length} for start, length in spans
    ]
    html_page = render_html(brief)
    page = _parse(html_page)
    assert page.nested_marks == 0
    assert len(page.ids) == len(set(page.ids))
    assert {h[1:] for h in page.hrefs} <= set(page.ids)
    first = re.search(
        r'<p class="summary"><span class="sentence">[^<]*</span>(.*?)</span>', html_page
    )
    assert first
    targets = re.findall(r'href="#([^"]+)"', first.group(1))
    assert len(targets) == len(spans)
    text = TEXTS["courier-1"]
    expected = sorted(spans, key=lambda s: s[0])  # links come in order of start offset
    for (start, length), target in zip(expected, targets, strict=True):
        lo, hi = max(0, start), min(len(text), start + length)
        if lo < hi:
            assert text[lo:hi] in page.mark_text[target]
        else:
            assert target == "art-1"
    # the article's text reads the same with the marks in place
    article = re.search(
        r'<article class="source" id="art-1">.*?<div class="text">(.*?)</div>', html_page, re.S
    )
    assert article and html.unescape(re.sub(r"</?mark[^>]*>", "", article.group(1))) == text


def test_key_facts_lead_with_conflicts_and_corroboration_and_fold_the_rest() -> None:
    brief = flood_brief()
    claims = brief["events"][0]["claims"]
    statuses = {c["status"] for c in claims}
    assert "single-source" in statuses and "corroborated" in statuses
    single = [c["text"] for c in claims if c["status"] == "single-source"]
    shown_first = [c["text"] for c in claims if c["status"] != "single-source"]
    md = render_markdown(brief)
    page = render_html(brief)
    for text in (md, page):
        fold = text.index("single-source claim(s)")
        for t in shown_first:  # conflicting and corroborated claims come before the fold
            assert text.index(html.escape(t, quote=False) if text is page else t) < fold
        for t in single:  # the single-source tail is inside it
            assert text.index(html.escape(t, quote=False) if text is page else t) > fold
    assert page.count("<details") == 1 and "</details>" in page
    # the JSON keeps every claim, in its own order
    assert [c["text"] for c in brief["events"][0]["claims"]] == [c["text"] for c in claims]


def test_a_number_whose_about_repeats_its_unit_shows_it_once() -> None:
    from newsdesk.brief.render import _about

    assert _about({"unit": "crane operators", "about": "crane operators"}) == ""
    assert _about({"unit": "states", "about": "state"}) == ""
    assert _about({"unit": "tonnes", "about": "wheat"}) == "wheat"
    assert _about({"unit": None, "about": "agreements"}) == "agreements"
    assert _about({"unit": "USD"}) == ""
    # the unit it starts with is not said twice
    assert _about({"unit": "millimetres", "about": "millimetres of rain"}) == "rain"
    assert _about({"unit": "crowns", "about": "crowns for families who lost their homes"}) \
        == "for families who lost their homes"
    assert _about({"unit": "tonnes", "about": "tonnes"}) == ""
    assert _about({"unit": "people", "about": "people of"}) == "people of"


def test_a_conflict_carried_by_two_claims_is_listed_once(brief: dict[str, Any]) -> None:
    """Several claims of one event often carry the same disagreement (three reports of one
    death toll): its values are listed under the first, and the others point back to it."""
    claims = brief["events"][0]["claims"]
    twin = copy.deepcopy(next(c for c in claims if c["id"] == "c2"))
    twin.update(id="c9", text="The flood killed people in Kellmoor.")
    claims.append(twin)
    md = render_markdown(brief)
    lines = [line for line in md.splitlines() if "disagree" in line]
    assert len(lines) == 2
    assert "12 people" in lines[0] and "15 people" in lines[0]
    assert lines[1].strip() == "- sources disagree on people killed: as under c2"
    page = render_html(brief)
    assert page.count("Sources disagree on <strong>people killed</strong>:<ul>") == 1
    assert 'as under <a href="#ev-1-c2">c2</a>' in page
    # a claim with a different disagreement keeps its own values
    other = copy.deepcopy(twin)
    other.update(id="c10")
    other["conflict"]["values"][0]["value"] = 11
    claims.append(other)
    lines = [line for line in render_markdown(brief).splitlines() if "disagree" in line]
    assert len(lines) == 3 and "11 people" in lines[2]


def test_json_rendering_is_the_standard_librarys_text(brief: dict[str, Any]) -> None:
    """``--format json`` is written by orjson; its text is exactly what
    ``json.dumps(ensure_ascii=False, indent=2)`` gives (the documented output), non-ASCII
    kept as itself; what orjson refuses goes through the standard library."""
    from newsdesk.brief.render import render_json

    brief["events"][0]["title"] = "Überschwemmung in Kellmoor — “Dunrow” 水"
    assert render_json(brief) == json.dumps(brief, ensure_ascii=False, indent=2)
    assert "Überschwemmung" in render_json(brief)
    odd = {"schema": "x", "events": [], 1: "a non-string key", "s": "\ud800"}
    assert render_json(odd) == json.dumps(odd, ensure_ascii=False, indent=2)


def test_an_undated_political_event_shows_the_day_it_was_reported(
        brief: dict[str, Any], validator: jsonschema.protocols.Validator) -> None:
    """A sentence that gives no date of its own: the renderings show the day of the
    earliest report ("reported 2031-03-13"), "undated" only when that is unknown too; the
    field is optional in the schema (briefs stored before it validate)."""
    p = brief["events"][0]["political_events"][0]
    p.update(date=None, reported="2031-03-13")
    validator.validate(brief)
    assert "- reported 2031-03-13 · **AID**: Tomas Breck (GOV)" in render_markdown(brief)
    assert "<td>reported 2031-03-13</td>" in render_html(brief)
    p.update(reported=None)
    assert "- undated · **AID**" in render_markdown(brief)
    del p["reported"]
    validator.validate(brief)
    assert "- undated · **AID**" in render_markdown(brief)


def test_an_event_of_single_source_claims_only_folds_nothing() -> None:
    """One report: every claim is single-source, and folding them all would leave the
    key facts empty; they are shown."""
    brief = flood_brief()
    ev = brief["events"][0]
    for c in ev["claims"]:
        c.update(status="single-source", independent_sources=1, conflict=None)
    md = render_markdown(brief)
    page = render_html(brief)
    assert "single-source claim(s)" not in md and "<details" not in page
    for c in ev["claims"]:
        assert c["text"] in md
    assert "**single-source**, 1 independent source" in md
    # a number's about without the unit it starts with, for prepositions other than "of"
    from newsdesk.brief.render import _about
    assert _about({"unit": "crowns", "about": "crowns from 30,000 donors"}) \
        == "from 30,000 donors"


def test_political_events_lead_with_those_reported_twice_with_both_sides_known() -> None:
    """Events with an actor on each side lead; those with a side unknown fold in both
    renderings (the JSON keeps them all); with none such, all lead."""
    from newsdesk.brief.render import political_lead

    def pe(event: str, arts: list[str], source: bool = True, target: bool = True
           ) -> dict[str, Any]:
        actor = [{"text": "Kestria", "code": "KST", "sector": None}]
        return {"date": "2025-03-04", "event": event, "source": actor if source else [],
                "target": actor if target else [], "articles": arts,
                "cites": [{"article": a, "start": 0, "end": 5} for a in arts],
                "reported": None}

    events = [pe("AGREE", ["a", "b"]), pe("CONSULT", ["a"], target=False),
              pe("DEMAND", ["a", "b"], source=False)]
    lead, tail = political_lead(events)
    assert [p["event"] for p in lead] == ["AGREE"]
    assert [p["event"] for p in tail] == ["CONSULT", "DEMAND"]
    assert political_lead(events[1:]) == (events[1:], [])
    brief = {"schema": "newsdesk.brief/1", "events": [{
        "id": "ev-1", "title": "Talks", "articles": [
            {"key": k, "text": "Kestria", "source": "x"} for k in ("a", "b")],
        "political_events": events}]}
    md = render_markdown(brief)
    assert md.index("AGREE") < md.index("<details><summary>2 more political event(s)") \
        < md.index("CONSULT")
    page = render_html(brief)
    assert page.index("AGREE") < page.index('<details class="political-tail">') \
        < page.index("CONSULT")
