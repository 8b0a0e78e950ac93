"""Ratchet: the fast tier's PolNeAR dev figures, as printed by the independent scorer, never
fall below the level reached (cue 71.3, source 75.7, content 58.5, detection 75.1, end-to-end
68.3, quoted recall 87.3 with the two-tagger ensemble and the linker of this release). Raise the floors with a better model; never lower
them. The rule tier's output is one of the model's features, so a change to the rules can move
these figures too: retrain (``sayso train``) when it does."""
from __future__ import annotations

import pytest

from tests.extract.polnear import assert_floors, dev_figures, needs_dev

# exact-match F1 per part, attribution F1, and recall on quoted gold attributions (in %)
FLOORS = {
    ("exact", "cue", "f1"): 70.8,
    ("exact", "source", "f1"): 75.2,
    ("exact", "content", "f1"): 58.0,
    ("attribution", "detection", "f1"): 74.6,
    ("attribution", "end_to_end", "f1"): 67.8,
    ("subsets", "quoted", "detection_recall"): 86.8,
}


@pytest.mark.slow
@needs_dev
def test_fast_tier_dev_figures_stay_at_or_above_the_floor(nlp_fast, tmp_path):
    assert_floors(dev_figures(nlp_fast, tmp_path), FLOORS)
