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


# ----------------------------------------------------------- issue 16: fitted state without surprises
def test_reading_attributes_never_fits(counts):
    X, y = counts
    learner = ActiveLearner(LogisticRegression(), X_training=X[:20], y_training=y[:20])
    committee = Committee([learner])
    assert learner.classes_.tolist() == [0, 1] and committee.classes_.tolist() == [0, 1]
    assert not hasattr(learner, "estimator_") and not hasattr(committee, "learners_")
    assert not learner.__sklearn_is_fitted__() and not committee.__sklearn_is_fitted__()
    assert not hasattr(learner, "n_features_in_")
    repr(learner), repr(committee), learner.get_params()
    assert not hasattr(learner, "estimator_")
    learner.predict(X[:2])  # a method that needs the model fits it, as documented
    assert hasattr(learner, "estimator_") and learner.__sklearn_is_fitted__()
    assert committee.__sklearn_is_fitted__() and not hasattr(committee, "learners_")


def test_repr_summarises_the_training_data():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(10_000, 3)), rng.randint(2, size=10_000)
    learner = ActiveLearner(LogisticRegression(C=0.5), "margin", X_training=X, y_training=y)
    text = repr(learner)
    assert len(text) < 200 and "array(shape=(10000, 3))" in text and "C=0.5" in text and "'margin'" in text
    texts = ActiveLearner(make_pipeline(TfidfVectorizer(), LogisticRegression()),
                          X_training=TEXTS * 1000, y_training=LABELS * 1000)
    assert "list(len=8000)" in repr(texts) and len(repr(Committee([learner, texts]))) < 700
    assert learner.X_training is X  # the repr changed nothing


def test_refit_with_extra_rows_keeps_only_the_labelled_ones(counts):
    X, y = counts
    learner = ActiveLearner(LogisticRegression(), random_state=0).fit(X[:10], y[:10])
    learner.refit(X_extra=X[10:40], y_extra=y[10:40])
    reference = LogisticRegression().fit(X[:40], y[:40])
    np.testing.assert_allclose(learner.estimator_.coef_, reference.coef_)
    assert learner.X_training_.shape[0] == 10
    model = learner.estimator_
    with pytest.raises(ValueError, match="Negative values"):
        ActiveLearner(MultinomialNB()).fit(X[:10], y[:10]).refit(X_extra=-np.ones((2, 4)), y_extra=y[:2])
    with pytest.raises(ValueError, match="X_extra and y_extra"):
        learner.refit(X_extra=X[:2])
    assert learner.estimator_ is model


def test_prepare_and_commit_change_nothing_until_committed(counts):
    X, y = counts
    learner = ActiveLearner(LogisticRegression(warm_start=True), bootstrap_init=True, random_state=3).fit(X[:20], y[:20])
    coef, state = learner.estimator_.coef_.copy(), learner._rng.get_state()[1].copy()
    update = learner.prepare_teach(X[20:30], y[20:30], bootstrap=True)
    np.testing.assert_array_equal(learner.estimator_.coef_, coef)  # a warm-start model is refitted on a copy
    np.testing.assert_array_equal(learner._rng.get_state()[1], state)
    assert learner.X_training_.shape[0] == 20
    learner.commit(update)
    assert learner.X_training_.shape[0] == 30 and learner.estimator_ is update.estimator
    twin = ActiveLearner(LogisticRegression(warm_start=True), bootstrap_init=True, random_state=3).fit(X[:20], y[:20])
    twin.teach(X[20:30], y[20:30], bootstrap=True)
    np.testing.assert_allclose(twin.estimator_.coef_, learner.estimator_.coef_)
    with pytest.raises(ValueError, match="another learner"):
        twin.commit(update)


def test_committee_partial_fit_teach_is_all_or_nothing(counts):
    from sklearn.linear_model import SGDClassifier

    X, y = counts
    committee = Committee([ActiveLearner(SGDClassifier(random_state=0)),
                           ActiveLearner(MultinomialNB())]).fit(X[:20], y[:20])
    coef = committee.learners_[0].estimator_.coef_.copy()
    with pytest.raises(ValueError, match="Negative values"):
        committee.teach(-np.ones((3, 4)), y[:3], only_new=True)
    np.testing.assert_array_equal(committee.learners_[0].estimator_.coef_, coef)  # updated on a copy only
    committee.teach(X[20:25], y[20:25], only_new=True)
    assert not np.array_equal(committee.learners_[0].estimator_.coef_, coef)
    assert [m.X_training_.shape[0] for m in committee.learners_] == [25, 25]
