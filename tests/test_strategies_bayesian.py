"""BALD and BatchBALD: hand-made posterior samples, brute-force joint mutual information,
MC dropout through skorch and the transformer, committees as posteriors, and bad input."""

import itertools

import numpy as np
import pytest
import torch
from scipy.stats import entropy
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from skorch import NeuralNetClassifier

from skal import ActiveLearner, Committee
from skal.strategies.bayesian import (
    _joint_entropies,
    _sample_configurations,
    bald,
    bald_sampling,
    batch_bald,
    batch_bald_sampling,
)
from skal.strategies.representation import mc_probabilities


class FakeDeepModel:
    """The deep-model interface with fixed MC-dropout samples per row index."""

    def __init__(self, mc):
        self.mc = np.asarray(mc, dtype=float)
        self.classes_ = np.arange(self.mc.shape[2])

    def predict_proba_mc(self, X, mc_samples=20, random_state=None):
        return self.mc[np.asarray(X).ravel()]

    def predict_proba(self, X):
        return self.mc[np.asarray(X).ravel()].mean(axis=1)


def brute_force_mutual_information(P, batch):
    """I(y_batch; w) by enumerating every label configuration of the batch."""
    n_classes = P.shape[2]
    joint = 0.0
    for config in itertools.product(range(n_classes), repeat=len(batch)):
        p = np.prod([P[j, :, c] for j, c in zip(batch, config)], axis=0).mean()
        joint -= p * np.log(p) if p > 0 else 0.0
    return joint - sum(entropy(P[j], axis=1).mean() for j in batch)


@pytest.fixture
def blobs():
    X, y = make_blobs(n_samples=150, centers=[[0, 0], [4, 0], [0, 4]], cluster_std=1.0, random_state=0)
    return X.astype(np.float32), y.astype(np.int64)


class MLP(torch.nn.Module):
    def __init__(self, dropout=0.5):
        super().__init__()
        layers = [torch.nn.Linear(2, 32), torch.nn.ReLU()]
        layers += [torch.nn.Dropout(dropout)] if dropout else []
        self.layers = torch.nn.Sequential(*layers, torch.nn.Linear(32, 3))

    def forward(self, X):
        return self.layers(X)


def skorch_net(X, y, dropout=0.5):
    torch.manual_seed(0)
    net = NeuralNetClassifier(MLP, module__dropout=dropout, criterion=torch.nn.CrossEntropyLoss, lr=0.1,
                              max_epochs=5, batch_size=32, train_split=None, verbose=0)
    return net.fit(X, y)


# ----------------------------------------------------------------------------- BALD
def test_bald_by_hand():
    mc = np.array([
        [[0.5, 0.5]] * 4,                                  # uncertain but the samples agree
        [[0.9, 0.1], [0.1, 0.9], [0.9, 0.1], [0.1, 0.9]],  # the samples disagree
        [[0.99, 0.01]] * 4,                                # confident
        [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]],  # maximal disagreement, zeros included
    ])
    scores = bald(mc)
    np.testing.assert_allclose(scores[[0, 2]], 0, atol=1e-12)
    assert scores[1] == pytest.approx(np.log(2) - entropy([0.9, 0.1]))
    assert scores[3] == pytest.approx(np.log(2))


def test_bald_sampling_prefers_rows_the_samples_disagree_on():
    mc = np.array([[[0.5, 0.5]] * 4, [[0.9, 0.1], [0.1, 0.9]] * 2, [[0.99, 0.01]] * 4])
    idx, scores = bald_sampling(FakeDeepModel(mc), np.arange(3), n_instances=3)
    assert idx[0] == 1 and scores[0] == pytest.approx(bald(mc)[1])
    np.testing.assert_allclose(scores, bald(mc)[idx])


# ----------------------------------------------------------------------------- BatchBALD
def test_batch_bald_passes_over_the_duplicate():
    twin = [[0.99, 0.01], [0.01, 0.99]] * 4
    other = [[0.85, 0.15], [0.85, 0.15], [0.15, 0.85], [0.15, 0.85]] * 2
    mc = np.array([twin, twin, other])
    model = FakeDeepModel(mc)
    assert bald_sampling(model, np.arange(3), n_instances=2)[0].tolist() == [0, 1]
    idx, gains = batch_bald_sampling(model, np.arange(3), n_instances=2)
    assert idx.tolist() == [0, 2]
    assert gains[0] == pytest.approx(bald(mc)[0])
    assert gains[1] == pytest.approx(brute_force_mutual_information(mc, [0, 2]) - bald(mc)[0])


def test_batch_bald_is_greedy_on_the_exact_joint_mutual_information():
    rng = np.random.RandomState(0)
    P = rng.dirichlet([0.4] * 3, size=(7, 5))
    idx, gains = batch_bald(P, n_instances=3)  # 27 configurations: exact
    chosen = []
    for _ in range(3):
        values = [brute_force_mutual_information(P, chosen + [i]) if i not in chosen else -np.inf
                  for i in range(7)]
        chosen.append(int(np.argmax(values)))
    assert idx.tolist() == chosen
    np.testing.assert_allclose(np.cumsum(gains), [brute_force_mutual_information(P, chosen[:k + 1])
                                                  for k in range(3)], rtol=1e-9, atol=1e-12)


def test_sampled_joint_entropy_estimates_the_exact_one():
    rng = np.random.RandomState(0)
    P = rng.dirichlet([0.5] * 3, size=(6, 10))
    batch = [0, 1, 2]
    exact = np.ones((1, 10))
    for j in batch:
        exact = (exact[:, None, :] * P[j].T[None, :, :]).reshape(-1, 10)
    sampled = _sample_configurations(P[batch], 50_000, rng)
    np.testing.assert_allclose(_joint_entropies(sampled, P, sampled=True),
                               _joint_entropies(exact, P, sampled=False), atol=0.03)


def test_batch_bald_sampled_configurations_are_seeded():
    rng = np.random.RandomState(0)
    model = FakeDeepModel(rng.dirichlet([0.5] * 3, size=(40, 8)))
    a = batch_bald_sampling(model, np.arange(40), n_instances=6, num_configurations=20, random_state=1)
    b = batch_bald_sampling(model, np.arange(40), n_instances=6, num_configurations=20, random_state=1)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert len(set(a[0])) == 6 and np.isfinite(a[1]).all()


def test_batch_bald_random_tie_break():
    P = np.tile([[[0.9, 0.1], [0.1, 0.9]]], (20, 1, 1))  # all rows alike
    assert batch_bald(P, n_instances=2)[0].tolist() == [0, 1]
    picks = {tuple(batch_bald(P, 2, random_tie_break=True, random_state=s)[0]) for s in range(5)}
    assert len(picks) > 1


# ----------------------------------------------------------------------------- posterior sources
def test_committee_members_act_as_posterior_samples(blobs):
    X, y = blobs
    committee = Committee([ActiveLearner(LogisticRegression(C=c)) for c in (0.01, 1.0, 100.0)]).fit(
        X[:40], y[:40])
    np.testing.assert_array_equal(mc_probabilities(committee, X), committee.vote_proba(X))
    idx, scores = bald_sampling(committee, X, n_instances=3)
    np.testing.assert_allclose(scores, bald(committee.vote_proba(X))[idx])
    idx, gains = batch_bald_sampling(committee, X, n_instances=4, random_state=0)
    assert len(set(idx)) == 4
    learner = ActiveLearner(LogisticRegression(), bald_sampling).fit(X[:40], y[:40])
    with pytest.raises(ValueError, match="predict_proba_mc"):
        learner.query(X)
    with pytest.raises(ValueError, match="at least 2 members"):
        bald_sampling(Committee([ActiveLearner(LogisticRegression())]).fit(X, y), X)


def test_mc_dropout_through_skorch(blobs):
    X, y = blobs
    net = skorch_net(X, y)
    state = torch.random.get_rng_state()
    modes = [m.training for m in net.module_.modules()]
    P = mc_probabilities(net, X, mc_samples=6, random_state=0)
    assert torch.equal(state, torch.random.get_rng_state()), "torch's global generator is left alone"
    assert [m.training for m in net.module_.modules()] == modes, "every layer's mode is restored"
    assert P.shape == (150, 6, 3)
    np.testing.assert_allclose(P.sum(axis=2), 1, atol=1e-5)
    assert np.abs(P[:, 0] - P[:, 1]).max() > 1e-3, "dropout is on: the passes differ"
    np.testing.assert_allclose(P, mc_probabilities(net, X, mc_samples=6, random_state=0))
    np.testing.assert_allclose(net.predict_proba(X), net.predict_proba(X))  # plain inference: dropout off
    idx, _ = bald_sampling(net, X, n_instances=5, mc_samples=6, random_state=0)
    learner = ActiveLearner(NeuralNetClassifier(MLP, criterion=torch.nn.CrossEntropyLoss, max_epochs=2,
                                                train_split=None, verbose=0),
                            batch_bald_sampling, random_state=0).fit(X[:40], y[:40])
    picks, _, gains = learner.query(X, n_instances=4, return_metrics=True, mc_samples=5)
    assert len(set(picks)) == 4 and gains.shape == (4,)
    with pytest.raises(ValueError, match="no dropout"):
        bald_sampling(skorch_net(X, y, dropout=0.0), X, mc_samples=4)


def test_mc_dropout_through_the_transformer(tiny_bert_path, text_data):
    from skal import TransformerClassifier

    texts, labels = text_data
    clf = TransformerClassifier(model=tiny_bert_path, max_epochs=1, lr=1e-3, batch_size=16, max_length=16,
                                random_state=0).fit(texts[::3], labels[::3])
    idx, scores = bald_sampling(clf, texts, n_instances=3, mc_samples=4, random_state=0)
    np.testing.assert_array_equal(idx, bald_sampling(clf, texts, n_instances=3, mc_samples=4, random_state=0)[0])
    idx, gains = batch_bald_sampling(ActiveLearner(clf), texts, n_instances=3, mc_samples=4, random_state=0)
    assert len(set(idx)) == 3 and gains.shape == (3,)


# ----------------------------------------------------------------------------- bad input
def test_bad_input(blobs):
    X, y = blobs
    model = FakeDeepModel(np.full((5, 3, 2), 0.5))
    for strategy in (bald_sampling, batch_bald_sampling):
        with pytest.raises(ValueError, match="mc_samples"):
            strategy(model, np.arange(5), mc_samples=1)
        with pytest.raises(ValueError, match="mc_samples"):
            strategy(model, np.arange(5), mc_samples=2.5)
        with pytest.raises(ValueError, match="larger than the pool"):
            strategy(model, np.arange(5), n_instances=6)
        with pytest.raises(ValueError, match="empty"):
            strategy(model, np.arange(0), n_instances=1)
        with pytest.raises(ValueError, match="predict_proba_mc"):
            strategy(LogisticRegression().fit(X, y), X)
        with pytest.raises(NotFittedError):
            strategy(ActiveLearner(LogisticRegression()), X)
    with pytest.raises(ValueError, match="NaN"):
        bald_sampling(FakeDeepModel(np.full((3, 2, 2), np.nan)), np.arange(3))
    with pytest.raises(ValueError, match="shape"):
        bald_sampling(FakeDeepModel(np.full((3, 2, 2), 0.5)), np.arange(2).reshape(1, 2))
    with pytest.raises(ValueError, match="num_configurations"):
        batch_bald(np.full((3, 2, 2), 0.5), 1, num_configurations=0)
    with pytest.raises(ValueError, match="shape"):
        bald(np.full((3, 2), 0.5))
