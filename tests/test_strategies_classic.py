"""Classic strategies: exact picks on hand-computed probabilities, and parity with modAL 0.4.1."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from skal import ActiveLearner, Committee
from skal.strategies import (
    KL_max_disagreement,
    classifier_entropy,
    classifier_margin,
    classifier_uncertainty,
    consensus_entropy,
    consensus_entropy_sampling,
    entropy_sampling,
    margin_sampling,
    max_disagreement_sampling,
    max_std_sampling,
    random_sampling,
    select_top,
    uncertainty_sampling,
    vote_entropy,
    vote_entropy_sampling,
)


class FixedProba:
    """A 'classifier' whose probabilities are given by hand."""

    def __init__(self, proba):
        self.proba = np.asarray(proba, dtype=float)
        self.classes_ = np.arange(self.proba.shape[1])

    def predict_proba(self, X):
        return self.proba[np.asarray(X, dtype=int).ravel()]

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class FixedCommittee:
    """A committee whose members' probabilities are given by hand: shape (n, members, classes)."""

    def __init__(self, vote_proba):
        self._p = np.asarray(vote_proba, dtype=float)
        self.classes_ = np.arange(self._p.shape[2])

    def __len__(self):
        return self._p.shape[1]

    def __iter__(self):
        return iter(range(self._p.shape[1]))

    def vote_proba(self, X):
        return self._p

    def vote(self, X):
        return self._p.argmax(axis=2)

    def predict_proba(self, X):
        return self._p.mean(axis=1)


PROBA = np.array([
    [0.90, 0.05, 0.05],   # confident
    [0.40, 0.35, 0.25],   # least confident, small margin, high entropy
    [0.50, 0.50, 0.00],   # zero margin, lower entropy than row 1
    [0.34, 0.33, 0.33],   # near uniform: the most uncertain by every measure
    [0.70, 0.20, 0.10],
])
POOL = np.arange(5).reshape(-1, 1)


def test_uncertainty_picks():
    idx, scores = uncertainty_sampling(FixedProba(PROBA), POOL, n_instances=3)
    # 1 - max: [0.10, 0.60, 0.50, 0.66, 0.30]
    assert idx.tolist() == [3, 1, 2]
    np.testing.assert_allclose(scores, [0.66, 0.60, 0.50])


def test_margin_picks():
    idx, scores = margin_sampling(FixedProba(PROBA), POOL, n_instances=3)
    # margins: [0.85, 0.05, 0.00, 0.01, 0.50]
    assert idx.tolist() == [2, 3, 1]
    np.testing.assert_allclose(scores, [1.0, 0.99, 0.95])


def test_entropy_picks():
    idx, scores = entropy_sampling(FixedProba(PROBA), POOL, n_instances=2)
    expected = -(PROBA * np.log(np.where(PROBA > 0, PROBA, 1))).sum(axis=1)
    assert idx.tolist() == [3, 1]
    np.testing.assert_allclose(scores, expected[[3, 1]])


def test_ties_go_to_lower_position_or_random():
    proba = np.array([[0.5, 0.5]] * 6)
    idx, _ = uncertainty_sampling(FixedProba(proba), np.arange(6), n_instances=3)
    assert idx.tolist() == [0, 1, 2]
    draws = {tuple(uncertainty_sampling(FixedProba(proba), np.arange(6), n_instances=3,
                                        random_tie_break=True, random_state=s)[0]) for s in range(10)}
    assert len(draws) > 1
    a = uncertainty_sampling(FixedProba(proba), np.arange(6), 3, random_tie_break=True, random_state=4)[0]
    b = uncertainty_sampling(FixedProba(proba), np.arange(6), 3, random_tie_break=True, random_state=4)[0]
    np.testing.assert_array_equal(a, b)


def test_select_top_nan_last_and_errors():
    idx, scores = select_top([np.nan, 0.2, 0.9], n_instances=3)
    assert idx.tolist() == [2, 1, 0]
    with pytest.raises(ValueError, match="larger than the pool"):
        select_top([0.1, 0.2], n_instances=3)
    with pytest.raises(ValueError, match="empty"):
        select_top([], n_instances=1)


def test_random_sampling_distinct_and_seeded():
    idx, _ = random_sampling(None, np.zeros((50, 2)), n_instances=50, random_state=1)
    assert sorted(idx.tolist()) == list(range(50))
    a = random_sampling(None, np.zeros((50, 2)), 5, random_state=1)[0]
    b = random_sampling(None, np.zeros((50, 2)), 5, random_state=1)[0]
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="at least 1"):
        random_sampling(None, np.zeros((5, 2)), 0)


VOTE_PROBA = np.array([
    [[0.9, 0.1], [0.8, 0.2], [0.7, 0.3]],   # all agree on 0
    [[0.9, 0.1], [0.1, 0.9], [0.6, 0.4]],   # votes split 2:1, strong disagreement
    [[0.6, 0.4], [0.4, 0.6], [0.5, 0.5]],   # argmax ties -> class 0; mild
    [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]],   # extreme disagreement
])


def test_vote_entropy_picks():
    committee = FixedCommittee(VOTE_PROBA)
    scores = vote_entropy(committee, None)
    # votes: [0,0,0], [0,1,0], [0,1,0], [0,1,0]
    h = -(2 / 3 * np.log(2 / 3) + 1 / 3 * np.log(1 / 3))
    np.testing.assert_allclose(scores, [0, h, h, h])
    idx, _ = vote_entropy_sampling(committee, np.arange(4), n_instances=1)
    assert idx.tolist() == [1]


def test_consensus_entropy_and_kl_picks():
    committee = FixedCommittee(VOTE_PROBA)
    idx, _ = consensus_entropy_sampling(committee, np.arange(4), n_instances=2)
    # consensus: [.8,.2], [.533,.467], [.5,.5], [.667,.333]
    assert idx.tolist() == [2, 1]
    idx, scores = max_disagreement_sampling(committee, np.arange(4), n_instances=4)
    assert idx[0] == 3 and idx[-1] in (0, 2)


def test_max_std_sampling():
    class Spread:
        def predict(self, X, return_std=False):
            return np.zeros(4), np.array([0.1, 2.0, 0.5, 1.0])

    idx, scores = max_std_sampling(Spread(), np.arange(4), n_instances=2)
    assert idx.tolist() == [1, 3] and scores.tolist() == [2.0, 1.0]


# ---------------------------------------------------------------- parity with modAL 0.4.1
@pytest.mark.parametrize("seed", range(5))
def test_score_functions_equal_modal(seed):
    from modAL import disagreement as md
    from modAL import uncertainty as mu

    rng = np.random.RandomState(seed)
    n, members, classes = 40, 4, 3 + seed % 3
    vote_proba = rng.dirichlet(np.ones(classes) * 0.7, size=(n, members))
    proba = vote_proba[:, 0, :]
    clf, committee = FixedProba(proba), FixedCommittee(vote_proba)
    X = np.arange(n).reshape(-1, 1)

    np.testing.assert_allclose(classifier_uncertainty(clf, X), mu.classifier_uncertainty(clf, X))
    np.testing.assert_allclose(classifier_margin(clf, X), mu.classifier_margin(clf, X))
    np.testing.assert_allclose(classifier_entropy(clf, X), mu.classifier_entropy(clf, X))
    np.testing.assert_allclose(vote_entropy(committee, X), md.vote_entropy(committee, X))
    np.testing.assert_allclose(consensus_entropy(committee, X), md.consensus_entropy(committee, X))
    np.testing.assert_allclose(KL_max_disagreement(committee, X), md.KL_max_disagreement(committee, X))


def test_score_functions_equal_modal_on_a_real_committee():
    from modAL import disagreement as md
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=80, n_features=6, n_informative=4, n_classes=3, random_state=0)
    members = [ActiveLearner(LogisticRegression(C=c)) for c in (0.01, 1.0)]
    members.append(ActiveLearner(DecisionTreeClassifier(max_depth=3, random_state=0)))
    committee = Committee(members).fit(X[:40], y[:40])
    for ours, theirs in [(vote_entropy, md.vote_entropy), (consensus_entropy, md.consensus_entropy),
                         (KL_max_disagreement, md.KL_max_disagreement)]:
        np.testing.assert_allclose(ours(committee, X), theirs(committee, X))


@pytest.mark.parametrize("ours, name", [
    (uncertainty_sampling, "uncertainty_sampling"),
    (margin_sampling, "margin_sampling"),
    (entropy_sampling, "entropy_sampling"),
])
def test_sampling_picks_equal_modal(ours, name):
    from modAL import uncertainty as mu

    rng = np.random.RandomState(0)
    proba = rng.dirichlet(np.ones(4), size=200)
    clf = FixedProba(proba)
    X = np.arange(200).reshape(-1, 1)
    theirs = getattr(mu, name)(clf, X, n_instances=10)
    assert set(ours(clf, X, n_instances=10)[0]) == set(np.asarray(theirs).ravel())


def test_every_exported_sampling_strategy_is_registered_by_its_name():
    import skal.strategies as strategies
    from skal.strategies.registry import STRATEGIES, get_strategy

    exported = [name for name in strategies.__all__ if name.endswith("_sampling")]
    assert exported
    for name in exported:
        assert get_strategy(name).function is getattr(strategies, name), name
    registered = {entry.function for entry in STRATEGIES.values()}
    assert {getattr(strategies, name) for name in exported} <= registered
