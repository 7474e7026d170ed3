"""The candidate-subsampling wrapper: exact subsets, index mapping, seeding and bad input."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils import check_random_state

from skal import ActiveLearner
from skal.strategies import classifier_uncertainty, coreset_sampling, random_sampling, select_top, uncertainty_sampling
from skal.strategies.error_reduction import expected_error_reduction
from skal.strategies.subsampling import subsample, subsampled_sampling


@pytest.fixture
def problem():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(2000, 3))
    y = (X[:, 0] > 0).astype(int)
    return X, y, LogisticRegression().fit(X[:50], y[:50])


def test_scores_exactly_the_drawn_subset_and_maps_back(problem):
    X, y, clf = problem
    idx, scores = subsampled_sampling(clf, X, n_instances=5, random_state=3, max_candidates=300)
    rows = np.sort(check_random_state(3).choice(2000, 300, replace=False))
    u = classifier_uncertainty(clf, X)
    expected = rows[select_top(u[rows], 5)[0]]
    np.testing.assert_array_equal(idx, expected)
    np.testing.assert_allclose(scores, u[expected])
    assert not np.array_equal(idx, select_top(u, 5)[0]), "only the subset was scored"


def test_small_pools_pass_through(problem):
    X, y, clf = problem
    fast = subsample(uncertainty_sampling, max_candidates=5000)
    for a, b in zip(fast(clf, X, n_instances=4, random_state=0), uncertainty_sampling(clf, X, n_instances=4)):
        np.testing.assert_array_equal(a, b)


def test_seeding_and_inner_random_state(problem):
    X, y, clf = problem
    fast = subsample(random_sampling, max_candidates=100)
    a, b = fast(clf, X, n_instances=5, random_state=0), fast(clf, X, n_instances=5, random_state=0)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], fast(clf, X, n_instances=5, random_state=1)[0])
    assert len(set(a[0])) == 5 and a[0].max() < 2000


def test_modal_style_strategies_and_kwargs(problem):
    X, y, clf = problem

    def modal_strategy(classifier, X, n_instances=1, offset=0):
        return np.arange(n_instances) + offset  # bare indices, as modAL strategies may return

    idx, scores = subsampled_sampling(clf, X, n_instances=2, strategy=modal_strategy, max_candidates=10,
                                      random_state=0, offset=3)
    rows = np.sort(check_random_state(0).choice(2000, 10, replace=False))
    np.testing.assert_array_equal(idx, rows[[3, 4]])
    assert np.isnan(scores).all()


def test_in_an_active_learner_pickled_and_cloned(problem):
    X, y, _ = problem
    fast = subsample(coreset_sampling, max_candidates=200)
    assert fast.__name__ == "subsampled_coreset_sampling"
    learner = ActiveLearner(LogisticRegression(), fast, random_state=0).fit(X[:50], y[:50])
    idx, rows = learner.query(X, n_instances=3)
    assert len(set(idx)) == 3 and np.array_equal(rows, X[idx])
    again = ActiveLearner(LogisticRegression(), pickle.loads(pickle.dumps(fast)), random_state=0).fit(X[:50], y[:50])
    np.testing.assert_array_equal(idx, again.query(X, n_instances=3)[0])
    np.testing.assert_array_equal(idx, clone(learner).fit(X[:50], y[:50]).query(X, n_instances=3)[0])


def test_text_pools_and_expected_error_reduction():
    texts = [f"{a} {b}" for a in ("good", "bad", "great", "awful", "fine", "dull") for b in ("film", "plot", "cast")]
    labels = np.array([1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0])
    learner = ActiveLearner(make_pipeline(TfidfVectorizer(), LogisticRegression())).fit(texts[:6], labels[:6])
    idx, scores = subsampled_sampling(learner, texts, n_instances=2, strategy=expected_error_reduction,
                                      max_candidates=5, random_state=0)
    rows = np.sort(check_random_state(0).choice(18, 5, replace=False))
    assert set(idx) <= set(rows) and np.isfinite(scores).all()


def test_bad_input(problem):
    X, y, clf = problem
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="max_candidates"):
            subsample(random_sampling, bad)
    with pytest.raises(ValueError, match="callable"):
        subsample("uncertainty", 10)
    with pytest.raises(ValueError, match="smaller than n_instances"):
        subsample(random_sampling, 3)(clf, X, n_instances=4)
    with pytest.raises(ValueError, match="empty"):
        subsample(random_sampling, 3)(clf, X[:0])
    with pytest.raises(ValueError, match="larger than the pool"):
        subsample(random_sampling, 30)(clf, X[:5], n_instances=6)
