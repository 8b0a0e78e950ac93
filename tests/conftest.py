"""Shared fixtures: the real pinned spaCy pipeline, loaded once per test session."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def nlp():
    """The rule tier (the rule tests' subject, whichever tier is the default)."""
    from sayso import nlp as nlp_mod

    return nlp_mod.load(accuracy="rules")


@pytest.fixture(scope="session")
def nlp_fast():
    """The trained fast tier, with the shipped model."""
    from sayso import nlp as nlp_mod

    return nlp_mod.load(accuracy="fast")


@pytest.fixture(scope="session")
def extract(nlp):
    """text -> list of statements, through the real pipeline."""

    def run(text: str):
        return list(nlp(text)._.statements)

    return run
