"""modAL's helpers for combining utility measures into new ones and into query strategies.

A utility measure is a function ``measure(estimator, X, **kwargs) -> scores``
(one score per pool row, higher is more informative), such as
:func:`~skal.strategies.classifier_uncertainty` or
:func:`~skal.strategies.information_density`. :func:`make_linear_combination`
and :func:`make_product` combine several into one (``modAL.utils.combination``
under the same names); :func:`make_query_strategy` turns a measure into a
strategy with skal's signature and its ``(indices, scores)`` result.
"""

import numpy as np

from ..data import check_pool
from .selection import select_top, split_query_result

__all__ = ["make_linear_combination", "make_product", "make_query_strategy"]


def _coefficients(values, n_functions, what, caller):
    """``values`` as one float per function (ones when None), or a ValueError naming ``what``."""
    if n_functions == 0:
        raise ValueError(f"{caller} needs at least one function.")
    values = np.ones(n_functions) if values is None else np.asarray(values, dtype=float)
    if values.shape != (n_functions,):
        raise ValueError(
            f"{what} must have one value per function: {n_functions} functions, got {values.size} {what}."
        )
    return values


def make_linear_combination(*functions, weights=None):
    """A utility measure returning ``sum_i weights[i] * functions[i](*args, **kwargs)`` (as modAL).

    Parameters
    ----------
    *functions : callable
        Utility measures taking the same arguments and returning arrays of
        one shape; at least one.
    weights : array-like of shape (len(functions),) or None, default=None
        The coefficient of each function; None weighs each by 1.

    Returns
    -------
    linear_combination : callable
        Takes the arguments of ``functions`` and returns the weighted sum of
        their results.

    Raises
    ------
    ValueError
        Without functions, or when ``weights`` has not one value per function.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies import classifier_uncertainty, information_density
    >>> from skal.strategies.combinators import make_linear_combination
    >>> X = np.array([[0.], [1.], [2.], [3.]]); clf = LogisticRegression().fit(X, [0, 0, 1, 1])
    >>> utility = make_linear_combination(classifier_uncertainty, information_density, weights=[1, 0.5])
    >>> utility(clf, X).shape
    (4,)
    """
    weights = _coefficients(weights, len(functions), "weights", "make_linear_combination")

    def linear_combination(*args, **kwargs):
        return sum(w * f(*args, **kwargs) for w, f in zip(weights, functions, strict=True))

    return linear_combination


def make_product(*functions, exponents=None):
    """A utility measure returning ``prod_i functions[i](*args, **kwargs) ** exponents[i]`` (as modAL).

    Parameters
    ----------
    *functions : callable
        Utility measures taking the same arguments and returning arrays of
        one shape; at least one.
    exponents : array-like of shape (len(functions),) or None, default=None
        The power each function's result is raised to; None raises each to 1.

    Returns
    -------
    product_function : callable
        Takes the arguments of ``functions`` and returns the elementwise
        product of their powered results.

    Raises
    ------
    ValueError
        Without functions, or when ``exponents`` has not one value per function.

    Examples
    --------
    >>> import numpy as np
    >>> from skal.strategies.combinators import make_product
    >>> double, square = (lambda x: 2 * x), (lambda x: x ** 2)
    >>> make_product(double, square, exponents=[1, 2])(np.array([1., 2.]))
    array([ 2., 64.])
    """
    exponents = _coefficients(exponents, len(functions), "exponents", "make_product")

    def product_function(*args, **kwargs):
        return np.prod([f(*args, **kwargs) ** e for e, f in zip(exponents, functions, strict=True)], axis=0)

    return product_function


def make_query_strategy(utility_measure, selector=select_top):
    """Turn a utility measure into a skal query strategy (modAL's ``make_query_strategy``).

    Parameters
    ----------
    utility_measure : callable
        ``utility_measure(estimator, X, **kwargs) -> ndarray (n_samples,)``,
        higher is more informative.
    selector : callable, default=select_top
        ``selector(utility, n_instances)`` returning indices, or
        ``(indices, scores)``; modAL's ``multi_argmax`` works. With the
        default, ``random_tie_break`` and ``random_state`` are honoured.

    Returns
    -------
    strategy : callable
        ``strategy(estimator, X, n_instances=1, random_tie_break=False,
        random_state=None, **kwargs) -> (indices, scores)``; ``kwargs`` go to
        the utility measure.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skal.strategies import classifier_uncertainty, information_density
    >>> from skal.strategies.combinators import make_product, make_query_strategy
    >>> X = np.array([[0.], [1.], [2.], [3.]]); clf = LogisticRegression().fit(X, [0, 0, 1, 1])
    >>> strategy = make_query_strategy(make_product(classifier_uncertainty, information_density))
    >>> strategy(clf, X, n_instances=2)[0].shape
    (2,)
    """
    def query_strategy(estimator, X, n_instances=1, random_tie_break=False, random_state=None, **kwargs):
        check_pool(X, n_instances)
        utility = np.asarray(utility_measure(estimator, X, **kwargs), dtype=float).ravel()
        if selector is select_top:
            return select_top(utility, n_instances, random_tie_break, random_state)
        indices, scores = split_query_result(selector(utility, n_instances))
        if scores is None:
            indices = np.asarray(indices, dtype=np.intp).ravel()
            scores = utility[indices]
        return indices, scores

    query_strategy.__name__ = f"{getattr(utility_measure, '__name__', 'utility')}_strategy"
    return query_strategy
