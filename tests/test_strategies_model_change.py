"""Expected gradient length and BADGE: closed forms against explicit gradients, hand-made
gradient embeddings, the contract with every kind of estimator, and bad input."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from conftest import TableModel as FakeDeepModel
from conftest import check_strategy_bad_input, check_strategy_contract
from sklearn.datasets import make_blobs
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skal import ActiveLearner
from skal.strategies.model_change import (
    badge_sampling,
    expected_gradient_length,
    expected_gradient_length_sampling,
)
from skal.strategies.representation import gradient_embedding

STRATEGIES = [expected_gradient_length_sampling, badge_sampling]


@pytest.fixture
def blobs():
    return make_blobs(n_samples=300, centers=[[0, 0], [5, 0], [0, 5]], cluster_std=1.0, random_state=0)


def explicit_cross_entropy_gradient(W, b, x, label):
    """d CE / d W of a softmax layer, by autograd."""
    W = torch.tensor(W, requires_grad=True)
    logits = W @ torch.tensor(x) + torch.tensor(b)
    torch.nn.functional.cross_entropy(logits[None], torch.tensor([label])).backward()
    return W.grad.numpy()


# ----------------------------------------------------------------------------- EGL
def test_expected_gradient_length_equals_autograd_for_a_softmax_layer(blobs):
    X, y = blobs
    clf = LogisticRegression().fit(X[:30], y[:30])  # multinomial: softmax over W x + b
    P = clf.predict_proba(X[30:40])
    expected = [sum(P[i, k] * np.linalg.norm(explicit_cross_entropy_gradient(clf.coef_, clf.intercept_,
                                                                            X[30 + i], k))
                    for k in range(3)) for i in range(10)]
    np.testing.assert_allclose(expected_gradient_length(clf, X[30:40]), expected, rtol=1e-6)


def test_expected_gradient_length_uses_embed_and_picks_the_largest():
    rng = np.random.RandomState(0)
    proba = rng.dirichlet([1, 1, 1], size=6)
    model = FakeDeepModel(rng.normal(size=(6, 4)), proba)
    explicit = [sum(proba[i, k] * np.linalg.norm(np.outer(proba[i] - np.eye(3)[k], model.embeddings[i]))
                    for k in range(3)) for i in range(6)]
    np.testing.assert_allclose(expected_gradient_length(model, np.arange(6)), explicit)
    idx, scores = expected_gradient_length_sampling(model, np.arange(6), n_instances=3)
    np.testing.assert_array_equal(idx, np.argsort(explicit)[::-1][:3])
    np.testing.assert_allclose(scores, np.sort(explicit)[::-1][:3])


def test_confident_rows_have_no_expected_gradient():
    proba = np.array([[1.0, 0.0], [0.5, 0.5]])
    scores = expected_gradient_length(FakeDeepModel(np.ones((2, 3)), proba), np.arange(2))
    assert scores[0] == 0.0 and scores[1] == pytest.approx(np.sqrt(0.5) * np.sqrt(3))


# ----------------------------------------------------------------------------- gradient embedding
def test_gradient_embedding_fallback_is_the_last_layer_gradient_at_the_prediction(blobs):
    X, y = blobs
    clf = LogisticRegression().fit(X[:30], y[:30])
    G = gradient_embedding(clf, X[30:35])
    for i in range(5):
        predicted = int(clf.predict_proba(X[30 + i:31 + i]).argmax())
        explicit = explicit_cross_entropy_gradient(clf.coef_, clf.intercept_, X[30 + i], predicted)
        np.testing.assert_allclose(G[i], explicit.ravel(), rtol=1e-6, atol=1e-12)


def test_gradient_embedding_prefers_the_models_own_and_keeps_sparse_sparse():
    model = FakeDeepModel(np.ones((2, 2)), [[0.5, 0.5]] * 2, gradients=[[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(gradient_embedding(model, np.arange(2)), [[1.0, 2.0], [3.0, 4.0]])
    texts = ["good film", "bad film", "great fun", "awful plot"]
    learner = ActiveLearner(make_pipeline(TfidfVectorizer(), LogisticRegression()), on_transformed=True)
    learner.fit(texts, [1, 0, 1, 0])
    G = gradient_embedding(learner, texts)
    assert sp.issparse(G)
    H = learner.transform_without_estimating(texts).toarray()
    P = learner.predict_proba(texts)
    A = P - np.eye(2)[P.argmax(axis=1)]
    np.testing.assert_allclose(G.toarray(), (A[:, :, None] * H[:, None, :]).reshape(4, -1))


# ----------------------------------------------------------------------------- BADGE
def test_badge_first_pick_has_the_largest_gradient_then_d2_sampling_spreads():
    rng = np.random.RandomState(0)
    left = np.c_[rng.normal(-10, 0.01, 50), np.zeros(50)]
    right = np.c_[rng.normal(10, 0.01, 50), np.zeros(50)]
    G = np.r_[left, right, [[11.0, 0.0]]]
    model = FakeDeepModel(np.ones((101, 1)), np.full((101, 2), 0.5), gradients=G)
    for seed in range(5):
        idx, scores = badge_sampling(model, np.arange(101), n_instances=2, random_state=seed)
        assert idx[0] == 100 and scores[0] == pytest.approx(11.0)
        assert idx[1] < 50, "the second pick is in the other cluster"
        assert scores[1] == pytest.approx(11.0 - G[idx[1], 0])


def test_badge_batch_covers_several_classes(blobs):
    X, y = blobs
    seed = np.r_[[np.flatnonzero(y == c)[:3] for c in range(3)]].ravel()
    pool = np.setdiff1d(np.arange(300), seed)
    learner = ActiveLearner(LogisticRegression()).fit(X[seed], y[seed])
    for random_state in range(5):
        idx, scores = badge_sampling(learner, X[pool], n_instances=6, random_state=random_state)
        assert len(set(idx)) == 6 and len(set(y[pool][idx])) == 3
        assert np.isfinite(scores).all() and (scores > 0).all()
    np.testing.assert_array_equal(badge_sampling(learner, X[pool], n_instances=6, random_state=0)[0],
                                  badge_sampling(learner, X[pool], n_instances=6, random_state=0)[0])


def test_badge_when_every_gradient_vanishes():
    model = FakeDeepModel(np.ones((5, 2)), np.tile([[1.0, 0.0]], (5, 1)))
    idx, scores = badge_sampling(model, np.arange(5), n_instances=3, random_state=0)
    assert len(set(idx)) == 3 and (scores == 0).all()


def test_model_change_on_the_transformer(tiny_bert_path, text_data):
    from skal import TransformerClassifier

    texts, labels = text_data
    clf = TransformerClassifier(model=tiny_bert_path, max_epochs=1, lr=1e-3, batch_size=16, max_length=16,
                                random_state=0).fit(texts[::3], labels[::3])
    learner = ActiveLearner(clf).fit(texts[::3], labels[::3])
    for estimator in (clf, learner):
        idx, scores = badge_sampling(estimator, texts, n_instances=4, random_state=0)
        assert len(set(idx)) == 4 and scores.shape == (4,)
        idx, scores = expected_gradient_length_sampling(estimator, texts, n_instances=4)
        assert len(set(idx)) == 4 and (scores >= 0).all()


# ----------------------------------------------------------------------------- contract and bad input
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_contract_with_every_kind_of_estimator(blobs, strategy):
    check_strategy_contract(strategy, *blobs, n_instances=5)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_bad_input(blobs, strategy):
    X, y = blobs
    check_strategy_bad_input(strategy, X, y)
    model = FakeDeepModel([[0.0, np.nan], [1.0, 1.0]], [[0.5, 0.5], [0.2, 0.8]])
    with pytest.raises(ValueError, match="NaN"):
        strategy(model, np.arange(2), n_instances=1)
    texts = ["good film", "bad film", "great fun", "awful plot"]
    text_learner = ActiveLearner(make_pipeline(TfidfVectorizer(), LogisticRegression())).fit(texts, [1, 0, 1, 0])
    with pytest.raises(ValueError, match="on_transformed=True"):
        strategy(text_learner, texts, n_instances=1)


# ----------------------------------------------------------------------------- factored BADGE
def _dense_badge(estimator, X, n_instances, random_state):
    """BADGE as it was before the factored form: the full gradient matrix, D² seeding over it."""
    from skal.strategies.geometry import argmax_in_order, d2_seeding

    G = gradient_embedding(estimator, X)
    rng = np.random.RandomState(random_state)
    norms = np.sqrt(np.asarray(G.multiply(G).sum(axis=1)).ravel() if sp.issparse(G) else (G ** 2).sum(axis=1))
    picks, _ = d2_seeding(G, n_instances, argmax_in_order(norms), rng)
    return picks


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_factored_badge_picks_what_the_full_gradient_matrix_picks(blobs, dtype):
    X, y = blobs
    X = X.astype(dtype)
    learner = ActiveLearner(LogisticRegression()).fit(X[:15], y[:15])
    for random_state in range(5):
        idx, _ = badge_sampling(learner, X[15:], n_instances=10, random_state=random_state)
        np.testing.assert_array_equal(idx, _dense_badge(learner, X[15:], 10, random_state))


def test_factored_badge_on_sparse_features_and_in_small_chunks(monkeypatch):
    from skal.strategies import geometry

    texts = [f"word{i % 7} word{i % 5} other{i % 3}" for i in range(60)]
    learner = ActiveLearner(make_pipeline(TfidfVectorizer(), LogisticRegression()), on_transformed=True)
    learner.fit(texts[:6], [0, 1] * 3)
    whole, _ = badge_sampling(learner, texts[6:], n_instances=8, random_state=3)
    np.testing.assert_array_equal(whole, _dense_badge(learner, texts[6:], 8, 3))
    monkeypatch.setattr(geometry, "BLOCK_ENTRIES", 5)  # a few rows per chunk
    np.testing.assert_array_equal(badge_sampling(learner, texts[6:], n_instances=8, random_state=3)[0], whole)


def test_factored_distances_match_the_explicit_gradients():
    from skal.strategies.model_change import FactoredGradientDistance

    rng = np.random.RandomState(0)
    P = rng.dirichlet(np.ones(4), size=30)
    A = P - np.eye(4)[P.argmax(axis=1)]
    H = rng.normal(size=(30, 5))
    G = (A[:, :, None] * H[:, None, :]).reshape(30, -1)
    state = FactoredGradientDistance(A, H)
    state.add_row(3)
    state.add_row(17)
    expected = np.minimum(((G - G[3]) ** 2).sum(axis=1), ((G - G[17]) ** 2).sum(axis=1))
    np.testing.assert_allclose(state.dist, expected, atol=1e-10)
    np.testing.assert_allclose(state.sq_norms, (G ** 2).sum(axis=1))
