"""Ranked batch, core-set, k-means and information density: exact picks on hand-made cases,
parity with modAL 0.4.1, the representation rule, the strategy contract and bad input."""

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import TableModel as Embedder
from conftest import check_strategy_bad_input, check_strategy_contract
from sklearn.datasets import make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import pairwise_distances
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skal import ActiveLearner, Committee
from skal.strategies import (
    classifier_uncertainty,
    geometry,
    information_density,
    select_cold_start_instance,
    select_top,
)
from skal.strategies.combinators import make_linear_combination, make_product, make_query_strategy
from skal.strategies.diversity import (
    coreset_sampling,
    information_density_sampling,
    kmeans_sampling,
    ranked_batch,
    uncertainty_batch_sampling,
)
from skal.strategies.representation import labelled_representation, pool_representation

STRATEGIES = [uncertainty_batch_sampling, coreset_sampling, kmeans_sampling, information_density_sampling]


@pytest.fixture
def blobs():
    return make_blobs(n_samples=300, centers=[[0, 0], [6, 0], [0, 6]], cluster_std=0.6, random_state=0)


@pytest.fixture
def problem():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 5))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    return X, y


# ----------------------------------------------------------------------------- ranked batch
@pytest.mark.parametrize("metric", ["euclidean", "cosine", "manhattan"])
def test_ranked_batch_equals_modal(problem, metric, modal_batch_numpy):
    from modAL.batch import uncertainty_batch_sampling as modal_batch
    from modAL.models import ActiveLearner as ModalLearner

    X, y = problem
    ours = ActiveLearner(LogisticRegression()).fit(X[:12], y[:12])
    theirs = ModalLearner(LogisticRegression(), X_training=X[:12], y_training=y[:12])
    idx, scores = uncertainty_batch_sampling(ours, X[12:], n_instances=15, metric=metric)
    expected = np.asarray(modal_batch(theirs, X[12:], n_instances=15, metric=metric)).ravel()
    np.testing.assert_array_equal(idx, expected)
    assert scores.shape == (15,) and np.isfinite(scores).all()


def test_ranked_batch_scores_by_hand():
    # labelled row at 0; pool at 1, 3 and 10 with given uncertainties
    labelled = np.array([[0.0]])
    pool = np.array([[1.0], [3.0], [10.0]])
    uncertainty = np.array([0.9, 0.5, 0.0])
    learner = ActiveLearner(LogisticRegression()).fit(np.r_[labelled, [[20.0]]], [0, 1])
    idx, scores = ranked_batch(learner, pool, uncertainty, n_instances=3)
    # |U| = 3, |L| = 2: alpha = 3/5; distances to {0, 20}: 1, 3, 10
    first = 0.6 * (1 - 1 / np.array([2.0, 4.0, 11.0])) + 0.4 * uncertainty
    assert idx[0] == int(np.argmax(first)) and scores[0] == pytest.approx(first.max())
    # then |U| = 2, |L| = 3 (the pick counts as labelled) and distances shrink to the pick
    d = np.minimum(np.array([1.0, 3.0, 10.0]), np.abs(pool[:, 0] - pool[idx[0], 0]))
    second = 0.4 * (1 - 1 / (1 + d)) + 0.6 * uncertainty
    second[idx[0]] = -np.inf
    assert idx[1] == int(np.argmax(second)) and scores[1] == pytest.approx(second.max())
    assert sorted(idx) == [0, 1, 2]


def test_ranked_batch_cold_start_takes_the_most_uncertain_first(problem):
    X, y = problem
    clf = LogisticRegression().fit(X[:12], y[:12])  # plain estimator: no labelled set
    idx, scores = uncertainty_batch_sampling(clf, X, n_instances=5)
    u = classifier_uncertainty(clf, X)
    assert idx[0] == int(np.argmax(u)) and scores[0] == pytest.approx(u.max())
    assert len(set(idx)) == 5


def test_ranked_batch_is_more_diverse_than_top_uncertainty():
    # a tight clump of equally uncertain near-duplicates, and spread-out slightly less uncertain rows
    rng = np.random.RandomState(0)
    clump = np.c_[np.zeros(20), rng.normal(0, 1e-3, 20)]
    spread = np.c_[np.full(4, 0.05), np.array([-9.0, -3.0, 3.0, 9.0])]
    pool = np.r_[clump, spread]
    seed = np.array([[-2.0, 0.0], [2.0, 0.0]])
    learner = ActiveLearner(LogisticRegression()).fit(seed, [0, 1])
    top = select_top(classifier_uncertainty(learner, pool), 4)[0]
    idx, _ = uncertainty_batch_sampling(learner, pool, n_instances=4)
    assert (top < 20).all(), "plain uncertainty picks four near-duplicates"
    assert (idx < 20).sum() <= 1, "ranked batch takes at most one of them and spreads out"


def test_ranked_batch_rejects_bad_uncertainty(problem):
    X, _ = problem
    with pytest.raises(ValueError, match="uncertainty_scores has 3 values"):
        ranked_batch(None, X, [0.1, 0.2, 0.3], n_instances=1)
    with pytest.raises(ValueError, match="NaN"):
        ranked_batch(None, X, np.full(len(X), np.nan), n_instances=1)


# ----------------------------------------------------------------------------- core-set
def test_coreset_exact_picks_without_labelled_set():
    X = np.array([[0.0], [1.0], [2.0], [10.0]])
    idx, scores = coreset_sampling(None, X, n_instances=3)
    # the pool mean (3.25) is the one covered point: 10 is farthest, then 0, then 2
    assert idx.tolist() == [3, 0, 2]
    np.testing.assert_allclose(scores, [6.75, 3.25, 1.25])


def test_coreset_picks_the_far_cluster():
    rng = np.random.RandomState(0)
    labelled = rng.normal(0, 0.1, (10, 2))
    pool = np.r_[rng.normal(0, 0.1, (50, 2)), rng.normal(10, 0.1, (5, 2)), rng.normal(-10, 0.1, (5, 2))]
    learner = ActiveLearner(LogisticRegression()).fit(labelled, np.r_[np.zeros(5), np.ones(5)])
    idx, scores = coreset_sampling(learner, pool, n_instances=2)
    assert {idx[0] // 5, idx[1] // 5} == {10, 11}, "one pick in each far, unlabelled cluster"
    assert scores[0] > 13 and scores[1] > 13


def test_coreset_equals_brute_force_k_center(problem):
    X, y = problem
    learner = ActiveLearner(LogisticRegression()).fit(X[:10], y[:10])
    idx, scores = coreset_sampling(learner, X[10:], n_instances=8)
    D = pairwise_distances(X[10:], np.r_[X[:10], X[10:]])  # fine for a test: 110 rows
    covered, expected = list(range(10)), []
    for _ in range(8):
        nearest = D[:, covered].min(axis=1)
        nearest[expected] = -1
        expected.append(int(np.argmax(nearest)))
        covered.append(10 + expected[-1])
    assert idx.tolist() == expected
    assert np.all(np.diff(scores) <= 1e-12), "the covering radius never grows"


def test_chunked_distances_give_the_same_picks(problem, monkeypatch):
    X, y = problem
    learner = ActiveLearner(LogisticRegression()).fit(X[:10], y[:10])
    whole = coreset_sampling(learner, X[10:], n_instances=6), uncertainty_batch_sampling(learner, X[10:], 6)
    monkeypatch.setattr(geometry, "BLOCK_ENTRIES", 7)  # blocks of a few rows only
    chunked = coreset_sampling(learner, X[10:], n_instances=6), uncertainty_batch_sampling(learner, X[10:], 6)
    for (a, sa), (b, sb) in zip(whole, chunked, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(sa, sb)


def test_coreset_random_tie_break():
    X = np.zeros((30, 2))
    a = coreset_sampling(None, X, n_instances=3, random_tie_break=True, random_state=0)[0]
    b = coreset_sampling(None, X, n_instances=3, random_tie_break=True, random_state=1)[0]
    assert coreset_sampling(None, X, n_instances=3)[0].tolist() == [0, 1, 2]
    assert len(set(a)) == 3 and a.tolist() != b.tolist()


# ----------------------------------------------------------------------------- k-means
def test_kmeans_picks_the_row_nearest_each_centroid():
    X = np.array([[0.0, 0.0], [0.1, 0.0], [0.2, 0.0], [9.0, 9.0], [9.1, 9.0], [9.2, 9.0], [9.1, 9.1]])
    idx, sizes = kmeans_sampling(None, X, n_instances=2, random_state=0)
    assert idx.tolist() == [4, 1] and sizes.tolist() == [4.0, 3.0]


def test_kmeans_one_per_blob_and_unique_on_duplicates(blobs):
    X, y = blobs
    idx, sizes = kmeans_sampling(None, X, n_instances=3, random_state=0)
    assert sorted(y[idx]) == [0, 1, 2] and sizes.sum() == 300
    idx, sizes = kmeans_sampling(None, np.r_[np.zeros((10, 2)), np.ones((2, 2))], n_instances=4, random_state=0)
    assert len(set(idx)) == 4 and sizes.sum() == 12


def test_kmeans_on_a_large_pool_uses_minibatches():
    X, y = make_blobs(n_samples=12_000, centers=[[0, 0], [10, 0], [0, 10], [10, 10]], cluster_std=0.5,
                      random_state=0)
    idx, sizes = kmeans_sampling(None, X.astype(np.float32), n_instances=4, random_state=0)
    assert sorted(y[idx]) == [0, 1, 2, 3] and sizes.sum() == 12_000


def test_kmeans_uncertainty_weighted(blobs):
    X, y = blobs
    clf = LogisticRegression().fit(X, y)
    idx, _ = kmeans_sampling(clf, X, n_instances=5, random_state=0, weighted=True)
    assert len(set(idx)) == 5
    with pytest.raises(ValueError, match="needs a fitted classifier"):
        kmeans_sampling(None, X, n_instances=2, weighted=True)


# ----------------------------------------------------------------------------- density
def test_information_density_cosine_is_exact():
    rng = np.random.RandomState(0)
    Z = np.r_[rng.normal([1, 1], 0.05, (20, 2)), [[-1.0, 0.2]], [[0.0, 0.0]]]
    density = information_density(None, Z)
    unit = Z / np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-300)
    np.testing.assert_allclose(density, (unit @ unit.T).mean(axis=1), atol=1e-12)
    assert density[:21].argmin() == 20 and density[21] == 0.0
    np.testing.assert_allclose(information_density(None, sp.csr_matrix(Z)), density, atol=1e-12)


def test_information_density_euclidean_equals_modal_on_small_pools(problem):
    from modAL.density import information_density as modal_density

    X, _ = problem
    np.testing.assert_allclose(information_density(None, X, metric="euclidean"),
                               modal_density(X, metric="euclidean"), rtol=1e-10)
    estimate = information_density(None, X, metric="euclidean", n_reference=60, random_state=0)
    assert np.corrcoef(estimate, modal_density(X, metric="euclidean"))[0, 1] > 0.95
    with pytest.raises(ValueError, match="n_reference"):
        information_density(None, X, n_reference=0)


def test_information_density_sampling_weighs_uncertainty_by_density(problem):
    X, y = problem
    clf = LogisticRegression().fit(X, y)
    idx, scores = information_density_sampling(clf, X, n_instances=4, beta=2.0)
    expected = classifier_uncertainty(clf, X) * np.clip(information_density(clf, X), 0, None) ** 2
    np.testing.assert_array_equal(idx, select_top(expected, 4)[0])
    np.testing.assert_allclose(scores, expected[idx])


def test_combination_helpers_match_modal(problem):
    from modAL.utils.combination import make_linear_combination as modal_linear
    from modAL.utils.combination import make_product as modal_product
    from modAL.utils.selection import multi_argmax

    X, y = problem
    clf = LogisticRegression().fit(X[:30], y[:30])
    fns = (classifier_uncertainty, information_density)
    np.testing.assert_allclose(make_linear_combination(*fns, weights=[1, 0.3])(clf, X),
                               modal_linear(*fns, weights=[1, 0.3])(clf, X))
    np.testing.assert_allclose(make_product(*fns, exponents=[2, 1])(clf, X),
                               modal_product(*fns, exponents=[2, 1])(clf, X))
    strategy = make_query_strategy(make_product(*fns, exponents=[1, 3]))
    utility = make_product(*fns, exponents=[1, 3])(clf, X)
    idx, scores = strategy(clf, X, n_instances=3)
    np.testing.assert_array_equal(idx, select_top(utility, 3)[0])
    modal_style = make_query_strategy(classifier_uncertainty, selector=multi_argmax)
    idx, scores = modal_style(clf, X, n_instances=3)
    assert set(idx) == set(select_top(classifier_uncertainty(clf, X), 3)[0])
    np.testing.assert_allclose(scores, classifier_uncertainty(clf, X)[idx])
    learner = ActiveLearner(LogisticRegression(), strategy).fit(X[:30], y[:30])
    assert learner.query(X, n_instances=2)[0].shape == (2,)
    with pytest.raises(ValueError, match="one value per function"):
        make_product(*fns, exponents=[1])
    with pytest.raises(ValueError, match="one value per function"):
        make_linear_combination(*fns, weights=[1, 2, 3])


# ----------------------------------------------------------------------------- representation
def test_representation_rule():
    pool, proba = np.arange(4), np.full((4, 2), 0.5)
    E = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.testing.assert_array_equal(pool_representation(Embedder(E, proba), pool), E)
    Z = pool_representation(None, E)
    assert Z.dtype == np.float32 and np.shares_memory(Z, E), "float32 kept as is, no copy"
    X = np.random.RandomState(0).normal(size=(20, 3)) * 10
    y = (X[:, 0] > 0).astype(int)
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    raw = ActiveLearner(pipe).fit(X, y)
    np.testing.assert_array_equal(pool_representation(raw, X), X)
    transformed = ActiveLearner(pipe, on_transformed=True).fit(X, y)
    np.testing.assert_allclose(pool_representation(transformed, X), StandardScaler().fit(X).transform(X))
    np.testing.assert_allclose(labelled_representation(transformed), pool_representation(transformed, X))
    assert labelled_representation(LogisticRegression().fit(X, y)) is None
    assert labelled_representation(None) is None
    committee = Committee([ActiveLearner(pipe), ActiveLearner(pipe)], on_transformed=True).fit(X, y)
    assert pool_representation(committee, X).shape == (20, 6)
    assert labelled_representation(committee).shape == (20, 6)
    assert pool_representation(None, [[1, 2], [3, 4]]).dtype == np.float64


def test_text_pools_need_a_numeric_representation():
    texts = ["good film", "bad film", "great film", "awful film", "fine film", "dull film"]
    labels = [1, 0, 1, 0, 1, 0]
    learner = ActiveLearner(make_pipeline(TfidfVectorizer(), LogisticRegression())).fit(texts[:4], labels[:4])
    for strategy in STRATEGIES:
        with pytest.raises(ValueError, match="on_transformed=True"):
            strategy(learner, texts, n_instances=1)
    learner.set_params(on_transformed=True)
    assert sp.issparse(pool_representation(learner, texts)), "sparse features stay sparse"
    for strategy in STRATEGIES:
        idx, scores = strategy(learner, texts, n_instances=2, random_state=0)
        assert len(set(idx)) == 2 and scores.shape == (2,)
    dense = ActiveLearner(make_pipeline(TfidfVectorizer(), LogisticRegression()), on_transformed=True)
    dense.fit(texts[:4], labels[:4])
    sparse_picks = uncertainty_batch_sampling(learner, texts, n_instances=2)[0]
    assert sparse_picks.tolist() == uncertainty_batch_sampling(dense, texts, n_instances=2)[0].tolist()


# ----------------------------------------------------------------------------- contract
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_contract_with_every_kind_of_estimator(blobs, strategy):
    check_strategy_contract(strategy, *blobs, n_instances=6)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_bad_input(blobs, strategy):
    X, y = blobs
    check_strategy_bad_input(strategy, X, y)
    if strategy is not uncertainty_batch_sampling:  # which cold-starts as modAL's does (issue 10)
        with pytest.raises(NotFittedError):
            strategy(ActiveLearner(LogisticRegression()), X, n_instances=1)


def test_nan_in_embeddings_is_rejected():
    E = np.array([[0.0, 1.0], [np.nan, 1.0], [2.0, 2.0]])
    model = Embedder(E, np.full((3, 2), 0.5))
    for strategy in (coreset_sampling, kmeans_sampling, uncertainty_batch_sampling):
        with pytest.raises(ValueError, match="representation contains NaN"):
            strategy(model, np.arange(3), n_instances=1)


def test_kmeans_stops_after_max_iter_lloyd_iterations(monkeypatch):
    from sklearn.cluster import KMeans

    seen = []
    original = KMeans.fit

    def recording_fit(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        seen.append((self.max_iter, self.n_iter_))
        return result

    monkeypatch.setattr(KMeans, "fit", recording_fit)
    X = np.random.RandomState(0).normal(size=(3000, 16))
    kmeans_sampling(None, X, n_instances=20, random_state=0)
    kmeans_sampling(None, X, n_instances=20, random_state=0, max_iter=2)
    assert seen[0][0] == 10 and seen[0][1] <= 10
    assert seen[1] == (2, 2)
    with pytest.raises(ValueError, match="max_iter"):
        kmeans_sampling(None, X, n_instances=2, max_iter=0)


@pytest.mark.parametrize("call, name", [
    (lambda X, v: kmeans_sampling(None, X, n_instances=2, max_iter=v), "max_iter"),
    (lambda X, v: information_density(None, X, n_reference=v), "n_reference"),
    (lambda X, v: information_density(X, "euclidean", n_reference=v), "n_reference"),
    (lambda X, v: select_cold_start_instance(X, max_reference=v), "max_reference"),
])
@pytest.mark.parametrize("value", [True, 0, 2.0, "3"])
def test_integer_arguments_are_checked_by_name(call, name, value):
    from skal.parameters import InvalidParameterError

    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        call(X, value)


def test_combinators_refuse_no_function_and_wrong_lengths():
    with pytest.raises(ValueError, match="make_linear_combination needs at least one function"):
        make_linear_combination()
    with pytest.raises(ValueError, match="make_product needs at least one function"):
        make_product(exponents=[])


def test_query_strategy_takes_a_selector_returning_pairs():
    X = np.arange(5.0).reshape(-1, 1)

    def pairs(utility, n_instances):
        idx = np.argsort(utility)[:n_instances]  # the least useful, to see the selector decide
        return idx, -utility[idx]

    strategy = make_query_strategy(lambda est, X: X.ravel(), selector=pairs)
    idx, scores = strategy(None, X, n_instances=2)
    np.testing.assert_array_equal(idx, [0, 1])
    np.testing.assert_array_equal(scores, [-0.0, -1.0])
