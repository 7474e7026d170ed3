"""ActiveLearningSimulation with multi-label y: seed sets, held-out split, scoring, comparison."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, hamming_loss, make_scorer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.multioutput import MultiOutputClassifier

from skal import ActiveLearningSimulation
from skal.comparison import compare_strategies, summarize
from skal.simulation import initial_rows
from skal.strategies import badge_sampling, entropy_sampling, random_sampling
from skal.strategies.multilabel import cvirs_sampling, mean_entropy_sampling
from skal.stratify import multilabel_holdout, multilabel_seed_rows
from skal.targets import encode_targets

NAMES = ["anger", "fear", "joy", "sadness", "surprise"]


def _data(n=300, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 6))
    rates = np.array([0.3, 0.05, 0.4, 0.15, 0.03])  # two rare labels
    Y = (rng.uniform(size=(n, 5)) < rates).astype(int)
    X[:, :5] += 1.0 * Y
    sets = [[NAMES[j] for j in np.flatnonzero(row)] for row in Y]
    return X, Y, sets


def _sim(**kw):
    params = dict(n_initial=10, batch_size=10, n_queries=3, scoring="f1_micro", random_state=0)
    params.update(kw)
    return ActiveLearningSimulation(OneVsRestClassifier(LogisticRegression(C=0.5)), mean_entropy_sampling, **params)


@pytest.mark.parametrize("as_sets", [True, False])
def test_simulation_with_label_sets_or_indicator(as_sets):
    X, Y, sets = _data()
    sim = _sim().fit(X, sets if as_sets else Y)
    assert sim.learning_curve_["n_labelled"].tolist() == [10, 20, 30, 40]
    assert sim.learning_curve_["score"].between(0, 1).all()
    assert sim.classes_.tolist() == (NAMES if as_sets else list(range(5)))
    seed_rows = sim.queried_indices_[0]
    assert Y[seed_rows].sum(axis=0).min() >= 1  # stratified: every label in the seed set
    labelled = np.concatenate(sim.queried_indices_)
    np.testing.assert_array_equal(sim.learner_.y_training_, Y[labelled])
    assert np.intersect1d(labelled, sim.eval_indices_).size == 0
    assert Y[sim.eval_indices_].sum(axis=0).min() >= 1  # held out by iterative stratification
    assert sim.predict(X[:5]).shape == (5, 5)
    expected = f1_score(Y[:50], sim.predict(X[:50]), average="micro")
    assert sim.score(X[:50], sets[:50] if as_sets else Y[:50]) == pytest.approx(expected)


@pytest.mark.parametrize("scoring", ["f1_micro", "f1_macro", "f1_samples", "jaccard_samples",
                                     make_scorer(hamming_loss, greater_is_better=False)])
def test_multilabel_scorers_score_the_curve(scoring):
    X, Y, sets = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ill-defined F1 of rows without labels
        sim = _sim(scoring=scoring).fit(X[:200], sets[:200], eval_set=(X[200:], sets[200:]))
    last = sim.learning_curve_["score"].iloc[-1]
    predicted = sim.predict(X[200:])
    if callable(scoring):
        assert last == pytest.approx(-hamming_loss(Y[200:], predicted))
    else:
        from sklearn.metrics import get_scorer

        assert last == pytest.approx(get_scorer(scoring)(sim.learner_, X[200:], Y[200:]))


def test_eval_set_labels_outside_the_label_set_raise():
    X, _, sets = _data()
    with pytest.raises(ValueError, match=r"Labels \['envy'\] are outside the label set"):
        _sim().fit(X[:200], sets[:200], eval_set=(X[200:202], [["envy"], []]))


def test_stratified_seed_too_small_to_hold_every_label_says_how_many():
    X, Y, sets = _data()
    with pytest.raises(ValueError, match=r"needs n_initial >= \d rows to hold each of the 5 labels"):
        _sim(n_initial=1).fit(X, sets)


def test_random_seed_set_and_never_seen_label():
    """A random seed set may lack a rare label: one-vs-rest fits it as never, per-label models say which."""
    X, Y, _ = _data()
    rows = initial_rows(Y, 5, "random", random_state=3)
    assert rows.shape == (5,)
    missing = np.flatnonzero(Y[rows].sum(axis=0) == 0)
    assert missing.size  # seed 3 misses a rare label
    sim = ActiveLearningSimulation(MultiOutputClassifier(LogisticRegression()), mean_entropy_sampling,
                                   n_initial=5, initial="random", n_queries=1, eval_size=0)
    found = None
    for seed in range(20):
        try:
            sim.set_params(random_state=seed).fit(X, Y)
        except ValueError as exc:
            found = str(exc)
            break
    assert found is not None and "is present in no labelled row" in found and "at least 1 more row" in found


def test_seed_rows_cover_labels_then_stratify():
    _, Y, _ = _data(n=1000)
    rows = multilabel_seed_rows(Y, 100, random_state=0)
    assert rows.shape == (100,) and np.unique(rows).shape == (100,)
    assert Y[rows].sum(axis=0).min() >= 1
    np.testing.assert_allclose(Y[rows].mean(axis=0), Y.mean(axis=0), atol=0.04)
    train, held_out = multilabel_holdout(Y, 0.25, random_state=0)
    assert held_out.shape == (250,) and np.intersect1d(train, held_out).size == 0
    np.testing.assert_allclose(Y[held_out].mean(axis=0), Y.mean(axis=0), atol=0.02)


def test_single_label_strategy_in_a_multilabel_simulation_raises():
    X, _, sets = _data()
    sim = _sim().set_params(query_strategy=entropy_sampling)
    with pytest.raises(ValueError, match="entropy_sampling is a single-label strategy"):
        sim.fit(X, sets)


def test_stream_mode_takes_single_label_only():
    X, _, sets = _data()
    with pytest.raises(ValueError, match="stream mode takes a single-label y"):
        _sim(stream={"strategy": "fixed"}).fit(X, sets)


def test_compare_strategies_unchanged_on_multilabel_y():
    X, _, sets = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        curves = compare_strategies(_sim(), [random_sampling, mean_entropy_sampling, cvirs_sampling, badge_sampling],
                                    X, sets, seeds=[0, 1])
    table = summarize(curves)
    assert table["strategy"].tolist() == ["random", "mean_entropy", "cvirs", "badge"]
    assert (curves.groupby(["strategy", "seed"]).size() == 4).all()
    # Same seed, same seed set for every strategy (paired comparison).
    first = curves[curves["round"] == 0].groupby("seed")["score"].nunique()
    assert (first == 1).all()


def test_initial_rows_multilabel_stratified_through_public_function():
    _, Y, sets = _data()
    Y2, _ = encode_targets(sets)
    rows = initial_rows(Y2, 12, "stratified", random_state=0)
    assert rows.shape == (12,) and Y[rows].sum(axis=0).min() >= 1
