"""ActiveLearner, Committee and CommitteeRegressor: modAL call shapes and scikit-learn behaviour."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.naive_bayes import MultinomialNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from skal import ActiveLearner, Committee, CommitteeRegressor
from skal.strategies import (
    entropy_sampling,
    margin_sampling,
    max_std_sampling,
    random_sampling,
    uncertainty_sampling,
    vote_entropy_sampling,
)


@pytest.fixture
def blobs():
    X, y = make_classification(n_samples=120, n_features=5, n_informative=3, n_classes=3,
                               n_clusters_per_class=1, random_state=0)
    return X, y


TEXTS = [
    "a wonderful heartfelt film", "great acting and a moving story", "i loved every minute",
    "brilliant and funny", "a delight from start to finish", "superb cast, great script",
    "a dull boring mess", "terrible plot and awful acting", "i hated it", "a waste of time",
    "boring, slow and predictable", "awful script, dreadful film",
]
LABELS = ["pos"] * 6 + ["neg"] * 6


def _state(learner):
    return (
        None if not hasattr(learner, "X_training_") else np.array(learner.X_training_, dtype=object).copy(),
        None if not hasattr(learner, "y_training_") else np.array(learner.y_training_).copy(),
    )


# ---------------------------------------------------------------- modAL call shapes
def test_modal_constructor_usage_fits_lazily(blobs):
    X, y = blobs
    learner = ActiveLearner(LogisticRegression(), X_training=X[:12], y_training=y[:12])
    assert not hasattr(learner, "estimator_")
    idx, rows = learner.query(X[12:])
    assert idx.shape == (1,) and np.array_equal(rows, X[12:][idx])
    assert learner.X_training_.shape == (12, 5)
    learner.teach(rows, y[12:][idx])
    assert learner.X_training_.shape == (13, 5) and learner.y_training_.shape == (13,)
    assert learner.predict(X).shape == (120,)
    assert learner.predict_proba(X).shape == (120, 3)
    assert 0 <= learner.score(X, y) <= 1
    assert list(learner.classes_) == [0, 1, 2]
    # parameters are never mutated
    assert learner.X_training.shape == (12, 5)


def test_query_returns_metrics_and_n_instances(blobs):
    X, y = blobs
    learner = ActiveLearner(LogisticRegression(), entropy_sampling).fit(X[:15], y[:15])
    idx, rows, scores = learner.query(X[15:], n_instances=7, return_metrics=True)
    assert idx.shape == (7,) and rows.shape == (7, 5) and scores.shape == (7,)
    assert np.all(np.diff(scores) <= 0), "most informative first"
    assert len(set(idx)) == 7


def test_teach_only_new_uses_partial_fit(blobs):
    X, y = blobs
    learner = ActiveLearner(SGDClassifier(loss="log_loss", random_state=0)).fit(X[:30], y[:30])
    coef_before = learner.estimator_.coef_.copy()
    fitted = learner.estimator_
    learner.teach(X[30:40], y[30:40], only_new=True)
    assert learner.estimator_ is fitted  # trained in place
    assert not np.allclose(coef_before, learner.estimator_.coef_)
    assert learner.X_training_.shape[0] == 40


def test_teach_bootstrap_is_reproducible(blobs):
    X, y = blobs
    a = ActiveLearner(DecisionTreeClassifier(random_state=0), random_state=3).fit(X[:40], y[:40])
    b = ActiveLearner(DecisionTreeClassifier(random_state=0), random_state=3).fit(X[:40], y[:40])
    a.teach(X[40:50], y[40:50], bootstrap=True)
    b.teach(X[40:50], y[40:50], bootstrap=True)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_teach_without_fit_fits(blobs):
    X, y = blobs
    learner = ActiveLearner(LogisticRegression()).teach(X[:20], y[:20])
    assert learner.X_training_.shape == (20, 5)


def test_prefitted_estimator_can_query_at_once(blobs):
    X, y = blobs
    clf = LogisticRegression().fit(X, y)
    learner = ActiveLearner(clf)
    idx, _ = learner.query(X, n_instances=3)
    assert idx.shape == (3,)
    learner.teach(X[:10], y[:10])
    assert learner.X_training_.shape == (10, 5)


def test_modal_style_strategy_returning_bare_indices(blobs):
    X, y = blobs

    def first_rows(classifier, X, n_instances=1):
        return np.arange(n_instances)

    learner = ActiveLearner(LogisticRegression(), first_rows).fit(X[:20], y[:20])
    idx, rows, metrics = learner.query(X, n_instances=2, return_metrics=True)
    assert idx.tolist() == [0, 1] and metrics is None


def test_modal_strategy_functions_are_accepted(blobs):
    from modAL.uncertainty import entropy_sampling as modal_entropy_sampling

    X, y = blobs
    learner = ActiveLearner(LogisticRegression(), modal_entropy_sampling).fit(X[:20], y[:20])
    idx, _ = learner.query(X[20:], n_instances=4)
    ours, _ = ActiveLearner(LogisticRegression(), entropy_sampling).fit(X[:20], y[:20]).query(X[20:], n_instances=4)
    assert set(idx) == set(ours)


def test_random_state_makes_random_sampling_reproducible(blobs):
    X, y = blobs
    picks = [
        ActiveLearner(LogisticRegression(), random_sampling, random_state=7).fit(X[:20], y[:20]).query(X, 5)[0]
        for _ in range(2)
    ]
    np.testing.assert_array_equal(*picks)


def test_semi_supervised_convention(blobs):
    X, y = blobs
    y_partial = y.copy()
    y_partial[30:] = -1
    learner = ActiveLearner(LogisticRegression()).fit(X, y_partial)
    assert learner.X_training_.shape == (30, 5)
    assert -1 not in learner.classes_


# ---------------------------------------------------------------- containers
def test_text_pipeline_pool():
    learner = ActiveLearner(make_pipeline(TfidfVectorizer(), LogisticRegression()), margin_sampling)
    learner.fit(TEXTS[::2], LABELS[::2])
    pool = TEXTS[1::2]
    idx, rows = learner.query(pool, n_instances=2)
    assert isinstance(rows, list) and rows == [pool[i] for i in idx]
    learner.teach(rows, [LABELS[1::2][i] for i in idx])
    assert isinstance(learner.X_training_, list) and len(learner.X_training_) == 8
    assert set(learner.classes_) == {"neg", "pos"}
    assert learner.transform_without_estimating(pool).shape[0] == len(pool)


def test_sparse_pool(blobs):
    X, y = blobs
    Xs = sp.csr_matrix(np.abs(X))
    learner = ActiveLearner(MultinomialNB()).fit(Xs[:20], y[:20])
    idx, rows = learner.query(Xs[20:], n_instances=3)
    assert sp.issparse(rows) and rows.shape == (3, 5)
    learner.teach(rows, y[20:][idx])
    assert sp.issparse(learner.X_training_) and learner.X_training_.shape == (23, 5)


def test_pandas_pool_by_position(blobs):
    X, y = blobs
    frame = pd.DataFrame(X, columns=list("abcde"), index=np.arange(1000, 1120))
    labels = pd.Series(y, index=frame.index)
    learner = ActiveLearner(LogisticRegression()).fit(frame.iloc[:20], labels.iloc[:20])
    pool = frame.iloc[20:]
    idx, rows = learner.query(pool, n_instances=4)
    assert isinstance(rows, pd.DataFrame)
    pd.testing.assert_frame_equal(rows, pool.iloc[idx])
    learner.teach(rows, labels.iloc[20:].iloc[idx])
    assert isinstance(learner.X_training_, pd.DataFrame) and len(learner.X_training_) == 24


def test_pandas_series_of_text():
    texts = pd.Series(TEXTS, index=range(50, 62))
    learner = ActiveLearner(make_pipeline(TfidfVectorizer(), LogisticRegression()))
    learner.fit(texts.iloc[:8:2].tolist() + texts.iloc[6::3].tolist(), ["pos"] * 4 + ["neg"] * 2)
    idx, rows = learner.query(texts, n_instances=3)
    assert isinstance(rows, pd.Series) and rows.tolist() == texts.iloc[idx].tolist()


# ---------------------------------------------------------------- scikit-learn integration
def test_clone_and_params(blobs):
    X, y = blobs
    learner = ActiveLearner(LogisticRegression(C=2.0), entropy_sampling, random_state=0).fit(X, y)
    copy = clone(learner)
    assert not hasattr(copy, "estimator_")
    assert copy.get_params()["estimator__C"] == 2.0
    assert copy.get_params()["query_strategy"] is entropy_sampling
    copy.set_params(estimator__C=0.5)
    assert copy.estimator.C == 0.5 and learner.estimator.C == 2.0


def test_grid_search_and_cross_validate(blobs):
    X, y = blobs
    search = GridSearchCV(
        ActiveLearner(LogisticRegression(max_iter=500)),
        {"estimator__C": [0.01, 1.0], "query_strategy": [uncertainty_sampling, entropy_sampling]},
        cv=3,
    ).fit(X, y)
    assert search.best_params_["estimator__C"] in (0.01, 1.0)
    result = cross_validate(ActiveLearner(LogisticRegression()), X, y, cv=3)
    assert result["test_score"].shape == (3,) and result["test_score"].mean() > 0.6


def test_last_step_of_a_pipeline(blobs):
    X, y = blobs
    pipe = Pipeline([("scale", StandardScaler()), ("al", ActiveLearner(LogisticRegression()))]).fit(X, y)
    assert pipe.score(X, y) > 0.6
    assert pipe.predict_proba(X).shape == (120, 3)


def test_text_pipeline_in_grid_search():
    learner = ActiveLearner(make_pipeline(TfidfVectorizer(), LogisticRegression()))
    search = GridSearchCV(learner, {"estimator__logisticregression__C": [0.1, 10.0]}, cv=2)
    search.fit(np.array(TEXTS, dtype=object), np.array(LABELS))
    assert hasattr(search, "best_estimator_")


# ---------------------------------------------------------------- committees
def _committee(blobs, strategy=vote_entropy_sampling):
    X, y = blobs
    members = [
        ActiveLearner(LogisticRegression(), X_training=X[:30], y_training=y[:30]),
        ActiveLearner(DecisionTreeClassifier(random_state=0), X_training=X[10:40], y_training=y[10:40]),
        ActiveLearner(KNeighborsClassifier(3), X_training=X[:40], y_training=y[:40]),
    ]
    return Committee(members, strategy, random_state=0)


def test_committee_modal_usage(blobs):
    X, y = blobs
    committee = _committee(blobs)
    idx, rows = committee.query(X[40:], n_instances=3)
    assert idx.shape == (3,)
    assert committee.vote(X).shape == (120, 3)
    assert committee.vote_proba(X).shape == (120, 3, 3)
    np.testing.assert_allclose(committee.predict_proba(X).sum(axis=1), 1.0)
    assert committee.predict(X).shape == (120,)
    committee.teach(rows, y[40:][idx])
    assert committee.learners_[0].X_training_.shape[0] == 33
    committee.rebag()
    assert len(committee) == 3 and len(list(committee)) == 3


def test_committee_classes_union(blobs):
    X, y = blobs
    first = ActiveLearner(LogisticRegression(), X_training=X[y != 2], y_training=y[y != 2])
    second = ActiveLearner(LogisticRegression(), X_training=X[y != 0], y_training=y[y != 0])
    committee = Committee([first, second])
    assert committee.classes_.tolist() == [0, 1, 2]
    proba = committee.vote_proba(X[:5])
    assert np.all(proba[:, 0, 2] == 0) and np.all(proba[:, 1, 0] == 0)
    committee.teach(X[:3], np.array([2, 2, 0]))  # each member learns the class it lacked


def test_committee_clone_and_fit(blobs):
    X, y = blobs
    committee = clone(_committee(blobs))
    committee.fit(X, y)
    assert all(m.X_training_.shape == (120, 5) for m in committee.learners_)
    assert cross_validate(clone(committee), X, y, cv=3)["test_score"].mean() > 0.5


def test_committee_regressor():
    X = np.linspace(0, 10, 50).reshape(-1, 1)
    y = np.sin(X[:, 0])
    members = [ActiveLearner(KNeighborsRegressor(k)) for k in (1, 4)]
    committee = CommitteeRegressor(members, max_std_sampling).fit(X[::5], y[::5])
    mean, std = committee.predict(X, return_std=True)
    assert mean.shape == (50,) and std.shape == (50,)
    idx, _ = committee.query(X, n_instances=2)
    assert np.all(std[idx] >= np.sort(std)[-2] - 1e-12)
    assert committee.score(X, y) <= 1.0


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, message",
    [
        (lambda lrn, X, y: lrn.query(X[:0]), "pool is empty"),
        (lambda lrn, X, y: lrn.query(X[:5], n_instances=6), "larger than the pool"),
        (lambda lrn, X, y: lrn.query(X, n_instances=0), "at least 1"),
        (lambda lrn, X, y: lrn.teach(X[:3], y[:2]), "mismatched lengths"),
        (lambda lrn, X, y: lrn.teach(np.full((2, 5), np.nan), y[:2]), "NaN"),
        (lambda lrn, X, y: lrn.fit(X[:10], np.zeros(10)), "one class only"),
        (lambda lrn, X, y: lrn.fit(X[:10], y[:9]), "mismatched lengths"),
        (lambda lrn, X, y: lrn.fit(X[:4], -np.ones(4)), "no labelled rows"),
    ],
)
def test_bad_input_raises_and_keeps_state(blobs, call, message):
    X, y = blobs
    learner = ActiveLearner(LogisticRegression()).fit(X[:20], y[:20])
    before = _state(learner)
    model = learner.estimator_
    with pytest.raises(ValueError, match=message):
        call(learner, X, y)
    after = _state(learner)
    np.testing.assert_array_equal(before[0], after[0])
    np.testing.assert_array_equal(before[1], after[1])
    assert learner.estimator_ is model


def test_unfitted_learner_raises_not_fitted(blobs):
    X, _ = blobs
    learner = ActiveLearner(LogisticRegression())
    for call in (learner.predict, learner.predict_proba):  # query works cold, as in modAL (issue 10)
        with pytest.raises(NotFittedError, match="not fitted"):
            call(X)


def test_committee_bad_input_keeps_state(blobs):
    X, y = blobs
    committee = _committee(blobs)
    committee.query(X, n_instances=1)
    sizes = [m.X_training_.shape[0] for m in committee.learners_]
    committee.teach(X[:2], np.array([0, 9]))  # a new class is learned by every member (issue 10)
    assert 9 in committee.classes_ and all(9 in m.classes_ for m in committee.learners_)
    sizes = [m.X_training_.shape[0] for m in committee.learners_]
    with pytest.raises(ValueError, match="NaN"):
        committee.teach(np.full((1, 5), np.nan), y[:1])
    assert sizes == [m.X_training_.shape[0] for m in committee.learners_]
    with pytest.raises(ValueError, match="non-empty"):
        Committee([]).fit(X, y)
    with pytest.raises(ValueError, match="ActiveLearner"):
        Committee([LogisticRegression()]).fit(X, y)


def test_strategy_returning_out_of_range_indices(blobs):
    X, y = blobs
    learner = ActiveLearner(LogisticRegression(), lambda c, X, n_instances=1: ([999], None)).fit(X, y)
    with pytest.raises(ValueError, match="outside the pool"):
        learner.query(X)
