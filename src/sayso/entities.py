"""Named entities with NER's own embedding and a cheaper decoder.

spaCy's NER in ``en_core_web_sm`` embeds the words with a tok2vec of its own and then
decodes with a transition system, one state at a time; the decoder is two thirds of NER's
time and NER a third of the default tier's (docs/speed.md). sayso keeps NER's embedding and
replaces the decoder: two maxout layers over a window of the embedding and a lexicon of
word forms, a softmax over BILUO labels, and a Viterbi decode that only allows well-formed
sequences, all the docs of a batch in one matrix product. It is distilled from that NER
(``tools/train_entities.py``, on the texts of PolNeAR train) and agrees with it on 96% of the
entities of PolNeAR dev (97% of the people).

The weights only fit the embedding they were trained on: the model records that pipeline's
name and version, and ``replace_ner`` swaps it in only for that pipeline.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch
from thinc.api import HashEmbed, Maxout, Model, Softmax, chain

from sayso import blas

IMPOSSIBLE = -1e9
SURE_OUTSIDE = math.log(0.99)  # a token this likely to be outside any entity is taken to be
MODEL_DIR = "entities_en"


def build_model(n_labels: int, window: int, hidden: int, lex_rows: int, lex_width: int) -> Model:
    """The tagger's layers; dropout only acts while training. Its input is a pair: the
    windows of NER's embedding and each token's NORM hash, embedded by a table of its own
    (which kind of name a frequent word is: "NATO", "Kiev")."""
    model = chain(_with_lexicon(HashEmbed(nO=lex_width, nV=lex_rows, column=0, seed=7)),
                  Maxout(nO=hidden, nP=3, normalize=True, dropout=0.1),
                  Maxout(nO=hidden, nP=3, normalize=True, dropout=0.1),
                  Softmax(nO=n_labels))
    model.attrs.update(hidden=hidden, lex_rows=lex_rows, lex_width=lex_width)
    return model


def _with_lexicon(embed: Model) -> Model:
    def forward(model: Model, inputs, is_train: bool):
        dense, ids = inputs
        vectors, backprop_embed = embed(ids, is_train)

        def backprop(d_out):
            backprop_embed(d_out[:, dense.shape[1]:])
            return inputs

        return numpy.hstack([dense, vectors]), backprop

    def init(model: Model, X=None, Y=None) -> None:
        embed.initialize(X=None if X is None else X[1])

    return Model("with_lexicon", forward, init=init, layers=[embed])


def windows(tensor: numpy.ndarray, window: int) -> numpy.ndarray:
    """Each token's vector beside its neighbours' (zeros past either end of the doc)."""
    return blas.OPS.seq2col(numpy.ascontiguousarray(tensor, dtype=numpy.float32), window)


def biluo(iob: Sequence[tuple[str, str]]) -> list[str]:
    """BILUO labels from spaCy's (ent_iob_, ent_type_) per token."""
    out = []
    for i, (tag, label) in enumerate(iob):
        inside_next = i + 1 < len(iob) and iob[i + 1][0] == "I"
        if tag in ("", "O"):
            out.append("O")
        elif tag == "B":
            out.append(("B-" if inside_next else "U-") + label)
        else:
            out.append(("I-" if inside_next else "L-") + label)
    return out


@dataclass(frozen=True)
class Transitions:
    """Which label may follow which: an entity opened by B- or I- must go on with I- or L-
    of its own type; anywhere else only O, B- or U- may come."""

    follow: numpy.ndarray  # (labels, labels): 0 where allowed, IMPOSSIBLE where not
    start: numpy.ndarray
    end: numpy.ndarray
    outside: int  # the index of "O"

    @classmethod
    def of(cls, labels: Sequence[str]) -> "Transitions":
        opens = numpy.array([lab[:2] in ("B-", "I-") for lab in labels])
        types = [lab[2:] for lab in labels]
        cont = numpy.array([lab[:2] in ("I-", "L-") for lab in labels])
        same = numpy.array([[a == b for b in types] for a in types])
        ok = numpy.where(opens[:, None], cont[None, :] & same, ~cont[None, :])
        closed = numpy.array([lab == "O" or lab[:2] in ("L-", "U-") for lab in labels])
        return cls(numpy.where(ok, 0.0, IMPOSSIBLE), numpy.where(~cont, 0.0, IMPOSSIBLE),
                   numpy.where(closed, 0.0, IMPOSSIBLE), list(labels).index("O"))


def decode(logprobs: numpy.ndarray, moves: Transitions) -> list[int]:
    """The most probable well-formed label sequence. Where a token is almost surely outside
    any entity (``SURE_OUTSIDE``) it is taken to be; Viterbi runs on the stretches between
    such tokens, which are short and few: most of a text is no entity at all."""
    out = numpy.full(len(logprobs), moves.outside)
    unsure = numpy.flatnonzero(logprobs[:, moves.outside] < SURE_OUTSIDE)
    if len(unsure):
        gaps = numpy.flatnonzero(numpy.diff(unsure) > 1)
        for start, end in zip(numpy.r_[unsure[0], unsure[gaps + 1]], numpy.r_[unsure[gaps], unsure[-1]] + 1):
            out[start:end] = viterbi(logprobs[start:end], moves)
    return out.tolist()


def viterbi(logprobs: numpy.ndarray, moves: Transitions) -> list[int]:
    n = len(logprobs)
    score = logprobs[0] + moves.start
    back = numpy.zeros((n, logprobs.shape[1]), numpy.int32)
    for i in range(1, n):
        total = score[:, None] + moves.follow
        back[i] = total.argmax(0)
        score = total[back[i], numpy.arange(total.shape[1])] + logprobs[i]
    path = [int((score + moves.end).argmax())]
    for i in range(n - 1, 0, -1):
        path.append(int(back[i][path[-1]]))
    return path[::-1]


def spans(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) of each entity in a well-formed BILUO sequence."""
    out, start = [], None
    for i, lab in enumerate(labels):
        if lab[:2] == "U-":
            out.append((i, i + 1, lab[2:]))
        elif lab[:2] == "B-":
            start = i
        elif lab[:2] == "L-" and start is not None:
            out.append((start, i + 1, lab[2:]))
            start = None
    return out


@dataclass(frozen=True)
class EntityModel:
    model: Model
    labels: tuple[str, ...]
    window: int
    pipeline: str  # the spaCy pipeline ("name==version") whose NER embedding it reads
    moves: Transitions
    width: int  # of that embedding

    def entities(self, tensors: Sequence[numpy.ndarray],
                 norms: Sequence[numpy.ndarray]) -> list[list[tuple[int, int, str]]]:
        """Each doc's entities (from its tokens' embeddings and NORM hashes), the docs of a
        batch predicted in one matrix product."""
        rows = [windows(t, self.window) for t in tensors if len(t)]
        ids = [n.reshape(-1, 1) for t, n in zip(tensors, norms) if len(t)]
        probs = (self.model.predict((numpy.vstack(rows), numpy.vstack(ids))) if rows
                 else numpy.zeros((0, len(self.labels))))
        out, at = [], 0
        for t in tensors:
            part = numpy.log(probs[at:at + len(t)] + 1e-9)
            at += len(t)
            out.append(spans([self.labels[j] for j in decode(part, self.moves)]) if len(t) else [])
        return out

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        (path / "model.bin").write_bytes(self.model.to_bytes())
        meta = {"labels": list(self.labels), "window": self.window, "pipeline": self.pipeline,
                "width": self.width, **{k: self.model.attrs[k] for k in ("hidden", "lex_rows", "lex_width")}}
        (path / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


def load_entity_model(path: Path) -> EntityModel:
    meta = json.loads((path / "meta.json").read_text("utf-8"))
    labels = tuple(meta["labels"])
    model = build_model(len(labels), meta["window"], meta["hidden"], meta["lex_rows"], meta["lex_width"])
    model.initialize(X=sample_input(meta["width"], meta["window"]))
    model.from_bytes((path / "model.bin").read_bytes())
    blas.adopt([model])
    return EntityModel(model, labels, meta["window"], meta["pipeline"], Transitions.of(labels), meta["width"])


def sample_input(width: int, window: int, n: int = 2):
    return (numpy.zeros((n, width * (2 * window + 1)), numpy.float32), numpy.zeros((n, 1), numpy.uint64))


def embedder(nlp: Language) -> Model:
    """NER's own embedding of the tokens (its tok2vec and the projection to its hidden
    width): one array over the tokens of a batch of docs."""
    return nlp.get_pipe("ner").model.get_ref("tok2vec")


def embed(tok2vec: Model, docs: Sequence[Doc]) -> list[numpy.ndarray]:
    """Each doc's rows of the embedding."""
    flat = tok2vec.predict(list(docs)) if any(len(d) for d in docs) else numpy.zeros((0, 0), numpy.float32)
    cuts = numpy.cumsum([len(d) for d in docs])[:-1]
    return numpy.split(numpy.asarray(flat, dtype=numpy.float32), cuts)


def norms(doc: Doc) -> numpy.ndarray:
    return doc.to_array("NORM").astype(numpy.uint64)


@functools.lru_cache(maxsize=2)
def packaged_model() -> EntityModel:
    with resources.as_file(resources.files("sayso.data").joinpath(MODEL_DIR)) as path:
        return load_entity_model(Path(path))


def pipeline_id(nlp: Language) -> str:
    return f"{nlp.meta.get('name')}=={nlp.meta.get('version')}"


class EntityTagger:
    """Sets ``doc.ents``, embedding the tokens with the NER it stands in for."""

    def __init__(self, model: EntityModel, tok2vec: Model):
        self.model = model
        self.tok2vec = tok2vec

    def __call__(self, doc: Doc) -> Doc:
        return self._set([doc])[0]

    def pipe(self, docs: Iterable[Doc], batch_size: int = 16) -> Iterator[Doc]:
        for batch in minibatch(docs, batch_size):
            yield from self._set(batch)

    def _set(self, docs: list[Doc]) -> list[Doc]:
        found_all = self.model.entities(embed(self.tok2vec, docs), [norms(doc) for doc in docs])
        for doc, found in zip(docs, found_all):
            doc.set_ents([Span(doc, s, e, label) for s, e, label in found], default="outside")
        return docs


@Language.factory("sayso_entities", assigns=["doc.ents", "token.ent_iob", "token.ent_type"])
def make_entity_tagger(nlp: Language, name: str) -> EntityTagger:
    """Built while NER is still in the pipeline: the tagger takes over its embedding."""
    if "ner" not in nlp.pipe_names:
        raise ValueError("sayso_entities needs the pipeline's NER, whose embedding it reads; "
                         "add it with sayso.entities.replace_ner")
    tok2vec = embedder(nlp)
    blas.adopt([tok2vec])  # NER's embedding now serves the tagger alone (sayso.blas)
    return EntityTagger(packaged_model(), tok2vec)


def replace_ner(nlp: Language) -> bool:
    """Put the entity tagger in NER's place when the pipeline is the one it was distilled
    from (any other pipeline keeps its own NER); True when it did. NER's embedding stays,
    inside the tagger; NER's decoder no longer runs."""
    if "ner" not in nlp.pipe_names or pipeline_id(nlp) != packaged_model().pipeline:
        return False
    nlp.add_pipe("sayso_entities", after="ner")
    nlp.remove_pipe("ner")
    return True
