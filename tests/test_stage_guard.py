"""The stage guard: an article that makes an extractor or a later stage raise is reported
(stderr line naming the article and the stage, ``failures`` in the JSON outputs) and the
rest of the batch completes. The stages are made to raise by monkeypatching."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import newsdesk.brief.build as brief_build
import newsdesk.crosscheck.claims as claims_mod
import newsdesk.events.archive as events_archive
import newsdesk.extract.step as step
import newsdesk.reuse.analyse as reuse_analyse
from newsdesk.cli import app
from newsdesk.extract.step import annotate, extract_stored
from newsdesk.guard import collect_failures, guarded, isolate
from newsdesk.model import Article
from newsdesk.store import Store

runner = CliRunner()

# Three fictional reports of one event; "r2bad" is the one the patched stage fails on.
RECORDS = [
    {"id": "r1", "source": "Ferry Gazette", "published": "2025-03-11",
     "text": ("TARNWICK — Ferry crews in Tarnwick walked off the job on Tuesday, halting "
              "crossings to the islands, union secretary Mara Ellison said.\n\n"
              "\"We will stay out until the rota is fixed,\" Ellison told reporters. About "
              "400 passengers were stranded at the pier.")},
    {"id": "r2bad", "source": "Island Post", "published": "2025-03-11",
     "text": ("Tarnwick ferry crews stopped work on Tuesday and all crossings were "
              "cancelled, the ferry operator said.\n\n"
              "Mara Ellison, the union secretary, said talks with the operator had failed. "
              "Some 400 passengers waited at the pier.")},
    {"id": "r3", "source": "Harbour Ledger", "published": "2025-03-12",
     "text": ("The Tarnwick ferry strike entered its second day on Wednesday, the "
              "operator said.\n\n"
              "\"Nobody wants this to go on,\" said Mara Ellison, the union secretary. The "
              "council opened the school hall for stranded travellers.")},
]
BAD = "r2bad"


def _corpus(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    (d / "reports.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    return d


def _raise_for_bad(real: Any, which: int = 0) -> Any:
    """Wrap ``real`` so it raises when its argument number ``which`` is the bad article."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        a = args[which]
        if isinstance(a, Article) and a.key == BAD:
            raise RuntimeError("simulated extractor bug")
        return real(*args, **kwargs)
    return wrapper


def _no_ids(failures: list[dict[str, str]]) -> list[dict[str, str]]:
    assert all(f["id"] for f in failures)
    return [{k: v for k, v in f.items() if k != "id"} for f in failures]


def _jsonl(out: str) -> dict[str, dict[str, Any]]:
    return {d["key"]: d for d in (json.loads(x) for x in out.splitlines() if x.startswith("{"))}


def test_extractor_raising_on_one_article_spares_the_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(step, "find_quotes", _raise_for_bad(step.find_quotes))
    res = runner.invoke(app, ["extract", str(_corpus(tmp_path)), "--format", "jsonl",
                              "--db", str(tmp_path / "s.db")])
    assert res.exit_code == 0, res.output
    out = _jsonl(res.stdout)
    assert set(out) == {"r1", "r2bad", "r3"}
    # the others have every layer, quotes included
    assert any("rota" in (q["content"] or "") for q in out["r1"]["quotes"])
    assert any("Nobody wants" in (q["content"] or "") for q in out["r3"]["quotes"])
    assert out["r1"]["failures"] == [] and out["r3"]["failures"] == []
    # the bad one keeps its other layers, loses its quotes, and says why
    assert out[BAD]["quotes"] == []
    assert any(e["canonical"] == "Mara Ellison" for e in out[BAD]["entities"])
    assert _no_ids(out[BAD]["failures"]) == [{"article": BAD, "stage": "extract.quotes",
                                              "reason": "RuntimeError: simulated extractor bug"}]
    lines = [ln for ln in res.stderr.splitlines() if "failed" in ln]
    assert len(lines) == 1 and BAD in lines[0] and "extract.quotes" in lines[0]
    assert "Traceback" not in res.output
    # no extraction state for the bad article, so a fixed extractor gets another go
    monkeypatch.undo()
    again = runner.invoke(app, ["extract", "--format", "jsonl", "--db", str(tmp_path / "s.db")])
    assert again.exit_code == 0, again.output
    fixed = _jsonl(again.stdout)
    assert fixed[BAD]["failures"] == [] and fixed[BAD]["quotes"]


def test_batch_stage_failure_is_narrowed_to_the_article(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    real = step.parse_articles

    def parse(arts: list[Article], *args: Any) -> Any:
        if any(a.key == BAD for a in arts):
            raise ValueError("simulated parser crash")
        return real(arts, *args)

    monkeypatch.setattr(step, "parse_articles", parse)
    arts = [Article(key=r["id"], text=r["text"], published=r["published"]) for r in RECORDS]
    with collect_failures() as log:
        annotate(arts)
    assert [(f.key, f.stage) for f in log.items] == [(BAD, "extract.parse")]
    by_key = {a.key: a for a in arts}
    for k in ("r1", "r3"):
        assert any(s.attrs.get("canonical") == "Mara Ellison"
                   for s in by_key[k].annotations["entities"])
    assert all(by_key[BAD].annotations[layer] == [] for layer in step.LAYERS)


def test_events_features_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events_archive, "extract_features",
                        _raise_for_bad(events_archive.extract_features))
    db = tmp_path / "s.db"
    res = runner.invoke(app, ["events", str(_corpus(tmp_path)), "--format", "tsv",
                              "--db", str(db)])
    assert res.exit_code == 0, res.output
    rows = dict(line.split("\t") for line in res.stdout.splitlines())
    assert set(rows) == {"r1", "r2bad", "r3"}
    assert rows["r1"] == rows["r3"]  # the good reports of the strike still cluster together
    assert any(BAD in ln and "events.features" in ln for ln in res.stderr.splitlines())
    with Store(db) as store:  # the failed article's features are not cached
        cached = {r[0] for r in store.db.execute("SELECT key FROM events_features")}
    assert cached == {"r1", "r3"}


def test_reuse_sketch_crosscheck_and_brief_section_failures(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_sketch = reuse_analyse.sketch_texts

    def sketch(texts: list[str], *args: Any, **kwargs: Any) -> Any:
        if any("talks with the operator had failed" in t for t in texts):
            raise MemoryError("simulated sketch failure")
        return real_sketch(texts, *args, **kwargs)

    monkeypatch.setattr(reuse_analyse, "sketch_texts", sketch)
    monkeypatch.setattr(claims_mod, "sentence_candidates",
                        _raise_for_bad(claims_mod.sentence_candidates))
    real_quotes = brief_build._quotes

    def quotes(members: list[Article], parsed: Any = None) -> Any:
        if any(a.key == BAD for a in members):
            raise KeyError("content_start")
        return real_quotes(members, parsed)

    monkeypatch.setattr(brief_build, "_quotes", quotes)
    res = runner.invoke(app, ["brief", str(_corpus(tmp_path)), "--as-one-event",
                              "--format", "json", "--db", ":memory:"])
    assert res.exit_code == 0, res.output
    brief = json.loads(res.stdout)
    stages = {(f["article"], f["stage"]) for f in brief["failures"]}
    assert stages == {(BAD, "reuse.sketch"), (BAD, "crosscheck"), (BAD, "brief.quotes")}
    (event,) = brief["events"]
    assert {a["key"] for a in event["articles"]} == {"r1", "r2bad", "r3"}
    assert event["claims"] and all(BAD not in c["articles"] for c in event["claims"])
    assert {"r1", "r3"} <= {k for c in event["claims"] for k in c["articles"]}
    assert event["quotes"] and all(BAD not in q["articles"] for q in event["quotes"])
    for stage in ("reuse.sketch", "crosscheck", "brief.quotes"):
        assert any(BAD in ln and stage in ln for ln in res.stderr.splitlines()), res.stderr


def test_run_json_reports_failures_in_the_event(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(step, "code_events", _raise_for_bad(step.code_events))
    res = runner.invoke(app, ["run", str(_corpus(tmp_path)), "--json", "--db", ":memory:"])
    assert res.exit_code == 0, res.output
    events = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    assert {k for e in events for k in e["articles"]} == {"r1", "r2bad", "r3"}
    holding = [e for e in events if BAD in e["articles"]]
    assert _no_ids(holding[0]["failures"]) == [{"article": BAD, "stage": "extract.events",
                                                "reason": "RuntimeError: simulated extractor bug"}]
    assert all(e["failures"] == [] for e in events if BAD not in e["articles"])
    assert any(BAD in ln and "extract.events" in ln for ln in res.stderr.splitlines())


def test_store_api_reports_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(step, "find_dates", _raise_for_bad(step.find_dates))
    with Store(":memory:") as store:
        store.add_articles(Article(key=r["id"], id=r["id"], text=r["text"]) for r in RECORDS)
        run = extract_stored(store)
    assert [(f.key, f.stage) for f in run.failures] == [(BAD, "extract.dates")]
    assert {a.key for a in run.articles if a.annotations["dates"]} == {"r1", "r3"}


def test_guard_helpers() -> None:
    a, b = Article(key="a", text="x"), Article(key="b", text="y")
    with collect_failures() as outer, collect_failures() as inner:
        assert guarded("s", a, lambda: 1 / 0, default=7) == 7
        result, kept = isolate("t", [a, b], lambda xs: [x.key for x in xs if x.key != "b"
                                                        or 1 / 0])
    assert result == ["a"] and kept == [True, False]
    assert [(f.stage, f.key) for f in inner.items] == [("s", "a"), ("t", "b")]
    assert outer.items == inner.items
    assert "ZeroDivisionError" in str(inner.items[0]) and "article a" in str(inner.items[0])


def test_failed_layer_is_emptied_not_left_from_an_earlier_run(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdesk.extract.archive import attach_layers
    from newsdesk.extract.step import ExtractOptions

    with Store(":memory:") as store:
        store.add_articles(Article(key=r["id"], id=r["id"], text=r["text"]) for r in RECORDS)
        first = extract_stored(store)
        assert next(a for a in first.articles if a.key == BAD).annotations["quotes"]
        monkeypatch.setattr(step, "find_quotes", _raise_for_bad(step.find_quotes))
        again = extract_stored(store, options=ExtractOptions(force=True))
        assert [(f.key, f.stage) for f in again.failures] == [(BAD, "extract.quotes")]
        assert next(a for a in again.articles if a.key == BAD).annotations["quotes"] == []
        stored = {a.key: a for a in attach_layers(store, store.articles())}
        assert stored[BAD].annotations["quotes"] == [] and stored["r1"].annotations["quotes"]
