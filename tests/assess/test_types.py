"""Attribution types, read as a user would: one sentence each, through the real pipeline."""
from __future__ import annotations

import pytest

from sayso.pipeline import analyse


def _types(text: str, nlp) -> list[tuple[str, str]]:
    return [(s.cue.text, s.type) for s in analyse(text, nlp).statements]


@pytest.mark.parametrize("text,cue,expected", [
    ("The mayor said the bridge would close on Monday.", "said", "speech"),
    ("The senator wrote that the bill would fail in the House.", "wrote", "writing"),
    ("The minister said in a statement that the port would reopen.", "said", "writing"),
    ("The governor believes that the tax will hurt small farms.", "believes", "thought"),
    ("The coach knows that his team is tired after the long season.", "knows", "knowledge"),
    ("The company wants to buy the old factory next year.", "wants", "intention"),
    ("A new poll found that most voters oppose the plan.", "found", "evidence"),
    ("The inspector found that the brakes had failed.", "found", "speech"),
    # a written thing inside the content says nothing of how it was said
    ("The senator said the email had been deleted by mistake.", "said", "speech"),
    # 'read' with a written thing as subject gives its words; a person reading learns
    ("The letter reads: \u201cWe will not accept the new contract.\u201d", "reads:", "writing"),
    ("The sign outside the plant read \u201cNo new hires until March.\u201d", "read", "writing"),
    ("The minister read that the plant would close.", "read", "knowledge"),
    # a person who reads out a text gives its words
    ("The union's negotiator read a statement to the workers: \u201cWe did not get everything we asked for.\u201d",
     "read", "writing"),
    ("All signs point to a strike at the plant next week.", "point to", "speech"),
    # a court speaks through its written rulings
    ("The appeals court found that the county had broken the law.", "found", "writing"),
    # hoping is wanting, however the lemmatiser reads 'hopes'; declining and refusing are too
    ("The family hopes the fundraiser will raise money for her care.", "hopes", "intention"),
    ("The organizers are hoping that the event will draw more readers.", "are hoping", "intention"),
    ("The tram operator declined to comment on the delays.", "declined", "intention"),
    ("The senator refused to say whether she would run again.", "refused", "intention"),
    # a newspaper writes; a report by a named author that says is writing, one that shows is evidence
    ("The Bronx Times reported that the church would close.", "reported", "writing"),
    ("A new report by the Congressional Budget Office says the deficit will grow.", "says", "writing"),
    ("A Pew Research Center report shows that most voters disapprove.", "shows", "evidence"),
    ("According to press reports, the talks collapsed.", "According to", "evidence"),
])
def test_the_cue_and_source_give_the_type(text, cue, expected, nlp):
    found = dict(_types(text, nlp))
    assert found.get(cue) == expected, found


def test_a_statement_with_no_source_and_no_speaker_is_flagged_unattributed(nlp):
    text = "It was reported that the talks had collapsed. The mayor said the bridge would close."
    article = analyse(text, nlp)
    by_cue = {s.cue.text: s for s in article.statements}
    assert "unattributed" not in by_cue["said"].flags
    unattributed = [s for s in article.statements if s.source is None and s.speaker is None]
    assert all("unattributed" in s.flags for s in unattributed)
