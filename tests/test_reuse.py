"""Reuse: duplicates, copies, shared passages, provenance, independent accounts, index, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from newsdesk.cli import app
from newsdesk.model import Article, passage_key
from newsdesk.reuse import ReuseIndex, ReuseOptions, ReuseStep, align, analyse_reuse
from newsdesk.reuse.lsh import anchor_pairs, band_pairs, unpack, verify
from newsdesk.reuse.minhash import SketchParams, sketch_texts, word_hashes
from newsdesk.store import Store
from test_reuse_texts import (
    INDEPENDENT,
    STATEMENT,
    UNRELATED,
    WIRE,
    art,
    port_corpus,
)


def _link(res, a: str, b: str):  # type: ignore[no-untyped-def]
    for ln in res.links:
        if {ln.a, ln.b} == {a, b}:
            return ln
    return None


# -- sketches ---------------------------------------------------------------------------

def test_word_hashes_ignore_case_quotes_and_position() -> None:
    h, off = word_hashes(["The port’s CRANES", "x y the port's cranes"])
    first = h[off[0] : off[1]]
    second = h[off[1] : off[2]]
    assert list(first) == list(second[2:])  # same words, same hashes, wherever they stand
    assert len(set(first.tolist())) == 4  # the, port, s, cranes


def test_hash_values_are_stable_across_runs() -> None:
    # Stored indexes depend on these exact values (no per-process seeding, unlike hash()):
    # if this fails, the hashing changed and stored indexes must be rebuilt.
    h, _ = word_hashes(["Velmora"])
    assert int(h[0]) == 0x1A978F7C95D1DAD1
    sk = sketch_texts(["The port of Velmora reopened on Wednesday"], SketchParams())
    assert sk.bands[0][:2].tolist() == [218336227, 3105457770]
    assert sk.fps[:2].tolist() == [643098693, 2253818489]


def test_identical_texts_share_every_band_and_unrelated_share_none() -> None:
    p = SketchParams()
    texts = ["\n\n".join(WIRE), "\n\n".join(WIRE), "\n\n".join(UNRELATED)]
    sk = sketch_texts(texts, p)
    assert (sk.bands[0] == sk.bands[1]).all()
    assert (sk.bands[0] != sk.bands[2]).all()
    assert sk.n_shingles[0] == sk.n_shingles[1] > 100


def test_band_collisions_track_jaccard() -> None:
    # One-permutation MinHash: the share of equal bins estimates the Jaccard similarity,
    # so a near copy shares many bands and a half-overlapping text fewer.
    rng = np.random.default_rng(3)
    vocab = [f"w{i}" for i in range(5000)]
    base = [vocab[i] for i in rng.integers(0, 5000, 600)]
    near = base[:570] + [vocab[i] for i in rng.integers(0, 5000, 30)]
    half = base[:300] + [vocab[i] for i in rng.integers(0, 5000, 300)]
    sk = sketch_texts([" ".join(base), " ".join(near), " ".join(half)], SketchParams())
    near_bands = int((sk.bands[0] == sk.bands[1]).sum())
    half_bands = int((sk.bands[0] == sk.bands[2]).sum())
    assert near_bands > 40  # J ~ 0.9: ~0.81 of 64 bands
    assert 2 < half_bands < near_bands  # J ~ 0.33: ~0.11 of 64 bands


def test_sketch_is_the_same_in_any_chunking_and_with_workers() -> None:
    texts = ["\n\n".join(x) for x in (WIRE, STATEMENT, INDEPENDENT, UNRELATED)] * 3
    a = sketch_texts(texts, SketchParams(), chunk=512)
    b = sketch_texts(texts, SketchParams(), chunk=2, workers=2)
    assert (a.bands == b.bands).all()
    assert (a.fps == b.fps).all() and (a.fp_off == b.fp_off).all()
    assert (a.anchors == b.anchors).all()


def test_short_and_empty_texts_are_handled() -> None:
    sk = sketch_texts(["", "two words", "one"], SketchParams())
    assert list(sk.n_shingles) == [0, 1, 1]
    assert (sk.bands[0] == 0).all()
    pairs = band_pairs(sk.bands, sk.n_shingles > 0)
    assert len(pairs) == 0


def test_sixteen_bit_fingerprints_give_nearly_the_same_overlap() -> None:
    texts = ["\n\n".join(WIRE), "\n\n".join(WIRE[:4])]
    i, j = np.array([0]), np.array([1])
    o32 = verify(sketch_texts(texts, SketchParams()), i, j)
    o16 = verify(sketch_texts(texts, SketchParams(fingerprint_bits=16)), i, j)
    assert o32.contain_j[0] == pytest.approx(1.0)
    assert abs(o16.jaccard[0] - o32.jaccard[0]) < 0.02


def test_band_pairs_and_bucket_cap() -> None:
    bands = np.array([[1, 9], [1, 8], [2, 8], [3, 7], [1, 6]], dtype=np.uint32)
    i, j = unpack(band_pairs(bands))
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 1), (0, 4), (1, 2), (1, 4)]
    capped = band_pairs(bands[:, :1], max_bucket=1)
    assert sorted(zip(*[x.tolist() for x in unpack(capped)], strict=True)) == [(0, 1), (0, 4)]


def test_anchor_pairs_need_enough_shared_anchors() -> None:
    texts = ["\n\n".join(STATEMENT), "\n\n".join(STATEMENT[:2]), "\n\n".join(UNRELATED)]
    sk = sketch_texts(texts, SketchParams())
    got = set(zip(*[x.tolist() for x in unpack(anchor_pairs(sk, min_shared=2))], strict=True))
    assert got == {(0, 1)}
    assert len(anchor_pairs(sk, min_shared=2, max_df=1)) == 0


# -- passages ---------------------------------------------------------------------------

def test_passages_have_offsets_on_both_sides() -> None:
    statement = art("statement", STATEMENT)
    rewrite_text = ("The government promised help on Thursday.\n\n" + STATEMENT[3] + "\n\n"
                    "Minister Tomas Hallbeck thanked the mediators for their patience and said "
                    "the deal protects both the livelihoods of port workers and the reputation "
                    "of the port.")
    rewrite = art("rewrite", rewrite_text.split("\n\n"))
    ps = align(statement, rewrite)
    assert len(ps) == 2
    by_sim = sorted(ps, key=lambda p: p.similarity)
    edited, verbatim = by_sim
    assert verbatim.similarity == 1.0
    assert statement.text[verbatim.a_start : verbatim.a_end] == STATEMENT[3]
    assert rewrite.text[verbatim.b_start : verbatim.b_end] == STATEMENT[3]
    assert verbatim.key == passage_key(STATEMENT[3])  # the NLP cache key of that paragraph
    assert 0.8 < edited.similarity < 1.0
    assert "settlement" in statement.text[edited.a_start : edited.a_end]
    assert "deal" in rewrite.text[edited.b_start : edited.b_end]
    assert edited.key is None
    assert not verbatim.quoted and not edited.quoted


def test_a_shared_quotation_is_marked_quoted() -> None:
    ps = align(art("statement", STATEMENT), art("independent", INDEPENDENT))
    assert len(ps) == 1 and ps[0].quoted


def test_reordered_paragraphs_are_still_found() -> None:
    a = art("a", STATEMENT)
    b = art("b", list(reversed(STATEMENT)))
    ps = align(a, b)
    assert len(ps) == len(STATEMENT)
    assert all(p.similarity == 1.0 and p.key for p in ps)


def test_unrelated_articles_share_no_passage() -> None:
    assert align(art("a", WIRE), art("b", UNRELATED)) == []


# -- analysis ---------------------------------------------------------------------------

def test_copies_duplicates_and_shared_passages_on_the_port_corpus() -> None:
    res = analyse_reuse(port_corpus())
    wire_ledger = _link(res, "ledger", "wire")
    assert wire_ledger.kind == "copy"
    assert wire_ledger.contain_b == pytest.approx(1.0)  # all of the wire is in the ledger
    assert wire_ledger.jaccard < 0.9  # furniture lowers Jaccard, not containment
    trimmed = _link(res, "trimmed", "wire")
    assert trimmed.kind == "copy" and trimmed.contain_a == pytest.approx(1.0)
    assert trimmed.jaccard < 0.7
    assert _link(res, "rewrite", "statement").kind == "shared"
    assert _link(res, "independent", "statement").kind == "shared"
    assert _link(res, "library", "wire") is None
    assert [g.members for g in res.groups] == [["wire", "ledger", "trimmed"]]
    prov = res.provenance
    assert prov["ledger"].copy_of == "wire" and prov["trimmed"].copy_of == "wire"
    assert prov["wire"].copy_of is None and prov["statement"].copy_of is None


def test_independent_accounts_collapse_copies_only() -> None:
    res = analyse_reuse(port_corpus())
    accounts = sorted(sorted(a.members) for a in res.accounts)
    # the rewrite of the statement is a paraphrase, not a copy: its own account
    assert accounts == [["independent"], ["ledger", "trimmed", "wire"], ["library"],
                        ["rewrite"], ["statement"]]
    assert res.independent_count == 5
    why = {(a, b): w for acc in res.accounts for a, b, w in acc.reasons}
    assert why == {("ledger", "trimmed"): "copy", ("ledger", "wire"): "copy",
                   ("trimmed", "wire"): "copy"}
    assert res.independent_count_of(["wire", "ledger", "independent"]) == 2
    assert res.independent_count_of(["rewrite", "statement", "library"]) == 3


def test_common_source_is_found_and_only_quotes_do_not_count() -> None:
    res = analyse_reuse(port_corpus())
    rewrite = _link(res, "rewrite", "statement")
    assert rewrite.common_source and rewrite.prose_passages >= 3
    quote = _link(res, "independent", "statement")
    assert not quote.common_source and quote.prose_passages == 0  # a shared quotation only
    assert [s.to_dict() for s in res.sources] == [{"origin": "statement",
                                                   "members": ["rewrite"]}]
    assert res.provenance["rewrite"].paraphrases == "statement"
    assert res.provenance["independent"].paraphrases is None
    assert res.provenance["statement"].paraphrases is None


def test_merging_common_sources_is_an_option() -> None:
    res = analyse_reuse(port_corpus(), ReuseOptions(merge_common_source=True))
    accounts = sorted(sorted(a.members) for a in res.accounts)
    assert ["rewrite", "statement"] in accounts
    assert ["independent"] in accounts  # quoting the same minister does not merge
    assert res.independent_count == 4


def test_exact_duplicate_under_another_key() -> None:
    a = art("first", WIRE, published="2025-03-12")
    b = art("second", WIRE, published="2025-03-11")
    res = analyse_reuse([a, b])
    assert res.links[0].kind == "duplicate"
    assert res.provenance["first"].copy_of == "second"  # the earlier one is canonical
    assert res.independent_count == 1


OWN_A = [
    "A crowd gathered at the harbour gates before dawn, some of them holding hand-painted "
    "banners thanking the negotiators.",
    "Traders at the fish market said business had been slow all week because the cold "
    "stores near the quay had been closed.",
    "Local officials declined to comment on the total cost of the strike to the city budget.",
    "Police reported no incidents as the first trucks left the container terminal at noon.",
    "The harbour cafe opened an hour early to serve coffee to the returning crane crews.",
]
OWN_B = [
    "Shipping agents in the capital said freight rates on the coastal route had doubled "
    "during the closure and would take weeks to settle.",
    "One timber merchant described the strike as the worst disruption since the floods of "
    "the previous decade.",
    "The union's spokesman said members would vote on the agreement again in the autumn.",
    "Rail operators added two extra freight trains a day to move containers inland.",
    "Weather forecasters expected calm seas for the rest of the week, easing the backlog.",
]


def test_same_agency_credit_joins_a_smaller_overlap() -> None:
    a = art("a", [WIRE[0], WIRE[1], *OWN_A], credits=["CNA"])
    b = art("b", [WIRE[0], WIRE[1], *OWN_B], credits=["cna"])
    c = art("c", [WIRE[0], WIRE[1], *OWN_B], credits=[])
    with_credit = analyse_reuse([a, b])
    link = _link(with_credit, "a", "b")
    # two shared paragraphs: not a copy, and too few passages for a common source ...
    assert link.kind == "shared" and link.prose_passages == 2
    assert link.prose_passages < ReuseOptions().source_min_passages
    # ... but both credit the agency for that text, so they count once
    assert with_credit.independent_count == 1
    assert with_credit.accounts[0].reasons == [("a", "b", "same agency")]
    assert analyse_reuse([a, c]).independent_count == 2


def test_result_does_not_depend_on_input_order() -> None:
    arts = port_corpus()
    one = analyse_reuse(arts).to_dict()
    two = analyse_reuse(list(reversed(arts))).to_dict()
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)


def test_options_are_validated_with_a_fix() -> None:
    with pytest.raises(ValueError, match="power of two"):
        analyse_reuse([], ReuseOptions(num_perm=100))
    with pytest.raises(ValueError, match="between 0 and 1"):
        analyse_reuse([], ReuseOptions(copy_containment=1.5))


def test_reuse_step_annotates_articles() -> None:
    arts = port_corpus()
    out = ReuseStep().process_batch(arts)
    by_key = {a.key: a for a in out}
    ledger = by_key["ledger"]
    assert ledger.meta["reuse"]["copy_of"] == "wire"
    assert ledger.meta["reuse"]["independent_sources_in_batch"] == 5
    spans = ledger.annotations["passages"]
    assert spans
    for s in spans:
        other = next(a for a in out if a.key == s.attrs["other_key"])
        mine = ledger.text[s.start : s.end]
        theirs = other.text[s.attrs["other_start"] : s.attrs["other_end"]]
        if s.attrs["similarity"] == 1.0:
            assert mine.lower() == theirs.lower()
        if s.attrs["passage_key"]:
            assert passage_key(mine) == s.attrs["passage_key"]


# -- the incremental index ---------------------------------------------------------------

def _dump(res) -> str:  # type: ignore[no-untyped-def]
    return json.dumps(res.to_dict(), sort_keys=True)


def test_index_matches_batch_whatever_the_arrival_order() -> None:
    arts = port_corpus()
    batch = _dump(analyse_reuse(arts))
    for order in (arts, list(reversed(arts)), arts[3:] + arts[:3]):
        s = Store(":memory:")
        ix = ReuseIndex(s)
        for a in order:  # one article at a time, as a feed would deliver them
            s.add_articles([a])
            ix.update()
        assert _dump(ix.result()) == batch
        s.close()


def test_index_update_is_idempotent_and_incremental(store: Store) -> None:
    arts = port_corpus()
    store.add_articles(arts[:3])
    ix = ReuseIndex(store)
    first = ix.update()
    assert first.indexed == 3 and first.links_added == 3
    again = ix.update()
    assert again.indexed == 0 and again.links_added == 0
    store.add_articles(arts[3:])
    later = ReuseIndex(store).update()
    assert later.indexed == len(arts) - 3
    res = ReuseIndex(store).result()
    assert res.independent_count == 5
    sub = ReuseIndex(store).result([(a.key, a.id) for a in arts[:2]])
    assert [i.ref for i in sub.articles] == ["ledger", "wire"]
    assert sub.independent_count == 1


def test_index_rebuilds_when_options_change(store: Store) -> None:
    store.add_articles(port_corpus())
    ReuseIndex(store).update()
    strict = ReuseOptions(copy_min_jaccard=0.9)
    ix = ReuseIndex(store, strict)
    assert ix.rebuilt
    res = ix.result()
    assert _link(res, "ledger", "wire").kind == "shared"  # not a copy under these options
    assert ReuseIndex(store, strict).rebuilt is False


def test_passage_keys_are_indexed_for_the_nlp_cache(store: Store) -> None:
    store.add_articles(port_corpus())
    ix = ReuseIndex(store)
    ix.update()
    where = ix.passage_locations(passage_key(WIRE[2]))
    assert sorted(k for k, *_ in where) == ["ledger", "trimmed", "wire"]
    for key, _id, start, end in where:
        a = next(x for x in port_corpus() if x.key == key)
        assert a.text[start:end] == WIRE[2]


def test_index_refuses_an_unknown_article(store: Store) -> None:
    ix = ReuseIndex(store)
    with pytest.raises(Exception, match="ingest it"):
        ix.result([("nope", "0000")])


# -- CLI -------------------------------------------------------------------------------

def _write_corpus(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    recs = []
    for a in port_corpus():
        recs.append(json.dumps({"id": a.key, "source": a.source, "published": a.published,
                                "text": a.text}))
    (d / "reports.jsonl").write_text("\n".join(recs) + "\n")
    return d


def test_cli_reuse_json(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["reuse", str(_write_corpus(tmp_path)), "--format", "json",
                              "--db", str(tmp_path / "s.db")])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["independent_sources"] == 5
    # ingest cleaned the furniture off the ledger's copy: now an exact duplicate of the wire
    (group,) = data["copy_groups"]
    assert sorted(group["members"]) == ["ledger", "trimmed", "wire"]
    prov = data["provenance"]
    assert prov["trimmed"]["copy_of"] == group["canonical"] in ("ledger", "wire")
    dup = [ln for ln in data["links"] if {ln["a"], ln["b"]} == {"ledger", "wire"}]
    assert dup[0]["kind"] == "duplicate"
    assert any(ln["kind"] == "shared" for ln in data["links"])
    # a second run on the same store reuses the index and says the same
    again = runner.invoke(app, ["reuse", "--format", "json", "--db", str(tmp_path / "s.db")])
    assert json.loads(again.stdout)["independent_sources"] == 5


def test_cli_reuse_table(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["reuse", str(_write_corpus(tmp_path)), "--db", ":memory:"])
    assert res.exit_code == 0, res.output
    assert "5 independent account(s)" in res.stdout
    assert "copy groups" in res.stdout and "shared passages" in res.stdout
    assert "wire" in res.stdout and "(quote)" in res.stdout


def test_articles_added_after_the_newest_were_deleted_are_still_indexed() -> None:
    """The indexed-up-to mark must not hide an article that reuses a deleted rowid."""
    base = ("The harbour authority of Port Meridel said on Monday that the new grain "
            "terminal will open in June after two years of building work on the quay.")
    with Store(":memory:") as s:
        s.add_articles([Article(key="a", text=base), Article(key="b", text="Unrelated words "
                                                             "about a football match.")])
        ReuseIndex(s).update()
        with s.transaction() as db:
            db.execute("DELETE FROM articles WHERE key = 'b'")
        s.add_articles([Article(key="c", text=base + " Ships queued outside.")])
        assert ReuseIndex(s).update().indexed == 1
        links = ReuseIndex(s).result().links
        assert {(x.a, x.b) for x in links} == {("a", "c")}
