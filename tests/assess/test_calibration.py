"""The calibrated confidence: a probability, and higher where the evidence is stronger."""
from __future__ import annotations

from sayso.assess.calibration import FEATURES, load_calibrator
from sayso.pipeline import analyse


def test_the_shipped_model_matches_the_features_it_is_read_with():
    cal = load_calibrator()
    assert len(cal.weights) == len(FEATURES)
    assert cal.prior("said") > cal.prior("hamster")  # a cue word in train, and a word that never is


def test_a_quoted_named_statement_is_trusted_more_than_a_wish(nlp_fast):
    text = ('"We will rebuild the bridge by spring," Mayor Anna Kowalski said on Monday.\n\n'
            'Some people want to see more buses.')
    article = analyse(text, nlp_fast)
    conf = {s.cue.text: s.confidence for s in article.statements}
    assert 0.0 <= min(conf.values()) and max(conf.values()) <= 1.0
    assert conf["said"] > 0.8
    assert conf.get("want", 0.0) < conf["said"]


def test_dialogue_whose_speakers_are_never_named_in_full_is_trusted_less(nlp_fast):
    """The same quotation, once on a page that names its speaker in full and once on a page
    where every speaker is a first name only, as in fiction or a game wiki's dialogue."""
    quote = '"The river is rising and the road will close tonight," {} said.\n\n'
    news = analyse(quote.format("Mayor Anna Kowalski") + quote.format("Kowalski"), nlp_fast)
    story = analyse(quote.format("Anna") + quote.format("Anna"), nlp_fast)
    assert [s.speaker.name for s in news.statements][:1] == ["Anna Kowalski"]
    assert all(s.speaker is None or len(s.speaker.name.split()) == 1 for s in story.statements)
    assert max(s.confidence for s in story.statements) < min(s.confidence for s in news.statements)
