"""Pool scoring and embedding in chunks, on this machine or across Dask workers.

A pool of millions of rows never has to sit in memory at once: it is cut
into row chunks of ``chunk_size``, each chunk is scored (or embedded) and
dropped, and only what the caller asks for is kept: one score per row
(:func:`score_pool`), one embedding per row written to an array or a ``.npy``
file (:func:`embed_pool`), or just the best ``n_instances`` rows
(:func:`top_k`, memory O(n_instances)).

``backend="dask"`` sends the chunks to the workers of a
:class:`dask.distributed.Client` (the fitted model is scattered to every
worker once); at most two chunks per worker thread are in flight, so memory
stays bounded on the client too. Both backends apply the score function to
the same chunks, so they return the same numbers and the same indices.

The pool may be anything a learner takes (numpy array, sparse matrix,
DataFrame, list of strings), and also:

* a :class:`numpy.memmap` (as ``np.load(path, mmap_mode="r")`` returns):
  chunks are read from the file where they are scored, and Dask workers
  receive only the file name and the row range;
* a :class:`dask.array.Array`: chunks are computed where they are scored (so
  a pool generated or loaded lazily never exists whole anywhere);
* a list of :class:`pathlib.Path` to ``.npy`` files, one row block per file,
  read by the workers themselves (``pathlib.Path`` and not ``str``, because a
  list of strings is a pool of texts).
"""

import mmap
import os
import socket
from contextlib import contextmanager

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils import check_random_state

from .data import n_rows, take_rows
from .parameters import check_int, check_option
from .strategies.selection import select_top

__all__ = ["score_pool", "embed_pool", "top_k", "chunked", "ChunkedStrategy"]

_BACKENDS = ("local", "dask")


# ----------------------------------------------------------------- sources
class _MemmapPart:
    """Rows ``lo:hi`` of a ``.npy``/raw memory-mapped file, read where they are used."""

    def __init__(self, filename, dtype, shape, offset, order, lo, hi):
        self.filename, self.dtype, self.shape = filename, dtype, shape
        self.offset, self.order, self.lo, self.hi = offset, order, lo, hi

    def load(self):
        data = np.memmap(self.filename, dtype=self.dtype, mode="r", offset=self.offset,
                         shape=self.shape, order=self.order)
        return np.array(data[self.lo:self.hi])


class _NpyPart:
    """Rows ``lo:hi`` of one ``.npy`` file."""

    def __init__(self, path, lo, hi):
        self.path, self.lo, self.hi = path, lo, hi

    def load(self):
        return np.array(np.load(self.path, mmap_mode="r")[self.lo:self.hi])


def _is_dask_array(X):
    return type(X).__module__.startswith("dask.array") and hasattr(X, "to_delayed")


def _slice_rows(X, lo, hi):
    """Rows ``lo:hi`` of an in-memory pool, same container type."""
    if isinstance(X, np.ndarray):
        return np.array(X[lo:hi]) if isinstance(X, np.memmap) else X[lo:hi]
    if isinstance(X, (pd.DataFrame, pd.Series)):
        return X.iloc[lo:hi]
    if isinstance(X, (list, tuple)):
        return list(X[lo:hi])
    if sp.issparse(X) and X.format == "csr":
        return X[lo:hi]
    return take_rows(X, np.arange(lo, hi))


class _Source:
    """A pool seen as row blocks: ``size``, ``blocks(chunk_size)`` and ``part(block)``."""

    def __init__(self, X):
        self.X, self.files = X, None
        if isinstance(X, (list, tuple)) and len(X) and all(isinstance(p, os.PathLike) for p in X):
            self.files = [os.fspath(p) for p in X]
            counts = []
            for path in self.files:
                if not os.path.exists(path):
                    raise ValueError(f"Pool chunk file {path!r} does not exist.")
                shape = np.load(path, mmap_mode="r").shape
                if len(shape) == 0:
                    raise ValueError(f"Pool chunk file {path!r} holds a scalar, not rows.")
                counts.append(shape[0])
            self.file_starts = np.r_[0, np.cumsum(counts)].astype(np.int64)
            self.size = int(self.file_starts[-1])
        elif _is_dask_array(X):
            if np.isnan(X.shape[0]):
                raise ValueError(
                    "The dask array's row count is unknown; call X.compute_chunk_sizes() first."
                )
            self.size = int(X.shape[0])
        else:
            self.size = n_rows(X)
        self.is_file_memmap = (isinstance(X, np.memmap) and isinstance(X.base, mmap.mmap)
                               and X.filename is not None)

    def blocks(self, chunk_size):
        """``(start, stop)`` global row ranges, in order; never across two files."""
        if self.files is None:
            return [(lo, min(lo + chunk_size, self.size)) for lo in range(0, self.size, chunk_size)]
        out = []
        for a, b in zip(self.file_starts[:-1], self.file_starts[1:]):
            out.extend((lo, min(lo + chunk_size, int(b))) for lo in range(int(a), int(b), chunk_size))
        return out

    def part(self, lo, hi):
        """A small picklable stand-in for rows ``lo:hi`` (or the rows themselves)."""
        if self.files is not None:
            i = int(np.searchsorted(self.file_starts, lo, side="right") - 1)
            start = int(self.file_starts[i])
            return _NpyPart(self.files[i], lo - start, hi - start)
        if self.is_file_memmap:
            X = self.X
            order = "F" if (X.flags.f_contiguous and not X.flags.c_contiguous) else "C"
            return _MemmapPart(X.filename, X.dtype.str, X.shape, X.offset, order, lo, hi)
        if _is_dask_array(self.X):
            return self.X[lo:hi]
        return _slice_rows(self.X, lo, hi)


def _load(part):
    if isinstance(part, (_MemmapPart, _NpyPart)):
        return part.load()
    if _is_dask_array(part):
        return part.compute(scheduler="synchronous")
    return part


# --------------------------------------------------------------- per chunk
def _candidates(values, start, k):
    """The chunk's best ``k`` rows as select_top ranks them: (positions, keys, values)."""
    values = np.asarray(values, dtype=float)
    keys = np.where(np.isnan(values), -np.inf, values)
    if keys.shape[0] > k:
        kth = np.partition(keys, keys.shape[0] - k)[keys.shape[0] - k]  # k-th largest
        greater = np.flatnonzero(keys > kth)
        equal = np.flatnonzero(keys == kth)[: k - greater.shape[0]]
        rows = np.concatenate([greater, equal])
    else:
        rows = np.arange(keys.shape[0])
    return start + rows.astype(np.int64), keys[rows], values[rows]


def _merge(best, new, k):
    """Keep the ``k`` best of two candidate sets, ordered by (key desc, position asc)."""
    if best is not None:
        new = tuple(np.concatenate([a, b]) for a, b in zip(best, new))
    positions, keys, values = new
    order = np.lexsort((positions, -keys))[:k]
    return positions[order], keys[order], values[order]


def _apply(fn, estimator, part, start, stop, k, kwargs):
    """Run ``fn(estimator, rows)`` on one chunk (here or on a worker)."""
    rows = _load(part)
    out = np.asarray(fn(estimator, rows, **kwargs))
    if out.ndim == 0 or out.shape[0] != stop - start:
        raise ValueError(
            f"The score function returned {out.shape[0] if out.ndim else 'a scalar'} values for a "
            f"chunk of {stop - start} rows; it must return one per row."
        )
    return start, (out if k is None else _candidates(out, start, k))


# ------------------------------------------------------------------ dask
def _import_distributed():
    try:
        import dask
        import distributed
    except ImportError as exc:  # pragma: no cover - dask is a test dependency
        raise ImportError(
            "backend='dask' needs dask.distributed: pip install 'skal[dask]'."
        ) from exc
    return dask, distributed


def _probe(address, timeout):
    """Fail fast, with the address in the message, when no scheduler answers there."""
    from distributed.comm import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls"):
            host, port = parse_host_port(location)
            with socket.create_connection((host, port), timeout=timeout):
                pass
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(
            f"Cannot reach a Dask scheduler at {address!r} within {timeout} s ({exc}). "
            "Check the address (e.g. 'tcp://host:8786') and that the scheduler is running."
        ) from exc


@contextmanager
def _dask_client(client, address, timeout):
    """The client to use: the one given, one connected to ``address`` (closed after), or the default."""
    _, distributed = _import_distributed()
    if client is not None:
        yield client
        return
    if address is None:
        try:
            yield distributed.default_client()
        except ValueError as exc:
            raise ValueError(
                "backend='dask' needs a dask.distributed Client: pass client=Client(...) or "
                "address='tcp://host:8786', or create a Client before querying."
            ) from exc
        return
    _probe(address, timeout)
    try:
        connected = distributed.Client(address, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"Cannot connect to the Dask scheduler at {address!r}: {exc}") from exc
    try:
        yield connected
    finally:
        connected.close()


def _run_dask(source, blocks, fn, estimator, k, kwargs, client):
    dask, distributed = _import_distributed()
    [model] = client.scatter([estimator], broadcast=True, hash=False)
    window = max(2, 2 * sum(client.nthreads().values()))

    def submit(block):
        lo, hi = block
        part = source.part(lo, hi)
        if _is_dask_array(part):
            return client.compute(dask.delayed(_apply, pure=False)(fn, model, part, lo, hi, k, kwargs))
        return client.submit(_apply, fn, model, part, lo, hi, k, kwargs, pure=False)

    pending = iter(blocks)
    running = distributed.as_completed([submit(b) for _, b in zip(range(window), pending)], loop=client.loop)
    try:
        for future in running:
            result = future.result()
            future.release()
            following = next(pending, None)
            if following is not None:
                running.add(submit(following))
            yield result
    finally:
        running.clear()
        model.release()


def _results(estimator, X, fn, chunk_size, k, backend, client, address, timeout, kwargs):
    """Yield ``(start, chunk_result)`` for every chunk, in completion order."""
    check_option(backend, "backend", _BACKENDS)
    check_int(chunk_size, "chunk_size")
    source = _Source(X)
    if source.size == 0:
        raise ValueError("The pool is empty: there is nothing to score.")
    blocks = source.blocks(int(chunk_size))
    if backend == "local":
        for lo, hi in blocks:
            yield _apply(fn, estimator, source.part(lo, hi), lo, hi, k, kwargs)
        return
    with _dask_client(client, address, timeout) as active:
        yield from _run_dask(source, blocks, fn, estimator, k, kwargs, active)


def _pool_size(X):
    return _Source(X).size


# ----------------------------------------------------------------- public
def score_pool(estimator, X, score_fn, chunk_size=65536, backend="local", client=None, address=None,
               timeout=5.0, **score_kwargs):
    """One informativeness score per pool row, computed chunk by chunk.

    Parameters
    ----------
    estimator : fitted estimator, ActiveLearner or Committee
        Passed to ``score_fn``; with ``backend="dask"`` it is pickled and
        scattered to every worker once.
    X : pool
        Array, sparse matrix, DataFrame, list of strings, :class:`numpy.memmap`,
        :class:`dask.array.Array`, or a list of :class:`pathlib.Path` to
        ``.npy`` files (see the module docstring).
    score_fn : callable
        ``score_fn(estimator, X_chunk, **score_kwargs) -> ndarray (n_chunk,)``,
        higher meaning more informative, e.g.
        :func:`skal.strategies.classifier_uncertainty`.
    chunk_size : int, default=65536
        Rows per chunk; memory is O(chunk_size) per worker thread.
    backend : {"local", "dask"}, default="local"
        ``"local"`` scores the chunks one after another in this process;
        ``"dask"`` on the workers of a dask.distributed cluster.
    client : dask.distributed.Client, default=None
        The client to use with ``backend="dask"``.
    address : str, default=None
        Scheduler address (``"tcp://host:8786"``) to connect to when no
        client is given; the connection is closed afterwards. Without client
        or address, the default client (the last one created) is used.
    timeout : float, default=5.0
        Seconds to wait for the scheduler at ``address``; an unreachable
        address raises a ValueError naming it.
    **score_kwargs : dict
        Passed to ``score_fn``.

    Returns
    -------
    scores : ndarray of shape (n_samples,), float64
        ``score_fn``'s score of each row, in pool order.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.pool_scoring import score_pool
    >>> from skal.strategies import classifier_uncertainty
    >>> clf = LogisticRegression().fit([[-1.], [1.]], [0, 1])
    >>> score_pool(clf, np.array([[-3.], [0.], [3.]]), classifier_uncertainty, chunk_size=2).round(2)
    array([0.12, 0.5 , 0.12])
    """
    out = np.empty(_pool_size(X), dtype=np.float64)
    for start, values in _results(estimator, X, score_fn, chunk_size, None, backend, client, address,
                                  timeout, score_kwargs):
        out[start:start + values.shape[0]] = values
    return out


def _embed(estimator, X):
    """``estimator.embed(X)`` when it has it, else ``estimator.transform(X)``, as float32."""
    if hasattr(estimator, "embed"):
        Z = estimator.embed(X)
    elif hasattr(estimator, "transform"):
        Z = estimator.transform(X)
    else:
        raise ValueError(f"{type(estimator).__name__} has neither embed() nor transform() to embed a pool.")
    Z = Z.toarray() if sp.issparse(Z) else np.asarray(Z)
    return Z.astype(np.float32, copy=False)


def embed_pool(estimator, X, chunk_size=4096, backend="local", client=None, address=None, timeout=5.0,
               out=None):
    """Embed a pool chunk by chunk, into memory or straight into a ``.npy`` file.

    Parameters
    ----------
    estimator : object
        Fitted, with ``embed(X)`` (TransformerClassifier, ActiveLearner) or
        ``transform(X)`` (TextEmbedder, any transformer).
    X : pool
        As for :func:`score_pool`.
    chunk_size : int, default=4096
        Rows per chunk.
    backend : {"local", "dask"}, default="local"
        As for :func:`score_pool`.
    client : dask.distributed.Client, default=None
        As for :func:`score_pool`.
    address : str, default=None
        As for :func:`score_pool`.
    timeout : float, default=5.0
        As for :func:`score_pool`.
    out : None, str or path, default=None
        None returns an in-memory array; a path writes a float32 ``.npy``
        file chunk by chunk and returns it memory-mapped, so the embeddings of
        a pool larger than memory never sit in RAM.

    Returns
    -------
    ndarray or numpy.memmap of shape (n_samples, n_features), float32
        The embedding of each row, in pool order.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.decomposition import PCA
    >>> from skal.pool_scoring import embed_pool
    >>> X = np.random.RandomState(0).normal(size=(100, 5))
    >>> embed_pool(PCA(2).fit(X), X, chunk_size=30).shape
    (100, 2)
    """
    size = _pool_size(X)
    result = None
    for start, Z in _results(estimator, X, _embed, chunk_size, None, backend, client, address, timeout, {}):
        if result is None:
            shape = (size,) + Z.shape[1:]
            result = (np.empty(shape, dtype=np.float32) if out is None else
                      np.lib.format.open_memmap(os.fspath(out), mode="w+", dtype=np.float32, shape=shape))
        result[start:start + Z.shape[0]] = Z
    if out is not None:
        result.flush()
    return result


def _check_n_instances(n_instances, size):
    check_int(n_instances, "n_instances")
    if n_instances > size:
        raise ValueError(f"n_instances={n_instances} is larger than the pool, which holds {size} rows.")


def top_k(estimator, X, score_fn, n_instances=1, chunk_size=65536, backend="local", client=None,
          address=None, timeout=5.0, random_tie_break=False, random_state=None, **score_kwargs):
    """The ``n_instances`` highest-scoring pool rows, found chunk by chunk.

    Each chunk keeps its own best ``n_instances`` rows and these candidates
    are merged, so the answer is exactly
    ``select_top(score_pool(...), n_instances)``: most informative first,
    ties to the lower position, NaN last, while memory stays
    O(chunk_size + n_instances). With ``random_tie_break=True`` the full
    score vector is kept (8 bytes a row) and handed to :func:`select_top`.

    Parameters
    ----------
    estimator : fitted estimator, ActiveLearner or Committee
        As for :func:`score_pool`.
    X : pool
        As for :func:`score_pool`.
    score_fn : callable
        As for :func:`score_pool`.
    n_instances : int, default=1
        Rows to return; at most the pool's size.
    chunk_size : int, default=65536
        Rows per chunk.
    backend : {"local", "dask"}, default="local"
        As for :func:`score_pool`.
    client : dask.distributed.Client, default=None
        As for :func:`score_pool`.
    address : str, default=None
        As for :func:`score_pool`.
    timeout : float, default=5.0
        As for :func:`score_pool`.
    random_tie_break : bool, default=False
        Shuffle before ranking, so that equal scores are broken at random.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie-breaking shuffle.
    **score_kwargs : dict
        Passed to ``score_fn``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, most informative first.
    scores : ndarray of shape (n_instances,)
        Their scores.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.pool_scoring import top_k
    >>> from skal.strategies import classifier_uncertainty
    >>> clf = LogisticRegression().fit([[-1.], [1.]], [0, 1])
    >>> X = np.linspace(-3, 3, 61).reshape(-1, 1)
    >>> top_k(clf, X, classifier_uncertainty, n_instances=3, chunk_size=10)[0]
    array([30, 29, 31])
    """
    _check_n_instances(n_instances, _pool_size(X))
    if random_tie_break:
        scores = score_pool(estimator, X, score_fn, chunk_size, backend, client, address, timeout,
                            **score_kwargs)
        return select_top(scores, n_instances, True, check_random_state(random_state))
    best = None
    for _, candidates in _results(estimator, X, score_fn, chunk_size, int(n_instances), backend, client,
                                  address, timeout, score_kwargs):
        best = _merge(best, candidates, int(n_instances))
    positions, _, values = best
    return positions.astype(np.intp), values


class ChunkedStrategy:
    """A query strategy that ranks the pool with :func:`top_k` (made by :func:`chunked`).

    Parameters
    ----------
    score_fn : callable
        ``score_fn(estimator, X_chunk) -> ndarray (n_chunk,)``, higher meaning more informative.
    chunk_size : int, default=65536
        Rows per chunk.
    backend : {"local", "dask"}, default="local"
        As for :func:`score_pool`.
    client : dask.distributed.Client, default=None
        As for :func:`score_pool` (not pickled: a learner holding the
        strategy travels to Dask workers without it).
    address : str, default=None
        As for :func:`score_pool`.
    timeout : float, default=5.0
        As for :func:`score_pool`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.pool_scoring import ChunkedStrategy
    >>> from skal.strategies import classifier_uncertainty
    >>> clf = LogisticRegression().fit([[-1.], [1.]], [0, 1])
    >>> ChunkedStrategy(classifier_uncertainty, chunk_size=2)(clf, np.array([[-3.], [0.], [3.]]))[0]
    array([1])
    """

    def __init__(self, score_fn, chunk_size=65536, backend="local", client=None, address=None, timeout=5.0):
        self.score_fn = score_fn
        self.chunk_size = chunk_size
        self.backend = backend
        self.client = client
        self.address = address
        self.timeout = timeout

    def __call__(self, estimator, X, n_instances=1, random_tie_break=False, random_state=None, **kwargs):
        return top_k(estimator, X, self.score_fn, n_instances, self.chunk_size, self.backend, self.client,
                     self.address, self.timeout, random_tie_break, random_state, **kwargs)

    def __getstate__(self):
        # A learner holding this strategy is pickled to the workers; a Client cannot travel.
        state = dict(self.__dict__)
        state["client"] = None
        return state

    def __repr__(self):
        name = getattr(self.score_fn, "__name__", repr(self.score_fn))
        return (f"chunked({name}, chunk_size={self.chunk_size}, backend={self.backend!r}"
                + (f", address={self.address!r}" if self.address else "") + ")")


def chunked(score_fn, chunk_size=65536, backend="local", client=None, address=None, timeout=5.0):
    """Turn a per-row score function into a query strategy that scores the pool in chunks.

    Parameters
    ----------
    score_fn : callable
        ``score_fn(estimator, X_chunk) -> ndarray (n_chunk,)``, higher meaning
        more informative: :func:`~skal.strategies.classifier_uncertainty`,
        :func:`~skal.strategies.classifier_entropy`,
        :func:`~skal.strategies.vote_entropy`...
    chunk_size : int, default=65536
        Rows per chunk.
    backend : {"local", "dask"}, default="local"
        As for :func:`score_pool`.
    client : dask.distributed.Client, default=None
        As for :func:`score_pool`.
    address : str, default=None
        As for :func:`score_pool`.
    timeout : float, default=5.0
        As for :func:`score_pool`.

    Returns
    -------
    ChunkedStrategy
        ``strategy(estimator, X, n_instances=1, random_tie_break=False,
        random_state=None, **kw) -> (indices, scores)``, the same answer as
        the whole-pool strategy (e.g. ``uncertainty_sampling`` for
        ``classifier_uncertainty``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner
    >>> from skal.pool_scoring import chunked
    >>> from skal.strategies import classifier_uncertainty
    >>> X = np.linspace(-3, 3, 61).reshape(-1, 1); y = (X[:, 0] > 0).astype(int)
    >>> learner = ActiveLearner(LogisticRegression(), chunked(classifier_uncertainty, chunk_size=16),
    ...                         X_training=X[::10], y_training=y[::10])
    >>> learner.query(X, n_instances=2)[0]
    array([35, 36])
    """
    check_option(backend, "backend", _BACKENDS)
    return ChunkedStrategy(score_fn, chunk_size, backend, client, address, timeout)
