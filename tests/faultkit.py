"""Fault injection for the writing commands: a generated corpus, SIGKILL at a chosen
moment, and the outputs a run is compared by (shared by tests/test_faults.py and
bench/bench_faults.py).

The corpus is fictional and generated from templates written for this file: small
reports of a handful of made-up events (a ferry strike in Tarnwick, a dam inspection on
the river Oskel, ...) by several made-up outlets, with some wire copies among them, so
that extraction, reuse, events and the brief all have work to do.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

EVENTS = [
    ("Tarnwick", "ferry crews", "strike", "walked off the ferries", "Mara Ellison",
     "union secretary", "2025-03-"),
    ("Oskel", "dam engineers", "inspection", "found cracks in the spillway", "Peter Olund",
     "chief engineer", "2025-04-"),
    ("Bramholt", "city council", "budget vote", "approved a smaller spending plan",
     "Ines Calvo", "council leader", "2025-05-"),
    ("Lerrow", "fire crews", "heath fire", "contained the fire near the rail line",
     "Tobias Renn", "fire chief", "2025-06-"),
    ("Quenby", "port workers", "container spill", "recovered drifting containers",
     "Alia Moren", "harbour master", "2025-07-"),
    ("Vessington", "health officials", "measles outbreak", "opened two vaccination centres",
     "Joanna Pike", "health director", "2025-08-"),
]
OUTLETS = ["Tarn Herald", "Valley Courier", "North Shore Times", "Evening Ledger",
           "Coastline Daily", "The Provincial"]
OPENERS = [
    "{place} — The {who} {did} on {day}, officials said.",
    "The {who} in {place} {did} on {day}, according to local officials.",
    "Officials in {place} said the {who} {did} on {day}.",
]
MIDDLES = [
    "{person}, the {role}, said: \"We will keep people informed every hour until this is "
    "over.\"",
    "The {role}, {person}, told reporters that {n} people had been affected so far.",
    "About {n} residents attended a public meeting about the {what} in the town hall.",
    "Local traders said business had slowed since the {what} began, and some shops closed "
    "early.",
]
CLOSERS = [
    "A further statement on the {what} is expected on {day2}.",
    "The regional government said it would review the {what} next month.",
    "Residents were asked to follow updates from the {role}'s office.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def write_corpus(root: Path, n: int, seed: int = 7) -> list[Path]:
    """Write ``n`` small fictional text reports under ``root`` (one in five a wire copy
    of an earlier one with a different sign-off); return the files."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    bodies: list[str] = []
    for i in range(n):
        if bodies and i % 5 == 4:
            body = rng.choice(bodies) + f"\n\nFiled by agency desk {i}."
        else:
            place, who, what, did, person, role, month = EVENTS[i % len(EVENTS)]
            d = {"place": place, "who": who, "what": what, "did": did, "person": person,
                 "role": role, "day": rng.choice(DAYS), "day2": rng.choice(DAYS),
                 "n": rng.randint(20, 900)}
            paras = [rng.choice(OPENERS).format(**d)]
            paras += [m.format(**d) for m in rng.sample(MIDDLES, 2)]
            paras.append(rng.choice(CLOSERS).format(**d))
            paras.append(f"Report number {i} from the {rng.choice(OUTLETS)} desk.")
            body = "\n\n".join(paras)
            bodies.append(body)
        day = 1 + (i // len(EVENTS)) % 27
        month = EVENTS[i % len(EVENTS)][6]
        f = root / f"r{i:04d}.txt"
        f.write_text(f" date {month}{day:02d}\n{body}\n")
        files.append(f)
    return files


def newsdesk(*args: str) -> list[str]:
    """The command line of ``newsdesk ARGS`` run with this interpreter."""
    return [sys.executable, "-m", "newsdesk.cli", *args]


@dataclass(slots=True)
class Outcome:
    """One command run to its end: exit code, stdout, stderr, seconds."""

    rc: int
    out: str
    err: str
    seconds: float


def run(args: list[str], timeout: float = 300, env: dict[str, str] | None = None) -> Outcome:
    """Run a command to completion."""
    t0 = time.monotonic()
    p = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, **(env or {})))
    return Outcome(p.returncode, p.stdout, p.stderr, time.monotonic() - t0)


def run_killed(args: list[str], delay: float) -> bool:
    """Start a command and SIGKILL it after ``delay`` seconds; True when the kill landed
    (the command was still running)."""
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        p.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        return True


def integrity(db: Path) -> str:
    """``PRAGMA integrity_check`` of a store file."""
    con = sqlite3.connect(db, timeout=30)
    try:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        con.close()


def article_rows(db: Path) -> list[tuple[object, ...]]:
    """The articles of a store as comparable rows (no rowids or ingest times)."""
    con = sqlite3.connect(db, timeout=30)
    try:
        return [tuple(r) for r in con.execute(
            "SELECT key, id, source, credits, url, published, dateline, title, text, "
            "paragraphs, origin, fmt, meta FROM articles ORDER BY key, id")]
    finally:
        con.close()


def normalise(command: str, out: str) -> object:
    """The content of a command's output, as compared between runs."""
    if command == "extract":
        return [json.loads(line) for line in out.splitlines() if line.strip()]
    if command == "events":
        return sorted(out.splitlines())
    if command in ("brief", "run"):
        if command == "brief":
            return json.loads(out)
        return [json.loads(line) for line in out.splitlines() if line.strip()]
    return out


def commands(corpus: Path, db: Path) -> dict[str, list[str]]:
    """The writing commands under test, in the order a user runs them."""
    d = str(db)
    return {
        "ingest": newsdesk("ingest", str(corpus), "--db", d),
        "extract": newsdesk("extract", "--db", d, "--format", "jsonl"),
        "events": newsdesk("events", "--db", d, "--format", "tsv"),
        "brief": newsdesk("brief", "--db", d, "--format", "json"),
        "run": newsdesk("run", str(corpus), "--db", d, "--json"),
    }
