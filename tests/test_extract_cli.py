"""`newsdesk extract` as a user runs it, and the ExtractStep in a pipeline (fictional text)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from newsdesk.cli import app
from newsdesk.extract.archive import attach_layers
from newsdesk.extract.step import ExtractStep, extract_articles
from newsdesk.model import Article
from newsdesk.pipeline import LocalRunner
from newsdesk.store import Store

runner = CliRunner()

RECORDS = [
    {"id": "r1", "source": "Harbour Times", "published": "2023-09-13",
     "text": ("Norvian Trade Minister Pavel Oskarov arrived in Dublin on Tuesday for a "
              "two-day visit.\n\n"
              "\"We want forty percent more trade with Ireland,\" Oskarov told reporters. "
              "He said his country had sent fifty thousand tonnes of grain.")},
    {"id": "r2", "source": "Quay Daily", "published": "2023-09-14",
     "text": ("Pavel Oskarow met Irish officials yesterday. The Norvian delegation signed "
              "a deal worth $1.5 billion.\n\nOskarov said the talks would continue next "
              "week.")},
]
ENTITY_KEYS = {"text", "start", "end", "type", "canonical"}
QUOTE_KEYS = {"speaker", "speaker_start", "speaker_end", "cue", "content", "content_start",
              "content_end", "direct"}
QUANTITY_KEYS = {"text", "start", "end", "value", "unit", "about"}
DATE_KEYS = {"text", "start", "end", "value"}
EVENT_KEYS = {"event", "source", "target", "date", "start", "end", "mode"}


def _corpus(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    (d / "recs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    return d


def _jsonl(output: str) -> dict[str, dict[str, Any]]:
    lines = [json.loads(x) for x in output.splitlines() if x.startswith("{")]
    return {d["key"]: d for d in lines}


def test_extract_jsonl_shape_and_offsets(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    res = runner.invoke(app, ["extract", str(corpus), "--format", "jsonl", "--db", ":memory:"])
    assert res.exit_code == 0, res.output
    out = _jsonl(res.stdout)
    assert set(out) == {"r1", "r2"}
    texts = {k: d["text"] for k, d in _jsonl(runner.invoke(
        app, ["articles", str(corpus), "--format", "jsonl", "--db", ":memory:"]).stdout).items()}
    for key, rec in out.items():
        assert set(rec) == {"key", "entities", "quotes", "quantities", "dates", "events",
                            "failures"}
        text = texts[key]
        for e in rec["entities"]:
            assert set(e) == ENTITY_KEYS and text[e["start"]:e["end"]] == e["text"]
        for q in rec["quantities"]:
            assert set(q) == QUANTITY_KEYS and text[q["start"]:q["end"]] == q["text"]
        for d in rec["dates"]:
            assert set(d) == DATE_KEYS and text[d["start"]:d["end"]] == d["text"]
        for q in rec["quotes"]:
            assert set(q) == QUOTE_KEYS
            assert text[q["content_start"]:q["content_end"]]
        for ev in rec["events"]:
            assert set(ev) == EVENT_KEYS
    # the same man under two spellings, across records (the model misses "Pavel Oskarow";
    # the batch's own names find it)
    found = {(e["text"], e["canonical"]) for rec in out.values() for e in rec["entities"]}
    assert {("Pavel Oskarov", "Pavel Oskarov"), ("Pavel Oskarow", "Pavel Oskarov"),
            ("Oskarov", "Pavel Oskarov")} <= found
    # numbers in words, money, dates resolved against each record's own `published`
    r1q = {(q["text"], q["value"], q["unit"]) for q in out["r1"]["quantities"]}
    assert ("fifty thousand tonnes", 50000, "tonnes") in r1q
    assert ("forty percent", 40, "percent") in r1q
    assert ("$1.5 billion", 1_500_000_000, "USD") in {
        (q["text"], q["value"], q["unit"]) for q in out["r2"]["quantities"]}
    assert {"text": "Tuesday", "value": "2023-09-12"}.items() <= next(
        d for d in out["r1"]["dates"] if d["text"] == "Tuesday").items()
    assert ("yesterday", "2023-09-13") in {(d["text"], d["value"]) for d in out["r2"]["dates"]}
    # the quote is attributed to the speaker named before "told reporters"
    quoted = [q for q in out["r1"]["quotes"] if q["direct"]]
    assert quoted and "forty percent more trade" in quoted[0]["content"]


def test_extract_persists_and_reuses(tmp_path: Path) -> None:
    db = str(tmp_path / "n.db")
    corpus = _corpus(tmp_path)
    first = runner.invoke(app, ["extract", str(corpus), "--format", "jsonl", "--db", db])
    assert first.exit_code == 0, first.output
    with Store(db) as store:
        arts = attach_layers(store, store.articles())
        assert {a.key for a in arts} == {"r1", "r2"}
        for a in arts:
            assert {"entities", "quotes", "quantities", "dates", "events"} <= set(a.annotations)
        oskarov = store.db.execute("SELECT name, type FROM entities WHERE name=?",
                                   ("Pavel Oskarov",)).fetchone()
        assert tuple(oskarov) == ("Pavel Oskarov", "PERSON")
        assert store.db.execute("SELECT count(*) FROM extract_done").fetchone()[0] == 2
    # without PATHS: the whole store, from the saved annotations
    again = runner.invoke(app, ["extract", "--db", db])
    assert again.exit_code == 0, again.output
    assert "reused the stored extraction" in again.stderr
    assert "Pavel Oskarov" in again.stdout
    same = runner.invoke(app, ["extract", "--format", "jsonl", "--db", db])
    assert _jsonl(same.stdout) == _jsonl(first.stdout)
    forced = runner.invoke(app, ["extract", "--db", db, "--force"])
    assert forced.exit_code == 0 and "reused" not in forced.stderr


def test_extract_empty_store_says_what_to_do(tmp_path: Path) -> None:
    res = runner.invoke(app, ["extract", "--db", str(tmp_path / "empty.db")])
    assert res.exit_code == 1
    assert "store is empty" in res.stderr and "PATHS" in res.stderr


def test_step_in_a_pipeline_and_extract_articles() -> None:
    arts = [Article(key=r["id"], text=r["text"], published=r["published"]) for r in RECORDS]
    out = list(LocalRunner().run([ExtractStep()], arts))
    assert [a.key for a in out] == ["r1", "r2"]
    assert all(set(ExtractStep.adds) <= set(a.annotations) for a in out)
    records = extract_articles([Article(key=r["id"], text=r["text"],
                                        published=r["published"]) for r in RECORDS])
    assert [r["key"] for r in records] == ["r1", "r2"]
    assert records[0]["entities"] == [
        {"text": out[0].text[s.start:s.end], "start": s.start, "end": s.end, "type": s.label,
         "canonical": s.attrs["canonical"]} for s in out[0].annotations["entities"]]


def test_plover_mode_reaches_jsonl_store_and_export(tmp_path: Path) -> None:
    # our own sentences: an arrest (COERCE, mode "arrest") and a visit (CONSULT, "visit")
    d = tmp_path / "modes"
    d.mkdir()
    rec = {"id": "m1", "source": "Harbour Times", "published": "2023-09-15",
           "text": ("Police in Ghana arrested thirty opposition activists on Friday.\n\n"
                    "The Japanese foreign minister visited Vietnam on Sunday.")}
    (d / "m.jsonl").write_text(json.dumps(rec) + "\n")
    db = str(tmp_path / "m.db")
    res = runner.invoke(app, ["extract", str(d), "--format", "jsonl", "--db", db])
    assert res.exit_code == 0, res.output
    events = _jsonl(res.stdout)["m1"]["events"]
    assert [(e["event"], e["mode"]) for e in events] == [("COERCE", "arrest"),
                                                         ("CONSULT", "visit")]
    with Store(db) as store:
        rows = store.db.execute(
            "SELECT type, mode FROM political_events ORDER BY start").fetchall()
        assert [tuple(r) for r in rows] == [("COERCE", "arrest"), ("CONSULT", "visit")]
        # read back from the store, the mode is in the events layer and the typed record
        arts = attach_layers(store, store.articles())
        assert [s.attrs["mode"] for s in arts[0].annotations["events"]] == ["arrest", "visit"]
        from newsdesk.extract.step import extraction_of

        assert [(e.type, e.mode) for e in extraction_of(arts[0]).events] == [
            ("COERCE", "arrest"), ("CONSULT", "visit")]
    again = runner.invoke(app, ["extract", "--format", "jsonl", "--db", db])
    assert [e["mode"] for e in _jsonl(again.stdout)["m1"]["events"]] == ["arrest", "visit"]
    exp = runner.invoke(app, ["export", "political_events", "--db", db, "--format", "jsonl"])
    assert exp.exit_code == 0, exp.output
    got = [json.loads(x) for x in exp.stdout.splitlines() if x.startswith("{")]
    # ordered by date: Sunday's visit before Friday's arrest
    assert sorted((r["type"], r["mode"]) for r in got) == [("COERCE", "arrest"),
                                                           ("CONSULT", "visit")]
