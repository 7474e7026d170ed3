"""Cold-start selection without labels: TypiClust and ProbCover.

With few or no labels, the uncertainty of a model trained on them says
little; these strategies look only at the representation (a pre-trained
embedding), so they can choose the seed set (``ActiveLearningSimulation(initial=typiclust_sampling)``)
as well as later batches, which they keep away from the rows already labelled.

* TypiClust (Hacohen, Dekel and Weinshall, "Active Learning on a Budget:
  Opposite Strategies Suit High and Low Budgets", ICML 2022): cluster the
  pool into ``|L| + b`` groups, take the largest clusters that hold no
  labelled row, and from each the most *typical* row, the one whose ``k``
  nearest cluster-mates are closest: ``typicality(x) = 1 / mean_{j ∈ kNN(x)} ‖x − x_j‖``.
* ProbCover (Yehuda, Dekel, Hacohen and Weinshall, "Active Learning Through a
  Covering Lens", NeurIPS 2022): balls of radius ``δ`` around the rows; pick
  greedily the row whose ball covers the most rows not yet covered by a
  labelled row or an earlier pick (maximum coverage). The ball graph is a
  sparse radius-neighbour graph (exact, from
  :class:`~sklearn.neighbors.NearestNeighbors`, or capped at each row's
  ``n_neighbors`` nearest from the approximate
  :class:`~skal.strategies.neighbours.NeighbourIndex` for large pools), never
  an N×N matrix; each pick updates the coverage counts through the edges it
  touches.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import pairwise_distances_argmin
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils.extmath import row_norms

from ..data import check_pool, n_rows
from ..parameters import check_int, check_real
from ..seeding import draw_seed
from . import geometry
from .diversity import kmeans_clusters
from .geometry import RunningMinDistance, argmax_in_order, sq_distance_blocks, tie_order
from .representation import check_fitted, labelled_data, pool_representation

__all__ = ["ball_graph", "coverage_radius", "probcover_sampling", "typicality", "typiclust_sampling"]

def _labelled(estimator, X_labelled):
    if X_labelled is None:
        X_labelled = labelled_data(estimator)[0]
    if X_labelled is None or n_rows(X_labelled) == 0:
        return None
    return pool_representation(estimator, X_labelled)


# --------------------------------------------------------------------------- TypiClust
def typicality(Z, n_neighbors=20):
    """Inverse mean euclidean distance of each row to its ``n_neighbors`` nearest other rows of ``Z``.

    Parameters
    ----------
    Z : ndarray or CSR matrix of shape (n, d)
        The rows, in the representation compared.
    n_neighbors : int, default=20
        Fewer when ``Z`` has fewer other rows.

    Returns
    -------
    ndarray of shape (n,)
        ``inf`` for a row with a duplicate at distance 0 everywhere; a single row scores ``inf``.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.cold_start import typicality
    >>> int(np.argmax(typicality(np.array([[0.], [1.], [2.], [10.]]), n_neighbors=2)))
    1
    """
    n = Z.shape[0]
    if n < 2:
        return np.full(n, np.inf)
    k = min(n_neighbors, n - 1)
    distances, _ = NearestNeighbors(n_neighbors=k + 1).fit(Z).kneighbors(Z)
    mean = distances[:, 1:].mean(axis=1)  # the first neighbour is the row itself
    with np.errstate(divide="ignore"):
        return 1.0 / mean


def typiclust_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None, X_labelled=None,
                       n_neighbors=20, max_clusters=500, min_cluster_size=5, max_typicality_rows=1000):
    """TypiClust (Hacohen et al., 2022): the most typical row of each of the largest uncovered clusters.

    The pool is clustered by :func:`~skal.strategies.diversity.kmeans_clusters`
    into ``min(|L| + n_instances, max_clusters)`` groups (at least
    ``n_instances``) and each labelled row counts in the cluster of its
    nearest centre (the paper clusters pool and labelled rows together;
    with few labelled rows the two agree, and this never copies the pool).
    Each pick goes to the cluster with the fewest labelled
    and picked rows, the largest among those, skipping clusters smaller than
    ``min_cluster_size`` while others remain (as the paper's code does), and
    takes its most typical unpicked row (:func:`typicality` among its
    members). A cluster of more than ``max_typicality_rows`` members has its
    typicality computed on that many members drawn at random (a density
    estimate from a sample; the paper's clusters are usually smaller).

    Parameters
    ----------
    estimator : fitted estimator, ActiveLearner, Committee or None
        Supplies the representation (None: the raw features); the labels are
        never used.
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Rows to query.
    random_tie_break : bool, default=False
        Accepted for the common signature; has no effect.
    random_state : int, RandomState instance or None, default=None
        Seeds the clustering and the typicality samples.
    X_labelled : rows like ``X``, default=None
        By default the learner's training rows (none for a plain estimator).
    n_neighbors : int, default=20
        ``k`` of the typicality (the paper's 20).
    max_clusters : int, default=500
        The paper's cap.
    min_cluster_size : int, default=5
        Clusters smaller than this are passed over while larger ones remain.
    max_typicality_rows : int, default=1000
        Most cluster members a typicality is computed on (at least 2).

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, in pick order.
    scores : ndarray of shape (n_instances,)
        Their typicality.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import typiclust_sampling
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.normal(0, 1, (40, 2)), rng.normal(10, 1, (20, 2))]
    >>> idx, _ = typiclust_sampling(None, X, n_instances=2, random_state=0)
    >>> sorted(int(i >= 40) for i in idx)
    [0, 1]
    """
    size = check_pool(X, n_instances)
    for value, name in ((n_neighbors, "n_neighbors"), (max_clusters, "max_clusters"),
                        (min_cluster_size, "min_cluster_size")):
        check_int(value, name)
    check_int(max_typicality_rows, "max_typicality_rows", minimum=2)
    check_fitted(estimator)
    rng = check_random_state(random_state)
    Z = pool_representation(estimator, X)
    L = _labelled(estimator, X_labelled)
    n_labelled = 0 if L is None else L.shape[0]
    n_clusters = min(max(n_instances, min(n_labelled + n_instances, max_clusters)), size)
    # The pool is clustered and the labelled rows join their nearest centre: the paper clusters
    # both together, which for |L| << N differs little and would copy the pool.
    pool_labels, centres = kmeans_clusters(Z, n_clusters, draw_seed(rng))
    sizes = np.bincount(pool_labels, minlength=n_clusters)
    taken = np.zeros(n_clusters)
    if L is not None:
        taken = np.bincount(pairwise_distances_argmin(L, centres.astype(L.dtype, copy=False)),
                            minlength=n_clusters).astype(float)
    picked = np.zeros(size, dtype=bool)
    picks, scores = [], []
    for _ in range(n_instances):  # over picks, never over pool rows
        left = sizes - np.bincount(pool_labels[picked], minlength=n_clusters)
        usable = left > 0
        big = usable & (sizes >= min_cluster_size)
        usable = big if big.any() else usable
        # fewest labelled rows first, then the largest cluster: lexsort's last key is primary
        order = np.lexsort((-sizes, taken))
        c = int(order[usable[order]][0])
        members = np.flatnonzero((pool_labels == c) & ~picked)
        if members.shape[0] > max_typicality_rows:
            members = np.sort(rng.choice(members, max_typicality_rows, replace=False))
        typical = typicality(Z[members], n_neighbors)
        best = int(np.argmax(typical))
        picks.append(members[best])
        scores.append(typical[best])
        picked[members[best]] = True
        taken[c] += 1
    return np.asarray(picks, dtype=np.intp), np.asarray(scores, dtype=float)


# --------------------------------------------------------------------------- ProbCover
def coverage_radius(Z, purity=0.95, n_clusters=10, n_queries=500, random_state=None):
    """ProbCover's ball radius: the largest ``δ`` whose balls are ``purity`` pure under k-means pseudo-labels.

    A ball ``B_δ(x)`` is pure when every row in it shares ``x``'s k-means
    cluster; it is pure exactly when ``δ`` is below the distance from ``x``
    to the nearest row of another cluster. So the largest ``δ`` with at least
    a ``purity`` share of pure balls is the ``1 − purity`` quantile of those
    distances, estimated on ``n_queries`` rows drawn at random against every
    row (O(n_queries·N·d), chunked), with ``n_clusters`` the number of
    classes expected (Yehuda et al. use the number of classes and purity 0.95).

    Parameters
    ----------
    Z : ndarray or CSR matrix of shape (N, d)
        The rows, in the representation compared.
    purity : float in (0, 1], default=0.95
        Share of balls that must be pure.
    n_clusters : int, default=10
        k-means clusters taken as pseudo-labels.
    n_queries : int, default=500
        Rows whose distance to another cluster is measured.
    random_state : int, RandomState instance or None, default=None
        Seeds the k-means and the choice of query rows.

    Returns
    -------
    radius : float
        The ball radius ``δ`` (euclidean).

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.cold_start import coverage_radius
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.normal(0, 0.1, (50, 2)), rng.normal(5, 0.1, (50, 2))]
    >>> bool(5 < coverage_radius(X, n_clusters=2, random_state=0) < 7.5)  # about the gap between the groups
    True
    """
    check_int(n_clusters, "n_clusters")
    check_int(n_queries, "n_queries")
    check_real(purity, "purity", 0, 1, closed="right")
    rng = check_random_state(random_state)
    n = Z.shape[0]
    labels, _ = kmeans_clusters(Z, min(n_clusters, n), draw_seed(rng))
    queries = np.sort(rng.choice(n, min(n_queries, n), replace=False))
    Q = Z[queries]
    other = np.full(queries.shape[0], np.inf)
    q_labels = labels[queries]
    Q_sq = row_norms(Q, squared=True)
    step = max(1, geometry.BLOCK_ENTRIES // max(1, queries.shape[0]))
    for rows in gen_batches(n, step):  # distances queries × chunk, same-cluster pairs masked
        chunk_labels = labels[rows]
        for q_rows, block in sq_distance_blocks(Q, Q_sq, Z[rows]):
            block[q_labels[q_rows, None] == chunk_labels[None, :]] = np.inf
            np.minimum(other[q_rows], block.min(axis=1), out=other[q_rows])
    finite = other[np.isfinite(other)]
    if finite.size == 0:
        raise ValueError("coverage_radius needs at least two k-means clusters with rows in them.")
    return float(np.sqrt(np.quantile(finite, 1.0 - purity)))


def ball_graph(Z, radius, n_neighbors=None, random_state=None):
    """Sparse symmetric graph of the rows within ``radius`` (euclidean) of each other, self-loops included.

    Parameters
    ----------
    Z : ndarray or CSR matrix of shape (N, d)
        The rows, in the representation compared.
    radius : float
        Ball radius (euclidean): two rows are joined when at most this far apart.
    n_neighbors : int or None, default=None
        None: the exact radius graph (:meth:`~sklearn.neighbors.NearestNeighbors.radius_neighbors_graph`,
        O(N²·d) time, memory of the edges only). An int: each row's
        ``n_neighbors`` nearest rows from the approximate
        :class:`~skal.strategies.neighbours.NeighbourIndex` (euclidean), kept
        when within ``radius``, symmetrised; balls are capped at
        that size, for pools too large for the exact graph.
    random_state : int, RandomState instance or None, default=None
        Seeds the index.

    Returns
    -------
    CSR matrix of shape (N, N), boolean
        Entry ``(i, j)`` is True when row ``j`` lies in the ball of row ``i``.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.cold_start import ball_graph
    >>> ball_graph(np.array([[0.], [0.5], [3.]]), radius=1.0).toarray().astype(int).tolist()
    [[1, 1, 0], [1, 1, 0], [0, 0, 1]]
    """
    n = Z.shape[0]
    if n_neighbors is None:
        A = NearestNeighbors(radius=radius).fit(Z).radius_neighbors_graph(Z, mode="connectivity")
        A = A.astype(bool).tocsr()
        A.setdiag(True)
        return A
    from .neighbours import NeighbourIndex

    Zd = np.ascontiguousarray(Z.toarray() if sp.issparse(Z) else Z, dtype=np.float32)
    index = NeighbourIndex(space="l2", random_state=random_state).fit(Zd)
    k = min(n_neighbors, n)
    rows, cols, keep = [], [], []
    for chunk in gen_batches(n, 65536):
        ids, sq_dist = index.query(Zd[chunk], k)
        rows.append(np.repeat(np.arange(chunk.start, chunk.stop), ids.shape[1]))
        cols.append(ids.ravel())
        keep.append(sq_dist.ravel() <= radius ** 2)
    r, c, keep = np.concatenate(rows), np.concatenate(cols), np.concatenate(keep)
    A = sp.csr_matrix((np.ones(int(keep.sum()), dtype=bool), (r[keep], c[keep])), shape=(n, n))
    A = (A + A.T).astype(bool).tocsr()
    A.setdiag(True)
    return A


def probcover_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None, X_labelled=None,
                       radius=None, purity=0.95, n_clusters=None, n_neighbors=None):
    """ProbCover (Yehuda et al., 2022): greedy maximum coverage of the pool by balls of radius ``δ``.

    Rows within ``radius`` of a labelled row start covered. Each pick is the
    row whose ball (:func:`ball_graph`) holds the most uncovered rows; the
    rows of its ball become covered and every row's count drops by the
    newly covered rows it reached, through the sparse graph's edges. Once
    everything is covered, the remaining picks are drawn at random, as in
    the paper.

    Parameters
    ----------
    estimator : fitted estimator, ActiveLearner, Committee or None
        Supplies the representation; labels are never used.
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Rows to query.
    random_tie_break : bool, default=False
        Break ties between equal coverage gains at random.
    random_state : int, RandomState instance or None, default=None
        Seeds the radius estimate, the index, the ties and the fill-in picks.
    X_labelled : rows like ``X``, default=None
        By default the learner's training rows.
    radius : float or None, default=None
        ``δ``; None chooses it by :func:`coverage_radius` with ``purity``
        and ``n_clusters``.
    purity : float, default=0.95
        Purity the radius is chosen for (see :func:`coverage_radius`).
    n_clusters : int or None, default=None
        Pseudo-classes for the radius; None: the estimator's number of
        classes, else 10.
    n_neighbors : int or None, default=None
        None: the exact ball graph (for pools up to some tens of thousands
        of rows); an int caps each ball at that many approximate nearest
        neighbours (see :func:`ball_graph`).

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, in pick order.
    scores : ndarray of shape (n_instances,)
        The rows each pick newly covered (0 for random fill-ins).

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import probcover_sampling
    >>> X = np.r_[np.zeros((5, 1)), np.full((3, 1), 10.), [[20.]]]
    >>> probcover_sampling(None, X, n_instances=2, radius=1.0)
    (array([0, 5]), array([5., 3.]))
    """
    size = check_pool(X, n_instances)
    check_real(radius, "radius", 0, None, closed="neither", allow_none=True)
    check_int(n_neighbors, "n_neighbors", allow_none=True)
    check_int(n_clusters, "n_clusters", allow_none=True)
    check_fitted(estimator)
    rng = check_random_state(random_state)
    Z = pool_representation(estimator, X)
    if radius is None:
        classes = getattr(estimator, "classes_", None)
        k = n_clusters if n_clusters is not None else (len(classes) if classes is not None else 10)
        radius = coverage_radius(Z, purity=purity, n_clusters=max(2, k), random_state=draw_seed(rng))
    A = ball_graph(Z, radius, n_neighbors, random_state=draw_seed(rng))
    covered = np.zeros(size, dtype=bool)
    L = _labelled(estimator, X_labelled)
    if L is not None:
        state = RunningMinDistance(Z)
        state.add(L)
        covered = state.dist <= radius
    degree = np.asarray(A[:, ~covered].sum(axis=1)).ravel().astype(float) if (~covered).any() else np.zeros(size)
    order = tie_order(random_tie_break, rng, size)
    available = np.ones(size, dtype=bool)
    picks, scores = [], []
    for _ in range(n_instances):  # over picks, never over pool rows
        gains = np.where(available, degree, -np.inf)
        i = argmax_in_order(gains, order)
        if gains[i] <= 0:
            i = int(rng.choice(np.flatnonzero(available)))
            gain = 0.0
        else:
            ball = A.indices[A.indptr[i]:A.indptr[i + 1]]
            new = ball[~covered[ball]]
            gain = float(new.shape[0])
            covered[new] = True
            # the graph is symmetric: the rows that reach a newly covered row are its own neighbours
            reached = A[new].indices
            degree -= np.bincount(reached, minlength=size)
        picks.append(i)
        scores.append(gain)
        available[i] = False
    return np.asarray(picks, dtype=np.intp), np.asarray(scores, dtype=float)
