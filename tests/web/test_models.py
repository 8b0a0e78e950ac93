"""The API's pydantic models and the records of ``sayso.records`` name the same fields, with
the same optionality, in both directions (issue 20): ``web/models.py`` is written by hand for
the OpenAPI document, so this is what keeps it from drifting from the contract."""
from __future__ import annotations

import dataclasses
import types
import typing

import pytest

from sayso import records
from sayso.web import models

# Record fields the dicts (and so the API) never carry.
NOT_SERIALISED = {"Speaker": {"kind"}, "Article": {"extra"}, "Reaction": {"targets"}}
# Model fields the archive adds to a record it gives back (documented on the models), and
# the article record's optional parts a stored article never has (the archive keeps no
# headings or lead).
ARCHIVE_ONLY = {"Statement": {"trusted", "statement_id", "article_id", "article_ids"},
                "StoredArticle": {"headings", "lead"}}
PAIRS = [(records.Part, models.Part), (records.Speaker, models.Speaker),
         (records.Statement, models.Statement), (records.Article, models.Article),
         (records.SpeakerSummary, models.SpeakerSummary), (records.StoredArticle, models.StoredArticle),
         (records.Reaction, models.Reaction), (records.WeekCount, models.Week),
         (records.GraphNode, models.GraphNode), (records.GraphEvidence, models.GraphEvidence)]


def _record_nullable(cls) -> dict[str, bool]:
    hints = typing.get_type_hints(cls, vars(records))
    return {f.name: _allows_none(hints[f.name]) for f in dataclasses.fields(cls)
            if f.name not in NOT_SERIALISED.get(cls.__name__, set())}


def _allows_none(tp) -> bool:
    return tp is type(None) or (typing.get_origin(tp) in (typing.Union, types.UnionType)
                                and type(None) in typing.get_args(tp))


def _model_nullable(model) -> dict[str, bool]:
    skip = ARCHIVE_ONLY.get(model.__name__, set())
    return {name: _allows_none(f.annotation) for name, f in model.model_fields.items() if name not in skip}


@pytest.mark.parametrize("record, model", PAIRS, ids=[r.__name__ for r, _ in PAIRS])
def test_the_model_has_the_records_fields_and_their_optionality(record, model):
    assert _model_nullable(model) == _record_nullable(record)


def test_archive_only_fields_are_optional():
    for name in ARCHIVE_ONLY["Statement"]:
        assert not models.Statement.model_fields[name].is_required(), name


def test_the_checker_sees_a_difference():
    @dataclasses.dataclass
    class Rec:
        a: str
        b: "str | None" = None

    class Model(models.BaseModel):
        a: str
        b: str = ""

    assert _record_nullable(Rec) != _model_nullable(Model)


def test_an_article_without_headings_is_answered_as_before():
    art = records.Article("a1", title="T")
    assert models.Article.model_validate(art.to_dict()).model_dump(mode="json") == art.to_dict()
    full = records.Article("a1", headings=(records.Part("H", ((0, 1),)),), lead=records.Part("L", ((2, 3),)))
    assert models.Article.model_validate(full.to_dict()).model_dump(mode="json") == full.to_dict()


def test_a_stored_statement_adds_only_what_the_model_documents():
    """``StoredStatement`` wraps a statement; what it adds is among the model's archive-only
    fields (and ``article_id``, which only a search hit carries, stays null)."""
    added = {f.name for f in dataclasses.fields(records.StoredStatement)} - {"statement"}
    assert added <= ARCHIVE_ONLY["Statement"] and "article_id" not in added
    hit_added = {f.name for f in dataclasses.fields(records.StatementHit)} & ARCHIVE_ONLY["Statement"]
    assert hit_added == ARCHIVE_ONLY["Statement"]


def test_a_stored_article_is_answered_as_its_record():
    st = records.Statement("s1", "direct", records.Part("said", ((4, 8),)), records.Part("Go", ((10, 12),)),
                           speaker=records.Speaker("Ann Lee", "ann-lee"))
    art = records.StoredArticle("a1", "Ann said Go", (records.StoredStatement(st, "a1#s1", ("a1", "b2")),),
                                title="T", outlet="Gazette", hidden=2)
    out = models.StoredArticle.model_validate(art.to_dict()).model_dump(mode="json")
    want = art.to_dict()
    want["statements"] = [{**s, "article_id": None} for s in want["statements"]]
    assert out == want


def test_a_reaction_is_answered_as_its_record():
    st = records.Statement("s2", "indirect", records.Part("said", ((4, 8),)), records.Part("No", ((10, 12),)),
                           speaker=records.Speaker("Bob Stone", "bob-stone"), responds_to=("s1",))
    rx = records.Reaction("a1", "a1#s2", st, ("s1",), "bob-stone", "Bob Stone")
    assert models.Reaction.model_validate(rx.to_dict()).model_dump(mode="json") == rx.to_dict()


def test_a_week_and_a_graph_are_answered_as_their_records():
    week = records.WeekCount("2024-03-04", 2)
    assert models.Week.model_validate(week.to_dict()).model_dump(mode="json") == week.to_dict()
    node = records.GraphNode("ann-lee", "Ann Lee", "Other")
    assert models.GraphNode.model_validate(node.to_dict()).model_dump(mode="json") == node.to_dict()
    ev = records.GraphEvidence("a1", "s2", "a1#s2", "responds_to")
    assert models.GraphEvidence.model_validate(ev.to_dict()).model_dump(mode="json") == ev.to_dict()
