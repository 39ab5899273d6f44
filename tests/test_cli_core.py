"""The foundation commands as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from newsdesk.cli import app

runner = CliRunner()

WIRE = """ date 2025-03-04 Sella, March 4 (PNA) The port of Sella reopened on Tuesday.

Harbour officials said forty ships were waiting outside.

--PNA

rkm/
"""


def _corpus(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    (d / "wire.txt").write_text(WIRE)
    (d / "recs.jsonl").write_text(
        json.dumps({"id": "j1", "source": "Delta Post", "published": "2025-03-05",
                    "text": "Ferries resumed on Wednesday.\n\nQueues were long."}) + "\n"
    )
    (d / "bad.txt").write_bytes(bytes(range(256)) * 10)
    return d


def test_articles_jsonl_one_off_run(tmp_path: Path) -> None:
    res = runner.invoke(app, ["articles", str(_corpus(tmp_path)), "--format", "jsonl",
                              "--db", ":memory:"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    by_key = {d["key"]: d for d in lines}
    assert set(by_key) == {"wire", "j1"}
    w = by_key["wire"]
    assert set(w) == {"key", "id", "source", "credits", "url", "published", "dateline",
                      "title", "text"}
    assert (w["published"], w["credits"], w["dateline"]) == ("2025-03-04", ["PNA"], "Sella")
    assert w["text"].endswith("forty ships were waiting outside.")
    assert by_key["j1"]["source"] == "Delta Post"
    assert "skipped" in res.stderr and "bad.txt" in res.stderr and "binary" in res.stderr


def test_ingest_then_search_and_list_from_store(tmp_path: Path) -> None:
    db = str(tmp_path / "n.db")
    corpus = _corpus(tmp_path)
    res = runner.invoke(app, ["ingest", str(corpus), "--db", db])
    assert res.exit_code == 0
    assert "2 new" in res.stderr
    res = runner.invoke(app, ["ingest", str(corpus), "--db", db])
    assert "0 new, 2 already stored" in res.stderr
    res = runner.invoke(app, ["search", "ferries", "--db", db, "--format", "jsonl"])
    hits = [json.loads(x) for x in res.stdout.splitlines()]
    assert [h["key"] for h in hits] == ["j1"] and "[Ferries]" in hits[0]["snippet"]
    res = runner.invoke(app, ["articles", "--db", db])
    assert res.exit_code == 0 and "wire" in res.stdout and "Delta Post" in res.stdout


def test_exit_nonzero_only_when_nothing_readable(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"\x00\x01" * 100)
    res = runner.invoke(app, ["ingest", str(tmp_path / "a.bin"), str(tmp_path / "nope.txt"),
                              "--db", ":memory:"])
    assert res.exit_code == 1
    assert "no such file" in res.stderr and "no input could be read" in res.stderr


def test_stdin_jsonl(tmp_path: Path) -> None:
    rec = {"id": "s1", "text": "A story read from standard input.\n\nSecond paragraph.",
           "published": "2025-01-02"}
    proc = subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", "articles", "-", "--format", "jsonl",
         "--db", ":memory:"],
        input=json.dumps(rec) + "\n", capture_output=True, text=True, check=True,
    )
    (d,) = [json.loads(x) for x in proc.stdout.splitlines()]
    assert d["key"] == "s1" and d["published"] == "2025-01-02"


def test_store_path_that_cannot_be_opened(tmp_path: Path) -> None:
    res = runner.invoke(app, ["articles", "--db", str(tmp_path / "no" / "such" / "dir.db")])
    assert res.exit_code == 2
    assert "Cannot open the store" in res.stderr
