"""Attribution patterns added for issue 15 (round 2, chosen on PolNeAR's train split with
``bench/attribution_errors.py``), each on our own invented sentences with known answers:
support-verb nouns, pro-form contents, "as X observed", passives with an agent, "for ...
to" clauses, a generic verb + "that" clause, raised subjects and the mined cues."""

from __future__ import annotations

import pytest

from newsdesk.extract.quotes import Attribution, find_attributions, find_quotes
from newsdesk.model import Article
from newsdesk.nlp import parse_article


def _one(text: str, cue_word: str) -> Attribution:
    atts = [a for a in find_attributions(text)
            if a.cue is not None and cue_word in text[a.cue[0]:a.cue[1]]]
    assert len(atts) == 1, (text, [(a.cue, a.source, a.content) for a in find_attributions(text)])
    return atts[0]


def _parts(text: str, a: Attribution) -> tuple[str | None, list[str]]:
    src = text[a.source[0]:a.source[1]] if a.source else None
    return src, [text[s:e] for s, e in a.content]


@pytest.mark.parametrize(("text", "cue_word", "source", "content", "kind"), [
    # a support verb and a noun of saying with a "that" clause: speech
    ("Halvard made the case that the bridge pays for itself.", "case", "Halvard",
     ["that the bridge pays for itself"], "speech"),
    ("She made it clear that she would not resign.", "clear", "She",
     ["that she would not resign"], "speech"),
    # with only an object, what the remarks were about is a topic, not what was said
    ("Mayor Rivera made several remarks on the harbour budget.", "remarks", "Mayor Rivera",
     ["the harbour budget"], "topic"),
    # an attitude noun
    ("The union has serious doubts about the plan.", "doubts", "The union", ["the plan"],
     "thought"),
])
def test_support_verb_nouns(text: str, cue_word: str, source: str, content: list[str],
                            kind: str) -> None:
    a = _one(text, cue_word)
    assert _parts(text, a) == (source, content)
    assert a.kind == kind


def test_support_verb_without_a_cue_noun_is_no_attribution() -> None:
    assert find_attributions("The ferry company made a profit on the summer routes.") == []


@pytest.mark.parametrize(("text", "source", "content"), [
    ("Asked whether he would run again, the mayor said no.", "the mayor", ["no"]),
    ("Only 55 percent said so in the spring.", "Only 55 percent", ["so"]),
])
def test_pro_form_is_the_content(text: str, source: str, content: list[str]) -> None:
    assert _parts(text, _one(text, "said")) == (source, content)


def test_as_clause_reports_the_main_clause() -> None:
    text = "As Rivera observed, the vote was close."
    assert _parts(text, _one(text, "observed")) == ("Rivera", ["the vote was close"])


def test_passive_with_agent_reports_its_subject() -> None:
    text = "The closure was first reported by the Valmora Herald."
    assert _parts(text, _one(text, "reported")) == ("the Valmora Herald", ["The closure"])


def test_for_to_clause_is_the_content() -> None:
    text = "Castell called for the ferry service to be restored by spring."
    src, content = _parts(text, _one(text, "called"))
    assert src == "Castell"
    assert content == ["the ferry service to be restored by spring"]


def test_any_verb_with_a_that_clause_is_a_thought() -> None:
    text = "The council senses that the budget is short."
    a = _one(text, "senses")
    assert _parts(text, a) == ("The council", ["that the budget is short"])
    assert a.kind == "thought"
    # "seem"/"mean" + that: no one holds the view
    assert find_attributions("It seems that the budget is short.") == []
    assert find_attributions("The delay means that the budget is short.") == []


def test_raised_subject_through_an_adjective() -> None:
    text = "Voters were more likely to say that the tax was unfair."
    assert _parts(text, _one(text, "say")) == ("Voters", ["that the tax was unfair"])


def test_cue_with_particle_after_a_quotation() -> None:
    text = '"The dock is safe," Rivera points out.'
    a = _one(text, "points")
    assert _parts(text, a) == ("Rivera", ['"The dock is safe,"'])
    assert a.direct


@pytest.mark.parametrize(("text", "cue_word", "source", "content_word", "kind"), [
    ("The fishermen's union sued the port authority over the contract.", "sued",
     "The fishermen's union", "port authority", "topic"),
    # "accuse ... of" as the parse attaches it (speech), or with "of" on the object
    ("Councillor Mehta accused the harbour board of hiding the accounts.", "accused",
     "Councillor Mehta", "hiding", "speech"),
    ("The ministry released a timetable for the new ferries.", "released", "The ministry",
     "timetable", "topic"),
    ("The campaign is trying to convince undecided voters.", "convince", "The campaign",
     "voters", "topic"),
    ("Senator Hale voted against the harbour bill.", "voted", "Senator Hale", "harbour bill",
     "thought"),
])
def test_mined_cues_round_two(text: str, cue_word: str, source: str,
                              content_word: str, kind: str) -> None:
    a = _one(text, cue_word)
    src, content = _parts(text, a)
    assert src == source
    assert any(content_word in c for c in content)
    assert a.kind == kind  # the mined cues are topics: not shown among the brief's quotes


def test_new_topic_and_thought_patterns_stay_out_of_speech_quotes() -> None:
    # find_quotes (the brief's quotes) uses speech cues only: the support-verb topic, the
    # generic "that" thought and the mined topic cues add nothing there
    text = ("Mayor Rivera made several remarks on the harbour budget. The council senses "
            "that the budget is short. The ministry released a timetable for the new "
            "ferries. Halvard made the case that the bridge pays for itself.")
    art = Article(key="t", text=text)
    quotes = find_quotes(art, parse_article(art), [])
    assert [(q.attrs["speaker"], q.attrs["content"]) for q in quotes] == [
        ("Halvard", "that the bridge pays for itself")]


def test_an_age_can_speak() -> None:
    # spaCy tags "46-year-old" DATE; as the subject of "said" it is still the speaker
    text = "\u201cRivera has always been a fighter,\u201d said the 46-year-old."
    a = _one(text, "said")
    assert _parts(text, a) == ("the 46-year-old",
                               ["\u201cRivera has always been a fighter,\u201d"])


def test_quotation_punctuation_hung_on_the_speaker() -> None:
    # the parse puts the quotation's closing comma and mark in the speaker's subtree
    text = "\u201cWe are ready,\u201d Sarandon, 69, told reporters on Monday."
    a = _one(text, "told")
    assert _parts(text, a) == ("Sarandon, 69", ["\u201cWe are ready,\u201d"])


# --------------------------------------------------------------------------- round 3
# (issue 15, 2026-12-07: patterns chosen from polnear-train's miss classes; the sentences
# here are invented)


def test_third_person_lemma_is_repaired() -> None:
    # spaCy's small model lemmatises "hopes" as "hop"; the lexicon knows "hope"
    text = "Councillor Mehta hopes to reopen the pier before the summer."
    a = _one(text, "hopes")
    assert _parts(text, a) == ("Councillor Mehta", ["to reopen the pier before the summer"])
    assert a.kind == "thought"


@pytest.mark.parametrize(("text", "cue_word", "source", "content"), [
    ("The harbour board was quick to reject the new timetable.", "was", "The harbour board",
     ["to reject the new timetable"]),
    ("Halvard is a vocal supporter of the bridge tax.", "is", "Halvard", ["the bridge tax"]),
])
def test_more_attitudes_after_be(text: str, cue_word: str, source: str,
                                 content: list[str]) -> None:
    a = _one(text, cue_word)
    assert _parts(text, a) == (source, content)
    assert a.kind == "thought"


@pytest.mark.parametrize(("text", "kind"), [
    ("Halvard: Ferry fares must fall before winter.\n\nThe harbour council met on Monday.",
     "speech"),
    ("Poll: Most islanders back the new bridge.\n\nThe harbour council met on Monday.",
     "evidence"),
])
def test_headline_colon(text: str, kind: str) -> None:
    atts = find_attributions(text)
    assert len(atts) == 1
    head = text.split(":")[0]
    assert _parts(text, atts[0]) == (head, [text[len(head) + 2:text.index(".")]])
    assert atts[0].kind == kind
    # only the first line is a headline
    later = "The harbour council met on Monday.\n\n" + text.split("\n\n")[0]
    assert find_attributions(later) == []


@pytest.mark.parametrize("first", [
    "Explainer: Why ferry fares must fall before winter.",
    "Timeline: How the harbour plan was agreed.",
    "Editor\u2019s note: This story was updated on Monday.",
])
def test_a_genre_label_before_a_colon_is_no_speaker(first: str) -> None:
    text = first + "\n\nThe harbour council met on Monday."
    assert find_attributions(text) == []


def test_sentence_opening_in_a_poll() -> None:
    text = "In a Harbour Times poll released Monday, Rivera led Halvard by four points."
    a = _one(text, "In")
    assert _parts(text, a) == ("a Harbour Times poll released Monday",
                               ["Rivera led Halvard by four points"])
    assert a.kind == "evidence"
    # not where the clause has a cue of its own, nor in the middle of a sentence
    text = "In a recent study, two economists found that ferries pay for themselves."
    assert [text[a.source[0]:a.source[1]] for a in find_attributions(text)] == [
        "two economists"]
    assert find_attributions("Rivera leads in the latest poll by four points.") == []


@pytest.mark.parametrize(("text", "source", "content"), [
    ("Mr. Rivera made clear over the weekend that the ferry will run.", "Mr. Rivera",
     ["that the ferry will run"]),
    ("However, officials with the harbour board made clear Monday they have no plans to pay.",
     "officials with the harbour board", ["they have no plans to pay"]),
])
def test_made_clear_with_words_between(text: str, source: str, content: list[str]) -> None:
    a = _one(text, "made clear")
    assert _parts(text, a) == (source, content)
    assert a.kind == "speech"


@pytest.mark.parametrize(("text", "content"), [
    ("As Rivera put it, the vote was close.", ["the vote was close"]),
    ("Or, as Halvard put it: \u201cThe ferry is late again.\u201d",
     ["\u201cThe ferry is late again.\u201d"]),
])
def test_as_someone_put_it(text: str, content: list[str]) -> None:
    a = _one(text, "put")
    assert _parts(text, a)[1] == content
    assert text[a.source[0]:a.source[1]] in ("Rivera", "Halvard")
    assert a.kind == "speech"
    # a plain "put" is no cue
    assert find_attributions("Rivera put the boxes on the pier.") == []


def test_object_of_a_causative_verb_is_the_speaker() -> None:
    text = "The defeat prompted Councillor Mehta to declare that the plan was dead."
    a = _one(text, "declare")
    assert _parts(text, a) == ("Councillor Mehta", ["that the plan was dead"])


@pytest.mark.parametrize(("text", "source", "content", "kind"), [
    ("Rivera's answer was that the ferry pays for itself.", "Rivera's",
     ["that the ferry pays for itself"], "speech"),
    ("Their fear is that the harbour will close.", "Their", ["that the harbour will close"],
     "thought"),
])
def test_owned_noun_before_be(text: str, source: str, content: list[str], kind: str) -> None:
    a = _one(text, "is" if " is " in text else "was")
    assert _parts(text, a) == (source, content)
    assert a.kind == kind
    assert find_attributions("His goal is growth.") == []


@pytest.mark.parametrize(("text", "cue_word", "source"), [
    # a participle on the verb's object: the one who sent it speaks
    ("The mayor's office put out a statement saying that the pier would reopen.", "saying",
     "The mayor's office"),
    ("Councillor Mehta emailed supporters saying that the vote was rigged.", "saying",
     "Councillor Mehta"),
    # an infinitive on a noun: the subject of the clause the noun is in
    ("Rivera mounted a public campaign to condemn the harbour deal.", "condemn", "Rivera"),
])
def test_speaker_of_a_participle_or_infinitive_on_a_noun(text: str, cue_word: str,
                                                         source: str) -> None:
    assert _parts(text, _one(text, cue_word))[0] == source


# --------------------------------------------------------------------------- round 4


@pytest.mark.parametrize(("text", "source", "content"), [
    ("Mayor Rivera leads Halvard by six points in a Harbour Times poll released on Monday.",
     "a Harbour Times poll released on Monday", ["Mayor Rivera leads Halvard by six points"]),
    ("Support for the ferry plan rose to 48 percent in a Valmora Herald survey, up from 41 "
     "percent in June.", "a Valmora Herald survey",
     ["Support for the ferry plan rose to 48 percent", "up from 41 percent in June"]),
])
def test_mid_sentence_in_a_poll(text: str, source: str, content: list[str]) -> None:
    a = _one(text, "in")
    assert _parts(text, a) == (source, content)
    assert a.kind == "evidence"


def test_in_the_polls_is_no_source() -> None:
    assert find_attributions("Mayor Rivera has gained ground in the polls since March.") == []


def test_a_poll_keeps_the_report_inside_it() -> None:
    text = ("The bridge plan drew 61 percent support in a poll, and 40 percent of voters said "
            "the tolls were too high.")
    sources = sorted(text[a.source[0]:a.source[1]] for a in find_attributions(text)
                     if a.source)
    assert sources == ["40 percent of voters", "a poll"]


def test_who_was_told_is_not_the_speaker() -> None:
    # a parse (built by hand) that gives "told" no subject: the name after the cue is its
    # object, so the speaker is the name before the age
    from spacy.tokens import Doc

    from newsdesk.extract.quotes import _parse_attributions
    from newsdesk.nlp import load_nlp

    words = ["\u201c", "We", "were", "wrong", ",", "\u201d", "Varga", ",", "58", ",", "told",
             "KNA", "."]
    spaces = [False, True, True, False, False, True, False, True, False, True, True, False,
              False]
    heads = [2, 2, 2, 2, 2, 2, 2, 6, 6, 6, 2, 10, 2]
    deps = ["punct", "nsubj", "ROOT", "acomp", "punct", "punct", "npadvmod", "punct",
            "appos", "punct", "conj", "dobj", "punct"]
    pos = ["PUNCT", "PRON", "AUX", "ADJ", "PUNCT", "PUNCT", "PROPN", "PUNCT", "NUM", "PUNCT",
           "VERB", "PROPN", "PUNCT"]
    tags = ["``", "PRP", "VBD", "JJ", ",", "''", "NNP", ",", "CD", ",", "VBD", "NNP", "."]
    lemmas = ["\u201c", "we", "be", "wrong", ",", "\u201d", "Varga", ",", "58", ",", "tell",
              "KNA", "."]
    doc = Doc(load_nlp().vocab, words=words, spaces=spaces, heads=heads, deps=deps, pos=pos,
              tags=tags, lemmas=lemmas, sent_starts=[True] + [False] * 12)
    text = doc.text
    atts = [a for a in _parse_attributions(doc, frozenset({"speech"})) if a.cue is not None]
    assert [(text[a.source[0]:a.source[1]], [text[s:e] for s, e in a.content])
            for a in atts if a.source] == [("Varga", ["\u201cWe were wrong,\u201d"])]
