"""Beyond text: images (scikit-learn's digits) and tabular DataFrames, with any scikit-learn estimator."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from skal import ActiveLearner, ActiveLearningSimulation, Committee, CommitteeRegressor
from skal.pool_scoring import chunked
from skal.pseudo_labelling import CEALLearner
from skal.strategies import (
    classifier_uncertainty,
    coreset_sampling,
    entropy_sampling,
    max_disagreement_sampling,
    max_std_sampling,
    uncertainty_sampling,
    vote_entropy_sampling,
)
from skal.stream import StreamLearner


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    rng = np.random.RandomState(0)
    order = rng.permutation(len(y))
    X, y = X[order], y[order]
    seed = np.r_[[np.flatnonzero(y == c)[:3] for c in range(10)]].ravel()
    pool = np.setdiff1d(np.arange(1200), seed)
    return X, y, seed, pool


def active_loop(learner, X, y, pool, rounds, batch):
    pool = pool.copy()
    for _ in range(rounds):
        idx, rows = learner.query(X[pool], n_instances=batch)
        assert len(set(idx.tolist())) == batch
        learner.teach(rows, y[pool[idx]])
        pool = np.delete(pool, idx)
    return pool


def svc():
    """An SVC with probabilities (SVC(probability=True) is deprecated since scikit-learn 1.9)."""
    return CalibratedClassifierCV(SVC(), cv=3, ensemble=False)


@pytest.mark.parametrize("estimator", [svc(), RandomForestClassifier(n_estimators=30, random_state=0)])
def test_digit_images_with_any_classifier(digits, estimator):
    X, y, seed, pool = digits
    learner = ActiveLearner(estimator, uncertainty_sampling, X_training=X[seed], y_training=y[seed],
                            random_state=0)
    start = learner.score(X[1200:], y[1200:])
    active_loop(learner, X, y, pool, rounds=5, batch=10)
    assert learner.y_training_.shape[0] == 80
    assert learner.score(X[1200:], y[1200:]) > max(start + 0.1, 0.8)


def test_digit_committee_of_different_models(digits):
    X, y, seed, pool = digits
    members = [ActiveLearner(svc()),
               ActiveLearner(RandomForestClassifier(n_estimators=20, random_state=0)),
               ActiveLearner(LogisticRegression(max_iter=500))]
    committee = Committee(members, vote_entropy_sampling).fit(X[seed], y[seed])
    active_loop(committee, X, y, pool, rounds=3, batch=10)
    assert committee.vote_proba(X[:5]).shape == (5, 3, 10)
    idx, _ = max_disagreement_sampling(committee, X[pool[:200]], n_instances=4)
    assert idx.shape == (4,)
    assert committee.score(X[1200:], y[1200:]) > 0.7


def test_digits_diversity_chunked_ceal_and_stream(digits):
    X, y, seed, pool = digits
    learner = ActiveLearner(RandomForestClassifier(n_estimators=20, random_state=0), coreset_sampling,
                            X_training=X[seed], y_training=y[seed])
    idx, _ = learner.query(X[pool], n_instances=5)
    assert idx.shape == (5,)

    chunk = ActiveLearner(svc(), chunked(classifier_uncertainty, chunk_size=97),
                          X_training=X[seed], y_training=y[seed])
    whole = ActiveLearner(svc(), X_training=X[seed], y_training=y[seed])
    np.testing.assert_array_equal(chunk.query(X[pool], 8)[0], whole.query(X[pool], 8)[0])

    ceal = CEALLearner(ActiveLearner(RandomForestClassifier(n_estimators=30, random_state=0)), delta=0.8)
    ceal.fit(X[seed], y[seed])
    idx, rows = ceal.query(X[pool], n_instances=10)
    rest = np.delete(pool, idx)
    ceal.teach(rows, y[pool[idx]], X_pool=X[rest], y_pool_true=y[rest])
    assert ceal.learner_.y_training_.shape[0] == 40

    stream = StreamLearner(ActiveLearner(MultinomialNB()), strategy="variable", budget=0.2, random_state=0)
    stream.fit(X[seed], y[seed])
    for start in range(0, 600, 20):
        picked, rows = stream.query(X[pool[start:start + 20]])
        if picked.shape[0]:
            stream.teach(rows, y[pool[start:start + 20]][picked])
    assert stream.n_queried_ <= 0.2 * 600 + 1 and stream.score(X[1200:], y[1200:]) > 0.7


def test_simulation_on_digits():
    X, y = load_digits(return_X_y=True)
    sim = ActiveLearningSimulation(RandomForestClassifier(n_estimators=20, random_state=0), entropy_sampling,
                                   n_initial=20, batch_size=20, n_queries=3, random_state=0).fit(X[:800], y[:800])
    assert sim.learning_curve_["n_labelled"].tolist() == [20, 40, 60, 80]


@pytest.fixture(scope="module")
def cancer():
    data = load_breast_cancer(as_frame=True)
    return data.data, data.target


def test_tabular_dataframe_pool_keeps_frames_and_feature_names(cancer):
    X, y = cancer
    seed = np.r_[np.flatnonzero(y == 0)[:5], np.flatnonzero(y == 1)[:5]]
    pool = np.setdiff1d(np.arange(450), seed)
    learner = ActiveLearner(make_pipeline(StandardScaler(), LogisticRegression()),
                            X_training=X.iloc[seed], y_training=y.iloc[seed])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # "X does not have valid feature names" would fail
        for _ in range(4):
            idx, rows = learner.query(X.iloc[pool], n_instances=10)
            assert isinstance(rows, pd.DataFrame) and list(rows.index) == list(X.index[pool[idx]])
            learner.teach(rows, y.iloc[pool[idx]])
            pool = np.delete(pool, idx)
        score = learner.score(X.iloc[450:], y.iloc[450:])
    assert isinstance(learner.X_training_, pd.DataFrame) and learner.X_training_.shape == (50, 30)
    assert list(learner.feature_names_in_) == list(X.columns)
    assert score > 0.9


def test_tabular_with_missing_values(cancer):
    X, y = cancer
    X = X.copy()
    X.iloc[::7, 3] = np.nan
    learner = ActiveLearner(HistGradientBoostingClassifier(max_iter=5, random_state=0),
                            X_training=X.iloc[:40], y_training=y.iloc[:40])
    idx, rows = learner.query(X.iloc[40:400], n_instances=5)
    learner.teach(rows, y.iloc[40:400].iloc[idx])
    assert learner.y_training_.shape[0] == 45


def test_iris_frame_committee():
    X, y = load_iris(return_X_y=True, as_frame=True)
    rng = np.random.RandomState(0)
    seed = np.r_[[rng.choice(np.flatnonzero(y == c)) for c in range(3)]]
    committee = Committee([ActiveLearner(DecisionTreeClassifier(random_state=0)),
                           ActiveLearner(KNeighborsClassifier(1))]).fit(X.iloc[seed], y.iloc[seed])
    pool = np.setdiff1d(np.arange(150), seed)
    for _ in range(5):
        idx, rows = committee.query(X.iloc[pool], n_instances=3)
        committee.teach(rows, y.iloc[pool[idx]])
        pool = np.delete(pool, idx)
    assert committee.score(X, y) > 0.85


def test_tabular_regression_committee():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    committee = CommitteeRegressor([ActiveLearner(RandomForestRegressor(n_estimators=10, random_state=0)),
                                    ActiveLearner(KNeighborsRegressor(3))], max_std_sampling)
    committee.fit(X.iloc[:20], y.iloc[:20])
    idx, rows = committee.query(X.iloc[20:], n_instances=5)
    committee.teach(rows, y.iloc[20:].iloc[idx])
    assert committee.learners_[0].y_training_.shape[0] == 25
