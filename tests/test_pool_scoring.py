"""Chunked pool scoring: same answers as whole-pool scoring, locally and on a Dask LocalCluster."""

import pickle
import socket
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression

from skal import ActiveLearner
from skal.pool_scoring import ChunkedStrategy, chunked, embed_pool, score_pool, top_k
from skal.presets import make_text_classifier
from skal.strategies import classifier_entropy, classifier_uncertainty, select_top, uncertainty_sampling

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                       dashboard_address=None)
    dask_client = distributed.Client(cluster, set_as_default=False)
    yield dask_client
    dask_client.close()
    cluster.close()


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(3000, 6))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    clf = LogisticRegression().fit(X[:60], y[:60])
    return X, y, clf


def first_column(estimator, X):
    """A score with many ties (rounded) and NaNs, to test the merge order."""
    return np.asarray(X, dtype=float)[:, 0]


def tied_data():
    rng = np.random.RandomState(1)
    X = np.round(rng.uniform(size=(997, 2)), 1)
    X[rng.choice(997, 40, replace=False), 0] = np.nan
    return X


@pytest.mark.parametrize("chunk_size", [1, 7, 100, 997, 5000])
@pytest.mark.parametrize("n_instances", [1, 13, 997])
def test_top_k_is_select_top_with_ties_and_nan(chunk_size, n_instances):
    X = tied_data()
    expected = select_top(X[:, 0], n_instances)
    got = top_k(None, X, first_column, n_instances, chunk_size=chunk_size)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])


def test_score_pool_matches_whole_pool_and_bounds_chunks(data):
    X, _, clf = data
    seen = []

    def score(estimator, rows):
        seen.append(rows.shape[0])
        return classifier_uncertainty(estimator, rows)

    scores = score_pool(clf, X, score, chunk_size=256)
    np.testing.assert_allclose(scores, classifier_uncertainty(clf, X))
    assert max(seen) == 256 and sum(seen) == X.shape[0]
    idx, top = top_k(clf, X, classifier_uncertainty, 25, chunk_size=256)
    np.testing.assert_array_equal(idx, select_top(scores, 25)[0])
    np.testing.assert_array_equal(top, scores[idx])


def test_random_tie_break_matches_select_top():
    X = tied_data()
    expected = select_top(X[:, 0], 30, random_tie_break=True, random_state=3)
    got = top_k(None, X, first_column, 30, chunk_size=50, random_tie_break=True, random_state=3)
    np.testing.assert_array_equal(got[0], expected[0])


def test_dask_returns_the_local_indices(client, data):
    X, _, clf = data
    local = top_k(clf, X, classifier_entropy, 40, chunk_size=300)
    remote = top_k(clf, X, classifier_entropy, 40, chunk_size=300, backend="dask", client=client)
    np.testing.assert_array_equal(remote[0], local[0])
    np.testing.assert_array_equal(remote[1], local[1])
    np.testing.assert_array_equal(score_pool(clf, X, classifier_entropy, 300, backend="dask", client=client),
                                  score_pool(clf, X, classifier_entropy, 300))
    tied = tied_data()
    np.testing.assert_array_equal(top_k(None, tied, first_column, 50, chunk_size=64, backend="dask",
                                        client=client)[0], select_top(tied[:, 0], 50)[0])


def test_dask_on_memmap_dask_array_and_chunk_files(client, data, tmp_path):
    X, _, clf = data
    expected = top_k(clf, X, classifier_uncertainty, 30, chunk_size=400)[0]
    path = tmp_path / "pool.npy"
    np.save(path, X)
    memmap = np.load(path, mmap_mode="r")
    files = []
    for i, (lo, hi) in enumerate([(0, 1111), (1111, 1112), (1112, 3000)]):
        files.append(tmp_path / f"part{i}.npy")
        np.save(files[-1], X[lo:hi])
    lazy = da.from_array(X, chunks=(500, 6))
    for pool in (memmap, lazy, files):
        for backend in ("local", "dask"):
            got = top_k(clf, pool, classifier_uncertainty, 30, chunk_size=400, backend=backend, client=client)
            np.testing.assert_array_equal(got[0], expected)


def test_other_containers_chunk_alike(client, data):
    X, _, clf = data
    expected = top_k(clf, X, classifier_uncertainty, 10, chunk_size=333)[0]
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    clf_frame = LogisticRegression().fit(frame.iloc[:60], (X[:60, 0] + 0.5 * X[:60, 1] > 0).astype(int))
    for pool, model in ((sp.csr_matrix(X), clf), (frame, clf_frame)):
        for backend in ("local", "dask"):
            got = top_k(model, pool, classifier_uncertainty, 10, chunk_size=333, backend=backend, client=client)
            np.testing.assert_array_equal(got[0], expected)


def test_text_pool_through_a_learner_on_dask(client, text_data):
    texts, labels = text_data
    learner = ActiveLearner(make_text_classifier("tfidf"), X_training=texts[::3], y_training=labels[::3])
    pool = texts * 5
    plain = learner.query(pool, n_instances=4)[0]
    strategy = chunked(classifier_uncertainty, chunk_size=7, backend="dask", client=client)
    learner_chunked = ActiveLearner(make_text_classifier("tfidf"), strategy,
                                    X_training=texts[::3], y_training=labels[::3])
    idx, rows = learner_chunked.query(pool, n_instances=4)
    np.testing.assert_array_equal(idx, plain)
    assert rows == [pool[i] for i in idx]


def test_chunked_strategy_is_uncertainty_sampling(data):
    X, y, _ = data
    a = ActiveLearner(LogisticRegression(), uncertainty_sampling, X_training=X[:50], y_training=y[:50])
    b = ActiveLearner(LogisticRegression(), chunked(classifier_uncertainty, chunk_size=128),
                      X_training=X[:50], y_training=y[:50])
    for _ in range(3):
        ia, _ = a.query(X, n_instances=5)
        ib, _ = b.query(X, n_instances=5)
        np.testing.assert_array_equal(ia, ib)
        a.teach(X[ia], y[ia])
        b.teach(X[ib], y[ib])


def test_strategy_pickles_without_its_client(client):
    strategy = chunked(classifier_uncertainty, backend="dask", client=client)
    copy = pickle.loads(pickle.dumps(strategy))
    assert isinstance(copy, ChunkedStrategy) and copy.client is None and strategy.client is client
    assert "dask" in repr(strategy)


def test_embed_pool_in_memory_and_to_file(client, data, tmp_path):
    X, _, _ = data
    pca = PCA(3, random_state=0).fit(X)
    expected = pca.transform(X).astype(np.float32)
    np.testing.assert_allclose(embed_pool(pca, X, chunk_size=500), expected, rtol=1e-5)
    out = embed_pool(pca, X, chunk_size=500, backend="dask", client=client, out=tmp_path / "emb.npy")
    assert isinstance(out, np.memmap) and out.dtype == np.float32
    np.testing.assert_allclose(np.load(tmp_path / "emb.npy"), expected, rtol=1e-5)
    with pytest.raises(ValueError, match="neither embed"):
        embed_pool(object(), X)


def test_worker_errors_reach_the_caller(client, data):
    X, _, clf = data

    def wrong_length(estimator, rows):
        return np.zeros(3)

    for backend in ("local", "dask"):
        with pytest.raises(ValueError, match="one per row"):
            score_pool(clf, X, wrong_length, chunk_size=100, backend=backend, client=client)


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_address_is_a_clear_error(data):
    X, _, clf = data
    address = f"tcp://127.0.0.1:{_closed_port()}"
    start = time.perf_counter()
    with pytest.raises(ValueError, match=f"Cannot reach a Dask scheduler at '{address}'"):
        top_k(clf, X, classifier_uncertainty, 3, backend="dask", address=address, timeout=1.0)
    assert time.perf_counter() - start < 5
    with pytest.raises(ValueError, match="not-an-address"):
        score_pool(clf, X, classifier_uncertainty, backend="dask", address="not-an-address", timeout=1.0)


def test_bad_arguments(data):
    X, _, clf = data
    with pytest.raises(ValueError, match="'backend' parameter must be"):
        score_pool(clf, X, classifier_uncertainty, backend="spark")
    with pytest.raises(ValueError, match="'backend' parameter must be"):
        chunked(classifier_uncertainty, backend="ray")
    with pytest.raises(ValueError, match="chunk_size"):
        score_pool(clf, X, classifier_uncertainty, chunk_size=0)
    with pytest.raises(ValueError, match="empty"):
        score_pool(clf, X[:0], classifier_uncertainty)
    with pytest.raises(ValueError, match="larger than the pool"):
        top_k(clf, X[:5], classifier_uncertainty, n_instances=6)
    with pytest.raises(ValueError, match="does not exist"):
        score_pool(clf, [Path("/nonexistent/chunk.npy")], classifier_uncertainty)
    if distributed.client._get_global_client() is None:
        with pytest.raises(ValueError, match="needs a dask.distributed Client"):
            score_pool(clf, X, classifier_uncertainty, backend="dask")
