from newsdesk.model import Article, Span, body_id, passage_key, split_paragraphs


def test_same_body_same_id_whatever_spacing_and_quotes() -> None:
    a = body_id("He said “yes”.\n\nThen   left.")
    b = body_id('He said "yes".\n\nThen left.')
    assert a == b
    assert body_id("He said no.") != a


def test_paragraph_offsets_index_text() -> None:
    text = "First para.\n\n  Second para.\n\n\nThird."
    paras = split_paragraphs(text)
    assert [text[p.start : p.end] for p in paras] == ["First para.", "Second para.", "Third."]


def test_article_roundtrip_keeps_spans() -> None:
    a = Article(key="k", text="Drevin met Sato.", source="x.example")
    a.add("entities", [Span(0, 6, "PERSON", {"canonical": "Anatoly Drevin"})])
    b = Article.from_dict(a.to_dict())
    assert b == a
    assert b.annotations["entities"][0].text_in(b.text) == "Drevin"


def test_span_outside_text_is_refused() -> None:
    a = Article(key="k", text="short")
    try:
        a.add("x", [Span(0, 99, "X")])
    except ValueError as e:
        assert "outside article 'k'" in str(e)
    else:
        raise AssertionError("span outside the text was accepted")


def test_passage_key_ignores_case_and_spacing_only() -> None:
    assert passage_key("The  Minister said.") == passage_key("the minister said.")
    assert passage_key("The Minister said.") != passage_key("The Minister smiled.")
