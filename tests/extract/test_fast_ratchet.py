"""Ratchet: the fast tier's PolNeAR dev figures, as printed by the independent scorer, never
fall below the level the shipped model reached (cue 69.9, source 74.1, content 56.5, detection
72.2, end-to-end 64.4 when it was trained). Raise the floors with a better model; never lower
them. The rule tier's output is one of the model's features, so a change to the rules can move
these figures too: retrain (``sayso train``) when it does."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sayso.pipeline import Document, analyse_many
from tests.conftest import SHARED

DEV = SHARED / "data" / "polnear" / "dev.jsonl"
SCORER = SHARED / "eval" / "score.py"

# exact-match F1 per part, attribution F1, and recall on quoted gold attributions (in %)
FLOORS = {
    ("exact", "cue", "f1"): 69.2,
    ("exact", "source", "f1"): 73.4,
    ("exact", "content", "f1"): 55.8,
    ("attribution", "detection", "f1"): 71.5,
    ("attribution", "end_to_end", "f1"): 63.7,
    ("subsets", "quoted", "detection_recall"): 82.0,
}


@pytest.mark.slow
@pytest.mark.skipif(not (DEV.exists() and SCORER.exists()), reason="../shared PolNeAR dev or scorer absent")
def test_fast_tier_dev_figures_stay_at_or_above_the_floor(nlp_fast, tmp_path):
    gold = [json.loads(line) for line in DEV.read_text("utf-8").splitlines() if line.strip()]
    docs = (Document(g["text"], id=g["id"]) for g in gold)
    pred = tmp_path / "pred.jsonl"
    with pred.open("w", encoding="utf-8") as f:
        for article in analyse_many(docs, nlp_fast):
            f.write(json.dumps(article.to_attributions()) + "\n")
    out = subprocess.run([sys.executable, str(SCORER), str(DEV), str(pred), "--json"],
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    for (group, part, metric), floor in FLOORS.items():
        value = result[group][part][metric]
        value = 100 * value if value <= 1 else value
        assert value >= floor, f"{group}.{part}.{metric} fell to {value:.1f} (floor {floor})"
