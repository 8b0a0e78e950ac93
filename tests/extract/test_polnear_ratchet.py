"""Ratchet: the rule tier's PolNeAR dev figures, as printed by the independent scorer, never
fall below the level reached. Raise the floors when the rules improve; never lower them."""
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
    ("exact", "cue", "f1"): 64.0,
    ("exact", "source", "f1"): 68.0,
    ("exact", "content", "f1"): 53.5,
    ("attribution", "detection", "f1"): 67.0,
    ("attribution", "end_to_end", "f1"): 58.5,
    ("subsets", "quoted", "detection_recall"): 80.0,
}


@pytest.mark.slow
@pytest.mark.skipif(not (DEV.exists() and SCORER.exists()), reason="../shared PolNeAR dev or scorer absent")
def test_polnear_dev_figures_stay_at_or_above_the_floor(nlp, tmp_path):
    gold = [json.loads(line) for line in DEV.read_text("utf-8").splitlines() if line.strip()]
    docs = (Document(g["text"], id=g["id"]) for g in gold)
    pred = tmp_path / "pred.jsonl"
    with pred.open("w", encoding="utf-8") as f:
        for article in analyse_many(docs, nlp):
            f.write(json.dumps(article.to_attributions()) + "\n")
    out = subprocess.run([sys.executable, str(SCORER), str(DEV), str(pred), "--json"],
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    for (group, part, metric), floor in FLOORS.items():
        value = result[group][part][metric]
        value = 100 * value if value <= 1 else value
        assert value >= floor, f"{group}.{part}.{metric} fell to {value:.1f} (floor {floor})"
