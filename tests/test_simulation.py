"""ActiveLearningSimulation and the strategy comparison on small scikit-learn problems."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone, is_classifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.utils.estimator_checks import parametrize_with_checks
from threadpoolctl import threadpool_limits

from skal import ActiveLearningSimulation
from skal.presets import make_text_classifier
from skal.simulation import initial_rows, learning_curve_area
from skal.stopping import BudgetStopping, ClassificationChange, StabilizingPredictions
from skal.strategies import coreset_sampling, entropy_sampling, margin_sampling, random_sampling

TIMINGS = ["fit_time", "query_time"]


pytestmark = pytest.mark.usefixtures("one_blas_thread")


def _sim(**kw):
    params = dict(estimator=LogisticRegression(max_iter=200), n_initial=20, batch_size=10, n_queries=4,
                  random_state=0)
    params.update(kw)
    return ActiveLearningSimulation(**params)


def _same_run(a, b):
    pd.testing.assert_frame_equal(a.learning_curve_.drop(columns=TIMINGS, errors="ignore"),
                                  b.learning_curve_.drop(columns=TIMINGS, errors="ignore"))
    assert len(a.queried_indices_) == len(b.queried_indices_)
    for qa, qb in zip(a.queried_indices_, b.queried_indices_):
        np.testing.assert_array_equal(qa, qb)


# ----------------------------------------------------------------------------- fit
def test_fit_records_curve_queries_and_timings(digits):
    X, y = digits
    sim = _sim(query_strategy=entropy_sampling).fit(X, y)
    curve = sim.learning_curve_
    assert curve.columns.tolist() == ["round", "n_labelled", "score", "fit_time", "query_time"]
    assert curve["round"].tolist() == [0, 1, 2, 3, 4] and curve["n_labelled"].tolist() == [20, 30, 40, 50, 60]
    assert curve["score"].between(0, 1).all() and (curve[TIMINGS] >= 0).all().all()
    assert [len(q) for q in sim.queried_indices_] == [20, 10, 10, 10, 10]
    queried = np.concatenate(sim.queried_indices_)
    assert len(set(queried)) == 60
    # the held-out slice scores the curve and is never queried
    assert len(sim.eval_indices_) == 100 and not set(queried) & set(sim.eval_indices_)
    assert curve["score"].iloc[-1] == pytest.approx(sim.learner_.score(X[sim.eval_indices_], y[sim.eval_indices_]))
    np.testing.assert_array_equal(sim.learner_.y_training_, y[queried])
    assert sim.predict(X).shape == (400,) and sim.predict_proba(X).shape == (400, 10)
    assert sim.classes_.tolist() == list(range(10)) and not sim.stopped_early_
    assert sim.score(X, y) == pytest.approx(sim.learner_.score(X, y))


def test_eval_set_rows_are_scored_and_every_training_row_is_pool(digits):
    X, y = digits
    sim = _sim().fit(X[:300], y[:300], eval_set=(X[300:], y[300:]))
    assert sim.eval_indices_ is None and np.concatenate(sim.queried_indices_).max() < 300
    assert sim.learning_curve_["score"].iloc[-1] == pytest.approx(sim.learner_.score(X[300:], y[300:]))
    no_curve = _sim(eval_size=0.0, n_queries=1).fit(X, y)
    assert no_curve.learning_curve_["score"].isna().all()


def test_exactly_reproducible_for_a_fixed_random_state(digits):
    X, y = digits
    for params in (dict(query_strategy=random_sampling), dict(query_strategy=entropy_sampling, max_candidates=80),
                   dict(query_strategy=coreset_sampling, initial="random")):
        a = _sim(random_state=3, **params).fit(X, y)
        b = clone(_sim(random_state=3, **params)).fit(X, y)
        _same_run(a, b)
    c = _sim(query_strategy=random_sampling, random_state=4).fit(X, y)
    assert not np.array_equal(np.concatenate(a.queried_indices_), np.concatenate(c.queried_indices_))


def test_budget_n_queries_and_pool_subsampling(digits):
    X, y = digits
    sim = _sim(budget=45, n_queries=None, max_candidates=50).fit(X, y)
    assert sim.learning_curve_["n_labelled"].tolist() == [20, 30, 40, 45]
    sim = _sim(n_queries=0).fit(X, y)
    assert sim.learning_curve_["n_labelled"].tolist() == [20]
    # n_queries=None without budget runs until the pool is empty
    small = _sim(n_queries=None, batch_size=25, eval_size=0.5).fit(X[:100], y[:100])
    assert small.learning_curve_["n_labelled"].iloc[-1] == 50


def test_a_budget_is_spent_unless_the_pool_runs_out(digits):
    X, y = digits
    # n_queries left at "auto": the budget is reached (the old default of 10 rounds stopped at 120)
    sim = ActiveLearningSimulation(LogisticRegression(max_iter=200), n_initial=20, batch_size=10, budget=155,
                                   random_state=0).fit(X, y)
    assert sim.learning_curve_["n_labelled"].iloc[-1] == 155 and len(sim.learning_curve_) == 15
    assert ActiveLearningSimulation(LogisticRegression(max_iter=200)).get_params()["n_queries"] == "auto"
    assert len(_sim(n_queries="auto").fit(X, y).learning_curve_) == 11  # no budget: 10 rounds
    # the pool runs out first: every training row is labelled
    small = _sim(n_queries="auto", budget=400, eval_size=0.5).fit(X[:100], y[:100])
    assert small.learning_curve_["n_labelled"].iloc[-1] == 50
    # an explicit n_queries that agrees with the budget is fine; one that disagrees raises
    assert _sim(budget=55, n_queries=4).fit(X, y).learning_curve_["n_labelled"].tolist() == [20, 30, 40, 50, 55]
    for n_queries, effect in ((3, "n_queries=3 would stop at 50 labels, short of the budget"),
                              (6, "the budget would end the run before n_queries=6 rounds")):
        sim = _sim(budget=55, n_queries=n_queries)
        with pytest.raises(ValueError, match=f"budget=55 and n_queries={n_queries} conflict: .* takes 4 rounds, "
                                             f"so {effect}"):
            sim.fit(X, y)
        assert not hasattr(sim, "learner_")


def test_raw_text_error_names_the_simulation_parameter(text_data):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    texts, labels = text_data
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression())
    sim = ActiveLearningSimulation(pipe, coreset_sampling, n_initial=6, batch_size=4, n_queries=2, random_state=0)
    with pytest.raises(ValueError, match=r"use `ActiveLearningSimulation\(on_transformed=True\)`") as info:
        sim.fit(texts, labels)
    assert "ActiveLearner" not in str(info.value) and not hasattr(sim, "learner_")
    assert len(sim.set_params(on_transformed=True).fit(texts, labels).learning_curve_) == 3


def test_stopping_criteria_end_the_run_and_record_their_values(digits):
    X, y = digits
    sim = _sim(n_queries=20, stopping=BudgetStopping(40)).fit(X, y)
    assert sim.stopped_early_ and sim.learning_curve_["n_labelled"].tolist() == [20, 30, 40]
    assert sim.learning_curve_["stop_value"].tolist() == [20.0, 30.0, 40.0]
    # the criterion given is left unfitted; its clone is stopping_
    assert not hasattr(sim.stopping, "history_") and sim.stopping_.history_ == [20.0, 30.0, 40.0]

    stop = StabilizingPredictions(threshold=0.9, window=2)
    sim = _sim(n_queries=30, stopping=stop, random_state=1).fit(X, y)
    values = sim.learning_curve_["stop_value"]
    assert sim.stopped_early_ and np.isnan(values.iloc[0])
    assert stop.stopping_round(values) == len(values) - 1
    # the same draws as without stopping, up to the round it stopped at
    full = _sim(n_queries=30, random_state=1).fit(X, y)
    for a, b in zip(sim.queried_indices_, full.queried_indices_):
        np.testing.assert_array_equal(a, b)


def test_classification_change_stops_an_easy_problem():
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(-5, 0.3, (100, 2)), rng.normal(5, 0.3, (100, 2))]
    y = np.r_[np.zeros(100), np.ones(100)]
    sim = ActiveLearningSimulation(LogisticRegression(), n_initial=4, batch_size=5, n_queries=20,
                                   stopping=ClassificationChange(), random_state=0).fit(X, y)
    assert sim.stopped_early_ and len(sim.learning_curve_) == 2


def test_a_class_missing_from_the_seed_set_is_learned_when_queried():
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(0, 0.5, (60, 2)), rng.normal(4, 0.5, (60, 2)), rng.normal((0, 8), 0.5, (5, 2))]
    y = np.r_[np.zeros(60), np.ones(60), np.full(5, 2)].astype(int)
    sim = ActiveLearningSimulation(LogisticRegression(), coreset_sampling, n_initial=6, initial="random",
                                   batch_size=10, n_queries=3, eval_size=0.0, random_state=None)
    sim.set_params(random_state=_seed_whose_seed_set_lacks_class_2(sim, X, y)).fit(X, y)
    assert sim.classes_.tolist() == [0, 1, 2]


def _seed_whose_seed_set_lacks_class_2(sim, X, y):
    for seed in range(50):
        try:
            run = clone(sim).set_params(random_state=seed, n_queries=0).fit(X, y)
        except ValueError:
            continue
        if 2 not in run.learner_.classes_:
            return seed
    raise AssertionError("no seed set without class 2")


# ---------------------------------------------------------- scikit-learn integration
def test_grid_search_over_strategies_with_any_scorer(digits):
    X, y = digits
    strategies = [random_sampling, entropy_sampling, margin_sampling]
    search = GridSearchCV(_sim(n_queries=2), {"query_strategy": strategies}, scoring="f1_macro", cv=2).fit(X, y)
    assert search.best_params_["query_strategy"] in strategies
    shown = [repr(p["query_strategy"]) for p in search.cv_results_["params"]]
    assert all(s.__name__ in text for s, text in zip(strategies, shown))
    assert search.best_estimator_.predict(X).shape == (400,)
    # the scorer of the simulation draws its learning curve
    sim = _sim(n_queries=1, scoring=make_scorer(f1_score, average="macro")).fit(X, y)
    held = sim.eval_indices_
    assert sim.learning_curve_["score"].iloc[-1] == pytest.approx(
        f1_score(y[held], sim.predict(X[held]), average="macro"))
    auc = cross_validate(_sim(n_queries=2, score_mode="auc"), X, y, cv=2)["test_score"]
    assert np.all((auc > 0) & (auc <= 1))


def test_auc_score_mode(digits):
    X, y = digits
    sim = _sim(score_mode="auc").fit(X, y)
    assert sim.score(X, y) == pytest.approx(learning_curve_area(sim.learning_curve_))
    assert learning_curve_area(pd.DataFrame({"n_labelled": [10, 20, 30], "score": [0.5, 0.7, 0.9]})) == 0.7
    assert learning_curve_area(pd.DataFrame({"n_labelled": [10], "score": [0.4]})) == 0.4


def test_text_pipeline_with_cold_start(text_data):
    texts, labels = text_data
    sim = ActiveLearningSimulation(make_text_classifier("tfidf", random_state=0), coreset_sampling, n_initial=6,
                                   initial="cold_start", batch_size=4, n_queries=3, on_transformed=True,
                                   random_state=0).fit(texts, labels)
    assert sim.learning_curve_["n_labelled"].tolist() == [6, 10, 14, 18]
    assert sim.predict(["a wonderful film"]).tolist()[0] in ("pos", "neg")
    again = clone(sim).fit(texts, labels)
    _same_run(sim, again)


def test_stream_mode(digits):
    from sklearn.linear_model import SGDClassifier

    X, y = digits
    sim = ActiveLearningSimulation(SGDClassifier(loss="log_loss", random_state=0), n_initial=20, batch_size=10,
                                   stream={"strategy": "variable", "budget": 0.2}, random_state=0)
    with pytest.warns(FutureWarning, match="stream=.* is deprecated.*StreamSimulation"):
        sim.fit(X, y)
    curve = sim.learning_curve_
    assert {"n_seen", "n_queried", "n_labelled", "score"} <= set(curve.columns)
    n_stream = len(y) - len(sim.eval_indices_) - 20
    assert curve["n_seen"].iloc[-1] == n_stream
    assert 0 < curve["n_queried"].iloc[-1] <= 0.2 * n_stream + 1
    assert len(sim.queried_indices_[1]) == curve["n_queried"].iloc[-1]
    assert not set(sim.queried_indices_[1]) & set(sim.eval_indices_)
    with pytest.warns(FutureWarning):
        _same_run(sim, clone(sim).fit(X, y))
    with pytest.raises(ValueError, match="partial_fit|incremental"), pytest.warns(FutureWarning):
        ActiveLearningSimulation(LogisticRegression(), n_initial=20, stream={}, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="The 'stream' parameter .* 'dict'"):
        ActiveLearningSimulation(LogisticRegression(), stream="variable").fit(X, y)


def test_stream_mode_is_stream_simulation_with_the_same_seed(digits):
    """The deprecated spelling and StreamSimulation run the same replay: same held-out rows, seed set, curve."""
    from sklearn.linear_model import SGDClassifier

    from skal.stream import StreamSimulation

    X, y = digits
    model = SGDClassifier(loss="log_loss", random_state=0)
    old = ActiveLearningSimulation(model, n_initial=20, batch_size=5, budget=None, scoring="accuracy",
                                   stream={"strategy": "randomized", "budget": 0.3, "n_evaluations": 5},
                                   random_state=3)
    with pytest.warns(FutureWarning):
        old.fit(X, y)
    new = StreamSimulation(model, strategy="randomized", budget=0.3, n_evaluations=5, n_initial=20,
                           batch_size=5, scoring="accuracy", random_state=3).fit(X, y)
    _same_run(old, new)
    np.testing.assert_array_equal(old.eval_indices_, new.eval_indices_)
    assert old.score(X, y) == new.score(X, y)
    # The seed set and the held-out rows are the pool-based simulation's for the same random_state.
    pool = ActiveLearningSimulation(model, n_initial=20, batch_size=5, n_queries=1, random_state=3).fit(X, y)
    np.testing.assert_array_equal(pool.queried_indices_[0], new.queried_indices_[0])
    np.testing.assert_array_equal(pool.eval_indices_, new.eval_indices_)


def test_check_param_validation():
    from sklearn.utils.estimator_checks import check_param_validation

    check_param_validation("ActiveLearningSimulation",
                           ActiveLearningSimulation(LogisticRegression(), n_initial=4, batch_size=2, n_queries=1,
                                                    random_state=0))


# -------------------------------------------------------------------------- seed sets
def test_seed_sets():
    y = np.array([0] * 50 + [1] * 5 + [2] * 5)
    rows = initial_rows(y, 3, "stratified", random_state=0)
    assert sorted(y[rows].tolist()) == [0, 1, 2]
    np.testing.assert_array_equal(rows, initial_rows(y, 3, "stratified", random_state=0))
    assert len(initial_rows(y, 10, "random", random_state=0)) == 10
    rng = np.random.RandomState(0)
    X = np.r_[np.zeros((30, 2)), np.ones((30, 2)) * 10] + rng.normal(0, 0.1, (60, 2))
    rows = initial_rows(np.r_[np.zeros(30), np.ones(30)], 2, "cold_start", random_state=0, X=X)
    assert sorted((X[rows, 0] > 5).tolist()) == [False, True]


@pytest.mark.parametrize("y, n_initial, method, message", [
    (np.zeros(10), 2, "random", "one class only"),
    (np.r_[np.zeros(50), np.ones(50)], 3, "stratified", None),
    (np.r_[np.zeros(99), np.ones(1)], 2, "random", "'random' seed set of 2 rows holds one class only"),
    (np.array([0] * 5 + [1] * 5 + [2] * 5), 2, "stratified", "n_initial >= the 3 classes"),
    (np.array([0, 1] * 5), 5, "nope", "The 'method' parameter must be one of"),
    (np.array([0, 1] * 5), 11, "random", "between 1 and the 10 training rows"),
    (np.array([0, 1] * 5), 2, "cold_start", "cold_start"),
])
def test_seed_set_errors(y, n_initial, method, message):
    if message is None:  # stratified never draws a one-class seed set
        for seed in range(20):
            assert len(set(y[initial_rows(y, n_initial, method, random_state=seed)])) == 2
        return
    with pytest.raises(ValueError, match=message):
        initial_rows(y, n_initial, method, random_state=0)


# ------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("params, message", [
    (dict(estimator=None), "The 'estimator' parameter"),
    (dict(query_strategy="entropy"), "The 'query_strategy' parameter .* must be a callable"),
    (dict(batch_size=0), "The 'batch_size' parameter .* an int in the range"),
    (dict(n_initial=2.5), "The 'n_initial' parameter .* an int in the range"),
    (dict(n_queries=-1), "The 'n_queries' parameter .* an int in the range .*None.*'auto'"),
    (dict(n_queries="all"), "The 'n_queries' parameter .* an int in the range .*None.*'auto'"),
    (dict(budget=5), "smaller than the seed set"),
    (dict(score_mode="best"), "score_mode"),
    (dict(eval_size=1.5), "eval_size"),
    (dict(initial="kmeans"), "The 'initial' parameter"),
    (dict(stopping="early"), "The 'stopping' parameter .* implementing 'update'"),
])
def test_bad_parameters(digits, params, message):
    X, y = digits
    sim = _sim(**params)
    with pytest.raises(ValueError, match=message):
        sim.fit(X, y)
    assert not hasattr(sim, "learner_")


def test_bad_data(digits):
    X, y = digits
    sim = _sim()
    with pytest.raises(ValueError, match="mismatched"):
        sim.fit(X, y[:-1])
    with pytest.raises(ValueError, match="one class only"):
        sim.fit(X, np.zeros(400, dtype=int))
    with pytest.raises(ValueError, match="label -1"):
        sim.fit(X, np.where(y > 4, 1, -1))
    with pytest.raises(ValueError, match="eval_set must be a pair"):
        sim.fit(X, y, eval_set=X)
    with pytest.raises(ValueError, match="Could not hold out"):
        sim.fit(X[:12], np.r_[np.zeros(11), 1])
    assert not hasattr(sim, "learner_")
    sim.fit(X, y)
    before = sim.learning_curve_.copy()
    with pytest.raises(ValueError):
        sim.fit(X, y[:-1])
    pd.testing.assert_frame_equal(sim.learning_curve_, before)


# ------------------------------------------------------------------------- comparison
# compare_strategies, summarize and verdict: tests/test_comparison.py (paired by seed since issue 15;
# the old mean-curve labels_to_match column and its tests are gone).


# ------------------------------------------------------------ scikit-learn's own checks
CLASSIFIER_INAPPLICABLE = {
    # Trained on the seed set and the queried rows only (15 of the check's rows here), by design.
    "check_classifiers_train": "learns from the rows it queries, not from all of X",
    # y == -1 marks unlabelled rows for skal's learners (scikit-learn's semi-supervised convention).
    "check_classifiers_classes": "y == -1 marks unlabelled rows",
}
REGRESSOR_INAPPLICABLE = {
    "check_dtype_object": "learns from the rows it queries: the check's bad row may never be fitted",
}


@parametrize_with_checks(
    [ActiveLearningSimulation(LogisticRegression(), n_initial=5, batch_size=5, n_queries=2, random_state=0),
     ActiveLearningSimulation(Ridge(), random_sampling, n_initial=5, batch_size=5, n_queries=2, random_state=0)],
    expected_failed_checks=lambda est: CLASSIFIER_INAPPLICABLE if is_classifier(est) else REGRESSOR_INAPPLICABLE,
)
def test_sklearn_compatible_estimator(estimator, check):
    with threadpool_limits(limits=1):
        check(estimator)


def test_fine_tuned_transformer_on_a_tiny_bert(tiny_bert_path, text_data):
    from skal import TransformerClassifier

    texts, labels = text_data
    clf = TransformerClassifier(model=tiny_bert_path, max_epochs=1, batch_size=8, device="cpu", random_state=0)
    sim = ActiveLearningSimulation(clf, coreset_sampling, n_initial=6, batch_size=4, n_queries=2, eval_size=0.25,
                                   random_state=0).fit(texts, labels)
    assert sim.learning_curve_["n_labelled"].tolist() == [6, 10, 14]
    assert sim.predict_proba(texts[:3]).shape == (3, 2)
