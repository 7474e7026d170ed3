"""Shared geometry of the representation-based strategies: chunked distances, running minima, D² seeding.

Ranked batch, core-set, k-means, BADGE, TypiClust and ProbCover all need, for
every pool row, its distance to the nearest of a growing set of reference rows
(the labelled rows and the picks so far), without an N×N matrix and without
a Python loop over pool rows. :class:`RunningMinDistance` keeps that distance
as one float per row, updated by one chunked O(N·d) pass per new reference;
:func:`d2_seeding` draws k-means++ seeds over it; :func:`argmax_in_order`
and :func:`tie_order` break ties by position or at random.
"""

import numpy as np
from sklearn.metrics import pairwise_distances
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils.extmath import row_norms, safe_sparse_dot
from threadpoolctl import threadpool_limits

__all__ = [
    "BLOCK_ENTRIES",
    "sq_distance_blocks",
    "RunningMinDistance",
    "one_blas_thread",
    "argmax_in_order",
    "tie_order",
    "d2_seeding",
]

#: Largest distance block computed at once (entries), about 32 MB in float64.
BLOCK_ENTRIES = 2 ** 22


def sq_distance_blocks(Z, Z_sq_norms, R):
    """Yield ``(rows, block)``: squared euclidean distances of ``Z[rows]`` to every row of ``R``.

    Blocks hold at most :data:`BLOCK_ENTRIES` entries, so memory stays O(N)
    whatever the sizes of ``Z`` and ``R``.

    Parameters
    ----------
    Z : ndarray or CSR matrix of shape (N, d)
        The pool rows.
    Z_sq_norms : ndarray of shape (N,)
        ``row_norms(Z, squared=True)``.
    R : ndarray or CSR matrix of shape (m, d)
        The reference rows.

    Yields
    ------
    rows : slice
        The pool rows of this block.
    block : ndarray of shape (rows, m)
        Their squared distances to every reference row, non-negative.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.geometry import sq_distance_blocks
    >>> Z = np.array([[0., 0.], [3., 4.]])
    >>> [block.tolist() for _, block in sq_distance_blocks(Z, (Z ** 2).sum(1), Z[:1])]
    [[[0.0], [25.0]]]
    """
    R_sq_norms = row_norms(R, squared=True)
    step = max(1, BLOCK_ENTRIES // max(1, R.shape[0]))
    for rows in gen_batches(Z.shape[0], step):
        block = safe_sparse_dot(Z[rows], R.T, dense_output=True)
        block *= -2.0
        block += Z_sq_norms[rows, None]
        block += R_sq_norms[None, :]
        np.maximum(block, 0.0, out=block)
        yield rows, block


class RunningMinDistance:
    """Distance of every pool row to its nearest reference row, as a running minimum.

    References are the labelled rows and the rows picked so far. Adding ``m``
    references costs one chunked pass of O(N·m·d); the state is one float per
    pool row.

    Parameters
    ----------
    Z : ndarray or CSR matrix of shape (N, d)
        The pool rows.
    metric : str, default="euclidean"
        "euclidean", "sqeuclidean" and "cosine" use the fast norm expansion
        (cosine as half the squared euclidean distance of unit vectors);
        any other metric of :func:`~sklearn.metrics.pairwise_distances` is
        computed block by block.
    n_jobs : int or None, default=None
        Passed to :func:`~sklearn.metrics.pairwise_distances` for the other
        metrics.

    Attributes
    ----------
    dist : ndarray of shape (N,), float64
        Distance to the nearest reference (``inf`` while there is none).

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.geometry import RunningMinDistance
    >>> state = RunningMinDistance(np.array([[0.], [1.], [5.]]))
    >>> state.add_row(0); state.dist.tolist()
    [0.0, 1.0, 5.0]
    >>> state.add(np.array([[4.]])); state.dist.tolist()
    [0.0, 1.0, 1.0]
    """

    def __init__(self, Z, metric="euclidean", n_jobs=None):
        self.metric, self.n_jobs = metric, n_jobs
        self._fast = metric in ("euclidean", "sqeuclidean", "cosine")
        self.Z = normalize(Z) if metric == "cosine" else Z
        self._sq_norms = row_norms(self.Z, squared=True) if self._fast else None
        self.dist = np.full(Z.shape[0], np.inf)

    def add(self, R):
        """Take the rows of ``R`` (same space as the pool) as references.

        Parameters
        ----------
        R : ndarray or CSR matrix of shape (m, d)
            The new reference rows.

        Examples
        --------
        >>> import numpy as np
        >>> from skal.strategies.geometry import RunningMinDistance
        >>> state = RunningMinDistance(np.array([[0.], [3.]]))
        >>> state.add(np.array([[1.]])); state.dist.tolist()
        [1.0, 2.0]
        """
        R = R.astype(self.Z.dtype, copy=False)  # never upcast pool blocks to R's dtype
        if self.metric == "cosine":
            R = normalize(R)
        self._update(R)

    def add_row(self, i):
        """Take pool row ``i`` as a reference.

        Parameters
        ----------
        i : int
            Its position in the pool.

        Examples
        --------
        >>> import numpy as np
        >>> from skal.strategies.geometry import RunningMinDistance
        >>> state = RunningMinDistance(np.array([[0.], [3.]]))
        >>> state.add_row(1); state.dist.tolist()
        [3.0, 0.0]
        """
        self._update(self.Z[i:i + 1])

    def _update(self, R):
        if self._fast:
            for rows, block in sq_distance_blocks(self.Z, self._sq_norms, R):
                d = block.min(axis=1).astype(np.float64)
                if self.metric == "euclidean":
                    d = np.sqrt(d)
                elif self.metric == "cosine":
                    d *= 0.5
                np.minimum(self.dist[rows], d, out=self.dist[rows])
        else:
            step = max(1, BLOCK_ENTRIES // max(1, R.shape[0]))
            for rows in gen_batches(self.Z.shape[0], step):
                d = pairwise_distances(self.Z[rows], R, metric=self.metric, n_jobs=self.n_jobs).min(axis=1)
                np.minimum(self.dist[rows], d, out=self.dist[rows])


def one_blas_thread():
    """Context for greedy pick loops: their per-pick products are memory-bound matrix-vector
    products, as fast on one BLAS thread, and a thread pool stalls badly on shared cores.

    Returns
    -------
    threadpoolctl.threadpool_limits
        A context manager limiting BLAS to one thread inside its block.

    Examples
    --------
    >>> from skal.strategies.geometry import one_blas_thread
    >>> with one_blas_thread():
    ...     pass
    """
    return threadpool_limits(limits=1, user_api="blas")


def argmax_in_order(values, order=None):
    """Position of the largest value: the first in pool order, or the first in ``order``.

    Parameters
    ----------
    values : ndarray of shape (N,)
        The scores, one per pool row.
    order : ndarray of shape (N,) or None, default=None
        A permutation of the positions (from :func:`tie_order`) that decides ties.

    Returns
    -------
    int
        The position of the largest value.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.geometry import argmax_in_order
    >>> argmax_in_order(np.array([1., 3., 3.])), argmax_in_order(np.array([1., 3., 3.]), np.array([2, 1, 0]))
    (1, 2)
    """
    if order is None:
        return int(np.argmax(values))
    return int(order[np.argmax(values[order])])


def tie_order(random_tie_break, random_state, size):
    """A random permutation of ``size`` positions when ``random_tie_break``, else None (pool order).

    Parameters
    ----------
    random_tie_break : bool
        Whether ties are broken at random.
    random_state : int, RandomState instance or None
        Seeds the permutation.
    size : int
        The number of positions.

    Returns
    -------
    ndarray of shape (size,) or None
        The order in which :func:`argmax_in_order` breaks ties; None for pool order.

    Examples
    --------
    >>> from skal.strategies.geometry import tie_order
    >>> tie_order(False, 0, 3) is None, sorted(tie_order(True, 0, 3).tolist())
    (True, [0, 1, 2])
    """
    return check_random_state(random_state).permutation(size) if random_tie_break else None


def d2_seeding(Z, n_seeds, first, rng, weights=None, state=None):
    """K-means++ seeding: row ``first``, then rows drawn with probability ∝ weight × squared
    distance to the nearest seed so far (D² sampling, Arthur & Vassilvitskii, 2007).

    Once every remaining row sits on a seed (all weights 0), the rest are
    drawn uniformly.

    Parameters
    ----------
    Z : ndarray or CSR matrix of shape (N, d), or None
        The rows to seed from; None when ``state`` is given.
    n_seeds : int
        How many seeds to draw, ``first`` included.
    first : int
        Position of the first seed.
    rng : RandomState
        The random generator of the draws.
    weights : ndarray of shape (N,) or None, default=None
        A weight per row multiplying its draw probability.
    state : object or None, default=None
        Has ``dist`` (squared distances, shape (N,)) and ``add_row(i)``.
        Defaults to ``RunningMinDistance(Z, metric="sqeuclidean")``; BADGE
        passes its factored gradient distances.

    Returns
    -------
    seeds : ndarray of shape (n_seeds,)
        The seeds' positions, in draw order.
    sq_dist : ndarray of shape (n_seeds,)
        Each seed's squared distance to the nearest earlier seed when drawn
        (``inf`` for the first).

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.geometry import d2_seeding
    >>> Z = np.array([[0.], [0.1], [10.]])
    >>> d2_seeding(Z, 2, 0, np.random.RandomState(0))[0]
    array([0, 2])
    """
    state = RunningMinDistance(Z, metric="sqeuclidean") if state is None else state
    size = state.dist.shape[0]
    available = np.ones(size, dtype=bool)
    picks, sq_dist = [first], [np.inf]
    available[first] = False
    with one_blas_thread():
        state.add_row(first)
        for _ in range(n_seeds - 1):
            p = np.where(available, state.dist, 0.0)
            if weights is not None:
                p *= weights
            total = p.sum()
            if total > 0 and np.isfinite(total):
                i = int(rng.choice(size, p=p / total))
            else:
                i = int(rng.choice(np.flatnonzero(available)))
            picks.append(i)
            sq_dist.append(state.dist[i])
            available[i] = False
            state.add_row(i)
    return np.asarray(picks, dtype=np.intp), np.asarray(sq_dist, dtype=float)
