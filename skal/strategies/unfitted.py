"""What strategies do before any model is fitted: neutral scores and modAL's cold-start instance.

A learner built without training data can still be queried, as in modAL:
the uncertainty and disagreement measures of a model that is not fitted yet
are neutral (least confidence 1, margin 0, entropy 0, disagreement 0), and
ranked batch sampling starts from the most central pool row
(:func:`select_cold_start_instance`). Bad input is still refused: the pool
is checked (empty, NaN/inf) before neutral scores are handed out.
"""

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.metrics import pairwise_distances_chunked
from sklearn.utils import check_random_state

from ..data import check_pool, take_rows
from ..parameters import check_int
from ..query_calls import check_pool_values
from .selection import check_score_rows

__all__ = ["is_cold", "cold_start_scores", "predict_or_none", "select_cold_start_instance"]


def is_cold(estimator):
    """True for a skal learner or committee with no fitted model and nothing to fit on.

    A learner given ``X_training``/``y_training`` fits itself here (modAL's
    constructor semantics) and is not cold.

    Parameters
    ----------
    estimator : object
        Any estimator; only those with ``ensure_fitted`` (skal's learners and
        committees) can be cold.

    Returns
    -------
    bool
        True when ``estimator`` has no model and no training data.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal import ActiveLearner
    >>> from skal.strategies.unfitted import is_cold
    >>> is_cold(ActiveLearner(LogisticRegression())), is_cold(LogisticRegression())
    (True, False)
    """
    ensure = getattr(estimator, "ensure_fitted", None)
    return ensure is not None and not ensure(required=False)


def cold_start_scores(estimator, X, value):
    """``value`` for every row of a checked pool: the neutral score of a model not fitted yet.

    Raises the usual ValueError for an empty pool or one holding NaN/inf the
    estimator cannot take.

    Parameters
    ----------
    estimator : object or None
        The model not fitted yet, whose input checks the pool must pass;
        None skips them.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool.
    value : float
        The neutral score.

    Returns
    -------
    ndarray of shape (n_samples,)
        ``value`` for every pool row.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.unfitted import cold_start_scores
    >>> cold_start_scores(None, np.zeros((3, 2)), 1.0)
    array([1., 1., 1.])
    """
    size = check_pool(X, 1)
    if estimator is not None:
        check_pool_values(X, estimator)
    return np.full(size, float(value))


def predict_or_none(method, estimator, X, **kwargs):
    """``estimator.<method>(X, **kwargs)`` checked for one row per pool row, or None if not fitted.

    Parameters
    ----------
    method : str
        The method to call, such as ``"predict_proba"`` or ``"vote"``.
    estimator : object
        The model.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool.
    **kwargs : dict
        Passed to the method.

    Returns
    -------
    array-like or None
        What the method returned, or None when it raised
        :class:`~sklearn.exceptions.NotFittedError`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies.unfitted import predict_or_none
    >>> predict_or_none("predict_proba", LogisticRegression(), np.zeros((2, 1))) is None
    True
    """
    try:
        out = getattr(estimator, method)(X, **kwargs)
    except NotFittedError:
        return None
    if X is not None:
        check_score_rows(out, X, f"{type(estimator).__name__}.{method}")
    return out


def select_cold_start_instance(X, metric="euclidean", n_jobs=None, max_reference=10_000, random_state=None):
    """The pool row with the smallest mean distance to the pool (modAL's cold-start pick).

    Cardoso et al.'s ranked batch needs a labelled set; with none, it starts
    from the most central row. The mean distances are computed block by
    block (O(N) memory, never the N×N matrix); over pools larger than
    ``max_reference`` rows they are averaged over that many random rows.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
        The pool, numeric.
    metric : str or callable, default="euclidean"
        Passed to :func:`~sklearn.metrics.pairwise_distances_chunked`.
    n_jobs : int or None, default=None
        Passed to :func:`~sklearn.metrics.pairwise_distances_chunked`.
    max_reference : int, default=10000
        Pools up to this size are exact (modAL's pick).
    random_state : int, RandomState instance or None, default=None
        Seeds the reference rows of larger pools.

    Returns
    -------
    index : int
        The position of the most central row.
    row : array-like of shape (1, n_features)
        That row, in the container type of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import select_cold_start_instance
    >>> select_cold_start_instance(np.array([[0.], [1.], [2.], [10.]]))[0]
    1
    """
    size = check_pool(X, 1)
    check_int(max_reference, "max_reference")
    Z = X.to_numpy() if hasattr(X, "to_numpy") else X
    if size > max_reference:
        rows = np.sort(check_random_state(random_state).choice(size, max_reference, replace=False))
        reference = Z[rows]
    else:
        reference = Z
    parts = pairwise_distances_chunked(
        Z, reference, metric=metric, n_jobs=n_jobs, reduce_func=lambda D, start: D.mean(axis=1)
    )
    index = int(np.argmin(np.concatenate(list(parts))))
    return index, take_rows(X, [index])
