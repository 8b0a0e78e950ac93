"""The ``best`` tier on a parsed Doc: the fine-tuned encoder in place of the fast tier's
tagger, then the same decoder and linker (``model.py``).

Steps per document: the rule tier (its statements are features and supply nested
statements), the feature columns, sub-word windows with overlap, the int8 encoder on the
CPU, per-token label probabilities from each token's best-placed window, then
``statements_from_doc``. Offsets come from spaCy tokens, so every span is exact.

Needs the optional dependencies (``pip install 'sayso[best]'``: torch, transformers,
tokenizers) and the model directory ``sayso/data/model-best``.
"""
from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import numpy

MODEL_DIR = "model-best"
BATCH = 16  # windows per forward pass


class MissingExtra(RuntimeError):
    """The best tier's optional dependencies are not installed."""


def default_model_path() -> Path:
    return Path(str(resources.files("sayso.data").joinpath(MODEL_DIR)))


class BestTagger:
    """The loaded encoder, its tokenizer and configuration; ``scores(doc, feats)`` gives
    per-token label probabilities like the fast tier's tagger."""

    def __init__(self, path: Path | None = None):
        try:
            import torch  # noqa: F401
            import transformers  # noqa: F401
        except ImportError as exc:
            raise MissingExtra("the best tier needs torch and transformers: "
                               "pip install 'sayso[best]'") from exc
        from sayso.extract.encoder import for_cpu, load_model, read_config
        from sayso.extract.train_best import load_tokenizer, special_ids

        self.path = Path(path) if path else default_model_path()
        if not (self.path / "weights.safetensors").is_file():
            raise FileNotFoundError(f"no trained best-tier model at {self.path}")
        self.config = read_config(self.path)
        self.labels = list(self.config["labels"])
        self.columns = list(self.config["feature_columns"])
        self.use_features = self.config.get("fit", {}).get("use_features", True)
        self.tokenizer = load_tokenizer(self.path)
        self.special = special_ids(self.tokenizer)
        self.model = for_cpu(load_model(self.path, self.config))

    def scores(self, doc, feats: numpy.ndarray) -> numpy.ndarray:
        import torch

        from sayso.extract.subwords import token_scores, window_features
        from sayso.extract.train_best import doc_windows

        if not len(doc):
            return numpy.zeros((0, len(self.labels)), dtype="float32")
        w = doc_windows(doc, self.tokenizer, self.config, self.special)
        wf = window_features(w, numpy.asarray(feats, dtype=numpy.int64)[:, self.columns])
        probs = numpy.zeros(w.ids.shape + (len(self.labels),), dtype="float32")
        with torch.inference_mode():
            for k in range(0, len(w.ids), BATCH):
                width = int(w.mask[k:k + BATCH].sum(1).max())
                ids = torch.from_numpy(w.ids[k:k + BATCH, :width])
                mask = torch.from_numpy(w.mask[k:k + BATCH, :width])
                f = torch.from_numpy(wf[k:k + BATCH, :width]) if self.use_features else None
                logits = self.model(ids, mask, f)
                probs[k:k + BATCH, :width] = torch.softmax(logits.float(), -1).numpy()
        return token_scores(w, probs)


@functools.lru_cache(maxsize=2)
def load_tagger(path: str | None = None) -> BestTagger:
    return BestTagger(Path(path) if path else None)


def extract_statements_best(doc, tagger: BestTagger | None = None) -> list:
    """Rules (features, nested statements), encoder, decoder and linker on a parsed Doc."""
    from sayso.extract.features import extra_features
    from sayso.extract.model import add_nested, number, statements_from_doc
    from sayso.extract.rules import extract_statements

    tagger = tagger or load_tagger()
    rules = extract_statements(doc)
    scores = tagger.scores(doc, extra_features(doc, rules))
    found = statements_from_doc(doc, scores, tagger.labels,
                                rules if tagger.config.get("rule_content", True) else None)
    return number(add_nested(found, rules))


def predict_records(model_dir: Path, docs) -> list[dict]:
    """Scorer-shaped records for parsed docs (training: score the chosen model on dev)."""
    from sayso.extract.train import ID_KEY

    tagger = BestTagger(model_dir)
    out = []
    for doc in docs:
        sts = extract_statements_best(doc, tagger)
        out.append({"id": doc.user_data[ID_KEY],
                    "attributions": [s.to_attribution() for s in sts if "nested" not in s.flags]})
    return out
