"""Golden tests of the brief on the bundled example corpus (content, not shape)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from newsdesk.brief.build import SCHEMA, BriefOptions, build_brief
from newsdesk.brief.render import CITED_SECTIONS
from newsdesk.ingest import ingest
from newsdesk.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXPECTED = json.loads((Path(__file__).parent / "golden" / "expected.json").read_text())
WARC_A07 = "<urn:uuid:c7a4e1f0-2b6d-4f93-8e15-3a9d7c0b5e83>"


@pytest.fixture(scope="module")
def brief() -> dict[str, Any]:
    store = Store(":memory:")
    report = ingest([EXAMPLES], store)
    return build_brief(store, report.refs, BriefOptions())


def _event_with(brief: dict[str, Any], key: str) -> dict[str, Any]:
    return next(e for e in brief["events"] if key in {a["key"] for a in e["articles"]})


def _texts(brief: dict[str, Any]) -> dict[str, str]:
    return {a["key"]: a["text"] for e in brief["events"] for a in e["articles"]}


def test_events_and_sources(brief: dict[str, Any]) -> None:
    assert brief["schema"] == SCHEMA
    got = sorted(sorted(a["key"] for a in e["articles"]) for e in brief["events"])
    want = sorted(sorted(v) for v in EXPECTED["clusters"].values())
    assert got == want
    a = _event_with(brief, "a01_pna_wire")
    assert a["independent_sources"] == EXPECTED["events"]["A"]["independent_sources"] == 7
    assert a["place"] == "Saldena"  # where the reports were filed, not the visitor's country
    assert a["dates"] == {"first": "2025-03-04", "last": "2025-03-05"}
    rows = {r["key"]: r for r in a["articles"]}
    assert rows["a02_globeview_furniture"]["copy_of"] == "a01_pna_wire"
    assert rows["a02_globeview_furniture"]["independent"] is False
    assert rows["a02_globeview_furniture"]["account"] == rows["a01_pna_wire"]["account"]


def test_conflicting_agreement_value_two_sources_against_one(brief: dict[str, Any]) -> None:
    a = _event_with(brief, "a01_pna_wire")
    conflicts = [c for c in a["claims"] if c["status"] == "conflicting"]
    assert conflicts, "the $2.4bn / $2.1bn disagreement must be found"
    values = {v["value"]: v for v in conflicts[0]["conflict"]["values"]}
    assert set(values) == {2.4e9, 2.1e9}
    assert set(values[2.4e9]["articles"]) == {"a01_pna_wire", "a02_globeview_furniture",
                                               WARC_A07}
    assert values[2.1e9]["articles"] == ["a04_herald"]
    # digits and words for the same 38 percent are not a conflict
    for c in a["claims"]:
        if c["conflict"]:
            assert 38.0 not in {v["value"] for v in c["conflict"]["values"]}


def test_flood_death_toll_conflict(brief: dict[str, Any]) -> None:
    b = _event_with(brief, "b01_drussel_floods")
    tolls = [c["conflict"] for c in b["claims"] if c["conflict"]
             and c["conflict"]["about"] == "deaths"]
    assert tolls
    by_value = {v["value"]: v["articles"] for v in tolls[0]["values"]}
    assert by_value[14.0] == ["b01_drussel_floods"]
    assert by_value[17.0] == ["b02_drussel_post"]
    assert by_value[15.0] == ["b04_vpr"]
    c = _event_with(brief, "c02_port_camina_floods")
    assert not [x for x in c["claims"] if x["status"] == "conflicting"], \
        "Port Camina's reports agree (six dead, 1,200 evacuated)"


def test_claim_support_counts_copies_once(brief: dict[str, Any]) -> None:
    a = _event_with(brief, "a01_pna_wire")
    for c in a["claims"]:
        accounts = {r["account"] for r in a["articles"] if r["key"] in c["articles"]}
        assert c["independent_sources"] <= len(accounts)
        assert (c["status"] == "corroborated") == (c["independent_sources"] >= 2) or \
            c["status"] == "conflicting"
    # the wheat aid is reported by every account that covers the talks
    wheat = [c for c in a["claims"] if "forty thousand tonnes" in c["text"]]
    assert wheat and wheat[0]["independent_sources"] >= 3 and len(wheat[0]["articles"]) >= 5
    # a01 and its copy a02 alone make a single-source claim
    only_wire = [c for c in a["claims"]
                 if set(c["articles"]) == {"a01_pna_wire", "a02_globeview_furniture"}]
    assert only_wire and all(c["status"] == "single-source" for c in only_wire)


def test_every_citation_points_at_its_text(brief: dict[str, Any]) -> None:
    texts = _texts(brief)
    n = 0
    for e in brief["events"]:
        keys = {a["key"] for a in e["articles"]}
        for section in CITED_SECTIONS:
            for item in e[section]:
                assert item["cites"], f"{section} item without citation: {item}"
                for cite in item["cites"]:
                    assert cite["article"] in keys
                    assert cite["article"] in item["articles"]
                    body = texts[cite["article"]]
                    assert 0 <= cite["start"] < cite["end"] <= len(body)
                    n += 1
        for s in e["summary"]:
            first = s["cites"][0]
            assert texts[first["article"]][first["start"]:first["end"]] == s["text"]
        for c in e["claims"]:
            cited = [texts[x["article"]][x["start"]:x["end"]] for x in c["cites"]]
            assert c["text"] in cited
        for q in e["quantities"]:
            x = q["cites"][0]
            assert texts[x["article"]][x["start"]:x["end"]] == q["text"]
    assert n > 100


def test_source_matrix(brief: dict[str, Any]) -> None:
    a = _event_with(brief, "a01_pna_wire")
    matrix = a["source_matrix"]
    assert "Valmora Herald" in matrix["outlets"]
    claims = {c["id"]: c for c in a["claims"]}
    rows = {r["claim"]: r["outlets"] for r in matrix["rows"]}
    assert set(rows) == set(claims)
    conflict = next(c for c in a["claims"] if c["status"] == "conflicting")
    # only the Herald gives $2.1 billion; its claim row names it
    assert "Valmora Herald" in rows[conflict["id"]] or any(
        "Valmora Herald" in rows[c["id"]] for c in a["claims"] if "$2.1 billion" in c["text"])
    protest = [c for c in a["claims"] if "two hundred fishermen" in c["text"]]
    assert protest and rows[protest[0]["id"]] == ["Valmora Herald"]


def test_quotes_entities_timeline(brief: dict[str, Any]) -> None:
    a = _event_with(brief, "a01_pna_wire")
    speakers = {q["speaker"] for q in a["quotes"] if q["direct"]}
    assert {"Anatoly Drevin", "Tomas Halvard"} <= speakers
    solberg = [q for q in a["quotes"] if "sack of wheat" in q["text"]]
    assert solberg and solberg[0]["speaker"] == "Marta Solberg"
    drevin = next(e for e in a["entities"] if e["name"] == "Anatoly Drevin")
    assert {"Anatolii Drevin", "Dreivn"} & set(drevin["variants"])
    assert drevin["type"] == "PERSON"
    dates = [t["date"] for t in a["timeline"]]
    assert dates == sorted(dates) and "2025-03-04" in dates
    # a sentence naming two days is listed at its main verb's: the Courier's dockworkers
    # "on Wednesday welcomed the ... agreements signed ... yesterday" (Wednesday 5 March)
    welcomed = [t["date"] for t in a["timeline"] if "on Wednesday welcomed" in t["text"]]
    assert welcomed == ["2025-03-05"]
    c = next(e for e in brief["events"] if "Port Camina" in e["title"])
    found = [t["date"] for t in c["timeline"] if "found one of the two people" in t["text"]]
    assert found == ["2025-04-25"]  # "said on Friday", not "after Wednesday's flash floods"
    assert any(p["event"] for p in a["political_events"])
    # every record carries the day of its earliest report (the visit's reports: 4-5 March)
    assert {p["reported"] for p in a["political_events"]} <= {"2025-03-04", "2025-03-05"}
    assert any(p["date"] is None for p in a["political_events"])


def test_as_one_event_and_event_choice() -> None:
    store = Store(":memory:")
    report = ingest([EXAMPLES / "b01_drussel_floods.txt", EXAMPLES / "b03_vns_wire.txt",
                     EXAMPLES / "d01_courier_opera.txt" if (EXAMPLES / "d01_courier_opera.txt")
                     .exists() else EXAMPLES / "b02_drussel_post.html"], store)
    one = build_brief(store, report.refs, BriefOptions(as_one_event=True, summary_words=60))
    assert len(one["events"]) == 1
    assert len(one["events"][0]["articles"]) == len(report.refs)
    words = sum(len(s["text"].split()) for s in one["events"][0]["summary"])
    assert 0 < words <= 60 + 40  # the budget, give or take the last sentence


def test_examples_brief_validates_against_the_schema(brief: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(__file__).resolve().parents[1] / "docs" / "schemas"
                         / "newsdesk.brief-1.schema.json").read_text())
    jsonschema.validate(brief, schema)
    broken = json.loads(json.dumps(brief))
    broken["events"][0]["claims"][0]["status"] = "probably"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_cli_brief_formats(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from newsdesk.cli import app

    runner = CliRunner()
    src = [str(EXAMPLES / "b01_drussel_floods.txt"), str(EXAMPLES / "b03_vns_wire.txt")]
    res = runner.invoke(app, ["brief", *src, "--db", ":memory:", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout[res.stdout.index("{"):])
    assert data["schema"] == "newsdesk.brief/1" and len(data["events"]) == 1
    res = runner.invoke(app, ["brief", *src, "--db", ":memory:", "--format", "text",
                              "--words", "25", "--as-one-event"])
    assert res.exit_code == 0
    assert 0 < len(res.stdout.split()) <= 25
    page = tmp_path / "b.html"
    res = runner.invoke(app, ["brief", *src, "--db", ":memory:", "--format", "html",
                              "-o", str(page)])
    assert res.exit_code == 0 and "<html" in page.read_text().lower()
    res = runner.invoke(app, ["brief", "no-such-event", *src, "--db", ":memory:"])
    assert res.exit_code == 1 and "no-such-event" in res.output


def test_clashing_keys_get_names_of_their_own(tmp_path: Path) -> None:
    for folder, text in (("one", "Flood waters rose in the town of Arvel on Monday, officials "
                                 "said, and forty homes were evacuated."),
                         ("two", "The mayor of Arvel said on Monday that forty homes had been "
                                 "evacuated as flood waters rose in the town.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text(text, encoding="utf-8")
    store = Store(":memory:")
    report = ingest([tmp_path], store)
    brief = build_brief(store, report.refs, BriefOptions(as_one_event=True))
    keys = [a["key"] for e in brief["events"] for a in e["articles"]]
    assert len(keys) == 2 and len(set(keys)) == 2
    assert all(k.startswith("report@") for k in keys)
    texts = {a["key"]: a["text"] for a in brief["events"][0]["articles"]}
    for item in brief["events"][0]["claims"]:
        for c in item["cites"]:
            assert c["article"] in texts


def test_a_quotation_over_two_sentences_is_one_claim(brief: dict[str, Any]) -> None:
    visit = _event_with(brief, "a01_pna_wire")
    texts = [c["text"] for c in visit["claims"]]
    whole = [t for t in texts if "share a sea, a history and a future" in t]
    assert len(whole) == 1 and "Our task is to make sure" in whole[0]
    bridge = [t for t in texts if "For too long we treated the Northern Sea" in t]
    assert len(bridge) == 1 and "treating it as a bridge" in bridge[0]
    # and no claim is the second half alone
    assert not any(t.startswith(("Our task is", "Today we are treating")) for t in texts)


def test_the_reporting_outlet_is_not_in_the_who_is_who(brief: dict[str, Any]) -> None:
    """"Darrow told the Gazette" in the Lusca Gazette's own report names the newsroom,
    not a party to the floods: it stays in the text but not among the event's entities."""
    c = _event_with(brief, "c02_port_camina_floods")
    gazette = next(k for k, t in _texts(brief).items() if "told the Gazette" in t)
    assert gazette in {a["key"] for a in c["articles"]}
    names = {e["name"] for e in c["entities"]}
    assert not any("Gazette" in n for n in names)
    assert {"Selma Darrow", "Port Camina"} <= names


def test_reported_speech_keeps_the_quotation_it_ends_with(brief: dict[str, Any]) -> None:
    """'... it would "spread beyond grain and timber".': the brief trims the edge marks of
    a quote but must not leave the inner quotation open."""
    from newsdesk.brief.build import _trim_quote

    a = _event_with(brief, "a01_pna_wire")
    texts = [q["text"] for q in a["quotes"]]
    timber = [t for t in texts if "spread beyond grain and timber" in t]
    assert timber and all(t.count('"') % 2 == 0 for t in timber), timber
    for t in texts:
        assert t.count('"') % 2 == 0 and t.count("\u201c") == t.count("\u201d"), t
    s = '\u201cWe want it to \u2018grow\u2019,\u201d she said.'
    a0, b0 = _trim_quote(s, 0, s.index(" she"))
    assert s[a0:b0] == "We want it to \u2018grow\u2019"
    d = 'He called it a "fair deal". Then "fair" meant cheap.'
    a1, b1 = _trim_quote(d, d.index("a \"fair"), d.index(". Then"))
    assert d[a1:b1] == 'a "fair deal"'  # the closing mark comes back
    a2, b2 = _trim_quote(d, d.index('"fair"'), d.index(" meant") + 6)
    assert d[a2:b2] == '"fair" meant'  # the opening mark comes back
    e = 'He said "the deal" was fair.'
    a3, b3 = _trim_quote(e, e.index('"'), e.index(" was"))
    assert e[a3:b3] == "the deal"  # a whole quotation: the renderer adds its own marks


def test_numbers_one_row_per_figure_and_what_it_counts(brief: dict[str, Any]) -> None:
    """ "$2.4 billion" with nothing said of it joins "$2.4 billion (agreements)"; the 38
    percent of "trade" joins "increase in bilateral trade recorded in 2024"."""
    a = _event_with(brief, "a01_pna_wire")
    bn = [q for q in a["quantities"] if q["value"] == 2.4e9]
    assert len(bn) == 1 and bn[0]["about"] == "agreements"
    assert WARC_A07 in bn[0]["articles"] and "a01_pna_wire" in bn[0]["articles"]
    pct = [q for q in a["quantities"] if q["value"] == 38 and q["unit"] == "percent"]
    assert len(pct) <= 2
    full = next(q for q in pct if q["about"] == "increase in bilateral trade recorded in 2024")
    assert WARC_A07 in full["articles"] and len(full["cites"]) >= 5
    # "rise in bilateral trade" (a04) names the same figure: one row, with a04 in it
    assert len(pct) == 1 and "a04_herald" in full["articles"]


def test_one_amount_of_different_things_stays_apart() -> None:
    from newsdesk.brief.build import _fold_abouts

    def row(about: str | None, key: str) -> dict[str, Any]:
        return {"value": 2, "unit": "people", "about": about, "text": "two people",
                "articles": [key], "cites": [{"article": key, "start": 0, "end": 10}]}

    rows = _fold_abouts([row("killed", "a"), row("injured", "b"), row(None, "c"),
                         row("people killed in the blast", "d")])
    by = {r["about"]: r["articles"] for r in rows}
    assert by == {"people killed in the blast": ["d", "a", "c"], "injured": ["b"]}


def test_quotes_are_statements(brief: dict[str, Any]) -> None:
    """A reported content with no verb ("called the visit a milestone", "declared a state
    of emergency") is no statement to list under Quotes; the claims keep the sentence.
    Reported clauses and direct quotations stay."""
    texts = {q["text"] for e in brief["events"] for q in e["quotes"]}
    for np_only in ("the visit a milestone", "a state of emergency in Drussel district",
                    "it a gesture of genuine friendship between the two peoples"):
        assert np_only not in texts
    assert "would be shipped from the port of Lirov over the next three months" in texts
    assert any(q["direct"] for e in brief["events"] for q in e["quotes"])
    a = _event_with(brief, "a01_pna_wire")
    assert any("milestone" in c["text"] for c in a["claims"])


def test_a_reported_content_cut_short_is_not_listed() -> None:
    """ "The man accused of orchestrating the embassy bombings in Tanzania and Kenya was
    declared free": the parse ends the content on "and"; such a cut content is no quote,
    while a statement ending on a pronoun ("agreed to respect that") stays."""
    from newsdesk.brief.build import _CUT_SHORT

    assert _CUT_SHORT.search("orchestrating the embassy bombings in Tanzania and")
    assert _CUT_SHORT.search("the resignation of")
    assert not _CUT_SHORT.search("he has agreed to respect that")
    assert not _CUT_SHORT.search("the talks would resume on Monday")
    # an auxiliary nothing completes ("Instead it was, according to X, the offices ...")
    from newsdesk.brief.build import _cut_short

    assert _cut_short("Instead it was") and _cut_short("the plan would")
    assert not _cut_short("he did not know what it was")
    assert not _cut_short("nobody knew who the driver was")
    assert not _cut_short("the talks would resume on Monday")


def test_number_abouts_compare_singular_and_plural() -> None:
    from newsdesk.brief.build import _fold_abouts

    def row(about: str, key: str) -> dict[str, Any]:
        return {"value": 1e6, "unit": "USD", "about": about, "text": "$1 million",
                "articles": [key], "cites": [{"article": key, "start": 0, "end": 10}]}

    rows = _fold_abouts([row("damages to the church", "a"), row("damage to the church", "b")])
    assert len(rows) == 1 and sorted(rows[0]["articles"]) == ["a", "b"]


def test_one_amount_named_by_different_nouns_is_one_row() -> None:
    """Within an event, "$1 million" of "damages to the church", of "overnight fire" and of
    "home church" is one figure; counts that say what happened stay apart."""
    from newsdesk.brief.build import _fold_abouts

    def row(about: str, keys: list[str], value: float = 1e6, unit: str = "USD"
            ) -> dict[str, Any]:
        return {"value": value, "unit": unit, "about": about, "text": "x",
                "articles": list(keys), "cites": [{"article": k, "start": 0, "end": 1}
                                                  for k in keys]}

    rows = _fold_abouts([row("overnight fire", ["b"]), row("damages to the church", ["a", "c"]),
                         row("home church", ["d"]),
                         row("killed", ["a"], 4, "people"), row("injured", ["b"], 4, "people"),
                         row("families", ["c"], 4, "people")])
    money = [r for r in rows if r["unit"] == "USD"]
    assert len(money) == 1 and money[0]["about"] == "damages to the church"
    assert sorted(money[0]["articles"]) == ["a", "b", "c", "d"]
    assert sorted(r["about"] for r in rows if r["unit"] == "people") == [
        "families", "injured", "killed"]
