"""Information density: how representative a pool row is of the pool (Settles & Craven, 2008).

Holds modAL's ``modAL.density`` names: :func:`information_density`,
:func:`similarize_distance`, :func:`cosine_similarity` and
:func:`euclidean_similarity`. No N×N matrix is built: distances go block by
block, and large pools are compared with a random sample of reference rows.
"""

import numpy as np
from scipy.spatial.distance import cosine as _cosine_distance
from scipy.spatial.distance import euclidean as _euclidean_distance
from sklearn.metrics import pairwise_distances_chunked
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state
from sklearn.utils.extmath import safe_sparse_dot

from ..data import check_pool
from ..parameters import check_int
from .representation import pool_representation

__all__ = ["information_density", "similarize_distance", "cosine_similarity", "euclidean_similarity"]


def similarize_distance(distance_measure):
    """Turn a distance ``d(a, b)`` into the similarity ``1 / (1 + d(a, b))`` (as modAL).

    Parameters
    ----------
    distance_measure : callable
        A distance between two vectors, such as :func:`scipy.spatial.distance.euclidean`.

    Returns
    -------
    similarity : callable
        Takes the arguments of ``distance_measure`` and returns ``1 / (1 + distance)``.

    Examples
    --------
    >>> from scipy.spatial.distance import euclidean
    >>> from skal.strategies import similarize_distance
    >>> similarize_distance(euclidean)([0., 0.], [3., 4.])
    0.16666666666666666
    """
    if not callable(distance_measure):
        raise ValueError(f"distance_measure must be a callable, got {distance_measure!r}.")

    def similarity(*args, **kwargs):
        return 1.0 / (1.0 + distance_measure(*args, **kwargs))

    similarity.__name__ = f"{getattr(distance_measure, '__name__', 'distance')}_similarity"
    return similarity


def cosine_similarity(u, v):
    """``1 / (1 + cosine distance)`` of two vectors (modAL's ``cosine_similarity``).

    Parameters
    ----------
    u, v : array-like of shape (n_features,)
        The two vectors.

    Returns
    -------
    float
        Their similarity, in [1/3, 1].

    Examples
    --------
    >>> from skal.strategies import cosine_similarity
    >>> float(cosine_similarity([1., 0.], [0., 1.]))
    0.5
    """
    return 1.0 / (1.0 + _cosine_distance(u, v))


def euclidean_similarity(u, v):
    """``1 / (1 + euclidean distance)`` of two vectors (modAL's ``euclidean_similarity``).

    Parameters
    ----------
    u, v : array-like of shape (n_features,)
        The two vectors.

    Returns
    -------
    float
        Their similarity, in (0, 1].

    Examples
    --------
    >>> from skal.strategies import euclidean_similarity
    >>> float(euclidean_similarity([0., 0.], [0., 1.]))
    0.5
    """
    return 1.0 / (1.0 + _euclidean_distance(u, v))


def _is_model(obj):
    return obj is None or hasattr(obj, "fit") or hasattr(obj, "predict") or hasattr(obj, "embed")


def information_density(estimator, X=None, metric=None, n_reference=1000, random_state=None):
    """Mean similarity of each pool row to the pool, without N×N.

    Two call shapes:

    * modAL's ``information_density(X, metric="euclidean")``: the mean of
      ``1 / (1 + d(x_i, x_j))`` over the pool for any metric of
      :func:`~sklearn.metrics.pairwise_distances` (a string or a callable,
      e.g. ``similarize_distance(euclidean)`` as in modAL's example), on the
      raw features. Equal to modAL's values for pools up to ``n_reference``
      rows.
    * skal's ``information_density(estimator, X, metric="cosine")``: on the
      estimator's representation of the pool (its ``embed``, or the pipeline's
      features under ``on_transformed=True``; ``None`` for the raw features).
      With ``metric="cosine"`` it is the mean cosine similarity
      ``x̂_i · mean_j x̂_j`` (unit rows; zero rows score 0), **exact** in
      O(N·d) and in [-1, 1]; any other metric gives ``1 / (1 + d)`` as above.

    Pools larger than ``n_reference`` rows are compared with ``n_reference``
    random rows: an unbiased estimate in O(N·n_reference·d).

    Parameters
    ----------
    estimator : fitted estimator, ActiveLearner, Committee, None or array-like
        The model whose representation of the pool is compared (None: the
        raw features); or, in modAL's shape, the pool itself.
    X : array-like, sparse matrix, DataFrame, list of texts, str or callable, default=None
        The pool; or, in modAL's shape, the metric when given positionally.
    metric : str or callable, default=None
        A metric of :func:`~sklearn.metrics.pairwise_distances`; None means
        "cosine" in skal's shape and "euclidean" in modAL's.
    n_reference : int, default=1000
        Pools larger than this are compared with this many random rows.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of reference rows.

    Returns
    -------
    ndarray of shape (n_samples,)
        The density of each pool row; higher is more representative.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import information_density
    >>> information_density(None, np.array([[1., 0.], [1., 0.], [0., 1.]])).round(3)
    array([0.667, 0.667, 0.333])
    >>> information_density(np.array([[0.], [1.], [3.]])).round(3)
    array([0.583, 0.611, 0.528])
    """
    if not _is_model(estimator):  # modAL's information_density(X, metric)
        if X is not None and metric is None:
            X, metric = None, X
        if X is not None:
            raise ValueError("information_density(X, metric=...) takes the pool once; got two pools.")
        Z = pool_representation(None, estimator)
        metric = "euclidean" if metric is None else metric
        return _mean_similarity(Z, metric, n_reference, random_state)
    if X is None:
        raise ValueError("information_density needs a pool: information_density(estimator, X).")
    check_pool(X, 1)
    Z = pool_representation(estimator, X)
    metric = "cosine" if metric is None else metric
    if metric == "cosine":
        check_int(n_reference, "n_reference")
        unit = normalize(Z)
        centre = np.asarray(unit.mean(axis=0)).ravel()
        return np.asarray(safe_sparse_dot(unit, centre)).ravel().astype(float)
    return _mean_similarity(Z, metric, n_reference, random_state)


def _mean_similarity(Z, metric, n_reference, random_state):
    """Mean of ``1 / (1 + d)`` to every row (or ``n_reference`` random rows), block by block."""
    check_int(n_reference, "n_reference")
    size = Z.shape[0]
    if size == 0:
        raise ValueError("The pool is empty: there is nothing to query.")
    if size > n_reference:
        reference = Z[np.sort(check_random_state(random_state).choice(size, n_reference, replace=False))]
    else:
        reference = Z
    parts = pairwise_distances_chunked(
        Z, reference, metric=metric,
        reduce_func=lambda D, start: (1.0 / (1.0 + D)).mean(axis=1),
    )
    return np.concatenate(list(parts)).astype(float)
