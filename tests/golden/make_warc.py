"""Build examples/crawl_2025.warc.gz, the small WARC in the newsdesk example corpus.

The archive holds, in this order:

1. a ``warcinfo`` record;
2. a ``request`` record for the Northern Ledger page (concurrent to record 3);
3. a ``response`` record: Northern Ledger, event A (key ``a07_ledger``);
4. a ``response`` record: Lusca Gazette, event C (key ``c01_lusca_gazette``).

Every record carries a fixed WARC-Record-ID and WARC-Date so the output is the same
on every run (the gzip members carry no timestamp). Article keys for the two
responses are their WARC-Record-ID values; see EXPECTED.md.

Run:  python tests/golden/make_warc.py   (needs warcio)
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

OUT = Path(__file__).resolve().parents[2] / "examples" / "crawl_2025.warc.gz"

WARCINFO_ID = "<urn:uuid:5f1c0d3e-8a52-4e7b-9c4a-0e6d2b9f7a11>"
REQUEST_ID = "<urn:uuid:9b3e6a27-41d0-4c85-b1f2-6d8e0a4c3b52>"
LEDGER_ID = "<urn:uuid:c7a4e1f0-2b6d-4f93-8e15-3a9d7c0b5e83>"
GAZETTE_ID = "<urn:uuid:1e8d5b49-7c3a-4a06-a2f7-b4c9e6d0f194>"

LEDGER_URL = "https://www.northern-ledger.example/markets/2025/03/05/kestria-valmora-sign-2-4bn-port-rail-package"
GAZETTE_URL = (
    "https://www.lusca-gazette.example/news/2025/04/24/six-dead-cloudburst-floods-port-camina"
)

LEDGER_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Kestria and Valmora sign $2.4bn port and rail package - The Northern Ledger</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:site_name" content="The Northern Ledger">
<meta property="og:type" content="article">
<meta property="og:title" content="Kestria and Valmora sign $2.4bn port and rail package">
<meta property="og:url" content="https://www.northern-ledger.example/markets/2025/03/05/kestria-valmora-sign-2-4bn-port-rail-package">
<meta property="article:published_time" content="2025-03-05T08:15:00+01:00">
<meta property="article:section" content="Markets">
<link rel="canonical" href="https://www.northern-ledger.example/markets/2025/03/05/kestria-valmora-sign-2-4bn-port-rail-package">
<link rel="stylesheet" href="/assets/ledger.css">
</head>
<body>
<div class="consent-bar">The Northern Ledger uses cookies for essential site functions and, with your consent, for analytics. <a href="/cookies">Cookie settings</a> <button>OK</button></div>
<div class="paywall-meter">You have 2 free articles left this month. <a href="/subscribe">Subscribe for full access</a></div>
<header class="ledger-header">
  <a class="wordmark" href="/">The Northern Ledger</a>
  <nav><ul>
    <li><a href="/markets">Markets</a></li><li><a href="/companies">Companies</a></li><li><a href="/economy">Economy</a></li>
    <li><a href="/shipping">Shipping &amp; Logistics</a></li><li><a href="/energy">Energy</a></li><li><a href="/opinion">Opinion</a></li>
  </ul></nav>
  <div class="ticker">NSX 30 <span class="up">+0.8%</span> · KST/VAL 0.4412 · Brent 71.20</div>
</header>
<main>
<article class="ledger-article">
  <p class="kicker">Trade</p>
  <h1>Kestria and Valmora sign $2.4bn port and rail package</h1>
  <p class="byline">By Arvid Lenk in Saldena · <time datetime="2025-03-05T08:15:00+01:00">5 March 2025</time></p>
  <div class="article-body">
    <p>Kestria and Valmora have signed port, rail and grain agreements worth $2.4 billion over five years, in the clearest sign yet that the two Northern Sea neighbours are putting years of friction over fishing rights behind them.</p>
    <p>The package, concluded on Tuesday during Foreign Minister Anatoly Drevin's two-day visit to Saldena, centres on a larger container terminal at the Valmoran capital's port and on the Northern Corridor, a rail freight link that would connect Saldena with Novarsk.</p>
    <p>Valmoran officials said most of the money would come from Kestrian state lenders and from the two countries' port operators, with the remainder from a regional development fund.</p>
    <p>Trade between the two countries rose by 38 percent in 2024, driven by Kestrian grain and timber exports and Valmoran machinery and processed fish, according to figures cited by the Valmoran government.</p>
    <p>Foreign Minister Drevin told reporters that the deals were \u2018the beginning of a long road, not the end of one\u2019 and said Kestrian companies were ready to bid for the construction contracts.</p>
    <p>His Valmoran counterpart, Tomas Halvard, said the agreements would be reviewed by the Joint Economic Commission, which meets in Novarsk in the autumn.</p>
    <div class="promo-box">Ledger Pro: get our weekly Northern Sea shipping data. <a href="/pro">Start a free trial</a></div>
    <p>Kestria also pledged to support Valmora's application for full membership of the Meridian Cooperation Organisation, a nine-member regional trade and customs bloc.</p>
    <p>Analysts said membership could matter more to Valmoran exporters than the headline investment figure.</p>
    <p>\u2018Customs union access is the real prize. The terminal only pays off if the goods can move freely once they land,\u2019 said Ines Korhonen, a trade economist at the Saldena School of Economics.</p>
    <p>Shares in Saldena Port Holdings rose 4.2 percent on Wednesday morning.</p>
    <p>The agreements still face criticism at home in Valmora, where the opposition has demanded a parliamentary vote and fishing communities have protested against what they say is illegal trawling by Kestrian vessels.</p>
    <p>Both governments said they hoped construction of the terminal extension could begin in 2026.</p>
  </div>
  <p class="copyright-notice">Copyright The Northern Ledger 2025. Do not redistribute without a licence.</p>
</article>
<aside class="rail">
  <h2>Most popular</h2>
  <ol>
    <li><a href="/companies/2025/03/04/novarsk-grain-exporters-record-year">Novarsk grain exporters post record year</a></li>
    <li><a href="/economy/2025/03/04/bank-of-kestria-trims-key-rate">Bank of Kestria trims key rate by a quarter point</a></li>
    <li><a href="/shipping/2025/03/03/freight-rates-northern-sea-winter">Northern Sea freight rates ease after winter peak</a></li>
  </ol>
  <h2>Markets data</h2>
  <p>Delayed by 15 minutes. Source: Northern Sea Exchange.</p>
</aside>
</main>
<footer>
  <p><a href="/about">About the Ledger</a> | <a href="/terms">Terms</a> | <a href="/privacy">Privacy</a> | <a href="/help">Help centre</a></p>
  <p>The Northern Ledger is published by Ledger Media Group, Novarsk.</p>
</footer>
</body>
</html>
"""

GAZETTE_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Six dead as cloudburst floods Port Camina | Lusca Gazette</title>
<meta property="og:site_name" content="Lusca Gazette">
<meta property="og:type" content="article">
<meta property="og:title" content="Six dead as cloudburst floods Port Camina">
<meta property="og:url" content="https://www.lusca-gazette.example/news/2025/04/24/six-dead-cloudburst-floods-port-camina">
<meta property="article:published_time" content="2025-04-24T10:30:00+02:00">
<link rel="canonical" href="https://www.lusca-gazette.example/news/2025/04/24/six-dead-cloudburst-floods-port-camina">
</head>
<body>
<div id="cookie-popup">We value your privacy. This site uses cookies to improve your browsing experience. <a href="#">Accept</a> <a href="#">Decline</a></div>
<header>
  <div class="logo"><a href="/">Lusca Gazette</a></div>
  <ul class="menu">
    <li><a href="/news">News</a></li><li><a href="/farming">Farming</a></li><li><a href="/port">Port &amp; Sea</a></li>
    <li><a href="/sport">Sport</a></li><li><a href="/notices">Notices</a></li><li><a href="/contact">Contact us</a></li>
  </ul>
</header>
<div class="alert-strip">Flood emergency: call 112 if you are in danger. Shelter list updated at 9am.</div>
<div class="wrap">
<div class="article">
  <h1 class="headline">Six dead as cloudburst floods Port Camina</h1>
  <div class="article-info">Gazette reporters | Thursday, April 24, 2025 | <a href="#comments">0 comments</a></div>
  <img src="/images/2025/04/port-camina-old-harbour.jpg" alt="Flooded Old Harbour district">
  <p class="caption">The Old Harbour district under water on Thursday morning.</p>
  <div class="text">
    <p>Six people were killed and two remain missing after a cloudburst sent flash floods through the southern port town of Port Camina overnight, Lusca provincial authorities said on Thursday.</p>
    <p>The River Sorra, which had been little more than a trickle after two years of drought, rose by more than three metres in under two hours on Wednesday night, according to the provincial water authority.</p>
    <p>Governor Selma Darrow said about 1,200 people had been moved to emergency shelters, most of them from the Old Harbour district and the farming villages along the lower Sorra.</p>
    <p>"We spent two years praying for rain. Nobody was ready for this much of it in one night," Darrow told the Gazette outside the provincial crisis centre.</p>
    <p>Among the dead were a fisherman and his teenage son, whose car was swept off the coast road near the harbour bridge, police said.</p>
    <p>The National Civil Protection Agency sent three rescue teams from Saldena, and navy divers were searching the harbour for the two people still missing.</p>
    <p>Farmers said the flood had destroyed irrigation channels and young olive groves that had only just recovered from the drought.</p>
    <p>"The soil was baked as hard as a road, so the water simply ran off it," said hydrologist Teodor Vance of the University of Lusca.</p>
    <p>The Valmoran weather service said 140 millimetres of rain fell on the town in four hours, the heaviest downpour recorded in Lusca province since records began.</p>
    <p>Schools in Port Camina will remain closed on Friday, and the harbour has been shut to shipping until the channel is cleared of debris.</p>
  </div>
  <div class="share-links">Share this story: <a href="#">Facebook</a> · <a href="#">WhatsApp</a> · <a href="#">Email</a></div>
</div>
<div class="side">
  <h3>Latest news</h3>
  <ul>
    <li><a href="/news/2025/04/23/olive-harvest-forecast">Olive harvest forecast cut for second year</a></li>
    <li><a href="/news/2025/04/22/camina-ferry-timetable">New summer ferry timetable for Port Camina</a></li>
    <li><a href="/news/2025/04/21/lusca-council-elections">Lusca council elections set for June</a></li>
  </ul>
</div>
</div>
<footer>Lusca Gazette &copy; 2025 | 9 Quay Street, Port Camina | All rights reserved</footer>
</body>
</html>
"""


def http_response(html: str, date: str, last_modified: str) -> tuple[StatusAndHeaders, bytes]:
    body = html.encode("utf-8")
    headers = StatusAndHeaders(
        "200 OK",
        [
            ("Date", date),
            ("Server", "nginx"),
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Last-Modified", last_modified),
            ("Cache-Control", "max-age=300"),
        ],
        protocol="HTTP/1.1",
    )
    return headers, body


def main() -> None:
    with OUT.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)

        info = (
            b"software: newsdesk examples/make_warc.py (warcio)\r\n"
            b"format: WARC File Format 1.0\r\n"
            b"conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/\r\n"
            b"description: Fictional pages for the newsdesk example corpus\r\n"
            b"isPartOf: newsdesk-examples-2025\r\n"
        )
        writer.write_record(
            writer.create_warc_record(
                "",
                "warcinfo",
                payload=BytesIO(info),
                length=len(info),
                warc_content_type="application/warc-fields",
                warc_headers_dict={
                    "WARC-Record-ID": WARCINFO_ID,
                    "WARC-Date": "2025-03-05T09:12:40Z",
                    "WARC-Filename": OUT.name,
                },
            )
        )

        req = (
            b"GET /markets/2025/03/05/kestria-valmora-sign-2-4bn-port-rail-package HTTP/1.1\r\n"
            b"Host: www.northern-ledger.example\r\n"
            b"User-Agent: newsdesk-example-crawler/1.0\r\n"
            b"Accept: text/html,application/xhtml+xml\r\n"
            b"Accept-Language: en\r\n"
            b"\r\n"
        )
        writer.write_record(
            writer.create_warc_record(
                LEDGER_URL,
                "request",
                payload=BytesIO(req),
                length=len(req),
                warc_content_type="application/http; msgtype=request",
                warc_headers_dict={
                    "WARC-Record-ID": REQUEST_ID,
                    "WARC-Date": "2025-03-05T09:12:44Z",
                    "WARC-Concurrent-To": LEDGER_ID,
                },
            )
        )

        for uri, rec_id, when, http_date, last_mod, html in (
            (
                LEDGER_URL,
                LEDGER_ID,
                "2025-03-05T09:12:44Z",
                "Wed, 05 Mar 2025 09:12:44 GMT",
                "Wed, 05 Mar 2025 07:15:00 GMT",
                LEDGER_HTML,
            ),
            (
                GAZETTE_URL,
                GAZETTE_ID,
                "2025-04-24T11:03:10Z",
                "Thu, 24 Apr 2025 11:03:10 GMT",
                "Thu, 24 Apr 2025 08:30:00 GMT",
                GAZETTE_HTML,
            ),
        ):
            http_headers, body = http_response(html, http_date, last_mod)
            writer.write_record(
                writer.create_warc_record(
                    uri,
                    "response",
                    payload=BytesIO(body),
                    length=len(body),
                    http_headers=http_headers,
                    warc_headers_dict={
                        "WARC-Record-ID": rec_id,
                        "WARC-Date": when,
                        "WARC-IP-Address": "192.0.2.10" if rec_id == LEDGER_ID else "192.0.2.24",
                    },
                )
            )
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
