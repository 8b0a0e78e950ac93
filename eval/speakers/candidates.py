#!/usr/bin/env python3
"""List PolNeAR dev gold sources for annotating the speaker dev set, with their context.

    python eval/speakers/candidates.py [--gold ../shared/data/polnear/dev.jsonl]
                                       [--article ID_OR_INDEX] [--all] [--context 600]

Without --article: one block per gold source that is not yet in ``polnear_dev.jsonl``
(with --all: every gold source), the ~600 characters before it and its sentence, the source
marked ⟦…⟧. With --article: that article's text, every such source marked ⟦n:…⟧ in place,
which is how the hand labels were made (read the article, decide who each source denotes).
Prints to the terminal only: article text never goes into the repository.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_GOLD = ROOT.parent / "shared" / "data" / "polnear" / "dev.jsonl"
CASES = HERE / "polnear_dev.jsonl"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--article", help="an article id, or its 0-based line number in the gold file")
    ap.add_argument("--all", action="store_true", help="also the sources already in the dev set")
    ap.add_argument("--context", type=int, default=600)
    args = ap.parse_args(argv)
    arts = [json.loads(line) for line in args.gold.read_text("utf-8").splitlines() if line.strip()]
    done = set()
    if CASES.exists() and not args.all:
        for line in CASES.read_text("utf-8").splitlines():
            if line.strip():
                c = json.loads(line)
                done.add((c["article"], *c["source"]))
    if args.article is not None:
        arts = [arts[int(args.article)]] if args.article.isdigit() else [a for a in arts if a["id"] == args.article]
    for a in arts:
        text = a["text"]
        spans = sorted({tuple(at["source"][0]) for at in a["attributions"] if at["source"]}
                       - {(s, e) for aid, s, e in done if aid == a["id"]})
        if args.article is not None:
            out, pos = [], 0
            for j, (s, e) in enumerate(spans):
                out += [text[pos:s], f"⟦{j}:{text[s:e]}⟧"]
                pos = e
            out.append(text[pos:])
            print(f"##### {a['id']} ({len(spans)} sources)\n" + "".join(out))
            continue
        for s, e in spans:
            end = text.find("\n", e)
            end = len(text) if end < 0 else end
            before = text[max(0, s - args.context):s].replace("\n", " ")
            print(f"--- {a['id']} [{s}, {e}] {text[s:e]!r}\n{before}⟦{text[s:e]}⟧{text[e:end]}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
