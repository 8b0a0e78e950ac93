"""thinc's layers predicting through sayso.fastlayers: the same bits, and training untouched."""
import numpy
import pytest
from thinc.api import Maxout
from thinc.layers.chain import forward as chain_forward

from sayso import blas, fastlayers
from sayso import nlp as nlp_mod
from sayso.extract.features import extra_features
from sayso.extract.model import FEATS_KEY, load_model
from sayso.extract.rules import extract_statements


@pytest.mark.parametrize("normalize", [False, True])
def test_maxout_and_layernorm_predict_the_same_bits_and_still_train(normalize):
    rng = numpy.random.default_rng(5)
    x = rng.standard_normal((700, 48), dtype=numpy.float32) * 3 + 1
    plain = Maxout(32, 48, nP=3, normalize=normalize)
    plain.initialize(X=x)
    fast = Maxout(32, 48, nP=3, normalize=normalize)
    fast.initialize(X=x)
    fast.from_bytes(plain.to_bytes())
    blas.adopt([fast])
    for node in plain.walk():
        node.ops = blas.OPS  # the same products, so that only the forward passes differ
    assert any(node._func in fastlayers.FAST for node in fast.walk())
    assert numpy.array_equal(fast.predict(x), plain.predict(x))
    y, backprop = fast.begin_update(x)
    assert numpy.array_equal(y, plain.begin_update(x)[0]) and backprop(y).shape == x.shape


def test_distinct_rows_and_where_each_row_comes_from():
    rows = numpy.array([[3, 1], [2, 2], [3, 1], [0, 9], [2, 2]], dtype="uint64")
    first, inverse = fastlayers.distinct_rows(rows)
    assert len(first) == 3
    assert numpy.array_equal(rows[first][inverse], rows)


def embeddings():
    """Every word embedding sayso runs: spaCy's tok2vec, NER's (the entity tagger's) and
    the fast tier's two taggers'."""
    nlp = nlp_mod.load()
    models = [nlp.get_pipe("tok2vec").model, nlp.get_pipe("sayso_entities").tok2vec]
    models += [p.model for _, p in load_model().components]
    return nlp, [node for m in models for node in m.walk() if node._func is fastlayers._embed_predict]


def test_every_word_embedding_predicts_over_distinct_rows_the_vectors_of_all_rows():
    nlp, nodes = embeddings()
    assert len(nodes) == 4
    texts = ["The minister said the minister would resign.", "", "Stoltenberg said: no, no and no.\n\nHe left."]
    with nlp.select_pipes(disable=["sayso"]):
        docs = list(nlp.pipe(texts))
    for doc in docs:  # the taggers' own columns, as the fast tier sets them
        doc.user_data[FEATS_KEY] = extra_features(doc, extract_statements(doc))
    for node in nodes:
        fast = node.predict(docs)
        plain, _ = chain_forward(node, docs, False)
        assert [f.shape for f in fast] == [p.shape for p in plain]
        assert all(numpy.array_equal(f, p) for f, p in zip(fast, plain))
