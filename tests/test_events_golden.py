"""Golden test: the bundled example corpus (examples/, mixed formats) forms the events
that tests/golden/expected.json names (each article's ``event`` letter)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from newsdesk.events import run_events
from newsdesk.ingest import IngestOptions, ingest
from newsdesk.store import Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
EXPECTED = Path(__file__).resolve().parent / "golden" / "expected.json"


def expected_events(data: Any) -> dict[str, str]:
    """article key -> event letter, from the shapes expected.json may take."""
    if isinstance(data, dict) and "articles" in data:
        data = data["articles"]
    out: dict[str, str] = {}
    if isinstance(data, dict):
        for key, v in data.items():
            if isinstance(v, dict) and v.get("event"):
                out[str(key)] = str(v["event"])
    elif isinstance(data, list):
        for v in data:
            if isinstance(v, dict) and v.get("event"):
                key = v.get("key") or v.get("article") or v.get("id")
                out[str(key)] = str(v["event"])
    return out



def test_examples_form_the_expected_events(tmp_path: Path) -> None:
    gold = expected_events(json.loads(EXPECTED.read_text(encoding="utf-8")))
    assert gold, "expected.json names no article events"
    store = Store(tmp_path / "golden.db")
    try:
        report = ingest([EXAMPLES], store, IngestOptions())
        result = run_events(store, report.refs)
    finally:
        store.close()
    pred = result.event_of()
    missing = set(gold) - set(pred)
    assert not missing, f"articles of expected.json not clustered: {sorted(missing)}"
    # Same partition: two articles share an event exactly when their letters match.
    keys = sorted(gold)
    wrong = [(a, b) for i, a in enumerate(keys) for b in keys[i + 1:]
             if (gold[a] == gold[b]) != (pred[a] == pred[b])]
    assert not wrong, f"pairs placed wrongly: {wrong[:10]}"
