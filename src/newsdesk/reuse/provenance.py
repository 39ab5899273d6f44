"""Links between articles, copy groups, ``copy_of`` and independent accounts.

Everything here is a pure function of the *set* of articles and of the pairwise links
among them, computed at query time. Links are pairwise facts (the same two texts always
give the same link, whichever arrived first), so the result for a set never depends on
arrival order.

Rules (each one a deliberate, documented choice):

* **copy group**: connected component of ``duplicate``/``copy`` links.
* **copy_of**: every member of a copy group except its *canonical* version points to it.
  The canonical version is the *fullest* — the most shingles shared with another member
  (page furniture or a comment added by one site is not "fuller", it is shared with
  nobody) — then the earliest published, then the one with the least extra text, then
  the smallest (key, id).
* **common source**: two articles draw on one written text (a press release, a wire
  story) when the text they share *outside quotation marks* is at least
  ``source_share`` of either article, in at least ``source_min_passages`` passages:
  independent reporters quote the same speaker, but they do not write the same
  sentences. Within a connected set of such links, the *origin* is the article most of
  the others draw on (most common-source links between copy groups; then the earliest
  published; then the one whose text is most covered) and each article linked to it
  directly ``paraphrases`` it.
* **independent account**: connected component of copy links, plus links between
  outlets that credit the same agency for the same text (shared unquoted passages of at
  least ``credit_share``). A paraphrase of a common source is *not* a copy and stays an
  account of its own (``merge_common_source`` changes that); the facts it takes from the
  source are traceable through the shared passages.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from newsdesk.model import Article
from newsdesk.reuse.options import ReuseOptions
from newsdesk.reuse.passages import Passage, align, covered_words, prepare
from newsdesk.unionfind import UnionFind


@dataclass(slots=True)
class ArticleInfo:
    """What the result needs to know about one article."""

    ref: str  # the name the result uses: the key (key@id when keys clash)
    key: str
    id: str
    source: str | None = None
    credits: list[str] = field(default_factory=list)
    published: str | None = None
    shingles: int = 0

    @classmethod
    def of(cls, a: Article, ref: str, shingles: int) -> ArticleInfo:
        """From an article."""
        return cls(ref, a.key, a.id, a.source, list(a.credits), a.published, shingles)


@dataclass(slots=True)
class ReuseLink:
    """Reuse between articles ``a`` and ``b`` (``a`` first in (key, id) order)."""

    a: str
    b: str
    kind: str  # "duplicate" | "copy" | "shared"
    shared_shingles: int
    jaccard: float
    contain_a: float  # share of a's shingles found in b
    contain_b: float
    passages: list[Passage]  # offsets as (a side, b side)
    shared_a: float = 0.0  # share of a's words inside shared passages
    shared_b: float = 0.0
    prose_a: float = 0.0  # the same, counting unquoted passages only
    prose_b: float = 0.0
    prose_passages: int = 0
    common_source: bool = False  # set by build_result under the options in force

    @property
    def is_copy(self) -> bool:
        """A duplicate or a copy."""
        return self.kind in ("duplicate", "copy")

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "a": self.a, "b": self.b, "kind": self.kind,
            "shared_shingles": self.shared_shingles, "jaccard": round(self.jaccard, 4),
            "contain_a": round(self.contain_a, 4), "contain_b": round(self.contain_b, 4),
            "shared_a": round(self.shared_a, 4), "shared_b": round(self.shared_b, 4),
            "prose_a": round(self.prose_a, 4), "prose_b": round(self.prose_b, 4),
            "prose_passages": self.prose_passages, "common_source": self.common_source,
            "passages": [_passage_dict(p) for p in self.passages],
        }

    def seen_from(self, ref: str) -> dict[str, Any]:
        """The link as article ``ref`` sees it (its own figures first)."""
        mine = ref == self.a
        return {
            "other": self.b if mine else self.a, "kind": self.kind,
            "shared_shingles": self.shared_shingles, "jaccard": round(self.jaccard, 4),
            "containment": round(self.contain_a if mine else self.contain_b, 4),
            "other_containment": round(self.contain_b if mine else self.contain_a, 4),
            "shared_words": round(self.shared_a if mine else self.shared_b, 4),
            "unquoted_shared_words": round(self.prose_a if mine else self.prose_b, 4),
            "common_source": self.common_source, "passages": len(self.passages),
        }


def _passage_dict(p: Passage) -> dict[str, Any]:
    return {"a_start": p.a_start, "a_end": p.a_end, "b_start": p.b_start, "b_end": p.b_end,
            "similarity": round(p.similarity, 4), "a_words": p.a_words, "b_words": p.b_words,
            "quoted": p.quoted, "passage_key": p.key}


def make_link(a: Article, b: Article, ref_a: str, ref_b: str, shared: int, jaccard: float,
              contain_a: float, contain_b: float, opts: ReuseOptions) -> ReuseLink | None:
    """Decide whether and how two articles are linked (``a`` first in canonical order)."""
    dup = a.id == b.id and shared > 0
    copy = dup or (max(contain_a, contain_b) >= opts.copy_containment
                   and jaccard >= opts.copy_min_jaccard)
    passages: list[Passage] = []
    if opts.passages:
        passages = align(a, b, opts.shingle_words, opts.passage_min_words,
                         opts.passage_min_similarity)
    if not copy and not passages:
        return None
    link = ReuseLink(ref_a, ref_b, "duplicate" if dup else "copy" if copy else "shared",
                     shared, jaccard, contain_a, contain_b, passages)
    if passages:
        ta = prepare(a, opts.shingle_words).tok
        tb = prepare(b, opts.shingle_words).tok
        prose = [p for p in passages if not p.quoted]
        link.shared_a = covered_words(ta, [(p.a_start, p.a_end) for p in passages]) / max(len(ta), 1)
        link.shared_b = covered_words(tb, [(p.b_start, p.b_end) for p in passages]) / max(len(tb), 1)
        link.prose_a = covered_words(ta, [(p.a_start, p.a_end) for p in prose]) / max(len(ta), 1)
        link.prose_b = covered_words(tb, [(p.b_start, p.b_end) for p in prose]) / max(len(tb), 1)
        link.prose_passages = len(prose)
    return link


def common_source(link: ReuseLink, opts: ReuseOptions) -> bool:
    """The two articles draw on one written text (see the module notes)."""
    return (link.prose_passages >= opts.source_min_passages
            and max(link.prose_a, link.prose_b) >= opts.source_share)


def same_account(link: ReuseLink, a: ArticleInfo, b: ArticleInfo,
                 opts: ReuseOptions) -> str | None:
    """Why two linked articles are one account, or None when they are independent."""
    if link.is_copy:
        return "copy"
    credits_a = {c.strip().lower() for c in a.credits}
    credits_b = {c.strip().lower() for c in b.credits}
    if credits_a & credits_b and link.prose_passages >= 1 and \
            max(link.prose_a, link.prose_b) >= opts.credit_share:
        return "same agency"
    if opts.merge_common_source and common_source(link, opts):
        return "common source"
    return None


@dataclass(slots=True)
class CopyGroup:
    """Articles that are copies of one another; ``canonical`` is the fullest version."""

    canonical: str
    members: list[str]  # canonical first, then in rank order

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"canonical": self.canonical, "members": self.members}


@dataclass(slots=True)
class Account:
    """One independent account: articles that do not stand on their own."""

    members: list[str]
    reasons: list[tuple[str, str, str]]  # (a, b, why) edges that joined them

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"members": self.members,
                "joined_by": [{"a": a, "b": b, "why": w} for a, b, w in self.reasons]}


@dataclass(slots=True)
class Provenance:
    """Reuse facts about one article."""

    ref: str
    copy_of: str | None
    paraphrases: str | None  # the common source it rewrites, when one is in the set
    group: int | None  # index into ReuseResult.groups
    account: int  # index into ReuseResult.accounts
    links: list[dict[str, Any]]
    passages: list[dict[str, Any]]  # this article's offsets first

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"copy_of": self.copy_of, "paraphrases": self.paraphrases, "group": self.group,
                "account": self.account, "links": self.links, "passages": self.passages}


@dataclass(slots=True)
class SourceGroup:
    """Articles that rewrite one common written source found in the set."""

    origin: str
    members: list[str]  # the articles that paraphrase it (and their copies)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"origin": self.origin, "members": self.members}


@dataclass(slots=True)
class ReuseResult:
    """Copy groups, links, passages, provenance and independent accounts of a set."""

    articles: list[ArticleInfo]
    links: list[ReuseLink]
    groups: list[CopyGroup]
    sources: list[SourceGroup]
    accounts: list[Account]
    provenance: dict[str, Provenance]
    options: ReuseOptions

    @property
    def independent_count(self) -> int:
        """Distinct accounts after collapsing copies and common-source rewrites."""
        return len(self.accounts)

    def info(self, ref: str) -> ArticleInfo:
        """The article named ``ref``."""
        for a in self.articles:
            if a.ref == ref:
                return a
        raise KeyError(f"{ref!r} is not in this result; use one of its article refs.")

    def restrict(self, refs: list[str]) -> ReuseResult:
        """The result for a subset of the articles (recomputed: accounts may split)."""
        want = set(refs)
        missing = want - {a.ref for a in self.articles}
        if missing:
            raise KeyError(f"not in this result: {sorted(missing)[:5]}; pass refs it holds.")
        return build_result([a for a in self.articles if a.ref in want],
                            [ln for ln in self.links if ln.a in want and ln.b in want],
                            self.options)

    def independent_count_of(self, refs: list[str]) -> int:
        """Independent-source count for any subset of the articles."""
        return self.restrict(refs).independent_count

    def to_dict(self) -> dict[str, Any]:
        """JSON form (stable key order)."""
        return {
            "articles": len(self.articles),
            "independent_sources": self.independent_count,
            "accounts": [a.to_dict() for a in self.accounts],
            "copy_groups": [g.to_dict() for g in self.groups],
            "common_sources": [g.to_dict() for g in self.sources],
            "links": [ln.to_dict() for ln in self.links],
            "provenance": {r: p.to_dict() for r, p in self.provenance.items()},
        }


def build_result(infos: list[ArticleInfo], links: list[ReuseLink],
                 opts: ReuseOptions) -> ReuseResult:
    """Groups, copy_of, accounts and per-article provenance from pairwise links."""
    infos = sorted(infos, key=lambda a: (a.key, a.id))
    by_ref = {a.ref: a for a in infos}
    order = [a.ref for a in infos]
    pos = {r: n for n, r in enumerate(order)}
    links = sorted(links, key=lambda ln: (pos[ln.a], pos[ln.b]))

    copies = UnionFind(order)
    fullness: dict[str, int] = defaultdict(int)
    for ln in links:
        if ln.is_copy:
            copies.union(ln.a, ln.b)
            fullness[ln.a] = max(fullness[ln.a], ln.shared_shingles)
            fullness[ln.b] = max(fullness[ln.b], ln.shared_shingles)

    def rank(r: str) -> tuple[int, str, int, str, str]:
        a = by_ref[r]
        return (-fullness[r], a.published or "~", a.shingles, a.key, a.id)

    groups: list[CopyGroup] = []
    group_of: dict[str, int] = {}
    copy_of: dict[str, str | None] = dict.fromkeys(order)
    for members in copies.groups(order):
        if len(members) < 2:
            continue
        members = sorted(members, key=rank)
        for m in members:
            group_of[m] = len(groups)
            copy_of[m] = members[0] if m != members[0] else None
        groups.append(CopyGroup(members[0], members))

    for ln in links:  # (a copy is more than a common source: not flagged as one)
        ln.common_source = not ln.is_copy and common_source(ln, opts)
    paraphrases, sources = _common_sources(order, links, copies, copy_of, by_ref)

    acc = UnionFind(order)
    why: list[tuple[str, str, str]] = []
    for ln in links:
        reason = same_account(ln, by_ref[ln.a], by_ref[ln.b], opts)
        if reason:
            acc.union(ln.a, ln.b)
            why.append((ln.a, ln.b, reason))
    accounts: list[Account] = []
    account_of: dict[str, int] = {}
    for members in acc.groups(order):
        for m in members:
            account_of[m] = len(accounts)
        accounts.append(Account(members, []))
    for w in why:
        accounts[account_of[w[0]]].reasons.append(w)

    per_links: dict[str, list[dict[str, Any]]] = defaultdict(list)
    per_passages: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ln in links:
        per_links[ln.a].append(ln.seen_from(ln.a))
        per_links[ln.b].append(ln.seen_from(ln.b))
        for p in ln.passages:
            per_passages[ln.a].append(_seen(p, ln.b))
            per_passages[ln.b].append(_seen(p.swapped(), ln.a))
    prov = {
        r: Provenance(r, copy_of[r], paraphrases.get(r), group_of.get(r), account_of[r],
                      per_links[r],
                      sorted(per_passages[r], key=lambda d: (d["start"], d["other"])))
        for r in order
    }
    return ReuseResult(infos, links, groups, sources, accounts, prov, opts)


def _common_sources(order: list[str], links: list[ReuseLink], copies: UnionFind[str],
                    copy_of: dict[str, str | None], by_ref: dict[str, ArticleInfo]
                    ) -> tuple[dict[str, str], list[SourceGroup]]:
    """Origins of common-source text: work on copy groups (a copy adds no evidence), find
    connected sets of common-source links, and take as origin the group most others draw
    on; articles of groups linked to it directly paraphrase it."""
    node = {r: copies.find(r) for r in order}
    edges: dict[str, set[str]] = defaultdict(set)
    cover: dict[str, float] = defaultdict(float)
    for ln in links:
        if not ln.common_source:
            continue
        x, y = node[ln.a], node[ln.b]
        if x == y:
            continue
        edges[x].add(y)
        edges[y].add(x)
        cover[x] = max(cover[x], ln.prose_a)
        cover[y] = max(cover[y], ln.prose_b)
    members_of: dict[str, list[str]] = defaultdict(list)
    for r in order:
        members_of[node[r]].append(r)
    seen: set[str] = set()
    paraphrases: dict[str, str] = {}
    sources: list[SourceGroup] = []
    for start in sorted(edges, key=order.index):
        if start in seen:
            continue
        comp, todo = [], [start]
        seen.add(start)
        while todo:
            x = todo.pop()
            comp.append(x)
            for y in edges[x] - seen:
                seen.add(y)
                todo.append(y)

        def canonical(n: str) -> str:
            return copy_of[n] or n

        def score(n: str) -> tuple[int, str, float, str, str]:
            a = by_ref[canonical(n)]
            return (-len(edges[n]), a.published or "~", -cover[n], a.key, a.id)

        hub = min(comp, key=score)
        origin = canonical(hub)
        users: list[str] = []
        for n in sorted(edges[hub], key=order.index):
            for m in members_of[n]:
                paraphrases[m] = origin
                users.append(m)
        sources.append(SourceGroup(origin, sorted(users, key=order.index)))
    return paraphrases, sources


def _seen(p: Passage, other: str) -> dict[str, Any]:
    return {"start": p.a_start, "end": p.a_end, "other": other, "other_start": p.b_start,
            "other_end": p.b_end, "similarity": round(p.similarity, 4), "quoted": p.quoted,
            "passage_key": p.key}
