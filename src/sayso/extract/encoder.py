"""The ``best`` tier's network: a MiniLM (BERT) encoder fine-tuned to tag cue / source /
content, with the rule tier's findings as extra input.

The encoder reads WordPiece windows (``subwords.py``). To each piece's word embedding it
adds small embeddings of its token's extra features (what the rule tier found there,
quotation marks, the cue lexicon: ``features.py``); they start at zero, so fine-tuning
begins from the pretrained encoder unchanged. A linear layer over the last hidden state of
each token's first piece gives the same BIO labels as the ``fast`` tier, so the same
decoder and linker turn them into statements.

Weights are stored compactly in one safetensors file: 2-D matrices (the word embeddings
and every linear layer) as int8 with one scale per row, the rest as float16. That keeps the
shipped model near 23 MB; on load they are expanded to float32 and, for the CPU, the linear
layers are quantised again dynamically (int8 matrix products, about twice as fast).

Only torch, transformers and safetensors are imported here (no spaCy), so the training
loop runs on a bare GPU machine from the source tree.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

WEIGHTS = "weights.safetensors"
CONFIG = "config.json"
TOKENIZER = "tokenizer.json"
FEATURE_SIZES = (17, 4, 4)  # RULE, QUOTE, LEX columns of features.EXTRA (see FEATURE_COLUMNS)
FEATURE_COLUMNS = (0, 1, 2)


class AttributionEncoder(nn.Module):
    """BERT encoder + feature embeddings + a linear BIO classifier."""

    def __init__(self, bert_config: dict, n_labels: int, feature_sizes=FEATURE_SIZES,
                 dropout: float = 0.1):
        super().__init__()
        from transformers import BertConfig, BertModel

        cfg = BertConfig(**{k: v for k, v in bert_config.items() if not k.startswith("_")})
        self.bert = BertModel(cfg, add_pooling_layer=False)
        hidden = cfg.hidden_size
        self.features = nn.ModuleList(nn.Embedding(n, hidden) for n in feature_sizes)
        for emb in self.features:
            nn.init.zeros_(emb.weight)
        self.feature_sizes = tuple(feature_sizes)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(hidden, n_labels)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor,
                feats: torch.Tensor | None = None) -> torch.Tensor:
        x = self.bert.embeddings.word_embeddings(ids)
        if feats is not None:
            for k, emb in enumerate(self.features):
                x = x + emb(feats[..., k].clamp(0, self.feature_sizes[k] - 1))
        h = self.bert(inputs_embeds=x, attention_mask=mask).last_hidden_state
        return self.classifier(self.dropout(h))


# ------------------------------------------------------------------ compact weights
def _is_matrix(name: str, t: torch.Tensor) -> bool:
    return t.dim() == 2 and name.endswith("weight") and "LayerNorm" not in name \
        and "position_embeddings" not in name and "token_type" not in name \
        and not name.startswith("features.")


def compact_state(state: dict[str, torch.Tensor], int8: bool = True) -> dict[str, torch.Tensor]:
    """int8 rows + float scales for the big matrices (``int8``), float16 for the rest. The
    word embeddings are always int8: they are frozen during fine-tuning, so the shipped
    model reads exactly the values it was trained with."""
    out = {}
    for name, t in state.items():
        t = t.detach().float().cpu()
        if _is_matrix(name, t) and (int8 or "word_embeddings" in name):
            scale = t.abs().amax(dim=1).clamp(min=1e-8) / 127.0
            out[name + ".q8"] = torch.round(t / scale[:, None]).clamp(-127, 127).to(torch.int8)
            out[name + ".scale"] = scale.to(torch.float32)
        else:
            out[name] = t.to(torch.float16)
    return out


def expand_state(packed: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The float32 state dict of a compact one."""
    out = {}
    for name, t in packed.items():
        if name.endswith(".scale"):
            continue
        if name.endswith(".q8"):
            base = name[:-3]
            out[base] = t.float() * packed[base + ".scale"][:, None]
        else:
            out[name] = t.float()
    return out


def save_model(model: AttributionEncoder, path: Path, config: dict, int8: bool = True) -> None:
    """The model directory: config, compact weights (the tokenizer is copied by the caller)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    save_file(compact_state(model.state_dict(), int8=int8), str(path / WEIGHTS))
    (path / CONFIG).write_text(json.dumps(config, indent=1, sort_keys=True), encoding="utf-8")


def read_config(path: Path) -> dict:
    return json.loads((Path(path) / CONFIG).read_text(encoding="utf-8"))


def load_model(path: Path, config: dict | None = None, strict: bool = True) -> AttributionEncoder:
    """A float32 model from a model directory (for training or evaluation)."""
    config = config or read_config(path)
    model = AttributionEncoder(config["bert"], len(config["labels"]),
                               tuple(config.get("feature_sizes", FEATURE_SIZES)))
    state = expand_state(load_file(str(Path(path) / WEIGHTS)))
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if strict or not m.startswith(("features.", "classifier."))]
    if missing or unexpected:
        raise ValueError(f"weights do not fit the model: missing {missing[:3]}, unexpected {unexpected[:3]}")
    return model


def for_cpu(model: AttributionEncoder) -> nn.Module:
    """Evaluation mode with int8 dynamic quantisation of the linear layers (per output
    channel), the fastest plain-torch way to run a small encoder on a CPU core."""
    model.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        return quantize_dynamic(model, {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
