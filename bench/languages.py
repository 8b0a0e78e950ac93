#!/usr/bin/env python3
"""Language verdicts on the English corpora sayso is measured on, and the time per call.

    python bench/languages.py [--shared ../shared]

sayso refuses a text as foreign only on strong evidence (``sayso.language``); this prints how
many articles of each English corpus would be refused (it should be 0), also per
sentence of PolNeAR (every sentence with 40 letters or more, a harder test than whole
articles), and the verdicts on the multilingual test pages. No spaCy is loaded.
"""
from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from pathlib import Path

from sayso import language
from sayso.readers.html import document_from_html

REPO = Path(__file__).resolve().parents[1]


def corpora(shared: Path) -> dict[str, list[str]]:
    """Corpus name -> texts, as sayso reads them (HTML through sayso's own reader)."""
    out = {"examples": [p.read_text(encoding="utf-8") for p in sorted((REPO / "examples").glob("*.txt"))],
           "seed": [p.read_text(encoding="utf-8") for p in sorted((shared / "data/seed").glob("*.txt"))]}
    for part in ("dev", "train"):
        path = shared / f"data/polnear/{part}.jsonl"
        if path.exists():
            rows = [json.loads(line) for line in path.open(encoding="utf-8")]
            out[f"polnear-{part}"] = list({r["id"]: r["text"] for r in rows}.values())
            out[f"polnear-{part} titles"] = [r.get("title") or "" for r in rows]
    pages = sorted((shared / "data/realnews/html").glob("*.html"))
    out["realnews"] = [document_from_html(p.read_bytes(), str(p)).text for p in pages]
    return out


def sentences(texts: list[str]) -> list[str]:
    parts = (s for t in texts for s in re.split(r"(?<=[.!?])\s+|\n+", t))
    return [s for s in parts if sum(ch.isalpha() for ch in s) >= language.MIN_LETTERS]


def report(name: str, texts: list[str]) -> None:
    language._identifier()  # loaded once, not counted
    t0 = time.perf_counter()
    verdicts = Counter(language.detect(t) for t in texts)
    ms = (time.perf_counter() - t0) * 1000 / max(1, len(texts))
    print(f"{name:24} {len(texts):6,} texts  not English: {len(texts) - verdicts['en']:3}  "
          f"{ms:5.2f} ms/text  {dict(verdicts)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = ap.parse_args()
    texts = corpora(args.shared)
    for name, items in texts.items():
        report(name, items)
    polnear = texts.get("polnear-dev", []) + texts.get("polnear-train", [])
    report("polnear sentences", sentences(polnear))
    folder = sorted((REPO / "tests/data/multilingual").iterdir())
    read = [document_from_html(p.read_bytes(), str(p)).text if p.suffix == ".html"
            else p.read_text(encoding="utf-8") for p in folder]
    print("multilingual pages:", {p.name: language.detect(t) for p, t in zip(folder, read)})


if __name__ == "__main__":
    main()
