"""Turning per-row informativeness scores into a ranked query."""

import numpy as np
from sklearn.utils import check_random_state

from ..data import check_pool

__all__ = ["select_top"]


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
