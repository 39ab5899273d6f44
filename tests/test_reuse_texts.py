"""Hand-written fictional reports for the reuse tests (and builders shared by them).

One wire story about a port strike, a site's republication of it with page furniture,
a trimmed republication, a ministry statement, a rewrite of that statement by another
outlet, and an independent report that only quotes the same minister.
"""

from __future__ import annotations

from newsdesk.model import Article

WIRE = [
    "VELMORA, March 12 (CNA) The port of Velmora reopened to cargo traffic on Wednesday "
    "after a nine-day closure caused by a strike of crane operators, the harbour authority "
    "said.",
    "Around forty container ships had been waiting at anchor outside the breakwater, and the "
    "first of them berthed shortly after dawn, according to a statement from the authority.",
    "Harbour master Ilse Marrick said the backlog would take at least a week to clear and "
    "asked shipping lines to confirm their arrival slots in advance.",
    "The crane operators' union agreed on Tuesday evening to a wage increase of six percent "
    "spread over two years, ending a dispute that had begun in late January.",
    "Exporters of dried fruit and timber, who rely on the port for most of their shipments, "
    "welcomed the settlement but said the closure had cost them several large orders.",
    "The regional chamber of commerce estimated the losses at around eleven million crowns "
    "and called for a standing mediation panel to prevent a repeat of the stoppage.",
]

FURNITURE = [
    "Sign up for our morning briefing and get the day's top stories in your inbox.",
    "Follow the Velmora Ledger on social media for live updates from the harbour.",
]

STATEMENT = [
    "The Ministry of Transport welcomes the agreement reached between the harbour authority "
    "and the crane operators' union, which restores normal operations at the port of Velmora.",
    "Minister Tomas Hallbeck thanked the mediators for their patience and said the settlement "
    "protects both the livelihoods of port workers and the reputation of the port.",
    "The ministry will convene a meeting of exporters, shipping lines and the union next "
    "month to review the contingency plans for critical supply routes.",
    "A fund of two million crowns will be made available to small exporters who can show "
    "losses caused by the closure, with applications open until the end of April.",
    "The ministry also intends to propose a standing mediation panel for disputes in public "
    "infrastructure, to be set up before the end of the year.",
]

# Another outlet writes the statement up: several sentences carried over with light edits,
# in a different order, plus its own framing.
REWRITE = [
    "The government on Thursday promised help for exporters hit by the Velmora port strike.",
    "A fund of two million crowns will be made available to small exporters who can show "
    "losses caused by the closure, the Ministry of Transport said, with applications open "
    "until the end of April.",
    "Minister Tomas Hallbeck thanked the mediators for their patience and said the deal "
    "protects both the livelihoods of port workers and the reputation of the port.",
    "The ministry will also convene a meeting of exporters, shipping lines and the union next "
    "month to review contingency plans for critical supply routes.",
    "Opposition lawmakers said the support came too late for firms that had already lost "
    "customers to ports across the border.",
    "The dried fruit cooperative in Arrenby, which ships almost all of its harvest through "
    "Velmora, said it would apply for the fund as soon as the forms were published.",
    "Its chairwoman, Petra Lind, added that two buyers in the north had cancelled contracts "
    "during the strike and were unlikely to return this season.",
]

# An independent report: own reporting, one shared quotation of the minister.
INDEPENDENT = [
    "Dock workers in Velmora returned to the cranes on Wednesday morning, cheered by a small "
    "crowd of relatives who had brought coffee and bread to the gates.",
    "Several of them told this newspaper that the raise was smaller than they had hoped but "
    "that nine days without pay had been hard on their families.",
    "\"The settlement protects both the livelihoods of port workers and the reputation of the "
    "port,\" Transport Minister Tomas Hallbeck said in a statement.",
    "Ship agents at the harbour expected the queue of vessels outside the breakwater to "
    "shrink by half before the weekend if the weather held.",
]

UNRELATED = [
    "The municipal library of Dornsby will close its reading room for renovation from May, "
    "the city council announced on Monday.",
    "Books can still be borrowed from a temporary counter in the town hall, where volunteers "
    "will also run the weekly reading circle for children.",
    "The renovation, paid for by a regional grant, includes new lighting, a lift and a "
    "quiet room for students preparing for examinations.",
]


def art(key: str, paras: list[str], *, source: str | None = None,
        credits: list[str] | None = None, published: str | None = "2025-03-12") -> Article:
    """An article from paragraphs (joined by blank lines)."""
    return Article(key=key, text="\n\n".join(paras), source=source,
                   credits=list(credits or []), published=published)


def port_corpus() -> list[Article]:
    """The hand-built set: wire, its copies, statement, rewrite, independent, unrelated."""
    return [
        art("wire", WIRE, source="CNA", credits=["CNA"], published="2025-03-12"),
        art("ledger", [FURNITURE[0], *WIRE, FURNITURE[1]], source="Velmora Ledger",
            credits=["CNA"], published="2025-03-12"),
        art("trimmed", WIRE[:4], source="Coast Daily", credits=["CNA"], published="2025-03-13"),
        art("statement", STATEMENT, source="Ministry of Transport", published="2025-03-13"),
        art("rewrite", REWRITE, source="Northern Courier", published="2025-03-13"),
        art("independent", INDEPENDENT, source="Velmora Herald", published="2025-03-13"),
        art("library", UNRELATED, source="Dornsby Gazette", published="2025-03-10"),
    ]


def test_fixture_texts_are_distinct() -> None:
    arts = port_corpus()
    assert len({a.id for a in arts}) == len(arts)
    assert all(len(a.paragraphs) >= 3 for a in arts)
