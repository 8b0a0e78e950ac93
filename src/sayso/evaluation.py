"""Running the independent scorer, and listing misses to guide work on the rules.

The headline figures come only from ``../shared/eval/score.py``, run as a subprocess; this
module never computes them itself. :func:`error_report` pairs gold and predicted
attributions the way the scorer does (content-token Jaccard >= 0.5, one to one) only to show
examples: gold attributions that were not detected, and predictions that match nothing.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from sayso.settings import SCORER_ENV

SCORER_REL = Path("..") / "shared" / "eval" / "score.py"
TOKEN_RE = re.compile(r"\w+(?:[\u0300-\u036f]+\w*)*")  # the scorer's word tokens
JACCARD_MIN = 0.5
PARTS = ("source", "cue", "content")


class ScorerNotFound(RuntimeError):
    pass


def repo_root() -> Path:
    """The checkout this package was installed from (src/sayso/ → two levels up)."""
    return Path(__file__).resolve().parents[2]


def find_scorer(explicit: str | Path | None = None) -> Path:
    """``explicit`` (``--scorer``, else ``Settings.scorer``: $SAYSO_SCORER), else
    ../shared/eval/score.py from the current directory, else from the repository root."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ScorerNotFound(f"scorer not found: {path}")
        return path
    tried = [Path.cwd() / SCORER_REL, repo_root() / SCORER_REL]
    for path in tried:
        if path.is_file():
            return path.resolve()
    raise ScorerNotFound(
        f"scorer not found (tried {', '.join(str(p) for p in tried)}); "
        f"give --scorer PATH or set {SCORER_ENV}"
    )


def run_scorer(scorer: Path, gold: Path, pred: Path, as_json: bool = False) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(scorer), str(gold), str(pred)] + (["--json"] if as_json else [])
    return subprocess.run(cmd, capture_output=True, text=True)


# ------------------------------------------------------------------ error listing
def _tokens(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in TOKEN_RE.finditer(text)]


def _token_ids(toks: list[tuple[int, int]], spans: Iterable) -> frozenset[int]:
    spans = [(int(s), int(e)) for s, e in spans or ()]
    return frozenset(i for i, (ts, te) in enumerate(toks) if any(ts < e and s < te for s, e in spans))


def _key(toks, at: dict) -> frozenset[int]:
    content = _token_ids(toks, at.get("content"))
    return content if content else frozenset(("cue", t) for t in _token_ids(toks, at.get("cue")))


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass
class Miss:
    article: str
    kind: str  # "missed" (gold not detected) or "spurious" (prediction matching no gold)
    attribution: dict[str, Any]
    size: int  # content tokens
    closest: float  # best Jaccard with any attribution on the other side
    context: str


def _context(text: str, at: dict, width: int = 500) -> str:
    spans = [(s, e, part) for part in PARTS for s, e in (at.get(part) or ())]
    if not spans:
        return ""
    lo, hi = min(s for s, _, _ in spans), max(e for _, e, _ in spans)
    # widen to the sentence (or line) around the attribution
    start = max(text.rfind(ch, 0, lo) for ch in (".", "!", "?", "\n")) + 1
    ends = [i for i in (text.find(ch, hi) for ch in (".", "!", "?", "\n")) if i != -1]
    end = min(ends) + 1 if ends else len(text)
    start, end = min(start, lo), max(end, hi)
    out, pos = [], start
    for s, e, part in sorted(spans):
        if s < pos:  # overlapping parts: keep the first mark
            continue
        out.append(text[pos:s])
        out.append(f"[{part.upper()} {text[s:e]}]")
        pos = e
    out.append(text[pos:end])
    line = " ".join("".join(out).replace("\n", " ¶ ").split())
    return line if len(line) <= width else line[: width - 1] + "…"


def error_report(gold_path: Path, predictions: dict[str, list[dict]], n: int) -> str:
    """The ``n`` worst missed gold attributions and ``n`` worst spurious predictions.

    Worst first: those with the least overlap with anything on the other side, then the
    longest. ``predictions`` maps article id → attributions (the scorer's shape).
    """
    missed: list[Miss] = []
    spurious: list[Miss] = []
    n_gold = n_pred = 0
    with open(gold_path, encoding="utf-8") as fh:
        for line in fh:
            try:
                obj = json.loads(line)
                aid, text, gold = obj["id"], obj["text"], obj.get("attributions") or []
            except (ValueError, KeyError, TypeError):
                continue  # the scorer reports bad gold lines
            pred = predictions.get(aid, [])
            n_gold += len(gold)
            n_pred += len(pred)
            toks = _tokens(text)
            gk, pk = [_key(toks, a) for a in gold], [_key(toks, a) for a in pred]
            pairs = sorted(
                ((-_jaccard(g, p), gi, pi) for gi, g in enumerate(gk) for pi, p in enumerate(pk)
                 if _jaccard(g, p) >= JACCARD_MIN)
            )
            used_g, used_p = set(), set()
            for _, gi, pi in pairs:
                if gi not in used_g and pi not in used_p:
                    used_g.add(gi)
                    used_p.add(pi)
            for side, keys, others, used, out in (
                ("missed", gk, pk, used_g, missed), ("spurious", pk, gk, used_p, spurious)
            ):
                attrs = gold if side == "missed" else pred
                for i, k in enumerate(keys):
                    if i in used:
                        continue
                    closest = max((_jaccard(k, o) for o in others), default=0.0)
                    out.append(Miss(aid, side, attrs[i], len(k), closest, _context(text, attrs[i])))

    def worst(items: list[Miss]) -> list[Miss]:
        return sorted(items, key=lambda m: (m.closest, -m.size))[:n]

    lines = []
    for title, items, total, other in (
        ("Missed gold attributions", missed, n_gold, "prediction"),
        ("Spurious predictions", spurious, n_pred, "gold attribution"),
    ):
        shown = worst(items)
        lines.append(f"\n{title}: {len(items)} of {total}; {len(shown)} shown, least overlap first")
        for m in shown:
            first = min((s for p in PARTS for s, _ in (m.attribution.get(p) or ())), default=0)
            lines.append(f"- {m.article} @{first}  closest {other}: Jaccard {m.closest:.2f}")
            lines.append(f"    {m.context}")
    lines.append("\nMarks: [SOURCE …] [CUE …] [CONTENT …]; ¶ is a line break.")
    return "\n".join(lines) + "\n"
