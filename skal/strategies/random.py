"""Random sampling: the baseline every strategy must beat."""

from sklearn.utils import check_random_state

from ..data import check_pool
from .selection import select_top

__all__ = ["random_sampling"]


def random_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None, **kwargs):
    """Query ``n_instances`` pool rows uniformly at random, without replacement.

    The estimator is not consulted (it may even be unfitted). Scores are the
    uniform draws that ranked the pool, so the contract "most informative
    first" holds trivially. ``random_tie_break`` is accepted for a uniform
    signature and has no effect.

    Parameters
    ----------
    estimator : object or None
        Not consulted.
    X : array-like, sparse matrix, DataFrame or list of texts
        The pool.
    n_instances : int, default=1
        How many rows to query.
    random_tie_break : bool, default=False
        Has no effect.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw.
    **kwargs : dict
        Accepted for the common signature and ignored.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Distinct pool positions.
    scores : ndarray of shape (n_instances,)
        The uniform draws that ranked them, largest first.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import random_sampling
    >>> idx, _ = random_sampling(None, np.zeros((10, 2)), n_instances=3, random_state=0)
    >>> len(set(idx))
    3
    """
    size = check_pool(X, n_instances)
    draws = check_random_state(random_state).random_sample(size)
    return select_top(draws, n_instances)
