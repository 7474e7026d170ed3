"""TextEmbedder: frozen mean-pooled embeddings with an on-disk cache."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skal import ActiveLearner, TextEmbedder
from skal.strategies import margin_sampling


def test_embeddings_shape_norm_and_order(tiny_bert_path, text_data):
    X, _ = text_data
    embedder = TextEmbedder(model=tiny_bert_path, batch_size=5).fit(X)
    Z = embedder.transform(X)
    assert Z.shape == (24, 32) and Z.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(Z[3:4], embedder.transform([X[3]]), atol=1e-5)
    assert embedder.get_feature_names_out().shape == (32,)


def test_cache_is_used(tiny_bert_path, text_data, tmp_path, monkeypatch):
    X, _ = text_data
    embedder = TextEmbedder(model=tiny_bert_path, cache_dir=tmp_path).fit(X)
    first = embedder.transform(X[:10])
    calls = []
    original = embedder._encode
    monkeypatch.setattr(embedder, "_encode", lambda texts: calls.append(len(texts)) or original(texts))
    again = embedder.transform(X)
    assert calls == [14], "only the 14 new texts are encoded"
    np.testing.assert_allclose(again[:10], first, atol=1e-6)
    fresh = TextEmbedder(model=tiny_bert_path, cache_dir=tmp_path).fit(X)
    monkeypatch.setattr(fresh, "_encode", lambda texts: pytest.fail("cache miss"))
    np.testing.assert_allclose(fresh.transform(X), again, atol=1e-6)


def test_pipeline_in_active_learner_and_grid_search(tiny_bert_path, text_data):
    X, y = text_data
    pipe = make_pipeline(TextEmbedder(model=tiny_bert_path), LogisticRegression())
    learner = ActiveLearner(pipe, margin_sampling, on_transformed=True).fit(X[::3], np.array(y)[::3])
    idx, rows = learner.query(X, n_instances=4)
    assert len(rows) == 4
    assert learner.transform_without_estimating(X).shape == (24, 32)
    GridSearchCV(clone(pipe), {"logisticregression__C": [0.1, 1.0]}, cv=2).fit(X, y)


def test_bad_input(tiny_bert_path):
    embedder = TextEmbedder(model=tiny_bert_path).fit()
    with pytest.raises(ValueError, match="non-empty strings"):
        embedder.transform(["ok", None])
    with pytest.raises(ValueError, match="empty sequence"):
        embedder.transform([])
    with pytest.raises(Exception, match="not fitted"):
        TextEmbedder(model=tiny_bert_path).transform(["ok"])
