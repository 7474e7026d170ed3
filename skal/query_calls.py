"""Calling a query strategy the way modAL does, without a failed call changing anything.

:class:`skal.ActiveLearner`, :class:`skal.Committee` and
:class:`skal.BayesianOptimizer` share these rules:

* ``n_instances`` reaches the strategy only when the caller gave it, so a
  strategy's own default wins (``uncertainty_batch_sampling`` picks 20) and a
  strategy written as ``def my_strategy(classifier, X_pool)`` works;
  ``functools.partial(strategy, n_instances=3)`` keeps its 3;
* a strategy with a ``random_state`` argument gets one drawn from the
  learner's random state;
* a call that fails leaves the learner's random state as it was
  (:func:`random_state_kept_on_error`), so a twin that never failed breaks
  later ties the same way.
"""

import contextlib
import inspect

import numpy as np

from .data import check_no_nan, check_pool, take_rows
from .seeding import draw_seed
from .strategies.representation import committee_members
from .strategies.selection import split_query_result
from .targets import check_single_label_strategy

__all__ = ["run_query_strategy", "random_state_kept_on_error", "check_pool_values", "query_pool"]


def check_pool_values(X_pool, estimator):
    """Refuse a numeric pool holding NaN/inf that ``estimator`` cannot take (texts pass).

    pandas objects are checked only when every column has a numpy numeric
    dtype; other columns (pandas' ``str``, nullable, Arrow dtypes) are left to
    the model.

    Parameters
    ----------
    X_pool : array-like, sparse matrix, list of strings or DataFrame
        The pool.
    estimator : estimator
        The model that will score it (its ``allow_nan`` tag decides).

    Raises
    ------
    ValueError
        When the pool holds NaN or inf the estimator cannot take.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.query_calls import check_pool_values
    >>> check_pool_values(np.array([[np.nan]]), LogisticRegression())
    Traceback (most recent call last):
    ...
    ValueError: The pool contains NaN or inf, which LogisticRegression cannot take; impute or drop those rows first.
    """
    if hasattr(X_pool, "columns"):
        dtypes = list(X_pool.dtypes)
    elif hasattr(X_pool, "to_numpy"):
        dtypes = [X_pool.dtype]
    else:
        dtypes = None
    if dtypes is not None and not all(isinstance(dt, np.dtype) and dt.kind in "biufc" for dt in dtypes):
        return
    check_no_nan(X_pool, estimator, what="The pool")


@contextlib.contextmanager
def random_state_kept_on_error(*rngs):
    """Context that puts every ``RandomState`` in ``rngs`` back as it was if the block raises.

    Parameters
    ----------
    *rngs : numpy.random.RandomState
        The random states to restore on error.

    Yields
    ------
    None
        Control to the block.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.query_calls import random_state_kept_on_error
    >>> rng = np.random.RandomState(0)
    >>> try:
    ...     with random_state_kept_on_error(rng):
    ...         _ = rng.rand(); raise ValueError("bad pool")
    ... except ValueError:
    ...     pass
    >>> rng.rand() == np.random.RandomState(0).rand()
    True
    """
    states = [rng.get_state() for rng in rngs]
    try:
        yield
    except BaseException:
        for rng, state in zip(rngs, states, strict=True):
            rng.set_state(state)
        raise


def _takes(strategy, name):
    try:
        parameters = inspect.signature(strategy).parameters
    except (TypeError, ValueError):
        return False
    return name in parameters


def run_query_strategy(strategy, learner, X_pool, n_instances, rng, query_kwargs):
    """Call ``strategy(learner, X_pool, ...)``; return ``(indices, metrics)``.

    Parameters
    ----------
    strategy : callable or str
        A registered strategy name (:mod:`skal.strategies.registry`), a skal strategy (returns ``(indices, scores)``) or a modAL one
        (returns bare indices, or ``(indices, rows)``).
    learner : estimator
        The estimator the strategy scores with.
    X_pool : array-like, sparse matrix, list of strings or DataFrame
        The pool.
    n_instances : int or None
        None: let the strategy use its own default.
    rng : numpy.random.RandomState
        Source of the ``random_state`` handed to strategies that take one.
    query_kwargs : dict
        Further keyword arguments for the strategy.

    Returns
    -------
    indices : ndarray of int
        The chosen pool positions.
    metrics : array-like or None
        What the strategy returned beside the indices, or None.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.query_calls import run_query_strategy
    >>> def first_rows(classifier, X_pool, n_instances=2):
    ...     return np.arange(n_instances)
    >>> run_query_strategy(first_rows, None, np.zeros((5, 1)), None, np.random.RandomState(0), {})
    (array([0, 1]), None)
    """
    from .strategies.registry import resolve_strategy  # here: the registry imports the strategies, which import us

    if strategy is None or not (callable(strategy) or isinstance(strategy, str)):
        raise ValueError(f"query_strategy must be a callable or a registered strategy name, got {strategy!r}.")
    strategy = resolve_strategy(strategy)
    size = check_pool(X_pool, 1 if n_instances is None else n_instances)
    check_single_label_strategy(strategy, learner)
    kwargs = dict(query_kwargs)
    if n_instances is not None:
        kwargs["n_instances"] = n_instances
    with random_state_kept_on_error(rng):
        if _takes(strategy, "random_state") and "random_state" not in kwargs:
            kwargs["random_state"] = draw_seed(rng)
        result = strategy(learner, X_pool, **kwargs)
    indices, metrics = split_query_result(result)
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu" and not (indices.dtype.kind == "f" and indices.size == 0):
        raise ValueError(
            f"The query strategy must return integer pool positions, got {indices.dtype} values."
        )
    indices = indices.astype(np.intp, copy=False).ravel()
    if indices.size and (indices.min() < 0 or indices.max() >= size):
        raise ValueError(f"The query strategy returned indices outside the pool of {size} rows.")
    return indices, metrics


def query_pool(learner, X_pool, n_instances, return_metrics, query_kwargs, rng):
    """The body of every learner's ``query``: check the pool for each member, run the strategy, take the rows.

    Parameters
    ----------
    learner : ActiveLearner or Committee
        The learner being queried (fitted already, or cold).
    X_pool : array-like, sparse matrix, list of strings or DataFrame
        The pool.
    n_instances : int or None
        How many rows; None lets the strategy use its own default.
    return_metrics : bool
        Also return the strategy's scores.
    query_kwargs : dict
        Further keyword arguments for the strategy.
    rng : numpy.random.RandomState
        The learner's random state (for strategies that take one).

    Returns
    -------
    indices : ndarray of int
        The chosen pool positions.
    rows : array-like
        Those rows of ``X_pool``.
    metrics : array-like or None
        Only when ``return_metrics``: the strategy's scores.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skal import ActiveLearner
    >>> from skal.query_calls import query_pool
    >>> learner = ActiveLearner(KNeighborsClassifier(1), "random")
    >>> query_pool(learner, np.zeros((4, 1)), 2, False, {}, np.random.RandomState(0))[0].shape
    (2,)
    """
    for member in committee_members(learner):
        check_pool_values(X_pool, member.estimator)
    indices, metrics = run_query_strategy(learner.query_strategy, learner, X_pool, n_instances, rng, query_kwargs)
    rows = take_rows(X_pool, indices)
    return (indices, rows, metrics) if return_metrics else (indices, rows)
