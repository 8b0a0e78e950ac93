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

from sayso import fastlayers


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


def adopt(models: Iterable[Model]) -> None:
    """Give each layer of these models the faster ops, when it runs on thinc's plain CPU
    ops (a model on a GPU, or on ops of another kind, keeps its own), and the faster
    prediction of ``sayso.fastlayers`` (which relies on these products: a row's product
    does not depend on the rows multiplied with it)."""
    for model in models:
        for node in model.walk():
            if type(node.ops) is NumpyOps:
                node.ops = OPS
            if node.ops is OPS:
                fastlayers.adopt(node)


def adopt_pipeline(nlp: Language) -> Language:
    """``adopt`` for every trained component of a pipeline."""
    adopt(pipe.model for _, pipe in nlp.components if isinstance(getattr(pipe, "model", None), Model))
    return nlp
