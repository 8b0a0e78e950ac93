#!/usr/bin/env python3
"""thinc's matrix product on one core: blis (thinc's ``NumpyOps``) against numpy's BLAS held
to one thread (``sayso.blas.NumpyBlasOps``), in one run, on the shapes of the layers the
default tier multiplies through (spaCy's tok2vec, NER's embedding, sayso's taggers).

    python bench/gemm.py [--rows 2000] [--repeat 50] [--check 3000]

Prints, per shape, the milliseconds of each and the ratio blis / numpy (above 1: numpy's
BLAS is faster here, and ``sayso.blas`` pays on this machine). ``--check N``: for products
of 1 to N rows, whether each row's product equals that row's product inside a product of
many rows, with numpy's BLAS as it is (the largest product, in multiply-adds, that differs:
where OpenBLAS takes its small-matrix kernels) and as ``sayso.blas`` calls it (none may).
"""
from __future__ import annotations

import argparse
import time

import numpy
from thinc.api import NumpyOps

from sayso.blas import NumpyBlasOps

# (inputs, outputs) of a layer: a window of tokens by the maxout pieces of its width
SHAPES = {
    "spaCy tok2vec (96 wide, window 1, 3 pieces)": (288, 288),
    "sayso tagger CNN (64 wide, window 2, 3 pieces)": (320, 192),
    "entity tagger (3 tokens of 64 + 32, 128 x 2 pieces)": (224, 256),
    "parser's input layer (precomputed features)": (96, 64 * 2 * 8),
    "sayso tagger output (64 wide, 7 labels)": (64, 7),
    "entity tagger output (128 wide, 65 labels)": (128, 65),
}


def best_ms(fn, repeat: int) -> float:
    fn()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best * 1e3


def batch_dependence(gemm, x, w, up_to: int) -> int:
    """The most multiply-adds of a product of 1..up_to rows whose rows differ from the same
    rows' products in the whole of ``x`` (0: none differ)."""
    whole = gemm(x, w)
    worst = 0
    for n in range(1, up_to + 1):
        if not numpy.array_equal(gemm(x[3:3 + n], w), whole[3:3 + n]):
            worst = n * w.shape[0] * w.shape[1]
    return worst


def check(rng, up_to: int) -> None:
    plain = ops_blas()
    ours = NumpyBlasOps()
    print(f"{'layer':55s} {'numpy':>9s} {'sayso.blas':>10s}   (largest product whose rows depend on the batch)")
    for name, (n_in, n_out) in SHAPES.items():
        x = rng.standard_normal((up_to + 8, n_in), dtype=numpy.float32)
        w = rng.standard_normal((n_out, n_in), dtype=numpy.float32)
        a = batch_dependence(plain, x, w, up_to)
        b = batch_dependence(lambda x, w: ours.gemm(x, w, trans2=True), x, w, up_to)
        print(f"{name:55s} {a:9,d} {b:10,d}")


def ops_blas():
    """numpy's product on one thread, without sayso.blas's padding."""
    from threadpoolctl import threadpool_limits

    def gemm(x, w):
        with threadpool_limits(1, user_api="blas"):
            return x @ w.T
    return gemm


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=2000, help="tokens in one product (a batch)")
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--check", type=int, default=0, metavar="N",
                    help="also check that no row's product depends on the batch, for 1..N rows")
    args = ap.parse_args()
    rng = numpy.random.default_rng(0)
    if args.check:
        check(rng, args.check)
    blis, ours = NumpyOps(), NumpyBlasOps()
    print(f"{'layer':55s} {'blis ms':>8s} {'numpy ms':>9s} {'ratio':>6s}")
    for name, (n_in, n_out) in SHAPES.items():
        x = rng.standard_normal((args.rows, n_in), dtype=numpy.float32)
        w = rng.standard_normal((n_out, n_in), dtype=numpy.float32)
        a = best_ms(lambda: blis.gemm(x, w, trans2=True), args.repeat)
        b = best_ms(lambda: ours.gemm(x, w, trans2=True), args.repeat)
        print(f"{name:55s} {a:8.3f} {b:9.3f} {a / b:6.2f}")


if __name__ == "__main__":
    main()
