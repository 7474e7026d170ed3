"""Stream-based active learning: thresholds, budget, partial_fit teaching, simulation."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_param_validation, parametrize_with_checks

from skal import ActiveLearner, Committee, TransformerClassifier
from skal.simulation import learning_curve_area
from skal.strategies import classifier_entropy
from skal.stream import StreamLearner, StreamSimulation, simulate_stream


def seeded_learner(estimator=None):
    X = np.array([[-3.0], [-2.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    return ActiveLearner(estimator if estimator is not None else GaussianNB()).fit(X, y)


def confident_stream(n=50, informative_at=20):
    """Rows far from the boundary, and one on it (the known informative point)."""
    X = np.where(np.arange(n) % 2 == 0, -4.0, 4.0).reshape(-1, 1)
    X[informative_at] = 0.0
    return X


@pytest.mark.parametrize("strategy", ["fixed", "variable", "randomized"])
def test_the_informative_point_is_queried(strategy):
    X = confident_stream()
    stream = StreamLearner(seeded_learner(), strategy=strategy, threshold=0.3, budget=0.5, noise=0.1,
                           random_state=0)
    asked = [i for i in range(X.shape[0]) if stream.query(X[i:i + 1])[0].shape[0]]
    assert 20 in asked
    if strategy == "fixed":
        assert asked == [20]


def test_fixed_threshold_on_a_mini_batch_returns_positions_and_scores():
    X = confident_stream(10, informative_at=7)
    stream = StreamLearner(seeded_learner(), strategy="fixed", threshold=0.3, budget=1.0)
    idx, rows, scores = stream.query(X, return_metrics=True)
    np.testing.assert_array_equal(idx, [7])
    np.testing.assert_array_equal(rows, X[[7]])
    assert scores[0] > 0.3
    assert stream.n_seen_ == 10 and stream.n_queried_ == 1


def uncertain_stream(n, seed=0):
    rng = np.random.RandomState(seed)
    return rng.uniform(-0.5, 0.5, size=(n, 1))


@pytest.mark.parametrize("strategy", ["fixed", "variable", "randomized"])
@pytest.mark.parametrize("batch", [1, 25])
def test_budget_is_never_exceeded(strategy, batch):
    X = uncertain_stream(1000)
    stream = StreamLearner(seeded_learner(), strategy=strategy, threshold=0.0, budget=0.05, random_state=0)
    for start in range(0, 1000, batch):
        stream.query(X[start:start + batch])
        assert stream.n_queried_ <= 0.05 * stream.n_seen_ + 1
    assert stream.n_seen_ == 1000 and stream.n_queried_ >= 45


def test_variable_threshold_moves_with_the_paper_rule():
    learner = seeded_learner()
    stream = StreamLearner(learner, strategy="variable", threshold=0.2, budget=1.0, step=0.1)
    score = float(1 - learner.predict_proba([[0.0]]).max())  # 0.5 > 0.2: asked
    stream.query([[0.0]])
    theta = (1 - 0.2) * 0.9
    assert stream.threshold_ == pytest.approx(1 - theta)
    stream.query([[9.0]])  # confident: let pass, threshold falls (the confidence threshold rises)
    assert stream.threshold_ == pytest.approx(1 - theta * 1.1)
    assert score == pytest.approx(0.5)


def test_randomized_is_reproducible_and_differs_from_variable():
    X = uncertain_stream(400, seed=2) * 6
    runs = []
    for strategy, seed in (("randomized", 0), ("randomized", 0), ("randomized", 1), ("variable", 0)):
        stream = StreamLearner(seeded_learner(), strategy=strategy, budget=0.3, random_state=seed)
        runs.append(np.concatenate([stream.query(X[i:i + 1])[0] + i for i in range(400)]))
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2]) and not np.array_equal(runs[0], runs[3])


def test_teach_uses_partial_fit_and_keeps_the_model():
    learner = seeded_learner(SGDClassifier(loss="log_loss", random_state=0))
    model = learner.estimator_
    steps = model.t_
    stream = StreamLearner(learner, strategy="fixed", threshold=0.0, budget=1.0)
    idx, rows = stream.query(np.array([[0.1], [-0.2]]))
    stream.teach(rows, np.array([1, 0])[idx])
    assert learner.estimator_ is model and model.t_ > steps
    assert learner.y_training_.shape[0] == 4 + idx.shape[0]


def test_committee_streams_too():
    members = [seeded_learner(GaussianNB()), seeded_learner(SGDClassifier(loss="log_loss", random_state=0))]
    committee = Committee(members)
    stream = StreamLearner(committee, strategy="fixed", threshold=0.1, budget=1.0)
    idx, rows = stream.query(np.array([[0.0], [5.0]]))
    assert 0 in idx
    stream.teach(rows, np.ones(len(idx), dtype=int))
    assert all(m.y_training_.shape[0] == 4 + len(idx) for m in committee.learners_)


def test_fit_clones_the_learner_and_restarts_the_stream():
    template = ActiveLearner(GaussianNB())
    stream = StreamLearner(template, budget=1.0).fit([[-1.0], [1.0]], [0, 1])
    assert stream.learner_ is not template and not hasattr(template, "estimator_")
    stream.query([[0.0], [0.1]])
    assert stream.n_seen_ == 2
    stream.fit([[-1.0], [1.0]], [0, 1])
    assert stream.n_seen_ == 0
    assert stream.predict([[5.0]]).tolist() == [1]


def test_transformer_classifier_streams_with_partial_fit(tiny_bert_path, text_data):
    texts, labels = text_data
    clf = TransformerClassifier(model=tiny_bert_path, max_epochs=1, batch_size=8, max_length=16,
                                warm_start=True, device="cpu", random_state=0)
    learner = ActiveLearner(clf).fit(texts[::4], labels[::4])
    net = learner.estimator_.net_
    stream = StreamLearner(learner, strategy="fixed", threshold=0.0, budget=1.0)
    idx, rows = stream.query(texts[1:6])
    assert idx.shape[0] == 5
    stream.teach(rows, [labels[1 + i] for i in idx])
    assert learner.estimator_.net_ is net and learner.y_training_.shape[0] == len(texts[::4]) + 5


def test_simulate_stream_learns_within_budget():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(3000, 5))
    y = (X @ np.array([1.0, -1.0, 0.5, 0.0, 0.0]) > 0).astype(int)
    learner = ActiveLearner(SGDClassifier(loss="log_loss", random_state=0)).fit(X[:6], y[:6])
    curve = simulate_stream(learner, X[6:2500], y[6:2500], strategy="variable", budget=0.05, batch_size=5,
                            X_eval=X[2500:], y_eval=y[2500:], n_evaluations=5, random_state=0)
    assert list(curve.columns) == ["n_seen", "n_queried", "n_labelled", "label_rate", "threshold", "score"]
    assert curve["n_seen"].iloc[-1] == 2494
    assert curve["n_queried"].iloc[-1] <= 0.05 * 2494 + 1
    assert curve["n_labelled"].iloc[-1] == 6 + curve["n_queried"].iloc[-1]
    assert curve["score"].iloc[-1] > max(curve["score"].iloc[0], 0.85)
    queried = curve.attrs["queried_indices"]
    assert queried.shape[0] == curve["n_queried"].iloc[-1] and np.all(np.diff(queried) > 0)


def test_non_incremental_estimators_are_refused():
    with pytest.raises(ValueError, match="partial_fit, which LogisticRegression does not have"):
        StreamLearner(seeded_learner(LogisticRegression())).query([[0.0]])
    pipeline = ActiveLearner(make_pipeline(StandardScaler(), SGDClassifier()))
    with pytest.raises(ValueError, match="A Pipeline has no partial_fit"):
        StreamLearner(pipeline).fit([[-1.0], [1.0]], [0, 1])
    with pytest.raises(ValueError, match="The 'learner' parameter .*ActiveLearner.*Committee"):
        StreamLearner(GaussianNB()).query([[0.0]])
    with pytest.raises(ValueError, match="partial_fit"):
        simulate_stream(seeded_learner(LogisticRegression()), [[0.0]], [0])


@pytest.mark.parametrize("params, message", [
    ({"threshold": 1.5}, "The 'threshold' parameter"),
    ({"threshold": -0.1}, "The 'threshold' parameter"),
    ({"budget": 0.0}, "budget"),
    ({"budget": 1.2}, "budget"),
    ({"step": 1.0}, "step"),
    ({"noise": 0.0}, "noise"),
    ({"strategy": "greedy"}, "The 'strategy' parameter"),
])
def test_bad_parameters(params, message):
    with pytest.raises(ValueError, match=message):
        StreamLearner(seeded_learner(), **params).query([[0.0]])


def test_scores_outside_the_unit_interval_change_no_state():
    X = np.array([[0.0], [1.0]])
    learner = ActiveLearner(GaussianNB()).fit(np.r_[X, X + 5, X - 5], [0, 1, 2, 0, 1, 2])
    stream = StreamLearner(learner, score_fn=lambda est, rows: 3 * classifier_entropy(est, rows), budget=1.0)
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        stream.query(X)
    assert stream.n_seen_ == 0 and stream.n_queried_ == 0 and stream.threshold_ == 0.3


# ------------------------------------------------------- streams that cannot be replayed
def two_blobs(n=60):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 2))
    return X, (X[:, 0] > 0).astype(int)


def test_one_class_stream_and_unfitted_learner_say_what_to_do():
    X, y = two_blobs()
    with pytest.raises(ValueError, match=r"one class only \(0\).*fit it on a seed set of at least two classes"):
        simulate_stream(ActiveLearner(SGDClassifier(loss="log_loss")), X, np.zeros(60, dtype=int))
    with pytest.raises(ValueError, match=r"needs a learner fitted on a seed set"):
        simulate_stream(ActiveLearner(SGDClassifier(loss="log_loss")), X, y)
    # A fitted learner may well see a stream of one class: it already knows both.
    curve = simulate_stream(ActiveLearner(SGDClassifier(loss="log_loss", random_state=0)).fit(X[:6], y[:6]),
                            X, np.zeros(60, dtype=int), budget=0.5)
    assert curve["n_seen"].iloc[-1] == 60


def test_empty_stream_is_refused():
    X, y = two_blobs()
    learner = ActiveLearner(SGDClassifier(loss="log_loss", random_state=0)).fit(X[:6], y[:6])
    with pytest.raises(ValueError, match="The stream is empty"):
        simulate_stream(learner, X[:0], y[:0])


@pytest.mark.parametrize("score_fn", [None, classifier_entropy])
def test_hinge_loss_without_predict_proba_is_refused_up_front(score_fn):
    X, y = two_blobs()
    learner = ActiveLearner(SGDClassifier(random_state=0)).fit(X[:6], y[:6])  # loss="hinge"
    kwargs = {} if score_fn is None else {"score_fn": score_fn}
    message = r"reads predict_proba, which SGDClassifier\(loss='hinge'\) does not have.*loss='log_loss'"
    with pytest.raises(ValueError, match=message):
        simulate_stream(learner, X, y, **kwargs)
    stream = StreamLearner(learner, **kwargs)
    with pytest.raises(ValueError, match=message):
        stream.query(X[:3])
    assert not hasattr(stream, "n_seen_")
    # A score of the user's own that needs no probabilities is the way out.
    margin = lambda est, rows: 1.0 / (1.0 + np.abs(est.estimator_.decision_function(rows)))  # noqa: E731
    curve = simulate_stream(learner, X, y, score_fn=margin, budget=0.3)
    assert curve["n_queried"].iloc[-1] > 0


@pytest.mark.parametrize("y_eval", [np.full(20, 7), np.array(["a", "b"] * 10)])
def test_eval_labels_foreign_to_the_stream_are_refused(y_eval):
    X, y = two_blobs()
    learner = ActiveLearner(SGDClassifier(loss="log_loss", random_state=0)).fit(X[:6], y[:6])
    n_before = learner.y_training_.shape[0]
    with pytest.raises(ValueError, match="none of which occurs in the stream's y or among the learner's classes"):
        simulate_stream(learner, X, y, X_eval=X[:20], y_eval=y_eval)
    assert learner.y_training_.shape[0] == n_before  # refused before the stream started


# ------------------------------------------------------------------------ StreamSimulation
def sgd():
    return SGDClassifier(loss="log_loss", random_state=0)


def test_stream_simulation_replays_the_rows_outside_the_seed_set_once():
    X, y = two_blobs(400)
    sim = StreamSimulation(sgd(), budget=0.2, n_initial=10, batch_size=5, n_evaluations=4, random_state=0)
    sim.fit(X, y)
    curve = sim.learning_curve_
    assert list(curve.columns) == ["n_seen", "n_queried", "n_labelled", "label_rate", "threshold", "score",
                                   "round"]
    seed, streamed = sim.queried_indices_
    n_stream = 400 - len(sim.eval_indices_) - 10
    assert curve["n_seen"].iloc[-1] == n_stream and len(streamed) == curve["n_queried"].iloc[-1] <= 0.2 * n_stream + 1
    assert not (set(seed) | set(streamed)) & set(sim.eval_indices_) and not set(seed) & set(streamed)
    assert sim.learner_.y_training_.shape[0] == 10 + len(streamed)
    np.testing.assert_array_equal(sim.classes_, [0, 1])
    assert sim.score(X, y) > 0.8 and sim.predict_proba(X[:2]).shape == (2, 2)
    again = clone(sim).fit(X, y)
    pd.testing.assert_frame_equal(curve, again.learning_curve_)
    # The stream itself is simulate_stream's, on the learner fitted on the seed set.
    assert sim.set_params(score_mode="auc").score(None, None) == learning_curve_area(curve)


def test_stream_simulation_refuses_what_cannot_stream():
    X, y = two_blobs(100)
    sim = StreamSimulation(LogisticRegression(), random_state=0)
    with pytest.raises(ValueError, match="partial_fit, which LogisticRegression does not have"):
        sim.fit(X, y)
    with pytest.raises(ValueError, match="reads predict_proba, which SGDClassifier"):
        StreamSimulation(SGDClassifier(random_state=0), random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="stream mode takes a single-label y"):
        StreamSimulation(sgd()).fit(X, np.c_[y, 1 - y])
    with pytest.raises(ValueError, match="The 'budget' parameter of StreamSimulation"):
        StreamSimulation(sgd(), budget=5).fit(X, y)
    assert not hasattr(sim, "learner_")


def test_stream_learner_start_validates_and_resets():
    learner = seeded_learner()
    stream = StreamLearner(learner, budget=1.0)
    stream.query([[0.0]])
    assert stream.n_seen_ == 1
    assert stream.start().n_seen_ == 0 and stream.learner_ is learner
    with pytest.raises(ValueError, match="The 'step' parameter"):
        StreamLearner(learner, step=2.0).start()


# ------------------------------------------------------------ scikit-learn's estimator checks
#: y == -1 marks unlabelled rows for skal's learners (scikit-learn's semi-supervised convention), so the
#: check that relabels the classes as -1 and 1 sees one class only.
MINUS_ONE = {"check_classifiers_classes": "y == -1 marks unlabelled rows"}
STREAM_ESTIMATORS = [StreamLearner(ActiveLearner(sgd()), budget=1.0, random_state=0),
                     StreamSimulation(sgd(), n_initial=5, batch_size=5, random_state=0)]


@parametrize_with_checks(STREAM_ESTIMATORS, expected_failed_checks=lambda estimator: MINUS_ONE)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", STREAM_ESTIMATORS, ids=lambda e: type(e).__name__)
def test_declared_parameters(estimator):
    check_param_validation(type(estimator).__name__, estimator)
