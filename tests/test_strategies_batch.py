"""Diversity, Bayesian, model-change and error-reduction strategies on hand-made cases."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skal import ActiveLearner, Committee
from skal.strategies import (
    badge_sampling,
    bald,
    bald_sampling,
    batch_bald_sampling,
    coreset_sampling,
    expected_error_reduction,
    expected_gradient_length,
    expected_gradient_length_sampling,
    information_density,
    kmeans_sampling,
    random_sampling,
    subsample,
    uncertainty_batch_sampling,
)
from skal.strategies.representation import gradient_embedding, representation


class FakeDeepModel:
    """Implements the deep-model interface with fixed outputs."""

    def __init__(self, embeddings, mc):
        self.embeddings, self.mc = np.asarray(embeddings, float), np.asarray(mc, float)
        self.classes_ = np.arange(self.mc.shape[2])

    def embed(self, X):
        return self.embeddings[np.asarray(X).ravel()]

    def predict_proba_mc(self, X, mc_samples=20, random_state=None):
        return self.mc[np.asarray(X).ravel()]

    def predict_proba(self, X):
        return self.mc[np.asarray(X).ravel()].mean(axis=1)


@pytest.fixture
def blobs():
    X, y = make_blobs(n_samples=300, centers=[[0, 0], [6, 0], [0, 6]], cluster_std=0.6, random_state=0)
    return X, y


def test_coreset_picks_the_far_cluster():
    rng = np.random.RandomState(0)
    labelled = rng.normal(0, 0.1, (10, 2))
    pool = np.r_[rng.normal(0, 0.1, (50, 2)), rng.normal(10, 0.1, (5, 2))]
    learner = ActiveLearner(LogisticRegression()).fit(labelled, np.r_[np.zeros(5), np.ones(5)])
    idx, scores = coreset_sampling(learner, pool, n_instances=2)
    assert idx[0] >= 50, "the first pick is in the far, unlabelled cluster"
    assert scores[0] > 9 and scores[1] < scores[0]


def test_kmeans_picks_one_per_cluster(blobs):
    X, y = blobs
    idx, sizes = kmeans_sampling(None, X, n_instances=3, random_state=0)
    assert sorted(y[idx]) == [0, 1, 2] and sizes.sum() == 300
    assert len(set(kmeans_sampling(None, np.zeros((10, 2)), n_instances=4, random_state=0)[0])) == 4


def test_ranked_batch_equals_modal(blobs, modal_batch_numpy):
    from modAL.batch import uncertainty_batch_sampling as modal_batch
    from modAL.models import ActiveLearner as ModalLearner

    X, y = blobs
    ours = ActiveLearner(LogisticRegression()).fit(X[:15], y[:15])
    theirs = ModalLearner(LogisticRegression(), X_training=X[:15], y_training=y[:15])
    idx, scores = uncertainty_batch_sampling(ours, X[15:], n_instances=12)
    np.testing.assert_array_equal(idx, np.asarray(modal_batch(theirs, X[15:], n_instances=12)).ravel())


def test_information_density_marks_the_outlier():
    rng = np.random.RandomState(0)
    Z = np.r_[rng.normal([1, 1], 0.05, (20, 2)), [[-1.0, 0.2]]]
    density = information_density(None, Z)
    assert density.argmin() == 20
    # equals the mean pairwise cosine similarity, computed here the slow way
    unit = Z / np.linalg.norm(Z, axis=1, keepdims=True)
    np.testing.assert_allclose(density, (unit @ unit.T).mean(axis=1), atol=1e-6)
    assert information_density(None, Z, metric="euclidean").shape == (21,)


def test_bald_prefers_disagreeing_samples():
    mc = np.array([
        [[0.5, 0.5]] * 4,                                # uncertain but samples agree: BALD 0
        [[0.9, 0.1], [0.1, 0.9], [0.9, 0.1], [0.1, 0.9]],  # samples disagree
        [[0.99, 0.01]] * 4,
    ])
    model = FakeDeepModel(np.eye(3), mc)
    idx, scores = bald_sampling(model, np.arange(3), n_instances=3)
    assert idx[0] == 1 and scores[0] > 0.3
    np.testing.assert_allclose(bald(mc)[[0, 2]], 0, atol=1e-9)


def test_batch_bald_avoids_duplicates():
    # Two identical rows whose samples split one way, and a third that splits the samples
    # along an independent pattern: once the first row is picked, its twin tells little more.
    disagree = [[0.99, 0.01], [0.01, 0.99]] * 4
    partly = [[0.85, 0.15], [0.85, 0.15], [0.15, 0.85], [0.15, 0.85]] * 2
    mc = np.array([disagree, disagree, partly])
    model = FakeDeepModel(np.eye(3), mc)
    assert bald_sampling(model, np.arange(3), n_instances=2)[0].tolist() == [0, 1]
    idx, gains = batch_bald_sampling(model, np.arange(3), n_instances=2)
    assert idx.tolist() == [0, 2], "the duplicate of the first pick adds no information"
    assert gains[0] == pytest.approx(bald(mc)[0])


def test_batch_bald_sampled_configurations_are_seeded():
    rng = np.random.RandomState(0)
    mc = rng.dirichlet([0.5] * 3, size=(40, 8))
    model = FakeDeepModel(np.eye(40), mc)
    a = batch_bald_sampling(model, np.arange(40), n_instances=6, num_configurations=20, random_state=1)
    b = batch_bald_sampling(model, np.arange(40), n_instances=6, num_configurations=20, random_state=1)
    np.testing.assert_array_equal(a[0], b[0])
    assert len(set(a[0])) == 6


def test_bald_on_a_committee(blobs):
    X, y = blobs
    committee = Committee([ActiveLearner(LogisticRegression(C=c)) for c in (0.01, 100.0)]).fit(X[:30], y[:30])
    idx, _ = bald_sampling(committee, X, n_instances=3)
    assert idx.shape == (3,)
    with pytest.raises(ValueError, match="predict_proba_mc"):
        bald_sampling(LogisticRegression().fit(X, y), X)
    with pytest.raises(ValueError, match="mc_samples"):
        bald_sampling(committee, X, mc_samples=1)


def test_expected_gradient_length_closed_form():
    rng = np.random.RandomState(0)
    mc = rng.dirichlet([1, 1, 1], size=(5, 1))
    model = FakeDeepModel(rng.normal(size=(5, 4)), mc)
    p, h = model.predict_proba(np.arange(5)), model.embeddings
    explicit = [sum(p[i, k] * np.linalg.norm(np.outer(p[i] - np.eye(3)[k], h[i])) for k in range(3)) for i in range(5)]
    np.testing.assert_allclose(expected_gradient_length(model, np.arange(5)), explicit)
    idx, _ = expected_gradient_length_sampling(model, np.arange(5), n_instances=2)
    assert idx[0] == int(np.argmax(explicit))


def test_badge_batch_covers_several_classes(blobs):
    X, y = blobs
    seed = np.r_[[np.flatnonzero(y == c)[:2] for c in range(3)]].ravel()
    pool = np.setdiff1d(np.arange(300), seed)
    learner = ActiveLearner(LogisticRegression()).fit(X[seed], y[seed])
    idx, _ = badge_sampling(learner, X[pool], n_instances=6, random_state=0)
    assert len(set(idx)) == 6 and len(set(y[pool][idx])) >= 2
    G = gradient_embedding(learner, X[pool])
    assert G.shape == (294, 6)
    np.testing.assert_array_equal(idx, badge_sampling(learner, X[pool], n_instances=6, random_state=0)[0])


def _modal_eer_reference(X_train, y_train, X, loss):
    """modAL 0.4.1's expected_error_reduction loop, written out (modAL's own crashes on numpy 2: np.float)."""
    from scipy.stats import entropy
    from sklearn.base import clone

    base = LogisticRegression().fit(X_train, y_train)
    proba = base.predict_proba(X)
    errors = np.zeros(len(X))
    for i in range(len(X)):
        rest = np.delete(X, i, axis=0)
        for k, label in enumerate(np.unique(y_train)):
            model = clone(base).fit(np.vstack([X_train, X[i:i + 1]]), np.r_[y_train, label])
            p = model.predict_proba(rest)
            nloss = 1 - p.max(axis=1) if loss == "binary" else entropy(p.T)
            errors[i] += nloss.sum() * proba[i, k]
    return errors


def test_expected_error_reduction_equals_modal_semantics():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(25, 2))
    y = (X[:, 0] > 0).astype(int)
    ours = ActiveLearner(LogisticRegression()).fit(X[:6], y[:6])
    for loss in ("binary", "log"):
        idx, scores = expected_error_reduction(ours, X[6:], n_instances=3, loss=loss)
        reference = _modal_eer_reference(X[:6], y[:6], X[6:], loss)
        assert idx.tolist() == np.argsort(reference, kind="stable")[:3].tolist()
        np.testing.assert_allclose(-scores, np.sort(reference)[:3], rtol=1e-6)
    idx, scores = expected_error_reduction(ours, X[6:], n_instances=3, max_candidates=5, random_state=0)
    assert np.isfinite(scores).all()
    with pytest.raises(ValueError, match="loss"):
        expected_error_reduction(ours, X[6:], loss="hinge")
    with pytest.raises(ValueError, match="fitted on labelled data"):
        expected_error_reduction(LogisticRegression().fit(X, y), X)


def test_subsample_maps_back_to_the_pool(blobs):
    X, y = blobs
    learner = ActiveLearner(LogisticRegression()).fit(X[:10], y[:10])
    fast = subsample(coreset_sampling, max_candidates=50)
    idx, _ = fast(learner, X, n_instances=4, random_state=0)
    assert idx.shape == (4,) and idx.max() < 300
    np.testing.assert_array_equal(idx, fast(learner, X, n_instances=4, random_state=0)[0])
    assert fast.__name__ == "subsampled_coreset_sampling"
    learner = ActiveLearner(LogisticRegression(), fast).fit(X[:10], y[:10])
    assert learner.query(X, n_instances=3)[0].shape == (3,)
    with pytest.raises(ValueError, match="max_candidates"):
        subsample(random_sampling, 0)


@pytest.mark.parametrize("strategy", [coreset_sampling, kmeans_sampling, uncertainty_batch_sampling,
                                      badge_sampling, expected_gradient_length_sampling])
def test_contract_and_bad_input(blobs, strategy):
    X, y = blobs
    learner = ActiveLearner(LogisticRegression(), strategy, random_state=0).fit(X[:20], y[:20])
    idx, rows, scores = learner.query(X[20:], n_instances=5, return_metrics=True)
    assert idx.shape == (5,) and len(set(idx)) == 5 and scores.shape == (5,)
    with pytest.raises(ValueError, match="larger than the pool"):
        strategy(learner, X[:3], n_instances=4)
    with pytest.raises(ValueError, match="NaN"):
        strategy(learner, np.full((5, 2), np.nan), n_instances=1)


def test_text_needs_a_numeric_representation():
    texts = ["good film", "bad film", "great film", "awful film"]
    learner = ActiveLearner(make_pipeline(TfidfVectorizer(), LogisticRegression())).fit(texts, [1, 0, 1, 0])
    with pytest.raises(ValueError, match="on_transformed=True"):
        coreset_sampling(learner, texts, n_instances=1)
    learner.set_params(on_transformed=True)
    assert representation(learner, texts).shape[0] == 4
    assert coreset_sampling(learner, texts, n_instances=2)[0].shape == (2,)


@pytest.mark.parametrize("value", [True, 1, 2.5])
def test_mc_samples_checked_by_name(value):
    from sklearn.linear_model import LogisticRegression

    from skal import ActiveLearner, Committee
    from skal.parameters import InvalidParameterError
    from skal.strategies.representation import mc_probabilities

    X, y = np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 0, 1, 1]
    committee = Committee([ActiveLearner(LogisticRegression(C=c)) for c in (0.1, 10.0)]).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'mc_samples' parameter"):
        mc_probabilities(committee, X, mc_samples=value)


def test_check_posterior_refuses_bad_shapes_rows_and_nan():
    from skal.strategies.representation import check_posterior

    good = np.full((2, 3, 2), 0.5)
    assert check_posterior(good, 2).dtype == np.float64
    with pytest.raises(ValueError, match="shape"):
        check_posterior(good[0])
    with pytest.raises(ValueError, match="n_samples=3"):
        check_posterior(good, 3)
    with pytest.raises(ValueError, match="empty"):
        check_posterior(np.zeros((0, 3, 2)))
    bad = good.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        check_posterior(bad)
