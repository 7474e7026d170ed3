"""Scoring only a random subset of a huge pool."""

import functools

import numpy as np
from sklearn.utils import check_random_state

from ..data import check_pool, take_rows

__all__ = ["subsample"]


def subsample(strategy, max_candidates=10000):
    """Wrap ``strategy`` so each query scores at most ``max_candidates`` random pool rows.

    The subset is drawn with the query's ``random_state``; the returned
    indices are positions in the full pool.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import random_sampling, subsample
    >>> fast = subsample(random_sampling, max_candidates=100)
    >>> idx, _ = fast(None, np.zeros((100000, 2)), n_instances=5, random_state=0)
    >>> idx.shape, bool(idx.max() < 100000)
    ((5,), True)
    """
    if max_candidates < 1:
        raise ValueError(f"max_candidates must be at least 1, got {max_candidates}.")

    @functools.wraps(strategy)
    def subsampled(estimator, X, n_instances=1, random_state=None, **kwargs):
        size = check_pool(X, n_instances)
        rng = check_random_state(random_state)
        if size <= max_candidates:
            return strategy(estimator, X, n_instances=n_instances, random_state=rng, **kwargs)
        rows = np.sort(rng.choice(size, max(max_candidates, n_instances), replace=False))
        picked, scores = strategy(estimator, take_rows(X, rows), n_instances=n_instances, random_state=rng, **kwargs)
        return rows[np.asarray(picked)], scores

    subsampled.__name__ = f"subsampled_{getattr(strategy, '__name__', 'strategy')}"
    return subsampled
