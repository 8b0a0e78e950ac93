"""thinc's products through numpy's BLAS: the same products, and nothing else changed."""
import numpy
import pytest
from thinc.api import Linear, NumpyOps, Ops
from threadpoolctl import threadpool_info

from sayso import blas
from sayso import nlp as nlp_mod
from sayso.extract.model import load_model


@pytest.mark.parametrize("trans1,trans2", [(False, False), (False, True), (True, False), (True, True)])
def test_the_products_are_blis_products_up_to_rounding(trans1, trans2):
    rng = numpy.random.default_rng(7)
    x = rng.standard_normal((300, 96), dtype=numpy.float32)
    y = rng.standard_normal((96, 288), dtype=numpy.float32)
    x = x.T.copy() if trans1 else x
    y = y.T.copy() if trans2 else y
    want = NumpyOps().gemm(x, y, trans1=trans1, trans2=trans2)
    got = blas.OPS.gemm(x, y, trans1=trans1, trans2=trans2)
    assert got.dtype == numpy.float32 and got.shape == (300, 288)
    numpy.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("n_in,n_out", [(320, 192), (64, 7), (1024, 96)])
def test_no_row_depends_on_the_rows_multiplied_with_it(n_in, n_out):
    """An article's probabilities must not depend on the articles in its batch, so a short
    product (where OpenBLAS takes other kernels) gives each row what a long one gives it."""
    rng = numpy.random.default_rng(3)
    x = rng.standard_normal((2000, n_in), dtype=numpy.float32)
    w = rng.standard_normal((n_out, n_in), dtype=numpy.float32)
    whole = blas.OPS.gemm(x, w, trans2=True)
    for n in (1, 2, 5, 17, 171, 600):
        assert numpy.array_equal(blas.OPS.gemm(x[9:9 + n], w, trans2=True), whole[9:9 + n])


def test_a_product_into_a_given_array_fills_it():
    x = numpy.ones((4, 3), dtype=numpy.float32)
    out = numpy.zeros((4, 2), dtype=numpy.float32)
    assert blas.OPS.gemm(x, numpy.ones((3, 2), dtype=numpy.float32), out=out) is out
    assert (out == 3).all()


def test_the_process_keeps_its_blas_threads():
    before = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    blas.OPS.gemm(numpy.ones((500, 500), dtype=numpy.float32), numpy.ones((500, 500), dtype=numpy.float32))
    assert [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"] == before


def test_layers_on_other_ops_keep_them():
    cpu, other = Linear(4, 3), Linear(4, 3)
    other.ops = Ops()  # the base ops: neither blis nor this module's
    blas.adopt([cpu, other])
    assert cpu.ops is blas.OPS
    assert type(other.ops) is Ops


def test_every_model_of_the_loaded_pipeline_multiplies_through_numpy():
    nlp = nlp_mod.load()
    models = [p.model for _, p in nlp.components if hasattr(getattr(p, "model", None), "walk")]
    entity_tagger = nlp.get_pipe("sayso_entities")
    models += [entity_tagger.tok2vec, entity_tagger.model.model]
    models += [p.model for _, p in load_model().components]  # the fast tier's taggers
    assert models and all(node.ops is blas.OPS for m in models for node in m.walk())

