"""Generate a synthetic news corpus for the ingest benchmark (text files and HTML pages).

Articles are fictional and assembled from sentence templates written for this script:
plausible news prose (officials, places, figures, quotes), with the page furniture real
inputs carry — reading-time lines, "Also read:" lines, photo captions, agency sign-offs,
editor initials and a "Latest from" block of other headlines in text files; navigation,
share bars, "Most read" and "Related stories" lists, newsletter boxes, footers, inline
CSS/JS and JSON-LD in HTML pages. Each outlet repeats its own slogan line, so the
corpus-evidence pass has something to find. Every body is distinct (seeded RNG per index),
so nothing is deduplicated away and the store really writes every article.

    python bench/gen_corpus.py --n 20000 --out /tmp/newsdesk-bench-corpus
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

PLACES = ["Sella", "Port Camina", "Drussel", "Varnholm", "Kestrel Bay", "Orlin", "Tamsford",
          "Haverly", "Ostravin", "Mirelle", "Caldon", "Brevik", "Salto Verde", "Ennisgate",
          "Quarrow", "Lindqvist Falls", "Amberlay", "Dunmore Heights", "Castellane", "Rovik"]
COUNTRIES = ["Valdoria", "Ostmark", "the Serene Republic of Lunara", "Karesh", "Norrland",
             "Estavia", "the Caldon Federation", "Marisol", "Tenbury", "Alcoria"]
PEOPLE = ["Amira Qadri", "Tomas Vell", "Ingrid Solberg", "Rafael Ostrander", "Mei Lin Haro",
          "Dariusz Kempa", "Helena Marchetti", "Kofi Asante-Brandt", "Yusuf Demirel",
          "Clara Ibsen", "Nikolai Varga", "Priya Raman", "Jonas Aldric", "Sofia Brenner",
          "Oren Talbot", "Lucia Fenwick", "Emeka Obi", "Hanne Lund", "Victor Mareno",
          "Anouk de Wit"]
ROLES = ["Foreign Minister", "Prime Minister", "Finance Minister", "the mayor",
         "the harbour master", "the health secretary", "the opposition leader",
         "a senior police officer", "the central bank governor", "the trade envoy",
         "the chief engineer", "a spokeswoman for the ministry", "the union leader",
         "the regional governor"]
ORGS = ["the Port Authority", "the Ministry of Transport", "the National Weather Office",
        "the Coastal Guard", "the Chamber of Commerce", "the Supreme Court",
        "the Electoral Commission", "the Red Crescent Society", "the rail operator VarnRail",
        "the Federation of Farmers", "the state energy company", "the city council"]
TOPICS = [("floods", "flood waters", "evacuated"), ("strike", "the walkout", "halted"),
          ("trade talks", "the agreement", "signed"), ("election", "the vote", "counted"),
          ("port closure", "the harbour", "reopened"), ("wildfire", "the fire", "contained"),
          ("bridge collapse", "the bridge", "inspected"), ("budget", "the spending plan",
          "approved"), ("protest", "the march", "dispersed"), ("summit", "the talks", "resumed")]
AGENCIES = ["PNA", "VNS", "Xinhua", "IANS", "AFP", "Reuters", "Agency"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
SECTIONS = ["World", "Politics", "Business", "Region", "Science", "Sport", "Opinion", "Culture",
            "Weather", "Health", "Tech", "Travel"]


@dataclass(frozen=True)
class Outlet:
    """A fictional news site."""

    name: str
    host: str
    slogan: str


OUTLETS = [
    Outlet(n, h, s) for n, h, s in [
        ("Coast Courier", "coastcourier.example", "Independent news from the coast since 1921."),
        ("Delta Post", "deltapost.example", "Sign up for the Delta Post morning briefing."),
        ("Globe View", "globeview.example", "Globe View: the world, explained."),
        ("Northern Ledger", "northernledger.example", "Support local journalism: subscribe."),
        ("Valdoria Times", "valdoriatimes.example", "Read the Valdoria Times in print daily."),
        ("Harbour Herald", "harbourherald.example", "Got a tip? Write to the Herald desk."),
        ("Sella Morning", "sellamorning.example", "Sella Morning is reader-funded."),
        ("Radio Caldon", "radiocaldon.example", "Listen to Radio Caldon live every hour."),
        ("The Ostmark Wire", "ostmarkwire.example", "Follow the Wire on social media."),
        ("Kestrel Daily", "kestreldaily.example", "Kestrel Daily: news you can trust."),
    ]
]


def _date(rng: random.Random) -> date:
    return date(2024, 1, 1) + timedelta(days=rng.randrange(700))


def _sentence(rng: random.Random, topic: tuple[str, str, str], place: str) -> str:
    """One body sentence from a handful of news-prose shapes."""
    who, role, org = rng.choice(PEOPLE), rng.choice(ROLES), rng.choice(ORGS)
    noun, thing, verb = topic
    n = rng.randrange(2, 9000)
    day = rng.choice(DAYS)
    shapes = [
        f"{role[0].upper() + role[1:]} {who} said on {day} that {thing} would be {verb} "
        f"within {rng.randrange(2, 30)} days.",
        f"According to {org}, at least {n} people in {place} were affected by the {noun}.",
        f"\u201cWe are doing everything we can,\u201d {who} told reporters in {place}.",
        f"Officials in {place} estimated the cost at {rng.randrange(2, 900)} million "
        f"{rng.choice(['crowns', 'dollars', 'euros', 'marks'])}.",
        f"The {noun} is the worst the region has seen since {rng.randrange(1950, 2020)}, "
        f"{org} said in a statement.",
        f"Residents described long queues outside the offices of {org} on {day} morning.",
        f"{who}, who has held the post since {rng.randrange(2005, 2024)}, declined to say "
        f"whether {thing} would be reviewed.",
        f"Talks between {org} and representatives of {rng.choice(COUNTRIES)} are expected "
        f"to continue next week.",
        f"Some {rng.randrange(10, 99)} per cent of those asked said they supported the "
        f"decision, a survey by {org} found.",
        f"Critics, including {who}, said the response to the {noun} had been too slow.",
        f"\u201cThis is not the end of the matter,\u201d said {who}, {role}, adding that "
        f"further measures were being considered.",
        "The figures could not be independently verified.",
        f"By {day} evening, {n} households had been reconnected, {org} said.",
    ]
    return rng.choice(shapes)


def _paragraphs(rng: random.Random, topic: tuple[str, str, str], place: str) -> list[str]:
    return [" ".join(_sentence(rng, topic, place) for _ in range(rng.randrange(2, 5)))
            for _ in range(rng.randrange(6, 15))]


def _headline(rng: random.Random) -> str:
    noun, thing, verb = rng.choice(TOPICS)
    place = rng.choice(PLACES)
    return rng.choice([
        f"{place} {noun}: {rng.choice(PEOPLE)} promises swift action",
        f"{thing[0].upper() + thing[1:]} {verb} in {place} after days of uncertainty",
        f"{rng.randrange(2, 900)} affected as {noun} hits {place}",
        f"What the {noun} means for {rng.choice(COUNTRIES)}",
        f"{rng.choice(ORGS)[4:].capitalize()} warns of more disruption in {place}",
    ])


def text_article(i: int) -> str:
    """A plain-text article with the furniture that scraped text files carry."""
    rng = random.Random(i * 7919 + 1)
    topic, place = rng.choice(TOPICS), rng.choice(PLACES)
    d = _date(rng)
    agency = rng.choice(AGENCIES)
    out = outlet_of(i)
    lines: list[str] = []
    if rng.random() < 0.5:
        lines.append(f" date {d.isoformat()} {_headline(rng)}")
    else:
        lines.append(_headline(rng))
        lines.append(f"{MONTHS[d.month - 1]} {d.day}, {d.year}")
    if rng.random() < 0.4:
        lines.append(f"{rng.randrange(1, 9)} mins read")
    paras = _paragraphs(rng, topic, place)
    if rng.random() < 0.6:
        paras[0] = f"{place}, {MONTHS[d.month - 1]} {d.day} ({agency}) {paras[0]}"
    elif rng.random() < 0.5:
        paras[0] = f"{paras[0][:-1]}, reports {out.name}."
    if rng.random() < 0.5:
        paras.insert(rng.randrange(2, len(paras)), f"Also read: {_headline(rng)}")
    if rng.random() < 0.3:
        paras.insert(rng.randrange(1, len(paras)), f"{rng.choice(PEOPLE)}(Twitter)")
    lines.extend(paras)
    lines.append(out.slogan)
    if rng.random() < 0.5:
        lines.append(f"--{agency}")
        lines.append(rng.choice(["ksk/", "rkm/", "sd/ab", "vnk/"]))
    if rng.random() < 0.6:
        lines.append(f"Latest from {rng.choice(SECTIONS)}")
        for _ in range(rng.randrange(3, 7)):
            lines.append(_headline(rng))
            lines.append(_sentence(rng, rng.choice(TOPICS), rng.choice(PLACES))[:90])
        lines.append("Go to Top")
    return "\n\n".join(lines) + "\n"


def outlet_of(i: int) -> Outlet:
    """The outlet of article ``i`` (deterministic, uneven shares like real crawls)."""
    return OUTLETS[(i * 2654435761 % 2**32) % 97 % len(OUTLETS)]


_CSS = "".join(f".c{k}{{margin:{k % 7}px;padding:{k % 5}px;color:#{k * 4099 % 0xFFFFFF:06x}}}"
               for k in range(400))
_JS = ("window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
       + "".join(f"var cfg{k}={{slot:'ad-{k}',size:[300,{250 + k}],lazy:true}};"
                 for k in range(300)))


def html_page(i: int) -> str:
    """A full article page: head metadata, navigation, body, sidebars, footer, scripts."""
    rng = random.Random(i * 104729 + 3)
    out = outlet_of(i)
    topic, place = rng.choice(TOPICS), rng.choice(PLACES)
    d = _date(rng)
    title = _headline(rng)
    slug = "-".join(title.lower().replace(":", "").split()[:8])
    url = f"https://www.{out.host}/{rng.choice(SECTIONS).lower()}/{d.isoformat()}/{slug}-{i}"
    author = rng.choice(PEOPLE)
    paras = _paragraphs(rng, topic, place)
    body: list[str] = []
    for k, p in enumerate(paras):
        if k == 3 and rng.random() < 0.5:
            body.append(f"<h2>{_headline(rng)}</h2>")
        if k == 5 and rng.random() < 0.4:
            body.append(f"<blockquote><p>{_sentence(rng, topic, place)}</p></blockquote>")
        body.append(f"<p>{p}</p>")
    nav = "".join(f'<li><a href="/{s.lower()}">{s}</a></li>' for s in SECTIONS)
    most_read = "".join(f'<li><a href="/story/{rng.randrange(10**6)}">{_headline(rng)}</a></li>'
                        for _ in range(8))
    related = "".join(
        f'<div class="teaser"><a href="/story/{rng.randrange(10**6)}"><h4>{_headline(rng)}</h4>'
        f"<p>{_sentence(rng, rng.choice(TOPICS), rng.choice(PLACES))}</p></a></div>"
        for _ in range(6)
    )
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": f"{d.isoformat()}T07:30:00Z", "author": {"name": author},
                     "publisher": {"name": out.name}})
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | {out.name}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{paras[0][:150].replace('"', "'")}">
<meta property="og:site_name" content="{out.name}">
<meta property="og:title" content="{title}">
<meta property="og:url" content="{url}">
<meta property="article:published_time" content="{d.isoformat()}T07:30:00Z">
<link rel="canonical" href="{url}">
<style>{_CSS}</style>
<script type="application/ld+json">{ld}</script>
<script>{_JS}</script>
</head><body class="article-page">
<div class="topbar"><a href="/subscribe">Subscribe</a> <a href="/login">Sign in</a></div>
<header><a class="logo" href="/">{out.name}</a><nav><ul>{nav}</ul></nav>
<form class="search"><input name="q" placeholder="Search"></form></header>
<div class="ad-slot">Advertisement</div>
<main><article>
<div class="breadcrumb"><a href="/">Home</a> &rsaquo; <a href="/world">World</a></div>
<h1>{title}</h1>
<div class="byline">By <a href="/author/{author.split()[0].lower()}">{author}</a>
<time datetime="{d.isoformat()}">{MONTHS[d.month - 1]} {d.day}, {d.year}</time></div>
<figure><img src="/img/{i}.jpg" alt="{place}"><figcaption>{place} on {DAYS[d.weekday()]}.
Photo: {rng.choice(PEOPLE)}</figcaption></figure>
{"".join(body)}
<p class="slogan">{out.slogan}</p>
<div class="share">Share: <a href="#">Facebook</a> <a href="#">Twitter</a>
<a href="#">Email</a></div>
<div class="tags"><a href="/tag/{topic[0].replace(' ', '-')}">{topic[0]}</a>
<a href="/tag/{place.lower().replace(' ', '-')}">{place}</a></div>
</article>
<aside class="most-read"><h3>Most read</h3><ol>{most_read}</ol></aside>
<section class="related"><h3>Related stories</h3>{related}</section>
<div class="newsletter"><h3>Newsletter</h3><p>Get the day's news in your inbox.</p>
<form><input type="email"><button>Sign up</button></form></div>
</main>
<footer><ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li>
<li><a href="/privacy">Privacy</a></li><li><a href="/terms">Terms</a></li></ul>
<p>&copy; {d.year} {out.name}. All rights reserved.</p></footer>
<script>{_JS[:2000]}</script>
</body></html>
"""


def generate(out: Path, n: int, html_share: float = 0.5) -> tuple[Path, Path]:
    """Write ``n`` articles under ``out/txt`` and ``out/html``; reuse them if already there.

    Returns the two folders. A ``corpus.json`` marker records what was generated, so a
    second run with the same settings does not write 20,000 files again.
    """
    txt_dir, html_dir = out / "txt", out / "html"
    n_html = round(n * html_share)
    n_txt = n - n_html
    marker = out / "corpus.json"
    want = {"n_txt": n_txt, "n_html": n_html, "version": 1}
    if marker.exists() and json.loads(marker.read_text()) == want:
        return txt_dir, html_dir
    for d in (txt_dir, html_dir):
        if d.exists() and any(d.iterdir()):
            if not marker.exists():
                raise SystemExit(f"{d} exists and was not made by gen_corpus.py; "
                                 "pass an empty or new --out folder")
            shutil.rmtree(d)
        d.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    # Spread files over sub-folders as crawls do; keeps directory listings short.
    for i in range(n_txt):
        sub = txt_dir / f"{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"t{i:06d}.txt").write_text(text_article(i), encoding="utf-8")
    for i in range(n_html):
        sub = html_dir / f"{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"h{i:06d}.html").write_text(html_page(i), encoding="utf-8")
    marker.write_text(json.dumps(want))
    return txt_dir, html_dir


def main(argv: list[str] | None = None) -> int:
    """Command line: generate the corpus and print where it went."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="number of articles (default 1000)")
    ap.add_argument("--html-share", type=float, default=0.5, help="share of HTML pages")
    ap.add_argument("--out", type=Path,
                    default=Path(tempfile.gettempdir()) / "newsdesk-bench-corpus")
    args = ap.parse_args(argv)
    txt_dir, html_dir = generate(args.out, args.n, args.html_share)
    print(f"corpus: {txt_dir} and {html_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
