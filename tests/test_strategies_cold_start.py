"""TypiClust and ProbCover: picks on hand-made pools against brute-force references, the sparse
ball graph, label-free seed sets for ActiveLearningSimulation, and bad input."""

import functools

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.spatial.distance import cdist
from sklearn.linear_model import LogisticRegression

from skal import ActiveLearner, ActiveLearningSimulation
from skal.strategies import probcover_sampling, typiclust_sampling
from skal.strategies.cold_start import ball_graph, coverage_radius, typicality


@pytest.fixture
def blobs():
    rng = np.random.RandomState(0)
    return np.r_[rng.normal([0, 0], 1, (60, 2)), rng.normal([20, 0], 1, (30, 2)), rng.normal([0, 20], 1, (12, 2))]


def brute_typicality(Z, k):
    D = cdist(Z, Z)
    np.fill_diagonal(D, np.inf)
    return 1.0 / np.sort(D, axis=1)[:, :min(k, len(Z) - 1)].mean(axis=1)


def test_typicality_matches_brute_force(blobs):
    np.testing.assert_allclose(typicality(blobs, 20), brute_typicality(blobs, 20))


def test_typiclust_picks_the_most_typical_row_of_each_cluster(blobs):
    idx, scores = typiclust_sampling(None, blobs, n_instances=3, random_state=0)
    groups = [range(0, 60), range(60, 90), range(90, 102)]
    assert [next(g for g, rows in enumerate(groups) if i in rows) for i in idx] == [0, 1, 2], "largest first"
    for i, rows, score in zip(idx, groups, scores):
        rows = np.asarray(rows)
        reference = brute_typicality(blobs[rows], 20)
        assert i == rows[np.argmax(reference)]
        assert score == pytest.approx(reference.max())


def test_typiclust_skips_clusters_the_labelled_rows_cover(blobs):
    learner = ActiveLearner(LogisticRegression()).fit(blobs[[0, 60]], [0, 1])
    pool = np.arange(2, 102)  # positions in blobs of the unlabelled rows (0 and 60 labelled; 1 and 61 left out)
    pool = np.setdiff1d(pool, [60, 61])
    idx, _ = typiclust_sampling(learner, blobs[pool], n_instances=1, random_state=0)
    assert pool[idx[0]] >= 90, "the only cluster without a labelled row is the small one"


def test_typiclust_samples_large_clusters_for_typicality(blobs):
    idx, _ = typiclust_sampling(None, blobs, n_instances=3, random_state=0, max_typicality_rows=10)
    assert len(set(idx.tolist())) == 3


def greedy_coverage(Z, radius, n, covered=None):
    """Max-coverage greedy with the dense distance matrix: the reference for a small pool."""
    inside = cdist(Z, Z) <= radius
    covered = np.zeros(len(Z), bool) if covered is None else covered.copy()
    picks = []
    for _ in range(n):
        gains = (inside & ~covered[None, :]).sum(axis=1).astype(float)
        gains[picks] = -1
        i = int(np.argmax(gains))
        picks.append(i)
        covered |= inside[i]
    return picks


def test_probcover_is_greedy_max_coverage(blobs):
    rng = np.random.RandomState(1)
    Z = rng.normal(size=(150, 3))
    idx, gains = probcover_sampling(None, Z, n_instances=8, radius=0.8)
    assert idx.tolist() == greedy_coverage(Z, 0.8, 8)
    assert gains.sum() <= 150 and np.all(np.diff(gains) <= 0)


def test_probcover_hand_made_groups_and_labelled_coverage():
    X = np.r_[np.zeros((5, 1)), np.full((3, 1), 10.0), [[20.0]]]
    idx, gains = probcover_sampling(None, X, n_instances=3, radius=1.0)
    assert idx.tolist() == [0, 5, 8] and gains.tolist() == [5, 3, 1]
    learner = ActiveLearner(LogisticRegression()).fit(np.array([[0.2], [30.0]]), [0, 1])
    idx, _ = probcover_sampling(learner, X, n_instances=1, radius=1.0)
    assert idx.tolist() == [5], "the group at 0 is covered by a labelled row already"
    idx, gains = probcover_sampling(None, X, n_instances=5, radius=1.0, random_state=0)
    assert gains[3:].tolist() == [0, 0] and len(set(idx.tolist())) == 5, "random once everything is covered"


def test_ball_graph_is_sparse_and_the_approximate_one_agrees_on_small_balls(blobs):
    D = np.unique(cdist(blobs, blobs))
    radius = float(D[np.searchsorted(D, 0.5)] + D[np.searchsorted(D, 0.5) + 1]) / 2  # no pair on the boundary
    exact = ball_graph(blobs, radius)
    assert sp.issparse(exact) and exact.nnz < blobs.shape[0] ** 2 / 4
    np.testing.assert_array_equal(exact.toarray(), cdist(blobs, blobs) <= radius)
    approximate = ball_graph(blobs, radius, n_neighbors=50, random_state=0)
    np.testing.assert_array_equal(approximate.toarray(), exact.toarray())
    capped = ball_graph(blobs, 100.0, n_neighbors=5, random_state=0)
    assert capped.nnz < exact.shape[0] * 11, "balls capped at 5 nearest (symmetrised)"


def test_coverage_radius_is_the_purity_quantile():
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(0, 0.1, (50, 2)), rng.normal([3, 0], 0.1, (50, 2))]
    radius = coverage_radius(X, purity=0.95, n_clusters=2, random_state=0)
    D = cdist(X, X)
    labels = np.r_[np.zeros(50), np.ones(50)]
    other = np.where(labels[:, None] != labels[None, :], D, np.inf).min(axis=1)
    assert radius == pytest.approx(np.quantile(other, 0.05))


def test_label_free_seed_sets_in_a_simulation(blobs):
    y = np.r_[np.zeros(60), np.ones(30), np.full(12, 2)].astype(int)
    for initial in (typiclust_sampling, functools.partial(probcover_sampling, radius=3.0)):
        sim = ActiveLearningSimulation(LogisticRegression(), n_initial=3, initial=initial, batch_size=5,
                                       n_queries=1, eval_size=0.2, random_state=0)
        sim.fit(blobs, y)
        seed = sim.queried_indices_[0]
        assert np.unique(y[seed]).tolist() == [0, 1, 2], f"{initial}: one seed per group"
    with pytest.raises(ValueError, match="The .initial. parameter"):
        ActiveLearningSimulation(LogisticRegression(), initial=3).fit(blobs, y)


def test_bad_input(blobs):
    with pytest.raises(ValueError, match="radius"):
        probcover_sampling(None, blobs, radius=-1.0)
    with pytest.raises(ValueError, match="n_neighbors"):
        typiclust_sampling(None, blobs, n_neighbors=0)
    with pytest.raises(ValueError, match="purity"):
        coverage_radius(blobs, purity=1.5)
