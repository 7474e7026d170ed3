"""Scoring only a random subset of a huge pool.

Some strategies cost far more per pool row than a forward pass (expected
error reduction refits per row, BatchBALD's joint entropies grow with the
batch); on a pool of millions of rows, scoring a random subset of candidates
is the standard remedy. :func:`subsample` wraps any strategy so; the indices
it returns are positions in the full pool.
"""

import functools
import inspect

import numpy as np
from sklearn.utils import check_random_state

from ..data import check_pool, take_rows
from ..parameters import check_int
from ..seeding import draw_seed
from .selection import split_query_result
from .uncertainty import uncertainty_sampling

__all__ = ["check_callable", "run_on_rows", "subsample", "subsampled_sampling"]


def check_callable(value, name="strategy"):
    """``value`` when it can be called; else a ValueError naming ``name``.

    The strategy wrappers (:func:`subsample`, SEALS, AnchorAL, the
    stochastic batches) take another strategy or utility as an argument and
    check it here before anything runs.

    Parameters
    ----------
    value : object
        The argument to check.
    name : str, default="strategy"
        Its name, for the error message.

    Returns
    -------
    value : callable
        ``value``, unchanged.

    Raises
    ------
    ValueError
        When ``value`` is not callable.

    Examples
    --------
    >>> from skal.strategies.subsampling import check_callable
    >>> check_callable(len) is len
    True
    >>> check_callable("margin", "utility")
    Traceback (most recent call last):
    ...
    ValueError: utility must be a callable, got 'margin'.
    """
    if not callable(value):
        raise ValueError(f"{name} must be a callable, got {value!r}.")
    return value


def _parameters(strategy):
    try:
        return inspect.signature(strategy).parameters
    except (TypeError, ValueError):
        return {}


def subsampled_sampling(estimator, X, n_instances=1, random_tie_break=False, random_state=None,
                        strategy=uncertainty_sampling, max_candidates=10000, **strategy_kwargs):
    """Run ``strategy`` on at most ``max_candidates`` pool rows drawn at random.

    The candidate rows are drawn without replacement with ``random_state``
    and kept in pool order, the strategy picks among them, and its indices
    are mapped back to positions in ``X``. A pool no larger than
    ``max_candidates`` is passed whole. A strategy that takes
    ``random_state`` receives a seed drawn from the same generator; one
    that takes ``random_tie_break`` receives it. Strategies written for
    modAL (bare indices) are accepted; their scores come back as NaN.

    Parameters
    ----------
    estimator : fitted estimator, ActiveLearner, Committee or None
        Passed to ``strategy`` as it is.
    X : array-like, sparse matrix or list of texts
        The pool.
    n_instances : int, default=1
        Rows to query.
    random_tie_break : bool, default=False
        Passed to ``strategy`` when it takes it.
    random_state : int, RandomState instance or None, default=None
        Seeds the draw of candidates and ``strategy``.
    strategy : callable, default=uncertainty_sampling
        The query strategy run on the candidates.
    max_candidates : int, default=10000
        Candidate rows drawn; at least ``n_instances``.
    **strategy_kwargs : dict
        Further keyword arguments of ``strategy``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        Positions in the full pool, in the strategy's order.
    scores : ndarray of shape (n_instances,)
        The strategy's scores for them.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import coreset_sampling
    >>> from skal.strategies.subsampling import subsampled_sampling
    >>> X = np.random.RandomState(0).normal(size=(100_000, 2))
    >>> idx, _ = subsampled_sampling(None, X, n_instances=3, strategy=coreset_sampling,
    ...                              max_candidates=1000, random_state=0)
    >>> idx.shape
    (3,)
    """
    size = check_pool(X, n_instances)
    check_int(max_candidates, "max_candidates")
    if n_instances > max_candidates:
        raise ValueError(
            f"max_candidates={max_candidates} is smaller than n_instances={n_instances}: "
            "the strategy could not pick enough rows."
        )
    check_callable(strategy)
    rng = check_random_state(random_state)
    rows = None
    if size > max_candidates:
        rows = np.sort(rng.choice(size, max_candidates, replace=False))
    return run_on_rows(strategy, estimator, X, rows, n_instances, random_tie_break, rng, **strategy_kwargs)


def run_on_rows(strategy, estimator, X, rows, n_instances=1, random_tie_break=False, random_state=None,
                **strategy_kwargs):
    """Run ``strategy`` on the pool rows ``rows`` only; return its picks as positions in ``X``.

    The wrappers that shrink the pool (:func:`subsample`, and SEALS and
    AnchorAL in :mod:`skal.strategies.neighbours`) share this: a strategy
    that takes ``random_state`` receives a seed drawn from ``random_state``;
    one that takes ``random_tie_break`` receives it; a strategy written for
    modAL (bare indices) gets NaN scores.

    Parameters
    ----------
    strategy : callable
        The query strategy to run.
    estimator : fitted estimator, ActiveLearner, Committee or None
        Passed to ``strategy`` as it is.
    X : array-like, sparse matrix or list of texts
        The whole pool.
    rows : ndarray of int or None
        The pool positions ``strategy`` sees; None for the whole pool.
    n_instances : int, default=1
        Rows to query.
    random_tie_break : bool, default=False
        Passed to ``strategy`` when it takes it.
    random_state : int, RandomState instance or None, default=None
        Where the seed handed to ``strategy`` is drawn from.
    **strategy_kwargs : dict
        Further keyword arguments of ``strategy``.

    Returns
    -------
    indices : ndarray of shape (n_instances,)
        The strategy's picks as positions in ``X``.
    scores : ndarray of shape (n_instances,)
        The strategy's scores for them (NaN for a strategy that returns bare indices).

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import coreset_sampling
    >>> from skal.strategies.subsampling import run_on_rows
    >>> X = np.array([[0.], [1.], [2.], [50.]])
    >>> run_on_rows(coreset_sampling, None, X, np.array([0, 1, 2]), n_instances=1)[0]
    array([0])
    """
    rng = check_random_state(random_state)
    if rows is not None:
        X = take_rows(X, rows)
    kwargs = dict(strategy_kwargs)
    parameters = _parameters(strategy)
    if "random_state" in parameters:
        kwargs["random_state"] = draw_seed(rng)
    if "random_tie_break" in parameters:
        kwargs["random_tie_break"] = random_tie_break
    result = strategy(estimator, X, n_instances=n_instances, **kwargs)
    indices, scores = split_query_result(result)
    indices = np.asarray(indices, dtype=np.intp).ravel()
    scores = np.full(indices.shape[0], np.nan) if scores is None else np.asarray(scores)
    return (indices if rows is None else rows[indices]), scores


def subsample(strategy, max_candidates=10000):
    """Wrap ``strategy`` so that each query scores at most ``max_candidates`` random pool rows.

    Returns a query strategy with the usual signature (see
    :func:`subsampled_sampling` for what it does), named
    ``subsampled_<strategy name>``; it pickles when ``strategy`` does.

    Parameters
    ----------
    strategy : callable
        Any query strategy.
    max_candidates : int, default=10000
        Most pool rows scored per query.

    Returns
    -------
    callable
        The wrapped strategy, ``subsampled_sampling`` with ``strategy`` and
        ``max_candidates`` bound.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies import random_sampling, subsample
    >>> fast = subsample(random_sampling, max_candidates=100)
    >>> fast.__name__
    'subsampled_random_sampling'
    >>> idx, _ = fast(None, np.zeros((100000, 2)), n_instances=5, random_state=0)
    >>> idx.shape, bool(idx.max() < 100000)
    ((5,), True)
    """
    check_int(max_candidates, "max_candidates")
    check_callable(strategy)
    wrapped = functools.partial(subsampled_sampling, strategy=strategy, max_candidates=max_candidates)
    wrapped.__name__ = f"subsampled_{getattr(strategy, '__name__', 'strategy')}"
    wrapped.__doc__ = (f"{wrapped.__name__}: {getattr(strategy, '__name__', 'strategy')} on at most "
                       f"{max_candidates} random pool rows (see skal.strategies.subsampling).")
    return wrapped
