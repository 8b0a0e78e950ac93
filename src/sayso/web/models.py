"""The HTTP API's request and response bodies (pydantic), mirroring the record contract of
``../shared/docs/statement-schema.md`` so that the OpenAPI document describes it.

The records of ``sayso.records`` are the contract; ``tests/web/test_models.py`` checks that
these models name the same fields with the same optionality, both ways, so the two cannot
drift apart."""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from sayso.records import TYPES

Span = Annotated[list[int], Field(min_length=2, max_length=2, description="[start, end) character offsets")]

# Text the archive can store on every back end: no NUL characters (PostgreSQL refuses them).
NO_NUL = r"^[^\x00]*$"
# An article's text: something other than white space, no NUL.
ARTICLE_TEXT = r"^[^\x00]*[^\x00\s][^\x00]*$"


class Part(BaseModel):
    text: str
    spans: list[Span]


class Speaker(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    id: str
    descriptors: list[str] = []
    organization: Optional[str] = None
    country: Optional[str] = None
    resolved_via: str = Field("name", description="name | pronoun | nominal | title")


class Statement(BaseModel):
    """A statement record of the schema. Statements read from the archive also carry
    ``statement_id`` (the archive's key), ``article_id`` (first article that reported it)
    and ``article_ids`` (all of them); their speaker has the archive's canonical id and name."""

    model_config = ConfigDict(extra="allow")

    id: str
    kind: Literal["direct", "indirect", "mixed"]
    type: Literal[TYPES] = Field(  # type: ignore[valid-type]
        "speech", description="What kind of attribution: said or wrote, thought, knew, intended, "
        "or evidence such as a study (PARC 3.0's types; docs/trust.md).")
    cue: Part
    source: Optional[Part] = None
    content: Part
    speaker: Optional[Speaker] = None
    date: Optional[str] = None
    place: Optional[str] = None
    event: Optional[str] = None
    channel: Optional[str] = None
    responds_to: list[str] = []
    flags: list[str] = []
    confidence: float
    trusted: Optional[bool] = Field(None, description="Statements from the archive: whether the "
                                    "trusted view (the default; `all=1`: everything) shows it.")
    statement_id: Optional[str] = None
    article_id: Optional[str] = None
    article_ids: Optional[list[str]] = None


class Article(BaseModel):
    """The article record of the schema, with ``statements``."""

    model_config = ConfigDict(extra="allow")

    id: str
    title: Optional[str] = None
    published: Optional[str] = None
    byline: Optional[str] = None
    url: Optional[str] = None
    language: str = "en"
    skipped: Optional[str] = Field(None, description="Why the article has no statements by design "
                                   "(a language sayso does not read); null otherwise.")
    statements: list[Statement]
    headings: list[Part] = Field([], description="Section headings, when the layout shows them "
                                 "(absent when none were found).")
    lead: Optional[Part] = Field(None, description="The lead paragraph (absent when none was found).")

    @model_serializer(mode="wrap")
    def _found_only(self, handler):
        """``headings`` and ``lead`` only when found, as the record gives them."""
        out = handler(self)
        if not out.get("headings"):
            out.pop("headings", None)
        if out.get("lead") is None:
            out.pop("lead", None)
        return out


class StoredArticle(Article):
    """An article from the archive: the schema's record plus ``text`` (exactly as stored:
    every span indexes it), ``outlet`` and ``hidden``."""

    text: str
    outlet: Optional[str] = None
    hidden: int = Field(0, description="Statements the trusted view leaves out (`all=1` shows them).")


class ArticleIn(BaseModel):
    """An article to analyse: its text (offsets in the answer index it exactly as sent) and
    optional metadata."""

    model_config = ConfigDict(extra="forbid")

    # no max_length: the server's text limit (create_app's max_text_chars) answers 413
    text: str = Field(..., min_length=1, pattern=ARTICLE_TEXT,
                      description="The article's text (UTF-8, not only white space; longer than "
                      "the server's limit, 1,000,000 characters by default, is a 413).")
    id: Optional[str] = Field(None, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$",
                              description="The article's id (default: a hash of the text).")
    title: Optional[str] = Field(None, max_length=1000, pattern=NO_NUL)
    published: Optional[date] = Field(None, description="Publication date (YYYY-MM-DD); "
                                      "dates the text gives without a year are read relative to it.")
    url: Optional[str] = Field(None, max_length=2000, pattern=NO_NUL)


class Page(BaseModel):
    total: int = Field(..., description="How many match in all.")
    offset: int
    limit: int


class StatementPage(Page):
    statements: list[Statement]


class SpeakerSummary(BaseModel):
    id: str
    name: str
    kind: str = Field(..., description="person | organization | place")
    aliases: list[str]
    descriptors: list[str]
    organization: Optional[str] = None
    country: Optional[str] = None
    statements: int
    articles: int
    wikidata: Optional[str] = Field(None, description="Wikidata id from the user's registry (sayso speakers import)")


class SpeakerPage(Page):
    speakers: list[SpeakerSummary]


class Week(BaseModel):
    week: str = Field(..., description="Monday of the week, YYYY-MM-DD")
    count: int


class Reaction(BaseModel):
    model_config = ConfigDict(extra="allow")

    article_id: str
    statement_id: str
    speaker_id: Optional[str] = None
    speaker_name: Optional[str] = None
    responds_to: list[str]
    statement: dict[str, Any]


class SpeakerDetail(SpeakerSummary):
    timeline: list[Week] = Field(..., description="Statements per week (statement date, else publication date).")
    undated: int = Field(..., description="Statements with no date at all.")
    reactions: list[Reaction] = Field(..., description="Statements of others that react to this speaker's.")


class Error(BaseModel):
    detail: Any


class DigestStatement(Statement):
    """A statement record (with ``article_id``, ``article_ids``, ``statement_id``) and its
    digest line."""

    article_id: str
    line: str = Field(..., description="The sentence, assembled from the stored fields.")
    said_on: Optional[str] = Field(None, description="The date used for ordering (ISO).")
    href: str = Field(..., description="The statement in its article: /articles/{article_id}#{id}.")


class DigestGroup(BaseModel):
    name: str = Field(..., description='A country, an organisation, a speaker, or "Other".')
    statements: list[DigestStatement]


class Digest(BaseModel):
    query: str
    group_by: Literal["country", "organization", "speaker"]
    since: Optional[str] = None
    until: Optional[str] = None
    groups: list[DigestGroup]


class GraphNode(BaseModel):
    id: str
    name: str
    group: str


class GraphEvidence(BaseModel):
    article_id: str
    local_id: str
    statement_id: str
    via: Literal["responds_to", "names"]


class GraphEdge(BaseModel):
    source: str
    target: str
    count: int
    evidence: list[GraphEvidence]


class ReactionGraph(BaseModel):
    nodes: list[GraphNode]
    edges: list[GraphEdge]
