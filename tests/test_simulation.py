"""ActiveLearningSimulation, strategy comparison and plots on small scikit-learn problems."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate

from skal import ActiveLearningSimulation
from skal.comparison import compare_strategies, summarize, verdict
from skal.plotting import plot_learning_curves
from skal.simulation import initial_rows, learning_curve_area
from skal.stopping import BudgetStopping, ClassificationChange
from skal.strategies import coreset_sampling, entropy_sampling, random_sampling


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:500] / 16.0, y[:500]


def _sim(**kw):
    params = dict(n_initial=20, batch_size=10, n_queries=4, random_state=0)
    params.update(kw)
    return ActiveLearningSimulation(LogisticRegression(max_iter=300), **params)


def test_fit_records_curve_and_queries(digits):
    X, y = digits
    sim = _sim(query_strategy=entropy_sampling).fit(X, y)
    curve = sim.learning_curve_
    assert curve["n_labelled"].tolist() == [20, 30, 40, 50, 60]
    assert curve["score"].between(0, 1).all() and (curve[["fit_time", "query_time"]] >= 0).all().all()
    queried = np.concatenate(sim.queried_indices_)
    assert len(queried) == 60 and len(set(queried)) == 60
    assert sim.predict(X).shape == (500,) and sim.predict_proba(X).shape == (500, 10)
    assert 0 < sim.score(X, y) <= 1


def test_held_out_rows_are_never_queried(digits):
    X, y = digits
    X_eval, y_eval = X[400:], y[400:]
    sim = _sim().fit(X[:400], y[:400], eval_set=(X_eval, y_eval))
    assert np.concatenate(sim.queried_indices_).max() < 400
    assert sim.learning_curve_["score"].iloc[-1] == pytest.approx(sim.learner_.score(X_eval, y_eval))


def test_exactly_reproducible(digits):
    X, y = digits
    a = _sim(query_strategy=random_sampling, random_state=3).fit(X, y)
    b = _sim(query_strategy=random_sampling, random_state=3).fit(X, y)
    for qa, qb in zip(a.queried_indices_, b.queried_indices_):
        np.testing.assert_array_equal(qa, qb)
    np.testing.assert_array_equal(a.learning_curve_["score"], b.learning_curve_["score"])
    c = _sim(query_strategy=random_sampling, random_state=4).fit(X, y)
    assert not np.array_equal(np.concatenate(a.queried_indices_), np.concatenate(c.queried_indices_))


def test_budget_stopping_and_candidates(digits):
    X, y = digits
    sim = _sim(budget=45, max_candidates=50).fit(X, y)
    assert sim.learning_curve_["n_labelled"].iloc[-1] == 45
    sim = _sim(n_queries=20, stopping=BudgetStopping(40)).fit(X, y)
    assert sim.stopped_early_ and sim.learning_curve_["n_labelled"].iloc[-1] == 40


def test_classification_change_stops_an_easy_problem():
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(-5, 0.3, (100, 2)), rng.normal(5, 0.3, (100, 2))]
    y = np.r_[np.zeros(100), np.ones(100)]
    sim = ActiveLearningSimulation(LogisticRegression(), n_initial=4, batch_size=5, n_queries=20,
                                   stopping=ClassificationChange(), random_state=0).fit(X, y)
    assert sim.stopped_early_ and len(sim.learning_curve_) == 2


def test_grid_search_over_strategies(digits):
    X, y = digits
    search = GridSearchCV(_sim(), {"query_strategy": [random_sampling, entropy_sampling]}, cv=2)
    search.fit(X, y)
    assert search.best_params_["query_strategy"] in (random_sampling, entropy_sampling)
    assert len(search.cv_results_["mean_test_score"]) == 2
    auc = cross_validate(_sim(score_mode="auc"), X, y, cv=2)["test_score"]
    assert np.all((auc > 0) & (auc <= 1))


def test_seed_sets():
    y = np.array([0] * 50 + [1] * 5 + [2] * 5)
    rng = np.random.RandomState(0)
    rows = initial_rows(y, 6, "stratified", rng)
    assert set(y[rows]) == {0, 1, 2}
    assert len(set(y[initial_rows(y, 10, "random", rng)])) >= 2
    X = np.r_[np.zeros((30, 2)), np.ones((30, 2)) * 10] + rng.normal(0, 0.1, (60, 2))
    rows = initial_rows(np.r_[np.zeros(30), np.ones(30)], 2, "cold_start", rng, X)
    assert sorted((X[rows, 0] > 5).tolist()) == [False, True]
    with pytest.raises(ValueError, match="one class only"):
        initial_rows(np.zeros(10), 2, "random", rng)
    with pytest.raises(ValueError, match="n_initial >= the 3 classes"):
        initial_rows(y, 2, "stratified", rng)
    with pytest.raises(ValueError, match="initial must be"):
        initial_rows(y, 5, "nope", rng)


@pytest.mark.parametrize("params, message", [
    (dict(batch_size=0), "batch_size"),
    (dict(budget=5), "smaller than the seed set"),
    (dict(score_mode="best"), "score_mode"),
    (dict(eval_size=1.5), "eval_size"),
])
def test_bad_parameters(digits, params, message):
    X, y = digits
    with pytest.raises(ValueError, match=message):
        _sim(**params).fit(X, y)
    with pytest.raises(ValueError, match="mismatched"):
        _sim().fit(X, y[:-1])


def test_comparison_summary_verdict_and_plot(digits, tmp_path):
    X, y = digits
    curves = compare_strategies(_sim(n_queries=3), {"random": random_sampling, "entropy": entropy_sampling,
                                                    "coreset": coreset_sampling}, X, y, seeds=(0, 1))
    assert set(curves["strategy"]) == {"random", "entropy", "coreset"} and set(curves["seed"]) == {0, 1}
    table = summarize(curves)
    assert {"final_mean", "auc_mean", "labels_to_match_baseline"} <= set(table.columns)
    assert isinstance(verdict(table), str) and "random" in verdict(table)
    png = plot_learning_curves(curves, tmp_path / "curves.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="columns"):
        plot_learning_curves(curves.drop(columns="score"), tmp_path / "x.png")


def test_learning_curve_area():
    import pandas as pd

    curve = pd.DataFrame({"n_labelled": [10, 20, 30], "score": [0.5, 0.7, 0.9]})
    assert learning_curve_area(curve) == pytest.approx(0.7)


def test_verdict_counts_labels_saved():
    import pandas as pd

    table = pd.DataFrame({"strategy": ["random", "entropy"], "final_mean": [0.8, 0.85], "auc_mean": [0.7, 0.75],
                          "labels_used": [300, 300], "labels_to_match_baseline": [300, 150]})
    assert verdict(table) == "entropy reaches random's final score (0.800) with 150 labels instead of 300: 50% fewer labels."


def test_stream_mode(digits):
    from sklearn.linear_model import SGDClassifier

    X, y = digits
    sim = ActiveLearningSimulation(SGDClassifier(loss="log_loss", random_state=0), n_initial=20, batch_size=10,
                                   stream={"strategy": "variable", "budget": 0.2}, random_state=0).fit(X, y)
    curve = sim.learning_curve_
    assert {"n_seen", "n_queried", "n_labelled", "score"} <= set(curve.columns)
    n_stream = len(y) - int(0.25 * len(y)) - 20
    assert curve["n_seen"].iloc[-1] == pytest.approx(n_stream, abs=1)
    assert 0 < curve["n_queried"].iloc[-1] <= 0.2 * n_stream + 1
    assert len(sim.queried_indices_[1]) == curve["n_queried"].iloc[-1]
    again = clone(sim).fit(X, y)
    np.testing.assert_array_equal(sim.queried_indices_[1], again.queried_indices_[1])
    with pytest.raises(ValueError, match="partial_fit|incremental"):
        ActiveLearningSimulation(LogisticRegression(), n_initial=20, stream={}, random_state=0).fit(X, y)
