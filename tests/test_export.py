"""`newsdesk export`: every table in every format reads back with the archive's content."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from newsdesk.cli import app
from newsdesk.query.export import EXPORTS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("export") / "a.db")
    res = CliRunner().invoke(app, ["run", str(EXAMPLES), "--db", path])
    assert res.exit_code == 0, res.output
    return path


def read(db: str, table: str, fmt: str, tmp: Path) -> list[dict[str, object]]:
    out = tmp / f"{table}.{fmt}"
    res = CliRunner().invoke(app, ["export", table, "--db", db, "--format", fmt, "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert not out.with_name(out.name + ".part").exists()
    if fmt == "parquet":
        return pq.read_table(out).to_pylist()
    text = out.read_text(encoding="utf-8")
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_articles_and_events_read_back(db: str, fmt: str, tmp_path: Path) -> None:
    arts = read(db, "articles", fmt, tmp_path)
    assert len(arts) == 16
    by_key = {a["key"]: a for a in arts}
    assert by_key["a03_pmo_release"]["source"] == "Office of the Prime Minister of Valmora"
    assert by_key["a02_globeview_furniture"]["copy_of"] == "a01_pna_wire"
    assert by_key["a01_pna_wire"]["event_id"] == by_key["a06_courier_port"]["event_id"]
    events = read(db, "events", fmt, tmp_path)
    assert len(events) == 4
    visit = next(e for e in events if e["event_id"] == by_key["a01_pna_wire"]["event_id"])
    keys = visit["article_keys"]
    if fmt == "csv":
        keys = json.loads(str(keys))
    assert len(keys) == 8 and "a01_pna_wire" in keys  # type: ignore[arg-type]
    assert int(str(visit["articles"])) == 8
    assert visit["place"] == "Saldena"  # where the reports were filed (datelines)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_claims_cite_their_sentences(db: str, fmt: str, tmp_path: Path) -> None:
    claims = read(db, "claims", fmt, tmp_path)
    assert claims
    statuses = {c["status"] for c in claims}
    assert "corroborated" in statuses and "single-source" in statuses
    texts = {a["key"]: a["text"] for a in read(db, "articles", "jsonl", tmp_path)}
    for c in claims[:20]:
        cites = c["cites"] if fmt == "jsonl" else json.loads(str(c["cites"]))
        assert cites
        cited = [str(texts[k])[s:e] for k, s, e in cites]  # type: ignore[misc]
        # the claim's wording is one of the sentences it cites (the others paraphrase it)
        assert any(str(c["text"]) in x or x in str(c["text"]) for x in cited), c


def test_every_export_runs_to_stdout(db: str) -> None:
    for table in EXPORTS:
        res = CliRunner().invoke(app, ["export", table, "--db", db, "--format", "csv"])
        assert res.exit_code == 0, (table, res.output)
        header = res.stdout.splitlines()[0]
        assert header.count(",") >= 3


def test_unknown_export_says_which_exist(db: str) -> None:
    res = CliRunner().invoke(app, ["export", "nope", "--db", db])
    assert res.exit_code == 2
    assert "political_events" in res.output
