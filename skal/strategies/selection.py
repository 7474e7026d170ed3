"""Turning per-row informativeness scores into a ranked query.

:func:`select_top` is what skal's strategies use. :func:`multi_argmax`,
:func:`shuffled_argmax` and :func:`weighted_random` are modAL's selectors
(``modAL.utils.selection``) under their names; they return pool positions,
most informative first, and take a ``random_state`` where chance enters.
:func:`check_score_rows` is the check every score goes through: one score per
pool row.
"""

import numpy as np
from sklearn.utils import check_random_state

from ..data import check_pool, n_rows

__all__ = ["select_top", "multi_argmax", "shuffled_argmax", "weighted_random", "check_score_rows", "split_query_result"]


def check_score_rows(scores, X_pool, what="The scores"):
    """Raise a ValueError unless ``scores`` has one entry (row) per row of ``X_pool``.

    A DataFrame handed to a pipeline that expects texts is read as its column
    names, so the model scores 2 "rows" for a 380-row pool; this check turns
    that into an error that says what to pass.

    Parameters
    ----------
    scores : array-like
        What a model or measure returned: one entry (or row) per pool row.
    X_pool : array-like, sparse matrix, DataFrame or list of texts
        The pool that was scored.
    what : str, default="The scores"
        Names the scores in the message.

    Returns
    -------
    n : int
        The number of pool rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import check_score_rows
    >>> check_score_rows(np.zeros(3), np.zeros((3, 2)))
    3
    >>> check_score_rows(np.zeros(2), np.zeros((3, 2)))
    Traceback (most recent call last):
    ...
    ValueError: The scores have 2 entries for a pool of 3 rows; a strategy needs one score per pool row.
    """
    n_pool, n_scores = n_rows(X_pool), n_rows(scores)
    if n_scores != n_pool:
        message = (
            f"{what} have {n_scores} entries for a pool of {n_pool} rows; "
            "a strategy needs one score per pool row."
        )
        if hasattr(X_pool, "columns"):
            message += (
                " A DataFrame given to a model that expects texts is read as its column names: "
                "pass the text column (df['text']) or put a ColumnTransformer in front of the model."
            )
        raise ValueError(message)
    return n_pool


def select_top(scores, n_instances=1, random_tie_break=False, random_state=None):
    """Indices of the ``n_instances`` highest scores, most informative first.

    Parameters
    ----------
    scores : array-like of shape (n_samples,)
        Informativeness of each pool row; higher is more informative. NaN
        scores rank last.
    n_instances : int, default=1
        How many rows to return.
    random_tie_break : bool, default=False
        Break ties between equal scores at random instead of by position.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie-breaking shuffle.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Row positions, sorted from most to least informative; ties go to the
        lower position unless ``random_tie_break``.
    selected_scores : ndarray of shape (n_instances,)
        ``scores[indices]``.

    Examples
    --------
    >>> from skal.strategies import select_top
    >>> select_top([0.1, 0.9, 0.5], n_instances=2)
    (array([1, 2]), array([0.9, 0.5]))
    """
    scores = np.asarray(scores, dtype=float).ravel()
    check_pool(scores, n_instances)
    keys = np.where(np.isnan(scores), -np.inf, scores)
    if random_tie_break:
        order = check_random_state(random_state).permutation(scores.shape[0])
        ranked = order[np.argsort(-keys[order], kind="stable")[:n_instances]]
    else:
        ranked = np.argsort(-keys, kind="stable")[:n_instances]
    return ranked, scores[ranked]


def multi_argmax(values, n_instances=1):
    """Positions of the ``n_instances`` largest values (modAL's ``multi_argmax``).

    modAL 0.4.1 returns them in no particular order; skal returns them
    largest first (ties by position).

    Parameters
    ----------
    values : array-like of shape (n_samples,)
        One utility per pool row, higher is more informative.
    n_instances : int, default=1
        How many positions to return.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Their positions, largest value first.

    Examples
    --------
    >>> from skal.strategies import multi_argmax
    >>> multi_argmax([0.2, 0.9, 0.5], n_instances=2)
    array([1, 2])
    """
    return select_top(values, n_instances)[0]


def shuffled_argmax(values, n_instances=1, random_state=None):
    """Positions of the ``n_instances`` largest values, ties broken at random (modAL's ``shuffled_argmax``).

    modAL shuffles with numpy's global random state and returns the positions
    smallest value first; skal takes a ``random_state`` and returns them
    largest first.

    Parameters
    ----------
    values : array-like of shape (n_samples,)
        One utility per pool row, higher is more informative.
    n_instances : int, default=1
        How many positions to return.
    random_state : int, RandomState instance or None, default=None
        Seeds the order among equal values.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Their positions, largest value first.

    Examples
    --------
    >>> from skal.strategies import shuffled_argmax
    >>> shuffled_argmax([1.0, 3.0, 3.0, 0.0], n_instances=2, random_state=0).tolist() in ([1, 2], [2, 1])
    True
    """
    return select_top(values, n_instances, random_tie_break=True, random_state=random_state)[0]


def weighted_random(weights, n_instances=1, random_state=None):
    """``n_instances`` distinct positions drawn with probability proportional to ``weights`` (modAL's).

    Parameters
    ----------
    weights : array-like of shape (n_samples,)
        Non-negative weight of each pool row, with a positive sum.
    n_instances : int, default=1
        At most the number of positive weights.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        The drawn positions, in draw order.

    Examples
    --------
    >>> from skal.strategies import weighted_random
    >>> sorted(weighted_random([0.0, 1.0, 2.0, 0.0], n_instances=2, random_state=0).tolist())
    [1, 2]
    """
    weights = np.asarray(weights, dtype=float).ravel()
    size = check_pool(weights, n_instances)
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("weights must be finite and non-negative.")
    positive = int(np.count_nonzero(weights))
    if positive == 0:
        raise ValueError("The sum of the weights must be larger than zero.")
    if n_instances > positive:
        raise ValueError(
            f"n_instances={n_instances} distinct rows cannot be drawn: only {positive} of the "
            f"{size} weights are positive."
        )
    rng = check_random_state(random_state)
    return rng.choice(size, size=n_instances, replace=False, p=weights / weights.sum())


def split_query_result(result):
    """Split what a query strategy returned into ``(indices, scores)``; scores are None for bare indices.

    modAL's strategies return ``(indices, instances)`` pairs and some user
    strategies return the indices only; every caller reads them through here.

    Parameters
    ----------
    result : tuple or array-like
        A strategy's return value.

    Returns
    -------
    indices : array-like
        The chosen pool positions, as the strategy gave them.
    scores : array-like or None
        The second item of a pair, else None.

    Examples
    --------
    >>> from skal.strategies.selection import split_query_result
    >>> split_query_result(([2, 0], [0.9, 0.5]))
    ([2, 0], [0.9, 0.5])
    >>> split_query_result([2, 0])
    ([2, 0], None)
    """
    if isinstance(result, tuple) and len(result) == 2:
        return result
    return result, None
