"""SEALS and AnchorAL: the candidate sets against exact nearest neighbours (scikit-learn), the
hnswlib index reused across shrinking pools, rare classes, and bad input."""

import pickle

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors

from skal import ActiveLearner
from skal.strategies import (
    NeighbourIndex,
    anchoral,
    anchoral_sampling,
    random_sampling,
    seals,
    seals_sampling,
    uncertainty_sampling,
)

pytest.importorskip("hnswlib")


class Recorder:
    """A strategy that records the candidate rows it was given and picks the first ones."""

    def __init__(self):
        self.seen = []

    def __call__(self, estimator, X, n_instances=1, **kwargs):
        self.seen.append(np.asarray(X))
        return np.arange(n_instances), np.zeros(n_instances)


@pytest.fixture
def pool():
    rng = np.random.RandomState(0)
    centres = rng.normal(size=(20, 16)) * 3
    return (centres[rng.randint(20, size=2000)] + rng.normal(size=(2000, 16))).astype(np.float32)


def exact_candidates(pool, labelled, k):
    nn = NearestNeighbors(n_neighbors=k, metric="cosine").fit(pool)
    return np.unique(nn.kneighbors(labelled, return_distance=False))


def rows_of(subset, pool):
    """Positions in ``pool`` of the rows of ``subset``."""
    lookup = {row.tobytes(): i for i, row in enumerate(pool)}
    return np.sort([lookup[row.tobytes()] for row in subset])


def test_seals_candidates_are_the_nearest_neighbours_of_the_labelled_rows(pool):
    labelled = pool[:5] + 0.01
    recorder = Recorder()
    idx, _ = seals_sampling(None, pool, n_instances=3, strategy=recorder, n_neighbors=30, X_labelled=labelled,
                            random_state=0)
    candidates = rows_of(recorder.seen[0], pool)
    expected = exact_candidates(pool, labelled, 30)
    assert len(np.intersect1d(candidates, expected)) >= 0.95 * len(expected), "recall of the hnswlib index"
    assert len(candidates) <= 5 * 30
    np.testing.assert_array_equal(np.sort(idx), candidates[:3]), "picks mapped back to pool positions"


def test_seals_keeps_its_index_while_the_pool_shrinks(pool):
    X, y = pool[:100], (pool[:100, 0] > 0).astype(int)
    learner = ActiveLearner(LogisticRegression(max_iter=500)).fit(X[:10], y[:10])
    strategy = seals(uncertainty_sampling, n_neighbors=20)
    first, _ = strategy(learner, pool, n_instances=5, random_state=0)
    index = strategy.index.index_
    remaining = np.setdiff1d(np.arange(len(pool)), first)
    second, _ = strategy(learner, pool[remaining], n_instances=5, random_state=0)
    assert strategy.index.index_ is index, "a subset of the indexed rows reuses the index"
    assert np.intersect1d(remaining[second], first).size == 0
    candidates = exact_candidates(pool[remaining], X[:10], 20)
    picks = uncertainty_sampling(learner, pool[remaining][candidates], n_instances=5)[0]
    assert len(np.intersect1d(remaining[second], remaining[candidates[picks]])) >= 4
    strategy(learner, pool[remaining] + 1.0, n_instances=5, random_state=0)
    assert strategy.index.index_ is not index, "rows it never saw: the index is rebuilt"
    assert pickle.loads(pickle.dumps(strategy))(learner, pool, n_instances=2, random_state=0)[0].shape == (2,)


def test_anchoral_retrieves_around_every_class_even_a_rare_one(pool):
    rare = exact_candidates(pool, pool[[0]], 50)  # the neighbourhood of the one minority row
    X_labelled = np.r_[pool[1000:1030], pool[[0]]]
    y_labelled = np.r_[np.zeros(30, dtype=int), [1]]
    recorder = Recorder()
    anchoral_sampling(None, pool, n_instances=2, strategy=recorder, n_anchors=5, n_neighbors=50, subpool_size=100,
                      X_labelled=X_labelled, y_labelled=y_labelled, random_state=0)
    subpool = rows_of(recorder.seen[0], pool)
    assert len(subpool) <= 100
    assert np.intersect1d(subpool, rare).size >= 45, "the one minority anchor brings its neighbours in"


def test_without_labelled_rows_the_whole_pool_is_passed(pool):
    recorder = Recorder()
    seals_sampling(None, pool[:50], n_instances=2, strategy=recorder)
    anchoral(recorder)(None, pool[:50], n_instances=2)
    assert [len(seen) for seen in recorder.seen] == [50, 50]


def test_small_candidate_sets_are_filled_up(pool):
    idx, _ = seals_sampling(None, pool, n_instances=40, strategy=random_sampling, n_neighbors=2,
                            X_labelled=pool[:3], random_state=0)
    assert len(set(idx.tolist())) == 40


def test_bad_input(pool):
    with pytest.raises(ValueError, match="n_neighbors"):
        seals(uncertainty_sampling, n_neighbors=0)
    with pytest.raises(ValueError, match="y_labelled"):
        anchoral_sampling(None, pool, X_labelled=pool[:3])
    with pytest.raises(ValueError, match="space"):
        NeighbourIndex(space="ip").fit(pool)
    for name in ("M", "ef_construction", "ef", "n_threads"):  # a bool is not a count
        with pytest.raises(ValueError, match=name):
            NeighbourIndex(**{name: True}).fit(pool)
    with pytest.raises(ValueError, match="subpool_size"):
        anchoral(uncertainty_sampling, subpool_size=2.0)
    with pytest.raises(ValueError, match="strategy must be a callable"):
        seals("margin")
    import scipy.sparse as sp

    with pytest.raises(ValueError, match="dense embeddings"):
        seals_sampling(None, sp.csr_matrix(pool), X_labelled=sp.csr_matrix(pool[:2]))
