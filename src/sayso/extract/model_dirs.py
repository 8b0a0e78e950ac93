"""The environment variables that point a trained tier at a model directory of its own.

Here, not in ``nlp.py``, because the tiers' prediction code reads them too, and the loader
imports the tiers: with the names in the loader each would need the other.
"""
from __future__ import annotations

FAST_MODEL_ENV = "SAYSO_FAST_MODEL"  # a fast-tier model directory other than the packaged one
BEST_MODEL_ENV = "SAYSO_BEST_MODEL"  # a best-tier model directory other than the packaged one
