"""The main job (`newsdesk run`) on the bundled example corpus, checked by content."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from newsdesk.cli import app

ROOT = Path(__file__).resolve().parents[1]


def test_run_reports_events_sources_and_cited_quotes() -> None:
    res = CliRunner().invoke(app, ["run", str(ROOT / "examples"), "--db", ":memory:", "--json"])
    assert res.exit_code == 0, res.output
    events = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    assert len(events) == 4
    by_size = sorted(events, key=lambda e: -len(e["articles"]))
    visit = by_size[0]
    assert len(visit["articles"]) == 8
    assert visit["copies"] == {"a02_globeview_furniture": "a01_pna_wire"}
    assert visit["independent_sources"] == 7
    assert "Anatoly Drevin" in [name for name, _ in visit["entities"]]
    floods = sorted(len(e["articles"]) for e in events if "flood" in e["title"].lower())
    assert floods == [3, 4]
    # Every quote cites a place in an article of its event, and the text there matches.
    texts = {}
    res2 = CliRunner().invoke(app, ["articles", str(ROOT / "examples"), "--format", "jsonl",
                                    "--db", ":memory:"])
    for line in res2.stdout.splitlines():
        if line.startswith("{"):
            d = json.loads(line)
            texts[d["key"]] = d["text"]
    cited = 0
    for ev in events:
        for q in ev["quotes"]:
            key, span = q["cite"].rsplit(":", 1)
            start, end = (int(x) for x in span.split("-"))
            assert key in ev["articles"]
            assert texts[key][start:end] == q["content"]
            cited += 1
    assert cited >= 8
