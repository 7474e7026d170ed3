"""TextEmbedder: frozen mean-pooled embeddings with an on-disk cache."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import inference_atol
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skal import ActiveLearner, Committee, TextEmbedder
from skal.strategies import margin_sampling


def _mean_pooled(path, texts, max_length=128):
    """Reference: one text at a time, no padding, plain mean over its tokens."""
    from transformers import AutoModel, AutoTokenizer

    tokenizer, model = AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()
    with torch.inference_mode():
        return np.vstack([
            model(**tokenizer(t, truncation=True, max_length=max_length, return_tensors="pt"))
            .last_hidden_state[0].mean(dim=0).numpy()
            for t in texts
        ])


def _count_encodes(monkeypatch, embedder):
    calls = []
    original = embedder._encode
    monkeypatch.setattr(embedder, "_encode", lambda texts: calls.append(len(texts)) or original(texts))
    return calls


def test_embeddings_are_mean_pooled_normalised_and_in_order(tiny_bert_path, text_data):
    X, _ = text_data
    embedder = TextEmbedder(model=tiny_bert_path, batch_size=7)
    Z = embedder.fit_transform(pd.Series(X))
    assert Z.shape == (60, 32) and Z.dtype == np.float32
    reference = _mean_pooled(tiny_bert_path, X)
    atol = inference_atol(embedder.device_)
    np.testing.assert_allclose(Z, reference / np.linalg.norm(reference, axis=1, keepdims=True), atol=atol)
    raw = TextEmbedder(model=tiny_bert_path, normalize=False).fit_transform(np.array(X, dtype=object))
    np.testing.assert_allclose(raw, reference, atol=10 * atol)
    assert embedder.get_feature_names_out().tolist()[:2] == ["embedding0", "embedding1"]
    assert set(embedder.get_params()) == {"model", "max_length", "batch_size", "normalize", "cache_dir",
                                          "device"}


def test_cache_embeds_each_text_once(tiny_bert_path, text_data, tmp_path, monkeypatch):
    X, _ = text_data
    embedder = TextEmbedder(model=tiny_bert_path, cache_dir=tmp_path).fit()
    pickled = pickle.dumps(embedder)
    calls = _count_encodes(monkeypatch, embedder)
    first = embedder.transform(X[:10] + X[:5])
    assert calls == [10], "repeated texts are encoded once"
    again = embedder.transform(X)
    assert calls == [10, 50], "only the 50 new texts are encoded"
    np.testing.assert_array_equal(again[:10], first[:10])
    np.testing.assert_array_equal(first[10:], first[:5])

    # A clone (as ActiveLearner makes each round) and an unpickled copy read the disk cache.
    for fresh in (clone(embedder).fit(), pickle.loads(pickled)):
        monkeypatch.setattr(fresh, "_encode", lambda texts: pytest.fail("cache miss"))
        np.testing.assert_array_equal(fresh.transform(X[::-1]), again[::-1])

    # Another max_length is another cache, and nothing is stale.
    other = TextEmbedder(model=tiny_bert_path, cache_dir=tmp_path, max_length=4).fit()
    calls = _count_encodes(monkeypatch, other)
    assert not np.allclose(other.transform(X[:3]), again[:3]) and calls == [3]
    uncached = TextEmbedder(model=tiny_bert_path).fit().transform(X)
    np.testing.assert_allclose(uncached, again, atol=1e-6)
    assert not list(tmp_path.rglob("*.tmp*")), "no temporary files left behind"


def test_cache_survives_a_changed_checkpoint(tiny_bert_path, text_data, tmp_path):
    import shutil

    X, _ = text_data
    model_dir = tmp_path / "model"
    shutil.copytree(tiny_bert_path, model_dir)
    before = TextEmbedder(model=model_dir, cache_dir=tmp_path / "cache").fit().transform(X[:4])
    from transformers import BertConfig, BertModel

    BertModel(BertConfig.from_pretrained(model_dir)).save_pretrained(model_dir)  # new random weights
    after = TextEmbedder(model=model_dir, cache_dir=tmp_path / "cache").fit().transform(X[:4])
    assert not np.allclose(before, after), "the cache is keyed by the checkpoint's files"


def test_pipeline_in_active_learner_and_grid_search(tiny_bert_path, text_data, tmp_path):
    X, y = text_data
    y = np.array(y)
    pipe = Pipeline([("embed", TextEmbedder(model=tiny_bert_path, cache_dir=tmp_path)),
                     ("clf", LogisticRegression())])
    learner = ActiveLearner(pipe, margin_sampling, on_transformed=True, random_state=0)
    learner.fit(X[::6], y[::6])
    idx, rows = learner.query(X, n_instances=4)
    learner.teach(rows, y[idx])
    assert len(learner.y_training_) == 14
    assert learner.transform_without_estimating(X).shape == (60, 32)
    search = GridSearchCV(clone(pipe), {"clf__C": [0.1, 1.0]}, cv=2).fit(X, y)
    assert search.predict(X[:3]).shape == (3,)
    committee = Committee([ActiveLearner(clone(pipe).set_params(clf__C=C)) for C in (0.1, 10.0)])
    assert committee.fit(X, y).vote_proba(X).shape == (60, 2, 2)
    frame = clone(pipe[:1]).set_output(transform="pandas").fit_transform(X)
    assert list(frame.columns[:2]) == ["embedding0", "embedding1"]


def test_bad_input(tiny_bert_path, monkeypatch):
    embedder = TextEmbedder(model=tiny_bert_path).fit()
    with pytest.raises(ValueError, match=r"positions \[1\]"):
        embedder.transform(["ok", None])
    with pytest.raises(ValueError, match="positions"):
        embedder.transform(["ok", ""])
    with pytest.raises(ValueError, match="empty sequence"):
        embedder.transform([])
    with pytest.raises(ValueError, match="numeric array"):
        embedder.transform(np.ones(3))
    with pytest.raises(NotFittedError):
        TextEmbedder(model=tiny_bert_path).transform(["ok"])
    with pytest.raises(ValueError, match="does not exist"):
        TextEmbedder(model="./no/such/dir").fit()
    with pytest.raises(ValueError, match="batch_size"):
        TextEmbedder(model=tiny_bert_path, batch_size=0).fit()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="CUDA is not available"):
        TextEmbedder(model=tiny_bert_path, device="cuda").fit()


@pytest.mark.slow
def test_default_model_is_all_minilm(text_data):
    X, _ = text_data
    Z = TextEmbedder().fit_transform(X[:4] + X[30:34])
    assert Z.shape == (8, 384)
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1, atol=1e-5)
    similarity = Z @ Z.T
    assert similarity[:4, :4].mean() > similarity[:4, 4:].mean(), "sentiment shows in the embedding"
