"""Issue 11: state is never half-changed, and every score belongs to one pool row.

* ``Committee.teach`` is all-or-nothing when one member's refit fails;
* a failed query (NaN, inf, wrong width, texts where vectors are needed)
  changes nothing, the random state included: a twin that never failed
  breaks later ties the same way;
* a strategy's scores must have one entry per pool row: a DataFrame handed to
  a text pipeline (which reads its column names as documents) is refused.
"""

from functools import partial

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from skal import ActiveLearner, Committee
from skal.strategies import coreset_sampling, random_sampling, uncertainty_sampling, vote_entropy_sampling

TEXTS = ["a wonderful film", "great acting", "i loved it", "brilliant and funny",
         "a dull mess", "terrible plot", "i hated it", "a waste of time"]
LABELS = ["pos"] * 4 + ["neg"] * 4


@pytest.fixture
def counts():
    rng = np.random.RandomState(0)
    X = rng.poisson(2.0, size=(60, 4)).astype(float)
    return X, (X[:, 0] > X[:, 1]).astype(int)


def test_committee_teach_is_all_or_nothing(counts):
    X, y = counts
    committee = Committee([ActiveLearner(LogisticRegression(), X_training=X[:20], y_training=y[:20]),
                           ActiveLearner(MultinomialNB(), X_training=X[:20], y_training=y[:20])])
    committee.query(X[20:])
    models = [m.estimator_ for m in committee.learners_]
    negative = -np.ones((3, 4))
    with pytest.raises(ValueError, match="Negative values"):
        committee.teach(negative, y[:3])
    assert [m.X_training_.shape[0] for m in committee.learners_] == [20, 20]
    assert [m.estimator_ for m in committee.learners_] == models
    committee.teach(X[20:23], y[20:23])
    assert [m.X_training_.shape[0] for m in committee.learners_] == [23, 23]


def test_committee_teach_failure_leaves_in_place_models_untouched(counts):
    X, y = counts
    committee = Committee([ActiveLearner(LogisticRegression(warm_start=True)),
                           ActiveLearner(MultinomialNB())]).fit(X[:20], y[:20])
    coef = committee.learners_[0].estimator_.coef_.copy()
    with pytest.raises(ValueError, match="Negative values"):
        committee.teach(-np.ones((3, 4)), y[:3])
    np.testing.assert_array_equal(committee.learners_[0].estimator_.coef_, coef)


def _twins(strategy):
    X = np.r_[np.zeros((10, 2)), np.ones((10, 2))]
    y = np.r_[np.zeros(10, int), np.ones(10, int)]
    return [ActiveLearner(LogisticRegression(), strategy, random_state=7).fit(X, y) for _ in range(2)]


@pytest.mark.parametrize("bad_pool", [
    np.full((5, 2), np.nan),
    np.array([[0.0, np.inf]] * 5),
    np.zeros((5, 3)),                      # wrong width
    ["raw", "text", "rows", "of", "it"],    # texts where vectors are needed
])
def test_a_failed_query_keeps_the_random_state(bad_pool):
    tied = np.full((30, 2), 0.5)  # every row ties: picks come from the random state
    strategies = [partial(uncertainty_sampling, random_tie_break=True), coreset_sampling]
    if isinstance(bad_pool, np.ndarray) and not np.isfinite(bad_pool).all():
        strategies.append(random_sampling)  # which never looks at the rows, but the pool is checked first
    for strategy in strategies:
        failed, clean = _twins(strategy)
        with pytest.raises(ValueError):
            failed.query(bad_pool)
        for _ in range(3):
            np.testing.assert_array_equal(failed.query(tied, n_instances=4)[0], clean.query(tied, n_instances=4)[0])


def test_a_failed_committee_query_keeps_the_random_state():
    X = np.r_[np.zeros((10, 2)), np.ones((10, 2))]
    y = np.r_[np.zeros(10, int), np.ones(10, int)]
    strategy = partial(vote_entropy_sampling, random_tie_break=True)
    failed, clean = [Committee([ActiveLearner(LogisticRegression()), ActiveLearner(KNeighborsClassifier(3))],
                               strategy, random_state=3).fit(X, y) for _ in range(2)]
    with pytest.raises(ValueError):
        failed.query(np.zeros((4, 5)))
    tied = np.full((30, 2), 0.5)
    np.testing.assert_array_equal(failed.query(tied, n_instances=5)[0], clean.query(tied, n_instances=5)[0])


def test_a_failed_teach_keeps_the_random_state(counts):
    X, y = counts
    failed, clean = [ActiveLearner(MultinomialNB(), random_state=1).fit(X[:20], y[:20]) for _ in range(2)]
    with pytest.raises(ValueError, match="Negative values"):
        failed.teach(-np.ones((2, 4)), y[:2], bootstrap=True)
    failed.teach(X[20:30], y[20:30], bootstrap=True)
    clean.teach(X[20:30], y[20:30], bootstrap=True)
    np.testing.assert_array_equal(failed.estimator_.feature_count_, clean.estimator_.feature_count_)


@pytest.mark.parametrize("n_rows", [4, 380])
def test_a_dataframe_pool_for_a_text_pipeline_is_refused(n_rows):
    learner = ActiveLearner(make_pipeline(TfidfVectorizer(), LogisticRegression())).fit(TEXTS, LABELS)
    frame = pd.DataFrame({"text": (TEXTS * 48)[:n_rows], "source": ["web"] * n_rows})
    with pytest.raises(ValueError, match=rf"2 entries for a pool of {n_rows} rows.*df\['text'\]"):
        learner.query(frame)
    with pytest.raises(ValueError, match="one score per pool row"):
        uncertainty_sampling(learner.estimator_, frame)
    idx, rows = learner.query(frame["text"], n_instances=2)  # the text column works
    assert idx.max() < n_rows and len(rows) == 2
