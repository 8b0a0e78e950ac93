"""An archive of the reference article plus PolNeAR dev, built once per test session through
the real ingest path (readers → pipeline → Writer, parsing in this process)."""
from __future__ import annotations

import json

import pytest

from tests.conftest import SHARED

SEED = SHARED / "data" / "seed" / "000_fad6e7535a46780a.txt"
DEV = SHARED / "data" / "polnear" / "dev.jsonl"
SEED_ID = "seed-stoltenberg"


@pytest.fixture(scope="session")
def dev_archive(tmp_path_factory) -> str:
    """SQLite URL of the seed + dev archive (read-only for the tests)."""
    if not SEED.is_file() or not DEV.is_file():
        pytest.skip("the reference article and PolNeAR dev (../shared/data) are not here")
    from sayso import engine as engine_mod
    from sayso.readers import read_paths
    from sayso.store import open_engine

    root = tmp_path_factory.mktemp("digest-archive")
    corpus = root / "corpus.jsonl"
    with corpus.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"id": SEED_ID, "published": "2023-02-27", "source": "reference",
                              "text": SEED.read_text(encoding="utf-8")}) + "\n")
        with DEV.open(encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                out.write(json.dumps({k: d[k] for k in ("id", "title", "publication_date", "text")
                                      if k in d}) + "\n")
    url = f"sqlite:///{root / 'sayso.db'}"
    eng = open_engine(url)
    try:
        errors: list[str] = []
        engine_mod.ingest(read_paths([corpus]), eng, workers=0, on_error=errors.append)
        assert not errors, errors
    finally:
        eng.dispose()
    return url
