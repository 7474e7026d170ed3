"""Multi-label strategies: modAL's picks, hand-computed picks, and the batch strategies on multi-label models."""

import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from modAL import multilabel as modal_multilabel
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import SVC, LinearSVC

from skal import ActiveLearner
from skal.strategies import badge_sampling, coreset_sampling, kmeans_sampling, ranked_batch
from skal.strategies import multilabel as ml
from skal.strategies.representation import gradient_embedding


class FixedModel:
    """A 'fitted' multi-label model whose probabilities and predictions are given."""

    def __init__(self, proba, predictions=None):
        self.proba = np.asarray(proba, dtype=float)
        self.predictions = (self.proba > 0.5).astype(int) if predictions is None else np.asarray(predictions)
        self.classes_ = np.arange(self.proba.shape[1])

    def predict_proba(self, X):
        return self.proba[np.asarray(X, dtype=int).ravel()]

    def predict(self, X):
        return self.predictions[np.asarray(X, dtype=int).ravel()]


def _pool(n):
    return np.arange(n).reshape(-1, 1)


MODAL_PAIRS = [(name, getattr(modal_multilabel, name), getattr(ml, name))
               for name in ("max_loss", "mean_max_loss", "min_confidence", "avg_confidence", "max_score",
                            "avg_score")]


@pytest.mark.parametrize("name, theirs, ours", MODAL_PAIRS, ids=[p[0] for p in MODAL_PAIRS])
@pytest.mark.parametrize("seed", range(5))
def test_same_picks_as_modal_on_random_inputs(name, theirs, ours, seed):
    rng = np.random.RandomState(seed)
    n, n_labels = 60, 5
    proba = rng.uniform(size=(n, n_labels))
    predictions = (rng.uniform(size=(n, n_labels)) < proba).astype(int)  # not a plain threshold
    model = FixedModel(proba, predictions)
    X = _pool(n)
    if name in ("max_loss", "mean_max_loss"):
        # Their scores are small sums of hinge terms, full of ties; compare the scores, then the picks
        # where the k-th and (k+1)-th scores differ.
        expected = np.sort(-np.partition(-_modal_scores(name, model, X), 7)[:8])
        np.testing.assert_allclose(np.sort(ours(model, X, n_instances=8)[1]), expected)
        return
    picked_theirs = theirs(model, X, n_instances=7, random_tie_break=False)
    picked_ours, scores = ours(model, X, n_instances=7)
    assert set(picked_ours.tolist()) == set(np.asarray(picked_theirs).tolist())
    assert np.all(np.diff(scores) <= 0)


def _modal_scores(name, model, X):
    """modAL's own per-row loss (its private helper), to compare score values where picks tie."""
    most_certain = model.predict_proba(X).argmax(axis=1) if name == "max_loss" else None
    return modal_multilabel._SVM_loss(model, X, most_certain_classes=most_certain)


def test_same_loss_values_as_modal_helper():
    rng = np.random.RandomState(0)
    model = FixedModel(rng.uniform(size=(40, 4)), rng.randint(2, size=(40, 4)))
    X = _pool(40)
    for name in ("max_loss", "mean_max_loss"):
        ours = getattr(ml, name)(model, X, n_instances=40)
        full = np.empty(40)
        full[ours[0]] = ours[1]
        np.testing.assert_allclose(full, _modal_scores(name, model, X))


def _modal_example_data(seed):
    """The data of modAL's examples/multilabel_svm.py, seeded."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(500, 2))
    y = np.array([[int(x1 > 0), int(x2 > 0)] for x1, x2 in X])
    initial = rng.choice(range(len(X)), size=10, replace=False)
    return X[initial], y[initial], np.delete(X, initial, axis=0), np.delete(y, initial, axis=0)


@pytest.mark.parametrize("seed", range(3))
def test_svm_binary_minimum_follows_modal_through_its_example(seed):
    """modAL's multilabel_svm example with skal's learner: each round, modAL's SVM_binary_minimum,
    run on the same fitted model, picks the row skal's picks. (modAL 0.4.1's own learner cannot teach
    under scikit-learn 1.9: its check_X_y call passes the removed force_all_finite.)"""
    X_initial, y_initial, X_pool, y_pool = _modal_example_data(seed)
    learner = ActiveLearner(estimator=OneVsRestClassifier(LinearSVC()), query_strategy=ml.SVM_binary_minimum,
                            X_training=X_initial, y_training=y_initial)
    for _ in range(10):
        query_idx, _ = learner.query(X_pool)
        their_idx = modal_multilabel.SVM_binary_minimum(SimpleNamespace(estimator=learner.estimator_), X_pool)
        assert int(np.ravel(their_idx)[0]) == int(query_idx[0])
        learner.teach(X_pool[query_idx].reshape(1, -1), y_pool[query_idx].reshape(1, -1))
        X_pool, y_pool = np.delete(X_pool, query_idx, axis=0), np.delete(y_pool, query_idx, axis=0)
    assert learner.y_training_.shape == (20, 2)


@pytest.mark.parametrize("name", ["max_loss", "mean_max_loss", "min_confidence", "avg_confidence", "max_score",
                                  "avg_score"])
def test_same_picks_as_modal_on_its_svm_example(name):
    """The first example's model, OneVsRestClassifier(SVC(probability=True)); modAL's function on our learner."""
    X_initial, y_initial, X_pool, _ = _modal_example_data(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # SVC(probability=True) is deprecated in 1.9
        ours = ActiveLearner(estimator=OneVsRestClassifier(SVC(probability=True, random_state=0)),
                             X_training=X_initial, y_training=y_initial)
        their_idx = getattr(modal_multilabel, name)(ours, X_pool, n_instances=5, random_tie_break=False)
        our_idx, scores = getattr(ml, name)(ours, X_pool, n_instances=5)
        if name in ("max_loss", "mean_max_loss"):  # tied losses: compare the losses of the picks
            full = modal_multilabel._SVM_loss(
                ours, X_pool, ours.predict_proba(X_pool).argmax(axis=1) if name == "max_loss" else None)
            np.testing.assert_allclose(np.sort(full[np.asarray(their_idx)]), np.sort(scores))
        else:
            assert set(our_idx.tolist()) == set(np.asarray(their_idx).tolist())


# --------------------------------------------------------------------------- hand-computed
def test_mean_entropy_hand_computed():
    proba = [[0.5, 0.5, 0.5], [0.9, 0.1, 0.5], [1.0, 0.0, 0.0], [0.8, 0.8, 0.8]]
    h = lambda p: -(p * np.log(p) + (1 - p) * np.log(1 - p))  # noqa: E731
    expected = [np.log(2), (2 * h(0.9) + np.log(2)) / 3, 0.0, h(0.8)]
    np.testing.assert_allclose(ml.proba_mean_entropy(proba), expected)
    idx, scores = ml.mean_entropy_sampling(FixedModel(proba), _pool(4), n_instances=3)
    assert idx.tolist() == [0, 3, 1]
    np.testing.assert_allclose(scores, [expected[0], expected[3], expected[1]])


def test_modal_style_scores_hand_computed():
    proba = np.array([[0.6, 0.2], [0.9, 0.7], [0.3, 0.45]])
    model = FixedModel(proba)  # predictions [[1, 0], [1, 1], [0, 0]]
    X = _pool(3)
    # min_confidence: 1 - min p = [0.8, 0.3, 0.7]
    assert ml.min_confidence(model, X, n_instances=3)[0].tolist() == [0, 2, 1]
    # avg_confidence: mean p = [0.4, 0.8, 0.375]
    assert ml.avg_confidence(model, X, n_instances=3)[0].tolist() == [1, 0, 2]
    # p * (ŷ - 1/2): [[0.3, -0.1], [0.45, 0.35], [-0.15, -0.225]]
    idx, scores = ml.max_score(model, X, n_instances=3)
    assert idx.tolist() == [1, 0, 2]
    np.testing.assert_allclose(scores, [0.45, 0.3, -0.15])
    idx, scores = ml.avg_score(model, X, n_instances=3)
    np.testing.assert_allclose(scores, [0.4, 0.1, -0.1875])
    # s = 2ŷ - 1: [[1, -1], [1, 1], [-1, -1]]; most probable label 0 everywhere, so y* = [1, -1]:
    # max_loss = Σ max(1 - y*·s, 0) = [0, 2, 2]
    idx, scores = ml.max_loss(model, X, n_instances=3)
    assert idx.tolist() == [1, 2, 0] and scores.tolist() == [2.0, 2.0, 0.0]
    # mean_max_loss: mean_j max(1 - 2 s_j + Σ s, 0) = [(0 + 3) / 2, (1 + 1) / 2, (1 + 1) / 2]
    idx, scores = ml.mean_max_loss(model, X, n_instances=3)
    assert idx.tolist() == [0, 1, 2] and scores.tolist() == [1.5, 1.0, 1.0]


def test_label_cardinality_hand_computed():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    Y = np.array([[1, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1]])  # mean cardinality 7/4
    learner = ActiveLearner(OneVsRestClassifier(LogisticRegression())).fit(X, Y)
    predicted = learner.predict(X)
    idx, scores = ml.label_cardinality_sampling(learner, X, n_instances=4)
    np.testing.assert_allclose(np.sort(scores)[::-1], np.sort(np.abs(predicted.sum(axis=1) - 1.75))[::-1])
    np.testing.assert_allclose(ml.label_cardinality_inconsistency([[0, 0, 0], [1, 1, 1]], Y), [1.75, 1.25])


def test_cvirs_hand_computed():
    # Four pool rows over three labels; labelled rows [1,0,0] and [1,1,0].
    proba = np.array([[0.55, 0.45, 0.5], [0.9, 0.2, 0.1], [0.1, 0.9, 0.8], [0.6, 0.7, 0.1]])
    labelled = np.array([[1, 0, 0], [1, 1, 0]])
    # Margins |2p-1|: label 0 [.1, .8, .8, .2] -> ranks [1, 3, 4, 2] (stable); label 1 [.1, .6, .8, .4]
    # -> [1, 3, 4, 2]; label 2 [0, .8, .6, .8] -> [1, 3, 2, 4]. r = Σ (4 - rank) / (3 · 3):
    r = np.array([9, 3, 2, 4]) / 9
    # Predictions (p > .5): [1,0,0], [1,0,0], [0,1,1], [1,1,0].
    log2 = np.log2

    def entropy(*cells):
        cells = np.array([c for c in cells if c > 0]) / 3
        return -(cells * log2(cells)).sum()

    def distance(u, v):
        u, v = np.array(u), np.array(v)
        a, b, c = (u & v).sum(), (~u.astype(bool) & v.astype(bool)).sum(), (u.astype(bool) & ~v.astype(bool)).sum()
        d = 3 - a - b - c
        if b + c == 3:
            return 1.0
        joint = entropy(a, b, c, d)
        if joint == 0:
            return 0.0
        return (2 * joint - entropy(u.sum(), 3 - u.sum()) - entropy(v.sum(), 3 - v.sum())) / joint

    predicted = [[1, 0, 0], [1, 0, 0], [0, 1, 1], [1, 1, 0]]
    v = np.array([np.mean([distance(p, lab) for lab in labelled]) for p in predicted])
    assert v[2] > 0.5 and 0 < v[0] < 1  # [0,1,1] vs [1,0,0] differ everywhere: distance 1
    np.testing.assert_allclose(ml.cvirs(proba, labelled), r * v)


def test_cvirs_sampling_on_a_learner_uses_its_labelled_rows():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    Y = (X > 0.2).astype(int)
    learner = ActiveLearner(OneVsRestClassifier(LogisticRegression())).fit(X[:20], Y[:20])
    idx, scores = ml.cvirs_sampling(learner, X[20:], n_instances=5)
    expected = ml.cvirs(learner.predict_proba(X[20:]), Y[:20])
    np.testing.assert_allclose(scores, np.sort(expected)[::-1][:5])
    with pytest.raises(ValueError, match="cvirs_sampling compares the pool with the labelled rows"):
        ml.cvirs_sampling(learner.estimator_, X[20:])


# --------------------------------------------------------------------------- batch strategies
def _learner():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(120, 4))
    Y = (X[:, :3] > 0).astype(int)
    return ActiveLearner(OneVsRestClassifier(LogisticRegression()), random_state=0).fit(X[:20], Y[:20]), X[20:]


def test_multilabel_gradient_embedding_is_bce_gradient_at_predicted_set():
    learner, X = _learner()
    P = learner.predict_proba(X)
    G = gradient_embedding(learner, X)
    assert G.shape == (100, 3 * 4)
    expected = ((P - (P > 0.5))[:, :, None] * X[:, None, :]).reshape(100, -1)
    np.testing.assert_allclose(G, expected)


def test_badge_on_multilabel_learner_starts_at_largest_gradient():
    learner, X = _learner()
    idx, scores = badge_sampling(learner, X, n_instances=6, random_state=0)
    norms = np.linalg.norm(gradient_embedding(learner, X), axis=1)
    assert idx[0] == np.argmax(norms) and len(set(idx)) == 6
    np.testing.assert_allclose(scores[0], norms.max())


def test_ranked_batch_and_coreset_take_multilabel_models():
    learner, X = _learner()
    idx, scores = ml.multilabel_batch_sampling(learner, X, n_instances=5)
    ref = ranked_batch(learner, X, ml.proba_mean_entropy(learner.predict_proba(X)) / np.log(2), n_instances=5)
    np.testing.assert_array_equal(idx, ref[0])
    assert len(set(coreset_sampling(learner, X, n_instances=5)[0])) == 5
    assert len(set(kmeans_sampling(learner, X, n_instances=5, random_state=0)[0])) == 5


@pytest.mark.parametrize("strategy", [ml.mean_entropy_sampling, ml.cvirs_sampling, ml.label_cardinality_sampling,
                                      ml.multilabel_batch_sampling, ml.max_score, badge_sampling])
def test_learner_queries_with_each_multilabel_strategy(strategy):
    learner, X = _learner()
    learner = ActiveLearner(learner.estimator, strategy, random_state=0).fit(learner.X_training_,
                                                                           learner.y_training_)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        idx, rows = learner.query(X, n_instances=4)
    assert len(set(idx)) == 4
    np.testing.assert_array_equal(rows, X[idx])


def test_strategies_are_marked_and_documented_from_their_own_signature():
    import inspect

    from skal.targets import check_single_label_strategy

    strategies = [getattr(ml, name) for name in ml.__all__ if name not in ("proba_mean_entropy", "cvirs",
                                                                           "label_cardinality_inconsistency")]
    assert len(strategies) == 11
    X = np.arange(8.0).reshape(-1, 1)
    learner = ActiveLearner(OneVsRestClassifier(LogisticRegression())).fit(X, np.c_[X > 2, X > 5].astype(int))
    for strategy in strategies:
        assert strategy.multi_label is True
        check_single_label_strategy(strategy, learner)  # accepted for a multi-label learner
        assert "{sections}" not in strategy.__doc__
        for name, parameter in inspect.signature(strategy).parameters.items():
            default = "" if parameter.default is inspect.Parameter.empty else f", default={parameter.default!r}"
            assert f"\n{name} : " in strategy.__doc__, (strategy.__name__, name)
            if name == "n_instances":
                assert f"n_instances : int{default}\n" in strategy.__doc__
