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


# ------------------------------------------------------------------ scoring
def page_document(path: str | Path, id: str):
    """The page as sayso reads it (text and metadata), under the gold's id."""
    from dataclasses import replace

    from sayso.readers.common import ReadError
    from sayso.readers.html import document_from_html

    path = Path(path)
    doc = document_from_html(path.read_bytes(), path)
    if isinstance(doc, ReadError):
        raise GoldError(f"{path}: {doc}")
    return replace(doc, id=id)


def write_jsonl(path: Path, records) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def _pct(x) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}"


def score_pages(gold_dir: str | Path, pages: str | Path, nlp, scorer: Path, workdir: Path,
                trusted: bool = False, threshold: float | None = None, settings=None) -> dict[str, Any]:
    """Analyse every page that has a gold file and score it with the independent scorer.

    Writes to ``workdir``: ``gold.jsonl`` (every gold statement, the scorer's shape),
    ``gold-recall.jsonl`` (only speech and writing with a speaker) and ``pred.jsonl``
    (sayso's attributions, only the trusted view's when ``trusted``). Returns the scorer's
    report on all gold (``report``), its JSON figures on both gold files (``all``,
    ``recall_subset``) and, for every page with no gold statement, how many statements sayso
    gave there (``no_statement_pages``). Raises TextChanged / GoldError before analysing
    anything when the gold does not fit the pages.
    """
    from sayso import evaluation, trust
    from sayso.pipeline import analyse_many

    loaded = load(gold_dir, pages)
    docs = [page_document(Path(pages) / g.page, g.id) for g, _ in loaded]
    workdir = Path(workdir)
    gold_all, gold_recall, pred_path = workdir / "gold.jsonl", workdir / "gold-recall.jsonl", workdir / "pred.jsonl"
    write_jsonl(gold_all, (scorer_record(g, t) for g, t in loaded))
    write_jsonl(gold_recall, (scorer_record(g, t, recall_subset) for g, t in loaded))
    predicted: dict[str, int] = {}

    def predictions():
        for article in analyse_many(docs, nlp, settings=settings):
            if trusted:
                article = trust.trusted_article(article, trust.THRESHOLD if threshold is None else threshold)
            rec = article.to_attributions()
            predicted[rec["id"]] = len(rec["attributions"])
            yield rec

    write_jsonl(pred_path, predictions())
    out: dict[str, Any] = {"trusted": trusted, "pages": len(loaded),
                           "gold_statements": sum(len(g.statements) for g, _ in loaded)}
    report = evaluation.run_scorer(scorer, gold_all, pred_path)
    if report.returncode != 0:
        raise GoldError(f"the scorer failed (exit {report.returncode}): {report.stderr.strip()}")
    out["report"] = report.stdout
    for key, gold in (("all", gold_all), ("recall_subset", gold_recall)):
        res = evaluation.run_scorer(scorer, gold, pred_path, as_json=True)
        if res.returncode != 0:
            raise GoldError(f"the scorer failed (exit {res.returncode}): {res.stderr.strip()}")
        out[key] = json.loads(res.stdout)
    out["no_statement_pages"] = {g.id: predicted.get(g.id, 0) for g, _ in loaded if not g.statements}
    return out


def summary(result: dict[str, Any]) -> str:
    """The real-news figures, from the scorer's JSON (never recomputed here)."""
    det = result["all"]["attribution"]["detection"]
    sub = result["recall_subset"]["attribution"]["detection"]
    what = "trusted statements" if result["trusted"] else "statements"
    lines = [
        f"\nReal-news pages: {result['pages']} pages, {result['gold_statements']} gold statements"
        + (" (predictions: the trusted view)" if result["trusted"] else ""),
        f"detection precision, all predictions vs all gold: {_pct(det['p'])}"
        f"  ({det['tp']} of {det['n_pred']})",
        f"detection recall, gold speech/writing with a named speaker: {_pct(sub['r'])}"
        f"  ({sub['tp']} of {sub['n_gold']})",
    ]
    empty = result["no_statement_pages"]
    if empty:
        lines.append(f"{what} on pages with no gold statement:")
        lines.extend(f"  {page}: {n}" for page, n in sorted(empty.items()))
    return "\n".join(lines) + "\n"
