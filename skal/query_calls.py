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

from .data import check_no_nan, check_pool
from .targets import check_single_label_strategy

__all__ = ["run_query_strategy", "random_state_kept_on_error", "check_pool_values"]


def check_pool_values(X_pool, estimator):
    """Refuse a numeric pool holding NaN/inf that ``estimator`` cannot take (texts pass).

    pandas objects are checked only when every column has a numpy numeric
    dtype; other columns (pandas' ``str``, nullable, Arrow dtypes) are left to
    the model.

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
        for rng, state in zip(rngs, states):
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
    strategy : callable
        A skal strategy (returns ``(indices, scores)``) or a modAL one
        (returns bare indices, or ``(indices, rows)``).
    learner : the estimator the strategy scores with.
    X_pool : pool
    n_instances : int or None
        None: let the strategy use its own default.
    rng : numpy.random.RandomState
        Source of the ``random_state`` handed to strategies that take one.
    query_kwargs : dict
        Further keyword arguments for the strategy.

    Returns
    -------
    indices : ndarray of int
    metrics : what the strategy returned beside the indices, or None

    Examples
    --------
    >>> import numpy as np
    >>> from skal.query_calls import run_query_strategy
    >>> def first_rows(classifier, X_pool, n_instances=2):
    ...     return np.arange(n_instances)
    >>> run_query_strategy(first_rows, None, np.zeros((5, 1)), None, np.random.RandomState(0), {})
    (array([0, 1]), None)
    """
    if strategy is None or not callable(strategy):
        raise ValueError(f"query_strategy must be a callable, got {strategy!r}.")
    size = check_pool(X_pool, 1 if n_instances is None else n_instances)
    check_single_label_strategy(strategy, learner)
    kwargs = dict(query_kwargs)
    if n_instances is not None:
        kwargs["n_instances"] = n_instances
    with random_state_kept_on_error(rng):
        if _takes(strategy, "random_state") and "random_state" not in kwargs:
            kwargs["random_state"] = rng.randint(np.iinfo(np.int32).max)
        result = strategy(learner, X_pool, **kwargs)
    indices, metrics = result if isinstance(result, tuple) and len(result) == 2 else (result, None)
    indices = np.asarray(indices)
    if indices.dtype.kind not in "iu" and not (indices.dtype.kind == "f" and indices.size == 0):
        raise ValueError(
            f"The query strategy must return integer pool positions, got {indices.dtype} values."
        )
    indices = indices.astype(np.intp, copy=False).ravel()
    if indices.size and (indices.min() < 0 or indices.max() >= size):
        raise ValueError(f"The query strategy returned indices outside the pool of {size} rows.")
    return indices, metrics
