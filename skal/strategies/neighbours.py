"""Pool reduction by nearest-neighbour search: SEALS and AnchorAL wrap any strategy.

On a pool of millions of rows, or when a class is rare, most pool rows are
far from anything labelled and scoring them all is wasted work. Both methods
search an approximate nearest-neighbour index of the pool's representation
and run the wrapped strategy on a small candidate set:

* SEALS (Coleman, Chou, Katz-Samuels, Culatana, Bailis, Berg, Nowak,
  Sumbaly, Zaharia and Yalniz, "Similarity Search for Efficient Active
  Learning and Search of Rare Concepts", AAAI 2022): the candidates are the
  ``k`` nearest unlabelled neighbours of every labelled row, a set that grows
  with the labelled set;
* AnchorAL (Lesci and Vlachos, "AnchorAL: Computationally Efficient Active
  Learning for Large and Imbalanced Datasets", NAACL 2024): each round draws
  a few labelled *anchors per class*, so minority classes get as many as the
  majority, retrieves each anchor's nearest unlabelled rows, and keeps the
  ``subpool_size`` most similar to the anchors on average.

The index is :class:`NeighbourIndex`: an HNSW graph from ``hnswlib``
(cosine), chosen by measurement on 100,000 × 384 float32 rows on one thread
against faiss-cpu's ``IndexHNSWFlat`` and pynndescent (see the README): hnswlib
built in 39 s with recall@10 of 1.000 at 0.9 ms per query; faiss took 136 s
to build; pynndescent built in 31 s and queried faster (0.1 ms) but needs a
numba compilation of several minutes on first use and reached recall 0.988
to 0.998. The index is built once per pool: a later call whose pool is a
subset of the indexed rows (the pool after some rows were labelled) reuses
it, so :func:`seals` and :func:`anchoral` keep one for as long as the
representation stays fixed (precomputed embeddings, or a cached embedder).
hnswlib is an optional dependency: ``pip install skal[ann]``.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state, gen_batches

from ..data import check_pool, n_rows
from ..parameters import check_int, check_option
from ..seeding import draw_seed
from .representation import check_fitted, labelled_data, pool_representation
from .subsampling import check_callable, run_on_rows
from .uncertainty import uncertainty_sampling

__all__ = ["NeighbourIndex", "anchoral", "anchoral_sampling", "row_keys", "seals", "seals_sampling"]

# Rows hashed at once when fingerprinting a pool.
_HASH_ROWS = 16384


def _check_anchoral_sizes(n_anchors, n_neighbors, subpool_size):
    for value, name in ((n_anchors, "n_anchors"), (n_neighbors, "n_neighbors"), (subpool_size, "subpool_size")):
        check_int(value, name)


def _import_hnswlib():
    try:
        import hnswlib
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "SEALS and AnchorAL search an approximate nearest-neighbour index from hnswlib: "
            "pip install 'skal[ann]' (or pip install hnswlib)."
        ) from exc
    return hnswlib


def _dense_float32(Z):
    if sp.issparse(Z):
        raise ValueError(
            "The nearest-neighbour index needs dense embeddings, but the representation is a sparse "
            "matrix; use an estimator with embed() (skal.TransformerClassifier) or a dense featuriser."
        )
    return np.ascontiguousarray(Z, dtype=np.float32)


def row_keys(Z):
    """A 64-bit fingerprint of every row of ``Z`` (float32 bytes), vectorised and chunked.

    Parameters
    ----------
    Z : array-like of shape (n_rows, d)
        Dense rows; read as float32.

    Returns
    -------
    ndarray of shape (n_rows,), uint64
        Equal rows get equal keys; different rows differ but for a hash collision.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.neighbours import row_keys
    >>> k = row_keys(np.array([[1., 2.], [3., 4.], [1., 2.]], dtype=np.float32))
    >>> bool(k[0] == k[2]), bool(k[0] != k[1])
    (True, True)
    """
    words = np.ascontiguousarray(Z, dtype=np.float32).view(np.uint32)
    multipliers = np.random.RandomState(0).randint(1, 2 ** 62, size=words.shape[1], dtype=np.int64)
    multipliers = multipliers.astype(np.uint64) | np.uint64(1)
    keys = np.empty(words.shape[0], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for rows in gen_batches(words.shape[0], _HASH_ROWS):
            mixed = words[rows].astype(np.uint64) * multipliers
            mixed ^= mixed >> np.uint64(29)
            keys[rows] = mixed.sum(axis=1, dtype=np.uint64)
    return keys


class NeighbourIndex:
    """Approximate nearest-neighbour index (hnswlib HNSW) over the rows of a pool.

    Parameters
    ----------
    space : {"cosine", "l2"}, default="cosine"
        Cosine distance (``1 − cos``), or squared euclidean distance.
    M : int, default=16
        Graph degree of HNSW.
    ef_construction : int, default=100
        Search breadth while the graph is built (larger: better graph, slower build).
    ef : int, default=100
        Search breadth; raised to ``k`` for queries of more neighbours.
    n_threads : int, default=1
        Threads hnswlib builds and searches with.
    random_state : int, RandomState instance or None, default=None
        Seeds the graph's construction.

    Attributes
    ----------
    index_ : hnswlib.Index
        The HNSW graph.
    keys_ : ndarray of shape (n_indexed,)
        :func:`row_keys` of the indexed rows, for :meth:`locate`.
    n_indexed_ : int
        Rows in the index.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.neighbours import NeighbourIndex
    >>> Z = np.random.RandomState(0).normal(size=(500, 8)).astype(np.float32)
    >>> index = NeighbourIndex(random_state=0).fit(Z)
    >>> ids, _ = index.query(Z[:3], 1)
    >>> ids.ravel().tolist(), index.locate(Z[[7, 2]]).tolist()
    ([0, 1, 2], [7, 2])
    """

    def __init__(self, space="cosine", M=16, ef_construction=100, ef=100, n_threads=1, random_state=None):
        self.space, self.M, self.ef_construction, self.ef = space, M, ef_construction, ef
        self.n_threads, self.random_state = n_threads, random_state

    def fit(self, Z):
        """Index the rows of ``Z`` (ids are their positions).

        Parameters
        ----------
        Z : array-like of shape (n_rows, d)
            Dense rows (a sparse matrix is refused).

        Returns
        -------
        self : NeighbourIndex
            The fitted index.

        Examples
        --------
        >>> import numpy as np
        >>> from skal.strategies.neighbours import NeighbourIndex
        >>> NeighbourIndex(space="l2", random_state=0).fit(np.eye(4)).n_indexed_
        4
        """
        check_option(self.space, "space", ("cosine", "l2"))
        for name in ("M", "ef_construction", "ef", "n_threads"):
            check_int(getattr(self, name), name)
        hnswlib = _import_hnswlib()
        Z = _dense_float32(Z)
        seed = draw_seed(self.random_state)
        index = hnswlib.Index(space=self.space, dim=Z.shape[1])
        index.init_index(max_elements=max(1, Z.shape[0]), M=self.M, ef_construction=self.ef_construction,
                         random_seed=seed)
        index.set_num_threads(self.n_threads)
        index.add_items(Z, np.arange(Z.shape[0]), num_threads=self.n_threads)
        self.index_ = index
        self.keys_ = row_keys(Z)
        self._order = np.argsort(self.keys_, kind="stable")
        return self

    @property
    def n_indexed_(self):
        """Rows in the index."""
        return self.keys_.shape[0]

    def locate(self, Z):
        """Ids of the rows of ``Z`` in the index, or None if any row is not indexed.

        Parameters
        ----------
        Z : array-like of shape (n_rows, d)
            Rows to look up, matched by their exact float32 values.

        Returns
        -------
        ndarray of shape (n_rows,) or None
            The id (position at :meth:`fit`) of each row; None when some row was not indexed.

        Examples
        --------
        >>> import numpy as np
        >>> from skal.strategies.neighbours import NeighbourIndex
        >>> index = NeighbourIndex(random_state=0).fit(np.eye(3))
        >>> index.locate(np.eye(3)[[2, 0]]).tolist(), index.locate(np.ones((1, 3)))
        ([2, 0], None)
        """
        keys = row_keys(_dense_float32(Z))
        sorted_keys = self.keys_[self._order]
        where = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.shape[0] - 1)
        if not np.array_equal(sorted_keys[where], keys):
            return None
        return self._order[where]

    def query(self, Q, k):
        """The ``k`` nearest indexed rows of each row of ``Q``.

        Parameters
        ----------
        Q : array-like of shape (n_queries, d)
            Dense query rows.
        k : int
            Neighbours per query; capped at the rows indexed.

        Returns
        -------
        ids : ndarray of shape (n_queries, k)
            Ids of the neighbours, nearest first.
        distances : ndarray of shape (n_queries, k)
            Their cosine distances (``1 − cos``), or squared euclidean distances for ``space="l2"``.

        Examples
        --------
        >>> import numpy as np
        >>> from skal.strategies.neighbours import NeighbourIndex
        >>> index = NeighbourIndex(space="l2", random_state=0).fit(np.array([[0.], [1.], [5.]]))
        >>> index.query(np.array([[0.9]]), 2)[0].tolist()
        [[1, 0]]
        """
        k = int(min(k, self.n_indexed_))
        self.index_.set_ef(max(self.ef, k))
        ids, distances = self.index_.knn_query(_dense_float32(Q), k=k, num_threads=self.n_threads)
        return ids.astype(np.intp), distances


def _pool_index(Z, index, random_state):
    """``(index, ids of the pool rows in it)``: ``index`` reused when it holds every pool row."""
    if index is not None and getattr(index, "keys_", None) is not None:
        ids = index.locate(Z)
        if ids is not None:
            return index, ids
    index = (NeighbourIndex(random_state=random_state) if index is None else index).fit(Z)
    return index, np.arange(Z.shape[0])


def _neighbours_in_pool(index, ids, Q, k):
    """Pool positions of the ``k`` nearest *pool* rows of each query, and their cosine similarities.

    Indexed rows that have left the pool (labelled since) are skipped: the
    query asks for more neighbours and keeps the first ``k`` still in the pool.
    """
    position = np.full(index.n_indexed_, -1, dtype=np.intp)
    position[ids] = np.arange(ids.shape[0])
    missing = index.n_indexed_ - ids.shape[0]
    found, distances = index.query(Q, k + min(missing, 2 * k) if missing else k)
    pos = position[found]
    valid = pos >= 0
    valid &= np.cumsum(valid, axis=1) <= k
    return pos[valid], 1.0 - distances[valid], np.nonzero(valid)[0]


def _fill(candidates, size, n_instances, rng):
    """Top the candidate set up with random pool rows when it is smaller than the batch."""
    if candidates.shape[0] >= n_instances:
        return candidates
    rest = np.setdiff1d(np.arange(size), candidates)
    extra = rng.choice(rest, n_instances - candidates.shape[0], replace=False)
    return np.sort(np.r_[candidates, extra])


def _labelled_matrix(estimator, X_labelled):
    X_lab = X_labelled if X_labelled is not None else labelled_data(estimator)[0]
    if X_lab is None or n_rows(X_lab) == 0:
        return None
    return pool_representation(estimator, X_lab)


def seals_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None,
                   strategy=uncertainty_sampling, n_neighbors=100, X_labelled=None, index=None, **strategy_kwargs):
    """SEALS (Coleman et al., 2022): run ``strategy`` on the nearest unlabelled neighbours of the labelled rows.

    The candidates are the union of the ``n_neighbors`` nearest pool rows
    (cosine, approximate: :class:`NeighbourIndex`) of every labelled row;
    if there are fewer than ``n_instances``, random pool rows are added;
    without any labelled row the whole pool is passed. Querying costs
    O(L·k·log N) for the search plus the strategy on at most L·k rows.

    Parameters
    ----------
    estimator : fitted estimator, ActiveLearner, Committee or None
        Supplies the representation searched (None: the raw features) and,
        for a learner, the labelled rows; passed on to ``strategy``.
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Rows to query.
    random_tie_break : bool, default=False
        Passed to ``strategy`` when it takes it.
    random_state : int, RandomState instance or None, default=None
        Seeds the index, the fill-in rows and ``strategy``.
    strategy : callable, default=uncertainty_sampling
        The query strategy run on the candidates.
    n_neighbors : int, default=100
        ``k`` (the paper uses 100).
    X_labelled : rows like ``X``, default=None
        By default the learner's training rows.
    index : NeighbourIndex or None, default=None
        Reused when it holds every pool row (refitted on the pool otherwise);
        :func:`seals` passes one it keeps.
    **strategy_kwargs : dict
        Further keyword arguments of ``strategy``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        The picks, as positions in ``X``.
    scores : ndarray of shape (n_instances,)
        The strategy's scores for them.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import coreset_sampling, seals_sampling
    >>> rng = np.random.RandomState(0)
    >>> pool = np.r_[rng.normal(size=(300, 4)) + [9, 0, 0, 0], rng.normal(size=(300, 4)) - [9, 0, 0, 0]]
    >>> idx, _ = seals_sampling(None, pool, n_instances=5, strategy=coreset_sampling, n_neighbors=20,
    ...                         X_labelled=pool[:2] + 0.01, random_state=0)
    >>> bool((idx < 300).all())
    True
    """
    size = check_pool(X, n_instances)
    check_int(n_neighbors, "n_neighbors")
    check_callable(strategy)
    check_fitted(estimator)
    rng = check_random_state(random_state)
    L = _labelled_matrix(estimator, X_labelled)
    if L is None:
        return run_on_rows(strategy, estimator, X, None, n_instances, random_tie_break, rng, **strategy_kwargs)
    Z = pool_representation(estimator, X)
    index, ids = _pool_index(_dense_float32(Z), index, draw_seed(rng))
    found, _, _ = _neighbours_in_pool(index, ids, L, n_neighbors)
    candidates = _fill(np.unique(found), size, n_instances, rng)
    return run_on_rows(strategy, estimator, X, candidates, n_instances, random_tie_break, rng, **strategy_kwargs)


def anchoral_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None,
                      strategy=uncertainty_sampling, n_anchors=10, n_neighbors=100, subpool_size=1000,
                      X_labelled=None, y_labelled=None, index=None, **strategy_kwargs):
    """AnchorAL (Lesci & Vlachos, 2024): run ``strategy`` on a subpool retrieved around class anchors.

    Each call draws up to ``n_anchors`` labelled rows of every class at
    random (``random_state``) and retrieves the ``n_neighbors`` nearest pool
    rows of each anchor (:class:`NeighbourIndex`). The rows a class's anchors
    retrieved are ranked by their mean cosine similarity to those anchors,
    and each class contributes its best ``subpool_size / n_classes`` to the
    strategy's candidates (filled up with random pool rows when fewer than
    ``n_instances``). Ranking within each class, rather than by the mean
    over all anchors, is our choice: it keeps a rare class's neighbourhood
    in the subpool however many anchors the other classes have. Without
    labelled rows the whole pool is passed.

    Parameters
    ----------
    estimator : fitted estimator, ActiveLearner, Committee or None
        Supplies the representation searched and, for a learner, the
        labelled rows and their labels; passed on to ``strategy``.
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Rows to query.
    random_tie_break : bool, default=False
        Passed to ``strategy`` when it takes it.
    random_state : int, RandomState instance or None, default=None
        Seeds the anchors, the index, the fill-in rows and ``strategy``.
    strategy : callable, default=uncertainty_sampling
        The query strategy run on the subpool.
    n_anchors : int, default=10
        Anchors per class.
    n_neighbors : int, default=100
        Rows retrieved per anchor.
    subpool_size : int, default=1000
        Candidate rows passed to ``strategy`` (shared equally by the classes).
    X_labelled, y_labelled : array-like, default=None
        The labelled rows and their labels; by default the learner's.
    index : NeighbourIndex or None, default=None
        Reused when it holds every pool row (refitted on the pool otherwise);
        :func:`anchoral` passes one it keeps.
    **strategy_kwargs : dict
        Further keyword arguments of ``strategy``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        The picks, as positions in ``X``.
    scores : ndarray of shape (n_instances,)
        The strategy's scores for them.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import anchoral_sampling, random_sampling
    >>> rng = np.random.RandomState(0)
    >>> pool = rng.normal(size=(1000, 8))
    >>> idx, _ = anchoral_sampling(None, pool, n_instances=4, strategy=random_sampling, subpool_size=50,
    ...                            X_labelled=pool[:6], y_labelled=[0, 0, 0, 0, 0, 1], random_state=0)
    >>> idx.shape
    (4,)
    """
    size = check_pool(X, n_instances)
    _check_anchoral_sizes(n_anchors, n_neighbors, subpool_size)
    check_callable(strategy)
    check_fitted(estimator)
    if X_labelled is None:
        X_labelled, y_labelled = labelled_data(estimator)
    elif y_labelled is None:
        raise ValueError("anchoral_sampling draws anchors per class: pass y_labelled with X_labelled.")
    rng = check_random_state(random_state)
    if X_labelled is None or n_rows(X_labelled) == 0:
        return run_on_rows(strategy, estimator, X, None, n_instances, random_tie_break, rng, **strategy_kwargs)
    y_labelled = np.asarray(y_labelled)
    if y_labelled.shape[0] != n_rows(X_labelled):
        raise ValueError(f"y_labelled has {y_labelled.shape[0]} labels for {n_rows(X_labelled)} labelled rows.")
    L = _dense_float32(pool_representation(estimator, X_labelled))
    Z = _dense_float32(pool_representation(estimator, X))
    index, ids = _pool_index(Z, index, draw_seed(rng))
    classes = np.unique(y_labelled)
    share = -(-subpool_size // classes.shape[0])  # every class gets the same share of the subpool
    keep = []
    for c in classes:  # over classes, never over pool rows
        members = np.flatnonzero(y_labelled == c)
        A = L[np.sort(rng.choice(members, min(n_anchors, members.shape[0]), replace=False))]
        found, _, _ = _neighbours_in_pool(index, ids, A, n_neighbors)
        retrieved = np.setdiff1d(np.unique(found), np.concatenate(keep) if keep else [])
        similarity = (normalize(Z[retrieved]) @ normalize(A).T).mean(axis=1)
        keep.append(retrieved[np.argsort(-similarity, kind="stable")[:share]])
    keep = np.concatenate(keep)
    candidates = _fill(np.sort(keep), size, n_instances, rng)
    return run_on_rows(strategy, estimator, X, candidates, n_instances, random_tie_break, rng, **strategy_kwargs)


class _WithIndex:
    """A SEALS/AnchorAL query strategy that keeps its nearest-neighbour index between calls."""

    def __init__(self, sampling, strategy, **params):
        self.sampling, self.strategy, self.params = sampling, strategy, params
        self.index = None
        self.__name__ = f"{sampling.__name__.replace('_sampling', '')}_{getattr(strategy, '__name__', 'strategy')}"
        self.__doc__ = f"{self.__name__}: {getattr(strategy, '__name__', 'strategy')} on a candidate set from " \
                       f"{sampling.__name__} (see skal.strategies.neighbours)."

    def __call__(self, estimator, X, n_instances=1, random_tie_break=False, random_state=None, **kwargs):
        if self.index is None:
            self.index = NeighbourIndex(random_state=random_state)
        return self.sampling(estimator, X, n_instances, random_tie_break, random_state, strategy=self.strategy,
                             index=self.index, **self.params, **kwargs)


def seals(strategy=uncertainty_sampling, n_neighbors=100):
    """Wrap ``strategy`` in SEALS (see :func:`seals_sampling`), keeping one index across queries.

    Parameters
    ----------
    strategy : callable, default=uncertainty_sampling
        The query strategy run on the candidates.
    n_neighbors : int, default=100
        Nearest unlabelled rows kept per labelled row.

    Returns
    -------
    callable
        A query strategy named ``seals_<strategy name>``; it builds its
        :class:`NeighbourIndex` on the first pool it sees and reuses it while
        later pools are subsets of that one.

    Examples
    --------
    >>> from skal.strategies import entropy_sampling, seals
    >>> seals(entropy_sampling).__name__
    'seals_entropy_sampling'
    """
    check_int(n_neighbors, "n_neighbors")
    check_callable(strategy)
    return _WithIndex(seals_sampling, strategy, n_neighbors=n_neighbors)


def anchoral(strategy=uncertainty_sampling, n_anchors=10, n_neighbors=100, subpool_size=1000):
    """Wrap ``strategy`` in AnchorAL (see :func:`anchoral_sampling`), keeping one index across queries.

    Parameters
    ----------
    strategy : callable, default=uncertainty_sampling
        The query strategy run on the subpool.
    n_anchors : int, default=10
        Anchors drawn per class.
    n_neighbors : int, default=100
        Rows retrieved per anchor.
    subpool_size : int, default=1000
        Candidate rows passed to ``strategy``.

    Returns
    -------
    callable
        A query strategy named ``anchoral_<strategy name>``.

    Examples
    --------
    >>> from skal.strategies import anchoral, margin_sampling
    >>> anchoral(margin_sampling, subpool_size=500).__name__
    'anchoral_margin_sampling'
    """
    _check_anchoral_sizes(n_anchors, n_neighbors, subpool_size)
    check_callable(strategy)
    return _WithIndex(anchoral_sampling, strategy, n_anchors=n_anchors, n_neighbors=n_neighbors,
                      subpool_size=subpool_size)


