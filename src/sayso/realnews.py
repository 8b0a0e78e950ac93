"""Gold statements on real web pages, kept as offsets into the text sayso's HTML reader extracts.

One JSON file per page (``eval/realnews/gold/<page>.json``; the convention is in
``docs/annotation.md``)::

    {"page": "NAME.html", "text_sha256": "<hex>", "text_chars": 1234,
     "statements": [{"cue": [[s, e]], "source": [[s, e]] or [], "content": [[s, e], ...],
                     "speaker": "Name" or null, "type": "speech"}, ...]}

The pages themselves are never copied into the repository: the text is read from the HTML
with :func:`sayso.readers.html.document_from_html` each time, and ``text_sha256`` says
whether it is still the text the offsets were written against.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sayso.evaluation import SCORER_REL, repo_root

TYPES = ("speech", "writing", "thought", "knowledge", "intention", "evidence")
PARTS = ("cue", "source", "content")
PAGES_REL = SCORER_REL.parent.parent / "data" / "realnews" / "html"
# Who counts for the recall figure of the real-news set: what a newsroom researcher must find.
RECALL_TYPES = ("speech", "writing")


class GoldError(ValueError):
    pass


class TextChanged(GoldError):
    """The page's extracted text is no longer the one the gold offsets index."""


def find_pages(explicit: str | Path | None = None) -> Path:
    """``--pages``, else ../shared/data/realnews/html from the current directory, else from
    the repository root (found like the scorer)."""
    if explicit:
        path = Path(explicit)
        if not path.is_dir():
            raise GoldError(f"pages folder not found: {path}")
        return path
    tried = [Path.cwd() / PAGES_REL, repo_root() / PAGES_REL]
    for path in tried:
        if path.is_dir():
            return path.resolve()
    raise GoldError(f"pages folder not found (tried {', '.join(str(p) for p in tried)}); give --pages DIR")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def page_text(path: str | Path) -> str:
    """The text sayso's HTML reader extracts from the page: what the offsets index."""
    from sayso.readers.common import ReadError
    from sayso.readers.html import document_from_html

    path = Path(path)
    doc = document_from_html(path.read_bytes(), path)
    if isinstance(doc, ReadError):
        raise GoldError(f"{path}: {doc}")
    return doc.text


@dataclass
class GoldPage:
    path: Path  # the gold file
    page: str  # the HTML file name
    text_sha256: str
    text_chars: int
    statements: list[dict[str, Any]]

    @property
    def id(self) -> str:
        return self.page[:-5] if self.page.endswith(".html") else self.page


def _spans(value, where: str, required: bool) -> list[list[int]]:
    if not isinstance(value, list):
        raise GoldError(f"{where}: not a list of spans")
    out = []
    for sp in value:
        if (not isinstance(sp, list) or len(sp) != 2
                or not all(isinstance(x, int) and not isinstance(x, bool) for x in sp)):
            raise GoldError(f"{where}: {sp!r} is not a [start, end] pair of integers")
        out.append(list(sp))
    if required and not out:
        raise GoldError(f"{where}: empty")
    return out


def read_gold(path: str | Path) -> GoldPage:
    """One gold file, its shape checked (not yet its offsets: see :func:`check_page`)."""
    path = Path(path)
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GoldError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(obj, dict):
        raise GoldError(f"{path}: not a JSON object")
    for key, kind in (("page", str), ("text_sha256", str), ("text_chars", int), ("statements", list)):
        if not isinstance(obj.get(key), kind):
            raise GoldError(f"{path}: '{key}' missing or not a {kind.__name__}")
    statements = []
    for i, st in enumerate(obj["statements"]):
        where = f"{path}: statement {i}"
        if not isinstance(st, dict):
            raise GoldError(f"{where}: not an object")
        rec = {
            "cue": _spans(st.get("cue"), f"{where} cue", True),
            "source": _spans(st.get("source", []), f"{where} source", False),
            "content": _spans(st.get("content"), f"{where} content", True),
        }
        if len(rec["cue"]) != 1:
            raise GoldError(f"{where} cue: exactly one span expected")
        speaker = st.get("speaker")
        if speaker is not None and not (isinstance(speaker, str) and speaker.strip()):
            raise GoldError(f"{where}: speaker must be a name or null")
        if st.get("type") not in TYPES:
            raise GoldError(f"{where}: type {st.get('type')!r} is not one of {', '.join(TYPES)}")
        rec["speaker"], rec["type"] = speaker, st["type"]
        statements.append(rec)
    return GoldPage(path, obj["page"], obj["text_sha256"], obj["text_chars"], statements)


def gold_files(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise GoldError(f"{folder}: not a folder of gold files")
    files = sorted(folder.glob("*.json"))
    if not files:
        raise GoldError(f"{folder}: no gold files (*.json)")
    return files


def check_page(gold: GoldPage, text: str) -> list[str]:
    """Problems with the gold's offsets against the page's text; [] when all is well.
    A changed text is one problem (the offsets can no longer be trusted), reported first."""
    problems = []
    if sha256(text) != gold.text_sha256 or len(text) != gold.text_chars:
        problems.append(
            f"{gold.page}: the extracted text changed (sha256 {sha256(text)[:12]}…, {len(text)} chars; "
            f"the gold was written against {gold.text_sha256[:12]}…, {gold.text_chars} chars): "
            f"the HTML reader now gives other offsets; re-annotate or restore the reader"
        )
        return problems
    seen = set()
    for i, st in enumerate(gold.statements):
        for part in PARTS:
            for s, e in st[part]:
                if not 0 <= s < e <= len(text):
                    problems.append(f"{gold.page}: statement {i} {part} [{s}, {e}] is outside the text")
                elif not text[s:e].strip():
                    problems.append(f"{gold.page}: statement {i} {part} [{s}, {e}] is blank")
        key = tuple(tuple(map(tuple, st[p])) for p in PARTS)
        if key in seen:
            problems.append(f"{gold.page}: statement {i} repeats an earlier one")
        seen.add(key)
    return problems


def load(folder: str | Path, pages: str | Path) -> list[tuple[GoldPage, str]]:
    """Every gold file of ``folder`` with its page's text; raises :class:`TextChanged` (all
    changed pages named) when a text no longer hashes to the gold's, GoldError on other trouble."""
    out, changed, other = [], [], []
    for f in gold_files(folder):
        gold = read_gold(f)
        html = Path(pages) / gold.page
        if not html.is_file():
            other.append(f"{f}: page {html} not found")
            continue
        text = page_text(html)
        problems = check_page(gold, text)
        if problems and sha256(text) != gold.text_sha256:
            changed.append(problems[0])
        else:
            other.extend(problems)
        out.append((gold, text))
    if changed:
        raise TextChanged("\n".join(changed))
    if other:
        raise GoldError("\n".join(other))
    return out


def scorer_record(gold: GoldPage, text: str, keep=None) -> dict[str, Any]:
    """The scorer's gold shape (id, text, attributions), with the statements ``keep`` accepts."""
    return {
        "id": gold.id,
        "text": text,
        "attributions": [{p: st[p] for p in PARTS} for st in gold.statements if keep is None or keep(st)],
    }


def recall_subset(st: dict[str, Any]) -> bool:
    """The gold statements recall is measured on: speech or writing by a named speaker."""
    return st["type"] in RECALL_TYPES and st["speaker"] is not None
