#!/usr/bin/env python3
"""Annotators' helper for the real-news gold (eval/realnews/gold/, convention: docs/annotation.md).

    realnews_gold.py text PAGE            # the extracted text, with line numbers and offsets
    realnews_gold.py find PAGE PHRASE     # offsets of every occurrence of a phrase
    realnews_gold.py build PAGE SPEC      # a spec file (kept outside the repo) -> gold file
    realnews_gold.py show PAGE            # the gold statements, marked up in their sentences
    realnews_gold.py check [GOLD_DIR]     # every gold file: text hash, spans, types

PAGE is a page name (``aclu.org-grades``, with or without ``.html``) or a path. Pages are read
from ``--pages`` (default ../shared/data/realnews/html). Page text goes to stdout only, or to a
cache under /tmp ($SAYSO_REALNEWS_CACHE); never into the repository.

A SPEC file has one statement a line (``#`` starts a comment)::

    TYPE | SPEAKER | CUE | SOURCE | CONTENT [|| MORE CONTENT ...]

SPEAKER or SOURCE ``-`` is none. A CONTENT piece ``A ... B`` runs from A to the end of the
next B. Phrases match with curly quotes, apostrophes, dashes and no-break spaces folded to
ASCII. The first content piece is the first occurrence at or after the previous statement's
content (statements are written in reading order); the cue is the occurrence nearest the
content, the source the one nearest the cue, both outside the content. A phrase ending in
``#N`` takes the N-th occurrence (from 0) in the whole text instead.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sayso import realnews  # noqa: E402

GOLD_DIR = ROOT / "eval" / "realnews" / "gold"
FOLD = str.maketrans({
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'", "\u2013": "-", "\u2014": "-",
    "\u2012": "-", "\u2010": "-", "\u2011": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})


def fold(s: str) -> str:
    return s.translate(FOLD)  # one character for one: offsets stay valid


def page_path(name: str, pages: Path) -> Path:
    p = Path(name)
    if p.is_file():
        return p
    return pages / (name if name.endswith(".html") else name + ".html")


def cached_text(path: Path) -> str:
    cache = Path(os.environ.get("SAYSO_REALNEWS_CACHE", Path(tempfile.gettempdir()) / "sayso-realnews-cache"))
    key = cache / (path.name + ".txt")
    if key.is_file() and key.stat().st_mtime >= path.stat().st_mtime:
        return key.read_text(encoding="utf-8")
    text = realnews.page_text(path)
    cache.mkdir(parents=True, exist_ok=True)
    key.write_text(text, encoding="utf-8")
    return text


# ------------------------------------------------------------------ text, find
def cmd_text(args) -> int:
    text = cached_text(page_path(args.page, args.pages))
    pos = 0
    for n, line in enumerate(text.split("\n"), 1):
        if line:
            print(f"{n:4d} @{pos:<6d} {line}")
        pos += len(line) + 1
    print(f"-- {len(text)} chars, sha256 {realnews.sha256(text)}", file=sys.stderr)
    return 0


def occurrences(haystack: str, phrase: str) -> list[int]:
    out, i = [], haystack.find(phrase)
    while i != -1:
        out.append(i)
        i = haystack.find(phrase, i + 1)
    return out


def cmd_find(args) -> int:
    text = cached_text(page_path(args.page, args.pages))
    hits = occurrences(fold(text), fold(args.phrase))
    for i in hits:
        print(f"[{i}, {i + len(args.phrase)}]")
    print(f"-- {len(hits)} occurrence(s)", file=sys.stderr)
    return 0 if hits else 1


# ------------------------------------------------------------------ build
class SpecError(ValueError):
    pass


def _nth(phrase: str) -> tuple[str, int | None]:
    m = re.fullmatch(r"(.*?)#(\d+)", phrase)
    return (m.group(1), int(m.group(2))) if m else (phrase, None)


def _locate_piece(ft: str, piece: str, at_or_after: int) -> tuple[int, int]:
    piece, nth = _nth(piece.strip())
    if " ... " in piece:
        a, b = piece.split(" ... ", 1)
        s, _ = _locate_piece(ft, a + (f"#{nth}" if nth is not None else ""), at_or_after)
        j = ft.find(fold(b), s + len(a))
        if j == -1:
            raise SpecError(f"'{b}' not found after '{a}'")
        return s, j + len(b)
    hits = occurrences(ft, fold(piece))
    if not hits:
        raise SpecError(f"'{piece}' not found")
    if nth is not None:
        if nth >= len(hits):
            raise SpecError(f"'{piece}' occurs {len(hits)} times, no #{nth}")
        return hits[nth], hits[nth] + len(piece)
    after = [h for h in hits if h >= at_or_after]
    if not after:
        raise SpecError(f"'{piece}' not found after offset {at_or_after}")
    return after[0], after[0] + len(piece)


def _nearest(ft: str, phrase: str, anchors: list[tuple[int, int]], avoid: list[tuple[int, int]]) -> tuple[int, int]:
    phrase, nth = _nth(phrase.strip())
    hits = occurrences(ft, fold(phrase))
    if nth is not None:
        if nth >= len(hits):
            raise SpecError(f"'{phrase}' occurs {len(hits)} times, no #{nth}")
        return hits[nth], hits[nth] + len(phrase)
    cands = []
    for h in hits:
        e = h + len(phrase)
        if any(h < ae and as_ < e for as_, ae in avoid):
            continue
        dist = min(max(a - e, h - b, 0) for a, b in anchors)
        cands.append((dist, h, e))
    if not cands:
        raise SpecError(f"'{phrase}' not found outside the content")
    _, h, e = min(cands)
    return h, e


def build(text: str, spec: str) -> list[dict]:
    ft = fold(text)
    out, cursor = [], 0
    for n, raw in enumerate(spec.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            fields = [f.strip() for f in line.split(" | ")]
            if len(fields) != 5:
                raise SpecError("5 fields expected: TYPE | SPEAKER | CUE | SOURCE | CONTENT")
            typ, speaker, cue, source, content = fields
            if typ not in realnews.TYPES:
                raise SpecError(f"type {typ!r}")
            pieces = [c for c in content.split(" || ")]
            spans = [_locate_piece(ft, pieces[0], cursor)]
            for p in pieces[1:]:
                spans.append(_locate_piece(ft, p, spans[-1][1]))
            cursor = spans[0][0]
            cue_span = _nearest(ft, cue, spans, spans)
            src = [] if source == "-" else [_nearest(ft, source, [cue_span], spans + [cue_span])]
        except SpecError as exc:
            raise SpecError(f"spec line {n}: {exc}") from None
        out.append({"cue": [list(cue_span)], "source": [list(s) for s in src],
                    "content": [list(s) for s in sorted(spans)],
                    "speaker": None if speaker == "-" else speaker, "type": typ})
    out.sort(key=lambda st: min(s for p in realnews.PARTS for s, _ in st[p]))
    return out


def cmd_build(args) -> int:
    path = page_path(args.page, args.pages)
    text = cached_text(path)
    try:
        statements = build(text, Path(args.spec).read_text(encoding="utf-8"))
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    gold = {"page": path.name, "text_sha256": realnews.sha256(text), "text_chars": len(text),
            "statements": statements}
    out = args.gold / (path.name[:-5] + ".json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(gold, ensure_ascii=False, indent=None) .replace('{"cue"', '\n  {"cue"') + "\n",
                   encoding="utf-8")
    print(f"{out}: {len(statements)} statements")
    if args.show:
        show(text, statements)
    return 0


# ------------------------------------------------------------------ show
def show(text: str, statements: list[dict]) -> None:
    for i, st in enumerate(statements):
        spans = sorted((s, e, p) for p in realnews.PARTS for s, e in st[p])
        lo, hi = spans[0][0], max(e for _, e, _ in spans)
        start = max(lo - 60, 0)
        end = min(hi + 20, len(text))
        buf, pos = [], start
        for s, e, p in spans:
            buf.append(text[pos:s])
            buf.append(f"[{p.upper()} {text[s:e]}]")
            pos = e
        buf.append(text[pos:end])
        ctx = " ".join("".join(buf).replace("\n", " ¶ ").split())
        print(f"{i:3d} {st['type']:<9} {st['speaker']!s:<24} …{ctx}…")


def cmd_show(args) -> int:
    path = page_path(args.page, args.pages)
    text = cached_text(path)
    gold = realnews.read_gold(args.gold / (path.name[:-5] + ".json"))
    problems = realnews.check_page(gold, text)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    if not problems:
        show(text, gold.statements)
    return 1 if problems else 0


# ------------------------------------------------------------------ check
def check(gold_dir: Path, pages: Path) -> list[str]:
    """Problems in every gold file of ``gold_dir``; [] when all is well."""
    problems = []
    for f in realnews.gold_files(gold_dir):
        try:
            gold = realnews.read_gold(f)
            html = pages / gold.page
            if f.stem + ".html" != gold.page:
                problems.append(f"{f}: names page {gold.page}")
            if not html.is_file():
                problems.append(f"{f}: page {html} not found")
                continue
            problems.extend(realnews.check_page(gold, realnews.page_text(html)))
        except realnews.GoldError as exc:
            problems.append(str(exc))
    return problems


def cmd_check(args) -> int:
    problems = check(args.gold_dir or args.gold, args.pages)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    files = realnews.gold_files(args.gold_dir or args.gold)
    n = sum(len(realnews.read_gold(f).statements) for f in files) if not problems else None
    print(f"{len(files)} gold files: " + (f"all good, {n} statements" if not problems else f"{len(problems)} problem(s)"))
    return 1 if problems else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=Path, default=None, help="folder of the HTML pages")
    ap.add_argument("--gold", type=Path, default=GOLD_DIR, help="folder of the gold files")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("text"); p.add_argument("page"); p.set_defaults(fn=cmd_text)
    p = sub.add_parser("find"); p.add_argument("page"); p.add_argument("phrase"); p.set_defaults(fn=cmd_find)
    p = sub.add_parser("build"); p.add_argument("page"); p.add_argument("spec")
    p.add_argument("--show", action="store_true"); p.set_defaults(fn=cmd_build)
    p = sub.add_parser("show"); p.add_argument("page"); p.set_defaults(fn=cmd_show)
    p = sub.add_parser("check"); p.add_argument("gold_dir", nargs="?", type=Path); p.set_defaults(fn=cmd_check)
    args = ap.parse_args(argv)
    try:
        args.pages = realnews.find_pages(args.pages)
        return args.fn(args)
    except realnews.GoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
