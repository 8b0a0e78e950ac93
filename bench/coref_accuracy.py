#!/usr/bin/env python3
"""Speaker resolution accuracy on the older hand-annotated sample (gold spans only).

    python bench/coref_accuracy.py [--sample tests/data/coref_sample.jsonl]
                                   [--gold ../shared/data/polnear/dev.jsonl] [--errors] [--json]

Superseded by ``bench/speaker_accuracy.py``, which measures the larger speaker dev set
(``eval/speakers/polnear_dev.jsonl``: the 83 cases of ``tests/data/coref_sample.jsonl``,
re-checked, and more) by source type, from gold spans and from the pipeline's own
statements. This script stays as a thin alias of its gold-spans mode for the 83-case sample
that ``tests/resolve/test_coref_ratchet.py`` keeps above its floor: statements built from
the *gold* spans are resolved, and a case counts as right when one of its ``match`` strings
appears in the resolved speaker's name.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SAMPLE = ROOT / "tests" / "data" / "coref_sample.jsonl"
DEFAULT_GOLD = ROOT.parent / "shared" / "data" / "polnear" / "dev.jsonl"


def _speaker_accuracy():
    spec = importlib.util.spec_from_file_location("speaker_accuracy", Path(__file__).with_name("speaker_accuracy.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def gold_statements(article: dict):
    return _speaker_accuracy().gold_statements(article)


def measure(sample_path: Path = DEFAULT_SAMPLE, gold_path: Path = DEFAULT_GOLD) -> dict:
    sa = _speaker_accuracy()
    cases = sa.load_cases(sample_path)
    articles = sa.load_articles(gold_path, {c["article"] for c in cases})
    sa.check(cases, articles)
    rows = [{**r, "ok": bool(r["ok"])} for r in sa.resolve_gold(cases, articles)]
    n = len(rows)
    right = sum(r["ok"] for r in rows)
    by_kind = {}
    for kind in sorted({r["kind"] for r in rows}):
        rs = [r for r in rows if r["kind"] == kind]
        by_kind[kind] = {"n": len(rs), "right": sum(r["ok"] for r in rs),
                         "accuracy": round(sum(r["ok"] for r in rs) / len(rs), 4)}
    return {"n": n, "right": right, "accuracy": round(right / n, 4) if n else 0.0,
            "by_kind": by_kind, "rows": rows}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE)
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--errors", action="store_true", help="list the cases resolved wrongly")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.gold.is_file():
        print(f"error: {args.gold}: not found (PolNeAR dev lives in ../shared)", file=sys.stderr)
        return 2
    res = measure(args.sample, args.gold)
    if args.json:
        print(json.dumps({k: v for k, v in res.items() if k != "rows"}))
        return 0
    print(f"resolved to the right named person/organisation: {res['right']}/{res['n']} "
          f"= {100 * res['accuracy']:.1f}%")
    for kind, v in res["by_kind"].items():
        print(f"  {kind:8s} {v['right']}/{v['n']} = {100 * v['accuracy']:.1f}%")
    if args.errors:
        for r in res["rows"]:
            if not r["ok"]:
                print(f"  MISS {r['article']} {r['source']} {r['source_text']!r}: "
                      f"expected {r['expected']!r}, got {r['got']!r}")
    print("(the larger set, by source type and from the pipeline's own statements too: "
          "python bench/speaker_accuracy.py)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
