"""Stochastic batch acquisition: the Gumbel-top-k draws follow the power/softmax/rank weights,
batches are reproducible and diverse, and bad input changes nothing."""

import pickle

import numpy as np
import pytest
from scipy.stats import chisquare
from sklearn.linear_model import LogisticRegression

from skal import ActiveLearner, Committee
from skal.strategies import (
    classifier_entropy,
    entropy_sampling,
    make_stochastic,
    power_bald_sampling,
    power_entropy_sampling,
    power_margin_sampling,
    stochastic_batch,
)

SCORES = np.array([4.0, 2.0, 1.0, 1.0, 0.0])


@pytest.mark.parametrize("mode, weights", [
    ("power", SCORES ** 2),
    ("softmax", np.exp(2 * SCORES)),
    ("rank", np.arange(1, 6, dtype=float) ** -2),  # ties ranked by position
])
def test_first_draw_follows_the_weights(mode, weights):
    rng = np.random.RandomState(0)
    n = 4000
    firsts = [stochastic_batch(SCORES, 1, mode=mode, beta=2.0, random_state=rng)[0][0] for _ in range(n)]
    observed = np.bincount(firsts, minlength=5)
    expected = weights / weights.sum() * n
    keep = expected > 0
    assert observed[~keep].sum() == 0, "a zero weight is never drawn"
    assert chisquare(observed[keep], expected[keep]).pvalue > 1e-3


def test_a_batch_is_drawn_without_replacement_and_zero_scores_come_last():
    idx, scores = stochastic_batch(SCORES, 5, random_state=0)
    assert sorted(idx.tolist()) == [0, 1, 2, 3, 4] and idx[-1] == 4
    np.testing.assert_array_equal(scores, SCORES[idx])


def test_large_beta_is_top_k_and_zero_beta_is_uniform():
    rng = np.random.RandomState(0)
    scores = rng.random_sample(50)
    top = np.argsort(-scores)[:5]
    np.testing.assert_array_equal(stochastic_batch(scores, 5, mode="softmax", beta=1e6, random_state=1)[0], top)
    firsts = [stochastic_batch(scores, 1, beta=0.0, random_state=s)[0][0] for s in range(2000)]
    assert chisquare(np.bincount(firsts, minlength=50)).pvalue > 1e-3


def test_rank_mode_ignores_the_scale():
    rng = np.random.RandomState(0)
    scores = rng.normal(size=100)
    a = stochastic_batch(scores, 10, mode="rank", random_state=3)[0]
    b = stochastic_batch(np.exp(5 * scores), 10, mode="rank", random_state=3)[0]
    np.testing.assert_array_equal(a, b)


@pytest.fixture
def learner():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 2))
    y = (X[:, 0] > 0).astype(int)
    return ActiveLearner(LogisticRegression(), X_training=X[:20], y_training=y[:20]), X[20:]


def test_power_entropy_spreads_a_batch_that_top_k_concentrates(learner):
    model, X = learner
    top, _ = entropy_sampling(model, X, n_instances=20)
    drawn, scores = power_entropy_sampling(model, X, n_instances=20, random_state=0)
    assert len(set(drawn.tolist())) == 20
    np.testing.assert_allclose(scores, classifier_entropy(model, X[drawn]))
    assert np.ptp(X[drawn, 0]) > np.ptp(X[top, 0]), "the draws reach farther from the boundary"
    np.testing.assert_array_equal(drawn, power_entropy_sampling(model, X, n_instances=20, random_state=0)[0])
    assert not np.array_equal(drawn, power_entropy_sampling(model, X, n_instances=20, random_state=1)[0])


def test_power_margin_and_bald(learner):
    model, X = learner
    idx, scores = power_margin_sampling(model, X, n_instances=5, random_state=0)
    assert len(set(idx.tolist())) == 5 and ((0 <= scores) & (scores <= 1)).all()
    X_train, y_train = model.X_training_, model.y_training_
    committee = Committee([ActiveLearner(LogisticRegression(C=c)) for c in (0.01, 1.0, 100.0)]).fit(X_train, y_train)
    idx, scores = power_bald_sampling(committee, X, n_instances=5, random_state=0)
    assert len(set(idx.tolist())) == 5 and (scores >= 0).all()


def test_make_stochastic_wraps_any_utility_and_pickles(learner):
    model, X = learner
    strategy = make_stochastic(classifier_entropy, mode="softmax", beta=10.0)
    assert strategy.__name__ == "softmax_classifier_entropy"
    copy = pickle.loads(pickle.dumps(strategy))
    np.testing.assert_array_equal(strategy(model, X, n_instances=4, random_state=0)[0],
                                  copy(model, X, n_instances=4, random_state=0)[0])


def test_bad_input():
    with pytest.raises(ValueError, match="non-negative scores"):
        stochastic_batch([1.0, -1.0], 1)
    with pytest.raises(ValueError, match="mode. parameter must be one of"):
        stochastic_batch([1.0], 1, mode="gumbel")
    with pytest.raises(ValueError, match="beta"):
        make_stochastic(classifier_entropy, beta=-1)
    for beta in (True, np.inf, "1"):
        with pytest.raises(ValueError, match="beta"):
            stochastic_batch([1.0, 2.0], 1, beta=beta)
    with pytest.raises(ValueError, match="utility must be a callable"):
        make_stochastic("entropy")
    with pytest.raises(ValueError, match="NaN"):
        stochastic_batch([np.nan, 1.0], 1, mode="softmax")
    rng = np.random.RandomState(0)
    state = rng.get_state()[1].copy()
    with pytest.raises(ValueError):
        stochastic_batch([1.0], 1, mode="bad", random_state=rng)
    np.testing.assert_array_equal(rng.get_state()[1], state)


def test_the_cli_finds_the_newer_strategies():
    import skal.strategies as strategies
    from skal.cli.simulate import strategy_by_name

    for name in ("power_entropy", "power_margin", "power_bald", "contrastive", "discriminative", "typiclust",
                 "probcover", "seals", "anchoral", "stochastic"):
        assert strategy_by_name(name) is getattr(strategies, f"{name}_sampling")
