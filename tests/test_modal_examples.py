"""The scenarios of modAL 0.4.1's example scripts, run with skal and with the installed modAL side by side.

Each test follows one of modAL's ``examples/`` (pool-based sampling, ranked
batch mode with its cold start, query by committee, bagging, an ensemble
learner, ensemble regression, active regression, stream-based sampling) on
smaller data, and checks that skal picks what modAL picks (or, where modAL
breaks ties arbitrarily, a row of the same score).
"""

from functools import partial

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, WhiteKernel
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils import check_X_y

from skal import ActiveLearner, Committee, CommitteeRegressor
from skal import strategies as st

modAL = pytest.importorskip("modAL")
import modAL.batch  # noqa: E402
import modAL.disagreement  # noqa: E402
import modAL.models  # noqa: E402
import modAL.models.base  # noqa: E402
import modAL.uncertainty  # noqa: E402


@pytest.fixture(autouse=True)
def _modal_on_current_sklearn(monkeypatch):
    # modAL 0.4.1 passes check_X_y(force_all_finite=...), renamed ensure_all_finite in scikit-learn 1.8
    monkeypatch.setattr(
        modAL.models.base, "check_X_y",
        lambda *a, force_all_finite=True, **k: check_X_y(*a, ensure_all_finite=force_all_finite, **k),
    )


@pytest.fixture
def iris():
    data = load_iris()
    return data["data"], data["target"]


def _step(learner, X_pool, y_pool, idx):
    learner.teach(X_pool[idx].reshape(len(np.atleast_1d(idx)), -1), y_pool[idx].reshape(-1))
    return np.delete(X_pool, idx, axis=0), np.delete(y_pool, idx)


def test_pool_based_sampling(iris):
    X, y = iris
    train = [0, 50, 100]
    pools = {"ours": (np.delete(X, train, axis=0), np.delete(y, train)), "theirs": None}
    pools["theirs"] = pools["ours"]
    ours = ActiveLearner(LogisticRegression(max_iter=500), X_training=X[train], y_training=y[train])
    theirs = modAL.models.ActiveLearner(LogisticRegression(max_iter=500), X_training=X[train], y_training=y[train])
    for _ in range(10):
        idx, _ = ours.query(pools["ours"][0])
        their_idx, _ = theirs.query(pools["theirs"][0])
        np.testing.assert_array_equal(idx, their_idx)
        pools["ours"] = _step(ours, *pools["ours"], idx)
        pools["theirs"] = _step(theirs, *pools["theirs"], their_idx)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y))


def test_ranked_batch_mode_with_cold_start(iris, modal_batch_numpy):
    X, y = iris
    batch = 3
    ours = ActiveLearner(KNeighborsClassifier(3), partial(st.uncertainty_batch_sampling, n_instances=batch))
    theirs = modAL.models.ActiveLearner(KNeighborsClassifier(3),
                                        partial(modAL.batch.uncertainty_batch_sampling, n_instances=batch))
    cold, _ = ours.query(X)
    np.testing.assert_array_equal(cold, theirs.query(X)[0])
    if len(set(y[cold])) > 1:  # skal refuses a one-class seed set (README: Coming from modAL)
        ours.teach(X[cold], y[cold])
    seed = [10, 60, 110]
    X_pool, y_pool = np.delete(X, seed, axis=0), np.delete(y, seed)
    ours = ActiveLearner(LogisticRegression(max_iter=500), partial(st.uncertainty_batch_sampling, n_instances=batch),
                         X_training=X[seed], y_training=y[seed])
    theirs = modAL.models.ActiveLearner(LogisticRegression(max_iter=500),
                                        partial(modAL.batch.uncertainty_batch_sampling, n_instances=batch),
                                        X_training=X[seed], y_training=y[seed])
    for _ in range(4):
        idx, rows = ours.query(X_pool)
        np.testing.assert_array_equal(idx, theirs.query(X_pool)[0])
        assert rows.shape == (batch, 4)
        ours.teach(X_pool[idx], y_pool[idx])
        theirs.teach(X_pool[idx], y_pool[idx])
        X_pool, y_pool = np.delete(X_pool, idx, axis=0), np.delete(y_pool, idx)


def test_query_by_committee(iris):
    X, y = iris
    parts = ([0, 1, 50, 51, 100], [2, 52, 101, 102, 53])

    def members(learner_class):
        return [learner_class(LogisticRegression(C=c, max_iter=500), X_training=X[p], y_training=y[p])
                for c, p in zip((0.1, 10.0), parts)]

    ours, theirs = Committee(members(ActiveLearner)), modAL.models.Committee(members(modAL.models.ActiveLearner))
    X_pool, y_pool = X.copy(), y.copy()
    for _ in range(6):
        idx, _ = ours.query(X_pool)
        their_idx, _ = theirs.query(X_pool)
        entropy = st.vote_entropy(ours, X_pool)
        np.testing.assert_allclose(entropy, modAL.disagreement.vote_entropy(theirs, X_pool))
        assert entropy[idx[0]] == pytest.approx(entropy[their_idx].max())  # modAL breaks ties arbitrarily
        ours.teach(X_pool[idx], y_pool[idx])
        theirs.teach(X_pool[idx], y_pool[idx])
        X_pool, y_pool = np.delete(X_pool, idx, axis=0), np.delete(y_pool, idx)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X))
    assert [m.X_training_.shape[0] for m in ours] == [11, 11]


def test_bagging():
    rng = np.random.RandomState(0)
    X_pool = rng.randint(0, 100, size=(2000, 2))
    y_pool = ((X_pool[:, 0] - 40) ** 2 + (X_pool[:, 1] - 50) ** 2 < 900).astype(float)
    initial = rng.choice(len(X_pool), size=200)
    committee = Committee([ActiveLearner(KNeighborsClassifier(10), X_training=X_pool[initial],
                                         y_training=y_pool[initial], bootstrap_init=True, random_state=s)
                           for s in range(3)])
    before = [m.predict(X_pool) for m in committee]
    committee.rebag()
    assert all(m.X_training_.shape == (200, 2) for m in committee)
    new = rng.choice(len(X_pool), size=100)
    committee.fit(X_pool[new], y_pool[new], bootstrap=True)
    assert all(m.X_training_.shape == (100, 2) for m in committee.learners_)
    assert committee.predict(X_pool).shape == (2000,) and len(before) == 3


def test_ensemble_learner_around_a_committee():
    rng = np.random.RandomState(0)
    X_pool = rng.randint(0, 100, size=(1000, 2))
    y_pool = (X_pool.sum(axis=1) > 100).astype(float)
    initial = rng.choice(len(X_pool), size=50)
    committee = Committee([ActiveLearner(RandomForestClassifier(n_estimators=10, random_state=s),
                                         X_training=X_pool[initial], y_training=y_pool[initial],
                                         bootstrap_init=True, random_state=s) for s in range(3)])
    ensemble = ActiveLearner(committee)
    idx, _ = ensemble.query(X_pool)
    proba = committee.predict_proba(X_pool)
    assert 1 - proba[idx[0]].max() == pytest.approx((1 - proba.max(axis=1)).max())
    ensemble.teach(X_pool[idx], y_pool[idx], bootstrap=True)
    assert [m.X_training_.shape[0] for m in committee] == [51, 51, 51]


def _gp():
    return GaussianProcessRegressor(RBF(length_scale=1.0, length_scale_bounds=(1e-2, 1e3))
                                    + WhiteKernel(noise_level=1, noise_level_bounds=(1e-10, 1e1)))


def test_ensemble_regression():
    rng = np.random.RandomState(0)
    X = np.concatenate((rng.rand(60) - 1, rng.rand(60)))
    y = np.abs(X) + rng.normal(scale=0.2, size=X.shape)
    parts = [rng.choice(range(60), size=8, replace=False), rng.choice(range(60, 120), size=8, replace=False)]
    ours = CommitteeRegressor([ActiveLearner(_gp(), X_training=X[p].reshape(-1, 1), y_training=y[p].reshape(-1, 1))
                               for p in parts], query_strategy=st.max_std_sampling)
    theirs = modAL.models.CommitteeRegressor(
        [modAL.models.ActiveLearner(_gp(), X_training=X[p].reshape(-1, 1), y_training=y[p].reshape(-1, 1))
         for p in parts], query_strategy=modAL.disagreement.max_std_sampling)
    for _ in range(4):
        idx, _ = ours.query(X.reshape(-1, 1))
        np.testing.assert_array_equal(idx, theirs.query(X.reshape(-1, 1))[0])
        ours.teach(X[idx].reshape(-1, 1), y[idx].reshape(-1, 1))
        theirs.teach(X[idx].reshape(-1, 1), y[idx].reshape(-1, 1))


def test_active_regression_with_a_modal_style_strategy():
    def GP_regression_std(regressor, X):  # as modAL's example writes it: no n_instances, returns (index, row)
        _, std = regressor.predict(X, return_std=True)
        query_idx = np.argmax(std)
        return query_idx, X[query_idx]

    rng = np.random.RandomState(0)
    X = rng.choice(np.linspace(0, 20, 5000), size=100, replace=False).reshape(-1, 1)
    y = np.sin(X) + rng.normal(scale=0.3, size=X.shape)
    initial = rng.choice(range(len(X)), size=5, replace=False)
    ours = ActiveLearner(_gp(), GP_regression_std, X_training=X[initial], y_training=y[initial])
    theirs = modAL.models.ActiveLearner(_gp(), GP_regression_std, X_training=X[initial], y_training=y[initial])
    for _ in range(4):
        idx, row = ours.query(X)
        their_idx, _ = theirs.query(X)
        assert idx.tolist() == [int(their_idx)]
        np.testing.assert_array_equal(row, X[idx])
        ours.teach(X[idx].reshape(1, -1), y[idx].reshape(1, -1))
        theirs.teach(X[idx].reshape(1, -1), y[idx].reshape(1, -1))


def test_stream_based_sampling():
    rng = np.random.RandomState(0)
    X_full = rng.randint(0, 100, size=(3000, 2))
    y_full = ((X_full[:, 0] > 20) & (X_full[:, 0] < 80) & (X_full[:, 1] > 20) & (X_full[:, 1] < 80)).astype(float)
    initial = rng.choice(len(X_full), size=5, replace=False)
    while len(set(y_full[initial])) < 2:
        initial = rng.choice(len(X_full), size=5, replace=False)
    ours = ActiveLearner(RandomForestClassifier(n_estimators=10, random_state=0),
                         X_training=X_full[initial], y_training=y_full[initial])
    theirs = modAL.models.ActiveLearner(RandomForestClassifier(n_estimators=10, random_state=0),
                                        X_training=X_full[initial], y_training=y_full[initial])
    taught = 0
    for stream_idx in rng.choice(len(X_full), size=150):
        row = X_full[stream_idx].reshape(1, -1)
        u = st.classifier_uncertainty(ours, row)
        np.testing.assert_allclose(u, modAL.uncertainty.classifier_uncertainty(theirs, row))
        if u >= 0.4:
            ours.teach(row, y_full[stream_idx].reshape(-1))
            theirs.teach(row, y_full[stream_idx].reshape(-1))
            taught += 1
    assert taught > 0 and ours.X_training_.shape[0] == 5 + taught
    assert ours.score(X_full, y_full) == pytest.approx(theirs.score(X_full, y_full))
