"""The ``best`` tier on a parsed Doc: the fine-tuned encoder beside the fast tier's
taggers, then the same decoder and linker (``model.py``).

Steps per document: the rule tier (its statements are features and supply nested
statements), the feature columns, sub-word windows with overlap, the int8 encoder on the
CPU, per-token label probabilities from each token's best-placed window, mixed with the fast
tier's probabilities where the model's ``fast_weight`` says so (two models that read the text
differently can err less together than either; training measures whether they do on dev
and keeps the share, 0 when they do not), then ``statements_from_doc``. Offsets come from spaCy tokens, so every span is exact.

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

        self.path = Path(path) if path else default_model_path()
        if not (self.path / "weights.safetensors").is_file():
            raise FileNotFoundError(f"no trained best-tier model at {self.path}")
        self.config = read_config(self.path)
        self.labels = list(self.config["labels"])
        self.columns = list(self.config["feature_columns"])
        self.use_features = self.config.get("fit", {}).get("use_features", True)
        # the share of the fast tier's averaged taggers in the mix (0: the encoder alone)
        self.fast_weight = float(self.config.get("fast_weight", 0.0))
        self.tokenizer = load_tokenizer(self.path)
        self.special = special_ids(self.tokenizer)
        self.model = for_cpu(load_model(self.path, self.config))

    def scores(self, doc, feats: numpy.ndarray) -> numpy.ndarray:
        import torch

        from sayso.extract.subwords import token_scores, window_features

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


# ------------------------------------------------------------------ sub-word windows
# Prediction's own, which training reuses: training imports prediction, never the reverse.
def load_tokenizer(model_dir: Path):
    from tokenizers import Tokenizer

    from sayso.extract.encoder import TOKENIZER

    return Tokenizer.from_file(str(Path(model_dir) / TOKENIZER))


def special_ids(tokenizer) -> dict[str, int]:
    from sayso.extract.subwords import BREAK_PIECE

    ids = {k: tokenizer.token_to_id(v) for k, v in
           (("cls", "[CLS]"), ("sep", "[SEP]"), ("unk", "[UNK]"), ("pad", "[PAD]"), ("brk", BREAK_PIECE))}
    if None in ids.values():
        raise ValueError(f"tokenizer lacks a special piece: {ids}")
    return ids


def doc_windows(doc, tokenizer, config: dict, special: dict[str, int] | None = None):
    """A parsed doc's sub-word windows (see ``subwords.py``), for training and prediction."""
    from sayso.extract.subwords import make_windows, token_pieces

    sp = special or special_ids(tokenizer)
    pieces = token_pieces(tokenizer, [t.text for t in doc], sp["unk"], sp["brk"])
    return make_windows(pieces, sp["cls"], sp["sep"], sp["pad"], config["length"], config["stride"])


@functools.lru_cache(maxsize=2)
def load_tagger(path: str | None = None) -> BestTagger:
    return BestTagger(Path(path) if path else None)


def fast_pipeline(path: str | None = None):
    """The fast tier's taggers that the mix uses: those in ``path`` (``Settings.fast_model``)
    or the packaged ones."""
    from sayso.extract.model import load_model

    return load_model(path or None)


def fast_scores(doc, feats, fast_nlp, labels: list[str]) -> numpy.ndarray:
    """The fast tier's averaged tagger probabilities, columns in the order of ``labels``."""
    from sayso.extract.model import FEATS_KEY, label_order, predict_scores

    order = label_order(fast_nlp)
    if sorted(order) != sorted(labels):
        raise ValueError(f"the fast model's labels {order} are not the best model's {labels}")
    doc.user_data[FEATS_KEY] = feats
    try:
        (scores,) = predict_scores(fast_nlp, [doc])
    finally:
        del doc.user_data[FEATS_KEY]
    return scores[:, [order.index(label) for label in labels]]


def mixed_statements(doc, rules, labels, encoder_scores, fast, fast_weight: float,
                     rule_content: bool = True) -> list:
    """Statements from ``(1 - fast_weight) * encoder + fast_weight * fast`` probabilities."""
    from sayso.extract.model import add_nested, number, statements_from_doc

    scores = encoder_scores if fast is None or not fast_weight else \
        (1.0 - fast_weight) * encoder_scores + fast_weight * fast
    found = statements_from_doc(doc, scores, labels, rules if rule_content else None)
    return number(add_nested(found, rules))


def extract_statements_best(doc, tagger: BestTagger | None = None, fast_nlp=None) -> list:
    """Rules (features, nested statements), encoder (mixed with the fast tier's taggers
    where the model asks for it), decoder and linker on a parsed Doc."""
    from sayso.extract.features import extra_features
    from sayso.extract.rules import extract_statements

    tagger = tagger or load_tagger()
    rules = extract_statements(doc)
    feats = extra_features(doc, rules)
    scores = tagger.scores(doc, feats)
    fast = None
    if tagger.fast_weight and len(doc):
        fast_nlp = fast_nlp if fast_nlp is not None else fast_pipeline()
        fast = fast_scores(doc, feats, fast_nlp, tagger.labels)
    return mixed_statements(doc, rules, tagger.labels, scores, fast, tagger.fast_weight,
                            tagger.config.get("rule_content", True))

