"""Check that tests/golden/expected.json agrees with the example corpus.

Run:  python tests/golden/check_expected.py      (needs warcio for the .warc.gz)

It loads every article of the corpus with small, independent loaders (stdlib HTML
parsing, not newsdesk's own code), then checks that:

* every article key in expected.json is found, and every article found is listed;
* every exact string expected.json quotes (title, dateline_text, first/last sentence,
  furniture, may_survive, name variants, numbers, quotes, figures, events, relative
  dates, shared passages) occurs verbatim in that article's text;
* each article's gold_body starts with first_sentence, ends with
  last_sentence, contains none of the furniture / may_survive strings, and has
  250-700 words;
* weekdays of relative dates are consistent with the resolved dates.

Exit status 0 when everything holds; otherwise every problem is printed.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1] / "examples"
CONTENT_NS = "{http://purl.org/rss/1.0/modules/content/}encoded"


class _Text(HTMLParser):
    """Concatenate the text nodes of an HTML document, skipping script and style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    p.close()
    return "".join(p.parts)


def load_corpus() -> dict[str, dict]:
    """Return {key: {"file", "format", "text", "title"}} for every article."""
    arts: dict[str, dict] = {}
    for path in sorted(CORPUS.iterdir()):
        name = path.name
        if name.endswith(".txt"):
            arts[path.stem] = {
                "file": name,
                "format": "txt",
                "text": path.read_text("utf-8"),
                "title": None,
            }
        elif name.endswith(".html"):
            raw = path.read_text("utf-8")
            arts[path.stem] = {
                "file": name,
                "format": "html",
                "text": html_text(raw),
                "title": None,
            }
        elif name.endswith(".jsonl"):
            for line in path.read_text("utf-8").splitlines():
                if not line.strip():
                    continue
                rec = json.loads(line)
                text = rec["text"] if "text" in rec else html_text(rec["html"])
                arts[rec["id"]] = {
                    "file": name,
                    "format": "jsonl",
                    "text": text,
                    "title": rec.get("title"),
                }
        elif name.endswith((".rss", ".xml")):
            root = ET.parse(path).getroot()
            for item in root.iter("item"):
                text = html_text(item.findtext(CONTENT_NS) or "")
                arts[item.findtext("guid")] = {
                    "file": name,
                    "format": "rss",
                    "text": text,
                    "title": item.findtext("title"),
                }
        elif name.endswith(".warc.gz"):
            from warcio.archiveiterator import ArchiveIterator

            with path.open("rb") as fh:
                for rec in ArchiveIterator(fh):
                    if rec.rec_type != "response":
                        continue
                    html = rec.content_stream().read().decode("utf-8")
                    arts[rec.rec_headers.get_header("WARC-Record-ID")] = {
                        "file": name,
                        "format": "warc",
                        "text": html_text(html),
                        "title": None,
                    }
    return arts


def strings_to_check(exp: dict) -> list[tuple[str, str, str]]:
    """(article key, what, exact string) for every quoted string in expected.json."""
    out: list[tuple[str, str, str]] = []
    for key, a in exp["articles"].items():
        for fld in ("title", "dateline_text", "first_sentence", "last_sentence"):
            if a.get(fld):
                out.append((key, fld, a[fld]))
        for fld in ("furniture", "may_survive"):
            for s in a.get(fld, []):
                out.append((key, fld, s))
    for ev in exp["events"].values():
        for person in ev.get("people", {}).values():
            for v in person["variants"]:
                for key in v["in"]:
                    out.append((key, "name variant", v["text"]))
        for org in ev.get("organisations", {}).values():
            for v in org["variants"]:
                for key in v["in"]:
                    out.append((key, "organisation variant", v["text"]))
        for n in ev.get("numbers_in_words", []):
            for key in n["in"]:
                out.append((key, "number", n["text"]))
        for q in ev.get("quotes", []):
            out.append((q["article"], "quote", q["text"]))
            if q.get("cue"):
                out.append((q["article"], "quote cue", q["cue"]))
        for r in ev.get("reported_speech", []):
            out.append((r["article"], "reported speech", r["text"]))
        for e in ev.get("political_events", []):
            out.append((e["article"], "political event", e["sentence"]))
        cf = ev.get("conflicting_figure")
        if cf:
            for val in cf["values"]:
                for key, s in val["texts"].items():
                    out.append((key, "conflicting figure", s))
        for fig in ev.get("casualty_figures", []):
            out.append((fig["article"], "casualty figure", fig["text"]))
        for sp in ev.get("shared_passages", []):
            out.append((sp["origin"], "shared passage origin", sp["origin_text"]))
            for key, s in sp["reused_in"].items():
                out.append((key, "shared passage", s))
    for r in exp.get("relative_dates", []):
        out.append((r["article"], "relative date", r["text"]))
    return out


def main() -> int:
    exp = json.loads((HERE / "expected.json").read_text("utf-8"))
    arts = load_corpus()
    problems: list[str] = []

    missing = set(exp["articles"]) - set(arts)
    extra = set(arts) - set(exp["articles"])
    for k in sorted(missing):
        problems.append(f"{k}: in expected.json but not found in the corpus")
    for k in sorted(extra):
        problems.append(f"{k}: in the corpus but not in expected.json")

    for key, what, s in strings_to_check(exp):
        art = arts.get(key)
        if art is None:
            problems.append(f"{key}: unknown article referenced by {what!r}")
            continue
        hay = art["text"] + "\n" + (art["title"] or "")
        if s not in hay:
            problems.append(f"{key}: {what} not found verbatim: {s!r}")

    for key, a in exp["articles"].items():
        if a["format"] != arts.get(key, {}).get("format", a["format"]):
            problems.append(f"{key}: format {a['format']} but loaded as {arts[key]['format']}")
        body = a.get("gold_body", "").strip()
        if not body:
            problems.append(f"{key}: no gold_body")
            continue
        if not body.startswith(a["first_sentence"]):
            problems.append(f"{key}: gold body does not start with first_sentence")
        if not body.endswith(a["last_sentence"]):
            problems.append(f"{key}: gold body does not end with last_sentence")
        for s in a.get("furniture", []) + a.get("may_survive", []):
            if s in body:
                problems.append(f"{key}: furniture/may_survive string inside gold body: {s!r}")
        n = len(body.split())
        if not 250 <= n <= 700:
            problems.append(f"{key}: gold body has {n} words (want 250-700)")
        if n != a["body_words"]:
            problems.append(f"{key}: body_words {a['body_words']} but gold has {n}")
        paras = [p for p in body.split("\n\n") if p.strip()]
        if len(paras) != a["body_paragraphs"]:
            problems.append(
                f"{key}: body_paragraphs {a['body_paragraphs']} but gold has {len(paras)}"
            )
        for p in paras:
            if p not in arts[key]["text"]:
                problems.append(f"{key}: gold paragraph not verbatim in article: {p[:60]!r}")

    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    for r in exp.get("relative_dates", []):
        d = dt.date.fromisoformat(r["resolves_to"]) if len(r["resolves_to"]) == 10 else None
        named = [w for w in days if w in r["text"].lower()]
        if d and named and days[d.weekday()] != named[0]:
            problems.append(
                f"{r['article']}: {r['text']!r} resolves to {d} which is a {days[d.weekday()]}"
            )

    events = {a["event"] for a in exp["articles"].values()}
    for e in sorted(events):
        listed = sorted(exp["events"][e]["articles"])
        actual = sorted(k for k, a in exp["articles"].items() if a["event"] == e)
        if listed != actual:
            problems.append(f"event {e}: articles list {listed} != per-article events {actual}")

    for p in problems:
        print("PROBLEM", p)
    n_str = len(strings_to_check(exp))
    print(f"{len(arts)} articles, {n_str} exact strings checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
