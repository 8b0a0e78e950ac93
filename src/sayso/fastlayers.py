"""thinc's layers when they predict: the same values to the last bit, with less work.

Prediction never asks for gradients, so some of what training needs can go:

- **Maxout** takes the best piece with numpy's elementwise maximum (thinc's kernel also
  records which piece won, for the backward pass): 3x faster on the layers' shapes.
- **LayerNorm** centres the values once (thinc computes the mean twice and the centred
  values twice, once for the variance).
- **The word embedding** of a tok2vec (spaCy's ``MultiHashEmbed``, sayso's taggers' own):
  features extracted per token, hashed into tables, concatenated, then a Maxout layer.
  Each token's vector is a function of its row of features alone, and a batch of news
  holds each distinct row five times over (a fifth of the rows of PolNeAR dev and the
  real-news pages are distinct), so the rows are embedded once each and copied out.

Training runs thinc's own forward passes (``is_train``). ``sayso.blas.adopt`` applies
these to the layers it gives numpy's products, whose rows do not depend on the rows
multiplied with them: that is what makes embedding the distinct rows alone exact.
"""
from __future__ import annotations

import numpy
from thinc.api import Model
from thinc.layers.chain import forward as chain_forward
from thinc.layers.layernorm import forward as layernorm_forward
from thinc.layers.maxout import forward as maxout_forward


def _maxout_predict(model: Model, X, is_train: bool):
    if is_train:
        return maxout_forward(model, X, is_train)
    nO, nP = model.get_dim("nO"), model.get_dim("nP")
    W = model.ops.reshape2f(model.get_param("W"), nO * nP, model.get_dim("nI"))
    Y = model.ops.gemm(X, W, trans2=True)
    Y += model.ops.reshape1f(model.get_param("b"), nO * nP)
    Z = Y.reshape((Y.shape[0], nO, nP))
    best = numpy.maximum(Z[:, :, 0], Z[:, :, 1]) if nP > 1 else Z[:, :, 0].copy()
    for p in range(2, nP):
        numpy.maximum(best, Z[:, :, p], out=best)
    return best, _no_backprop


def _layernorm_predict(model: Model, X, is_train: bool):
    if is_train:
        return layernorm_forward(model, X, is_train)
    centred = X - X.mean(axis=1, keepdims=True)
    var = (centred * centred).sum(axis=1, keepdims=True)
    var /= X.shape[1]
    var += 1e-08
    centred *= var ** (-1.0 / 2.0)
    centred *= model.get_param("G")
    centred += model.get_param("b")
    return centred, _no_backprop


def _embed_predict(model: Model, docs, is_train: bool):
    """An embedding chain (features >> list2ragged >> with_array(hash tables) >>
    with_array(maxout…) >> ragged2list) over the distinct feature rows of the batch."""
    if is_train:
        return chain_forward(model, docs, is_train)
    extract, _, tables, mix, _ = model.layers
    feats = extract.predict(docs)
    lengths = [len(f) for f in feats]
    if not sum(lengths):
        return chain_forward(model, docs, is_train)
    rows = numpy.ascontiguousarray(numpy.concatenate(feats))
    first, inverse = distinct_rows(rows)
    vectors = mix.predict(tables.predict(rows[first]))[inverse]
    return numpy.split(vectors, numpy.cumsum(lengths)[:-1]), _no_backprop


def distinct_rows(rows: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
    """(where each distinct row first occurs, which distinct row each row is). Rows are
    compared as bytes (numpy's ``unique(axis=0)`` is four times slower on these)."""
    as_bytes = rows.view(numpy.dtype((numpy.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    _, first, inverse = numpy.unique(as_bytes, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


def _is_embedding(node: Model) -> bool:
    names = [layer.name for layer in node.layers]
    return (node._func is chain_forward and len(names) == 5 and names[1] == "list2ragged"
            and names[4] == "ragged2list" and names[2].startswith("with_array(")
            and "hashembed" in names[2] and names[3].startswith("with_array(maxout"))


def _no_backprop(dY):
    raise RuntimeError("a layer's prediction was asked for gradients; call it with is_train=True")


PREDICT = {maxout_forward: _maxout_predict, layernorm_forward: _layernorm_predict}


def adopt(node: Model) -> None:
    """Give this one layer (not its children) its faster prediction, if it has one."""
    if node._func in PREDICT:
        node._func = PREDICT[node._func]
    elif _is_embedding(node):
        node._func = _embed_predict


FAST = frozenset(PREDICT.values()) | {_embed_predict}
