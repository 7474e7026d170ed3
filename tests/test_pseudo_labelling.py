"""CEAL: pseudo-labels train the model but never enter the human labels."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from skal import ActiveLearner
from skal.pseudo_labelling import CEALLearner


@pytest.fixture
def blobs():
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(-2, 1, size=(300, 2)), rng.normal(2, 1, size=(300, 2))]
    y = np.r_[np.zeros(300, dtype=int), np.ones(300, dtype=int)]
    order = rng.permutation(600)
    return X[order], y[order]


def run_rounds(ceal, X, y, rounds=4, batch=5, seed=10):
    """Seed on the first rows, then query/teach; return the human positions in order."""
    ceal.fit(X[:seed], y[:seed])
    human = list(range(seed))
    pool = np.arange(seed, X.shape[0])
    for _ in range(rounds):
        idx, rows = ceal.query(X[pool], n_instances=batch)
        rest = np.delete(pool, idx)
        ceal.teach(rows, y[pool[idx]], X_pool=X[rest], y_pool_true=y[rest])
        human.extend(pool[idx].tolist())
        pseudo_positions = rest[ceal.pseudo_labels_["position"].to_numpy(dtype=int)]
        assert not set(pseudo_positions) & set(human)
        pool = rest
    return np.asarray(human)


def test_pseudo_labels_never_leak_into_the_human_labels(blobs):
    X, y = blobs
    noisy = y.copy()
    ceal = CEALLearner(ActiveLearner(KNeighborsClassifier(1)), delta=0.5, decay=0.1)
    human = run_rounds(ceal, X, noisy)
    learner = ceal.learner_
    np.testing.assert_array_equal(learner.y_training_, y[human])
    np.testing.assert_array_equal(learner.X_training_, X[human])
    assert ceal.pseudo_labels_.shape[0] > 0
    assert set(ceal.pseudo_labels_["source"]) == {"pseudo"}
    # ...and yet the model was fitted on the union.
    assert learner.estimator_.n_samples_fit_ == human.shape[0] + ceal.pseudo_labels_.shape[0]
    assert ceal.X_pseudo_.shape[0] == ceal.y_pseudo_.shape[0] == ceal.pseudo_labels_.shape[0]
    assert list(ceal.history_["n_human"]) == [15, 20, 25, 30]


def test_confident_rows_are_pseudo_labelled_with_the_prediction(blobs):
    X, y = blobs
    ceal = CEALLearner(ActiveLearner(LogisticRegression()), delta=0.1, decay=0.0).fit(X[:20], y[:20])
    model = ceal.learner_.estimator_
    pool = X[20:]
    ceal.teach(X[:0], y[:0], X_pool=pool)
    frame = ceal.pseudo_labels_
    proba = model.predict_proba(pool)
    entropy = -(proba * np.log(proba)).sum(axis=1)
    np.testing.assert_array_equal(frame["position"], np.flatnonzero(entropy < 0.1))
    np.testing.assert_array_equal(frame["label"], model.predict(pool)[frame["position"]])
    assert frame["entropy"].max() < 0.1 and (frame["round"] == 1).all()


def test_threshold_tightens_every_round_and_stops_at_zero(blobs):
    X, y = blobs
    ceal = CEALLearner(ActiveLearner(LogisticRegression()), delta=0.25, decay=0.1)
    run_rounds(ceal, X, y, rounds=4)
    np.testing.assert_allclose(ceal.history_["delta"], [0.25, 0.15, 0.05, 0.0], atol=1e-12)
    assert ceal.delta_ == 0.0
    assert ceal.history_["n_pseudo"].iloc[-1] == 0 and ceal.pseudo_labels_.empty
    assert ceal.history_["pseudo_accuracy"].iloc[0] > 0.95


def test_max_pseudo_labels_keeps_the_most_confident(blobs):
    X, y = blobs
    ceal = CEALLearner(ActiveLearner(LogisticRegression()), delta=0.5, max_pseudo_labels=7).fit(X[:20], y[:20])
    pool = X[20:]
    entropy_order = np.argsort(-ceal.predict_proba(pool).max(axis=1), kind="stable")[:7]
    ceal.teach(X[:0], y[:0], X_pool=pool)
    assert sorted(ceal.pseudo_labels_["position"]) == sorted(entropy_order.tolist())


def test_delta_zero_is_plain_active_learning(blobs):
    X, y = blobs
    ceal = CEALLearner(ActiveLearner(LogisticRegression()), delta=0.0)
    plain = ActiveLearner(LogisticRegression()).fit(X[:10], y[:10])
    human = run_rounds(ceal, X, y, rounds=3)
    plain.teach(X[human[10:]], y[human[10:]])
    np.testing.assert_allclose(ceal.predict_proba(X), plain.predict_proba(X))
    assert ceal.X_pseudo_ is None and ceal.history_["n_pseudo"].sum() == 0


def test_adopts_a_learner_as_given(blobs):
    X, y = blobs
    learner = ActiveLearner(LogisticRegression(), X_training=X[:10], y_training=y[:10])
    ceal = CEALLearner(learner, delta=0.1)
    ceal.teach(X[10:12], y[10:12], X_pool=X[12:])
    assert ceal.learner_ is learner and learner.y_training_.shape[0] == 12
    with pytest.raises(NotFittedError):
        CEALLearner(ActiveLearner(LogisticRegression())).query(X)


def test_text_pool_and_pandas_frames(text_data):
    from skal.presets import make_text_classifier

    texts, labels = text_data
    ceal = CEALLearner(ActiveLearner(make_text_classifier("tfidf")), delta=0.69).fit(texts[::3], labels[::3])
    rest = [t for i, t in enumerate(texts) if i % 3]
    ceal.teach(rest[:1], [labels[1]], X_pool=pd.Series(rest[1:]))
    assert isinstance(ceal.X_pseudo_, pd.Series) and len(ceal.X_pseudo_) == len(ceal.pseudo_labels_)
    assert set(ceal.pseudo_labels_["label"]) <= {"pos", "neg"}
    assert len(ceal.learner_.X_training_) == len(texts[::3]) + 1


@pytest.mark.parametrize("params, message", [
    ({"delta": -0.1}, "'delta' parameter"),
    ({"delta": 0.7}, r"delta=0.7 would pseudo-label every row.*log\(2\) = 0.693"),
    ({"delta": float("nan")}, "delta"),
    ({"decay": -1}, "'decay' parameter"),
    ({"max_pseudo_labels": -3}, "max_pseudo_labels"),
])
def test_bad_parameters(blobs, params, message):
    X, y = blobs
    with pytest.raises(ValueError, match=message):
        CEALLearner(ActiveLearner(LogisticRegression()), **params).fit(X[:10], y[:10])


def test_bad_input_changes_no_state(blobs):
    X, y = blobs
    ceal = CEALLearner(ActiveLearner(LogisticRegression()), delta=0.3).fit(X[:10], y[:10])
    before = ceal.learner_.estimator_.coef_.copy()
    with pytest.raises(ValueError, match="never seen"):
        ceal.teach(X[10:12], np.array([0, 7]), X_pool=X[12:])
    with pytest.raises(ValueError, match="mismatched lengths"):
        ceal.teach(X[10:12], y[10:13], X_pool=X[12:])
    assert ceal.round_ == 0 and ceal.learner_.y_training_.shape[0] == 10
    np.testing.assert_array_equal(ceal.learner_.estimator_.coef_, before)
    with pytest.raises(ValueError, match="'learner' parameter"):
        CEALLearner(LogisticRegression()).fit(X[:10], y[:10])
