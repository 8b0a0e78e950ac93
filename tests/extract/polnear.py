"""Scoring a pipeline on PolNeAR dev with the independent scorer, for the ratchet tests."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sayso.pipeline import Document, analyse_many
from tests.conftest import SHARED

DEV = SHARED / "data" / "polnear" / "dev.jsonl"
SCORER = SHARED / "eval" / "score.py"

needs_dev = pytest.mark.skipif(not (DEV.exists() and SCORER.exists()),
                               reason="../shared PolNeAR dev or scorer absent")


def dev_figures(nlp, tmp_path) -> dict:
    """The scorer's JSON figures for ``nlp`` over PolNeAR dev."""
    gold = [json.loads(line) for line in DEV.read_text("utf-8").splitlines() if line.strip()]
    pred = tmp_path / "pred.jsonl"
    with pred.open("w", encoding="utf-8") as f:
        for article in analyse_many((Document(g["text"], id=g["id"]) for g in gold), nlp):
            f.write(json.dumps(article.to_attributions()) + "\n")
    out = subprocess.run([sys.executable, str(SCORER), str(DEV), str(pred), "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def assert_floors(result: dict, floors: dict) -> None:
    for (group, part, metric), floor in floors.items():
        value = result[group][part][metric]
        value = 100 * value if value <= 1 else value
        assert value >= floor, f"{group}.{part}.{metric} fell to {value:.1f} (floor {floor})"
