"""Training the ``fast`` tier: PolNeAR JSONL -> parsed spaCy Docs with gold role tags -> a
tagger trained with spaCy's own machinery (``Language.update``, thinc optimiser) on a small
separate tok2vec, selected on dev with the independent scorer.

    sayso train --train train.jsonl --dev dev.jsonl -o DIR [--max-steps N] [--max-minutes M]

Parsing is done once per file with the sayso pipeline itself and cached as a ``DocBin``
(``--cache``, default ``~/.cache/sayso/train``). Features (the rule tier's output among them)
are computed afresh from the parse at every run, so changed rules need no new parse.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterable

import numpy
from spacy.tokens import Doc, DocBin

from sayso.extract.features import extra_features, token_index, tokens_in
from sayso.extract.model import (DEFAULT_HPARAMS, FEATS_KEY, build_tagger_nlp, combine,
                                  save_model, statements_from_doc)

# The shipped fast tier averages two taggers that see the text differently: the CNN alone
# (wider receptive field per layer) and a shallower CNN under a BiLSTM (the whole article).
# Out of fold on PolNeAR train the pair beats either member (see docs/accuracy.md).
MEMBERS: tuple[dict, ...] = ({}, {"depth": 2, "lstm_depth": 1})

GOLD_KEY = "sayso_gold"
ID_KEY = "sayso_id"


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def gold_tags(doc: Doc, attributions: list[dict], starts: list[int] | None = None) -> list[str]:
    """BIO role tags per token from PolNeAR attributions; first claim wins on a conflict
    (cue before source before content), since annotations are univocal."""
    starts = starts if starts is not None else token_index(doc)
    tags = ["O"] * len(doc)
    for part, lab in (("cue", "CUE"), ("source", "SRC"), ("content", "CON")):
        for att in attributions:
            for s, e in att.get(part) or []:
                idx = [i for i in tokens_in(starts, doc, s, e) if not doc[i].is_space]
                for k, i in enumerate(idx):
                    if tags[i] != "O":
                        continue
                    tags[i] = ("B-" if k == 0 else "I-") + lab
    return tags


def prepare(records: list[dict], nlp, progress: Callable[[str], None] = print) -> list[Doc]:
    """Parse, attach gold tags and the article id in ``user_data`` (features are computed
    when the docs are used, so that a feature change needs no new parse)."""
    docs = []
    t0 = time.time()
    texts = ((r["text"], r) for r in records)
    for n, (doc, r) in enumerate(nlp.pipe(texts, as_tuples=True, batch_size=16), start=1):
        for name in ("statements", "sayso_error", "article", "sayso_document"):  # records do not serialise
            doc.user_data.pop(("._.", name, None, None), None)
        doc.user_data[GOLD_KEY] = gold_tags(doc, r.get("attributions", []))
        doc.user_data[ID_KEY] = r.get("id", str(n))
        docs.append(doc)
        if n % 50 == 0 or n == len(records):
            progress(f"  parsed {n}/{len(records)} articles ({time.time() - t0:.0f} s)")
    return docs


def default_cache_dir() -> Path:
    """``~/.cache/sayso/train``; the CLI gives ``Settings.train_cache`` ($XDG_CACHE_HOME) instead."""
    return Path.home() / ".cache" / "sayso" / "train"


def cached_docs(path: Path, cache_dir: Path, nlp_loader, progress=print) -> tuple[list[Doc], list[dict]]:
    """The parsed docs of a PolNeAR file, from the cache when it holds them (keyed by file
    name and size and by the parsing pipeline's name and version)."""
    records = read_jsonl(path)
    cache_dir.mkdir(parents=True, exist_ok=True)
    nlp = nlp_loader()
    parser = f"{nlp.meta.get('name', 'nlp')}-{nlp.meta.get('version', '')}"
    cache = cache_dir / f"{path.stem}-{path.stat().st_size}-{parser}.spacy"
    if cache.exists():
        progress(f"reading parsed {path} from {cache}")
        docs = list(DocBin(store_user_data=True).from_disk(cache).get_docs(nlp.vocab))
        if len(docs) == len(records):
            return docs, records
    progress(f"parsing {path} ({len(records)} articles)")
    docs = prepare(records, nlp, progress)
    db = DocBin(store_user_data=True, docs=docs)
    db.to_disk(cache)
    return docs, records


# ------------------------------------------------------------------ scoring
def predict_records(tagger_nlp, docs: list[Doc], rules: list | None = None, batch: int = 8) -> list[dict]:
    """Attribution records (the scorer's shape) for parsed docs that carry their features,
    with the rule tier's statements per doc as ``with_features`` returned them."""
    from sayso.extract.model import label_order, predict_scores

    labels = label_order(tagger_nlp)
    out = []
    for k in range(0, len(docs), batch):
        chunk = docs[k:k + batch]
        for j, (doc, scores) in enumerate(zip(chunk, predict_scores(tagger_nlp, chunk))):
            sts = statements_from_doc(doc, scores, labels, rules[k + j] if rules else None)
            out.append({"id": doc.user_data[ID_KEY], "attributions": [s.to_attribution() for s in sts]})
    return out


def find_scorer() -> Path:
    from sayso.evaluation import find_scorer as _find

    return Path(_find(None))


def score(gold_path: Path, records: list[dict], scorer: Path | None = None) -> dict:
    """The independent scorer's JSON on ``records``."""
    scorer = scorer or find_scorer()
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")
        pred = fh.name
    try:
        out = subprocess.run([sys.executable, str(scorer), str(gold_path), pred, "--json"],
                             capture_output=True, text=True, check=True)
    finally:
        Path(pred).unlink()
    return json.loads(out.stdout)


def headline(result: dict) -> dict[str, float]:
    ex, at = result["exact"], result["attribution"]
    return {"cue": ex["cue"]["f1"], "source": ex["source"]["f1"], "content": ex["content"]["f1"],
            "detection": at["detection"]["f1"], "end_to_end": at["end_to_end"]["f1"]}


def selection_score(h: dict[str, float]) -> float:
    """What model selection maximises: the mean of the five headline F1s."""
    return sum(h.values()) / len(h)


def _fmt(h: dict[str, float]) -> str:
    return " ".join(f"{k} {100 * v if v <= 1 else v:.1f}" for k, v in h.items())


# ------------------------------------------------------------------ training
def with_features(docs: list[Doc]) -> list[list]:
    """The extra feature columns, from the rule tier run on each parsed doc (as at
    prediction); returns the rule tier's statements per doc."""
    from sayso.extract.rules import extract_statements

    out = []
    for d in docs:
        rules = extract_statements(d)
        d.user_data[FEATS_KEY] = extra_features(d, rules)
        out.append(rules)
    return out


def _batches(items: list, max_words: int, rng: random.Random) -> Iterable[list]:
    items = list(items)
    rng.shuffle(items)
    batch, words = [], 0
    for eg in items:
        batch.append(eg)
        words += len(eg.predicted)
        if words >= max_words:
            yield batch
            batch, words = [], 0
    if batch:
        yield batch


def train(train_path: Path, dev_path: Path, output: Path, *, max_steps: int = 100_000,
          max_minutes: float = 40.0, eval_every: int = 300, max_epochs: int = 30,
          batch_words: int = 2000, dropout: float = 0.1, learn_rate: float = 0.001,
          patience: int = 6, hparams: dict | None = None, limit: int | None = None,
          seed: int = 0, cache_dir: Path | None = None, nlp_loader=None,
          progress: Callable[[str], None] = print) -> dict:
    """Train the tagger and keep the checkpoint with the best dev selection score in
    ``output``. Returns the best headline figures (scorer F1s) and the training time."""
    from spacy.util import fix_random_seed
    from thinc.api import Adam

    if nlp_loader is None:
        from sayso import nlp as nlp_mod
        nlp_loader = nlp_mod.load
    t_start = time.time()
    fix_random_seed(seed)
    rng = random.Random(seed)
    train_docs, dev_docs, dev_rules, examples = _training_data(
        train_path, dev_path, cache_dir or default_cache_dir(), nlp_loader, limit, progress)
    n_words = sum(len(d) for d in train_docs)
    progress(f"training on {len(examples)} articles ({n_words:,} tokens), dev {len(dev_docs)} articles")

    nlp = build_tagger_nlp(hparams)
    optimizer = Adam(learn_rate)
    nlp.initialize(lambda: examples[:50], sgd=optimizer)
    meta = {"name": "sayso_fast", "version": "0.1.0",
            "description": "sayso fast tier: cue/source/content BIO tagger (PolNeAR train)",
            "sayso": {"hparams": {**DEFAULT_HPARAMS, **(hparams or {})}, "train_file": train_path.name,
                      "dev_file": dev_path.name, "articles": len(train_docs), "tokens": n_words}}
    selection = _Selection(nlp, optimizer, (dev_path, dev_docs, dev_rules), output, meta,
                           patience, t_start, progress)
    step = _update(nlp, optimizer, examples, rng, selection, max_steps=max_steps,
                   max_minutes=max_minutes, max_epochs=max_epochs, eval_every=eval_every,
                   batch_words=batch_words, dropout=dropout)
    if step % eval_every:
        selection.evaluate(step)
    total = time.time() - t_start
    progress(f"done in {total / 60:.1f} min; best dev {_fmt(selection.best_h)}; model in {output}")
    return {"dev": selection.best_h, "seconds": total, "steps": step}


def _training_data(train_path: Path, dev_path: Path, cache_dir: Path, nlp_loader,
                   limit: int | None, progress) -> tuple[list[Doc], list[Doc], list[list], list]:
    """Parsed train and dev docs with their features, dev's rule statements (prediction
    uses them) and the training examples with their gold tags."""
    from spacy.training import Example

    train_docs, _ = cached_docs(train_path, cache_dir, nlp_loader, progress)
    dev_docs, _ = cached_docs(dev_path, cache_dir, nlp_loader, progress)
    if limit:
        train_docs = train_docs[:limit]
    progress("computing features (rule tier, quotes, lexicon)")
    with_features(train_docs)
    dev_rules = with_features(dev_docs)
    examples = [Example.from_dict(d, {"tags": d.user_data[GOLD_KEY]}) for d in train_docs]
    return train_docs, dev_docs, dev_rules, examples


class _Selection:
    """Model selection on dev: each evaluation scores the averaged parameters, as ``spacy
    train`` does, and saves them to ``output`` when they beat every earlier evaluation."""

    def __init__(self, nlp, optimizer, dev: tuple[Path, list[Doc], list[list]], output: Path,
                 meta: dict, patience: int, t_start: float, progress: Callable[[str], None]):
        self.nlp, self.optimizer, self.output, self.meta = nlp, optimizer, output, meta
        self.dev_path, self.dev_docs, self.dev_rules = dev
        self.patience, self.t_start, self.progress = patience, t_start, progress
        self.best, self.best_h, self.evals_since_best = -1.0, None, 0

    def evaluate(self, step: int) -> bool:
        """Score (and maybe save); True once dev has not improved for ``patience`` evaluations."""
        with self.nlp.use_params(self.optimizer.averages):
            h = headline(score(self.dev_path, predict_records(self.nlp, self.dev_docs, self.dev_rules)))
            sel = selection_score(h)
            mark = ""
            if sel > self.best:
                self.best, self.best_h, self.evals_since_best = sel, h, 0
                self.meta["sayso"].update({"dev": h, "step": step,
                                           "train_seconds": round(time.time() - self.t_start)})
                save_model(self.nlp, self.output, self.meta)
                mark = " *saved"
            else:
                self.evals_since_best += 1
        self.progress(f"step {step:>5}  dev {_fmt(h)}  mean {100 * sel:.1f}{mark}  "
                      f"({(time.time() - self.t_start) / 60:.1f} min)")
        return self.evals_since_best >= self.patience


def _update(nlp, optimizer, examples: list, rng: random.Random, selection: _Selection, *,
            max_steps: int, max_minutes: float, max_epochs: int, eval_every: int,
            batch_words: int, dropout: float) -> int:
    """The update loop: batches of shuffled examples, an evaluation every ``eval_every``
    steps, until the steps, the minutes, the epochs or dev's patience run out. Returns the
    number of steps taken."""
    progress, t_start = selection.progress, selection.t_start
    t_train = time.time()
    step = 0
    losses: dict[str, float] = {}
    stop = False
    for epoch in range(max_epochs):
        for batch in _batches(examples, batch_words, rng):
            nlp.update(batch, sgd=optimizer, drop=dropout, losses=losses)
            step += 1
            if step % eval_every == 0:
                progress(f"epoch {epoch}  step {step}  loss {losses.get('tagger', 0):.1f}  "
                         f"{step * batch_words / (time.time() - t_train):,.0f} tokens/s")
                losses = {}
                if selection.evaluate(step):
                    progress("no improvement on dev for a while: stopping")
                    stop = True
            if step >= max_steps or (time.time() - t_start) / 60 > max_minutes:
                stop = True
            if stop:
                break
        if stop:
            break
    return step


def train_ensemble(train_path: Path, dev_path: Path, output: Path, *,
                   members: tuple[dict, ...] = MEMBERS, seed: int = 0,
                   progress: Callable[[str], None] = print, **kwargs) -> dict:
    """Train one tagger per entry of ``members`` (each selected on dev on its own), then save
    the averaging ensemble of all of them in ``output`` and score it on dev."""
    import shutil

    import spacy

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{output.name}.members-", dir=output.parent))
    results, loaded = [], []
    for k, hp in enumerate(members):
        progress(f"member {k + 1} of {len(members)}: {hp or 'default'}")
        sub = work / f"member{k + 1}"
        results.append(train(train_path, dev_path, sub, hparams=hp, seed=seed + k,
                             progress=progress, **kwargs))
        loaded.append(spacy.load(sub))
    nlp = loaded[0] if len(loaded) == 1 else combine(loaded)
    dev_docs, _ = cached_docs(dev_path, kwargs.get("cache_dir") or default_cache_dir(),
                              kwargs.get("nlp_loader") or _default_loader(), progress)
    rules = with_features(dev_docs)
    h = headline(score(dev_path, predict_records(nlp, dev_docs, rules)))
    meta = {key: value for key, value in loaded[0].meta.get("sayso", {}).items()
            if key not in ("hparams", "step", "train_seconds")}
    meta.update({"dev": h, "members": [
        {"hparams": {**DEFAULT_HPARAMS, **hp}, "seed": seed + k, "dev": r["dev"],
         "step": m.meta.get("sayso", {}).get("step"), "seconds": round(r["seconds"])}
        for k, (hp, r, m) in enumerate(zip(members, results, loaded))]})
    save_model(nlp, output, {"sayso": meta})
    shutil.rmtree(work, ignore_errors=True)
    seconds = sum(r["seconds"] for r in results)
    progress(f"ensemble of {len(members)}: dev {_fmt(h)}; model in {output}")
    return {"dev": h, "seconds": seconds,
            "members": [{"dev": r["dev"], "steps": r["steps"]} for r in results]}


def _default_loader():
    from sayso import nlp as nlp_mod

    return nlp_mod.load
