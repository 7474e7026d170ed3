"""Diversity and batch-mode strategies: ranked batch, core-set, k-means, information-density sampling.

They work on a representation of the pool (the model's ``embed``, the
pipeline's features under ``on_transformed=True``, else the raw features; see
:mod:`skal.strategies.representation`) and scale to millions of rows: no N×N
matrix is ever built and no Python loop runs over pool rows. The distance of
every pool row to the labelled and already picked rows is kept as a running
minimum (:class:`skal.strategies.geometry.RunningMinDistance`), updated with one chunked O(N·d) pass
per pick, so a batch of ``b`` costs O(b·N·d) time and O(N) extra memory.
The density measure itself is in :mod:`skal.strategies.density`, modAL's
helpers for combining utility measures in :mod:`skal.strategies.combinators`.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state, gen_batches

from ..data import check_pool
from ..parameters import check_int
from .density import information_density
from .geometry import (
    BLOCK_ENTRIES,
    RunningMinDistance,
    argmax_in_order,
    d2_seeding,
    one_blas_thread,
    tie_order,
)
from .representation import labelled_representation, pool_representation
from .selection import select_top
from .uncertainty import classifier_uncertainty
from .unfitted import is_cold, select_cold_start_instance

__all__ = [
    "uncertainty_batch_sampling",
    "ranked_batch",
    "coreset_sampling",
    "kmeans_clusters",
    "kmeans_sampling",
    "select_instance",
    "information_density_sampling",
]

# Pools up to this size are clustered with full KMeans, larger ones with MiniBatchKMeans.
_EXACT_KMEANS_MAX_ROWS = 10_000
# MiniBatchKMeans batch size, also the sample that its k-means++ seeds are drawn from.
_KMEANS_BATCH_ROWS = 4096
# Lloyd iterations of kmeans_sampling's k-means (see kmeans_clusters).
_KMEANS_MAX_ITER = 10


# --------------------------------------------------------------------------- ranked batch
def ranked_batch(classifier, unlabeled, uncertainty_scores, n_instances=1, metric="euclidean", n_jobs=None,
                 random_tie_break=False, random_state=None):
    """Cardoso et al. (2017) ranked batch over given uncertainty scores (modAL's ``ranked_batch``).

    Each pick maximises
    ``α·(1 − 1/(1 + d_min)) + (1 − α)·uncertainty`` with ``α = |U| / (|U| + |L|)``,
    ``U`` the not yet picked pool rows, ``L`` the labelled plus already picked
    rows, and ``d_min`` a row's distance to its nearest member of ``L``. The
    distances are a running minimum: one O(N·d) pass per pick.

    Parameters
    ----------
    classifier : fitted estimator, ActiveLearner, Committee or None
        Supplies the representation and, for an ActiveLearner or Committee,
        the labelled set ``L``.
    unlabeled : array-like, sparse matrix, DataFrame or list of texts
        The pool.
    uncertainty_scores : array-like of shape (n_samples,)
        The uncertainty of each pool row, finite.
    n_instances : int, default=1
        How many rows to pick.
    metric : str, default="euclidean"
        A metric of :func:`~sklearn.metrics.pairwise_distances`;
        "euclidean", "sqeuclidean" and "cosine" are fastest.
    n_jobs : int or None, default=None
        Passed to :func:`~sklearn.metrics.pairwise_distances` for metrics
        other than those three.
    random_tie_break : bool, default=False
        Break ties between equal scores at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie break (and the reference rows of a large cold-start pool).

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions in rank order.
    scores : ndarray of shape (n_instances,)
        Each pick's ranked-batch score when it was picked.

    Notes
    -----
    A learner or committee with no labelled data and no fitted model (modAL's
    cold start) starts from the most central pool row
    (:func:`~skal.strategies.select_cold_start_instance`, computed block by
    block), on the raw features, as modAL does; that row then counts as
    labelled. With no labelled set otherwise (a plain fitted estimator, or an
    adopted pre-fitted model) the first pick is the most uncertain row.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import ranked_batch
    >>> X = np.array([[0.], [0.1], [5.]])
    >>> ranked_batch(None, X, [0.9, 0.8, 0.1], n_instances=2)[0]
    array([0, 2])
    """
    size = check_pool(unlabeled, n_instances)
    uncertainty = np.asarray(uncertainty_scores, dtype=float).ravel()
    if uncertainty.shape[0] != size:
        raise ValueError(
            f"uncertainty_scores has {uncertainty.shape[0]} values for a pool of {size} rows."
        )
    if not np.isfinite(uncertainty).all():
        raise ValueError("uncertainty_scores contains NaN or inf.")
    cold = is_cold(classifier)
    Z = pool_representation(None if cold else classifier, unlabeled)
    labelled = None if cold else labelled_representation(classifier)
    n_labelled = 0 if labelled is None else labelled.shape[0]
    state = RunningMinDistance(Z, metric, n_jobs)
    if labelled is not None:
        state.add(labelled)
    order = tie_order(random_tie_break, random_state, size)
    available = np.ones(size, dtype=bool)
    picks, scores = [], []
    if cold:
        first = select_cold_start_instance(Z, metric=metric, n_jobs=n_jobs, random_state=random_state)[0]
        picks.append(first)
        scores.append(uncertainty[first])
        available[first] = False
        state.add_row(first)
        n_labelled = 1
    with one_blas_thread():
        for n_picked in range(len(picks), n_instances):
            if n_labelled == 0:
                score = uncertainty
            else:
                # modAL counts its cold-start row as labelled and still as unlabelled
                n_unlabelled = size - n_picked + (1 if cold else 0)
                alpha = n_unlabelled / (n_unlabelled + n_labelled)
                score = alpha * (1.0 - 1.0 / (1.0 + state.dist)) + (1.0 - alpha) * uncertainty
            i = argmax_in_order(np.where(available, score, -np.inf), order)
            picks.append(i)
            scores.append(score[i])
            available[i] = False
            state.add_row(i)
            n_labelled += 1
    return np.asarray(picks, dtype=np.intp), np.asarray(scores, dtype=float)


def select_instance(X_training, X_pool, X_uncertainty, mask, metric="euclidean", n_jobs=None):
    """One ranked-batch pick (modAL's ``select_instance``): the best trade-off of distance and uncertainty.

    Scores the rows of ``X_pool`` still allowed by ``mask`` by
    ``α·(1 − 1/(1 + d_min)) + (1 − α)·uncertainty``, ``d_min`` their distance
    to the nearest row of ``X_training`` and ``α = |unmasked| / (|unmasked| +
    |X_training|)``, computed block by block. :func:`ranked_batch` does the
    whole batch with a running minimum instead of calling this per pick.

    Parameters
    ----------
    X_training : array-like of shape (n_labelled, n_features)
        The labelled rows (and earlier picks), numeric.
    X_pool : array-like of shape (n_samples, n_features)
        The pool, numeric.
    X_uncertainty : array-like of shape (n_samples,)
        The uncertainty of each pool row.
    mask : ndarray of bool, shape (n_samples,)
        True for the rows that may still be picked; not modified.
    metric : str, default="euclidean"
        A metric of :func:`~sklearn.metrics.pairwise_distances`.
    n_jobs : int or None, default=None
        Passed to :func:`~sklearn.metrics.pairwise_distances` for the slower metrics.

    Returns
    -------
    index : int
        The pick's position in ``X_pool``.
    row : array-like of shape (1, n_features)
        The picked row.
    mask : ndarray of bool
        A copy of ``mask`` with the pick set to False.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import select_instance
    >>> X_pool = np.array([[0.], [1.], [5.]])
    >>> select_instance(np.array([[0.]]), X_pool, np.zeros(3), np.ones(3, dtype=bool))[0]
    2
    """
    mask = np.asarray(mask, dtype=bool).copy()
    uncertainty = np.asarray(X_uncertainty, dtype=float).ravel()
    Z = pool_representation(None, X_pool)
    L = pool_representation(None, X_training)
    if not mask.any():
        raise ValueError("Every pool row is masked: there is nothing left to pick.")
    state = RunningMinDistance(Z, metric, n_jobs)
    state.add(L)
    n_unlabelled = int(mask.sum())
    alpha = n_unlabelled / (n_unlabelled + L.shape[0])
    score = alpha * (1.0 - 1.0 / (1.0 + state.dist)) + (1.0 - alpha) * uncertainty
    index = int(np.argmax(np.where(mask, score, -np.inf)))
    mask[index] = False
    return index, X_pool[[index]], mask


def uncertainty_batch_sampling(classifier, X, n_instances=None, random_tie_break=False, random_state=None,
                               metric="euclidean", n_jobs=None, **uncertainty_measure_kwargs):
    """Ranked batch-mode sampling with least-confidence uncertainty (Cardoso et al., 2017).

    skal's version of modAL's ``uncertainty_batch_sampling``: same picks, in
    O(n_instances·N·d) time and O(N) extra memory instead of modAL's growing
    distance matrices. A plain uncertainty top-k picks near-duplicates; this
    trades uncertainty off against distance to the labelled and already
    picked rows (see :func:`ranked_batch`).

    Parameters
    ----------
    classifier : fitted classifier, ActiveLearner or Committee
        Supplies the uncertainty, the representation and the labelled set.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, represented as :func:`~skal.strategies.representation.pool_representation` says.
    n_instances : int, default=None
        None: 20, or the whole pool when it is smaller (modAL's default and
        cap); an explicit value larger than the pool is an error.
    random_tie_break : bool, default=False
        Break ties between equal scores at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie break.
    metric : str, default="euclidean"
        A metric of :func:`~sklearn.metrics.pairwise_distances`.
    n_jobs : int or None, default=None
        Passed to :func:`~sklearn.metrics.pairwise_distances` for the slower metrics.
    **uncertainty_measure_kwargs : dict
        Passed to ``predict_proba``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions in rank order.
    scores : ndarray of shape (n_instances,)
        Their ranked-batch scores at the time they were picked.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner
    >>> from skal.strategies import uncertainty_batch_sampling
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(200, 2)); y = (X[:, 0] > 0).astype(int)
    >>> learner = ActiveLearner(LogisticRegression(), uncertainty_batch_sampling,
    ...                         X_training=X[:10], y_training=y[:10])
    >>> idx, rows = learner.query(X[10:], n_instances=5)
    >>> len(set(idx))
    5
    """
    if n_instances is None:
        n_instances = min(20, check_pool(X, 1))
    check_pool(X, n_instances)
    uncertainty = classifier_uncertainty(classifier, X, **uncertainty_measure_kwargs)
    return ranked_batch(classifier, X, uncertainty, n_instances, metric=metric, n_jobs=n_jobs,
                        random_tie_break=random_tie_break, random_state=random_state)


# --------------------------------------------------------------------------- core-set
def coreset_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None,
                     metric="euclidean", n_jobs=None):
    """Greedy k-center core-set (Sener & Savarese, 2018).

    Each pick is the pool row farthest from every labelled and already picked
    row, so the batch covers the pool. Without a labelled set (a plain
    estimator, or ``estimator=None``) the pool mean counts as the one covered
    point: the first pick is the row farthest from it.

    Parameters
    ----------
    estimator : fitted estimator, ActiveLearner, Committee or None
        Supplies the representation and, for a learner, the labelled set.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, represented as :func:`~skal.strategies.representation.pool_representation` says.
    n_instances : int, default=1
        How many rows to pick.
    random_tie_break : bool, default=False
        Break ties between equally far rows at random.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie break.
    metric : str, default="euclidean"
        Any metric of :func:`~sklearn.metrics.pairwise_distances`.
    n_jobs : int or None, default=None
        Passed to :func:`~sklearn.metrics.pairwise_distances` for the slower metrics.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions in pick order.
    scores : ndarray of shape (n_instances,)
        Each pick's distance to its nearest labelled or earlier-picked row
        (the covering radius, non-increasing).

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import coreset_sampling
    >>> X = np.array([[0., 0.], [0.1, 0.], [5., 5.], [0., 0.2]])
    >>> coreset_sampling(None, X, n_instances=2)[0]
    array([2, 0])
    """
    size = check_pool(X, n_instances)
    Z = pool_representation(estimator, X)
    state = RunningMinDistance(Z, metric, n_jobs)
    labelled = labelled_representation(estimator)
    if labelled is None:
        state.add(np.asarray(Z.mean(axis=0)).reshape(1, -1))
    else:
        state.add(labelled)
    order = tie_order(random_tie_break, random_state, size)
    available = np.ones(size, dtype=bool)
    picks, scores = [], []
    with one_blas_thread():
        for _ in range(n_instances):
            i = argmax_in_order(np.where(available, state.dist, -np.inf), order)
            picks.append(i)
            scores.append(state.dist[i])
            available[i] = False
            state.add_row(i)
    return np.asarray(picks, dtype=np.intp), np.asarray(scores, dtype=float)


# --------------------------------------------------------------------------- k-means
def kmeans_clusters(Z, n_clusters, random_state=None, weights=None, max_iter=_KMEANS_MAX_ITER):
    """K-means of the rows of ``Z``, scaled for pools of millions of rows: ``(labels, centres)``.

    Starts from k-means++ seeds (D² sampling, :func:`~skal.strategies.geometry.d2_seeding`)
    drawn from the rows, or from a random sample of ``max(4096, 10·n_clusters)``
    rows of a larger ``Z``. Up to 10,000 rows, then at most ``max_iter``
    Lloyd iterations (:class:`~sklearn.cluster.KMeans`); larger ``Z``,
    :class:`~sklearn.cluster.MiniBatchKMeans` with batches of 4,096 rows.

    Parameters
    ----------
    Z : ndarray or CSR matrix of shape (N, d)
        The rows to cluster.
    n_clusters : int
        The number of clusters.
    random_state : int, RandomState instance or None, default=None
        Seeds the seeding, the sample of large ``Z`` and the mini-batches.
    weights : ndarray of shape (N,) or None, default=None
        Sample weights, positive.
    max_iter : int, default=10
        Lloyd iterations for pools of up to 10,000 rows. Ten reach within
        0.5 % of the converged inertia on sentence embeddings (MR, 8,600 ×
        384, 25 clusters: 6,053 against 6,028 after 40 iterations) in a
        quarter of the time.

    Returns
    -------
    labels : ndarray of shape (N,)
        The cluster of each row.
    centres : ndarray of shape (n_clusters, d)
        The cluster centres, in ``Z``'s dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.diversity import kmeans_clusters
    >>> labels, centres = kmeans_clusters(np.array([[0.], [0.1], [5.], [5.1]]), 2, random_state=0)
    >>> labels.tolist(), centres.ravel().round(2).tolist()
    ([0, 0, 1, 1], [0.05, 5.05])
    """
    size = Z.shape[0]
    rng = check_random_state(random_state)
    # k-means++ seeds (ours: sklearn's upcasts float32 pools block by block), from a sample of large pools
    n_sample = max(_KMEANS_BATCH_ROWS, 10 * n_clusters)
    sample = np.arange(size) if size <= n_sample else np.sort(rng.choice(size, n_sample, replace=False))
    sample_weights = None if weights is None else weights[sample]
    first = int(rng.choice(sample.shape[0], p=None if weights is None else sample_weights / sample_weights.sum()))
    seeds, _ = d2_seeding(Z[sample], n_clusters, first, rng, sample_weights)
    init = Z[sample[seeds]]
    init = init.toarray() if sp.issparse(init) else init
    if size <= _EXACT_KMEANS_MAX_ROWS:
        km = KMeans(n_clusters=n_clusters, init=init, n_init=1, max_iter=max_iter, random_state=rng)
    else:
        km = MiniBatchKMeans(n_clusters=n_clusters, init=init, n_init=1, batch_size=_KMEANS_BATCH_ROWS,
                             random_state=rng)
    with warnings.catch_warnings():  # fewer distinct rows than clusters, or max_iter reached
        warnings.simplefilter("ignore", ConvergenceWarning)
        km.fit(Z, sample_weight=weights)
    return km.labels_, km.cluster_centers_.astype(Z.dtype, copy=False)


def kmeans_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None, weighted=False,
                    max_iter=_KMEANS_MAX_ITER):
    """Cluster the pool into ``n_instances`` groups; pick the row nearest each centroid.

    The clustering is :func:`kmeans_clusters`: k-means++ seeds, then at most
    ``max_iter`` Lloyd iterations for pools of up to 10,000 rows, or
    MiniBatchKMeans for larger ones, so a million rows take seconds. Each
    cluster contributes its own member closest to its centroid, so the
    picks are distinct; if clustering leaves clusters empty (fewer distinct
    rows than ``n_instances``), the batch is filled with the rows farthest
    from the picks.

    Parameters
    ----------
    estimator : fitted estimator, ActiveLearner, Committee or None
        Supplies the representation (and the uncertainty when ``weighted``).
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, represented as :func:`~skal.strategies.representation.pool_representation` says.
    n_instances : int, default=1
        How many rows to pick, one per cluster.
    random_tie_break : bool, default=False
        Accepted for the common signature; has no effect.
    random_state : int, RandomState instance or None, default=None
        Seeds the clustering.
    weighted : bool, default=False
        Weight rows by the model's least-confidence uncertainty while
        clustering (Zhdanov, 2019), pulling centroids towards uncertain
        regions. Needs a classifier.
    max_iter : int, default=10
        Lloyd iterations (see :func:`kmeans_clusters`). Running k-means to
        convergence (scikit-learn's 300) made this the slowest strategy in
        simulations: 40 iterations per query on sentence embeddings.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, largest cluster first.
    scores : ndarray of shape (n_instances,)
        The size of each pick's cluster (0 for fill-ins).

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import kmeans_sampling
    >>> X = np.array([[0., 0.], [0.1, 0.], [0.2, 0.], [9., 9.], [9.1, 9.], [9.2, 9.], [9.1, 9.1]])
    >>> idx, sizes = kmeans_sampling(None, X, n_instances=2, random_state=0)
    >>> idx, sizes
    (array([4, 1]), array([4., 3.]))
    """
    size = check_pool(X, n_instances)
    check_int(max_iter, "max_iter")
    Z = pool_representation(estimator, X)
    weights = None
    if weighted:
        if estimator is None:
            raise ValueError("kmeans_sampling(weighted=True) needs a fitted classifier, got estimator=None.")
        weights = classifier_uncertainty(estimator, X) + 1e-12
    labels, centres = kmeans_clusters(Z, n_instances, random_state, weights, max_iter)
    own = np.empty(size)  # squared distance of each row to its own centroid, O(N·d)
    for rows in gen_batches(size, max(1, BLOCK_ENTRIES // max(1, Z.shape[1]))):
        diff = (Z[rows].toarray() if sp.issparse(Z) else Z[rows]) - centres[labels[rows]]
        own[rows] = np.einsum("ij,ij->i", diff, diff)
    order = np.lexsort((own, labels))
    first = order[np.r_[True, labels[order][1:] != labels[order][:-1]]]
    counts = np.bincount(labels, minlength=n_instances)[labels[first]].astype(float)
    if first.shape[0] < n_instances:
        state = RunningMinDistance(Z)
        state.add(Z[first])
        available = np.ones(size, dtype=bool)
        available[first] = False
        extra = []
        for _ in range(n_instances - first.shape[0]):
            i = argmax_in_order(np.where(available, state.dist, -np.inf), None)
            extra.append(i)
            available[i] = False
            state.add_row(i)
        first = np.r_[first, extra]
        counts = np.r_[counts, np.zeros(len(extra))]
    rank = np.argsort(-counts, kind="stable")
    return first[rank].astype(np.intp), counts[rank]


# --------------------------------------------------------------------------- density
def information_density_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None,
                                 beta=1.0, metric="cosine", n_reference=1000, **predict_proba_kwargs):
    """Uncertainty weighted by representativeness: ``uncertainty · density^beta``.

    Settles & Craven's (2008) information-density framework with
    least-confidence uncertainty and :func:`information_density` (negative
    cosine densities are clipped to 0). ``beta`` sets how much density counts.

    Parameters
    ----------
    estimator : fitted classifier, ActiveLearner or Committee
        Supplies the uncertainty and the representation.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool, represented as :func:`~skal.strategies.representation.pool_representation` says.
    n_instances : int, default=1
        How many rows to query.
    random_tie_break : bool, default=False
        Break ties between equal scores at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie break and the reference rows of the density.
    beta : float, default=1.0
        The exponent of the density.
    metric : str or callable, default="cosine"
        The metric of :func:`~skal.strategies.information_density`.
    n_reference : int, default=1000
        Pools larger than this are compared with this many random rows.
    **predict_proba_kwargs : dict
        Passed to ``predict_proba``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Pool positions, most informative first.
    scores : ndarray of shape (n_instances,)
        Their scores ``uncertainty · density^beta``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies.diversity import information_density_sampling
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(50, 3)); y = (X[:, 0] > 0).astype(int)
    >>> clf = LogisticRegression().fit(X, y)
    >>> idx, scores = information_density_sampling(clf, X, n_instances=3)
    >>> idx.shape
    (3,)
    """
    check_pool(X, n_instances)
    density = information_density(estimator, X, metric=metric, n_reference=n_reference,
                                  random_state=random_state)
    uncertainty = classifier_uncertainty(estimator, X, **predict_proba_kwargs)
    scores = uncertainty * np.clip(density, 0.0, None) ** beta
    return select_top(scores, n_instances, random_tie_break, random_state)
