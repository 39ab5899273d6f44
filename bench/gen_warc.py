"""Generate a WARC crawl of fictional news pages (for the runner benchmark and tests).

The pages are :func:`gen_corpus.html_page` (fictional articles from this project's own
sentence templates, with navigation, share bars, related links, scripts and footers),
written as CC-NEWS writes them: a ``warcinfo`` record, then for each page a ``request``
and a gzip-member-per-record ``response`` record with HTTP headers. Every 97th page is
a copy of an earlier one under another URL (wire copies are the norm in news crawls),
and every 250th response is an HTTP 404, which ingest must report as skipped. Record
ids and dates are derived from the page number, so the same ``--n`` gives the same
records.

    python bench/gen_warc.py --n 2000 --out /tmp/newsdesk-bench-2000.warc.gz
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import uuid
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_corpus import html_page  # noqa: E402 - the page generator lives next to this script

NS = uuid.UUID("6f3d1c2a-0b4e-4c55-9a77-2e1f5d0c9b11")


def _rid(kind: str, i: int) -> str:
    return f"<urn:uuid:{uuid.uuid5(NS, f'{kind}-{i}')}>"


def write_warc(path: Path, n: int, first: int = 0) -> Path:
    """Write ``n`` page responses (pages ``first`` .. ``first + n - 1``, each with its
    request record) to ``path``; returns it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as fh:
        w = WARCWriter(fh, gzip=str(path).endswith(".gz"))
        info = w.create_warcinfo_record(path.name, {"software": "newsdesk bench/gen_warc.py",
                                                    "format": "WARC File Format 1.1"})
        w.write_record(info)
        for i in range(first, first + n):
            src = i - 40 if i % 97 == 96 else i  # a wire copy of an earlier page
            html = html_page(src)
            url = f"https://www.crawl{i % 10}.example/news/{i}"
            date = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
            req = w.create_warc_record(
                url, "request", payload=io.BytesIO(
                    f"GET /news/{i} HTTP/1.1\r\nHost: crawl{i % 10}.example\r\n\r\n".encode()),
                warc_headers_dict={"WARC-Record-ID": _rid("req", i), "WARC-Date": date})
            w.write_record(req)
            status = "404 Not Found" if i % 250 == 249 else "200 OK"
            http = StatusAndHeaders(status, [("Content-Type", "text/html; charset=utf-8")],
                                    protocol="HTTP/1.1")
            rec = w.create_warc_record(
                url, "response", payload=io.BytesIO(html.encode("utf-8")), http_headers=http,
                warc_headers_dict={"WARC-Record-ID": _rid("resp", i), "WARC-Date": date})
            w.write_record(rec)
    tmp.replace(path)
    return path


def generate(n: int, out: Path | None = None) -> Path:
    """The ``n``-page WARC, written once under the temp folder (or ``out``) and reused."""
    out = out or Path(tempfile.gettempdir()) / f"newsdesk-bench-{n}.warc.gz"
    if not out.exists():
        write_warc(out, n)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: write the WARC and say where it went."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="pages (default 2000)")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.gettempdir()) / f"newsdesk-bench-{args.n}.warc.gz"
    write_warc(out, args.n)
    print(f"{out}: {args.n} pages, {out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
