"""The speaker dev set (eval/speakers/polnear_dev.jsonl) still fits PolNeAR dev: offsets in
the article, source text at the offsets, article hashes unchanged, kinds from the four the
bench reports, and enough hand-annotated pronoun and nominal sources. Fast: no parsing."""
from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest

from tests.conftest import REPO, SHARED

DEV = SHARED / "data" / "polnear" / "dev.jsonl"
CASES = REPO / "eval" / "speakers" / "polnear_dev.jsonl"
KINDS = {"pronoun", "nominal", "surname", "full_name"}
MIN_PRONOUN_NOMINAL = 300


def _cases() -> list[dict]:
    return [json.loads(line) for line in CASES.read_text("utf-8").splitlines() if line.strip()]


def test_cases_are_well_formed():
    rows = _cases()
    assert {r["kind"] for r in rows} <= KINDS
    assert len({(r["article"], *r["source"]) for r in rows}) == len(rows), "a source appears twice"
    for r in rows:
        assert len(r["source"]) == 2 and 0 <= r["source"][0] < r["source"][1]
        assert len(r["sha"]) == 12
        if r["expected"] is None:
            assert r["match"] == []
        else:
            assert r["match"] and all(isinstance(m, str) and m for m in r["match"])
    named = Counter(r["kind"] for r in rows if r["expected"])
    assert named["pronoun"] + named["nominal"] >= MIN_PRONOUN_NOMINAL
    assert named["surname"] and named["full_name"]


def test_no_article_text_beyond_the_source_span():
    allowed = {"article", "sha", "source", "source_text", "kind", "expected", "match", "attributions", "annotated"}
    for r in _cases():
        assert set(r) <= allowed, set(r) - allowed


@pytest.mark.skipif(not DEV.exists(), reason="../shared PolNeAR dev absent")
def test_cases_fit_the_articles():
    articles = {}
    for line in DEV.read_text("utf-8").splitlines():
        if line.strip():
            a = json.loads(line)
            articles[a["id"]] = a
    for r in _cases():
        a = articles.get(r["article"])
        assert a is not None, r["article"]
        text = a["text"]
        assert hashlib.sha256(text.encode("utf-8")).hexdigest()[:12] == r["sha"], f"{r['article']}: text changed"
        s, e = r["source"]
        assert e <= len(text)
        assert text[s:e] == r["source_text"], (r["article"], r["source"])
        gold_sources = {tuple(at["source"][0]) for at in a["attributions"] if at["source"]}
        assert (s, e) in gold_sources, f"{r['article']} {r['source']}: not a gold source span"
        ids = {at["id"] for at in a["attributions"] if at["source"] and at["source"][0] == [s, e]}
        assert set(r["attributions"]) == ids
