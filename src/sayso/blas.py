"""thinc's matrix products on the CPU through numpy's BLAS, on one thread.

On the CPU, thinc multiplies through blis (``NumpyOps``); numpy ships OpenBLAS, whose
float32 kernels for the shapes of spaCy's and sayso's layers (a few thousand rows by 64–320)
ran 1.4x faster on one core of this project's machines (``bench/gemm.py`` measures it
wherever sayso runs). The products are the same sums in another order, so the models'
probabilities may move in the last bits; ``sayso extract`` gave byte-identical output on
PolNeAR dev, the real-news pages and the reference article (docs/speed.md).

One thread, because sayso scales by processes (one worker per core, as spaCy's blis runs
on one): a BLAS that starts a thread per core in every worker would fight the other workers
for the cores. The limit is taken around each product and given back after it, so nothing
else in the process that uses numpy is changed. And the same products whatever the batch:
an article's records do not depend on the articles analysed with it (``MIN_WORK``).

Only the per-layer products move: the parser's per-step product stays in spaCy's compiled
code (blis).
"""
from __future__ import annotations

import functools
from typing import Iterable

import numpy
from spacy.language import Language
from thinc.api import Model, NumpyOps
from thinc.layers.layernorm import forward as layernorm_forward
from thinc.layers.maxout import forward as maxout_forward


@functools.lru_cache(maxsize=1)
def _blas():
    """numpy's BLAS libraries as threadpoolctl finds them (looked up once per process)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().select(user_api="blas")


# Multiply-adds below which OpenBLAS takes other kernels (its small-matrix kernels, gemv
# for one row), whose sums run in another order: a row's product would then depend on how
# many rows were multiplied with it, so an article's probabilities on its batch. Such
# products measured on layers' shapes were all under 450,000 (bench/gemm.py --check).
MIN_WORK = 1 << 21


class NumpyBlasOps(NumpyOps):
    """``NumpyOps`` whose ``gemm`` is numpy's, on one thread, each row's product the same
    whatever rows come with it (a short product is padded with zero rows to ``MIN_WORK``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, use_blis=False, **kwargs)

    def gemm(self, x, y, out=None, trans1=False, trans2=False):
        rows, inner = x.shape
        need = -(-MIN_WORK // max(inner * (y.shape[0] if trans2 else y.shape[1]), 1))
        with _blas().limit(limits=1):
            if trans1 or rows >= need:  # (x transposed: training's products, never short)
                return super().gemm(x, y, out=out, trans1=trans1, trans2=trans2)
            padded = numpy.zeros((need, inner), dtype=x.dtype)
            padded[:rows] = x
            product = super().gemm(padded, y, trans2=trans2)[:rows]
        if out is None:
            return product
        out[...] = product
        return out


OPS = NumpyBlasOps()


def _maxout_predict(model: Model, X, is_train: bool):
    """thinc's Maxout when predicting: the same product, and the best piece taken with
    numpy's elementwise maximum (exact, 3x faster than the maxout kernel, which also
    records which piece won, for a backward pass that prediction never makes)."""
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
    """thinc's LayerNorm when predicting: the same operations on the same values (so the
    same bits), without recomputing the mean and the centred values for the variance."""
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


def _no_backprop(dY):
    raise RuntimeError("a layer's prediction was asked for gradients; call it with is_train=True")


PREDICT = {maxout_forward: _maxout_predict, layernorm_forward: _layernorm_predict}


def adopt(models: Iterable[Model]) -> None:
    """Give each layer of these models the faster ops, when it runs on thinc's plain CPU
    ops (a model on a GPU, or on ops of another kind, keeps its own), and the faster
    prediction of Maxout and LayerNorm (training runs thinc's own)."""
    for model in models:
        for node in model.walk():
            if type(node.ops) is NumpyOps:
                node.ops = OPS
            if node.ops is OPS and node._func in PREDICT:
                node._func = PREDICT[node._func]


def adopt_pipeline(nlp: Language) -> Language:
    """``adopt`` for every trained component of a pipeline."""
    adopt(pipe.model for _, pipe in nlp.components if isinstance(getattr(pipe, "model", None), Model))
    return nlp
