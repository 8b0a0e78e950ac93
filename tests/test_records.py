"""The records are the contract: what they carry, what their dicts say (issue 20)."""
from __future__ import annotations

from sayso.records import Article, Part, Speaker, Statement


def _article(**kw) -> Article:
    sp = Speaker("Anna Kowalski", "anna-kowalski", ("Mayor",), kind="person")
    st = Statement("s1", "direct", Part("said", ((0, 4),)), Part("x", ((5, 6),)), speaker=sp, confidence=0.9)
    return Article("a1", (st,), title="T", **kw)


def test_optional_fields_leave_the_dict_as_it_was_unless_set():
    plain = _article().to_dict()
    assert list(plain) == ["id", "title", "published", "byline", "url", "language", "skipped", "statements"]
    assert "kind" not in plain["statements"][0]["speaker"]  # the schema's speaker record has no kind
    full = _article(headings=(Part("Reaction", ((10, 18),)),), lead=Part("Lead", ((20, 24),))).to_dict()
    assert full["headings"] == [{"text": "Reaction", "spans": [[10, 18]]}]
    assert full["lead"] == {"text": "Lead", "spans": [[20, 24]]}


def test_from_dict_reads_what_to_dict_wrote():
    art = _article(headings=(Part("Reaction", ((10, 18),)),), lead=Part("Lead", ((20, 24),)),
                   extra={"later": 1})
    back = Article.from_dict(art.to_dict())
    assert back.to_dict() == art.to_dict() and back.extra == {"later": 1}
    assert back.statements[0].speaker.kind is None  # not in the dict; a record that says gives it
    assert Speaker.from_dict({"name": "NATO", "id": "nato", "kind": "organization"}).kind == "organization"


def test_the_archive_takes_the_kind_the_resolver_knew(tmp_path):
    """A place whose country is not its own name ('America', 'United States') is a place,
    not the person the roles alone suggested."""
    import sqlalchemy as sa

    from sayso.store import Writer, open_engine
    from sayso.store.schema import speakers

    place = Speaker("America", "america", country="United States", kind="place")
    st = Statement("s1", "indirect", Part("said", ((0, 4),)), Part("that", ((5, 9),)), speaker=place)
    engine = open_engine(tmp_path / "a.db")
    Writer(engine).write(Article("a1", (st,)), "said that")
    with engine.connect() as conn:
        assert conn.execute(sa.select(speakers.c.kind, speakers.c.surname)).one() == ("place", None)
    engine.dispose()
