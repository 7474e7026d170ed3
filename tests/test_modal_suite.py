"""modAL 0.4.1's own behaviours, checked against the installed modAL on the same inputs.

Written from modAL's ``tests/core_tests.py`` and ``examples/`` (modAL-python/modAL):
the strategy call shapes, cold start, new labels in ``teach``, fit keyword
arguments, an ActiveLearner around a Committee, information density, the
selectors, the data and class-label helpers, and the Bayesian optimizer. Each
test computes the same thing with modAL and with skal and compares picks or
values. modAL 0.4.1 calls ``check_X_y(force_all_finite=...)``, which
scikit-learn 1.8 renamed; the ``modal`` fixture bridges that one keyword so
that modAL's learners run at all.
"""

from functools import partial

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.spatial.distance import euclidean
from sklearn.datasets import load_iris, make_blobs
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import Matern
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils import check_X_y

import skal
from skal import ActiveLearner, BayesianOptimizer, Committee, class_labels, containers, optimization
from skal import strategies as st

modAL = pytest.importorskip("modAL")
import modAL.acquisition  # noqa: E402
import modAL.batch  # noqa: E402
import modAL.density  # noqa: E402
import modAL.disagreement  # noqa: E402
import modAL.models  # noqa: E402
import modAL.models.base  # noqa: E402
import modAL.uncertainty  # noqa: E402
import modAL.utils.data  # noqa: E402
import modAL.utils.selection  # noqa: E402
import modAL.utils.validation  # noqa: E402


@pytest.fixture
def modal(monkeypatch, modal_batch_numpy):
    """modAL with its one call into a scikit-learn keyword that no longer exists bridged (and np.bool on numpy 1.x)."""
    monkeypatch.setattr(
        modAL.models.base, "check_X_y",
        lambda *a, force_all_finite=True, **k: check_X_y(*a, ensure_all_finite=force_all_finite, **k),
    )
    return modAL


@pytest.fixture
def iris():
    data = load_iris()
    return data["data"], data["target"]


def _as_set(indices):
    return set(np.asarray(indices).ravel().tolist())


# ------------------------------------------------------------------ call shapes
def test_strategy_without_n_instances_as_modal_docs_teach(modal, iris):
    X, y = iris

    def my_strategy(classifier, X_pool):
        return np.argsort(-modAL.uncertainty.classifier_uncertainty(classifier, X_pool))[:2]

    ours = ActiveLearner(LogisticRegression(max_iter=500), my_strategy, X_training=X[::30], y_training=y[::30])
    theirs = modAL.models.ActiveLearner(LogisticRegression(max_iter=500), my_strategy,
                                        X_training=X[::30], y_training=y[::30])
    np.testing.assert_array_equal(ours.query(X)[0], theirs.query(X)[0])


def test_partial_and_the_strategys_own_default_n_instances_win(modal, iris):
    X, y = iris
    seed = dict(X_training=X[[0, 50, 100, 1, 51, 101]], y_training=y[[0, 50, 100, 1, 51, 101]])
    for strategy_ours, strategy_theirs, expected in [
        (partial(st.uncertainty_batch_sampling, n_instances=3),
         partial(modAL.batch.uncertainty_batch_sampling, n_instances=3), 3),
        (st.uncertainty_batch_sampling, modAL.batch.uncertainty_batch_sampling, 20),
    ]:
        ours = ActiveLearner(LogisticRegression(max_iter=500), strategy_ours, **seed)
        theirs = modAL.models.ActiveLearner(LogisticRegression(max_iter=500), strategy_theirs, **seed)
        idx, rows = ours.query(X)
        assert idx.shape == (expected,) and rows.shape == (expected, 4)
        np.testing.assert_array_equal(idx, theirs.query(X)[0])  # ranked batch: same picks, same order
    # a caller's n_instances still overrides the partial's
    learner = ActiveLearner(LogisticRegression(max_iter=500), partial(st.uncertainty_sampling, n_instances=3), **seed)
    assert learner.query(X)[0].shape == (3,) and learner.query(X, n_instances=5)[0].shape == (5,)


def test_modal_strategies_and_old_style_returns_are_accepted(modal, iris):
    X, y = iris
    seed = dict(X_training=X[::25], y_training=y[::25])
    for name in ("uncertainty_sampling", "margin_sampling", "entropy_sampling"):
        ours = ActiveLearner(LogisticRegression(max_iter=500), getattr(modAL.uncertainty, name), **seed)
        ref = ActiveLearner(LogisticRegression(max_iter=500), getattr(st, name), **seed)
        assert _as_set(ours.query(X, n_instances=4)[0]) == _as_set(ref.query(X, n_instances=4)[0])

    def old_style(classifier, X_pool):  # modAL's examples return (index, row)
        i = int(np.argmax(classifier.predict_proba(X_pool)[:, 0]))
        return i, X_pool[i]

    idx, rows = ActiveLearner(LogisticRegression(max_iter=500), old_style, **seed).query(X)
    assert idx.tolist() == [int(np.argmax(LogisticRegression(max_iter=500).fit(X[::25], y[::25])
                                          .predict_proba(X)[:, 0]))]
    np.testing.assert_array_equal(rows, X[idx])


# ------------------------------------------------------------------ cold start
def test_cold_start_scores_equal_modal(modal, iris):
    X, _ = iris
    for name in ("classifier_uncertainty", "classifier_margin", "classifier_entropy"):
        np.testing.assert_array_equal(getattr(st, name)(LogisticRegression(), X),
                                      getattr(modAL.uncertainty, name)(LogisticRegression(), X))
    ours = Committee([ActiveLearner(LogisticRegression()), ActiveLearner(KNeighborsClassifier(3))])
    theirs = modAL.models.Committee([modAL.models.ActiveLearner(LogisticRegression()),
                                     modAL.models.ActiveLearner(KNeighborsClassifier(3))])
    for name in ("vote_entropy", "consensus_entropy", "KL_max_disagreement"):
        np.testing.assert_array_equal(getattr(st, name)(ours, X), getattr(modAL.disagreement, name)(theirs, X))


def test_cold_start_query_and_first_teach(modal, iris):
    X, y = iris
    ours = ActiveLearner(KNeighborsClassifier(3))
    theirs = modAL.models.ActiveLearner(KNeighborsClassifier(3))
    idx, rows = ours.query(X)
    np.testing.assert_array_equal(idx, theirs.query(X)[0])
    assert not hasattr(ours, "estimator_")  # querying does not fit
    labelled = [int(idx[0]), 50, 100]
    ours.teach(X[labelled], y[labelled])
    assert ours.classes_.tolist() == [0, 1, 2]


def test_ranked_batch_cold_start_equals_modal(modal, iris):
    X, _ = iris
    for n in (1, 3, 7):
        ours = ActiveLearner(KNeighborsClassifier(3), partial(st.uncertainty_batch_sampling, n_instances=n))
        theirs = modAL.models.ActiveLearner(KNeighborsClassifier(3),
                                            partial(modAL.batch.uncertainty_batch_sampling, n_instances=n))
        np.testing.assert_array_equal(ours.query(X)[0], theirs.query(X)[0])
    index, row = st.select_cold_start_instance(X)
    their_index, their_row = modAL.batch.select_cold_start_instance(X, "euclidean", None)
    assert index == their_index and np.array_equal(row, their_row)
    assert st.select_cold_start_instance(X, metric="cosine")[0] == \
        modAL.batch.select_cold_start_instance(X, "cosine", None)[0]


def test_select_instance_equals_modal(modal, iris):
    X, _ = iris
    rng = np.random.RandomState(0)
    uncertainty, mask = rng.rand(len(X)), rng.rand(len(X)) > 0.3
    ours = st.select_instance(X[:5], X, uncertainty, mask)
    theirs = modAL.batch.select_instance(X[:5], X, uncertainty, mask.copy(), "euclidean", None)
    assert ours[0] == theirs[0] and np.array_equal(ours[1], theirs[1]) and np.array_equal(ours[2], theirs[2])


def test_cold_start_still_refuses_bad_pools():
    learner = ActiveLearner(KNeighborsClassifier(3))
    with pytest.raises(ValueError, match="empty"):
        learner.query(np.empty((0, 2)))
    for bad in (np.full((4, 2), np.nan), np.array([[0.0, np.inf]])):
        with pytest.raises(ValueError, match="NaN"):
            learner.query(bad)
        with pytest.raises(ValueError, match="NaN"):
            st.classifier_uncertainty(LogisticRegression(), bad)
    with pytest.raises(ValueError, match="NaN"):
        Committee([ActiveLearner(LogisticRegression())]).query(np.full((3, 2), np.nan))


# ------------------------------------------------------------------ new labels in teach
def test_teach_learns_a_new_class_as_modal(modal, iris):
    X, y = iris
    seed = [0, 1, 50, 51]  # classes 0 and 1 only
    ours = ActiveLearner(KNeighborsClassifier(3), X_training=X[seed], y_training=y[seed])
    theirs = modAL.models.ActiveLearner(KNeighborsClassifier(3), X_training=X[seed], y_training=y[seed])
    assert ours.classes_.tolist() == [0, 1]
    ours.teach(X[[100, 101]], y[[100, 101]])
    theirs.teach(X[[100, 101]], y[[100, 101]])
    assert ours.classes_.tolist() == [0, 1, 2] and ours.X_training_.shape == (6, 4)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X))


def test_new_class_refused_only_where_the_model_cannot_grow(iris):
    X, y = iris
    seed = [0, 1, 50, 51]
    online = ActiveLearner(SGDClassifier(random_state=0)).fit(X[seed], y[seed])
    with pytest.raises(ValueError, match="partial_fit, which cannot add classes"):
        online.teach(X[[100]], y[[100]], only_new=True)
    assert online.X_training_.shape == (4, 4)
    online.teach(X[[100, 101]], y[[100, 101]])  # a refit on all data learns it
    assert online.classes_.tolist() == [0, 1, 2]
    warm = ActiveLearner(LogisticRegression(warm_start=True)).fit(X[seed], y[seed])
    with pytest.raises(ValueError, match="warm_start=True"):
        warm.teach(X[[100]], y[[100]])
    assert warm.classes_.tolist() == [0, 1]


def test_committee_learns_a_new_class(iris):
    X, y = iris
    seed = [0, 1, 2, 50, 51, 52]
    committee = Committee([ActiveLearner(LogisticRegression(max_iter=500), X_training=X[seed], y_training=y[seed]),
                           ActiveLearner(KNeighborsClassifier(3), X_training=X[seed], y_training=y[seed])])
    committee.teach(X[[100, 101, 102]], y[[100, 101, 102]])
    assert committee.classes_.tolist() == [0, 1, 2]
    assert committee.vote_proba(X).shape == (150, 2, 3)


# ------------------------------------------------------------------ fit kwargs
def test_fit_and_teach_pass_sample_weight(iris):
    X, y = iris
    w = np.linspace(0.5, 2.0, 150)
    learner = ActiveLearner(LogisticRegression(max_iter=500)).fit(X[:100], y[:100], sample_weight=w[:100])
    direct = LogisticRegression(max_iter=500).fit(X[:100], y[:100], sample_weight=w[:100])
    np.testing.assert_allclose(learner.estimator_.coef_, direct.coef_)
    learner.teach(X[100:], y[100:], sample_weight=w[100:])
    direct = LogisticRegression(max_iter=500).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(learner.estimator_.coef_, direct.coef_, rtol=1e-6)
    # rows taught without weights weigh 1
    plain = ActiveLearner(LogisticRegression(max_iter=500)).fit(X[:100], y[:100])
    plain.teach(X[100:], y[100:], sample_weight=w[100:])
    direct = LogisticRegression(max_iter=500).fit(X, y, sample_weight=np.r_[np.ones(100), w[100:]])
    np.testing.assert_allclose(plain.estimator_.coef_, direct.coef_, rtol=1e-6)


def test_sample_weight_follows_unlabelled_and_bootstrapped_rows(iris):
    X, y = iris
    y_partial = y.copy()
    y_partial[::3] = -1
    w = np.arange(1.0, 151.0)
    learner = ActiveLearner(LogisticRegression(max_iter=500)).fit(X, y_partial, sample_weight=w)
    keep = y_partial != -1
    direct = LogisticRegression(max_iter=500).fit(X[keep], y[keep], sample_weight=w[keep])
    np.testing.assert_allclose(learner.estimator_.coef_, direct.coef_)
    boot = ActiveLearner(LogisticRegression(max_iter=500), random_state=0).fit(X, y, bootstrap=True, sample_weight=w)
    rows = np.random.RandomState(0).choice(150, size=150, replace=True)
    direct = LogisticRegression(max_iter=500).fit(X[rows], y[rows], sample_weight=w[rows])
    np.testing.assert_allclose(boot.estimator_.coef_, direct.coef_)


def test_committee_fit_bootstrap_and_rebag(iris):
    X, y = iris
    committee = Committee([ActiveLearner(KNeighborsClassifier(3), random_state=s) for s in range(3)])
    committee.fit(X, y, bootstrap=True)
    fits = [m.estimator_._fit_X for m in committee.learners_]
    assert all(f.shape == (150, 4) for f in fits)
    assert not np.array_equal(fits[0], fits[1])  # each member drew its own resample
    assert all(m.X_training_.shape == (150, 4) for m in committee.learners_)
    committee.rebag()
    assert all(m.X_training_.shape == (150, 4) for m in committee.learners_)


# ------------------------------------------------------------------ an ActiveLearner around a Committee
def test_active_learner_around_a_committee(modal, iris):
    X, y = iris
    parts = ([0, 50, 100, 10, 60], [1, 51, 101, 20, 120])
    ours = ActiveLearner(Committee([ActiveLearner(LogisticRegression(max_iter=500), X_training=X[i], y_training=y[i])
                                    for i in parts]))
    theirs = modAL.models.ActiveLearner(modAL.models.Committee(
        [modAL.models.ActiveLearner(LogisticRegression(max_iter=500), X_training=X[i], y_training=y[i])
         for i in parts]))
    idx, _ = ours.query(X)
    np.testing.assert_array_equal(idx, theirs.query(X)[0])
    ours.teach(X[idx], y[idx])
    # the committee keeps its members' data and teaches them the new row
    assert [m.X_training_.shape[0] for m in ours.estimator_.learners_] == [6, 6]
    assert ours.predict(X).shape == (150,)


# ------------------------------------------------------------------ density
def test_information_density_equals_modal():
    X, _ = make_blobs(n_features=2, n_samples=300, centers=3, random_state=0, cluster_std=0.7)
    for metric in ("euclidean", "cosine", "manhattan"):
        np.testing.assert_allclose(st.information_density(X, metric=metric),
                                   modAL.density.information_density(X, metric=metric))
    np.testing.assert_allclose(st.information_density(X), modAL.density.information_density(X))
    sim = st.similarize_distance(euclidean)
    np.testing.assert_allclose(st.information_density(X[:60], sim),
                               modAL.density.information_density(X[:60], modAL.density.similarize_distance(euclidean)))
    a, b = X[0], X[1]
    assert st.cosine_similarity(a, b) == pytest.approx(modAL.density.cosine_similarity(a, b))
    assert st.euclidean_similarity(a, b) == pytest.approx(modAL.density.euclidean_similarity(a, b))
    with pytest.raises(ValueError, match="empty"):
        st.information_density(np.empty((0, 2)))


# ------------------------------------------------------------------ selectors
def test_selectors_equal_modal():
    rng = np.random.RandomState(0)
    for n_pool in (2, 10, 57):
        for n in (1, n_pool // 2, n_pool):
            values = rng.rand(n_pool)
            ours = st.multi_argmax(values, n_instances=n)
            assert _as_set(ours) == _as_set(modAL.utils.selection.multi_argmax(values, n_instances=n))
            assert np.all(np.diff(values[ours]) <= 0)  # largest first
            perm = rng.permutation(n_pool).astype(float)
            assert _as_set(st.shuffled_argmax(perm, n, random_state=0)) == \
                _as_set(modAL.utils.selection.shuffled_argmax(perm, n))
            drawn = st.weighted_random(np.ones(n_pool), n, random_state=0)
            assert len(set(drawn.tolist())) == n
    with pytest.raises(ValueError, match="larger than zero"):
        st.weighted_random(np.zeros(3))
    with pytest.raises(ValueError, match="larger than the pool"):
        st.multi_argmax(np.ones(3), n_instances=4)


# ------------------------------------------------------------------ data and class-label helpers
def test_data_helpers_equal_modal():
    rng = np.random.RandomState(0)
    a, b = rng.rand(4, 3), rng.rand(2, 3)
    for ours, theirs in [
        (containers.data_vstack((a, b)), modAL.utils.data.data_vstack((a, b))),
        (containers.data_vstack((a.tolist(), b.tolist())), modAL.utils.data.data_vstack((a.tolist(), b.tolist()))),
        (containers.data_hstack((a, a)), modAL.utils.data.data_hstack((a, a))),
        (containers.add_row(a, b[0]), modAL.utils.data.add_row(a, b[0])),
        (containers.add_row(a.tolist(), b[0]), modAL.utils.data.add_row(a.tolist(), b[0])),
        (containers.retrieve_rows(a, [2, 0]), modAL.utils.data.retrieve_rows(a, [2, 0])),
        (containers.retrieve_rows(a, 1), modAL.utils.data.retrieve_rows(a, 1)),
        (containers.drop_rows(a, [1]), modAL.utils.data.drop_rows(a, [1])),
        (containers.drop_rows(a.tolist(), [1]), modAL.utils.data.drop_rows(a.tolist(), [1])),
        (containers.data_shape(a.tolist()), modAL.utils.data.data_shape(a.tolist())),
    ]:
        np.testing.assert_array_equal(ours, theirs)
    for fmt in ("csr", "csc", "lil"):
        A, B = sp.random(4, 3, format=fmt, random_state=0), sp.random(2, 3, format=fmt, random_state=1)
        assert (containers.data_vstack((A, B)) != modAL.utils.data.data_vstack((A, B))).nnz == 0
        assert (containers.retrieve_rows(A, [3, 1]) != modAL.utils.data.retrieve_rows(A, [3, 1])).nnz == 0
        assert (containers.drop_rows(A, [0]) != modAL.utils.data.drop_rows(A, [0])).nnz == 0
    assert [i for i, _ in containers.enumerate_data(a)] == [i for i, _ in modAL.utils.data.enumerate_data(a)]
    with pytest.raises(TypeError, match="not supported"):
        containers.data_vstack((1, 1))


def test_class_label_helpers_equal_modal():
    fitted = [LogisticRegression().fit([[0.], [1.], [2.]], labels) for labels in ([0, 1, 2], [0, 1, 2], [0, 2, 2])]
    assert class_labels.check_class_labels(*fitted[:2]) == modAL.utils.validation.check_class_labels(*fitted[:2])
    assert class_labels.check_class_labels(*fitted) == modAL.utils.validation.check_class_labels(*fitted) is False
    with pytest.raises(Exception, match="not fitted"):
        class_labels.check_class_labels(fitted[0], LogisticRegression())
    rng = np.random.RandomState(0)
    for n_labels in range(2, 7):
        proba = rng.rand(20, n_labels)
        every = list(range(n_labels))
        for unknown in range(n_labels):
            known = [k for k in every if k != unknown]
            np.testing.assert_allclose(
                class_labels.check_class_proba(proba[:, known], known_labels=known, all_labels=every),
                modAL.utils.validation.check_class_proba(proba[:, known], known_labels=known, all_labels=every))


# ------------------------------------------------------------------ Bayesian optimisation
def _bo_data():
    X = np.linspace(0, 20, 1000).reshape(-1, 1)
    return X, np.sin(X) / 2 - ((10 - X) ** 2) / 50 + 2


def test_acquisition_functions_equal_modal(modal):
    rng = np.random.RandomState(0)
    mean, std = rng.rand(50), rng.rand(50) + 0.1
    np.testing.assert_allclose(optimization.PI(mean, std, 0.3, 0.1), modAL.acquisition.PI(mean, std, 0.3, 0.1))
    np.testing.assert_allclose(optimization.EI(mean, std, 0.3, 0.1), modAL.acquisition.EI(mean, std, 0.3, 0.1))
    np.testing.assert_allclose(optimization.UCB(mean, std, 0.7), modAL.acquisition.UCB(mean, std, 0.7))
    X, y = _bo_data()
    seed = dict(X_training=X[[150, 600]], y_training=y[[150, 600]])
    ours = BayesianOptimizer(GaussianProcessRegressor(Matern(length_scale=1.0)), **seed)
    theirs = modAL.models.BayesianOptimizer(GaussianProcessRegressor(Matern(length_scale=1.0)), **seed)
    assert ours.y_max == pytest.approx(np.asarray(theirs.y_max).item())
    np.testing.assert_array_equal(ours.X_max, np.asarray(theirs.X_max).reshape(1, -1))
    for name, kw in (("PI", {"tradeoff": 0.1}), ("EI", {"tradeoff": 0.05}), ("UCB", {"beta": 2.0})):
        np.testing.assert_allclose(getattr(optimization, f"optimizer_{name}")(ours, X, **kw),
                                   getattr(modAL.acquisition, f"optimizer_{name}")(theirs, X, **kw), rtol=1e-6)
        np.testing.assert_array_equal(getattr(optimization, f"max_{name}")(ours, X, n_instances=1, **kw)[0],
                                      getattr(modAL.acquisition, f"max_{name}")(theirs, X, n_instances=1, **kw))
    # a model not fitted yet predicts mean 0 and std 1, as in modAL
    cold = BayesianOptimizer(GaussianProcessRegressor())
    assert cold.get_max() == (None, -np.inf)
    np.testing.assert_allclose(optimization.optimizer_UCB(cold, X, beta=0.5), np.full(1000, 0.5))
    assert cold.query(X)[0].shape == (1,)


def test_bayesian_optimization_example_same_picks_as_modal(modal):
    X, y = _bo_data()
    X_initial, y_initial = X[150].reshape(1, -1), y[150].reshape(1, -1)
    pairs = [(partial(optimization.max_PI, tradeoff=0.1), partial(modAL.acquisition.max_PI, tradeoff=0.1)),
             (optimization.max_EI, modAL.acquisition.max_EI), (optimization.max_UCB, modAL.acquisition.max_UCB)]
    for ours_strategy, their_strategy in pairs:
        ours = BayesianOptimizer(GaussianProcessRegressor(Matern(length_scale=1.0)), ours_strategy,
                                 X_training=X_initial, y_training=y_initial)
        theirs = modAL.models.BayesianOptimizer(GaussianProcessRegressor(Matern(length_scale=1.0)),
                                                query_strategy=their_strategy,
                                                X_training=X_initial, y_training=y_initial)
        for _ in range(5):
            idx, _ = ours.query(X)
            their_idx, _ = theirs.query(X)
            np.testing.assert_array_equal(idx, their_idx)
            ours.teach(X[idx].reshape(1, -1), y[idx].reshape(1, -1))
            theirs.teach(X[their_idx].reshape(1, -1), y[their_idx].reshape(1, -1))
        assert ours.y_max == pytest.approx(np.asarray(theirs.y_max).item())
    assert skal.BayesianOptimizer is BayesianOptimizer
